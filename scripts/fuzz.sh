#!/usr/bin/env bash
# Builds coda's libFuzzer targets with clang-14 (ASan + UBSan) in build-fuzz/
# and runs each for FUZZ_SECONDS on a seed corpus from configs/ and
# tests/fixtures/. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# (`make fuzz FUZZ_SECONDS=600 FUZZ_JOBS=2`). Logs, corpora and any crash
# inputs go to build-fuzz/{logs,corpus,artifacts}/<target>; the summary
# (executions, coverage, findings) is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-${FUZZ_SECONDS:-600}}
shift || true
JOBS=${FUZZ_JOBS:-$(nproc)}
DIR=build-fuzz
bash scripts/install-deps.sh fuzz
cmake -S . -B "$DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCODA_FUZZ=ON -DCODA_BUILD_TESTS=OFF >/dev/null
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(network_yaml onnx_model hardware_yaml space_yaml
                                     experiment_yaml compression_plan scalesim dataset_shard)
cmake --build "$DIR" -j "$JOBS" --target "${TARGETS[@]/#/fuzz_}"

# Seeds: the shipped files each reader takes. Targets that dispatch on a
# first byte get each file once per choice of that byte.
seed() {  # seed TARGET PREFIX_BYTE FILE...
  local t=$1 byte=$2; shift 2
  mkdir -p "$DIR/corpus/$t"
  for f in "$@"; do
    local out="$DIR/corpus/$t/seed-$byte-$(basename "$f")"
    if [ "$byte" = none ]; then cp "$f" "$out"; else
      { printf "\\x$(printf %02x "$byte")"; cat "$f"; } > "$out"; fi
  done
}
seed network_yaml none configs/networks/*.yaml fuzz/seeds/network_yaml/*.yaml
seed onnx_model none fuzz/seeds/onnx_model/*.onnx tests/fixtures/onnx/*.onnx tests/fixtures/onnx/torchvision/{alexnet,mobilenet_v3_small,shufflenet_v2_x0_5,squeezenet1_1}.onnx
for b in 0 1 2 3; do seed hardware_yaml $b configs/hardware/*/*.yaml; done
for b in $(seq 0 11); do seed space_yaml $b configs/spaces/*.yaml configs/spaces/nas/*.yaml; done
seed experiment_yaml none configs/experiments/*.yaml configs/profiles/*.yaml
seed compression_plan none fuzz/seeds/compression_plan/*
seed scalesim 0 tests/fixtures/scalesim/*.cfg
seed scalesim 1 tests/fixtures/scalesim/coda_*.csv
seed scalesim 2 fuzz/seeds/scalesim/*.csv
seed dataset_shard none fuzz/seeds/dataset_shard/*

run_one() {
  local t=$1
  mkdir -p "$DIR/logs" "$DIR/artifacts/$t"
  # -timeout: one input running 10 s is a hang; -rss_limit_mb: unbounded memory.
  "$DIR/fuzz/fuzz_$t" "$DIR/corpus/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$DIR/artifacts/$t/" \
    > "$DIR/logs/$t.log" 2>&1 && echo ok > "$DIR/logs/$t.status" || echo "exit $?" > "$DIR/logs/$t.status"
}
running=0
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

status=0
printf '%-18s %8s %12s %8s %8s %s\n' target seconds executions cov features result
for t in "${TARGETS[@]}"; do
  log="$DIR/logs/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo ?)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo ?)
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo ?)
  result=$(cat "$DIR/logs/$t.status")
  findings=$(ls "$DIR/artifacts/$t" | wc -l)
  [ "$result" = ok ] && [ "$findings" -eq 0 ] || status=1
  printf '%-18s %8s %12s %8s %8s %s\n' "$t" "$SECONDS_PER_TARGET" "$execs" "$cov" "$ft" \
    "$result, $findings finding(s)"
done
exit $status
