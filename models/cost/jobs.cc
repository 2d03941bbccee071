#include "models/cost/jobs.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <unordered_map>

#include "core/cluster.h"
#include "core/files.h"
#include "core/report.h"
#include "core/worker_pool.h"
#include "models/cost/dataset.h"
#include "models/cost/featurizer.h"
#include "models/space/joint_space.h"
#include "sim/accelerator.h"

namespace coda::cost {
ParamSet hw_from_values(const sim::Accelerator& acc, const std::vector<double>& values) {
  ParamSet hw(acc.params());
  for (std::size_t i = 0; i < values.size() && i < acc.params().size(); ++i)
    hw.set(acc.params()[i].name, values[i]);
  return hw;
}

std::vector<std::pair<int, double>> layer_latencies(const network::Network& net,
                                                    const sim::SimResult& r) {
  std::unordered_map<std::string, int> position;
  const auto order = net.topological_order();
  for (std::size_t i = 0; i < order.size(); ++i)
    position.emplace(net.layer(order[i]).name, static_cast<int>(i));
  std::vector<std::pair<int, double>> out;
  if (!r.feasible) return out;
  for (const auto& l : r.layers) {
    const auto it = position.find(l.name);
    if (it != position.end() && l.latency_s > 0) out.push_back({it->second, l.latency_s});
  }
  return out;
}

void run_dataset_job(const DatasetJob& a) {
  sim::Accelerator& acc = sim::accelerator(a.arch);
  const space::JointSpace space = space::JointSpace::load(a.space, a.arch, acc.params());
  const Featurizer featurizer(acc.params());
  nlohmann::json decisions = nlohmann::json::array();
  for (const auto& d : space.nas().decisions())
    decisions.push_back({{"name", d.name}, {"labels", d.labels}});
  nlohmann::json hw_fields = nlohmann::json::array();
  for (const auto& d : acc.params()) hw_fields.push_back(d.name);
  const nlohmann::json schema = {
      {"format", "coda-dataset/2"},
      {"coda_version", CODA_VERSION},
      {"simulator", std::string("coda ") + CODA_VERSION + " SystemC " + a.arch},
      {"arch", a.arch},
      {"space", std::filesystem::absolute(a.space).string()},
      {"nas_space", space.nas().name()},
      {"nas_decisions", decisions},
      {"hw_fields", hw_fields},
      {"seed", a.seed},
      {"samples", a.samples},
      {"featurizer_version", featurizer.version()},
      {"feature_names", featurizer.names()},
      {"columns",
       {"index", "status", "latency_s", "energy_j", "area_mm2", "nas", "hw", "reason", "layers"}},
  };
  // Under mpirun, ranks other than 0 only simulate what rank 0 hands them.
  const auto work = [&](long long i) {
    const space::JointSample js = space.sample(a.seed, i);
    const network::Network net = space.nas().decode(js.nas);
    const ParamSet hw = space.hw().point(js.hw_point);
    const sim::SimResult r = acc.simulate(net, hw, {});
    Sample s;
    s.index = i;
    s.nas = js.nas;
    for (const auto& d : acc.params()) s.hw.push_back(hw.get(d.name));
    s.metrics = {r.feasible, r.reason, r.latency_s, r.energy_j, r.area_mm2};
    s.layers = layer_latencies(net, r);
    return sample_to_csv(s);
  };
  if (cluster::active() && cluster::rank() != 0) {
    cluster::run({}, work, nullptr);
    return;
  }
  const DirectoryLock lock(a.out);
  DatasetWriter writer(a.out, schema, a.resume);
  std::vector<long long> todo;
  for (long long i = 0; i < a.samples; ++i)
    if (!writer.done().count(i)) todo.push_back(i);
  std::cerr << fmt::format("dataset: {} samples ({} done before), {} {}\n", a.samples,
                           a.samples - static_cast<long long>(todo.size()),
                           cluster::active() ? cluster::size() - 1 : a.workers,
                           cluster::active() ? "MPI ranks" : "workers");
  Progress progress(a.samples, a.samples - static_cast<long long>(todo.size()));
  const auto done = [&](long long i, const std::string& row) {
    writer.append(i, row);
    progress.tick();
  };
  if (cluster::active()) {
    cluster::run(todo, work, done);
  } else {
    run_worker_pool(todo, {a.workers}, work, done);
  }
  writer.close();
  std::cout << fmt::format("dataset: {} samples in {} ({:.0f} samples/s this run)\n",
                           writer.done().size(), a.out, progress.rate());
}

TrainData load_train_data(const std::string& dir) {
  const nlohmann::json schema = read_schema(dir);
  const std::string arch = schema.at("arch");
  sim::Accelerator& acc = sim::accelerator(arch);
  const space::JointSpace space = space::JointSpace::load(schema.at("space"), arch, acc.params());
  const Featurizer featurizer(acc.params());
  if (schema.value("featurizer_version", 0) != featurizer.version()) {
    throw InputError({dir + "/schema.json", 0, 0}, "featurizer_version",
                     "dataset written with featurizer v" + schema["featurizer_version"].dump() +
                         ", this build has v" + std::to_string(featurizer.version()));
  }
  const auto samples = read_dataset(dir);
  TrainData d;
  d.n = samples.size();
  d.f = featurizer.size();
  d.feature_names = featurizer.names();
  d.featurizer_version = featurizer.version();
  d.x.reserve(d.n * d.f);
  for (const auto& s : samples) {
    const auto f = featurizer.features(space.nas().decode(s.nas), hw_from_values(acc, s.hw));
    d.x.insert(d.x.end(), f.begin(), f.end());
    d.targets.insert(d.targets.end(),
                     {s.metrics.latency_s, s.metrics.energy_j, s.metrics.area_mm2});
    d.feasible.push_back(s.metrics.feasible ? 1.0f : 0.0f);
  }
  return d;
}

}  // namespace coda::cost
