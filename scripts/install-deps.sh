#!/usr/bin/env bash
# Installs the Debian 12 packages coda needs. Idempotent: when everything is
# present it only checks (a second or two) and runs no apt-get at all.
set -euo pipefail

PACKAGES=(
  build-essential cmake make pkg-config ccache
  libsystemc-dev          # SystemC 2.3 with TLM-2.0
  libtorch-dev            # LibTorch (cost models, accuracy evaluators)
  libopenblas0-pthread    # an optimised BLAS for LibTorch (Debian's default reference BLAS is ~40x slower)
  libyaml-cpp-dev
  libboost-graph-dev
  googletest libgtest-dev libgmock-dev
  libcli11-dev
  libonnx-dev             # ONNX protobuf schema for `--network model.onnx`
  pybind11-dev python3-dev python3-numpy  # the `coda` Python module
  python3-pytest python3-optuna           # its tests and the Optuna example
  nlohmann-json3-dev
  libfmt-dev
  libopenmpi-dev openmpi-bin
  gnuplot-nox
  dataset-fashion-mnist   # Fashion-MNIST IDX files for the `train` accuracy evaluator
)

# `install-deps.sh fuzz` adds the compiler of the libFuzzer targets (make fuzz).
if [ "${1:-}" = fuzz ]; then
  PACKAGES+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
