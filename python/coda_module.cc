// The `coda` Python module (pybind11): networks, simulation, sweeps, cost
// models and the ask/tell search space and evaluator of an experiment, so a
// Python optimizer (Optuna, Nevergrad, ...) can drive coda. Each call runs the
// same library code as the CLI and returns what the CLI writes as JSON, as
// Python dicts (numpy arrays for batched predictions). Long calls release the
// GIL. Bad input raises ValueError with the CLI's message.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "models/cost/cost_model.h"
#include "models/network/yaml_io.h"
#include "models/network/zoo.h"
#include "plugins/builtins.h"
#include "search/evaluator.h"
#include "search/experiment.h"
#include "search/flow.h"
#include "search/space.h"
#include "search/sweep.h"
#include "sim/accelerator.h"

namespace py = pybind11;

namespace coda::python {
namespace {

// SystemC's kernel and the cost models are not thread-safe: calls that release
// the GIL run one at a time (other Python threads go on meanwhile).
std::mutex& engine_mutex() {
  static std::mutex m;
  return m;
}

py::object to_py(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(j.get<long long>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(j.get<unsigned long long>());
    case nlohmann::json::value_t::number_float:
      return py::float_(j.get<double>());
    case nlohmann::json::value_t::string:
      return py::str(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      py::list out;
      for (const auto& x : j) out.append(to_py(x));
      return std::move(out);
    }
    case nlohmann::json::value_t::object: {
      py::dict out;
      for (const auto& [k, v] : j.items()) out[py::str(k)] = to_py(v);
      return std::move(out);
    }
    default:
      return py::none();
  }
}

// A hardware config of one family.
struct Hardware {
  std::string arch;
  ParamSet params;
};

Hardware load_hw(const std::string& arch, const std::string& path,
                 const std::vector<std::string>& overrides) {
  return {arch, sim::load_hw(sim::accelerator(arch), path, overrides)};
}

// A network argument: a coda.Network, used in place, or a zoo name / YAML /
// ONNX path, loaded into `store` (a deque: pointers into it stay valid).
const network::Network* network_arg(const py::handle& x, std::deque<network::Network>& store) {
  if (py::isinstance<network::Network>(x)) return x.cast<const network::Network*>();
  store.push_back(network::load_network(x.cast<std::string>()));
  return &store.back();
}
// A hardware argument: a coda.Hardware, a YAML path, or None (the family's baseline).
ParamSet hw_arg(const std::string& arch, const py::handle& x) {
  if (x.is_none()) return load_hw(arch, "", {}).params;
  if (!py::isinstance<Hardware>(x)) return load_hw(arch, x.cast<std::string>(), {}).params;
  const Hardware& h = x.cast<const Hardware&>();
  if (h.arch != arch) {
    throw InputError({}, "hw", "a " + h.arch + " config given for arch " + arch);
  }
  return h.params;
}

nlohmann::json hw_json(const ParamSet& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& d : p.decls()) j[d.name] = p.get(d.name);
  return j;
}

nlohmann::json layer_json(const network::Layer& l) {
  return {{"name", l.name},
          {"op", network::op_name(l.op)},
          {"inputs", l.inputs},
          {"activation", network::activation_name(l.activation)},
          {"out_shape", {l.out_shape.c, l.out_shape.h, l.out_shape.w}},
          {"params", network::layer_params(l)},
          {"macs", network::layer_macs(l)}};
}

py::dict simulate(const py::object& net_arg, const std::string& arch, const py::object& hw,
                  const std::string& model, const std::string& scope) {
  std::deque<network::Network> store;
  const network::Network& net = *network_arg(net_arg, store);
  const ParamSet params = hw_arg(arch, hw);
  nlohmann::json j;
  {
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> one_at_a_time(engine_mutex());
    sim::ModelChoice choice;
    choice.model = model;
    choice.scope = scope;
    choice.check(arch);
    j = sim::to_json(choice.run(sim::accelerator(arch), net, params));
  }
  return to_py(j);
}

py::list sweep(const std::string& arch, const std::string& space, const std::string& network,
               const std::string& out, long long samples, int workers, unsigned long long seed,
               bool resume, const std::string& model) {
  search::SweepJob job;
  job.arch = arch;
  job.space = space;
  job.network = network;
  job.out = out;
  job.samples = samples;
  job.workers = workers;
  job.seed = seed;
  job.resume = resume;
  job.model.model = model;
  {
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> one_at_a_time(engine_mutex());
    search::run_sweep(job);
  }
  // The CSV the CLI writes, one dict a row.
  py::module_ csv = py::module_::import("csv");
  py::object f = py::module_::import("builtins").attr("open")(out);
  py::list rows(csv.attr("DictReader")(f));
  f.attr("close")();
  return rows;
}

class CostModel {
 public:
  CostModel(const std::string& spec, const std::string& arch)
      : arch_(arch), model_(cost::make_cost_model(spec, arch)) {}

