#include "core/params.h"

#include <cmath>
#include <sstream>

#include "core/text.h"

namespace coda {

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

ParamSet::ParamSet(const std::vector<ParamDecl>& decls) : decls_(&decls) {
  for (const auto& d : decls) values_[d.name] = d.default_value;
}

const ParamDecl& ParamSet::decl(const std::string& name) const {
  for (const auto& d : *decls_)
    if (d.name == name) return d;
  std::vector<std::string> names;
  for (const auto& d : *decls_) names.push_back(d.name);
  throw InputError({}, name, "unknown field; allowed fields: " + join(names, ", "));
}

double ParamSet::get(const std::string& name) const { return values_.at(decl(name).name); }

std::string ParamSet::allowed(const ParamDecl& d) const {
  if (!d.choices.empty()) {
    std::vector<std::string> c;
    for (double v : d.choices) c.push_back(format_number(v));
    return "allowed values: " + join(c, ", ");
  }
  return "allowed range: " + format_number(d.min) + " to " + format_number(d.max) +
         (d.unit.empty() ? "" : " " + d.unit) + (d.integer ? " (integer)" : "");
}

void ParamSet::set(const std::string& name, double value, const SourceLocation& where) {
  const ParamDecl& d = decl(name);
  bool ok = std::isfinite(value);
  if (!d.choices.empty()) {
    bool hit = false;
    for (double c : d.choices) hit = hit || c == value;
    ok = ok && hit;
  } else {
    ok = ok && value >= d.min && value <= d.max;
  }
  if (d.integer && value != std::floor(value)) ok = false;
  if (!ok) {
    throw InputError(where, name, format_number(value) + " is not allowed; " + allowed(d));
  }
  values_[name] = value;
}

void ParamSet::load_yaml(const YamlDoc& doc, const YAML::Node& map, const std::string& what) {
  require_map(doc.file, map, what);
  std::vector<std::string> names;
  for (const auto& d : *decls_) names.push_back(d.name);
  check_keys(doc.file, map, names, what);
  for (const auto& d : *decls_) {
    const YAML::Node v = map[d.name];
    if (!v) {
      throw InputError(location_of(doc.file, map), d.name,
                       "missing field in " + what + " (" + d.description + "; " + allowed(d) + ")");
    }
    set(d.name, read_double(doc.file, map, d.name), location_of(doc.file, v));
  }
}

void ParamSet::apply_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos) {
    throw InputError({"--set", 0, 0}, assignment, "expected field=value");
  }
  const std::string name = trim(assignment.substr(0, eq));
  const std::string text = trim(assignment.substr(eq + 1));
  decl(name);  // unknown fields list the allowed ones
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    throw InputError({"--set", 0, 0}, name, "expected a number, got '" + text + "'");
  }
  set(name, v, {"--set", 0, 0});
}

std::string ParamSet::dump_yaml() const {
  std::string out;
  for (const auto& d : *decls_) {
    out += "# " + d.description + " [" + (d.unit.empty() ? "-" : d.unit) + "]; " + allowed(d) +
           "\n";
    out += d.name + ": " + format_number(values_.at(d.name)) + "\n";
  }
  return out;
}

std::string ParamSet::key() const {
  std::string out;
  for (const auto& d : *decls_) {
    if (!out.empty()) out += ",";
    out += d.name + "=" + format_number(values_.at(d.name));
  }
  return out;
}

ParamSet load_params_file(const std::vector<ParamDecl>& decls, const std::string& path,
                          const std::string& what) {
  const YamlDoc doc = load_yaml_file(path);
  ParamSet p(decls);
  p.load_yaml(doc, doc.root, what);
  return p;
}

}  // namespace coda
