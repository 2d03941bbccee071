#include "plugins/builtins.h"

#include "core/files.h"
#include "models/cost/cost_model.h"
#include "models/cost/layer_model.h"
#include "models/cost/lut.h"
#include "models/cost/mlp.h"
#include "models/dpu/dpu.h"
#include "models/edge/edge.h"
#include "models/fpga/fpga.h"
#include "models/pipelined/pipelined.h"
#include "models/space/nas_space.h"
#include "plugins/accuracy/evaluators.h"
#include "plugins/accuracy/zoo.h"
#include "plugins/oneshot/oneshot.h"
#include "plugins/strategies/strategies.h"
#include "search/flows/flows.h"
#include "search/objectives/objectives.h"

namespace coda {

void register_builtins() {
  static const bool done = [] {
    // Accelerator families and their SystemC parts.
    edge::register_edge();
    fpga::register_fpga();
    dpu::register_dpu();
    pipelined::register_pipelined();
    // Cost models.
    cost::register_accelerator_cost_models();
    cost::register_mlp_cost_model();
    cost::register_layer_cost_model();
    cost::register_lut_cost_model();
    // Accuracy evaluators.
    accuracy::register_table_evaluator();
    accuracy::register_train_evaluator();
    accuracy::register_hot_start_evaluator();
    accuracy::register_zero_cost_evaluator();
    // Strategies, objectives and flows.
    plugins::register_basic_strategies();
    plugins::register_rl_strategies();
    plugins::register_oneshot_strategies();
    search::register_nahas_objective();
    search::register_zeng_objectives();
    search::register_lu_objective();
    search::register_hotnas_objective();
    search::register_single_flows();
    search::register_phase_flow();
    search::register_nested_flow();
    search::register_spec_grid_flow();
    search::register_hotnas_flow();
    search::register_compare_flow();
    plugins::register_oneshot_flow();
    // NAS spaces: every file shipped in configs/spaces/nas/.
    space::register_nas_space_files(config_dir() + "/spaces/nas");
    return true;
  }();
  (void)done;
}

}  // namespace coda
