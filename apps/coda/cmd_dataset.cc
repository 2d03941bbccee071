// `coda dataset`: samples a joint space, simulates every sample (infeasible
// ones kept with their reason) and appends them to dataset shards; a killed
// run continues with --resume and ends with exactly the uninterrupted run's
// samples.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "apps/coda/jobs.h"
#include "apps/coda/report.h"
#include "core/cluster.h"
#include "core/worker_pool.h"
#include "models/cost/dataset.h"
#include "models/cost/featurizer.h"
#include "search/joint_space.h"

namespace coda::app {

void run_dataset_job(const DatasetJob& a) {
  sim::Accelerator& acc = sim::accelerator(a.arch);
  const search::JointSpace space = search::JointSpace::load(a.space, a.arch, acc.params());
  const cost::Featurizer featurizer(acc.params());
  nlohmann::json decisions = nlohmann::json::array();
  for (const auto& d : space.nas().decisions())
    decisions.push_back({{"name", d.name}, {"values", d.values}});
  nlohmann::json hw_fields = nlohmann::json::array();
  for (const auto& d : acc.params()) hw_fields.push_back(d.name);
  const nlohmann::json schema = {
      {"format", "coda-dataset/1"},
      {"coda_version", CODA_VERSION},
      {"simulator", std::string("coda ") + CODA_VERSION + " SystemC " + a.arch},
      {"arch", a.arch},
      {"space", std::filesystem::absolute(a.space).string()},
      {"nas_space", space.nas().name()},
      {"nas_decisions", decisions},
      {"hw_fields", hw_fields},
      {"seed", a.seed},
      {"featurizer_version", featurizer.version()},
      {"feature_names", featurizer.names()},
      {"columns",
       {"index", "status", "latency_s", "energy_j", "area_mm2", "nas", "hw", "reason"}},
  };
  // Under mpirun, ranks other than 0 only simulate what rank 0 hands them.
  const auto work = [&](long long i) {
    const search::JointSample js = space.sample(a.seed, i);
    const network::Network net = space.nas().decode(js.nas);
    const ParamSet hw = space.hw().point(js.hw_point);
    const sim::SimResult r = acc.simulate(net, hw, {});
    cost::Sample s;
    s.index = i;
    s.nas = js.nas;
    for (const auto& d : acc.params()) s.hw.push_back(hw.get(d.name));
    s.metrics = {r.feasible, r.reason, r.latency_s, r.energy_j, r.area_mm2};
    return cost::sample_to_csv(s);
  };
  if (cluster::active() && cluster::rank() != 0) {
    cluster::run({}, work, nullptr);
    return;
  }
  cost::DatasetWriter writer(a.out, schema, a.resume);
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
  std::cout << fmt::format("dataset: {} samples in {} ({:.0f} samples/s this run)\n",
                           writer.done().size(), a.out, progress.rate());
}

void register_dataset_command(CLI::App& app) {
  auto a = std::make_shared<DatasetJob>();
  auto* cmd =
      app.add_subcommand("dataset", "Simulate samples of a joint space into a cost-model dataset");
  cmd->add_option("--arch", a->arch, "accelerator family")->required();
  cmd->add_option("--space", a->space, "joint space YAML (NAS space x hardware space)")->required();
  cmd->add_option("--samples", a->samples, "number of samples")
      ->required()
      ->check(CLI::Range(1LL, 100000000LL));
  cmd->add_option("--out", a->out, "dataset directory (shards + schema.json)")->required();
  cmd->add_option("--workers", a->workers, "worker processes")->check(CLI::Range(1, 256));
  cmd->add_option("--seed", a->seed, "sampling seed")->capture_default_str();
  cmd->add_flag("--resume", a->resume, "continue an interrupted dataset in --out");
  cmd->callback([a] { run_dataset_job(*a); });
}

}  // namespace coda::app
