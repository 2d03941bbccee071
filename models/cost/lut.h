// A latency look-up table (Zeng et al. §III-C, FBNet's LUT): per searchable
// layer of a NAS space, the latency of each of its block choices, measured on
// a black box (any cost model, the DPU's SystemC model by default), plus the
// fixed parts (stem, head and classifier). A network's latency is the sum of
// its blocks' entries and the fixed parts. Three tables are kept:
//   none         every block measured alone (FBNet's plain LUT);
//   supernet     eq. 7: a block's entry is its latency inside the specified
//                network SN, L_BN(n, l) - L_SN + L_SNblock(l), from the
//                search-space base networks of SN;
//   single_path  eq. 8: the same in N specified networks SN_i, one per block
//                kind, and a child network's block averaged over the
//                contexts of the L blocks it has.
// In the two corrected tables the fixed parts take what remains of L_SN, so
// SN and every base network are reproduced exactly; what is left is how far
// the black box is from adding its blocks' changes up.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/params.h"
#include "models/network/network.h"

namespace coda::cost {

enum class LutCorrection { kNone, kSupernet, kSinglePath };
LutCorrection lut_correction(const std::string& name);  // none | supernet | single_path

struct LutBuildJob {
  std::string arch;
  std::string hw;                        // hardware config YAML ("": the family's defaults)
  std::string space;                     // a registered NAS space or a NAS-space file
  std::string out;                       // lut.json
  int input = 0, classes = 0;            // 0: the space's
  std::string cost_model = "simulator";  // the black box
  std::string specified;                 // SN: a block label at every layer ("": the first choice)
  int workers = 1;
};
// Measures every table and writes the file; returns its summary (space,
// layers, block_kinds, measured, seconds, out).
nlohmann::json build_lut(const LutBuildJob& job);
// The same on a hardware config given as values (job.hw is not read).
nlohmann::json build_lut(const LutBuildJob& job, const ParamSet& hw);

class LatencyLut {
 public:
  static LatencyLut load(const std::string& path);

  const std::string& arch() const { return arch_; }
  const std::string& hw_key() const { return hw_key_; }
  std::size_t layers() const { return layers_.size(); }
  // The latency in seconds of the candidate with combination combos[l] at
  // layer l (indices into the layer's combinations).
  double latency_s(const std::vector<int>& combos, LutCorrection c) const;
  // The combination of every searchable layer of a network decoded from the
  // table's space, recognised by its layers' structure; InputError when the
  // network is not one of the space's.
  std::vector<int> recognise(const network::Network& net) const;

 private:
  struct Layer {
    std::string name;
    std::vector<std::string> labels;        // per combination
    std::map<std::string, int> signatures;  // structure -> combination
    std::vector<double> plain;              // per combination
    std::vector<double> supernet;           // per combination
    std::vector<int> context;               // per combination: its single-path context
  };
  std::string arch_, hw_key_, space_name_;
  std::vector<Layer> layers_;
  double plain_rest_ = 0, supernet_rest_ = 0;
  // single_path_[k][l][c]: block c of layer l in context k; rest per context.
  std::vector<std::vector<std::vector<double>>> single_path_;
  std::vector<double> single_path_rest_;
};

// The structure of a network's layers that belong to searchable layer
// `layer` (its name, or names under "<layer>."), independent of the rest.
std::string block_signature(const network::Network& net, const std::string& layer);

// Registers the cost model "lut:FILE", or "lut" that builds its table.
void register_lut_cost_model();

}  // namespace coda::cost
