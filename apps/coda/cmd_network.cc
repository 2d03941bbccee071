// `coda network stats|export|list`.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "core/error.h"
#include "core/report.h"
#include "models/network/onnx_import.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"

namespace coda::app {
namespace {

using network::Layer;
using network::Network;

nlohmann::json shape_json(const network::Shape& s) {
  return {s.c, s.h, s.w};
}

nlohmann::json stats_json(const Network& net) {
  nlohmann::json per_layer = nlohmann::json::array();
  for (auto id : net.layers()) {
    const Layer& l = net.layer(id);
    if (l.op == network::Op::kInput) continue;
    nlohmann::json j = {
        {"name", l.name},
        {"op", network::op_name(l.op)},
        {"inputs", l.inputs},
        {"in_shape", shape_json(l.in_shapes.at(0))},
        {"out_shape", shape_json(l.out_shape)},
        {"params", network::layer_params(l)},
        {"macs", network::layer_macs(l)},
    };
    if (l.op == network::Op::kConv2d || l.op == network::Op::kMaxPool ||
        l.op == network::Op::kAvgPool) {
      j["kernel"] = {l.effective_kernel_h(), l.effective_kernel_w()};
      j["stride"] = {l.stride_h, l.stride_w};
      j["pad"] = {l.effective_pad_h(), l.effective_pad_w()};
    }
    if (l.op == network::Op::kConv2d) j["groups"] = l.effective_groups();
    if (l.activation != network::Activation::kNone) {
      j["activation"] = network::activation_name(l.activation);
    }
    if (l.quant) {
      j["quant"] = {{"w_int", l.quant->w_int},
                    {"w_frac", l.quant->w_frac},
                    {"a_int", l.quant->a_int},
                    {"a_frac", l.quant->a_frac}};
    }
    if (l.compression.any()) {
      j["compression"] = {{"pattern_zeros", l.compression.pattern_zeros},
                          {"patterns", l.compression.patterns},
                          {"channel_cut", l.compression.channel_cut},
                          {"kernel_expand", l.compression.kernel_expand}};
    }
    per_layer.push_back(std::move(j));
  }
  return {{"name", net.name()},         {"input", shape_json(net.input_shape())},
          {"layers", per_layer.size()}, {"params", net.params()},
          {"macs", net.macs()},         {"per_layer", per_layer}};
}

std::string stats_table(const Network& net) {
  std::string out = fmt::format("network {}  input {}\n\n", net.name(), net.input_shape().str());
  out += fmt::format("{:>4}  {:<34} {:<17} {:<15} {:<15} {:>7} {:>12} {:>15}\n", "#", "layer", "op",
                     "in", "out", "k/s", "params", "MACs");
  int i = 0;
  std::size_t count = 0;
  for (auto id : net.layers()) {
    const Layer& l = net.layer(id);
    if (l.op == network::Op::kInput) continue;
    ++count;
    std::string ks;
    if (l.op == network::Op::kConv2d || l.op == network::Op::kMaxPool ||
        l.op == network::Op::kAvgPool) {
      ks = fmt::format("{}/{}",
                       l.effective_kernel_h() == l.effective_kernel_w()
                           ? std::to_string(l.effective_kernel_h())
                           : fmt::format("{}x{}", l.effective_kernel_h(), l.effective_kernel_w()),
                       l.stride_h);
    }
    std::string op = network::op_name(l.op);
    if (l.op == network::Op::kConv2d && l.is_depthwise())
      op = "conv2d(dw)";
    else if (l.op == network::Op::kConv2d && l.groups > 1)
      op = fmt::format("conv2d(g{})", l.groups);
    if (l.activation != network::Activation::kNone) {
      op += std::string("+") + network::activation_name(l.activation);
    }
    std::string name = l.name.size() > 34 ? "…" + l.name.substr(l.name.size() - 33) : l.name;
    out += fmt::format("{:>4}  {:<34} {:<17} {:<15} {:<15} {:>7} {:>12} {:>15}\n", ++i, name, op,
                       l.in_shapes.at(0).str(), l.out_shape.str(), ks,
                       grouped(network::layer_params(l)), grouped(network::layer_macs(l)));
  }
  out += fmt::format("\ntotal: {} layers, {} params, {} MACs ({:.3f} GMACs)\n", count,
                     grouped(net.params()), grouped(net.macs()), net.macs() / 1e9);
  return out;
}

std::string list_table() {
  std::string out = fmt::format("{:<20} {:<48} {}\n", "network", "source", "options (default)");
  for (const auto& e : network::zoo()) {
    std::string opts;
    for (const auto& o : e.options) {
      if (!opts.empty()) opts += ", ";
      opts += o.key + "=" + o.default_value;
    }
    out += fmt::format("{:<20} {:<48} {}\n", e.name, e.source, opts);
  }
  out +=
      "\nName a variant with options, e.g. mobilenet_v2:width=0.75 or "
      "efficientnet_b0:se=false,act=relu\n";
  return out;
}

}  // namespace

void register_network_commands(CLI::App& app) {
  auto* group =
      app.add_subcommand("network", "Inspect, import and export networks (zoo, YAML or ONNX)");
  group->require_subcommand(1);

  struct StatsArgs {
    std::string network;
    std::string json;
  };
  auto stats = std::make_shared<StatsArgs>();
  auto* cmd = group->add_subcommand("stats", "Per-layer shapes, parameters and MACs");
  cmd->add_option("network", stats->network,
                  "zoo name[:key=value,...], network .yaml or model .onnx")
      ->required();
  cmd->add_option("--json", stats->json, "write JSON to FILE ('-' = stdout)");
  cmd->callback([stats] {
    const Network net = network::load_network(stats->network);
    if (!stats->json.empty()) write_json(stats_json(net), stats->json);
    if (stats->json != "-") std::cout << stats_table(net);
  });

  struct ExportArgs {
    std::string network;
    std::string format = "yaml";
    std::string out = "-";
  };
  auto ex = std::make_shared<ExportArgs>();
  auto* exp = group->add_subcommand("export", "Write a network as YAML or Graphviz DOT");
  exp->add_option("network", ex->network, "zoo name[:key=value,...], network .yaml or model .onnx")
      ->required();
  exp->add_option("--format", ex->format, "yaml or dot")
      ->check(CLI::IsMember({"yaml", "dot"}))
      ->capture_default_str();
  exp->add_option("--out,-o", ex->out, "output file ('-' = stdout)")->capture_default_str();
  exp->callback([ex] {
    const Network net = network::load_network(ex->network);
    write_text(ex->format == "dot" ? network::to_dot(net) : network::to_yaml(net), ex->out);
  });

  struct ImportArgs {
    std::string model;
    std::string out = "-";
  };
  auto im = std::make_shared<ImportArgs>();
  auto* imp = group->add_subcommand("import", "Convert an ONNX model to coda's network YAML");
  imp->add_option("model", im->model, "ONNX model (.onnx)")->required();
  imp->add_option("--out,-o", im->out, "output file ('-' = stdout)")->capture_default_str();
  imp->callback([im] {
    const Network net = network::import_onnx(im->model);
    write_text(network::to_yaml(net), im->out);
    if (im->out != "-") {
      std::size_t layers = 0;
      for (auto id : net.layers()) layers += net.layer(id).op != network::Op::kInput;
      std::cout << fmt::format("{}: {} layers, {} parameters, {} MACs -> {}\n", im->model, layers,
                               grouped(net.params()), grouped(net.macs()), im->out);
    }
  });

  auto* list = group->add_subcommand("list", "Name every zoo network and its options");
  list->callback([] { std::cout << list_table(); });
}

}  // namespace coda::app
