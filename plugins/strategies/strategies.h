// The built-in search strategies, registered by coda::register_builtins().
//   random      uniform samples
//   grid        every candidate in mixed-radix order (last dimension fastest)
//   evolution   regularized (aging) evolution, Real et al. 2019
//   reinforce   LSTM controller, REINFORCE with an EMA baseline (HotNAS eq. 19)
//   ppo         LSTM controller, clipped PPO (NAHAS §3.5.1)
//   tunas       independent logits, REINFORCE (TuNAS; NAHAS oneshot)
//   dnas        Gumbel-softmax logits descended through a supernet (FBNet)
#pragma once

namespace coda::plugins {

void register_basic_strategies();    // random, grid, evolution (basic.cc)
void register_rl_strategies();       // reinforce, ppo (rl.cc)
void register_oneshot_strategies();  // tunas, dnas (oneshot.cc)

}  // namespace coda::plugins
