#include "models/cost/lut.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/files.h"
#include "core/report.h"
#include "core/text.h"
#include "models/cost/cost_model.h"
#include "models/space/nas_space.h"
#include "sim/accelerator.h"

namespace coda::cost {
namespace {

std::string key_of(const std::vector<int>& x) {
  std::string k;
  for (int v : x) k += std::to_string(v) + ",";
  return k;
}

// The table's view of a space: per searchable layer its combinations of
// choices and their labels, and the candidate that sets each layer's
// combination.
struct Layout {
  const space::NasSpace& space;
  std::vector<std::vector<std::vector<int>>> combos;  // [layer][combination] -> choices
  std::vector<std::vector<std::string>> labels;       // [layer][combination]

  explicit Layout(const space::NasSpace& s) : space(s) {
    for (std::size_t l = 0; l < s.layer_count(); ++l) {
      combos.push_back(s.layer_combinations(l));
      std::vector<std::string> names;
      for (const auto& c : combos.back()) {
        std::vector<std::string> parts;
        const auto& ds = s.layer_decisions(l);
        for (std::size_t k = 0; k < ds.size(); ++k)
          parts.push_back(s.decisions()[ds[k]].label(c[k]));
        names.push_back(parts.empty() ? "fixed" : join(parts, "+"));
      }
      labels.push_back(names);
    }
  }
  std::vector<int> choices(const std::vector<int>& per_layer) const {
    std::vector<int> x(space.decisions().size(), 0);
    for (std::size_t l = 0; l < per_layer.size(); ++l) {
      const auto& ds = space.layer_decisions(l);
      const auto& c = combos[l][static_cast<std::size_t>(per_layer[l])];
      for (std::size_t k = 0; k < ds.size(); ++k) x[ds[k]] = c[k];
    }
    return x;
  }
  // The combination labelled `label` at every layer that has it, `fallback`
  // elsewhere.
  std::vector<int> uniform(const std::string& label, int fallback) const {
    std::vector<int> out;
    for (const auto& names : labels) {
      const auto it = std::find(names.begin(), names.end(), label);
      out.push_back(it == names.end() ? fallback : static_cast<int>(it - names.begin()));
    }
    return out;
  }
};

// Measures candidates (full networks or parts) on the black box, once each.
class Bench {
 public:
  Bench(CostModel& model, const ParamSet& hw, int workers)
      : model_(model), hw_(hw), workers_(workers) {}
  void want(const std::string& key, network::Network net) {
    if (latency_.count(key) || pending_keys_.count(key)) return;
    pending_keys_.insert(key);
    pending_.emplace_back(key, std::move(net));
  }
  void run() {
    Progress progress(static_cast<long long>(pending_.size()), 0);
    const std::size_t chunk = 256;
    for (std::size_t i = 0; i < pending_.size(); i += chunk) {
      std::vector<Query> q;
      std::vector<std::size_t> idx;
      for (std::size_t j = i; j < std::min(pending_.size(), i + chunk); ++j) {
        // A part with no layers (a skipped block) costs nothing.
        if (pending_[j].second.size() <= 1) {
          latency_[pending_[j].first] = 0;
          progress.tick();
          continue;
        }
        q.push_back({&pending_[j].second, &hw_});
        idx.push_back(j);
      }
      const auto ms = evaluate_in_workers(model_, q, workers_);
      for (std::size_t k = 0; k < ms.size(); ++k) {
        const auto& [key, net] = pending_[idx[k]];
        if (!ms[k].feasible) {
          throw InputError({}, "space",
                           "the black box cannot run '" + net.name() + "': " + ms[k].reason);
        }
        latency_[key] = ms[k].latency_s;
        progress.tick();
      }
      simulated_ += static_cast<long long>(ms.size());
    }
    pending_.clear();
    pending_keys_.clear();
  }
  double at(const std::string& key) const { return latency_.at(key); }
  long long simulated() const { return simulated_; }

