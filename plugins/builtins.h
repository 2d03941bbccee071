// The one list of coda's builtin extensions, registered into the registries
// the CLI, the experiments and plugins all use. Called by main() and by the
// test main before anything looks a name up; idempotent.
#pragma once

namespace coda {

void register_builtins();

}  // namespace coda
