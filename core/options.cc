#include "core/options.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/params.h"
#include "core/text.h"

namespace coda {

OptionDecl OptionDecl::integer(std::string name, long long def, long long min, long long max,
                               std::string description) {
  OptionDecl d;
  d.name = std::move(name);
  d.type = OptionType::kInteger;
  d.default_value = def;
  d.min = static_cast<double>(min);
  d.max = static_cast<double>(max);
  d.description = std::move(description);
  return d;
}

OptionDecl OptionDecl::number(std::string name, double def, double min, double max,
                              std::string description) {
  OptionDecl d;
  d.name = std::move(name);
  d.type = OptionType::kNumber;
  d.default_value = def;
  d.min = min;
  d.max = max;
  d.description = std::move(description);
  return d;
}

OptionDecl OptionDecl::positive(std::string name, std::string description) {
  OptionDecl d;
  d.name = std::move(name);
  d.type = OptionType::kNumber;
  d.min = 0;
  d.min_exclusive = true;
  d.description = std::move(description);
  return d;
}

OptionDecl OptionDecl::flag(std::string name, bool def, std::string description) {
  OptionDecl d;
  d.name = std::move(name);
  d.type = OptionType::kBool;
  d.default_value = def;
  d.description = std::move(description);
  return d;
}

OptionDecl OptionDecl::text(std::string name, std::string def, std::string description) {
  OptionDecl d;
  d.name = std::move(name);
  d.type = OptionType::kText;
  d.default_value = std::move(def);
  d.description = std::move(description);
  return d;
}

OptionDecl OptionDecl::choice(std::string name, std::string def, std::vector<std::string> choices,
                              std::string description) {
  OptionDecl d;
  d.name = std::move(name);
  d.type = OptionType::kChoice;
  d.default_value = std::move(def);
  d.choices = std::move(choices);
  d.description = std::move(description);
  return d;
}

OptionDecl OptionDecl::path(std::string name, std::string def, std::string description) {
  OptionDecl d = text(std::move(name), std::move(def), std::move(description));
  d.type = OptionType::kPath;
  return d;
}

OptionDecl OptionDecl::list(std::string name, std::string description) {
  OptionDecl d;
  d.name = std::move(name);
  d.type = OptionType::kList;
  d.description = std::move(description);
  return d;
}

OptionDecl OptionDecl::required_option() const {
  OptionDecl d = *this;
  d.default_value = nullptr;
  d.required = true;
  return d;
}

std::string OptionDecl::type_name() const {
  switch (type) {
    case OptionType::kInteger:
      return "integer";
    case OptionType::kNumber:
      return "number";
    case OptionType::kBool:
      return "boolean";
    case OptionType::kText:
      return "text";
    case OptionType::kChoice:
      return "choice";
    case OptionType::kPath:
      return "path";
    case OptionType::kList:
      return "list";
  }
  return "text";
}

std::string OptionDecl::allowed() const {
  auto bound = [&](double v) {
    if (std::isinf(v)) return std::string(v > 0 ? "inf" : "-inf");
    return type == OptionType::kInteger ? std::to_string(static_cast<long long>(v))
                                        : format_number(v);
  };
  switch (type) {
    case OptionType::kInteger:
    case OptionType::kNumber: {
      const std::string what = type == OptionType::kInteger ? "an integer" : "a number";
      if (min_exclusive && std::isinf(max)) return what + " > " + bound(min);
      if (std::isinf(min) && std::isinf(max)) return what;
      if (std::isinf(max)) return what + " >= " + bound(min);
      return what + " from " + bound(min) + " to " + bound(max);
    }
    case OptionType::kBool:
      return "true or false";
    case OptionType::kChoice:
      return "one of " + join(choices, ", ");
    case OptionType::kPath:
      return "a file path";
    case OptionType::kList:
      return "a list";
    case OptionType::kText:
      return "text";
  }
  return "text";
}

std::string OptionDecl::default_text() const {
  if (required) return "(required)";
  if (default_value.is_null()) return "-";
  if (default_value.is_string()) {
    const std::string s = default_value.get<std::string>();
    return s.empty() ? "\"\"" : s;
  }
  if (default_value.is_boolean()) return default_value.get<bool>() ? "true" : "false";
  if (default_value.is_number_integer()) return std::to_string(default_value.get<long long>());
  return format_number(default_value.get<double>());
}

Options::Options(OptionDecls decls, std::string owner)
    : decls_(std::move(decls)), owner_(std::move(owner)) {
  for (const auto& d : decls_) {
    if (!d.default_value.is_null()) values_[d.name] = d.default_value;
  }
}

const OptionDecl* Options::find(const std::string& name) const {
  for (const auto& d : decls_)
    if (d.name == name) return &d;
  return nullptr;
}

bool Options::declares(const std::string& name) const {
  return find(name) != nullptr;
}

const OptionDecl& Options::decl(const std::string& name) const {
  if (const OptionDecl* d = find(name)) return *d;
  throw std::logic_error(owner_ + " reads option '" + name + "', which it does not declare");
}

void Options::unknown_key(const std::string& key, const SourceLocation& where) const {
  std::vector<std::string> names;
  for (const auto& d : decls_) names.push_back(d.name);
  std::sort(names.begin(), names.end());
  throw InputError(where, key,
                   "unknown option of " + owner_ +
                       "; known: " + (names.empty() ? std::string("none") : join(names, ", ")));
}

nlohmann::json Options::parse_scalar(const OptionDecl& d, const std::string& text,
                                     const SourceLocation& where) const {
  switch (d.type) {
    case OptionType::kInteger: {
      const auto v = parse_double(text);
      if (!v || *v != std::floor(*v) || std::abs(*v) > 9.0e18) {
        throw InputError(where, d.name, owner_ + ": expected an integer, got '" + text + "'");
      }
      return static_cast<long long>(*v);
    }
    case OptionType::kNumber: {
      const auto v = parse_double(text);
      if (!v || !std::isfinite(*v)) {
        throw InputError(where, d.name, owner_ + ": expected a number, got '" + text + "'");
      }
      return *v;
    }
    case OptionType::kBool:
      if (text == "true" || text == "false") return text == "true";
      throw InputError(where, d.name, owner_ + ": expected true or false, got '" + text + "'");
    case OptionType::kChoice:
      for (const auto& c : d.choices)
        if (c == text) return text;
      throw InputError(where, d.name, owner_ + ": '" + text + "' is not allowed; " + d.allowed());
    case OptionType::kText:
    case OptionType::kPath:
      return text;
    case OptionType::kList:
      break;
  }
  throw InputError(where, d.name, owner_ + ": expected a list");
}

void Options::set_value(const OptionDecl& d, nlohmann::json v, const SourceLocation& where) {
  if (d.type == OptionType::kInteger || d.type == OptionType::kNumber) {
    const double x = v.get<double>();
    const bool low = d.min_exclusive ? !(x > d.min) : x < d.min;
    if (low || x > d.max) {
      throw InputError(where, d.name,
                       owner_ + ": " + format_number(x) + " is not allowed; " + d.allowed());
    }
  }
  values_[d.name] = std::move(v);
  where_[d.name] = where;
  given_.insert(d.name);
}

void Options::set_text(const std::string& name, const std::string& text,
                       const SourceLocation& where) {
  const OptionDecl* d = find(name);
  if (!d) unknown_key(name, where);
  if (d->type == OptionType::kList) {
    try {
      lists_[name] = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw InputError(where, name, owner_ + ": not a YAML list: " + e.msg);
    }
    if (!lists_[name].IsSequence()) throw InputError(where, name, owner_ + ": expected a list");
    given_.insert(name);
    where_[name] = where;
    return;
  }
  set_value(*d, parse_scalar(*d, text, where), where);
}

Options Options::from_yaml(OptionDecls decls, std::string owner, const YamlDoc& doc,
                           const YAML::Node& node, const std::vector<std::string>& skip) {
  Options o(std::move(decls), std::move(owner));
  o.file_ = doc.file;
  if (node && !node.IsNull()) {
    require_map(doc.file, node, "the options of " + o.owner_);
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
      const SourceLocation where = location_of(doc.file, kv.first);
      const OptionDecl* d = o.find(key);
      if (!d) o.unknown_key(key, where);
      const SourceLocation at = location_of(doc.file, kv.second);
      if (d->type == OptionType::kList) {
        if (!kv.second.IsSequence()) throw InputError(at, key, o.owner_ + ": expected a list");
        o.lists_[key] = kv.second;
        o.given_.insert(key);
        o.where_[key] = at;
        continue;
      }
      if (!kv.second.IsScalar()) throw InputError(at, key, o.owner_ + ": expected a value");
      nlohmann::json v = o.parse_scalar(*d, kv.second.Scalar(), at);
      if (d->type == OptionType::kPath && !v.get<std::string>().empty()) {
        const std::filesystem::path p(v.get<std::string>());
        if (p.is_relative() && !doc.file.empty()) {
          v = (std::filesystem::path(doc.file).parent_path() / p).string();
        }
      }
      o.set_value(*d, std::move(v), at);
    }
  }
  o.check_required(location_of(doc.file, node ? node : doc.root));
  return o;
}

