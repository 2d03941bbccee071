#!/usr/bin/env bash
# Imports every model that scripts/torchvision_onnx.py exported into DIR and
# compares coda's parameter and MAC counts with torchvision's (DIR/counts.tsv,
# the script's stdout). Prints one line a model and a closing tally.
# Usage: scripts/check-onnx-import.sh DIR [path/to/coda]
set -uo pipefail
dir=$1
coda=${2:-build/apps/coda/coda}
pass=0 fail=0
while IFS=$'\t' read -r name input params macs; do
  case "$name" in ''|'#'*|name) continue ;; esac
  if ! out=$("$coda" network stats "$dir/$name.onnx" --json - 2>&1); then
    echo "FAIL $name: ${out#coda: error: }"
    fail=$((fail + 1))
    continue
  fi
  got=$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["params"], j["macs"])')
  if [ "$got" = "$params $macs" ]; then
    echo "ok   $name: $params params, $macs MACs"
    pass=$((pass + 1))
  else
    echo "FAIL $name: coda $got, torchvision $params $macs"
    fail=$((fail + 1))
  fi
done < "$dir/counts.tsv"
echo "$pass passed, $fail failed"
