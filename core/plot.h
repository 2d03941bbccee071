// PNG plots through gnuplot (Debian's gnuplot-nox). A missing or failing
// gnuplot is a warning on stderr, never an error: the CSVs carry the data.
#pragma once

#include <string>

namespace coda {

// Runs `script` (which sets its own terminal and output); false on failure.
bool run_gnuplot(const std::string& script, const std::string& what);

}  // namespace coda
