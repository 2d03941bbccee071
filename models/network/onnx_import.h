// ONNX import: an image classifier's graph (one NCHW input) becomes the
// network IR. Only shapes are read, never weight values, so a model whose
// weights were stripped (dims kept) imports exactly like the full one.
//
// Batch-norms fold into the Conv, Gemm or Concat before them, activations
// fuse into their producer where it has no other consumer, and the small
// integer graphs that exporters leave for shapes (Shape, Gather, Div, ...)
// are evaluated at import. QuantizeLinear/DequantizeLinear set the consuming
// layer's fixed-point formats. Anything else is an InputError naming the node,
// its op type and the supported ops.
#pragma once

#include <string>
#include <vector>

#include "models/network/network.h"

namespace coda::network {

// Reads `path` (a .onnx file). The network is named after the file's stem.
Network import_onnx(const std::string& path);

// The ONNX op types import_onnx maps, sorted.
std::vector<std::string> onnx_supported_ops();

}  // namespace coda::network
