// The builtin objectives, each registered from its own file.
#pragma once

#include "search/objective.h"

namespace coda::search {

void register_nahas_objective();   // nahas.cc: NAHAS eq. 4-6
void register_zeng_objectives();   // zeng.cc: Zeng et al. eq. 4-6 (zeng) and eq. 2 (enas)
void register_lu_objective();      // lu.cc: Lu et al. eq. 3
void register_hotnas_objective();  // hotnas.cc: HotNAS eq. 18

// HotNAS eq. 18's parameters (accuracy a fraction, latencies in ms).
struct HotnasReward {
  double latency_ms = 0;  // T
  double alpha = 0.7;
  double accuracy_original = 1, accuracy_min = 0;
  double latency_min_ms = 0;
};
double hotnas_reward(double accuracy, double latency_ms, const HotnasReward& p);

// Zeng et al. eq. 6: the cost of a network, accuracy a fraction and latency in ms.
double zeng_cost(double accuracy, double latency_ms, double thres, double scale, double lambda);

}  // namespace coda::search