  // One query per (network, hardware) pair; a single hardware applies to all.
  // Network and Hardware objects are used in place (no copies); names and
  // paths are loaded first.
  py::dict predict(const py::sequence& nets, const py::sequence& hws) {
    const std::size_t n = nets.size();
    if (hws.size() != 1 && hws.size() != n) {
      throw InputError({}, "hws",
                       "give one hardware config or one per network (" + std::to_string(n) +
                           "), not " + std::to_string(hws.size()));
    }
    std::deque<network::Network> loaded;
    std::vector<const network::Network*> ns;
    for (const auto& x : nets) ns.push_back(network_arg(x, loaded));
    std::vector<ParamSet> ps;
    for (const auto& h : hws) ps.push_back(hw_arg(arch_, h));
    py::array_t<double> latency(n), energy(n), area(n), sigma(n);
    py::array_t<bool> feasible(n);
    std::vector<cost::Metrics> answers;
    {
      py::gil_scoped_release release;
      const std::lock_guard<std::mutex> one_at_a_time(engine_mutex());
      std::vector<cost::Query> batch;
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) batch.push_back({ns[i], &ps[ps.size() == 1 ? 0 : i]});
      answers = model_->evaluate(batch);
    }
    auto l = latency.mutable_unchecked<1>();
    auto e = energy.mutable_unchecked<1>();
    auto a = area.mutable_unchecked<1>();
    auto s = sigma.mutable_unchecked<1>();
    auto f = feasible.mutable_unchecked<1>();
    py::list reasons;
    for (std::size_t i = 0; i < n; ++i) {
      l(i) = answers[i].latency_s * 1e3;
      e(i) = answers[i].energy_j * 1e3;
      a(i) = answers[i].area_mm2;
      s(i) = answers[i].latency_sigma;
      f(i) = answers[i].feasible;
      reasons.append(answers[i].reason);
    }
    py::dict out;
    out["latency_ms"] = latency;
    out["energy_mj"] = energy;
    out["area_mm2"] = area;
    out["latency_sigma"] = sigma;
    out["feasible"] = feasible;
    out["reason"] = reasons;
    return out;
  }
  std::string name() const { return model_->source(); }

 private:
  std::string arch_;
  std::unique_ptr<cost::CostModel> model_;
};

// An experiment's search space and evaluator, for ask/tell from Python: the
// optimizer picks one choice index per dimension, evaluate() scores batches
// with the experiment's cost model, accuracy evaluator and objective (cached,
// as in `coda run`).
class Study {
 public:
  explicit Study(const std::string& path)
      : e_(search::load_experiment(path)), run_(e_, search::RunOptions{}) {
    space_ = std::make_unique<search::SearchSpace>(
        e_.network_space, e_.network_space ? std::nullopt : run_.network(), e_.hardware_space,
        e_.hardware_space ? std::nullopt : e_.hardware);
    ev_ = run_.evaluator(*space_);
  }

  py::list dimensions() const {
    py::list out;
    for (const auto& d : space_->dimensions()) out.append(py::make_tuple(d.name, d.labels));
    return out;
  }
  double size() const { return space_->size(); }
  std::string describe(const search::Candidate& x) const { return space_->describe(x); }
  py::tuple decode(const search::Candidate& x) const {
    auto d = space_->decode(x);
    return py::make_tuple(d.net, Hardware{e_.arch, d.hw});
  }
  py::list evaluate(const std::vector<search::Candidate>& batch) {
    std::vector<search::Evaluation> done;
    {
      py::gil_scoped_release release;
      const std::lock_guard<std::mutex> one_at_a_time(engine_mutex());
      done = ev_->evaluate(batch);
    }
    py::list out;
    for (const auto& ev : done) out.append(to_py(ev.to_json()));
    return out;
  }
  const search::Experiment& experiment() const { return e_; }

 private:
  search::Experiment e_;
  search::FlowRun run_;
  std::unique_ptr<search::SearchSpace> space_;
  std::unique_ptr<search::Evaluator> ev_;
};

}  // namespace
}  // namespace coda::python

