// One registry template for every extension point (DESIGN.md "Extension
// points"): accelerator families, cost models, accuracy evaluators,
// strategies, objectives, flows and NAS spaces. An entry is a name, a
// one-line description, the options it declares (core/options.h) and a
// factory. Builtins are added by coda::register_builtins(); external plugins
// add theirs from coda_register_plugin() (core/plugin.h).
//
//   Registry<Strategy, const StrategyContext&>& strategies();   // search/
//   strategies().add({"random", "uniform samples", {}, [](const StrategyContext& c) {
//     return std::make_unique<RandomStrategy>(c);
//   }});
//   auto s = strategies().make("random", context);   // unknown names list the known ones
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/options.h"

namespace coda {

// What listings (`coda extensions`, --help, the README's tables) need of a
// registry, whatever it makes.
class RegistryBase {
 public:
  struct Info {
    std::string name;
    std::string description;
    OptionDecls options;
  };

  // `kind` names the extension point in messages ("strategy", "NAS space");
  // `field` is the YAML field or flag that picks one; `hint` follows the
  // list of names in the unknown-name error.
  RegistryBase(std::string kind, std::string field, std::string hint);
  virtual ~RegistryBase();
  RegistryBase(const RegistryBase&) = delete;
  RegistryBase& operator=(const RegistryBase&) = delete;

  const std::string& kind() const { return kind_; }
  const std::string& field() const { return field_; }
  virtual std::vector<std::string> names() const = 0;
  virtual bool contains(const std::string& name) const = 0;
  virtual const Info& info(const std::string& name) const = 0;
  // Throws the unknown-name InputError unless `name` is registered.
  void require(const std::string& name, const SourceLocation& where = {}) const;

 protected:
  [[noreturn]] void unknown(const std::string& name, const SourceLocation& where) const;
  void duplicate(const std::string& name) const;

 private:
  std::string kind_, field_, hint_;
};

// Every registry, in the order they were created (for listings).
const std::vector<RegistryBase*>& all_registries();

template <typename Product, typename... Args>
class Registry : public RegistryBase {
 public:
  using Factory = std::function<std::unique_ptr<Product>(Args...)>;
  struct Entry {
    std::string name;
    std::string description;
    OptionDecls options;
    Factory make;
  };

  using RegistryBase::RegistryBase;

  // A second entry with the same name is an InputError (two plugins, or a
  // plugin and a builtin, would otherwise shadow each other silently).
  void add(Entry e) {
    if (entries_.count(e.name)) duplicate(e.name);
    const std::string name = e.name;
    infos_[name] = {e.name, e.description, e.options};
    entries_.emplace(name, std::move(e));
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& [name, e] : entries_) out.push_back(name);
    return out;
  }
  bool contains(const std::string& name) const override { return entries_.count(name) != 0; }
  const Info& info(const std::string& name) const override {
    require(name);
    return infos_.at(name);
  }
  const Entry& at(const std::string& name, const SourceLocation& where = {}) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) unknown(name, where);
    return it->second;
  }
  std::unique_ptr<Product> make(const std::string& name, Args... args) const {
    return at(name).make(std::forward<Args>(args)...);
  }

 private:
  std::map<std::string, Entry> entries_;
  std::map<std::string, Info> infos_;
};

}  // namespace coda
