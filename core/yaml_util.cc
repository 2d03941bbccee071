#include "core/yaml_util.h"

#include <set>

#include "core/files.h"
#include "core/text.h"

namespace coda {
namespace {

SourceLocation from_mark(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

YAML::Node parse(const std::string& text, const std::string& name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw InputError(from_mark(name, e.mark), "", "malformed YAML: " + e.msg);
  }
}

}  // namespace

YamlDoc load_yaml_file(const std::string& path) {
  return {path, parse(read_text_file(path, "file"), path)};
}

YamlDoc load_yaml_string(const std::string& text, const std::string& name) {
  return {name, parse(text, name)};
}

SourceLocation location_of(const std::string& file, const YAML::Node& node) {
  return from_mark(file, node.Mark());
}

void require_map(const std::string& file, const YAML::Node& node, const std::string& what) {
  if (!node.IsMap()) throw InputError(location_of(file, node), "", what + " must be a YAML map");
}

void check_keys(const std::string& file, const YAML::Node& node,
                const std::vector<std::string>& allowed, const std::string& what) {
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    // yaml-cpp keeps both entries and lookups find the first: say so.
    if (!seen.insert(key).second) {
      throw InputError(location_of(file, kv.first), key,
                       "given twice in " + what + "; give each field once");
    }
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (!known) {
      throw InputError(location_of(file, kv.first), key,
                       "unknown field in " + what + "; allowed fields: " + join(allowed, ", "));
    }
  }
}

template <typename T>
T read_scalar(const std::string& file, const YAML::Node& node, const std::string& key,
              const char* type_name) {
  const YAML::Node value = node[key];
  if (!value) throw InputError(location_of(file, node), key, "missing required field");
  if (!value.IsScalar()) {
    throw InputError(location_of(file, value), key, std::string("expected ") + type_name);
  }
  try {
    return value.as<T>();
  } catch (const YAML::Exception&) {
    throw InputError(location_of(file, value), key,
                     std::string("expected ") + type_name + ", got '" + value.Scalar() + "'");
  }
}

std::string read_string(const std::string& file, const YAML::Node& node, const std::string& key) {
  return read_scalar<std::string>(file, node, key, "a string");
}
long long read_int(const std::string& file, const YAML::Node& node, const std::string& key) {
  return read_scalar<long long>(file, node, key, "an integer");
}
int read_int(const std::string& file, const YAML::Node& node, const std::string& key, int lo,
             int hi) {
  const long long v = read_int(file, node, key);
  if (v < lo || v > hi) {
    throw InputError(location_of(file, node[key]), key,
                     "expected an integer from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", got " + std::to_string(v));
  }
  return static_cast<int>(v);
}
double read_double(const std::string& file, const YAML::Node& node, const std::string& key) {
  return read_scalar<double>(file, node, key, "a number");
}
bool read_bool(const std::string& file, const YAML::Node& node, const std::string& key) {
  return read_scalar<bool>(file, node, key, "true or false");
}

nlohmann::json yaml_to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) j[kv.first.as<std::string>()] = yaml_to_json(kv.second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : n) j.push_back(yaml_to_json(v));
    return j;
  }
  if (!n.IsDefined() || n.IsNull()) return nullptr;
  const std::string s = n.Scalar();
  if (auto i = parse_int(s)) return *i;
  if (auto d = parse_double(s)) return *d;
  if (s == "true" || s == "false") return s == "true";
  return s;
}

}  // namespace coda
