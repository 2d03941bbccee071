#!/usr/bin/env bash
# Search speed (issue "Search framework"): 2000 REINFORCE episodes over the
# joint edge space (NAHAS S1 x Table 1) with the MLP cost model and the NASWOT
# zero-cost accuracy. Run twice with the same seed: the first run scores every
# new network (cold), the second finds every accuracy in the result cache
# (cached), which is the configuration the 60 s target names.
# Usage: bench/search_bench.sh MODEL.pt [EPISODES]
set -euo pipefail
model=$(realpath "$1")
episodes=${2:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
export CODA_CACHE_DIR="$work/cache"
cat > "$work/exp.yaml" <<YAML
name: search-bench
arch: edge
flow: joint
network_space: {space: nahas_s1, input: 224}
hardware_space: $root/configs/spaces/edge_hw.yaml
strategy: {name: reinforce}
objective: {latency_ms: 0.3, area_mm2: 23.4, kind: hard}
cost_model: mlp:$model
accuracy: {evaluator: zero-cost, dataset: fashion-mnist, proxy: naswot, batch: 64}
budget: {evaluations: $episodes, batch: 8}
seed: 1
top_k: 5
YAML
for pass in cold cached; do
  start=$(date +%s.%N)
  "$root/build/apps/coda/coda" search --experiment "$work/exp.yaml" --out "$work/$pass" > "$work/$pass.log" 2>&1
  end=$(date +%s.%N)
  fresh=$(python3 -c "import json;print(json.load(open('$work/$pass/best.json'))['fresh_evaluations'])")
  printf '%s: %d episodes, %s distinct candidates evaluated, %.1f s\n' "$pass" "$episodes" "$fresh" "$(echo "$end - $start" | bc)"
done
rm -rf "$work"
