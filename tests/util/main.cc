// The test main: every builtin extension is registered before any test runs,
// as the coda executable's main does.
#include <gtest/gtest.h>

#include "plugins/builtins.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  coda::register_builtins();
  return RUN_ALL_TESTS();
}
