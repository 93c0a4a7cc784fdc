#!/usr/bin/env bash
# Make the cache's kernel repository: Debian's linux-source-7.3 unpacked,
# committed as the base (tag "base"), with branch "series" for the patches
# and a worktree for builds (see scripts/lib.sh for the layout).
#
# Usage: scripts/base-tree.sh
#   SWIOTLB_ELASTIC_CACHE   where the cache lives (default ~/.cache/swiotlb-elastic)
#   SWIOTLB_ELASTIC_ANY_BASE=1  accept a linux-source-7.3 whose version
#                           differs from the tested one
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need_pkgs git xz-utils binutils

if git -C "$DEV_TREE" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	ver=$BASE_PKG_VERSION
else
	if [ ! -f "$BASE_TARBALL" ]; then
		"$PROJECT_ROOT/scripts/fetch-debs.sh" "$BASE_SUITE" "$BASE_SRC" \
			"$BASE_PKG=$BASE_PKG_VERSION" ||
			"$PROJECT_ROOT/scripts/fetch-debs.sh" "$BASE_SUITE" "$BASE_SRC" "$BASE_PKG"
	fi
	deb=$(find "$CACHE/debs/$BASE_SUITE" -maxdepth 1 -name "${BASE_PKG}_*.deb" |
		sort -V | tail -n 1)
	ver=$(dpkg-deb -f "$deb" Version)
fi
if [ "$ver" != "$BASE_PKG_VERSION" ]; then
	msg="$BASE_PKG $ver is what $BASE_SUITE has; the series is tested against $BASE_PKG_VERSION"
	[ "${SWIOTLB_ELASTIC_ANY_BASE:-0}" = 1 ] ||
		die "$msg (set SWIOTLB_ELASTIC_ANY_BASE=1 to use it anyway)"
	log "warning: $msg"
fi

if git -C "$DEV_TREE" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	log "base tree present: $DEV_TREE"
else
	[ ! -e "$DEV_TREE" ] || die "$DEV_TREE exists but has no base tag; remove it"
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	log "unpacking $BASE_TARBALL"
	tar -xJf "$BASE_TARBALL" -C "$tmp"
	top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	# Debian's packaging appends "/*" and "!/debian/" to the top-level
	# .gitignore, which would hide every new file from git.  Drop them.
	sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' "$top/.gitignore"
	git -C "$top" init -q -b series
	git -C "$top" add -f -A .
	# Fixed identity and dates: the same tarball gives the same base
	# commit id on every machine, so "base-commit:" in patches/ holds.
	GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
		git -C "$top" -c user.name=swiotlb-elastic \
		-c user.email=swiotlb-elastic@localhost \
		commit -q -m "Linux $BASE_KVER ($BASE_PKG $ver)

Unpacked from /usr/src/$BASE_PKG.tar.xz of the Debian package. The two Debian packaging lines at the end
of the top-level .gitignore (\"/*\" and \"!/debian/\") are dropped so
that git sees new files."
	git -C "$top" tag base
	mv "$top" "$DEV_TREE"
	rm -rf "$tmp"
	trap - EXIT
fi

# Commits made in the tree carry the project's identity unless the
# developer set one for this repository.
git -C "$DEV_TREE" config --local user.name >/dev/null 2>&1 ||
	git -C "$DEV_TREE" config user.name "swiotlb-elastic developers"
git -C "$DEV_TREE" config --local user.email >/dev/null 2>&1 ||
	git -C "$DEV_TREE" config user.email "dev@swiotlb-elastic.example"

# Kernels are built in a second worktree (see lib.sh).
printf '/.build/\n' >"$DEV_TREE/.git/info/exclude"
if [ ! -e "$BUILD_TREE/.git" ]; then
	git -C "$DEV_TREE" worktree prune
	git -C "$DEV_TREE" worktree add -q --detach "$BUILD_TREE" base
fi
log "kernel repository: $DEV_TREE (base $(git -C "$DEV_TREE" rev-parse --short base))"
