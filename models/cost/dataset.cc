#include "models/cost/dataset.h"

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/text.h"

namespace coda::cost {
namespace fs = std::filesystem;
namespace {

constexpr const char* kHeader = "index,status,latency_s,energy_j,area_mm2,nas,hw,reason";

std::string shard_name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%05d.csv", i);
  return buf;
}

std::vector<std::string> shards(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("shard-", 0) == 0 && e.path().extension() == ".csv")
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One row: index,status,latency,energy,area,"c c c","v v v","reason".
bool parse_row(const std::string& line, Sample& s) {
  const auto split = csv_split(line);
  if (!split || split->size() != 8) return false;
  const auto& f = *split;
  const auto idx = parse_int(f[0]);
  const auto lat = parse_double(f[2]), en = parse_double(f[3]), ar = parse_double(f[4]);
  if (!idx || !lat || !en || !ar || (f[1] != "ok" && f[1] != "infeasible")) return false;
  s.index = *idx;
  s.metrics = {f[1] == "ok", f[7], *lat, *en, *ar};
  s.nas.clear();
  s.hw.clear();
  std::istringstream n(f[5]), h(f[6]);
  for (int v; n >> v;) s.nas.push_back(v);
  for (double v; h >> v;) s.hw.push_back(v);
  return true;
}

}  // namespace

std::string sample_to_csv(const Sample& s) {
  std::ostringstream o;
  o.precision(10);
  o << s.index << "," << (s.metrics.feasible ? "ok" : "infeasible") << "," << s.metrics.latency_s
    << "," << s.metrics.energy_j << "," << s.metrics.area_mm2 << ",\"";
  for (std::size_t i = 0; i < s.nas.size(); ++i) o << (i ? " " : "") << s.nas[i];
  o << "\",\"";
  for (std::size_t i = 0; i < s.hw.size(); ++i) o << (i ? " " : "") << s.hw[i];
  o << "\"," << csv_quote(s.metrics.reason);
  return o.str();
}

DatasetWriter::DatasetWriter(const std::string& dir, const nlohmann::json& schema, bool resume,
                             long long rows_per_shard)
    : dir_(dir), rows_per_shard_(rows_per_shard) {
  const fs::path schema_path = fs::path(dir) / "schema.json";
  if (fs::exists(schema_path)) {
    if (!resume)
      throw InputError({dir, 0, 0}, "--out", "holds a dataset; pass --resume to continue it");
    const nlohmann::json old = read_schema(dir);
    for (const char* k : {"arch", "space", "seed", "featurizer_version"}) {
      if (old.value(k, nlohmann::json()) != schema.value(k, nlohmann::json())) {
        throw InputError({schema_path.string(), 0, 0}, k,
                         "differs from this run's (" + old.value(k, nlohmann::json()).dump() +
                             " vs " + schema.value(k, nlohmann::json()).dump() +
                             "); resume with the same settings");
      }
    }
    // Keep complete rows only; rewrite each shard so it ends on a full line.
    for (const auto& path : shards(dir)) {
      std::ifstream in(path);
      std::string line, kept = std::string(kHeader) + "\n";
      long long rows = 0;
      std::getline(in, line);
      while (std::getline(in, line)) {
        Sample s;
        if (!parse_row(line, s) || !done_.insert(s.index).second) continue;
        kept += line + "\n";
        ++rows;
      }
      in.close();
      std::ofstream(path, std::ios::trunc) << kept;
      shard_ = std::max(shard_, std::stoi(fs::path(path).stem().string().substr(6)));
      rows_in_shard_ = rows;
    }
  } else {
    fs::create_directories(dir);
    std::ofstream(schema_path) << schema.dump(1) << "\n";
  }
  open_shard();
}

DatasetWriter::~DatasetWriter() {
  if (out_) std::fclose(out_);
}

void DatasetWriter::open_shard() {
  if (out_) std::fclose(out_);
  const fs::path p = fs::path(dir_) / shard_name(shard_);
  const bool fresh = !fs::exists(p);
  out_ = std::fopen(p.string().c_str(), "a");
  if (!out_) throw InputError({p.string(), 0, 0}, "--out", "cannot append");
  if (fresh) {
    std::fprintf(out_, "%s\n", kHeader);
    rows_in_shard_ = 0;
  }
}

void DatasetWriter::append(long long index, const std::string& row) {
  if (rows_in_shard_ >= rows_per_shard_) {
    ++shard_;
    open_shard();
  }
  std::fprintf(out_, "%s\n", row.c_str());
  std::fflush(out_);
  ++rows_in_shard_;
  done_.insert(index);
}

std::vector<Sample> read_dataset(const std::string& dir) {
  std::vector<Sample> out;
  for (const auto& path : shards(dir)) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      Sample s;
      if (parse_row(line, s)) out.push_back(std::move(s));
    }
  }
  // Workers append rows as they finish, so file order depends on timing;
  // sample order does not, and training (split, batches) sees that.
  std::sort(out.begin(), out.end(),
            [](const Sample& a, const Sample& b) { return a.index < b.index; });
  return out;
}

nlohmann::json read_schema(const std::string& dir) {
  std::ifstream in((fs::path(dir) / "schema.json").string());
  if (!in) throw InputError({dir, 0, 0}, "--data", "no schema.json: not a coda dataset");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError({dir + "/schema.json", 0, 0}, "", std::string("malformed JSON: ") + e.what());
  }
}

}  // namespace coda::cost
