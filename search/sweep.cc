#include "search/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <set>

#include "core/cluster.h"
#include "core/error.h"
#include "core/files.h"
#include "core/pareto.h"
#include "core/plot.h"
#include "core/report.h"
#include "core/text.h"
#include "core/worker_pool.h"
#include "models/network/zoo.h"
#include "models/space/hw_space.h"

namespace coda::search {
namespace {

const std::vector<std::string> kMetrics = {"status",   "latency_ms",  "cycles", "energy_mj",
                                           "area_mm2", "utilization", "reason"};

struct Row {
  long long point;
  std::vector<std::string> fields;
};

std::string stem_of(const std::string& out) {
  const std::filesystem::path p(out);
  return (p.parent_path() / p.stem()).string();
}

// The position of column `name` in a row's fields (the point column excluded).
std::size_t field_index(const std::vector<std::string>& header, const std::string& name) {
  return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin()) -
         1;
}

// The CSV of `rows` under `header` (the reason column quoted).
std::string csv_text(const std::vector<std::string>& header, const std::vector<const Row*>& rows) {
  std::string text = join(header, ",") + "\n";
  for (const Row* r : rows) {
    std::vector<std::string> f = r->fields;
    f.back() = csv_quote(f.back());
    text += std::to_string(r->point) + "," + join(f, ",") + "\n";
  }
  return text;
}

void write_pareto(const std::string& out, const std::vector<std::string>& header,
                  const std::vector<Row>& rows) {
  const auto col = [&](const std::string& name) { return field_index(header, name); };
  const std::size_t st = col("status"), lat = col("latency_ms"), ar = col("area_mm2");
  std::vector<const Row*> ok;
  for (const auto& r : rows)
    if (r.fields.at(st) == "ok") ok.push_back(&r);
  // Ties go to the lowest point, whatever order the workers finished in.
  std::sort(ok.begin(), ok.end(), [&](const Row* a, const Row* b) {
    const double la = std::stod(a->fields[lat]), lb = std::stod(b->fields[lat]);
    if (la != lb) return la < lb;
    const double aa = std::stod(a->fields[ar]), ab = std::stod(b->fields[ar]);
    if (aa != ab) return aa < ab;
    return a->point < b->point;
  });
  ParetoArchive archive({{"latency_ms", false}, {"area_mm2", false}});
  for (std::size_t i = 0; i < ok.size(); ++i) {
    archive.insert(i, {std::stod(ok[i]->fields[lat]), std::stod(ok[i]->fields[ar])});
  }
  std::vector<const Row*> front;
  for (std::size_t i : archive.front()) front.push_back(ok[i]);
  const std::string stem = stem_of(out);
  write_text(csv_text(header, front), stem + "_pareto.csv");
  // Plot all feasible designs and the front with gnuplot.
  const std::string all_dat = stem + "_pareto_all.dat", front_dat = stem + "_pareto_front.dat";
  std::string all_points, front_points;
  for (const Row* r : ok) all_points += r->fields[ar] + " " + r->fields[lat] + "\n";
  for (const Row* r : front) front_points += r->fields[ar] + " " + r->fields[lat] + "\n";
  write_text(all_points, all_dat);
  write_text(front_points, front_dat);
  const std::string script = fmt::format(
      "set terminal pngcairo size 900,600\nset output '{}_pareto.png'\n"
      "set xlabel 'area (mm^2)'\nset ylabel 'latency (ms)'\nset logscale y\nset grid\n"
      "set title 'latency-area Pareto front ({} feasible designs)'\n"
      "plot '{}' using 1:2 with points pt 7 ps 0.4 lc rgb '#999999' title 'designs', "
      "'{}' using 1:2 with linespoints pt 7 lc rgb '#cc0000' title 'Pareto front'\n",
      stem, ok.size(), all_dat, front_dat);
  run_gnuplot(script, "Pareto PNG");
  std::filesystem::remove(all_dat);
  std::filesystem::remove(front_dat);
  std::cout << fmt::format(
      "pareto: {} designs on the latency-area front -> {}_pareto.csv, {}_pareto.png\n",
      front.size(), stem, stem);
}

// The fastest feasible design with its fields, or why none was feasible.
void report_fastest(const std::vector<std::string>& header, const std::vector<Row>& rows) {
  const auto col = [&](const std::string& name) { return field_index(header, name); };
  const std::size_t st = col("status"), lat = col("latency_ms");
  const Row* best = nullptr;
  for (const auto& r : rows) {
    if (r.fields.at(st) != "ok") continue;
    const double l = std::stod(r.fields[lat]);
    if (!best || l < std::stod(best->fields[lat]) ||
        (l == std::stod(best->fields[lat]) && r.point < best->point)) {
      best = &r;
    }
  }
  if (!best) {
    std::cout << "fastest: no feasible design";
    if (!rows.empty())
      std::cout << " (e.g. point " << rows.front().point << ": " << rows.front().fields.back()
                << ")";
    std::cout << "\n";
    return;
  }
  std::string fields;
  for (std::size_t i = 1; i < header.size() && header[i] != kMetrics.front(); ++i)
    fields += (fields.empty() ? "" : ", ") + header[i] + "=" + best->fields[i - 1];
  std::cout << fmt::format("fastest feasible: point {}, {} ms: {}\n", best->point,
                           best->fields[lat], fields);
}

}  // namespace

