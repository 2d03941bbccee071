// The message of the InputError that `f` throws, or "" when it throws none:
// tests compare the exact text users see.
#pragma once

#include <functional>
#include <string>

#include "core/error.h"

namespace coda::test {

inline std::string input_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace coda::test