 private:
  CostModel& model_;
  const ParamSet& hw_;
  int workers_;
  std::map<std::string, double> latency_;
  std::vector<std::pair<std::string, network::Network>> pending_;
  std::set<std::string> pending_keys_;
  long long simulated_ = 0;
};

// Eq. 7 around the specified network `sn` (combinations per layer): the
// entry of combination c at layer l is L_BN(c, l) - L_SN + L_alone(sn_l, l),
// and the fixed parts take L_SN minus the SN's blocks alone.
std::pair<std::vector<std::vector<double>>, double> corrected(
    const Layout& lay, const Bench& bench, const std::vector<int>& sn,
    const std::vector<std::vector<double>>& alone) {
  const double l_sn = bench.at(key_of(lay.choices(sn)));
  std::vector<std::vector<double>> blocks(lay.combos.size());
  double rest = l_sn;
  for (std::size_t l = 0; l < lay.combos.size(); ++l) {
    const double sn_alone = alone[l][static_cast<std::size_t>(sn[l])];
    rest -= sn_alone;
    for (std::size_t c = 0; c < lay.combos[l].size(); ++c) {
      auto x = sn;
      x[l] = static_cast<int>(c);
      blocks[l].push_back(bench.at(key_of(lay.choices(x))) - l_sn + sn_alone);
    }
  }
  return {blocks, rest};
}

void want_base_networks(const Layout& lay, Bench& bench, const std::vector<int>& sn) {
  for (std::size_t l = 0; l < lay.combos.size(); ++l) {
    for (std::size_t c = 0; c < lay.combos[l].size(); ++c) {
      auto x = sn;
      x[l] = static_cast<int>(c);
      const auto choices = lay.choices(x);
      bench.want(key_of(choices), lay.space.decode(choices));
    }
  }
}

}  // namespace

LutCorrection lut_correction(const std::string& name) {
  if (name == "none") return LutCorrection::kNone;
  if (name == "supernet") return LutCorrection::kSupernet;
  if (name == "single_path") return LutCorrection::kSinglePath;
  throw InputError({}, "correction",
                   "unknown correction '" + name + "'; allowed: none, supernet, single_path");
}

std::string block_signature(const network::Network& net, const std::string& layer) {
  std::string sig;
  for (auto id : net.layers()) {
    const network::Layer& l = net.layer(id);
    if (l.name != layer && l.name.rfind(layer + ".", 0) != 0) continue;
    sig += fmt::format("{}|{}|{}x{}/{}|g{}|{};", l.name.substr(layer.size()),
                       network::op_name(l.op), l.effective_kernel_h(), l.effective_kernel_w(),
                       l.stride_h, l.effective_groups(), l.out_shape.str());
  }
  return sig;
}

nlohmann::json build_lut(const LutBuildJob& job) {
  const ParamSet hw = sim::load_hw(sim::accelerator(job.arch), job.hw, {});
  return build_lut(job, hw);
}

nlohmann::json build_lut(const LutBuildJob& job, const ParamSet& hw) {
  const auto start = std::chrono::steady_clock::now();
  check_output_file(job.out, "--out");
  sim::Accelerator& acc = sim::accelerator(job.arch);
  space::NasSpace space = space::NasSpace::open(job.space);
  if (job.input > 0 || job.classes > 0) {
    space = space.with_input(job.input > 0 ? job.input : space.input(),
                             job.classes > 0 ? job.classes : space.classes());
  }
  auto model = make_cost_model(job.cost_model, job.arch);
  const Layout lay(space);
  const std::size_t nl = lay.combos.size();

  std::vector<int> sn(nl, 0);
  if (!job.specified.empty()) {
    sn = lay.uniform(job.specified, -1);
    for (std::size_t l = 0; l < nl; ++l) {
      if (sn[l] < 0) {
        throw InputError({}, "specified",
                         "layer " + space.layer_name(l) + " has no choice '" + job.specified +
                             "'; its choices: " + join(lay.labels[l], ", "));
      }
    }
  }
  // The single-path contexts: one specified network per block label.
  std::vector<std::string> kinds;
  for (const auto& names : lay.labels) {
    for (const auto& n : names) {
      if (std::find(kinds.begin(), kinds.end(), n) == kinds.end()) kinds.push_back(n);
    }
  }
  std::vector<std::vector<int>> contexts;
  for (const auto& k : kinds) contexts.push_back(lay.uniform(k, 0));

  Bench bench(*model, hw, job.workers);
  // Every block alone (its input shape is the same in every candidate of
  // these spaces; it is read off the specified network), stem and tail.
  const auto sn_parts = space.parts(lay.choices(sn));
  bench.want("stem", sn_parts.front().net);
  bench.want("tail", sn_parts.back().net);
  for (std::size_t l = 0; l < nl; ++l) {
    for (std::size_t c = 0; c < lay.combos[l].size(); ++c) {
      auto x = sn;
      x[l] = static_cast<int>(c);
      bench.want(fmt::format("alone:{}:{}", l, c), space.parts(lay.choices(x))[l + 1].net);
    }
  }
  want_base_networks(lay, bench, sn);
  for (const auto& ctx : contexts) want_base_networks(lay, bench, ctx);
  std::cerr << fmt::format("lut: {} layers, {} block kinds; measuring on {} {}\n", nl, kinds.size(),
                           job.arch, job.cost_model);
  bench.run();

  std::vector<std::vector<double>> alone(nl);
  for (std::size_t l = 0; l < nl; ++l) {
    for (std::size_t c = 0; c < lay.combos[l].size(); ++c) {
      alone[l].push_back(bench.at(fmt::format("alone:{}:{}", l, c)));
    }
  }
  const auto [supernet, supernet_rest] = corrected(lay, bench, sn, alone);
  nlohmann::json single = nlohmann::json::array();
  for (std::size_t k = 0; k < contexts.size(); ++k) {
    const auto [blocks, rest] = corrected(lay, bench, contexts[k], alone);
    single.push_back(
        {{"kind", kinds[k]}, {"sn", contexts[k]}, {"blocks", blocks}, {"rest_s", rest}});
  }
  nlohmann::json layers = nlohmann::json::array();
  for (std::size_t l = 0; l < nl; ++l) {
    nlohmann::json sigs = nlohmann::json::array();
    nlohmann::json ctx = nlohmann::json::array();
    for (std::size_t c = 0; c < lay.combos[l].size(); ++c) {
      auto x = sn;
      x[l] = static_cast<int>(c);
      sigs.push_back(block_signature(space.decode(lay.choices(x)), space.layer_name(l)));
      ctx.push_back(std::find(kinds.begin(), kinds.end(), lay.labels[l][c]) - kinds.begin());
    }
    layers.push_back({{"name", space.layer_name(l)},
                      {"labels", lay.labels[l]},
                      {"signatures", sigs},
                      {"context", ctx},
                      {"alone_s", alone[l]},
                      {"supernet_s", supernet[l]}});
  }
  const double stem_tail = bench.at("stem") + bench.at("tail");
  nlohmann::json hw_json = nlohmann::json::object();
  for (const auto& d : acc.params()) hw_json[d.name] = hw.text(d.name);
  const nlohmann::json lut = {{"format", "coda-lut/1"},
                              {"arch", job.arch},
                              {"hw", hw_json},
                              {"hw_key", hw.key()},
                              {"black_box", job.cost_model},
                              {"space", space.name()},
                              {"input", space.input()},
                              {"classes", space.classes()},
                              {"specified", sn},
                              {"layers", layers},
                              {"plain_rest_s", stem_tail},
                              {"supernet_rest_s", supernet_rest},
                              {"single_path", single}};
  write_text(lut.dump(1) + "\n", job.out);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {{"space", space.name()},         {"layers", nl},       {"block_kinds", kinds.size()},
          {"measured", bench.simulated()}, {"seconds", seconds}, {"out", job.out}};
}

LatencyLut LatencyLut::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "lut", "cannot open the look-up table");
  nlohmann::json j;
  try {
    in >> j;
    if (j.value("format", "") != "coda-lut/1") {
      throw InputError({path, 0, 0}, "format",
                       "not a coda look-up table (coda lut build writes one)");
    }
    LatencyLut t;
    t.arch_ = j.at("arch");
    t.hw_key_ = j.at("hw_key");
    t.space_name_ = j.at("space");
    t.plain_rest_ = j.at("plain_rest_s");
    t.supernet_rest_ = j.at("supernet_rest_s");
    for (const auto& l : j.at("layers")) {
      Layer layer;
      layer.name = l.at("name");
      layer.labels = l.at("labels").get<std::vector<std::string>>();
      const auto sigs = l.at("signatures").get<std::vector<std::string>>();
      for (std::size_t c = 0; c < sigs.size(); ++c)
        layer.signatures.emplace(sigs[c], static_cast<int>(c));
      layer.plain = l.at("alone_s").get<std::vector<double>>();
      layer.supernet = l.at("supernet_s").get<std::vector<double>>();
      layer.context = l.at("context").get<std::vector<int>>();
      t.layers_.push_back(std::move(layer));
    }
    for (const auto& ctx : j.at("single_path")) {
      t.single_path_.push_back(ctx.at("blocks").get<std::vector<std::vector<double>>>());
      t.single_path_rest_.push_back(ctx.at("rest_s"));
    }
    return t;
  } catch (const nlohmann::json::exception& e) {
    throw InputError({path, 0, 0}, "lut", std::string("corrupt look-up table: ") + e.what());
  }
}

