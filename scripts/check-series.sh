#!/usr/bin/env bash
# The series checks.  Prints one "ok - ..." or "not ok - ..." line per check:
#   - shellcheck on the project's shell scripts
#   - checkpatch.pl --strict on every patch (patches/checkpatch-allow.txt
#     may allow a message type, one "TYPE  reason" per line)
#   - the touched .rst files through sphinx-build: no new warnings
#     (scripts/check-docs.sh)
#   - the tools cross-built for arm64 (scripts/build-tools-arm64.sh)
#   - a build after each patch in order (bisectability)
#   - W=1 and sparse (C=2, sparse from scripts/build-sparse.sh) on the .c
#     files the series touches: no warning that the stock kernel does not
#     have
#   - scripts/kernel-doc -none on the touched files: no new warnings
#   - kernel/dma built with W=1 in the configurations the workbench's
#     kernels do not use: no CONFIG_SWIOTLB_DYNAMIC, no debugfs and
#     tracing, i386, arm64 (scripts/build-configs.sh)
# The mails (b4 0.16 am and shazam against git am) are checked by
# selftests/send/send_test.sh.
# Exit status: 0 when every check passed.
#
# Usage: scripts/check-series.sh [--no-build | --no-bisect]
#   --no-build   skip every check that builds (arm64 tools, bisectability,
#                W=1, sparse, configurations)
#   --no-bisect  skip only the build after each patch
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

nobuild=0
bisect=1
case ${1:-} in
--no-build) nobuild=1 ;;
--no-bisect) bisect=0 ;;
"") ;;
*) echo "usage: $0 [--no-build | --no-bisect]" >&2; exit 2 ;;
esac

need_pkgs shellcheck sparse git
need_build_pkgs
"$PROJECT_ROOT/scripts/base-tree.sh" 2>/dev/null
sync_series
failed=0
result() { tap_result "$@"; [ "$1" -eq 0 ] || failed=1; }
logdir=$CACHE/check
mkdir -p "$logdir"

# 1. shellcheck
mapfile -t shfiles < <(cd "$PROJECT_ROOT" && git ls-files -co --exclude-standard |
	grep -E '(\.sh$|^\.ci/run$)')
rc=0
(cd "$PROJECT_ROOT" && shellcheck -x "${shfiles[@]}") >"$logdir/shellcheck.log" 2>&1 || rc=1
[ "$rc" -eq 0 ] || cat "$logdir/shellcheck.log" >&2
result "$rc" "shellcheck on ${#shfiles[@]} scripts"

# 2. checkpatch, one result per patch
mapfile -t patches < <(series_files)
ignore=
if [ -f "$PATCH_DIR/checkpatch-allow.txt" ]; then
	ignore=$(awk '!/^[[:space:]]*(#|$)/ && NF >= 2 { printf "%s%s", sep, $1; sep = "," }' \
		"$PATCH_DIR/checkpatch-allow.txt")
fi
for p in "${patches[@]}"; do
	rc=0
	(cd "$DEV_TREE" && perl scripts/checkpatch.pl --strict --show-types ${ignore:+--ignore "$ignore"} "$p") \
		>"$logdir/checkpatch.log" 2>&1 || rc=1
	# checkpatch passes a patch with only CHECKs; the project does not.
	grep -qE '^(ERROR|WARNING|CHECK):' "$logdir/checkpatch.log" && rc=1
	[ "$rc" -eq 0 ] || grep -E -A4 '^(ERROR|WARNING|CHECK):' "$logdir/checkpatch.log" >&2
	result "$rc" "checkpatch --strict ${p##*/}"
done

# 2b. the touched .rst files through sphinx-build, one result each.
"$PROJECT_ROOT/scripts/check-docs.sh" || failed=1

[ "$nobuild" = 0 ] || { [ "$failed" -eq 0 ]; exit; }

# 3. the tools, cross-built for arm64 (dynamic and static, aarch64 ELF).
rc=0
"$PROJECT_ROOT/scripts/build-tools-arm64.sh" >"$logdir/tools-arm64.log" 2>&1 || rc=1
[ "$rc" -eq 0 ] || tail -n 30 "$logdir/tools-arm64.log" >&2
result "$rc" "tools: arm64 cross build, dynamic and static"

# 4. bisectability: build after each patch, in order.
exec 9>"$CACHE/build.lock"
commits=()
[ "$bisect" = 0 ] ||
	mapfile -t commits < <(git -C "$DEV_TREE" rev-list --reverse base..series)
