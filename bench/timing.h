// Wall-clock timing shared by the benchmarks.
#pragma once

#include <chrono>

namespace coda::bench {

// Mean wall seconds of one call of `f` over `reps` calls.
template <typename F>
double seconds_per_call(F&& f, int reps) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

}  // namespace coda::bench