PYBIND11_MODULE(coda, m) {
  using namespace coda;
  using namespace coda::python;
  m.doc() =
      "coda: co-design of neural networks and DNN accelerators. Networks, simulation, sweeps, "
      "cost models and ask/tell search over an experiment's space.";
  register_builtins();
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);

  py::class_<network::Network>(m, "Network", "A network of the IR (zoo, YAML or ONNX)")
      .def_property_readonly("name", &network::Network::name)
      .def_property_readonly("params", &network::Network::params)
      .def_property_readonly("macs", &network::Network::macs)
      .def_property_readonly("input_shape",
                             [](const network::Network& n) {
                               const auto s = n.input_shape();
                               return py::make_tuple(s.c, s.h, s.w);
                             })
      .def_property_readonly("layers",
                             [](const network::Network& n) {
                               nlohmann::json j = nlohmann::json::array();
                               for (auto id : n.layers()) j.push_back(layer_json(n.layer(id)));
                               return to_py(j);
                             })
      .def("to_yaml", &network::to_yaml)
      .def("__len__", &network::Network::size)
      .def("__repr__", [](const network::Network& n) {
        std::size_t layers = 0;
        for (auto id : n.layers()) layers += n.layer(id).op != network::Op::kInput;
        return "<coda.Network " + n.name() + ": " + std::to_string(layers) + " layers, " +
               std::to_string(n.params()) + " params, " + std::to_string(n.macs()) + " MACs>";
      });

  py::class_<Hardware>(m, "Hardware", "A hardware config of one accelerator family")
      .def_readonly("arch", &Hardware::arch)
      .def("to_dict", [](const Hardware& h) { return to_py(hw_json(h.params)); })
      .def("to_yaml", [](const Hardware& h) { return h.params.dump_yaml(); })
      .def("__repr__", [](const Hardware& h) {
        return "<coda.Hardware " + h.arch + " " + h.params.key() + ">";
      });

  m.def("load_network", &network::load_network, py::arg("spec"),
        "A zoo name (`mobilenet_v2:width=0.75`), a network .yaml or an ONNX model");
  m.def("load_hw", &load_hw, py::arg("arch"), py::arg("path") = "",
        py::arg("set") = std::vector<std::string>{},
        "The family's baseline, a YAML file over it, then field=value overrides");
  m.def("zoo_names", &network::zoo_names);
  m.def("simulate", &simulate, py::arg("net"), py::arg("arch"), py::arg("hw") = py::none(),
        py::arg("model") = "systemc", py::arg("scope") = "network",
        "Simulates `net` on `hw` (None: the baseline); the dict `coda simulate --json` writes");
  m.def("sweep", &sweep, py::arg("arch"), py::arg("space"), py::arg("network"), py::arg("out"),
        py::arg("samples") = 0, py::arg("workers") = 1, py::arg("seed") = 1,
        py::arg("resume") = false, py::arg("model") = "systemc",
        "`coda sweep`: writes `out` (CSV, Pareto front beside it) and returns its rows");

  py::class_<CostModel>(m, "CostModel",
                        "A cost model: mlp[:FILE], mlp-layer[:FILE], "
                        "simulator, analytical, ...")
      .def(py::init<const std::string&, const std::string&>(), py::arg("spec"),
           py::arg("arch") = "edge")
      .def_property_readonly("name", &CostModel::name)
      .def("predict", &CostModel::predict, py::arg("nets"), py::arg("hws"),
           "One batched query: numpy arrays latency_ms, energy_mj, area_mm2, latency_sigma, "
           "feasible, and the list reason");

  py::class_<Study>(m, "Study", "An experiment's search space and evaluator (ask/tell)")
      .def(py::init<const std::string&>(), py::arg("experiment"))
      .def_property_readonly("name", [](const Study& s) { return s.experiment().name; })
      .def_property_readonly("arch", [](const Study& s) { return s.experiment().arch; })
      .def_property_readonly("dimensions", &Study::dimensions,
                             "[(name, [labels])]: a candidate is one index per dimension")
      .def_property_readonly("size", &Study::size)
      .def("describe", &Study::describe, py::arg("candidate"))
      .def("decode", &Study::decode, py::arg("candidate"), "(Network, Hardware)")
      .def("evaluate", &Study::evaluate, py::arg("candidates"),
           "Scores a batch: one dict per candidate (accuracy, reward, latency_s, energy_j, "
           "area_mm2, feasible, ...)");
}
