#include "models/cost/dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/report.h"
#include "core/text.h"

namespace coda::cost {
namespace fs = std::filesystem;
namespace {

// Format 2 adds the per-layer latencies the layer-level model learns from;
// format 1 datasets (without them) still read.
constexpr const char* kFormat = "coda-dataset/2";
constexpr const char* kFormatV1 = "coda-dataset/1";
constexpr const char* kHeader = "index,status,latency_s,energy_j,area_mm2,nas,hw,reason,layers";
constexpr const char* kHeaderV1 = "index,status,latency_s,energy_j,area_mm2,nas,hw,reason";

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

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// What a row must hold, from the schema: a choice per NAS decision within
// its labels, a value per hardware field, and an index below `samples`.
struct Layout {
  bool v1 = false;  // no layers column
  std::vector<std::size_t> nas_labels;
  std::size_t hw_fields = 0;
  long long samples = 0;
};

Layout layout_of(const nlohmann::json& schema, const std::string& dir) {
  Layout l;
  l.v1 = schema.value("format", "") == kFormatV1;
  try {
    for (const auto& d : schema.at("nas_decisions")) l.nas_labels.push_back(d.at("labels").size());
    l.hw_fields = schema.at("hw_fields").size();
    l.samples = schema.at("samples").get<long long>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError({dir + "/schema.json", 0, 0}, "",
                     std::string("not a coda-dataset schema: ") + e.what());
  }
  return l;
}

// One row: index,status,latency,energy,area,"c c c","v v v","reason".
// Returns the column at fault and why, or nothing when the row is sound.
std::optional<std::pair<std::string, std::string>> parse_row(const std::string& line,
                                                             const Layout& layout, Sample& s) {
  using Fault = std::pair<std::string, std::string>;
  const auto split = csv_split(line);
  if (!split) return Fault{"", "unbalanced quotes"};
  const auto& f = *split;
  const std::size_t columns = layout.v1 ? 8 : 9;
  if (f.size() != columns) {
    return Fault{"", "expected " + std::to_string(columns) + " columns (" +
                         (layout.v1 ? kHeaderV1 : kHeader) + "), found " +
                         std::to_string(f.size())};
  }
  const auto idx = parse_int(f[0]);
  if (!idx || *idx < 0 || *idx >= layout.samples) {
    return Fault{"index", "'" + f[0] + "' is not a sample index in 0.." +
                              std::to_string(layout.samples - 1)};
  }
  if (f[1] != "ok" && f[1] != "infeasible") {
    return Fault{"status", "'" + f[1] + "' is not one of: ok, infeasible"};
  }
  double metric[3];
  const char* names[3] = {"latency_s", "energy_j", "area_mm2"};
  for (int k = 0; k < 3; ++k) {
    const auto v = parse_double(f[2 + k]);
    if (!v || !std::isfinite(*v) || *v < 0) {
      return Fault{names[k], "'" + f[2 + k] + "' is not a finite number >= 0"};
    }
    metric[k] = *v;
  }
  s.index = *idx;
  s.metrics = {f[1] == "ok", f[7], metric[0], metric[1], metric[2]};
  s.nas.clear();
  s.hw.clear();
  for (const auto& word : split_words(f[5])) {
    const auto c = parse_int(word);
    const std::size_t d = s.nas.size();
    if (d >= layout.nas_labels.size()) break;
    if (!c || *c < 0 || *c >= static_cast<long long>(layout.nas_labels[d])) {
      return Fault{"nas", "choice " + std::to_string(d) + " '" + word + "' is not in 0.." +
                              std::to_string(layout.nas_labels[d] - 1)};
    }
    s.nas.push_back(static_cast<int>(*c));
  }
  if (split_words(f[5]).size() != layout.nas_labels.size()) {
    return Fault{"nas", std::to_string(split_words(f[5]).size()) +
                            " choices; the schema's space has " +
                            std::to_string(layout.nas_labels.size()) + " decisions"};
  }
  for (const auto& word : split_words(f[6])) {
    const auto v = parse_double(word);
    if (!v || !std::isfinite(*v)) return Fault{"hw", "'" + word + "' is not a finite number"};
    s.hw.push_back(*v);
  }
  if (s.hw.size() != layout.hw_fields) {
    return Fault{"hw", std::to_string(s.hw.size()) + " values; the schema has " +
                           std::to_string(layout.hw_fields) + " hardware fields"};
  }
  s.layers.clear();
  if (!layout.v1) {
    for (const auto& word : split_words(f[8])) {
      const auto colon = word.find(':');
      const auto pos = colon == std::string::npos ? std::nullopt : parse_int(word.substr(0, colon));
      const auto v =
          colon == std::string::npos ? std::nullopt : parse_double(word.substr(colon + 1));
      if (!pos || *pos < 0 || !v || !std::isfinite(*v) || *v < 0) {
        return Fault{"layers", "'" + word +
                                   "' is not position:latency_s (a layer's position in "
                                   "topological order and its latency >= 0)"};
      }
      s.layers.push_back({static_cast<int>(*pos), *v});
    }
  }
  return std::nullopt;
}

// The rows of one shard, checked. A last line without its newline is a row
// cut short by a kill: `cut` says what to do with it (drop it when resuming,
// else it is an error like any other). `seen` maps each index to where it
// was first read, so duplicates across shards are found too.
std::vector<Sample> read_shard(const std::string& path, const Layout& layout, bool drop_cut,
                               std::map<long long, std::string>& seen, std::string* kept) {
  const std::string text = read_text_file(path, "dataset shard", std::size_t{1} << 30);
  std::vector<Sample> out;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl == std::string::npos ? nl : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line_no == 1) {
      const char* header = layout.v1 ? kHeaderV1 : kHeader;
      if (line != header) {
        throw InputError({path, 1, 0}, "",
                         "the header is not " + std::string(header) + ": not a coda dataset shard");
      }
      continue;
    }
    if (nl == std::string::npos) {
      if (drop_cut) break;
      throw InputError({path, line_no, 0}, "",
                       "the last row is cut short (the dataset job was killed); finish it with "
                       "coda dataset --resume");
    }
    Sample s;
    if (const auto fault = parse_row(line, layout, s)) {
      throw InputError({path, line_no, 0}, fault->first, fault->second);
    }
    const std::string where = fs::path(path).filename().string() + ":" + std::to_string(line_no);
    const auto [it, fresh] = seen.emplace(s.index, where);
    if (!fresh) {
      throw InputError({path, line_no, 0}, "index",
                       "sample " + std::to_string(s.index) + " was already read at " + it->second);
    }
    if (kept) *kept += line + "\n";
    out.push_back(std::move(s));
  }
  return out;
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
  o << "\"," << csv_quote(s.metrics.reason) << ",\"";
  o.precision(6);
  for (std::size_t i = 0; i < s.layers.size(); ++i)
    o << (i ? " " : "") << s.layers[i].first << ":" << s.layers[i].second;
  o << "\"";
  return o.str();
}

