// `coda accuracy`: one accuracy signal for one network from any registered
// evaluator. Its option flags come from the evaluators' declarations (an
// option `test_subset` is the flag --test-subset), so the command and an
// experiment's `accuracy:` section take the same options.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "apps/coda/commands.h"
#include "core/report.h"
#include "core/text.h"
#include "models/accuracy/accuracy.h"
#include "models/network/zoo.h"

namespace coda::app {
namespace {

std::string flag_of(const std::string& option) {
  std::string f = option;
  for (auto& c : f) c = c == '_' ? '-' : c;
  return "--" + f;
}

}  // namespace

void register_accuracy_command(CLI::App& app) {
  struct Args {
    std::string network, evaluator = "train", json;
    bool no_cache = false;
    std::map<std::string, std::string> given;  // option -> text
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("accuracy", "Accuracy of a network from an accuracy evaluator");
  cmd->add_option("--network", a->network, "zoo name[:options] or network YAML")->required();
  const auto& registry = accuracy::evaluators();
  cmd->add_option("--evaluator", a->evaluator, join(registry.names(), " | "))
      ->capture_default_str();
  // One flag per option name; its help lists each evaluator's default.
  std::map<std::string, std::pair<const OptionDecl*, std::vector<std::string>>> options;
  for (const auto& name : registry.names()) {
    for (const auto& d : registry.info(name).options) {
      auto& o = options[d.name];
      if (!o.first) o.first = &d;
      o.second.push_back(name + ": " + d.default_text());
    }
  }
  for (const auto& [name, o] : options) {
    const std::string option = name;
    cmd->add_option_function<std::string>(
        flag_of(name), [a, option](const std::string& v) { a->given[option] = v; },
        o.first->description + "; " + o.first->allowed() + " (default " + join(o.second, ", ") +
            ")");
  }
  cmd->add_flag("--no-cache", a->no_cache, "neither read nor write the result cache");
  cmd->add_option("--json", a->json, "write the result as JSON (- for stdout)");
  cmd->callback([a] {
    const auto& entry = accuracy::evaluators().at(a->evaluator, {"--evaluator", 0, 0});
    Options o(entry.options, "accuracy evaluator " + entry.name);
    for (const auto& [name, text] : a->given) {
      if (!o.declares(name)) {
        std::vector<std::string> flags;
        for (const auto& d : entry.options) flags.push_back(flag_of(d.name));
        throw InputError({flag_of(name), 0, 0}, name,
                         "not an option of evaluator " + entry.name + "; its options: " +
                             (flags.empty() ? std::string("none") : join(flags, ", ")));
      }
      o.set_text(name, text, {flag_of(name), 0, 0});
    }
    if (a->no_cache && o.declares("cache")) o.set_text("cache", "-", {"--no-cache", 0, 0});
    const network::Network net = network::load_network(a->network);
    auto ev = accuracy::evaluators().make(entry.name, o);
    const accuracy::Result r = ev->evaluate(net);
    nlohmann::json j = r.to_json();
    j["network"] = net.name();
    if (!a->json.empty()) write_json(j, a->json);
    if (a->json != "-") {
      std::cout << fmt::format("{:<12} {}\n{:<12} {}\n{:<12} {}\n{:<12} {:.2f}%\n", "network",
                               net.name(), "evaluator", r.evaluator, "dataset", r.dataset,
                               "accuracy", 100 * r.accuracy);
      if (r.score) std::cout << fmt::format("{:<12} {:.6g}\n", "score", *r.score);
      if (!r.source.empty()) std::cout << fmt::format("{:<12} {}\n", "source", r.source);
      if (r.evaluator == "train") {
        std::cout << fmt::format("{:<12} {} ({} images, {} test)\n", "epochs", r.epochs,
                                 r.extra.value("train_images", 0LL),
                                 r.extra.value("test_images", 0LL));
      }
      std::cout << fmt::format("{:<12} {:.2f}{}\n", "seconds", r.seconds,
                               r.cached ? " (cached)" : "");
    }
  });
}

}  // namespace coda::app