Options Options::from_json(OptionDecls decls, std::string owner, const nlohmann::json& given,
                           const std::string& file) {
  Options o(std::move(decls), std::move(owner));
  o.file_ = file;
  const SourceLocation where{file, 0, 0};
  for (const auto& [key, value] : given.items()) {
    const OptionDecl* d = o.find(key);
    if (!d) o.unknown_key(key, where);
    if (d->type == OptionType::kList) {
      if (!value.is_array()) throw InputError(where, key, o.owner_ + ": expected a list");
      o.lists_[key] = YAML::Load(value.dump());
      o.given_.insert(key);
      o.where_[key] = where;
      continue;
    }
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    o.set_value(*d, o.parse_scalar(*d, text, where), where);
  }
  o.check_required(where);
  return o;
}

void Options::check_required(const SourceLocation& where) const {
  for (const auto& d : decls_) {
    if (d.required && !given(d.name)) {
      throw InputError(
          where, d.name,
          "missing option of " + owner_ + " (" + d.description + "; " + d.allowed() + ")");
    }
  }
}

long long Options::integer(const std::string& name) const {
  const OptionDecl& d = decl(name);
  if (d.type != OptionType::kInteger) throw std::logic_error(name + " is not an integer option");
  return values_.at(name).get<long long>();
}

