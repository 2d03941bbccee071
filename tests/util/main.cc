// The test main: every builtin extension is registered before any test runs,
// as the coda executable's main does, and HOME and CODA_CACHE_DIR point at a
// temporary directory, so no test (nor a coda process a test starts) reads
// or writes the user's caches.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "plugins/builtins.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  char pattern[] = "/tmp/coda_tests_XXXXXX";
  const char* root = ::mkdtemp(pattern);
  if (!root) return 2;
  const std::string home = std::string(root) + "/home", cache = std::string(root) + "/cache";
  std::filesystem::create_directories(home);
  ::setenv("HOME", home.c_str(), 1);
  ::setenv("CODA_CACHE_DIR", cache.c_str(), 1);
  coda::register_builtins();
  const int result = RUN_ALL_TESTS();
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  return result;
}
