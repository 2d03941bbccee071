// The builtin flows of NAHAS §4.5, each registered from its own file.
#pragma once

#include "search/flow.h"

namespace coda::search {

// Phase and nested search read a NAS space, a hardware space and the seed
// network.
FlowNeeds seeded_co_search_needs();

void register_single_flows();    // single.cc: joint, nas, has
void register_phase_flow();      // phase.cc: HAS on the seed network, then NAS
void register_nested_flow();     // nested.cc: HAS outside, NAS inside
void register_spec_grid_flow();  // specs.cc: NAS per point of a grid of hardware values
void register_hotnas_flow();     // hotnas.cc: HotNAS iSpace / iSearch from a trained zoo
void register_compare_flow();    // compare.cc: runs of one experiment side by side

}  // namespace coda::search
