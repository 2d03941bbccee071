// Small text helpers shared by loaders and the CLI.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace coda {

std::string join(const std::vector<std::string>& items, const std::string& sep);

// Levenshtein distance, used to suggest the names a user probably meant.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidates closest to `wanted` (at most `limit`, nearest first). A
// candidate that starts with `wanted` counts as close even when it is long.
std::vector<std::string> nearest_names(const std::string& wanted,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit = 3);

// Splits on a single-character separator; empty pieces are kept.
std::vector<std::string> split(const std::string& text, char sep);

std::string trim(const std::string& text);

// CSV fields: quote (doubling inner quotes), and split one line honouring
// quoted fields; std::nullopt when a quote is left open (a line cut short).
std::string csv_quote(const std::string& field);
std::optional<std::vector<std::string>> csv_split(const std::string& line);

// The whole of `text` as a number; std::nullopt when it is not one.
std::optional<double> parse_double(const std::string& text);
std::optional<long long> parse_int(const std::string& text);

}  // namespace coda
