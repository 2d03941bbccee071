// Cost-model datasets: append-only CSV shards of samples (the candidate's
// NAS choices and hardware fields, and the simulated metrics, infeasible
// samples included with their reason) plus schema.json. Features are
// recomputed on load by the featurizer whose version and names the schema
// records, which keeps shards small.
#pragma once

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cost/cost_model.h"

namespace coda::cost {

struct Sample {
  long long index = 0;
  std::vector<int> nas;
  std::vector<double> hw;  // in the family's declaration order
  Metrics metrics;
};

std::string sample_to_csv(const Sample& s);

class DatasetWriter {
 public:
  // Opens `dir` for appending. With `resume`, an existing dataset must carry
  // the same schema; rows cut short by a kill are dropped. Without it, an
  // existing dataset is an InputError.
  DatasetWriter(const std::string& dir, const nlohmann::json& schema, bool resume,
                long long rows_per_shard = 50000);
  ~DatasetWriter();
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  const std::set<long long>& done() const { return done_; }
  // Appends one row (already formatted by sample_to_csv) and flushes it.
  void append(long long index, const std::string& row);

 private:
  void open_shard();
  std::string dir_;
  long long rows_per_shard_;
  std::set<long long> done_;
  int shard_ = 0;
  long long rows_in_shard_ = 0;
  std::FILE* out_ = nullptr;
};

// Every complete row of every shard, in sample-index order.
std::vector<Sample> read_dataset(const std::string& dir);
nlohmann::json read_schema(const std::string& dir);

}  // namespace coda::cost
