#include "search/strategy.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/report.h"
#include "core/text.h"

namespace coda::search {

StrategyRegistry& strategies() {
  static StrategyRegistry r("strategy", "strategy", " (external ones load with --plugin FILE.so)");
  return r;
}

std::unique_ptr<Strategy> make_strategy(const std::string& name, std::vector<Dimension> dims,
                                        unsigned long long seed, const nlohmann::json& options) {
  StrategyContext c;
  c.dims = std::move(dims);
  c.seed = seed;
  c.options = Options::from_json(strategies().at(name).options, "strategy " + name,
                                 options.is_null() ? nlohmann::json::object() : options);
  return strategies().make(name, c);
}

void write_json_state(const std::string& path, const nlohmann::json& state) {
  write_text(state.dump() + "\n", path);
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
