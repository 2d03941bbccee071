// The model zoo (reference/zoo.md). A network is named `name` or
// `name:key=value,...`; the same syntax works wherever a network is named.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/network/network.h"

namespace coda::network {

struct ZooOption {
  std::string key;
  std::string default_value;
  std::string description;
};

// Options given to a zoo builder, already checked against its declaration.
class ZooOptions {
 public:
  ZooOptions(std::string network, std::map<std::string, std::string> values)
      : network_(std::move(network)), values_(std::move(values)) {}
  long long get_int(const std::string& key, long long lo, long long hi) const;
  double get_double(const std::string& key, double lo, double hi) const;
  bool get_bool(const std::string& key) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& allowed) const;

 private:
  const std::string& raw(const std::string& key) const;
  std::string network_;
  std::map<std::string, std::string> values_;
};

struct ZooEntry {
  std::string name;
  std::string source;  // torchvision model or paper section
  std::vector<ZooOption> options;
  std::function<Network(const ZooOptions&)> build;
};

const std::vector<ZooEntry>& zoo();
std::vector<std::string> zoo_names();
bool is_zoo_name(const std::string& spec);  // true when the part before ':' is a zoo name

// Builds `name[:key=value,...]`. An unknown name suggests the nearest ones; an
// unknown option lists the network's options.
Network build_zoo(const std::string& spec);

// A zoo spec, a YAML file path (anything ending in .yaml/.yml) or an ONNX
// model (.onnx, see onnx_import.h).
Network load_network(const std::string& spec_or_path);

}  // namespace coda::network
