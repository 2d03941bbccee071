// The oneshot flow: a weight-sharing supernet searched by tunas or dnas
// (oneshot_flow.cc).
#pragma once

namespace coda::plugins {

void register_oneshot_flow();

}  // namespace coda::plugins
