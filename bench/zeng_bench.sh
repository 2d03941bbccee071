#!/usr/bin/env bash
# Zeng et al. (ASP-DAC'20) Tables II, IV and V at proxy scale, in one run:
#  1. coda profile on the ResNet-, MobileNet- and VGG-based spaces (Table IV,
#     the space Algorithm 1 keeps at each lambda);
#  2. RL-NAS (REINFORCE, eq. 2) with the same budget on Res, Mobile, VGG,
#     All and the profiled space, latency from the eq. 8 look-up table,
#     accuracy from NASWOT; the winners re-simulated on the DPU;
#  3. each winner trained 1 epoch on 10,000 Fashion-MNIST images, and its
#     Cost (eq. 6) at lambda 0.01, 0.1 and 1 from that accuracy and the
#     simulated latency (Table II's columns).
# Usage: bench/zeng_bench.sh [OUT_DIR]   (about 25 minutes on 2 cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-runs/zeng_bench}")
coda="$root/build/apps/coda/coda"
mkdir -p "$out"
export CODA_CACHE_DIR="${CODA_CACHE_DIR:-$out/cache}"

start=$(date +%s)
if [ ! -f "$out/profile/profile.json" ]; then  # a finished profile is reused
  "$coda" profile --experiment "$root/configs/profiles/zeng_dpu.yaml" --out "$out/profile" \
    > "$out/profile.txt" 2> "$out/profile.err"
  echo "profile: $(( $(date +%s) - start )) s"
fi
cat "$out/profile.txt"
selected=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['selected']['file'])" \
  "$out/profile/profile.json")

for s in res mobile vgg all profiled; do
  if [ "$s" = profiled ]; then
    sed "s|network_space: {space: zeng_res}|network_space: {file: $selected}|; s|name: zeng_rl_res|name: zeng_rl_profiled|" \
      "$root/configs/experiments/zeng_rl_res.yaml" > "$out/zeng_rl_profiled.yaml"
    sed -i "s|hardware: ../hardware|hardware: $root/configs/hardware|" "$out/zeng_rl_profiled.yaml"
    exp="$out/zeng_rl_profiled.yaml"
  else
    exp="$root/configs/experiments/zeng_rl_$s.yaml"
  fi
  "$coda" search --experiment "$exp" --out "$out/rl_$s" > "$out/rl_$s.txt" 2> "$out/rl_$s.err"
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['network']['yaml'])" \
    "$out/rl_$s/best.json" > "$out/rl_$s/winner.yaml"
  "$coda" accuracy --network "$out/rl_$s/winner.yaml" --evaluator train --epochs 1 \
    --subset 10000 --json "$out/rl_$s/trained.json" > /dev/null
done

python3 - "$out" <<'PY'
import json, math, sys
out = sys.argv[1]
def cost(acc, lat, lam):  # eq. 6 with thres 0.85, scale 2 (Table II's)
    return math.exp(-(acc - 0.85) / 2) - lam / lat
print("| space | NASWOT acc. | trained acc. (%) | sim. latency (ms) | LUT latency (ms) | Cost 0.01 | Cost 0.1 | Cost 1 | search (s) |")
print("|---|---|---|---|---|---|---|---|---|")
for s in ["res", "mobile", "vgg", "all", "profiled"]:
    b = json.load(open(f"{out}/rl_{s}/best.json"))
    t = json.load(open(f"{out}/rl_{s}/trained.json"))
    acc, lat = t["accuracy"], b["simulated"]["latency_ms"]
    size = None
    print(f"| {s} | {100*b['accuracy']:.2f} | {100*acc:.2f} | {lat:.4f} | {b['predicted']['latency_ms']:.4f} | "
          f"{cost(acc, lat, 0.01):.4f} | {cost(acc, lat, 0.1):.4f} | {cost(acc, lat, 1):.4f} | {b['seconds']:.1f} |")
PY
echo "total: $(( $(date +%s) - start )) s"
