#!/usr/bin/env bash
# Sweep throughput: 2000 random points of NAHAS Table 1 for MobileNetV2 on 2 workers.
set -euo pipefail
coda=${1:-build/apps/coda/coda}
out=$(mktemp -d)
start=$(date +%s%N)
"$coda" sweep --arch edge --space configs/spaces/edge_hw.yaml --network mobilenet_v2 \
  --samples 2000 --workers 2 --out "$out/sweep.csv" 2>/dev/null | head -1
end=$(date +%s%N)
feasible=$(grep -c ',ok,' "$out/sweep.csv" || true)
echo "sweep bench: 2000 designs ($feasible feasible) in $(( (end - start) / 1000000 )) ms wall, Pareto plot included, 2 workers"
rm -rf "$out"
