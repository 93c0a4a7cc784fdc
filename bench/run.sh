#!/usr/bin/env bash
# Benchmarks: stock against patched in one run, in pairs of boots.
#
# Usage: bench/run.sh [--quick] [--pairs N] [--no-build] [--out FILE] [SCENARIO...]
#   SCENARIO  map (1), bw (2), fio (3), ramp (4), pools (5), tool (6),
#             memory (7, drawn from the fio runs), osc (8); default: all
#   --quick   fewer and shorter points per scenario
#   --pairs N pairs of boots (default 3, at least 1): each pair boots every
#             selected scenario on both kernels, stock first in odd pairs
#             and patched first in even ones (S P, P S, S P ...)
#   --no-build  use the bench kernels as they are built
#   --out FILE  the markdown results file (default bench/results/DATE.md;
#             pictures go next to it as DATE-*.svg)
# Raw guest output stays in $CACHE/bench/RUN/.  The figures come from an
# emulated (QEMU TCG) guest on a shared machine: read ratios, not times.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib.sh
. "$here/../scripts/lib.sh"
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

usage() { sed -n '/^# Usage/,/^# Raw/p' "$0" | sed 's/^# \{0,1\}//;$d' >&2; exit 2; }

args="$*"
quick=0 pairs=3 build=1 outfile="" scenarios=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--pairs) [ $# -ge 2 ] || usage; pairs=$2; shift ;;
	--no-build) build=0 ;;
	--out) [ $# -ge 2 ] || usage; outfile=$2; shift ;;
	-h | --help) usage ;;
	map | bw | fio | ramp | pools | tool | memory | osc) scenarios+=("$1") ;;
	*) echo "bench: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
