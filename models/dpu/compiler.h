// The DPU compiler: fuses layers into groups (conv + bias + activation,
// conv + eltwise add, conv + pool; concat needs no data movement), checks
// each operator against the UG1414 limits (unsupported ones run on the host
// and are flagged), tiles feature maps and weights into the banks, and emits
// an instruction stream whose dependencies play the role of dpdon/dpdby.
#pragma once

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/dpu/config.h"
#include "models/network/network.h"

namespace coda::dpu {

enum class Opcode {
  kLoad,
  kSave,
  kConvInit,
  kConv,
  kPoolInit,
  kPool,
  kDwInit,
  kDptwise,
  kElewInit,
  kElew,
  kHost,
  kEnd
};
inline constexpr int kOpcodes = 12;
const char* opcode_name(Opcode op);

// The engine that executes an opcode. Engines of one core run concurrently.
enum class Unit { kLoad, kSave, kConv, kMisc, kDwconv, kHost };
inline constexpr int kUnits = 6;
const char* unit_name(Unit u);
Unit unit_of(Opcode op);

struct Instruction {
  Instruction(Opcode o, int g) : op(o), group(g) {}
  Opcode op;
  int group;
  long long bytes = 0;     // LOAD/SAVE
  double cycles = 0;       // compute instructions, at the DPU clock
  double host_s = 0;       // host work
  std::vector<int> dpdon;  // instructions this one waits for
  std::string note;        // listing detail (what is loaded, tile rows, ...)
};

struct Group {
  std::string name;                 // first layer
  std::vector<std::string> layers;  // the fused layers
  std::string kind;                 // conv, dwconv, pool, elew, host, free
  std::string host_reason;          // why it runs on the host
  long long macs = 0;
  int tiles = 0;
  std::array<int, kOpcodes> counts{};
};

struct Program {
  bool feasible = true;
  std::string reason;
  std::vector<Group> groups;
  std::vector<Instruction> insts;
  std::vector<std::string> host_layers;  // flagged: run on the CPU
};

Program compile(const network::Network& net, const DpuConfig& hw);

// A readable listing: one instruction per line, then per-group counts.
std::string listing(const Program& p);

// `coda dpu compile --json`: per fused group its layers, kind, tiles,
// instruction counts and host reason, with the program's totals.
nlohmann::json program_json(const Program& p, const network::Network& net, const DpuConfig& hw);
// Instructions per opcode over the whole program, e.g. " LOAD=12 CONV=40".
std::string opcode_totals(const Program& p);

}  // namespace coda::dpu
