#!/usr/bin/env bash
# Lu et al. (ICCAD'19) Table 3: coda's LUTs and throughput for the paper's
# designs beside the paper's. Figure 8's per-layer bit widths are not legible
# in the text of the paper we have, so each design is modelled with uniform
# weights of the paper's mean width (its parameter size over its parameter
# count, Table 2, rounded; Wi = 1, the sign) and 8-bit activations <3, 5>
# (an assumption), at the design's <rL, rT>. Algorithm 1 then picks the
# fastest design within rL; "no design" means none meets rT.
# Usage: bench/lu_table3.sh [ACT_INT ACT_FRAC]   (a few seconds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
coda="$root/build/apps/coda/coda"
ai=${1:-3}
af=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| design | network | rL | rT | paper LUTs | paper fps | paper kbits | weight bits | coda LUTs | coda fps | coda kbits |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
# design network rL rT paper-LUTs paper-fps paper-kbits Table-2-params
while read -r design net rl rt luts fps kbits params; do
  bits=$(python3 -c "print(max(1, round($kbits * 1000 / $params)))")
  status=0
  "$coda" simulate --arch pipelined --network "$net" --model analytical \
    --hw "$root/configs/hardware/pipelined/cyclone4.yaml" \
    --set lut_budget="$rl" --set throughput_fps="$rt" --set weight_int=1 \
    --set weight_frac=$((bits - 1)) --set act_int="$ai" --set act_frac="$af" \
    --json "$tmp/r.json" > /dev/null || status=$?
  python3 - "$tmp/r.json" "$status" "$design" "$net" "$rl" "$rt" "$luts" "$fps" "$kbits" "$bits" <<'PY'
import json, sys
path, status, design, net, rl, rt, luts, fps, kbits, bits = sys.argv[1:]
j = json.load(open(path))
row = [design, net, f"{int(rl):,}", rt, f"{int(luts):,}", fps, f"{int(kbits):,}", bits]
if j.get("status") == "ok":
    row += [f"{j['luts']:,}", f"{j['throughput_fps']:.0f}", f"{j['parameter_kbits']:,.0f}"]
else:
    row += ["no design", "", f"({j.get('reason', 'status ' + status)})"]
print("| " + " | ".join(row) + " |")
PY
done <<'ROWS'
A1-d1 lu_a1 100000 500 99871 556 1867 300804
A1-d2 lu_a1 100000 1000 99848 1157 1189 300804
B1-d1 lu_b1 100000 500 96904 512 3463 464960
B1-d2 lu_b1 100000 1000 98752 1020 2784 464960
B1-d3 lu_b1 300000 2000 285441 2083 2835 464960
D lu_d 30000 1000 29904 1293 457 70776
E lu_e 100000 1000 94496 1042 1923 289220
F lu_f 300000 2000 299860 2089 1217 265640
ROWS
