// The builtin objectives, each registered from its own file.
#pragma once

#include "search/objective.h"

namespace coda::search {

void register_nahas_objective();  // nahas.cc: NAHAS eq. 4-6

}  // namespace coda::search
