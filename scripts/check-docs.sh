#!/usr/bin/env bash
# The reStructuredText files the series touches, through sphinx-build at
# the base and at the tip: no warning that the base does not have.  Each
# file is built alone, as the index of a project without the kernel's
# Sphinx extensions (the series' files use none), which takes seconds
# where `make htmldocs` takes most of an hour on two cores.  Warnings are
# compared without line numbers, so that moved text does not count as
# new.  One TAP line per file.
#
# Usage: scripts/check-docs.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || die "usage: $0"
need_pkgs python3-sphinx git
work=$CACHE/check/docs
rm -rf "$work"
mkdir -p "$work"
mapfile -t files < <(git -C "$DEV_TREE" diff --name-only base series -- '*.rst')

# sphinx_warnings REV FILE: FILE's warnings at REV (none if it does not
# exist there), and a line of its own if sphinx-build failed.
sphinx_warnings() {
	local dir src status=0
	dir=$work/$1/${2//\//_}
	src=$dir/src
	mkdir -p "$src"
	git -C "$DEV_TREE" show "$1:$2" >"$src/index.rst" 2>/dev/null || return 0
	printf 'project = "%s"\n' "${2##*/}" >"$src/conf.py"
	sphinx-build -b html -q -N -d "$dir/doctrees" "$src" "$dir/html" \
		>/dev/null 2>"$dir/stderr" || status=$?
	sed -E "s|^$src/index\\.rst:([0-9]+:)?|$2:|" "$dir/stderr"
	[ "$status" -eq 0 ] || echo "$2: sphinx-build exited with status $status"
}

rc=0
for f in "${files[@]}"; do
	sphinx_warnings base "$f" | sort -u >"$work/base.txt"
	sphinx_warnings series "$f" | sort -u >"$work/series.txt"
	new=$(comm -13 "$work/base.txt" "$work/series.txt")
	[ -z "$new" ] || { printf '%s\n' "$new" >&2; rc=1; }
	tap_result "$([ -z "$new" ]; echo $?)" "sphinx-build $f: no new warnings" \
		"$(grep -c . "$work/series.txt" || true) at the tip, $(grep -c . "$work/base.txt" || true) at the base"
done
[ ${#files[@]} -gt 0 ] || tap_result 0 "sphinx-build: the series touches no .rst file"
exit "$rc"
