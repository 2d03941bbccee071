#include "models/space/joint_space.h"

#include <filesystem>
#include <random>

namespace coda::space {

JointSpace JointSpace::load(const std::string& path, const std::string& arch,
                            const std::vector<ParamDecl>& decls) {
  const YamlDoc doc = open_space(path, "joint space", {"arch", "hardware", "network"}, arch);
  JointSpace s;
  s.arch_ = arch;
  s.hw_ =
      HwSpace::load(space_relative(path, read_string(doc.file, doc.root, "hardware")), arch, decls);
  if (!doc.root["network"])
    throw InputError(location_of(doc.file, doc.root), "network", "missing field");
  s.nas_ = NasSpace::from_reference(doc, doc.root["network"]);
  return s;
}

std::mt19937_64 sample_rng(unsigned long long seed, long long index) {
  std::seed_seq seq{static_cast<unsigned>(seed), static_cast<unsigned>(seed >> 32),
                    static_cast<unsigned>(index),
                    static_cast<unsigned>(static_cast<unsigned long long>(index) >> 32)};
  return std::mt19937_64(seq);
}

JointSample JointSpace::sample(unsigned long long seed, long long index) const {
  std::mt19937_64 rng = sample_rng(seed, index);
  JointSample s;
  s.index = index;
  s.nas = nas_.sample(rng);
  std::uniform_int_distribution<long long> pick(0, hw_.size() - 1);
  s.hw_point = pick(rng);
  return s;
}

}  // namespace coda::space