double LatencyLut::latency_s(const std::vector<int>& combos, LutCorrection c) const {
  const std::size_t nl = layers_.size();
  double total = 0;
  switch (c) {
    case LutCorrection::kNone:
      total = plain_rest_;
      for (std::size_t l = 0; l < nl; ++l)
        total += layers_[l].plain[static_cast<std::size_t>(combos[l])];
      return total;
    case LutCorrection::kSupernet:
      total = supernet_rest_;
      for (std::size_t l = 0; l < nl; ++l) {
        total += layers_[l].supernet[static_cast<std::size_t>(combos[l])];
      }
      return total;
    case LutCorrection::kSinglePath: {
      // Eq. 8: each block averaged over the contexts of the child's L blocks,
      // and the fixed parts likewise.
      for (std::size_t lp = 0; lp < nl; ++lp) {
        const auto k =
            static_cast<std::size_t>(layers_[lp].context[static_cast<std::size_t>(combos[lp])]);
        const auto& table = single_path_[k];
        total += single_path_rest_[k];
        for (std::size_t l = 0; l < nl; ++l) total += table[l][static_cast<std::size_t>(combos[l])];
      }
      return nl ? total / static_cast<double>(nl) : plain_rest_;
    }
  }
  return total;
}

std::vector<int> LatencyLut::recognise(const network::Network& net) const {
  std::vector<int> combos;
  for (const Layer& l : layers_) {
    const std::string sig = block_signature(net, l.name);
    const auto it = l.signatures.find(sig);
    if (it == l.signatures.end()) {
      throw InputError({}, "lut",
                       "network '" + net.name() + "' is not a candidate of the table's space " +
                           space_name_ + ": its layer " + l.name + " is none of " +
                           join(l.labels, ", "));
    }
    combos.push_back(it->second);
  }
  return combos;
}