i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	rc=0
	flock 9
	git -C "$BUILD_TREE" checkout -q --detach "$c"
	{ configure patched test && kmake patched test bzImage modules; } \
		>"$logdir/build-$i.log" 2>&1 || rc=1
	flock -u 9
	[ "$rc" -eq 0 ] || tail -n 30 "$logdir/build-$i.log" >&2
	result "$rc" "build after patch $i/${#commits[@]}: $(git -C "$DEV_TREE" log -1 --format=%s "$c")"
done

# 5 and 6. W=1 + sparse and kernel-doc on the touched files, against stock.
mapfile -t cfiles < <(git -C "$DEV_TREE" diff --name-only --diff-filter=AM base series -- '*.c' ':!tools/')
# Linux 7.3 refuses bookworm's sparse (scripts/checker-valid.sh) and would
# then check nothing; use one built from sid's source.
sparse=$("$PROJECT_ROOT/scripts/build-sparse.sh")
mapfile -t docfiles < <(git -C "$DEV_TREE" diff --name-only --diff-filter=AM base series -- '*.c' '*.h')
# warnings FLAVOUR OUT: W=1 and sparse messages for the touched files in
# OUT, without line numbers so that moved code does not count as new.  A
# build that fails (no configuration, a compiler error) fails the check:
# an empty list must mean no warning, not no build.
warnings() {
	local f objs=() rc=0 raw=$logdir/w1-$1.log
	for f in "${cfiles[@]}"; do
		git -C "$BUILD_TREE" cat-file -e "HEAD:$f" 2>/dev/null && objs+=("${f%.c}.o")
	done
	: >"$2"
	[ "${#objs[@]}" -gt 0 ] || return 0
	{ configure "$1" test && kmake "$1" test W=1 C=2 CHECK="$sparse" "${objs[@]}"; } >"$raw" 2>&1 || rc=$?
	# The kernel's Makefile only warns when it cannot use the checker.
	if grep -q 'is not available or not up to date' "$raw"; then
		echo "sparse was not run: $sparse is not usable (see $raw)" >&2
		rc=1
	fi
	# No warning at all is the good case: grep's status must not end the
	# script (set -e, pipefail).
	{ grep -E '(warning|error):' "$raw" || true; } |
		sed -E 's/:[0-9]+:[0-9]+:/:/' | sort -u >"$2"
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$raw" >&2
		return 1
	fi
}
kdoc() {
	local f
	for f in "${docfiles[@]}"; do
		[ -f "$BUILD_TREE/$f" ] || continue
		(cd "$BUILD_TREE" && perl scripts/kernel-doc -none -Wall "$f" 2>&1) |
			sed -E 's/:[0-9]+:/:/'
	done | sort -u
}
if [ "${#cfiles[@]}" -gt 0 ] || [ "${#docfiles[@]}" -gt 0 ]; then
	flock 9
	wrc=0
	git -C "$BUILD_TREE" checkout -q --detach base
	warnings stock "$logdir/w1-stock.txt" || wrc=1
	kdoc >"$logdir/kdoc-stock.txt"
	git -C "$BUILD_TREE" checkout -q --detach series
	warnings patched "$logdir/w1-patched.txt" || wrc=1
	kdoc >"$logdir/kdoc-patched.txt"
	flock -u 9
	new=$(comm -13 "$logdir/w1-stock.txt" "$logdir/w1-patched.txt")
	[ -z "$new" ] || printf '%s\n' "$new" >&2
	if [ "$wrc" -ne 0 ]; then
		result 1 "W=1 and sparse: build of the touched files failed (logs: $logdir/w1-*.log)"
	else
		result "$([ -z "$new" ]; echo $?)" "W=1 and sparse: no new warnings in ${#cfiles[@]} touched .c files"
	fi
	new=$(comm -13 "$logdir/kdoc-stock.txt" "$logdir/kdoc-patched.txt")
	[ -z "$new" ] || printf '%s\n' "$new" >&2
	result "$([ -z "$new" ]; echo $?)" "kernel-doc: no new warnings in ${#docfiles[@]} touched files"
fi

# 7. kernel/dma in other configurations, one result each.
"$PROJECT_ROOT/scripts/build-configs.sh" || failed=1

[ "$failed" -eq 0 ]
