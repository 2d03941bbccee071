// Output conventions shared by every reporting command: `--json FILE` writes
// JSON to FILE, and `-` means stdout (then the readable table is not printed).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace coda::app {

// Writes `doc` to `path` ("-" = stdout), pretty-printed.
void write_json(const nlohmann::json& doc, const std::string& path);

// Writes text to `path` ("-" or empty = stdout).
void write_text(const std::string& text, const std::string& path);

// 1234567 -> "1,234,567"
std::string grouped(long long value);

}  // namespace coda::app
