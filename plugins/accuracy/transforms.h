// Compression transforms on a trained LibTorch model, keeping its weights
// (the HotNAS and Lu et al. flows fine-tune from them):
//  - per-layer fake quantization (Lu et al. eq. 1-2), carried by the IR's
//    `quant` and applied in TorchNet's forward pass;
//  - pattern pruning with a pattern set (HotNAS iSpace i): each kernel keeps
//    the pattern that retains the most weight (L2), masks fixed afterwards;
//  - channel pruning (HotNAS eq. 16-17): the cut channels are those of least
//    L1 norm, and the cut ripples into every consumer's input;
//  - kernel expansion (HotNAS Theorem 1): the kernel and padding grow by e,
//    the new taps are zero, so outputs are unchanged before fine-tuning.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plugins/accuracy/torch_net.h"

namespace coda::accuracy {

// Every KxK mask with `zeros` zeros, in lexicographic order of zero positions
// (84 for K = 3, zeros = 3, as HotNAS Figure 4).
std::vector<torch::Tensor> pattern_candidates(int k, int zeros);

// Assigns every kernel of `layer` the pattern of `patterns` that keeps the
// largest L2 norm and fixes the mask. Records PAT_c / PAT_n in the IR.
void apply_patterns(TorchNet& net, const std::string& layer,
                    const std::vector<torch::Tensor>& patterns);
// Picks PAT_n patterns of category PAT_c by vote (each kernel votes for its
// best candidate), applies them and returns them.
std::vector<torch::Tensor> prune_patterns(TorchNet& net, const std::string& layer, int pat_c,
                                          int pat_n);

// A new model whose IR has `cut` fewer output channels on `layer`, the
// weights carried over (consumers lose the matching input channels).
std::unique_ptr<TorchNet> prune_channels(TorchNet& src, const std::string& layer, int cut);
// A new model whose `layer` kernel grows by 2e (padding by e), zero-filled.
std::unique_ptr<TorchNet> expand_kernel(TorchNet& src, const std::string& layer, int e);
// A new model with `quant` on `layer` (weights carried over unchanged).
std::unique_ptr<TorchNet> quantize_layer(TorchNet& src, const std::string& layer,
                                         const network::Quant& quant);

// The general mechanism: `ir` must name the same layers as src's IR; weights
// are carried over through channel cuts and kernel growth.
std::unique_ptr<TorchNet> transfer(TorchNet& src, const network::Network& ir);

}  // namespace coda::accuracy
