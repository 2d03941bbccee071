// The registry template, declared options and the Pareto archive that every
// extension point, loader and report share.
#include <gtest/gtest.h>

#include "core/options.h"
#include "core/pareto.h"
#include "core/registry.h"
#include "tests/util/errors.h"

namespace coda {
namespace {

using test::input_error_of;

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
};
struct Square : Shape {
  explicit Square(double s) : side(s) {}
  double area() const override { return side * side; }
  double side;
};

TEST(Registry, MakesByNameAndListsTheNamesOfUnknownOnes) {
  Registry<Shape, const Options&> shapes("shape", "shape", " (plugins add more)");
  const OptionDecls decls = {OptionDecl::number("side", 2, 0, 10, "side length")};
  shapes.add({"square", "a square", decls,
              [](const Options& o) { return std::make_unique<Square>(o.number("side")); }});
  shapes.add(
      {"unit", "a unit square", {}, [](const Options&) { return std::make_unique<Square>(1); }});
  EXPECT_EQ(shapes.names(), (std::vector<std::string>{"square", "unit"}));
  EXPECT_DOUBLE_EQ(shapes.make("square", Options(decls, "shape square"))->area(), 4);
  EXPECT_EQ(shapes.info("square").description, "a square");
  EXPECT_EQ(input_error_of([&] {
              shapes.at("circle", {"e.yaml", 3, 9});
            }),
            "e.yaml:3:9: 'shape': unknown shape 'circle'; available: square, unit (plugins add "
            "more)");
  EXPECT_EQ(input_error_of([&] {
              shapes.add({"unit", "again", {}, [](const Options&) { return nullptr; }});
            }),
            "'shape': the shape 'unit' is registered twice");
  bool listed = false;
  for (const RegistryBase* r : all_registries()) listed = listed || r == &shapes;
  EXPECT_TRUE(listed);
}

TEST(Options, DefaultsComeFromTheDeclarationAlone) {
  const OptionDecls decls = {
      OptionDecl::integer("population", 50, 2, 100000, "members"),
      OptionDecl::number("lr", 0.05, 1e-6, 10, "learning rate"),
      OptionDecl::choice("schedule", "cosine", {"cosine", "constant"}, "schedule"),
      OptionDecl::flag("verbose", false, "talk"),
      OptionDecl::path("table", "", "a table"),
      OptionDecl::positive("latency_ms", "target"),
      OptionDecl::list("constraints", "more"),
      OptionDecl::integer("has", 0, 1, 100, "episodes").required_option(),
  };
  const YamlDoc doc = load_yaml_string(
      "x: {population: 8, schedule: constant, table: t.csv, has: 3, constraints: [{a: 1}]}\n",
      "/exp/e.yaml");
  const Options o = Options::from_yaml(decls, "strategy evolution", doc, doc.root["x"]);
  EXPECT_EQ(o.integer("population"), 8);
  EXPECT_DOUBLE_EQ(o.number("lr"), 0.05);  // the declared default
  EXPECT_EQ(o.text("schedule"), "constant");
  EXPECT_FALSE(o.flag("verbose"));
  EXPECT_EQ(o.text("table"), "/exp/t.csv");  // relative to the file
  EXPECT_FALSE(o.given("latency_ms"));
  EXPECT_TRUE(o.given("has"));
  EXPECT_EQ(o.list("constraints").size(), 1u);
  EXPECT_EQ(o.where("population").line, 1);
  EXPECT_EQ(o.to_json().at("lr"), 0.05);
  EXPECT_THROW(o.number("undeclared"), std::logic_error);

  auto error = [&](const std::string& yaml) {
    const YamlDoc d = load_yaml_string(yaml, "e.yaml");
    return input_error_of([&] { Options::from_yaml(decls, "strategy evolution", d, d.root); });
  };
  EXPECT_EQ(error("{has: 1, populaton: 8}"),
            "e.yaml:1:10: 'populaton': unknown option of strategy evolution; known: constraints, "
            "has, latency_ms, lr, population, schedule, table, verbose");
  EXPECT_EQ(error("{has: 1, population: 1}"),
            "e.yaml:1:22: 'population': strategy evolution: 1 is not allowed; an integer from 2 "
            "to 100000");
  EXPECT_EQ(error("{has: 1, population: 2.5}"),
            "e.yaml:1:22: 'population': strategy evolution: expected an integer, got '2.5'");
  EXPECT_EQ(error("{has: 1, schedule: step}"),
            "e.yaml:1:20: 'schedule': strategy evolution: 'step' is not allowed; one of cosine, "
            "constant");
  EXPECT_EQ(error("{has: 1, latency_ms: 0}"),
            "e.yaml:1:22: 'latency_ms': strategy evolution: 0 is not allowed; a number > 0");
  EXPECT_EQ(error("{has: 1, constraints: 3}"),
            "e.yaml:1:23: 'constraints': strategy evolution: expected a list");
  EXPECT_EQ(error("{population: 8}"),
            "e.yaml:1:1: 'has': missing option of strategy evolution (episodes; an integer from 1 "
            "to 100)");

  Options cli(decls, "accuracy evaluator train");
  cli.set_text("lr", "0.1", {"--lr", 0, 0});
  EXPECT_DOUBLE_EQ(cli.number("lr"), 0.1);
  EXPECT_EQ(input_error_of([&] {
              cli.set_text("lr", "fast", {"--lr", 0, 0});
            }),
            "--lr: 'lr': accuracy evaluator train: expected a number, got 'fast'");
  EXPECT_EQ(options_markdown({decls[0]}),
            "| option | default | allowed | description |\n|---|---|---|---|\n"
            "| `population` | 50 | an integer from 2 to 100000 | members |\n");
}

TEST(Pareto, KeepsTheNonDominatedAndTheFirstOfEqualPoints) {
  // Latency (min) and accuracy (max).
  ParetoArchive a({{"latency_ms", false}, {"accuracy", true}});
  EXPECT_TRUE(a.insert(0, {2.0, 0.70}));
  EXPECT_TRUE(a.insert(1, {1.0, 0.60}));
  EXPECT_FALSE(a.insert(2, {2.5, 0.65}));  // slower and less accurate than 0
  EXPECT_FALSE(a.insert(3, {1.0, 0.60}));  // equal to 1: the first stays
  EXPECT_TRUE(a.insert(4, {1.0, 0.75}));   // dominates 0 and 1
  EXPECT_EQ(a.front(), (std::vector<std::size_t>{4}));
  EXPECT_TRUE(a.insert(5, {0.5, 0.10}));
  EXPECT_EQ(a.front(), (std::vector<std::size_t>{4, 5}));
  EXPECT_EQ(pareto_front({{3, 3}, {1, 1}, {2, 2}, {1, 4}}, {{"x", false}, {"y", true}}),
            (std::vector<std::size_t>{3}));
  EXPECT_THROW(a.insert(6, {1.0}), std::logic_error);
}

}  // namespace
}  // namespace coda