double Options::number(const std::string& name) const {
  const OptionDecl& d = decl(name);
  if (d.type != OptionType::kNumber && d.type != OptionType::kInteger) {
    throw std::logic_error(name + " is not a number option");
  }
  auto it = values_.find(name);
  if (it == values_.end()) throw std::logic_error(owner_ + ": option '" + name + "' has no value");
  return it->second.get<double>();
}

bool Options::flag(const std::string& name) const {
  const OptionDecl& d = decl(name);
  if (d.type != OptionType::kBool) throw std::logic_error(name + " is not a boolean option");
  return values_.at(name).get<bool>();
}

const std::string& Options::text(const std::string& name) const {
  const OptionDecl& d = decl(name);
  if (d.type != OptionType::kText && d.type != OptionType::kChoice && d.type != OptionType::kPath) {
    throw std::logic_error(name + " is not a text option");
  }
  return values_.at(name).get_ref<const std::string&>();
}

const YAML::Node& Options::list(const std::string& name) const {
  static const YAML::Node kNone;
  decl(name);
  auto it = lists_.find(name);
  return it == lists_.end() ? kNone : it->second;
}

SourceLocation Options::where(const std::string& name) const {
  auto it = where_.find(name);
  return it == where_.end() ? SourceLocation{file_, 0, 0} : it->second;
}

nlohmann::json Options::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : values_) j[k] = v;
  for (const auto& [k, n] : lists_) j[k] = yaml_to_json(n);
  return j;
}

std::string options_markdown(const OptionDecls& decls) {
  if (decls.empty()) return "(no options)\n";
  // A `|` inside a cell would end it.
  auto cell = [](std::string s) {
    for (auto p = s.find('|'); p != std::string::npos; p = s.find('|', p + 2))
      s.replace(p, 1, "\\|");
    return s;
  };
  std::string out = "| option | default | allowed | description |\n|---|---|---|---|\n";
  for (const auto& d : decls) {
    out += "| `" + d.name + "` | " + cell(d.default_text()) + " | " + cell(d.allowed()) + " | " +
           cell(d.description) + " |\n";
  }
  return out;
}

}  // namespace coda
