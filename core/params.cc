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

double ParamSet::get(const std::string& name) const {
  return values_.at(decl(name).name);
}

const std::string& ParamSet::get_label(const std::string& name) const {
  const ParamDecl& d = decl(name);
  return d.labels.at(static_cast<std::size_t>(values_.at(name)));
}

std::string ParamSet::text(const std::string& name) const {
  const ParamDecl& d = decl(name);
  return d.labels.empty() ? format_number(values_.at(name)) : get_label(name);
}

double ParamSet::parse(const ParamDecl& d, const std::string& text,
                       const SourceLocation& where) const {
  if (!d.labels.empty()) {
    for (std::size_t i = 0; i < d.labels.size(); ++i)
      if (d.labels[i] == text) return static_cast<double>(i);
    throw InputError(where, d.name, "'" + text + "' is not allowed; " + allowed(d));
  }
  const auto v = parse_double(text);
  if (!v) throw InputError(where, d.name, "expected a number, got '" + text + "'");
  return *v;
}

std::string ParamSet::allowed(const ParamDecl& d) const {
  if (!d.labels.empty()) return "allowed values: " + join(d.labels, ", ");
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
  if (!d.labels.empty()) {
    ok = ok && value >= 0 && value < static_cast<double>(d.labels.size()) &&
         value == std::floor(value);
    if (!ok) throw InputError(where, name, "is not allowed; " + allowed(d));
  } else if (!d.choices.empty()) {
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
    if (!v.IsScalar()) throw InputError(location_of(doc.file, v), d.name, "expected a value");
    set(d.name, parse(d, v.Scalar(), location_of(doc.file, v)), location_of(doc.file, v));
  }
}

void ParamSet::apply_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos) {
    throw InputError({"--set", 0, 0}, assignment, "expected field=value");
  }
  const std::string name = trim(assignment.substr(0, eq));
  const std::string text = trim(assignment.substr(eq + 1));
  const ParamDecl& d = decl(name);  // unknown fields list the allowed ones
  set(name, parse(d, text, {"--set", 0, 0}), {"--set", 0, 0});
}

std::string ParamSet::dump_yaml() const {
  std::string out;
  for (const auto& d : *decls_) {
    out +=
        "# " + d.description + " [" + (d.unit.empty() ? "-" : d.unit) + "]; " + allowed(d) + "\n";
    out += d.name + ": " + text(d.name) + "\n";
  }
  return out;
}

std::string ParamSet::key() const {
  std::string out;
  for (const auto& d : *decls_) {
    if (!out.empty()) out += ",";
    out += d.name + "=" + text(d.name);
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