namespace {

// lut:FILE reads a table; plain `lut` builds one for its `space` on the
// hardware of its first query, cached under cache_dir("lut") by everything
// that changes it.
class LutCostModel : public CostModel {
 public:
  LutCostModel(const CostModelContext& c)
      : arch_(c.arch),
        path_(c.arg),
        options_(c.options),
        correction_(lut_correction(c.options.text("correction"))) {
    if (!path_.empty()) {
      lut_ = LatencyLut::load(path_);
      check_arch();
    } else if (options_.text("space").empty()) {
      throw InputError(options_.where("space"), "cost_model",
                       "lut needs a table (lut:<lut.json>, from coda lut build) or a `space` "
                       "to build one for: cost_model_training: {space: NAME}");
    }
  }
  std::string name() const override { return "lut"; }
  std::string source() const override {
    return "lut:" + path_ + " (" + options_.text("correction") + ")";
  }
  bool prefers_one_batch() const override { return true; }
  std::vector<Metrics> evaluate(const std::vector<Query>& batch) override {
    std::vector<Metrics> out;
    for (const auto& q : batch) {
      if (!lut_) build(*q.hw);
      if (q.hw->key() != lut_->hw_key()) {
        throw InputError({path_, 0, 0}, "hw",
                         "the look-up table was measured on " + lut_->hw_key() +
                             "; this query's hardware is " + q.hw->key());
      }
      Metrics m;
      m.latency_s = lut_->latency_s(lut_->recognise(*q.net), correction_);
      out.push_back(m);
    }
    return out;
  }

