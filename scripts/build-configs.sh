#!/usr/bin/env bash
# Build kernel/dma/ with W=1 in the configurations that the workbench's own
# kernels never use (configs/build/NAME.config, each on top of its
# architecture's tinyconfig): without CONFIG_SWIOTLB_DYNAMIC, without
# debugfs and tracing, 32-bit x86 and arm64.  Each is built at the base and
# at the tip of the series, in build directories of their own; it passes
# when both configurations hold every option the fragment asks for, the
# series builds, and it adds no warning.  One TAP line per configuration.
#
# Usage: scripts/build-configs.sh [NAME...]   (default: every fragment)
# Exit status: 0 when every configuration passed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

frags=()
if [ $# -gt 0 ]; then
	for name in "$@"; do
		f=$PROJECT_ROOT/configs/build/$name.config
		[ -f "$f" ] || die "no configuration '$name' (configs/build/$name.config)"
		frags+=("$f")
	done
else
	frags=("$PROJECT_ROOT"/configs/build/*.config)
fi

need_build_pkgs
for f in "${frags[@]}"; do
	[ "$(basename "$f")" != arm64.config ] || need_pkgs gcc-aarch64-linux-gnu
done
"$PROJECT_ROOT/scripts/base-tree.sh" 2>/dev/null
sync_series
logdir=$CACHE/check
mkdir -p "$logdir"

# cmake NAME REV ARGS...: make in the build directory of configuration NAME
# at REV (base or series), for the configuration's architecture.
cmake() {
	local name=$1 rev=$2 arch=x86_64 cross=""
	shift 2
	case $name in
	i386) arch=i386 ;;
	arm64) arch=arm64 cross=aarch64-linux-gnu- ;;
	esac
	make -s -C "$BUILD_TREE" O="$BUILD_TREE/.build/cfg-$name-$rev" ARCH=$arch \
		${cross:+CROSS_COMPILE=$cross} CC="ccache ${cross}gcc" \
		HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

# build NAME REV FRAGMENT OUT: configure (again when the fragment or the
# checked-out tree changed) and build kernel/dma/ with W=1; the warnings,
# without line numbers, go to OUT.  A failed configuration or build fails.
build() {
	local name=$1 rev=$2 frag=$3 out=$4 obj want strict=() rc=0
	local raw=$logdir/cfg-$name-$rev.log
	obj=$BUILD_TREE/.build/cfg-$name-$rev
	want=$({ cat "$frag"; git -C "$BUILD_TREE" rev-parse "HEAD^{tree}"; } |
		sha256sum | cut -d' ' -f1)
	[ "$rev" = base ] || strict=(--strict)
	{
		if [ "$(cat "$obj/.swiotlb-elastic-config" 2>/dev/null)" != "$want" ]; then
			mkdir -p "$obj"
			cmake "$name" "$rev" tinyconfig >/dev/null
			(cd "$BUILD_TREE" && scripts/kconfig/merge_config.sh -m -O "$obj" \
				"$obj/.config" "$frag" >/dev/null)
			cmake "$name" "$rev" olddefconfig >/dev/null
			"$PROJECT_ROOT/scripts/check-config.sh" "${strict[@]}" "$obj/.config" "$frag"
			echo "$want" >"$obj/.swiotlb-elastic-config"
		fi
		cmake "$name" "$rev" W=1 kernel/dma/
	} >"$raw" 2>&1 || rc=$?
	{ grep -E '(warning|error):' "$raw" || true; } |
		sed -E 's/:[0-9]+:[0-9]+:/:/' | sort -u >"$out"
	[ "$rc" -eq 0 ] || tail -n 30 "$raw" >&2
	return "$rc"
}

exec 9>"$CACHE/build.lock"
failed=0
for frag in "${frags[@]}"; do
	name=$(basename "$frag" .config)
	rc=0
	flock 9
	git -C "$BUILD_TREE" checkout -q --detach base
	build "$name" base "$frag" "$logdir/cfg-$name-base.txt" || rc=1
	git -C "$BUILD_TREE" checkout -q --detach series
	build "$name" series "$frag" "$logdir/cfg-$name-series.txt" || rc=1
	flock -u 9
	new=$(comm -13 "$logdir/cfg-$name-base.txt" "$logdir/cfg-$name-series.txt")
	[ -z "$new" ] || { printf '%s\n' "$new" >&2; rc=1; }
	tap_result "$rc" "config $name: kernel/dma builds with W=1 at base and series, no new warning" \
		"logs: $logdir/cfg-$name-*.log"
	[ "$rc" -eq 0 ] || failed=1
done
[ "$failed" -eq 0 ]
