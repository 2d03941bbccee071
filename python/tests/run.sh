#!/usr/bin/env bash
# Runs the Python module's tests: run.sh PYTHON MODULE_DIR CODA_BIN SOURCE_DIR.
set -euo pipefail
python=$1 module_dir=$(realpath "$2") coda_bin=$(realpath "$3") src=$(realpath "$4")
home=$(mktemp -d /tmp/coda_pytest.XXXXXX)
trap 'rm -rf "$home"' EXIT
export HOME=$home CODA_CACHE_DIR=$home/cache PYTHONPATH=$module_dir CODA_BIN=$coda_bin \
  CODA_SOURCE=$src PYTHONDONTWRITEBYTECODE=1
cd "$home"
"$python" -m pytest -q -p no:cacheprovider "$src/python/tests"
