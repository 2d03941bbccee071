// YAML load/save of the network IR. save(load(x)) reproduces x exactly for any
// x written by save, and load(save(n)) equals n layer for layer.
#pragma once

#include <string>

#include "models/network/network.h"

namespace coda::network {

Network load_network_yaml(const std::string& path);
Network parse_network_yaml(const std::string& text, const std::string& name = "<string>");
std::string to_yaml(const Network& net);
// A structural hash of the network (its layers, not its name), 16 hex
// digits: the key of accuracy caches.
std::string network_hash(const Network& net);
void save_network_yaml(const Network& net, const std::string& path);

// Graphviz DOT, one node per layer labelled with its op and output shape.
std::string to_dot(const Network& net);

// True when both networks have the same name and layer definitions.
bool same_network(const Network& a, const Network& b);

}  // namespace coda::network
