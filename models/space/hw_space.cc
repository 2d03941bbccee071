#include "models/space/hw_space.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "core/text.h"

namespace coda::space {

YamlDoc open_space(const std::string& path, const std::string& what,
                   const std::vector<std::string>& keys, const std::string& arch) {
  YamlDoc doc = load_yaml_file(path);
  require_map(doc.file, doc.root, "a " + what);
  check_keys(doc.file, doc.root, keys, "the " + what);
  const std::string declared = read_string(doc.file, doc.root, "arch");
  if (declared != arch) {
    throw InputError(location_of(doc.file, doc.root["arch"]), "arch",
                     "the space is for '" + declared + "' but --arch is '" + arch + "'");
  }
  return doc;
}

std::string space_relative(const std::string& space_path, const std::string& written) {
  const std::filesystem::path p(written);
  return p.is_relative() ? (std::filesystem::path(space_path).parent_path() / p).string() : written;
}

HwSpace HwSpace::load(const std::string& path, const std::string& arch,
                      const std::vector<ParamDecl>& decls) {
  const YamlDoc doc = open_space(path, "hardware space", {"arch", "base", "params"}, arch);
  ParamSet base(decls);
  if (doc.root["base"]) {
    base = load_params_file(decls, space_relative(path, read_string(doc.file, doc.root, "base")),
                            arch + " hardware config");
  }
  HwSpace s = from_map(arch, base, doc, doc.root["params"]);
  s.path_ = path;
  return s;
}

HwSpace HwSpace::from_map(const std::string& arch, const ParamSet& base, const YamlDoc& doc,
                          const YAML::Node& params) {
  const std::vector<ParamDecl>& decls = base.decls();
  HwSpace s;
  s.arch_ = arch;
  s.decls_ = &decls;
  s.path_ = doc.file;
  for (const auto& d : decls) s.base_.push_back(base.get(d.name));
  if (!params || !params.IsMap() || params.size() == 0) {
    throw InputError(location_of(doc.file, params ? params : doc.root), "params",
                     "expected a map of field: [values]");
  }
  std::vector<std::string> names;
  for (const auto& d : decls) names.push_back(d.name);
  check_keys(doc.file, params, names, "the space's params");
  for (const auto& kv : params) {
    HwDimension dim;
    dim.name = kv.first.as<std::string>();
    const YAML::Node values = kv.second;
    if (!values.IsSequence() || values.size() == 0) {
      throw InputError(location_of(doc.file, values), dim.name,
                       "expected a non-empty list of values");
    }
    ParamSet probe(decls);
    for (const auto& v : values) {
      if (!v.IsScalar()) throw InputError(location_of(doc.file, v), dim.name, "expected a value");
      // Numbers, or the names of a categorical field's values (B4096, MAX).
      const double x = probe.parse(probe.decl(dim.name), v.Scalar(), location_of(doc.file, v));
      probe.set(dim.name, x, location_of(doc.file, v));
      dim.values.push_back(x);
    }
    // Grid indices are 64-bit: a product that does not fit is refused here,
    // naming the field that overflows it.
    long long product = 0;
    if (__builtin_mul_overflow(s.size_, static_cast<long long>(dim.values.size()), &product) ||
        product > (1LL << 62)) {
      throw InputError(location_of(doc.file, kv.first), dim.name,
                       "the grid has more than 2^62 points with this field; split the space");
    }
    s.size_ = product;
    s.dims_.push_back(std::move(dim));
  }
  return s;
}

HwSpace HwSpace::neighbourhood(const ParamSet& center, int radius) const {
  HwSpace s = *this;
  s.size_ = 1;
  for (std::size_t k = 0; k < decls_->size(); ++k) {
    s.base_[k] = center.get((*decls_)[k].name);
  }
  for (auto& d : s.dims_) {
    const double c = center.get(d.name);
    const auto it = std::find(d.values.begin(), d.values.end(), c);
    if (it == d.values.end()) {
      d.values = {c};
    } else {
      const long i = it - d.values.begin();
      const long lo = std::max(0L, i - radius);
      const long hi = std::min(static_cast<long>(d.values.size()) - 1, i + radius);
      d.values = std::vector<double>(d.values.begin() + lo, d.values.begin() + hi + 1);
    }
    s.size_ *= static_cast<long long>(d.values.size());
  }
  return s;
}

ParamSet HwSpace::base() const {
  ParamSet p(*decls_);
  for (std::size_t k = 0; k < decls_->size(); ++k) p.set((*decls_)[k].name, base_[k]);
  return p;
}

long long HwSpace::size() const {
  return size_;
}

ParamSet HwSpace::point(long long i) const {
  ParamSet p(*decls_);
  for (std::size_t k = 0; k < decls_->size(); ++k) p.set((*decls_)[k].name, base_[k]);
  // The last dimension varies fastest.
  for (std::size_t k = dims_.size(); k-- > 0;) {
    const auto n = static_cast<long long>(dims_[k].values.size());
    p.set(dims_[k].name, dims_[k].values[static_cast<std::size_t>(i % n)]);
    i /= n;
  }
  return p;
}

std::vector<long long> HwSpace::sample(long long n, unsigned long long seed) const {
  const long long total = size();
  std::vector<long long> out;
  const long long wanted = (n <= 0 || n >= total) ? total : n;
  if (wanted > kMaxFullGrid) {
    throw InputError({path_, 0, 0}, "samples",
                     std::to_string(wanted) + " points of a grid of " + std::to_string(total) +
                         "; one sweep takes at most " + std::to_string(kMaxFullGrid) +
                         " (pass --samples N)");
  }
  if (n <= 0 || n >= total) {
    for (long long i = 0; i < total; ++i) out.push_back(i);
    return out;
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<long long> pick(0, total - 1);
  std::set<long long> chosen;
  while (static_cast<long long>(chosen.size()) < n) chosen.insert(pick(rng));
  return {chosen.begin(), chosen.end()};
}

}  // namespace coda::space
