#!/usr/bin/env bash
# Configure and build one kernel of the workbench, incrementally.
#
# Usage: scripts/build-kernel.sh [FLAVOUR [VARIANT]]
#   FLAVOUR  patched (default): base + patches/; stock: the base alone
#   VARIANT  test (default): base.config + debug.config (lockdep, KASAN,
#            DMA_API_DEBUG, ...); bench: base.config only
# Prints the path of the build directory on success.
#
# One build at a time: the build worktree is shared by all flavours.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

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

log "building $flavour-$variant ($(git -C "$BUILD_TREE" log -1 --format='%h %s'))"
kmake "$flavour" "$variant" bzImage modules
git -C "$BUILD_TREE" rev-parse HEAD >"$obj/.swiotlb-elastic-rev"
echo "$obj"
