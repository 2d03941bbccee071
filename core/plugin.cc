#include "core/plugin.h"

#include <dlfcn.h>

#include <filesystem>
#include <set>

#include "core/error.h"

namespace coda {

void load_plugin(const std::string& path) {
  static std::set<std::string> loaded;
  std::error_code ec;
  const std::string abs = std::filesystem::weakly_canonical(path, ec).string();
  if (loaded.count(abs)) return;
  void* h = ::dlopen(abs.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = ::dlerror();
    throw InputError({path, 0, 0}, "plugin",
                     std::string("cannot load: ") + (e ? e : "unknown error"));
  }
  using Version = int (*)();
  using Register = void (*)();
  auto version = reinterpret_cast<Version>(::dlsym(h, "coda_plugin_api_version"));
  auto reg = reinterpret_cast<Register>(::dlsym(h, "coda_register_plugin"));
  if (!version || !reg) {
    throw InputError({path, 0, 0}, "plugin",
                     "not a coda plugin: it must export coda_plugin_api_version and "
                     "coda_register_plugin (see docs/extending.md)");
  }
  if (version() != CODA_PLUGIN_API_VERSION) {
    throw InputError({path, 0, 0}, "plugin",
                     "built for plugin API " + std::to_string(version()) + ", coda has " +
                         std::to_string(CODA_PLUGIN_API_VERSION));
  }
  loaded.insert(abs);
  reg();
}

}  // namespace coda
