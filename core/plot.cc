#include "core/plot.h"

#include <cstdio>
#include <iostream>

namespace coda {

bool run_gnuplot(const std::string& script, const std::string& what) {
  FILE* gp = ::popen("gnuplot 2>/dev/null", "w");
  if (!gp) {
    std::cerr << "coda: warning: gnuplot not found; no " << what << "\n";
    return false;
  }
  std::fputs(script.c_str(), gp);
  if (::pclose(gp) != 0) {
    std::cerr << "coda: warning: gnuplot failed; no " << what << "\n";
    return false;
  }
  return true;
}

}  // namespace coda
