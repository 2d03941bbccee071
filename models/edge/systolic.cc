#include "models/edge/systolic.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/files.h"
#include "core/text.h"

namespace coda::edge {
namespace {

// Bounds on a SCALE-Sim topology, so that a mistyped size is an error and not
// an endless run. Each value fits coda's 32-bit layer fields; the MAC bound
// keeps cycle counts within SystemC's 64-bit picosecond clock; a depthwise
// layer expands into one simulated layer per channel.
constexpr long long kMaxTopologyValue = 2147483647;
constexpr double kMaxLayerMacs = 1e15;
constexpr double kMaxLayerWords = 1e11;
constexpr int kMaxDepthwiseChannels = 65536;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

long long ceil_div(long long a, long long b) {
  return (a + b - 1) / b;
}

struct IniValue {
  std::string value;
  int line;
};

// SCALE-Sim's .cfg is Python configparser INI: [sections], `key: value` or
// `key = value`, keys case-insensitive, '#'/';' comments. Boost's INI reader
// takes only '=', so the dialect is read here, keeping line numbers.
std::map<std::string, std::map<std::string, IniValue>> read_ini(const std::string& path) {
  std::istringstream in(read_text_file(path, "SCALE-Sim config"));
  std::map<std::string, std::map<std::string, IniValue>> out;
  std::string section, line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']')
        throw InputError({path, n, 1}, "", "malformed section header '" + t + "'");
      section = lower(trim(t.substr(1, t.size() - 2)));
      continue;
    }
    const auto sep = t.find_first_of(":=");
    if (sep == std::string::npos) {
      throw InputError({path, n, 1}, "", "expected 'key: value' or 'key = value', got '" + t + "'");
    }
    if (section.empty()) throw InputError({path, n, 1}, "", "a key before any [section]");
    out[section][lower(trim(t.substr(0, sep)))] = {trim(t.substr(sep + 1)), n};
  }
  return out;
}

}  // namespace

const char* dataflow_name(Dataflow df) {
  switch (df) {
    case Dataflow::kOs:
      return "os";
    case Dataflow::kWs:
      return "ws";
    case Dataflow::kIs:
      return "is";
  }
  return "?";
}

SystolicConfig load_scalesim_config(const std::string& path) {
  auto ini = read_ini(path);
  auto get = [&](const std::string& section, const std::string& key) -> const IniValue& {
    auto s = ini.find(section);
    if (s == ini.end()) throw InputError({path, 0, 0}, key, "missing section [" + section + "]");
    auto k = s->second.find(lower(key));
    if (k == s->second.end()) throw InputError({path, 0, 0}, key, "missing in [" + section + "]");
    return k->second;
  };
  auto integer = [&](const std::string& section, const std::string& key, long long lo) {
    const IniValue& v = get(section, key);
    const auto x = parse_int(v.value);
    if (!x || *x < lo) {
      throw InputError({path, v.line, 0}, key,
                       "expected an integer >= " + std::to_string(lo) + ", got '" + v.value + "'");
    }
    return *x;
  };
  SystolicConfig c;
  if (ini.count("general") && ini["general"].count("run_name"))
    c.run_name = ini["general"]["run_name"].value;
  const std::string ap = "architecture_presets";
  c.rows = static_cast<int>(integer(ap, "ArrayHeight", 1));
  c.cols = static_cast<int>(integer(ap, "ArrayWidth", 1));
  c.ifmap_sram_kb = static_cast<double>(integer(ap, "IfmapSramSzkB", 1));
  c.filter_sram_kb = static_cast<double>(integer(ap, "FilterSramSzkB", 1));
  c.ofmap_sram_kb = static_cast<double>(integer(ap, "OfmapSramSzkB", 1));
  c.ifmap_offset = integer(ap, "IfmapOffset", 0);
  c.filter_offset = integer(ap, "FilterOffset", 0);
  c.ofmap_offset = integer(ap, "OfmapOffset", 0);
  const IniValue& df = get(ap, "Dataflow");
  const std::string d = lower(df.value);
  if (d == "os") {
    c.dataflow = Dataflow::kOs;
  } else if (d == "ws") {
    c.dataflow = Dataflow::kWs;
  } else if (d == "is") {
    c.dataflow = Dataflow::kIs;
  } else {
    throw InputError({path, df.line, 0}, "Dataflow",
                     "'" + df.value + "' is not allowed; allowed values: os, ws, is");
  }
  const IniValue& bw = get(ap, "Bandwidth");
  c.bandwidth_words_per_cycle.clear();
  for (const auto& piece : split(bw.value, ',')) {
    const auto x = parse_double(trim(piece));
    if (!x || *x <= 0) {
      throw InputError({path, bw.line, 0}, "Bandwidth",
                       "expected positive words per cycle, got '" + bw.value + "'");
    }
    c.bandwidth_words_per_cycle.push_back(*x);
  }
  if (ini[ap].count("memorybanks"))
    c.memory_banks = static_cast<int>(integer(ap, "MemoryBanks", 1));
  const IniValue& mode = get("run_presets", "InterfaceBandwidth");
  const std::string m = lower(mode.value);
  if (m != "calc" && m != "user") {
    throw InputError({path, mode.line, 0}, "InterfaceBandwidth",
                     "'" + mode.value + "' is not allowed; allowed values: CALC, USER");
  }
  c.calc_bandwidth = m == "calc";
  return c;
}

