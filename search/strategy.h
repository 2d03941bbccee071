// Search strategies (DESIGN.md "Core interfaces"): ask/tell over a flat list
// of categorical dimensions, with state saved and restored. A strategy never
// knows which cost model or accuracy evaluator answers.
//
// Built-in strategies live in plugins/strategies/ and register through
// plugins::register_strategies(). External strategies are shared libraries
// loaded with --plugin (or `plugins:` in an experiment): the library exports
//
//   extern "C" int coda_plugin_api_version() { return CODA_PLUGIN_API_VERSION; }
//   extern "C" void coda_register_plugin(coda::search::StrategyRegistry& r) {
//     r.add("my-strategy", "what it does", [](const coda::search::StrategyContext& c) {
//       return std::make_unique<MyStrategy>(c);
//     });
//   }
//
// (see plugins/examples/ for a complete one, built and tested by CI).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/space.h"

#define CODA_PLUGIN_API_VERSION 1

namespace coda::search {

// A strategy's options from the experiment, each read once with its default
// and range; finish() rejects options nobody read, listing the known ones.
class StrategyOptions {
 public:
  StrategyOptions(std::string strategy, nlohmann::json given, std::string file = "");
  double number(const std::string& key, double def, double lo, double hi);
  long long integer(const std::string& key, long long def, long long lo, long long hi);
  void finish() const;

 private:
  std::string strategy_, file_;
  nlohmann::json given_;
  std::set<std::string> known_;
};

struct StrategyContext {
  std::vector<Dimension> dims;
  unsigned long long seed = 1;
  StrategyOptions* options = nullptr;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  // The next n candidates to evaluate.
  virtual std::vector<Candidate> ask(int n) = 0;
  // Rewards (higher is better) for the candidates of the last ask().
  virtual void tell(const std::vector<Candidate>& xs, const std::vector<double>& rewards) = 0;
  // Everything the next ask() depends on, RNG included.
  virtual void save(const std::string& path) const = 0;
  virtual void load(const std::string& path) = 0;
};

using StrategyFactory = std::function<std::unique_ptr<Strategy>(const StrategyContext&)>;

class StrategyRegistry {
 public:
  void add(const std::string& name, const std::string& description, StrategyFactory factory);
  std::vector<std::string> names() const;
  const std::string& description(const std::string& name) const;
  // An unknown name lists the registered ones.
  std::unique_ptr<Strategy> make(const std::string& name, const StrategyContext& ctx) const;

 private:
  std::map<std::string, std::pair<std::string, StrategyFactory>> entries_;
};

StrategyRegistry& strategies();

// dlopen()s `path` and calls its coda_register_plugin. Errors name the file
// and the loader's message.
void load_plugin(const std::string& path);

// Helpers for strategies that keep a JSON state file (written atomically).
void write_json_state(const std::string& path, const nlohmann::json& state);
nlohmann::json read_json_state(const std::string& path);
std::string rng_state(const std::mt19937_64& rng);
void set_rng_state(std::mt19937_64& rng, const std::string& state);
// A uniformly random candidate.
Candidate random_candidate(const std::vector<Dimension>& dims, std::mt19937_64& rng);

}  // namespace coda::search
