// Options of an extension (a strategy, an accuracy evaluator, an objective, a
// flow), declared once with name, type, default, range and description
// (STYLE.md 2). The experiment loader, the CLI flags that exist for them,
// --help and the README's tables all read the declaration; an extension reads
// its resolved values by name and never writes a default a second time.
//
//   const OptionDecls kDecls = {
//       OptionDecl::integer("population", 50, 2, 100000, "individuals kept alive"),
//       OptionDecl::choice("schedule", "cosine", {"cosine", "constant"}, "learning-rate schedule"),
//   };
//   Options o = Options::from_yaml(kDecls, "strategy evolution", doc, node, {"name"});
//   int population = static_cast<int>(o.integer("population"));
#pragma once

#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/yaml_util.h"

namespace coda {

enum class OptionType {
  kInteger,
  kNumber,
  kBool,
  kText,
  kChoice,  // one of `choices`
  kPath,    // text; in a file, relative to that file
  kList,    // a YAML list the extension reads itself (e.g. NAHAS constraints)
};

struct OptionDecl {
  std::string name;
  OptionType type = OptionType::kText;
  // The value when the option is not given; null when it has none (then
  // the option is either required or simply absent, see given()).
  nlohmann::json default_value;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;  // (min, max]: "positive" numbers
  std::vector<std::string> choices;
  std::string description;
  bool required = false;

  static OptionDecl integer(std::string name, long long def, long long min, long long max,
                            std::string description);
  static OptionDecl number(std::string name, double def, double min, double max,
                           std::string description);
  // A number > 0 with no default: present only when given.
  static OptionDecl positive(std::string name, std::string description);
  static OptionDecl flag(std::string name, bool def, std::string description);
  static OptionDecl text(std::string name, std::string def, std::string description);
  static OptionDecl choice(std::string name, std::string def, std::vector<std::string> choices,
                           std::string description);
  static OptionDecl path(std::string name, std::string def, std::string description);
  static OptionDecl list(std::string name, std::string description);
  // The same declaration, with no default and required.
  OptionDecl required_option() const;

  // "an integer from 2 to 100000", "one of cosine, constant", ...
  std::string allowed() const;
  // The default as a user writes it; "(required)" or "-" when there is none.
  std::string default_text() const;
  std::string type_name() const;
};

using OptionDecls = std::vector<OptionDecl>;

// Resolved values for one declaration list: every option holds its given
// value or its default. Reading a name that is not declared is a programming
// error (std::logic_error), not bad input.
class Options {
 public:
  Options() = default;
  // All defaults. `owner` names the extension in messages ("strategy evolution").
  Options(OptionDecls decls, std::string owner);

  // Reads the map `node` ({} when absent), skipping the keys in `skip` (the
  // name that picked the extension). Unknown keys, wrong types, values out
  // of range and missing required options are InputErrors with the file,
  // line and field; paths are resolved relative to `doc.file`.
  static Options from_yaml(OptionDecls decls, std::string owner, const YamlDoc& doc,
                           const YAML::Node& node, const std::vector<std::string>& skip = {});
  // The same from JSON (a program's options); `file` names the source.
  static Options from_json(OptionDecls decls, std::string owner, const nlohmann::json& given,
                           const std::string& file = "");

  // A value written as text (a CLI flag, a --set): parsed by the option's type.
  void set_text(const std::string& name, const std::string& text, const SourceLocation& where);
  // Throws when a required option was never given.
  void check_required(const SourceLocation& where) const;

  long long integer(const std::string& name) const;
  double number(const std::string& name) const;
  bool flag(const std::string& name) const;
  // Text, choice and path options.
  const std::string& text(const std::string& name) const;
  // A list option as YAML (null when absent), and the file it was read from.
  const YAML::Node& list(const std::string& name) const;
  const std::string& file() const { return file_; }

  bool given(const std::string& name) const { return given_.count(name) != 0; }
  SourceLocation where(const std::string& name) const;
  const OptionDecls& decls() const { return decls_; }
  const std::string& owner() const { return owner_; }
  bool declares(const std::string& name) const;
  // Every option with a value, given or default (lists as JSON).
  nlohmann::json to_json() const;

 private:
  const OptionDecl& decl(const std::string& name) const;
  const OptionDecl* find(const std::string& name) const;
  [[noreturn]] void unknown_key(const std::string& key, const SourceLocation& where) const;
  void set_value(const OptionDecl& d, nlohmann::json v, const SourceLocation& where);
  nlohmann::json parse_scalar(const OptionDecl& d, const std::string& text,
                              const SourceLocation& where) const;

  OptionDecls decls_;
  std::string owner_;
  std::string file_;
  std::map<std::string, nlohmann::json> values_;
  std::map<std::string, YAML::Node> lists_;
  std::map<std::string, SourceLocation> where_;
  std::set<std::string> given_;
};

// A Markdown table of the declarations: option, type, default, allowed,
// description (the README's tables and `coda extensions --markdown`).
std::string options_markdown(const OptionDecls& decls);

}  // namespace coda
