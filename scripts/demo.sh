#!/usr/bin/env bash
# The main job: build what is missing (the patched kernel, the swiotlb
# tools), boot the kernel as a CoCo-like guest (every DMA bounced, a small
# initial pool), run bursts of fio with verification on a virtio-blk disk
# that uses the DMA API (iommu_platform=on), and follow swiotlb with
# swiotlbtop.  On a terminal swiotlbtop shows its screen on the guest's
# console; otherwise it prints batch output.  Either way the run is
# recorded and drawn as an SVG timeline.
#
# Usage: scripts/demo.sh [FLAVOUR]   (default: patched)
# Output: $CACHE/demo/{output,swiotlb-record.json,swiotlb-timeline.svg}
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

flavour=${1:-patched}
need_pkgs fio clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
"$PROJECT_ROOT/scripts/build-kernel.sh" "$flavour" bench >/dev/null
tools=$CACHE/tools
make -s -C "$PROJECT_ROOT/tools" OUTPUT="$tools" >&2
out=$CACHE/demo
mkdir -p "$out"
guest=()
[ -t 1 ] && guest+=(-i)
# The bench variant (no lockdep, KASAN or DMA_API_DEBUG): under TCG the
# debug kernel is too slow to keep more than two or three requests in
# flight, so it never needs more than the initial pool.
# swiotlb=512,force: a 1 MiB initial pool (512 slots of 2 KiB, the smallest)
# and every streaming mapping bounced, as in an SEV or TDX guest.
# demo-guest.sh sets the idle time of the patched kernel to 10 s.
"$PROJECT_ROOT/scripts/run-guest.sh" "${guest[@]}" -V bench -k "$flavour" -o "$out" \
	-a swiotlb=512,force --disk 256M -t 900 -- \
	scripts/demo-guest.sh "$tools" /mnt
log "timeline: $out/swiotlb-timeline.svg (record: $out/swiotlb-record.json)"
