// Shared by the libFuzzer targets: each writes the input to a file (coda's
// readers take paths, as users give them) and calls one reader. An input
// error is the expected outcome for a malformed file; any other exception,
// a crash, a leak, a timeout or an allocation past libFuzzer's limit is a
// finding.
#pragma once

#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"

namespace coda::fuzz {

// A per-process scratch directory under $TMPDIR (tmpfs on most machines),
// removed at exit. The path is never destroyed, so the exit handler can use it.
inline const std::string& scratch() {
  static const std::string* dir = [] {
    const auto d =
        std::filesystem::temp_directory_path() / ("coda-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch(), ignored);
    });
    return new std::string(d.string());
  }();
  return *dir;
}

// Writes the input to scratch()/name and returns the path.
inline std::string input_file(const std::uint8_t* data, std::size_t size, const std::string& name) {
  const std::string path = scratch() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Runs `read`; the errors coda reports as the user's (exit 1) are expected.
template <typename F>
void expect_input_errors(F&& read) {
  try {
    read();
  } catch (const InputError&) {
  } catch (const YAML::Exception&) {
  } catch (const std::filesystem::filesystem_error&) {
  }
}

}  // namespace coda::fuzz
