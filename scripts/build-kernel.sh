#!/usr/bin/env bash
# Configure and build one kernel of the workbench, incrementally.
#
# Usage: scripts/build-kernel.sh [--arch ARCH] [FLAVOUR [VARIANT]]
#   --arch   x86_64 (default, or $SWIOTLB_ARCH) or arm64, cross-built with
#            gcc-aarch64-linux-gnu
#   FLAVOUR  patched (default): base + patches/; stock: the base alone
#   VARIANT  test (default): base.config + configs/arch/ARCH.config +
#            debug.config (lockdep, KASAN, DMA_API_DEBUG, ...); bench:
#            without debug.config
# Prints the path of the build directory on success.
#
# One build at a time: the build worktree is shared by all flavours.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --arch ]; then
	[ $# -ge 2 ] || die "--arch takes x86_64 or arm64"
	set_arch "$2"
	shift 2
fi
flavour=${1:-patched}
variant=${2:-test}
obj=$(build_dir "$flavour" "$variant")
rev=$(flavour_rev "$flavour")

need_build_pkgs
"$PROJECT_ROOT/scripts/base-tree.sh"
if [ "$flavour" = patched ]; then
	sync_series
fi

exec 9>"$CACHE/build.lock"
flock 9
git -C "$BUILD_TREE" checkout -q --detach "$(git -C "$DEV_TREE" rev-parse "$rev")"

# A new build directory starts as a copy of the other flavour's: the source
# path is the same, so make recompiles only the files that differ.
if [ ! -d "$obj" ]; then
	for other in stock patched; do
		seed=$(build_dir "$other" "$variant")
		if [ "$seed" != "$obj" ] && [ -f "$seed/vmlinux" ]; then
			log "seeding $obj from $seed"
			cp -a "$seed" "$obj"
			break
		fi
	done
fi

configure "$flavour" "$variant"

log "building $flavour-$variant for $KARCH ($(git -C "$BUILD_TREE" log -1 --format='%h %s'))"
kmake "$flavour" "$variant" "$(kernel_target)" modules
git -C "$BUILD_TREE" rev-parse HEAD >"$obj/.swiotlb-elastic-rev"
echo "$obj"
