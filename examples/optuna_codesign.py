#!/usr/bin/python3
"""Multi-objective network/accelerator co-design with Optuna, through coda.

Optuna (Debian's python3-optuna) proposes; coda scores. Each trial picks one
choice per dimension of the experiment's joint space (NAHAS S1 blocks x edge
accelerator fields) and coda.Study.evaluate returns its accuracy, latency,
energy and area. The study keeps the Pareto front of accuracy (up) against
latency (down) among designs within an area budget (a constraint Optuna's
samplers steer by).

  PYTHONPATH=build/python /usr/bin/python3 examples/optuna_codesign.py --trials 40
"""
import argparse
import os
import warnings

import optuna

import coda

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiment",
                    default=os.path.join(HERE, "..", "configs", "experiments", "optuna_codesign.yaml"))
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--sampler", choices=["nsga2", "tpe"], default="nsga2")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-area", type=float, default=23.4,
                    help="area budget in mm2 (NAHAS's baseline design: 23.4)")
    args = ap.parse_args()

    space = coda.Study(args.experiment)
    dims = space.dimensions
    print(f"{space.name}: {len(dims)} dimensions, {space.size:.3g} designs")

    def objective(trial):
        x = [trial.suggest_categorical(name, list(range(len(labels)))) for name, labels in dims]
        r = space.evaluate([x])[0]
        trial.set_user_attr("design", r["description"])
        trial.set_user_attr("area_mm2", r["area_mm2"])
        if not r["feasible"]:
            raise optuna.TrialPruned(r["reason"])
        return r["accuracy"], r["latency_s"] * 1e3

    # constraints_func is marked experimental in Optuna 3.1.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    def area_over(trial):  # feasible when <= 0
        return [trial.user_attrs["area_mm2"] - args.max_area]

    if args.sampler == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=args.seed, population_size=8,
                                                constraints_func=area_over)
    else:
        sampler = optuna.samplers.TPESampler(seed=args.seed, constraints_func=area_over)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=args.trials)

    # The non-dominated designs among those within the area budget.
    done = {t.user_attrs["design"]: t for t in study.trials
            if t.state == optuna.trial.TrialState.COMPLETE
            and t.user_attrs["area_mm2"] <= args.max_area}.values()
    front = sorted((t for t in done
                    if not any(o.values[0] >= t.values[0] and o.values[1] <= t.values[1]
                               and o.values != t.values for o in done)),
                   key=lambda t: t.values[1])
    print(f"Pareto front after {len(study.trials)} trials, area <= {args.max_area} mm2 "
          f"({len(front)} designs):")
    print(f"{'accuracy':>9} {'latency_ms':>11} {'area_mm2':>9}  design")
    for t in front:
        print(f"{t.values[0]:9.4f} {t.values[1]:11.4f} {t.user_attrs['area_mm2']:9.2f}  "
              f"{t.user_attrs['design']}")


if __name__ == "__main__":
    main()