std::vector<SystolicLayer> load_scalesim_topology(const std::string& path, bool gemm) {
  std::istringstream in(read_text_file(path, "SCALE-Sim topology"));
  const std::vector<std::string> conv_cols = {"Layer name",    "IFMAP Height", "IFMAP Width",
                                              "Filter Height", "Filter Width", "Channels",
                                              "Num Filter",    "Strides"};
  const std::vector<std::string> gemm_cols = {"Layer Name", "M", "N", "K"};
  const auto& cols = gemm ? gemm_cols : conv_cols;
  std::vector<SystolicLayer> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) continue;  // header
    auto f = split(line, ',');
    for (auto& x : f) x = trim(x);
    // Rows of empty cells (spreadsheet exports) carry no layer.
    if (std::all_of(f.begin(), f.end(), [](const std::string& x) { return x.empty(); })) continue;
    if (f.size() < cols.size()) {
      throw InputError({path, n, 0}, "",
                       "expected " + std::to_string(cols.size()) + " columns (" + join(cols, ", ") +
                           "), got " + std::to_string(f.size()));
    }
    std::vector<long long> v;
    for (std::size_t c = 1; c < cols.size(); ++c) {
      const auto x = parse_int(f[c]);
      if (!x || *x < 1 || *x > kMaxTopologyValue) {
        throw InputError({path, n, static_cast<int>(c + 1)}, cols[c],
                         "expected a positive integer up to " + std::to_string(kMaxTopologyValue) +
                             ", got '" + f[c] + "'");
      }
      v.push_back(*x);
    }
    // Multiply-accumulates of the layer, in floating point so that no
    // product overflows before it is compared.
    const double macs =
        gemm
            ? static_cast<double>(v[0]) * static_cast<double>(v[1]) * static_cast<double>(v[2])
            : static_cast<double>(v[0]) * static_cast<double>(v[1]) * static_cast<double>(v[2]) *
                  static_cast<double>(v[3]) * static_cast<double>(v[4]) * static_cast<double>(v[5]);
    // Words the layer moves to and from DRAM (IFMAP, filters, OFMAP): the
    // simulation's time grows with them.
    const auto d = [&](std::size_t i) { return static_cast<double>(v[i]); };
    const double words = gemm ? d(0) * d(2) + d(2) * d(1) + d(0) * d(1)
                              : d(0) * d(1) * d(4) + d(2) * d(3) * d(4) * d(5) +
                                    (d(0) / d(6) + 1) * (d(1) / d(6) + 1) * d(5);
    if (macs > kMaxLayerMacs || words > kMaxLayerWords) {
      throw InputError({path, n, 0}, "",
                       "layer '" + f[0] +
                           "' is too large to simulate: at most 10^15 multiply-accumulates and "
                           "10^11 words of IFMAP, filters and OFMAP per layer");
    }
    SystolicLayer l;
    l.name = f[0];
    if (gemm) {
      // SCALE-Sim maps M x K times K x N onto an M x K "image" with a 1 x K filter and N filters.
      l.ifmap_h = static_cast<int>(v[0]);
      l.ifmap_w = static_cast<int>(v[2]);
      l.filter_h = 1;
      l.filter_w = static_cast<int>(v[2]);
      l.channels = 1;
      l.filters = static_cast<int>(v[1]);
      out.push_back(l);
      continue;
    }
    l.ifmap_h = static_cast<int>(v[0]);
    l.ifmap_w = static_cast<int>(v[1]);
    l.filter_h = static_cast<int>(v[2]);
    l.filter_w = static_cast<int>(v[3]);
    l.channels = static_cast<int>(v[4]);
    l.filters = static_cast<int>(v[5]);
    l.stride_h = l.stride_w = static_cast<int>(v[6]);
    if (f.size() > 8) {
      if (const auto sw = parse_int(f[8]); sw && *sw >= 1) l.stride_w = static_cast<int>(*sw);
    }
    if (l.filter_h > l.ifmap_h || l.filter_w > l.ifmap_w) {
      throw InputError({path, n, 4}, "Filter Height", "the filter is larger than the IFMAP");
    }
    if (l.name.find("DP") != std::string::npos) {
      if (l.channels > kMaxDepthwiseChannels) {
        throw InputError({path, n, 6}, "Channels",
                         "a depthwise layer is simulated channel by channel: at most " +
                             std::to_string(kMaxDepthwiseChannels) + ", got " +
                             std::to_string(l.channels));
      }
      // Depthwise: one single-channel layer per channel, as SCALE-Sim expands it.
      const int channels = l.channels;
      for (int c = 0; c < channels; ++c) {
        SystolicLayer d = l;
        d.name = l.name + "Channel_" + std::to_string(c);
        d.channels = 1;
        out.push_back(d);
      }
      continue;
    }
    out.push_back(l);
  }
  if (out.empty()) throw InputError({path, 0, 0}, "", "no layers");
  return out;
}

