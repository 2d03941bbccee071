"""Tests of the `coda` Python module. They run under `make test` (ctest runs
pytest with PYTHONPATH at the built module, CODA_BIN at the CLI and HOME in a
temporary directory). Each result the module returns is compared with what
the CLI writes as JSON or CSV for the same inputs."""
import csv
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import coda

SRC = os.environ.get("CODA_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("CODA_BIN", os.path.join(SRC, "build", "apps", "coda", "coda"))
HW = os.path.join(SRC, "configs", "hardware", "edge", "baseline.yaml")
FIXTURES = os.path.join(SRC, "tests", "fixtures", "onnx")


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_load_network_reads_the_zoo_yaml_and_onnx():
    net = coda.load_network("mobilenet_v2")
    assert (net.params, net.macs) == (3504872, 300774272)  # torchvision's counts
    assert net.input_shape == (3, 224, 224)
    assert net.layers[1]["op"] == "conv2d"
    shuffle = coda.load_network(os.path.join(FIXTURES, "torchvision", "shufflenet_v2_x1_0.onnx"))
    assert (shuffle.params, shuffle.macs) == (2278604, 144907992)
    assert "channel_shuffle" in {l["op"] for l in shuffle.layers}


def test_bad_input_raises_value_error_with_the_cli_message():
    with pytest.raises(ValueError, match="unknown zoo network 'mobilenet_v9'"):
        coda.load_network("mobilenet_v9")
    with pytest.raises(ValueError, match="unsupported op 'Softmax'"):
        coda.load_network(os.path.join(FIXTURES, "unsupported.onnx"))


def test_simulate_equals_the_cli_json(tmp_path):
    out = tmp_path / "sim.json"
    cli("simulate", "--arch", "edge", "--hw", HW, "--network", "mobilenet_v2", "--json", str(out))
    expected = json.loads(out.read_text())
    got = coda.simulate("mobilenet_v2", "edge", HW)
    assert got == expected
    # A Network object and a Hardware object give the same answer.
    got2 = coda.simulate(coda.load_network("mobilenet_v2"), "edge", coda.load_hw("edge", HW))
    assert got2 == expected
    assert got["latency_ms"] > 0 and got["layers"]


def test_sweep_equals_the_cli_csv(tmp_path):
    space = os.path.join(SRC, "configs", "spaces", "edge_hw_small.yaml")
    cli("sweep", "--arch", "edge", "--space", space, "--network", "resnet18:input=32",
        "--samples", "6", "--model", "analytical", "--out", str(tmp_path / "cli.csv"))
    rows = coda.sweep("edge", space, "resnet18:input=32", str(tmp_path / "py.csv"), samples=6,
                      model="analytical")
    with open(tmp_path / "cli.csv") as f:
        expected = list(csv.DictReader(f))
    assert len(rows) == 6
    assert sorted(map(lambda r: tuple(sorted(r.items())), rows)) == \
        sorted(map(lambda r: tuple(sorted(r.items())), expected))


def predict_cli(model, nets):
    args = ["predict", "--cost-model", model, "--arch", "edge", "--hw", HW, "--json", "-"]
    for n in nets:
        args += ["--network", n]
    return json.loads(cli(*args))


@pytest.fixture(scope="module")
def mlp_model(tmp_path_factory):
    d = tmp_path_factory.mktemp("mlp")
    cli("dataset", "--arch", "edge", "--space", os.path.join(SRC, "configs", "spaces", "edge_joint.yaml"),
        "--samples", "300", "--out", str(d / "ds"))
    cli("train", "--data", str(d / "ds"), "--out", str(d / "m.pt"), "--epochs", "2")
    return str(d / "m.pt")


@pytest.mark.parametrize("kind", ["analytical", "mlp"])
def test_predict_equals_the_cli_json(kind, request):
    spec = kind if kind == "analytical" else "mlp:" + request.getfixturevalue("mlp_model")
    nets = ["mobilenet_v2", "resnet18", os.path.join(FIXTURES, "ops.onnx")]
    expected = predict_cli(spec, nets)
    got = coda.CostModel(spec, "edge").predict(nets, [HW])
    assert isinstance(got["latency_ms"], np.ndarray) and got["latency_ms"].shape == (3,)
    for i, row in enumerate(expected):
        for k in ("latency_ms", "energy_mj", "area_mm2", "latency_sigma"):
            assert got[k][i] == pytest.approx(row[k], rel=1e-12, abs=1e-15), (k, row["network"])
        assert bool(got["feasible"][i]) == row["feasible"]


def test_predict_takes_one_hardware_per_network_or_one_for_all():
    model = coda.CostModel("analytical", "edge")
    small = coda.load_hw("edge", HW, ["pes_x=2"])
    both = model.predict(["mobilenet_v2", "mobilenet_v2"], [coda.load_hw("edge", HW), small])
    assert both["latency_ms"][1] > both["latency_ms"][0]
    with pytest.raises(ValueError, match="one hardware config or one per network"):
        model.predict(["mobilenet_v2"] * 3, [HW, HW])


def test_study_exposes_the_space_and_evaluates_batches():
    study = coda.Study(os.path.join(SRC, "configs", "experiments", "optuna_codesign.yaml"))
    dims = study.dimensions
    names = [d[0] for d in dims]
    assert "pes_x" in names and len(dims) > 10
    x = [0] * len(dims)
    y = [len(labels) - 1 for _, labels in dims]
    net, hw = study.decode(x)
    assert net.macs > 0 and hw.to_dict()["pes_x"] == float(dims[names.index("pes_x")][1][0])
    first = study.evaluate([x, y])
    assert [r["candidate"] for r in first] == [",".join(map(str, x)), ",".join(map(str, y))]
    for r in first:
        assert 0 < r["accuracy"] < 1 and r["latency_s"] > 0
    # The evaluator caches: the same candidate scores the same.
    assert study.evaluate([x])[0] == first[0]
    # Its latency is the analytical twin's for the decoded design.
    sim = coda.simulate(net, "edge", hw, model="analytical")
    assert first[0]["latency_s"] * 1e3 == pytest.approx(sim["latency_ms"], rel=1e-12)


def test_simulation_releases_the_gil():
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.01)
    start = len(ticks)
    net = coda.load_network("resnet50")
    t0 = time.perf_counter()
    # Some hundreds of milliseconds of SystemC in one call.
    coda.CostModel("simulator", "edge").predict([net] * 300, [HW])
    seconds = time.perf_counter() - t0
    during = len(ticks) - start
    stop.set()
    t.join()
    # The other thread ticked through the call (about once a millisecond).
    assert seconds > 0.1 and during > 0.25 * seconds * 1000


def test_the_optuna_example_runs():
    r = subprocess.run([sys.executable, os.path.join(SRC, "examples", "optuna_codesign.py"),
                        "--trials", "10"], capture_output=True, text=True,
                       env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert "Pareto front after 10 trials, area <= 23.4 mm2" in r.stdout
