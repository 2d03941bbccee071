// External plugins: shared libraries loaded at run time (`--plugin FILE.so`,
// or `plugins:` in an experiment) that add extensions of any kind - an
// accelerator family, a cost model, an accuracy evaluator, a strategy, an
// objective, a flow or a NAS space - to the same registries the builtins use.
// A plugin exports two C symbols:
//
//   extern "C" int coda_plugin_api_version() { return CODA_PLUGIN_API_VERSION; }
//   extern "C" void coda_register_plugin() {
//     coda::search::strategies().add({"my-strategy", "...", {options}, factory});
//   }
//
// It is built as a MODULE library against coda's headers and resolves coda's
// symbols from the executable that loads it (plugins/examples/, docs/extending.md).
#pragma once

#include <string>

#define CODA_PLUGIN_API_VERSION 2

namespace coda {

// dlopen()s `path` and calls its coda_register_plugin; a library already
// loaded is not loaded again. Errors name the file and the loader's message.
void load_plugin(const std::string& path);

}  // namespace coda