SystolicCounts systolic_counts(const SystolicLayer& l, const SystolicConfig& cfg) {
  SystolicCounts r;
  const long long ar = cfg.rows, ac = cfg.cols;
  r.ofmap_h = ceil_div(l.ifmap_h - l.filter_h + l.stride_h, l.stride_h);
  r.ofmap_w = ceil_div(l.ifmap_w - l.filter_w + l.stride_w, l.stride_w);
  const long long e = r.ofmap_h * r.ofmap_w;
  const long long window = static_cast<long long>(l.filter_h) * l.filter_w * l.channels;
  const long long m = l.filters;
  // Which operand dimension lies along the array rows (Sr), the columns (Sc)
  // and time (T) for each dataflow.
  switch (cfg.dataflow) {
    case Dataflow::kOs:
      r.sr = e, r.sc = m, r.t = window;
      break;
    case Dataflow::kWs:
      r.sr = window, r.sc = m, r.t = e;
      break;
    case Dataflow::kIs:
      r.sr = window, r.sc = e, r.t = m;
      break;
  }
  r.row_folds = ceil_div(r.sr, ar);
  r.col_folds = ceil_div(r.sc, ac);
  const long long folds = r.row_folds * r.col_folds;
  // Per fold: operands stream in (T), the pipeline fills and drains along
  // both array edges; WS and IS first load the stationary operand (rows).
  const long long per_fold =
      cfg.dataflow == Dataflow::kOs ? r.t + ar + ac - 2 : 2 * ar + ac + r.t - 2;
  r.compute_cycles = folds * per_fold - 1;
  r.macs = e * window * m;
  // SRAM accesses: the streamed operands are read once per fold on the other
  // edge; OS also counts (rows + cols) per fold on the OFMAP side, as
  // SCALE-Sim v2 does.
  switch (cfg.dataflow) {
    case Dataflow::kOs:
      r.ifmap_sram_reads = r.t * r.sr * r.col_folds;
      r.filter_sram_reads = r.t * r.sc * r.row_folds;
      r.ofmap_sram_writes = r.sr * r.sc + folds * (ar + ac);
      break;
    case Dataflow::kWs:
      r.ifmap_sram_reads = e * r.sr * r.col_folds;
      r.filter_sram_reads = r.sr * r.sc;
      r.ofmap_sram_writes = e * r.sc * r.row_folds;
      break;
    case Dataflow::kIs:
      r.ifmap_sram_reads = r.sr * r.sc;
      r.filter_sram_reads = r.sr * m * r.col_folds;
      r.ofmap_sram_writes = r.sc * m * r.row_folds;
      break;
  }
  // Averages over folds of the mapped fraction of the array and of each
  // fold's compute utilisation (SCALE-Sim's per-fold cycle count differs for
  // WS/IS: 2R + 2C + T - 3).
  const long long fold_cycles_for_util =
      cfg.dataflow == Dataflow::kOs ? per_fold : 2 * ar + 2 * ac + r.t - 3;
  // The PEs fold (fr, fc) uses are min(R, Sr - fr R) x min(C, Sc - fc C);
  // summed over all folds they are Sr x Sc, so the averages are closed
  // forms (no loop over folds, which a 10^6 x 10^6 IFMAP makes endless).
  const double used = static_cast<double>(r.sr) * static_cast<double>(r.sc);
  const double pes = static_cast<double>(ar * ac);
  r.mapping_efficiency_pct = 100 * used / pes / static_cast<double>(folds);
  r.compute_util_pct = 100 * used * static_cast<double>(r.t) /
                       (pes * static_cast<double>(fold_cycles_for_util)) /
                       static_cast<double>(folds);
  r.overall_util_pct =
      100.0 * static_cast<double>(r.macs) / (static_cast<double>(r.compute_cycles) * ar * ac);
  r.ifmap_dram_words = static_cast<long long>(l.ifmap_h) * l.ifmap_w * l.channels;
  r.filter_dram_words = window * m;
  r.ofmap_dram_words = e * m;
  return r;
}

}  // namespace coda::edge
