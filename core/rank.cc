#include "core/rank.h"

#include <algorithm>

namespace coda {

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  long long concordant = 0, discordant = 0;
  const std::size_t n = std::min<std::size_t>(a.size(), 4000);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double s = (a[i] - a[j]) * (b[i] - b[j]);
      concordant += s > 0;
      discordant += s < 0;
    }
  }
  const long long total = concordant + discordant;
  return total ? static_cast<double>(concordant - discordant) / static_cast<double>(total) : 0;
}

namespace {
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> idx(v.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) { return v[x] < v[y]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < idx.size(); ++i) r[idx[i]] = static_cast<double>(i);
  return r;
}
}  // namespace

double spearman_rho(const std::vector<double>& a, const std::vector<double>& b) {
  const auto ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size());
  double d2 = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
  return n > 1 ? 1 - 6 * d2 / (n * (n * n - 1)) : 0;
}

}  // namespace coda
