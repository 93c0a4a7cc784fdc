#!/usr/bin/env bash
# Benchmarks of the embedded case on arm64: stock against patched in one
# run, in pairs of boots (stock first in odd pairs, patched first in even
# ones), on the arm64 bench kernels in QEMU virt (Cortex-A35, 4 GiB of RAM
# across 4 GiB, the edu device, no swiotlb=force):
#   map     map plus unmap from the edu device (dma_map_benchmark, one
#           thread, 1 and 16 pages), with a 32-bit mask, which bounces its
#           buffer (above 4 GiB), and with a 64-bit one, which does not
#   bw      bytes bounced per second against memcpy of the same size
#   memory  swiotlb memory held over time, sampled every 50 ms, under a
#           bursty load (the test driver's device, 32-bit mask: 3 MiB held
#           for half of each second, 12 s): stock with a static 64 MiB pool
#           (swiotlb=32768) and from 1 MiB (swiotlb=512), patched from
#           1 MiB with the default idle time and with 200 ms
# bench/guest.sh runs each scenario in the guest (map, bw and osc).
#
# Usage: bench/arm64.sh [--quick] [--pairs N] [--no-build] [--out FILE]
#   --quick     2-second points instead of 5
#   --pairs N   pairs of boots (default 3)
#   --no-build  use the arm64 bench kernels as they are built
#   --out FILE  the results file (default bench/results/DATE-arm64.md)
# Raw guest output stays in $CACHE/bench/RUN-arm64/ and is kept next to
# the results as DATE-arm64-raw.tar.xz.  The figures come from an emulated
# (QEMU TCG) guest on a shared machine: read ratios, not times.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/../scripts/lib.sh"
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
set_arch arm64

usage() { sed -n '/^# Usage/,/^# Raw/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2; }

args="$*"
secs=5 pairs=3 build=1 outfile=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) secs=2 ;;
	--pairs) [ $# -ge 2 ] || usage; pairs=$2; shift ;;
	--no-build) build=0 ;;
	--out) [ $# -ge 2 ] || usage; outfile=$2; shift ;;
	-h | --help) usage ;;
	*) echo "bench: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
[[ $pairs =~ ^[1-9][0-9]*$ ]] || { echo "bench: --pairs takes a number >= 1" >&2; exit 2; }

start=$(date +%s)
stamp=$(date -u +%Y-%m-%d-%H%M)
[ -n "$outfile" ] || outfile=$here/results/$stamp-arm64.md
mkdir -p "$(dirname "$outfile")"
run=$CACHE/bench/$stamp-arm64
mkdir -p "$run" "$CACHE/bench/bin-arm64"

modfor() { echo "$CACHE/tests/arm64-$1-bench/module/swiotlb_test.ko"; }
for f in stock patched; do
	if [ "$build" = 1 ]; then
		"$PROJECT_ROOT/scripts/build-kernel.sh" --arch arm64 "$f" bench >/dev/null
		"$PROJECT_ROOT/scripts/build-tests.sh" --arch arm64 "$f" bench >/dev/null 2>"$run/build-tests-$f.log" ||
			die "build-tests.sh --arch arm64 $f bench failed ($run/build-tests-$f.log)"
	fi
	[ -f "$(kernel_image "$f" bench)" ] ||
		die "no arm64 $f bench kernel (scripts/build-kernel.sh --arch arm64 $f bench)"
	want=$(git -C "$DEV_TREE" rev-parse "$(flavour_rev "$f")")
	have=$(cat "$(build_dir "$f" bench)/.swiotlb-elastic-rev" 2>/dev/null || echo none)
	[ "$have" = "$want" ] ||
		die "the arm64 $f bench kernel was built from $have, not from $(flavour_rev "$f") ($want); rebuild it (drop --no-build)"
done

# The guest's programs, static for the arm64 userland.
need_pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross
inc=$CACHE/bench/include
mkdir -p "$inc/linux"
cp "$BUILD_TREE/include/uapi/linux/map_benchmark.h" "$inc/linux/"
bin=$CACHE/bench/bin-arm64
aarch64-linux-gnu-gcc -static -O2 -Wall -I"$inc" -o "$bin/dma_map_benchmark" \
	"$BUILD_TREE/tools/dma/dma_map_benchmark.c"
aarch64-linux-gnu-gcc -static -O2 -Wall -o "$bin/memcpy-bw" "$here/memcpy-bw.c"

{
	meta_revisions "bench/arm64.sh${args:+ $args}"
	echo "secs=$secs pairs=$pairs"
	echo "qemu=$(qemu-system-aarch64 --version | head -n 1)"
	echo "guest=QEMU virt, gic-version=3, cortex-a35, 2 vCPUs, 4 GiB at 1-5 GiB, edu, no swiotlb=force"
} >"$run/meta"

gs=bench/guest.sh
mb=$bin/dma_map_benchmark
boot_all() {
	local p=$1 f=$2 v label idle
	guest "map-$p-$f" "$f" "$f" 900 --edu -a swiotlb=512 -- \
		"MAP_BITS=32 $gs $f-bounce map $secs 1 1,16 bidir off $mb &&" \
		"MAP_BITS=64 $gs $f-direct map $secs 1 1,16 bidir off $mb &&" \
		"$gs $f bw $secs 1,16,64 $mb $bin/memcpy-bw"
	if [ "$f" = stock ]; then
		guest "mem-$p-stock64" stock stock-64M 900 --edu -a swiotlb=32768 -- \
			$gs stock-64M osc "$(modfor stock)" 12 default
		guest "mem-$p-stock1" stock stock-1M 900 --edu -a swiotlb=512 -- \
			$gs stock-1M osc "$(modfor stock)" 12 default
	else
		for v in patched-1M:default patched-1M-idle200:200; do
			IFS=: read -r label idle <<<"$v"
			guest "mem-$p-$label" patched "$label" 900 --edu -a swiotlb=512 -- \
				$gs "$label" osc "$(modfor patched)" 12 "$idle"
		done
	fi
}

run_pairs

meta_end >>"$run/meta"
python3 "$here/report-arm64.py" "$run" "$outfile"
keep_raw "$outfile"
