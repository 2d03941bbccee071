// yaml-cpp helpers that turn every loading problem into an InputError naming
// the file, line, column and field.
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/error.h"

namespace coda {

// A parsed YAML document plus the name of the file it came from.
struct YamlDoc {
  std::string file;
  YAML::Node root;
};

YamlDoc load_yaml_file(const std::string& path);
YamlDoc load_yaml_string(const std::string& text, const std::string& name);

SourceLocation location_of(const std::string& file, const YAML::Node& node);

// Throws unless `node` is a map, naming `what` (e.g. "layer 'conv1'").
void require_map(const std::string& file, const YAML::Node& node, const std::string& what);

// Throws on the first key of `node` that is not in `allowed`, listing them.
void check_keys(const std::string& file, const YAML::Node& node,
                const std::vector<std::string>& allowed, const std::string& what);

// Reads node[key] as T; a missing key or a wrong type is an InputError.
template <typename T>
T read_scalar(const std::string& file, const YAML::Node& node, const std::string& key,
              const char* type_name);

std::string read_string(const std::string& file, const YAML::Node& node, const std::string& key);
long long read_int(const std::string& file, const YAML::Node& node, const std::string& key);
// The same, within [lo, hi] (an InputError at the value otherwise); it fits an int.
int read_int(const std::string& file, const YAML::Node& node, const std::string& key, int lo,
             int hi);
double read_double(const std::string& file, const YAML::Node& node, const std::string& key);
bool read_bool(const std::string& file, const YAML::Node& node, const std::string& key);

// A YAML tree as JSON: maps and lists kept, scalars as integers, numbers,
// booleans or strings, whichever they read as.
nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace coda
