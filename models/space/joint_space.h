// A joint space: a NAS space times a hardware space (NAHAS §3). Sample `i`
// of a seed is always the same candidate, whichever worker draws it, so
// datasets and searches resume and parallelise deterministically.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "models/space/hw_space.h"
#include "models/space/nas_space.h"

namespace coda::space {

// The generator of sample `index` of a seed, the same whichever process
// draws it.
std::mt19937_64 sample_rng(unsigned long long seed, long long index);

struct JointSample {
  long long index = 0;
  std::vector<int> nas;  // choice indices
  long long hw_point = 0;
};

class JointSpace {
 public:
  // YAML: {arch: edge, hardware: <hw space file, relative to this one>,
  //        network: {space: nahas_s1, input: 224}}
  static JointSpace load(const std::string& path, const std::string& arch,
                         const std::vector<ParamDecl>& decls);

  const std::string& arch() const { return arch_; }
  const HwSpace& hw() const { return hw_; }
  const NasSpace& nas() const { return nas_; }
  JointSample sample(unsigned long long seed, long long index) const;

 private:
  std::string arch_;
  HwSpace hw_;
  NasSpace nas_;
};

}  // namespace coda::space
