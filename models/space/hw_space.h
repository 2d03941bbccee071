// A hardware search space: for each swept field of one accelerator family,
// the values to try; every other field comes from a base config. The grid is
// indexed in mixed radix, so a point is an integer and sweeps can resume.
#pragma once

#include <string>
#include <vector>

#include "core/params.h"

namespace coda::space {

struct HwDimension {
  std::string name;
  std::vector<double> values;
};

// Opens a space file: a map with exactly `keys`, whose `arch` must be `arch`.
YamlDoc open_space(const std::string& path, const std::string& what,
                   const std::vector<std::string>& keys, const std::string& arch);
// A path written in a space file, resolved relative to that file.
std::string space_relative(const std::string& space_path, const std::string& written);

class HwSpace {
 public:
  // Loads `path`; fields are validated against `decls` (unknown fields and
  // out-of-range values name the file, line and allowed range).
  static HwSpace load(const std::string& path, const std::string& arch,
                      const std::vector<ParamDecl>& decls);
  // The same from a `field: [values]` map inside another file, over `base`.
  static HwSpace from_map(const std::string& arch, const ParamSet& base, const YamlDoc& doc,
                          const YAML::Node& params);
  // The config every point starts from.
  ParamSet base() const;

  const std::string& arch() const { return arch_; }
  const std::vector<HwDimension>& dimensions() const { return dims_; }
  long long size() const;
  // The config at grid index `i` (base values for the fields not swept).
  ParamSet point(long long i) const;
  // `n` distinct grid indices drawn with `seed` (all of them when n >= size
  // or n <= 0), in ascending order. More than kMaxFullGrid indices is an
  // InputError: the list alone would take gigabytes.
  static constexpr long long kMaxFullGrid = 100000000;
  std::vector<long long> sample(long long n, unsigned long long seed) const;

  // The space around `center` (HotNAS iSpace H): each swept field keeps
  // the center's value and up to `radius` neighbours either side in its
  // list; fields not swept, and a center value absent from the list, keep
  // the center's value alone. The base becomes `center`.
  HwSpace neighbourhood(const ParamSet& center, int radius) const;

 private:
  std::string arch_;
  std::string path_;
  std::vector<HwDimension> dims_;
  long long size_ = 1;
  const std::vector<ParamDecl>* decls_ = nullptr;
  std::vector<double> base_;  // value per declaration, in declaration order
};

}  // namespace coda::space