DatasetWriter::DatasetWriter(const std::string& dir, const nlohmann::json& schema, bool resume,
                             long long rows_per_shard)
    : dir_(dir), rows_per_shard_(rows_per_shard) {
  const fs::path schema_path = fs::path(dir) / "schema.json";
  nlohmann::json written = schema;
  if (fs::exists(schema_path)) {
    if (!resume)
      throw InputError({dir, 0, 0}, "--out", "holds a dataset; pass --resume to continue it");
    const nlohmann::json old = read_schema(dir);
    for (const char* k : {"format", "arch", "space", "nas_space", "nas_decisions", "hw_fields",
                          "seed", "featurizer_version"}) {
      if (old.value(k, nlohmann::json()) != schema.value(k, nlohmann::json())) {
        throw InputError({schema_path.string(), 0, 0}, k,
                         "differs from this run's (" + old.value(k, nlohmann::json()).dump() +
                             " vs " + schema.value(k, nlohmann::json()).dump() +
                             "); resume with the same settings");
      }
    }
    // Rows already written are checked against the old schema: a shard
    // copied from another dataset is an error, not silently rewritten.
    const Layout layout = layout_of(old, dir);
    std::map<long long, std::string> seen;
    for (const auto& path : shards(dir)) {
      std::string kept = std::string(layout.v1 ? kHeaderV1 : kHeader) + "\n";
      const auto rows = read_shard(path, layout, true, seen, &kept);
      for (const auto& r : rows) done_.insert(r.index);
      // Rewrite the shard so it ends on a full line.
      write_text(kept, path);
      shard_ = std::max(shard_, std::stoi(fs::path(path).stem().string().substr(6)));
      rows_in_shard_ = static_cast<long long>(rows.size());
    }
    written["samples"] = std::max(old.value("samples", 0LL), schema.value("samples", 0LL));
  } else {
    fs::create_directories(dir);
  }
  write_json(written, schema_path.string());
  open_shard();
}

DatasetWriter::~DatasetWriter() = default;

void DatasetWriter::open_shard() {
  const fs::path p = fs::path(dir_) / shard_name(shard_);
  const bool fresh = !fs::exists(p);
  out_ = std::make_unique<AppendFile>(p.string());
  if (fresh) {
    out_->append(std::string(kHeader) + "\n");
    rows_in_shard_ = 0;
  }
}

void DatasetWriter::append(long long index, const std::string& row) {
  if (rows_in_shard_ >= rows_per_shard_) {
    out_->sync();
    ++shard_;
    open_shard();
  }
  out_->append(row + "\n");
  ++rows_in_shard_;
  done_.insert(index);
}

void DatasetWriter::close() {
  out_->sync();
}

std::vector<Sample> read_dataset(const std::string& dir) {
  const Layout layout = layout_of(read_schema(dir), dir);
  std::vector<Sample> out;
  std::map<long long, std::string> seen;
  for (const auto& path : shards(dir)) {
    auto rows = read_shard(path, layout, false, seen, nullptr);
    std::move(rows.begin(), rows.end(), std::back_inserter(out));
  }
  // Workers append rows as they finish, so file order depends on timing;
  // sample order does not, and training (split, batches) sees that.
  std::sort(out.begin(), out.end(),
            [](const Sample& a, const Sample& b) { return a.index < b.index; });
  return out;
}

nlohmann::json read_schema(const std::string& dir) {
  const std::string path = (fs::path(dir) / "schema.json").string();
  if (!fs::exists(path))
    throw InputError({dir, 0, 0}, "--data", "no schema.json: not a coda dataset");
  nlohmann::json schema;
  try {
    schema = nlohmann::json::parse(read_text_file(path, "dataset schema"));
  } catch (const nlohmann::json::exception& e) {
    throw InputError({path, 0, 0}, "", std::string("malformed JSON: ") + e.what());
  }
  const auto format = schema.is_object() ? schema.value("format", nlohmann::json()) : nullptr;
  if (format != kFormat && format != kFormatV1) {
    throw InputError({path, 0, 0}, "format",
                     std::string("is not ") + kFormat + " or " + kFormatV1 +
                         ": not a coda dataset (or from another version)");
  }
  return schema;
}

}  // namespace coda::cost
