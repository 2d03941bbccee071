// `coda extensions`: every registered extension of every kind, with the
// options each declares (the README's tables are this command's Markdown).
#include <algorithm>
#include <iostream>
#include <memory>

#include "apps/coda/commands.h"
#include "core/registry.h"
#include "core/report.h"
#include "core/text.h"

namespace coda::app {

void register_extensions_command(CLI::App& app) {
  struct Args {
    std::string kind, json;
    bool markdown = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "extensions", "List the registered extensions of every kind and the options they declare");
  cmd->add_option("kind", a->kind, "only this kind (e.g. strategy, \"accuracy evaluator\")");
  cmd->add_flag("--markdown", a->markdown, "Markdown tables (as in the README)");
  cmd->add_option("--json", a->json, "write the listing as JSON (- for stdout)");
  cmd->callback([a] {
    // The kinds in the order a user meets them; any a plugin adds, after.
    const std::vector<std::string> order = {"accelerator", "cost model",  "accuracy evaluator",
                                            "strategy",    "objective",   "flow",
                                            "NAS space",   "SystemC part"};
    std::vector<const RegistryBase*> registries(all_registries().begin(), all_registries().end());
    auto rank = [&](const RegistryBase* r) {
      return std::find(order.begin(), order.end(), r->kind()) - order.begin();
    };
    std::stable_sort(registries.begin(), registries.end(),
                     [&](auto* x, auto* y) { return rank(x) < rank(y); });
    std::vector<std::string> kinds;
    bool found = a->kind.empty();
    for (const RegistryBase* r : registries) {
      kinds.push_back(r->kind());
      found = found || r->kind() == a->kind;
    }
    if (!found) {
      throw InputError({}, "kind", "unknown kind '" + a->kind + "'; kinds: " + join(kinds, ", "));
    }
    nlohmann::json listing = nlohmann::json::object();
    for (const RegistryBase* r : registries) {
      if (!a->kind.empty() && r->kind() != a->kind) continue;
      nlohmann::json entries = nlohmann::json::array();
      for (const auto& name : r->names()) {
        const auto& info = r->info(name);
        nlohmann::json options = nlohmann::json::array();
        for (const auto& d : info.options) {
          options.push_back({{"name", d.name},
                             {"type", d.type_name()},
                             {"default", d.default_value},
                             {"required", d.required},
                             {"allowed", d.allowed()},
                             {"description", d.description}});
        }
        entries.push_back(
            {{"name", name}, {"description", info.description}, {"options", options}});
      }
      listing[r->kind()] = {{"field", r->field()}, {"extensions", entries}};
    }
    if (!a->json.empty()) write_json(listing, a->json);
    if (a->json == "-") return;
    for (const RegistryBase* r : registries) {
      if (!a->kind.empty() && r->kind() != a->kind) continue;
      if (a->markdown) {
        std::cout << "#### " << r->kind() << " (`" << r->field() << "`)\n\n";
        for (const auto& name : r->names()) {
          const auto& info = r->info(name);
          std::cout << "- `" << name << "`: " << info.description << "\n";
        }
        std::cout << "\n";
        for (const auto& name : r->names()) {
          const auto& info = r->info(name);
          if (info.options.empty()) continue;
          std::cout << "Options of " << r->kind() << " `" << name << "`:\n\n"
                    << options_markdown(info.options) << "\n";
        }
        continue;
      }
      std::cout << r->kind() << " (" << r->field() << "):\n";
      for (const auto& name : r->names()) {
        const auto& info = r->info(name);
        std::cout << "  " << name << ": " << info.description << "\n";
        for (const auto& d : info.options) {
          std::cout << "      " << d.name << " = " << d.default_text() << "  (" << d.allowed()
                    << ") " << d.description << "\n";
        }
      }
    }
  });
}

}  // namespace coda::app
