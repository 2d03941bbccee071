// Declare each hardware parameter once: name, unit, default, range,
// description (STYLE.md 2). YAML loading, validation messages, --set
// overrides, --dump-params and the featurizer all read the declaration.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/yaml_util.h"

namespace coda {

struct ParamDecl {
  std::string name;
  std::string unit;
  double default_value = 0;
  double min = 0;
  double max = 0;
  std::string description;
  bool integer = false;
  std::vector<double> choices;  // when set, the only values allowed
  // A categorical field: its value is the index of one of these names, and
  // files and --set use the names.
  std::vector<std::string> labels;
};

std::string format_number(double v);

// Values for one declaration list, always complete and in range.
class ParamSet {
 public:
  explicit ParamSet(const std::vector<ParamDecl>& decls);

  double get(const std::string& name) const;
  int get_int(const std::string& name) const { return static_cast<int>(get(name)); }
  // The name of a categorical field's value.
  const std::string& get_label(const std::string& name) const;
  // The value as written in files: a number, or a categorical field's name.
  std::string text(const std::string& name) const;
  // Validates against the declaration; `where` names the source for errors.
  void set(const std::string& name, double value, const SourceLocation& where = {});
  const std::vector<ParamDecl>& decls() const { return *decls_; }
  const ParamDecl& decl(const std::string& name) const;

  // Every declared field must be present exactly once; unknown fields, wrong
  // types and out-of-range values are InputErrors naming file, line and field.
  void load_yaml(const YamlDoc& doc, const YAML::Node& map, const std::string& what);
  // Parses a number or, for categorical fields, a label.
  double parse(const ParamDecl& d, const std::string& text, const SourceLocation& where) const;
  // `field=value`, as given to --set.
  void apply_override(const std::string& assignment);
  // YAML with one comment per field: unit, range and description.
  std::string dump_yaml() const;
  // Stable text key, e.g. for caches and resume ("pes_x=4,pes_y=4,...").
  std::string key() const;

 private:
  std::string allowed(const ParamDecl& d) const;
  const std::vector<ParamDecl>* decls_;
  std::map<std::string, double> values_;
};

ParamSet load_params_file(const std::vector<ParamDecl>& decls, const std::string& path,
                          const std::string& what);

}  // namespace coda
