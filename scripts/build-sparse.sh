#!/usr/bin/env bash
# Build a sparse that Linux 7.3 accepts, into the cache, and print its path.
#
# Linux 7.3's scripts/checker-valid.sh needs __typeof_unqual__, which
# bookworm's sparse 0.6.4 lacks: with it, "make C=2" prints a warning and
# quietly checks nothing.  sid's sparse (0.6.5~rc1) has it, but its binary
# needs a newer glibc than bookworm's, so it is built here from sid's
# source package (about a minute; only the "sparse" program, no LLVM).
#
# Usage: scripts/build-sparse.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dir=$CACHE/sparse
bin=$dir/bin/sparse
if [ ! -x "$bin" ]; then
	need_pkgs build-essential dpkg-dev
	rm -rf "$dir/src"
	mkdir -p "$dir/src" "$dir/bin"
	"$PROJECT_ROOT/scripts/fetch-debs.sh" --source sid "$dir/src" sparse
	orig=$(find "$dir/src" -maxdepth 1 -name 'sparse_*.orig.tar.*' | head -n 1)
	[ -n "$orig" ] || die "no sparse source in $dir/src"
	tar -xf "$orig" -C "$dir/src"
	top=$(find "$dir/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	log "building sparse from $(basename "$orig")"
	make -s -C "$top" -j"$JOBS" sparse HAVE_LLVM=no HAVE_GTK=no HAVE_SQLITE=no >/dev/null
	install -m 0755 "$top/sparse" "$bin"
fi
# The same test the kernel's Makefile runs before it uses a checker.
[ "$(sh "$DEV_TREE/scripts/checker-valid.sh" "$bin" -m64)" = 1 ] ||
	die "$bin does not pass Linux's scripts/checker-valid.sh"
echo "$bin"
