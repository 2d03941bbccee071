#include "search/evaluator.h"

#include "core/error.h"
#include "models/network/network.h"
#include "models/network/yaml_io.h"

namespace coda::search {

Measured Evaluation::measured() const {
  Measured m;
  m.feasible = feasible;
  m.accuracy = accuracy;
  m.latency_ms = predicted.latency_s * 1e3;
  m.energy_mj = predicted.energy_j * 1e3;
  m.area_mm2 = predicted.area_mm2;
  m.params = params;
  m.macs = macs;
  return m;
}

nlohmann::json Evaluation::to_json() const {
  return {{"candidate", key},
          {"description", description},
          {"feasible", feasible},
          {"reason", reason},
          {"accuracy", accuracy},
          {"reward", reward},
          {"latency_s", predicted.latency_s},
          {"energy_j", predicted.energy_j},
          {"area_mm2", predicted.area_mm2},
          {"params", params},
          {"macs", macs},
          {"verified", verified},
          {"model_latency_s", model_latency_s}};
}

Evaluation Evaluation::from_json(const nlohmann::json& j) {
  Evaluation e;
  e.key = j.at("candidate").get<std::string>();
  e.x = SearchSpace::parse_key(e.key);
  e.description = j.at("description").get<std::string>();
  e.feasible = j.at("feasible").get<bool>();
  e.reason = j.at("reason").get<std::string>();
  e.accuracy = j.at("accuracy").get<double>();
  e.reward = j.at("reward").get<double>();
  e.predicted.feasible = e.feasible;
  e.predicted.reason = e.reason;
  e.predicted.latency_s = j.at("latency_s").get<double>();
  e.predicted.energy_j = j.at("energy_j").get<double>();
  e.predicted.area_mm2 = j.at("area_mm2").get<double>();
  e.params = j.at("params").get<double>();
  e.macs = j.at("macs").get<double>();
  e.verified = j.value("verified", false);
  e.model_latency_s = j.value("model_latency_s", 0.0);
  return e;
}

Evaluator::Evaluator(const SearchSpace& space, cost::CostModel& cost,
                     accuracy::AccuracyEvaluator& accuracy, const Objective& objective, int workers)
    : space_(space), cost_(cost), accuracy_(accuracy), objective_(objective), workers_(workers) {}

void Evaluator::remember(const Evaluation& e) {
  cache_[e.key] = e;
  if (verifier_) verifier_->remember(e);
}

Evaluation Evaluator::finish(const Candidate& x, const cost::Metrics& m,
                             const network::Network* net) {
  Evaluation e;
  e.x = x;
  e.key = SearchSpace::key(x);
  e.description = space_.describe(x);
  e.predicted = m;
  e.feasible = m.feasible;
  e.reason = m.reason;
  if (net) {
    e.params = static_cast<double>(net->params());
    e.macs = static_cast<double>(net->macs());
  }
  if (e.feasible && net && objective_.needs_accuracy(e.measured())) {
    const std::string h = network::network_hash(*net);
    auto it = accuracy_cache_.find(h);
    if (it == accuracy_cache_.end()) {
      // A network the hardware runs may still not fit the evaluator's data
      // (a pooling window larger than a 28x28 image's feature map): such a
      // candidate cannot be scored, so it is infeasible with the reason.
      try {
        it = accuracy_cache_.emplace(h, accuracy_.evaluate(*net).accuracy).first;
      } catch (const InputError& err) {
        e.feasible = false;
        e.reason = std::string("cannot score accuracy: ") + err.what();
      }
    }
    if (e.feasible) e.accuracy = it->second;
  }
  e.reward = objective_.reward(e.measured());
  e.model_latency_s = m.latency_s;
  return e;
}

std::vector<Evaluation> Evaluator::evaluate(
    const std::vector<Candidate>& batch,
    const std::function<void(std::size_t, const Evaluation&)>& on_result) {
  std::vector<Evaluation> out(batch.size());
  std::vector<bool> known(batch.size(), false);
  // Cached answers first; duplicates within the batch are evaluated once.
  std::map<std::string, std::size_t> first;
  std::vector<std::size_t> todo;
  for (std::size_t j = 0; j < batch.size(); ++j) {
    const std::string k = SearchSpace::key(batch[j]);
    if (auto it = cache_.find(k); it != cache_.end()) {
      out[j] = it->second;
      out[j].cached = true;
      known[j] = true;
    } else if (!first.count(k)) {
      first[k] = j;
      todo.push_back(j);
    }
  }
  // Decode; candidates that cannot be built are infeasible with the reason.
  std::vector<std::unique_ptr<Decoded>> decoded(batch.size());
  std::vector<std::size_t> queries;
  for (std::size_t j : todo) {
    try {
      decoded[j] = std::make_unique<Decoded>(space_.decode(batch[j]));
      queries.push_back(j);
    } catch (const InputError& err) {
      cost::Metrics m;
      m.feasible = false;
      m.reason = std::string(Evaluation::kCannotBuild) + err.what();
      out[j] = finish(batch[j], m, nullptr);
    }
  }
  std::vector<cost::Metrics> metrics(batch.size());
  if (!queries.empty()) {
    std::vector<cost::Query> q;
    for (std::size_t j : queries) q.push_back({&decoded[j]->net, &decoded[j]->hw});
    const auto ms = cost::evaluate_in_workers(cost_, q, workers_);
    for (std::size_t i = 0; i < queries.size(); ++i) metrics[queries[i]] = ms[i];
  }
  for (std::size_t j : queries) out[j] = finish(batch[j], metrics[j], &decoded[j]->net);
  fresh_ += static_cast<long long>(todo.size());
  if (verifier_ && verifier_->active()) {
    std::vector<std::size_t> check;
    for (std::size_t j : queries) {
      if (verifier_->wants(out[j])) check.push_back(j);
    }
    std::vector<const Decoded*> nets;
    for (std::size_t j : check) nets.push_back(decoded[j].get());
    const auto simulated =
        nets.empty() ? std::vector<cost::Metrics>{} : verifier_->simulate(nets, workers_);
    for (std::size_t k = 0; k < check.size(); ++k) {
      const std::size_t j = check[k];
      const double model_latency = out[j].predicted.latency_s;
      out[j] = finish(batch[j], simulated[k], &decoded[j]->net);
      out[j].verified = true;
      out[j].model_latency_s = model_latency;
    }
    for (std::size_t j : todo) {
      verifier_->record(out[j], out[j].verified ? std::move(decoded[j]) : nullptr);
    }
    verifier_->end_batch();
  }
  for (std::size_t j : todo) cache_[out[j].key] = out[j];
  // Repeats within the batch take the first occurrence's answer.
  for (std::size_t j = 0; j < batch.size(); ++j) {
    const std::string k = SearchSpace::key(batch[j]);
    if (!known[j] && first.at(k) != j) {
      out[j] = cache_.at(k);
      out[j].cached = true;
    }
  }
  if (on_result) {
    for (std::size_t j = 0; j < batch.size(); ++j) on_result(j, out[j]);
  }
  return out;
}

}  // namespace coda::search
