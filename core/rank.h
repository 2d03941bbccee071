// Rank correlations, for comparing a predictor's ordering with the truth
// (cost-model validation, zero-cost proxies against trained accuracy).
#pragma once

#include <vector>

namespace coda {

// Kendall's tau-a over the first 4000 pairs' points (O(n^2)); ties count
// neither way.
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);
double spearman_rho(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace coda
