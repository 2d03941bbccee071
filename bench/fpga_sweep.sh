#!/usr/bin/env bash
# The fastest feasible ZCU102 design per HotNAS Table II network over the
# HotNAS hardware space (configs/spaces/fpga_hotnas*.yaml; the depthwise space
# for networks with depthwise layers), in the paper's convention (analytical,
# conv_only) and for the whole network in SystemC. Prints a markdown table.
set -euo pipefail
coda=${1:-build/apps/coda/coda}
out=$(mktemp -d)
echo "| network | space | conv_only analytical: fastest ms | design | network SystemC: fastest ms | design | SystemC sweep wall |"
echo "|---|---|---|---|---|---|---|"
for net in alexnet squeezenet1_1 mnasnet0_5 squeezenet1_0 proxyless_mobile mnasnet1_0 resnet18 \
           mobilenet_v2 proxyless_gpu fbnet_a proxyless_cpu; do
  space=configs/spaces/fpga_hotnas.yaml
  case $net in mnasnet*|proxyless*|mobilenet*|fbnet*) space=configs/spaces/fpga_hotnas_dw.yaml ;; esac
  a=$("$coda" sweep --arch fpga --space "$space" --network "$net" --workers 2 --model analytical \
      --scope conv_only --out "$out/$net-a.csv" 2>/dev/null | grep '^fastest')
  start=$(date +%s%N)
  s=$("$coda" sweep --arch fpga --space "$space" --network "$net" --workers 2 \
      --out "$out/$net-s.csv" 2>/dev/null | grep '^fastest')
  end=$(date +%s%N)
  fields() { sed -E 's/.*, ([0-9.]+) ms: .*tm=([0-9]+),.*tr=([0-9]+), tc=([0-9]+), tm_dw=([0-9]+), ib=([0-9]+), wb=([0-9]+), ob=([0-9]+).*/\1|Tm \2, Tr×Tc \3×\4, Tm(d) \5, I\/W\/O \6\/\7\/\8/'; }
  IFS='|' read -r ams adesign <<< "$(echo "$a" | fields)"
  IFS='|' read -r sms sdesign <<< "$(echo "$s" | fields)"
  echo "| $net | $(basename "$space") | $(printf '%.2f' "$ams") | $adesign | $(printf '%.2f' "$sms") | $sdesign | $(( (end - start) / 1000000 )) ms |"
done
rm -rf "$out"