[[ $pairs =~ ^[1-9][0-9]*$ ]] || { echo "bench: --pairs takes a number >= 1" >&2; exit 2; }
[ ${#scenarios[@]} -gt 0 ] || scenarios=(map bw fio ramp pools tool memory osc)
want() { local s; for s in "${scenarios[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

start=$(date +%s)
stamp=$(date -u +%Y-%m-%d-%H%M)
[ -n "$outfile" ] || outfile=$here/results/$stamp.md
mkdir -p "$(dirname "$outfile")"
run=$CACHE/bench/$stamp
mkdir -p "$run" "$CACHE/bench/bin"

# Settings of the two modes.
if [ "$quick" = 1 ]; then
	map_secs=2 map_threads=1,2 map_granules=1,16 map_dirs=bidir
	bw_granules=16,64
	fio_size=32M fio_jobs=4 fio_qds=32 fio_rws=randwrite fio_idle=30 fio_hold=5
	pool_counts=1,4,16 pool_rounds=5
else
	map_secs=5 map_threads=1,2 map_granules=1,16 map_dirs=bidir,to,from
	bw_granules=1,16,64
	fio_size=128M fio_jobs=4 fio_qds=1,8,32 fio_rws=write,randwrite fio_idle=30 fio_hold=30
	pool_counts=1,4,16,64,256 pool_rounds=9
fi
# The fio boots wait at most this long for idle return after the second burst.
fio_idlecap=120
# The pools boot grows and fills every pool of every count in turn: on
# stock each growth takes a mapping that finds no room and a wait for the
# worker.  Its time limit grows with the largest count.
pools_max=${pool_counts##*,}
pools_timeout=$((900 + 8 * pools_max))

# Kernels and the programs the guest runs.
modfor() { echo "$CACHE/tests/$1-bench/module/swiotlb_test.ko"; }
# The test module is built right after its kernel, while the build tree
# holds that kernel's sources.
for f in stock patched; do
	if [ "$build" = 1 ]; then
		"$PROJECT_ROOT/scripts/build-kernel.sh" "$f" bench >/dev/null
	fi
	if { want ramp || want pools || want osc; } && { [ "$build" = 1 ] || [ ! -f "$(modfor "$f")" ]; }; then
		"$PROJECT_ROOT/scripts/build-tests.sh" "$f" bench >/dev/null 2>"$run/build-tests-$f.log" ||
			log "build-tests.sh $f bench failed; ramp and pools will say so ($run/build-tests-$f.log)"
	fi
done
for f in stock patched; do
	[ -f "$(build_dir "$f" bench)/arch/x86/boot/bzImage" ] ||
		die "no $f bench kernel (scripts/build-kernel.sh $f bench)"
	# Figures are only written for the kernels the results file names:
	# stock from the base commit, patched from the series commit.
	want=$(git -C "$DEV_TREE" rev-parse "$(flavour_rev "$f")")
	have=$(cat "$(build_dir "$f" bench)/.swiotlb-elastic-rev" 2>/dev/null || echo none)
	[ "$have" = "$want" ] ||
		die "the $f bench kernel was built from $have, not from $(flavour_rev "$f") ($want); rebuild it (drop --no-build)"
done
need_pkgs fio
inc=$CACHE/bench/include
mkdir -p "$inc/linux"
# In Linux 7.3 the header is uapi and the program is in tools/dma/.
cp "$BUILD_TREE/include/uapi/linux/map_benchmark.h" "$inc/linux/"
mapbin=$CACHE/bench/bin/dma_map_benchmark
gcc -O2 -Wall -I"$inc" -o "$mapbin" "$BUILD_TREE/tools/dma/dma_map_benchmark.c"
# Scenario 6 uses swiotlbtop as tools/ builds it.
toolbin=""
if want tool; then
	make -s -C "$PROJECT_ROOT/tools" >"$run/tools-build.log" 2>&1 ||
		log "make -C tools failed; the tool scenario will say so ($run/tools-build.log)"
	[ -x "$PROJECT_ROOT/tools/build/swiotlbtop" ] && toolbin=$PROJECT_ROOT/tools/build/swiotlbtop
fi
memcpybin=$CACHE/bench/bin/memcpy-bw
gcc -O2 -Wall -o "$memcpybin" "$here/memcpy-bw.c"
memhogbin=$CACHE/bench/bin/memhog
gcc -O2 -Wall -o "$memhogbin" "$here/memhog.c"
# Revisions, for the results file.
{
	meta_revisions "bench/run.sh${args:+ $args}"
	echo "mode=$([ "$quick" = 1 ] && echo quick || echo full) pairs=$pairs"
	echo "qemu=$(qemu-system-x86_64 --version | head -n 1)"
} >"$run/meta"

# boot_all P FLAVOUR: every selected scenario's boots of one kernel.
gs=bench/guest.sh
boot_all() {
	local p=$1 f=$2 cmd=() trace fargs v label idle
	# map, bw and tool share one boot: a boot costs more than a point.
	if want map; then
		trace=off
		[ "$f" = patched ] && trace=both
		cmd+=("$gs" "$f" map "$map_secs" "$map_threads" "$map_granules" "$map_dirs" "$trace" "$mapbin")
	fi
	if want bw; then
		[ ${#cmd[@]} -gt 0 ] && cmd+=("&&")
		cmd+=("$gs" "$f" bw "$map_secs" "$bw_granules" "$mapbin" "$memcpybin")
	fi
	if want tool && [ -n "$toolbin" ]; then
		[ ${#cmd[@]} -gt 0 ] && cmd+=("&&")
		cmd+=("$gs" "$f" tool "$map_secs" "$mapbin" "$toolbin")
	fi
	[ ${#cmd[@]} -gt 0 ] && guest "map-$p-$f" "$f" "$f" 900 --edu -a swiotlb=force -- "${cmd[@]}"
	if want fio || want memory; then
		# stock: (a) the default 64 MiB pool, (b) dynamic from 1 MiB
		# (swiotlb=512, the smallest pool: a burst of 256 KiB requests
		# overflows it); patched: (c) from the same 1 MiB.
		fargs=("$fio_size" "$fio_qds" "$fio_rws" "$fio_idle" "$fio_hold" "$fio_jobs" "$fio_idlecap" "$memhogbin")
		if [ "$f" = stock ]; then
			guest "fio-$p-stock64" stock stock-64M 900 -m 1G --disk 1G -a swiotlb=force -- \
				$gs stock-64M fio "${fargs[@]}"
			guest "fio-$p-stock1" stock stock-1M 900 -m 1G --disk 1G -a swiotlb=512,force -- \
				$gs stock-1M fio "${fargs[@]}"
		else
			guest "fio-$p-patched1" patched patched-1M 900 -m 1G --disk 1G -a swiotlb=512,force -- \
				$gs patched-1M fio "${fargs[@]}"
		fi
	fi
	# Ramp and pools: 1 MiB pools (swiotlb=512; dynamic pools take the
	# default pool's size), every mapping bounced; a boot each, as stock
	# never returns the pools the ramp grew.
	if want ramp; then
		guest "ramp-$p-$f" "$f" "$f" 900 --edu -a swiotlb=512,force -- \
			$gs "$f" ramp "$(modfor "$f")"
	fi
	if want pools; then
		guest "pools-$p-$f" "$f" "$f" "$pools_timeout" --edu -a swiotlb=512,force -- \
			$gs "$f" pools "$(modfor "$f")" "$mapbin" "$map_secs" "$pool_counts" "$pool_rounds"
	fi
	# The oscillating load: stock; patched as shipped (60 s idle time),
	# and with a 200 ms idle time (debugfs), where only the idle
	# hysteresis keeps it from freeing and regrowing every period.
	if want osc; then
		for v in $([ "$f" = stock ] && echo stock:default || echo patched:default patched-idle200:200); do
			IFS=: read -r label idle <<<"$v"
			guest "osc-$p-$label" "$f" "$label" 900 --edu -a swiotlb=512,force -- \
				$gs "$label" osc "$(modfor "$f")" 12 "$idle"
		done
	fi
}

run_pairs

if want tool && [ -z "$toolbin" ]; then
	echo "S kernel=all scenario=tool reason=no_built_swiotlbtop_(make_-C_tools)" >"$run/tool.out"
fi

meta_end >>"$run/meta"
python3 "$here/report.py" "$run" "$outfile"
keep_raw "$outfile"
