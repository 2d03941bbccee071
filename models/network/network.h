// The network IR: a DAG of layers on Boost.Graph, with shape inference and
// MAC/parameter counts.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "models/network/layer.h"

namespace coda::network {

// Raised when layers do not fit together; names the layer and both shapes.
class ShapeError : public InputError {
 public:
  using InputError::InputError;
};

class Network {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Layer>;
  using LayerId = Graph::vertex_descriptor;

  Network() = default;
  explicit Network(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Adds a layer whose inputs already exist and infers its shape at once, so
  // builders can read channel counts as they go. Layers are therefore always
  // added in a topological order. An empty `inputs` means "the layer added
  // last" (none for an input layer).
  LayerId add(Layer layer, SourceLocation where = {});

  // Re-runs shape inference over the whole graph, e.g. after compression
  // annotations changed.
  void infer_shapes();

  std::size_t size() const { return boost::num_vertices(graph_); }
  const Layer& layer(LayerId id) const { return graph_[id]; }
  Layer& mutable_layer(LayerId id) { return graph_[id]; }
  const Layer& layer(const std::string& name) const { return graph_[id(name)]; }
  LayerId id(const std::string& name) const;
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  const Graph& graph() const { return graph_; }

  // Topological order (boost::topological_sort), ties broken by insertion.
  std::vector<LayerId> topological_order() const;
  // Layers in the order they were added (also topological).
  std::vector<LayerId> layers() const;

  // Layers that nothing consumes: the network's outputs.
  std::vector<LayerId> outputs() const;
  Shape input_shape() const;

  std::int64_t params() const;
  std::int64_t macs() const;

  // The source file and line of each layer, when it was loaded from YAML.
  SourceLocation location(LayerId id) const;

 private:
  void infer(LayerId id);

  std::string name_;
  Graph graph_;
  std::unordered_map<std::string, LayerId> index_;
  std::unordered_map<LayerId, SourceLocation> locations_;
};

// Multiply-accumulates of conv2d and linear layers (the zoo.md convention);
// pattern zeros and channel cuts reduce them.
std::int64_t layer_macs(const Layer& layer);
// Trainable parameters, counted as torchvision counts them (folded batch-norm
// affine included); pattern zeros and channel cuts reduce them.
std::int64_t layer_params(const Layer& layer);
// Weight elements alone (no bias or batch-norm), after compression.
std::int64_t layer_weights(const Layer& layer);

}  // namespace coda::network