 private:
  void check_arch() const {
    if (lut_->arch() != arch_) {
      throw InputError(
          {path_, 0, 0}, "arch",
          "the look-up table was measured on '" + lut_->arch() + "', not '" + arch_ + "'");
    }
  }
  void build(const ParamSet& hw) {
    LutBuildJob job;
    job.arch = arch_;
    job.space = options_.text("space");
    job.specified = options_.text("specified");
    job.workers = static_cast<int>(options_.integer("workers"));
    const space::NasSpace space = space::NasSpace::open(job.space);
    const std::uint64_t h = fnv1a64(fmt::format("{}|{}|{}|{}|{}", CODA_VERSION, arch_, hw.key(),
                                                space.to_yaml(), job.specified));
    path_ = fmt::format("{}/{}-{:016x}.json", cache_dir("lut"), arch_, h);
    job.out = path_;
    if (!std::filesystem::exists(path_)) {
      std::filesystem::create_directories(cache_dir("lut"));
      const auto summary = build_lut(job, hw);
      std::cerr << fmt::format("lut: {} networks measured in {:.1f} s -> {}\n",
                               summary["measured"].get<long long>(),
                               summary["seconds"].get<double>(), path_);
    } else {
      std::cerr << "lut: reusing the look-up table " << path_ << "\n";
    }
    lut_ = LatencyLut::load(path_);
    check_arch();
  }

  std::string arch_, path_;
  Options options_;
  LutCorrection correction_;
  std::optional<LatencyLut> lut_;
};

}  // namespace

void register_lut_cost_model() {
  cost_models().add(
      {"lut",
       "a latency look-up table from `coda lut build` (Zeng et al. §III-C): lut:FILE, plain or "
       "with the layer-adaptive correction",
       {OptionDecl::choice("correction", "single_path", {"none", "supernet", "single_path"},
                           "none: blocks measured alone (FBNet's LUT); supernet: eq. 7 around "
                           "the specified network; single_path: eq. 8"),
        OptionDecl::text("space", "",
                         "plain lut: the NAS space (a name or a file) to build a table for, on "
                         "the hardware of the first query (cached)"),
        OptionDecl::text("specified", "", "plain lut: eq. 7's specified network, a block label"),
        OptionDecl::integer("workers", 1, 1, 256, "plain lut: worker processes for building")},
       [](const CostModelContext& c) -> std::unique_ptr<CostModel> {
         return std::make_unique<LutCostModel>(c);
       }});
}

}  // namespace coda::cost
