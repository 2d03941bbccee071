// The builtin objectives, each registered from its own file.
#pragma once

#include "search/objective.h"

namespace coda::search {

void register_nahas_objective();  // nahas.cc: NAHAS eq. 4-6
void register_zeng_objectives();  // zeng.cc: Zeng et al. eq. 4-6 (zeng) and eq. 2 (enas)
void register_lu_objective();     // lu.cc: Lu et al. eq. 3

// Zeng et al. eq. 6: the cost of a network, accuracy a fraction and latency in ms.
double zeng_cost(double accuracy, double latency_ms, double thres, double scale, double lambda);

}  // namespace coda::search
