#!/usr/bin/python3
"""Python predict throughput against the C++ batched path (bench/RESULTS.md).

  PYTHONPATH=build/python /usr/bin/python3 bench/predict_bench.py SPEC [QUERIES]

Runs build/bench/predict_bench (CostModel::evaluate in C++) and
coda.CostModel(SPEC).predict on the same batch: QUERIES pairs of a network
(cycling over NETS, loaded once as coda.Network objects) and the baseline
edge hardware, best of 5 each, and prints both rates and their ratio.
"""
import os
import subprocess
import sys
import time

import coda

NETS = ["mobilenet_v2", "resnet18", "efficientnet_b0", "mnasnet1_0", "shufflenet_v2_x1_0",
        "squeezenet1_1", "mobilenet_v3_small", "regnet_y_400mf"]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    spec = sys.argv[1] if len(sys.argv) > 1 else "analytical"
    queries = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    cpp = subprocess.run([os.path.join(ROOT, "build", "bench", "predict_bench"), spec,
                          str(queries), *NETS], capture_output=True, text=True, check=True)
    cpp_rate = float(cpp.stdout.split(": ")[-1].split()[0])
    nets = [coda.load_network(n) for n in NETS]
    batch = [nets[i % len(nets)] for i in range(queries)]
    hw = coda.load_hw("edge")
    model = coda.CostModel(spec, "edge")
    model.predict(batch, [hw])  # warm-up
    best = 1e30
    for _ in range(5):
        t0 = time.perf_counter()
        model.predict(batch, [hw])
        best = min(best, time.perf_counter() - t0)
    py_rate = queries / best
    print(cpp.stdout.strip())
    print(f"python {spec}: {queries} queries in {best:.4f} s: {py_rate:.0f} queries/s")
    print(f"python / c++: {py_rate / cpp_rate:.3f}")


if __name__ == "__main__":
    main()
