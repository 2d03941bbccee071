#include "search/strategy.h"

#include <dlfcn.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/text.h"

namespace coda::search {

StrategyOptions::StrategyOptions(std::string strategy, nlohmann::json given, std::string file)
    : strategy_(std::move(strategy)), file_(std::move(file)), given_(std::move(given)) {}

double StrategyOptions::number(const std::string& key, double def, double lo, double hi) {
  known_.insert(key);
  if (!given_.contains(key)) return def;
  const auto& v = given_.at(key);
  if (!v.is_number()) {
    throw InputError({file_, 0, 0}, key, "strategy " + strategy_ + ": expected a number");
  }
  const double x = v.get<double>();
  if (x < lo || x > hi) {
    throw InputError({file_, 0, 0}, key,
                     "strategy " + strategy_ + ": " + format_number(x) + " is outside [" +
                         format_number(lo) + ", " + format_number(hi) + "]");
  }
  return x;
}

long long StrategyOptions::integer(const std::string& key, long long def, long long lo,
                                   long long hi) {
  const double x = number(key, static_cast<double>(def), static_cast<double>(lo),
                          static_cast<double>(hi));
  if (x != static_cast<double>(static_cast<long long>(x))) {
    throw InputError({file_, 0, 0}, key, "strategy " + strategy_ + ": expected an integer");
  }
  return static_cast<long long>(x);
}

void StrategyOptions::finish() const {
  for (const auto& [k, v] : given_.items()) {
    if (!known_.count(k)) {
      throw InputError({file_, 0, 0}, k,
                       "unknown option of strategy " + strategy_ + "; known: " +
                           join(std::vector<std::string>(known_.begin(), known_.end()), ", "));
    }
  }
}

void StrategyRegistry::add(const std::string& name, const std::string& description,
                           StrategyFactory factory) {
  entries_[name] = {description, std::move(factory)};
}

std::vector<std::string> StrategyRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : entries_) out.push_back(k);
  return out;
}

const std::string& StrategyRegistry::description(const std::string& name) const {
  return entries_.at(name).first;
}

std::unique_ptr<Strategy> StrategyRegistry::make(const std::string& name,
                                                 const StrategyContext& ctx) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    throw InputError({}, "strategy",
                     "unknown strategy '" + name + "'; available: " + join(names(), ", ") +
                         " (external ones load with --plugin FILE.so)");
  }
  auto s = it->second.second(ctx);
  if (ctx.options) ctx.options->finish();
  return s;
}

StrategyRegistry& strategies() {
  static StrategyRegistry r;
  return r;
}

void load_plugin(const std::string& path) {
  const std::string abs = std::filesystem::absolute(path).string();
  void* h = ::dlopen(abs.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = ::dlerror();
    throw InputError({path, 0, 0}, "plugin", std::string("cannot load: ") + (e ? e : "unknown error"));
  }
  using Version = int (*)();
  using Register = void (*)(StrategyRegistry&);
  auto version = reinterpret_cast<Version>(::dlsym(h, "coda_plugin_api_version"));
  auto reg = reinterpret_cast<Register>(::dlsym(h, "coda_register_plugin"));
  if (!version || !reg) {
    throw InputError({path, 0, 0}, "plugin",
                     "not a coda plugin: it must export coda_plugin_api_version and "
                     "coda_register_plugin (see plugins/README.md)");
  }
  if (version() != CODA_PLUGIN_API_VERSION) {
    throw InputError({path, 0, 0}, "plugin",
                     "built for plugin API " + std::to_string(version()) + ", coda has " +
                         std::to_string(CODA_PLUGIN_API_VERSION));
  }
  reg(strategies());
}

void write_json_state(const std::string& path, const nlohmann::json& state) {
  if (!write_file_atomic(path, state.dump() + "\n")) {
    throw InputError({path, 0, 0}, "state", "cannot write the strategy state");
  }
}

nlohmann::json read_json_state(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "state", "cannot read the strategy state");
  try {
    nlohmann::json j;
    in >> j;
    return j;
  } catch (const std::exception& e) {
    throw InputError({path, 0, 0}, "state", std::string("corrupt strategy state: ") + e.what());
  }
}

std::string rng_state(const std::mt19937_64& rng) {
  std::ostringstream s;
  s << rng;
  return s.str();
}

void set_rng_state(std::mt19937_64& rng, const std::string& state) {
  std::istringstream s(state);
  s >> rng;
}

Candidate random_candidate(const std::vector<Dimension>& dims, std::mt19937_64& rng) {
  Candidate x;
  for (const auto& d : dims) {
    std::uniform_int_distribution<int> pick(0, d.size() - 1);
    x.push_back(pick(rng));
  }
  return x;
}

}  // namespace coda::search