void run_sweep(const SweepJob& job) {
  sim::Accelerator& acc = sim::accelerator(job.arch);
  const space::HwSpace space = space::HwSpace::load(job.space, job.arch, acc.params());
  const network::Network net = network::load_network(job.network);
  job.model.check(job.arch);

  // The simulation of one point; under mpirun, ranks other than 0 only run this.
  const auto work = [&](long long p) {
    const ParamSet hw = space.point(p);
    const sim::SimResult r = job.model.run(acc, net, hw);
    std::string row;
    for (const auto& d : acc.params()) row += hw.text(d.name) + ",";
    row += fmt::format("{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{}", r.feasible ? "ok" : "infeasible",
                       r.latency_s * 1e3, r.cycles, r.energy_j * 1e3, r.area_mm2, r.utilization,
                       csv_quote(r.reason));
    return row;
  };
  if (cluster::active() && cluster::rank() != 0) {
    cluster::run({}, work, nullptr);
    return;
  }
  std::vector<std::string> header = {"point"};
  for (const auto& d : acc.params()) header.push_back(d.name);
  header.insert(header.end(), kMetrics.begin(), kMetrics.end());

  check_output_file(job.out, "--out");
  std::error_code ec;
  if (std::filesystem::exists(job.out, ec) && !std::filesystem::is_regular_file(job.out, ec)) {
    throw InputError({job.out, 0, 0}, "--out",
                     "is not a regular file; a sweep appends to and re-reads its CSV");
  }
  const DirectoryLock lock(job.out, DirectoryLock::File{});
  std::vector<Row> rows;
  std::set<long long> done;
  if (std::filesystem::exists(job.out)) {
    if (!job.resume) {
      throw InputError({job.out, 0, 0}, "--out",
                       "exists; pass --resume to continue it, or remove it");
    }
    const std::string text = read_text_file(job.out, "sweep CSV", std::size_t{1} << 30);
    const std::size_t st = field_index(header, "status") + 1,
                      lat = field_index(header, "latency_ms") + 1,
                      ar = field_index(header, "area_mm2") + 1;
    std::size_t pos = 0;
    int line_no = 0;
    while (pos < text.size()) {
      const std::size_t nl = text.find('\n', pos);
      // A last line without its newline was cut short by a kill: it is
      // dropped and simulated again.
      if (nl == std::string::npos) break;
      const std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (line_no == 1) {
        if (line != join(header, ",")) {
          throw InputError({job.out, 1, 0}, "--out", "header does not match this sweep's columns");
        }
        continue;
      }
      const auto split = csv_split(line);
      const auto fault = [&](const std::string& why) {
        return InputError({job.out, line_no, 0}, "--resume", why + "; not a row this sweep wrote");
      };
      if (!split || split->size() != header.size()) {
        throw fault("expected " + std::to_string(header.size()) + " columns");
      }
      const auto& f = *split;
      const auto p = parse_int(f[0]);
      if (!p || *p < 0 || *p >= space.size()) {
        throw fault("point '" + f[0] + "' is not in 0.." + std::to_string(space.size() - 1));
      }
      if (f[st] != "ok" && f[st] != "infeasible") throw fault("status '" + f[st] + "'");
      for (std::size_t c : {lat, ar}) {
        const auto v = parse_double(f[c]);
        if (!v || !std::isfinite(*v)) throw fault(header[c] + " '" + f[c] + "' is not finite");
      }
      if (!done.insert(*p).second) throw fault("point " + f[0] + " appears twice");
      rows.push_back({*p, {f.begin() + 1, f.end()}});
    }
    // Rewrite the kept rows so the file ends on a complete line.
    std::vector<const Row*> kept;
    for (const auto& r : rows) kept.push_back(&r);
    write_text(csv_text(header, kept), job.out);
  } else {
    write_text(join(header, ",") + "\n", job.out);
  }

  std::vector<long long> todo;
  for (long long p : space.sample(job.samples, job.seed))
    if (!done.count(p)) todo.push_back(p);
  std::cerr << fmt::format("sweep: {} points ({} done before), {} {}\n", todo.size() + done.size(),
                           done.size(), cluster::active() ? cluster::size() - 1 : job.workers,
                           cluster::active() ? "MPI ranks" : "workers");
  AppendFile out(job.out);
  Progress progress(static_cast<long long>(todo.size() + done.size()),
                    static_cast<long long>(done.size()));
  const auto record = [&](long long p, const std::string& row) {
    out.append(std::to_string(p) + "," + row + "\n");
    rows.push_back({p, csv_split(row).value()});
    progress.tick();
  };
  if (cluster::active()) {
    cluster::run(todo, work, record);
  } else {
    run_worker_pool(todo, {job.workers}, work, record);
  }
  out.sync();
  std::cout << fmt::format("sweep: {} designs in {} ({:.0f} designs/s this run)\n", rows.size(),
                           job.out, progress.rate());
  report_fastest(header, rows);
  write_pareto(job.out, header, rows);
}

}  // namespace coda::search
