// Cost-model datasets: append-only CSV shards of samples (the candidate's
// NAS choices and hardware fields, the simulated metrics, infeasible
// samples included with their reason, and each layer group's simulated
// latency) plus schema.json. Features are
// recomputed on load by the featurizer whose version and names the schema
// records, which keeps shards small.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "models/cost/cost_model.h"

namespace coda::cost {

struct Sample {
  long long index = 0;
  std::vector<int> nas;
  std::vector<double> hw;  // in the family's declaration order
  Metrics metrics;
  // (position in the network's topological order, latency_s) of every layer
  // group the simulator reports with a latency; empty when infeasible.
  std::vector<std::pair<int, double>> layers;
};

std::string sample_to_csv(const Sample& s);

class DatasetWriter {
 public:
  // Opens `dir` for appending. With `resume`, an existing dataset must carry
  // the same schema and sound rows; a row cut short by a kill is dropped.
  // Without it, an existing dataset is an InputError. `schema` must carry
  // nas_decisions, hw_fields and samples (the index bound).
  DatasetWriter(const std::string& dir, const nlohmann::json& schema, bool resume,
                long long rows_per_shard = 50000);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  const std::set<long long>& done() const { return done_; }
  // Appends one row (already formatted by sample_to_csv); a failed write
  // is an InputError naming the shard.
  void append(long long index, const std::string& row);
  // Forces the open shard to the disk (the end of a job).
  void close();

 private:
  void open_shard();
  std::string dir_;
  long long rows_per_shard_;
  std::set<long long> done_;
  int shard_ = 0;
  long long rows_in_shard_ = 0;
  std::unique_ptr<AppendFile> out_;
};

// Every row of every shard, in sample-index order. Each row is checked
// against the schema (column count, finite metrics, choices within the
// space, an index below `samples`, no index twice); a fault is an
// InputError naming the shard, line and column.
std::vector<Sample> read_dataset(const std::string& dir);
nlohmann::json read_schema(const std::string& dir);

}  // namespace coda::cost
