#!/usr/bin/env bash
# Export the commits base..series of the cache tree into patches/:
#   - the leading commits tagged "Cc: stable@vger.kernel.org" as standalone
#     fixes in patches/fix/, unnumbered ("[PATCH]"), each a mail of its own;
#   - the rest as the series of patches/layout, in order: each into its
#     directory, NNNN-*.patch from git format-patch with a cover letter
#     (0000-cover-letter.patch) built from DIR/cover-letter.txt (first line:
#     subject; after a blank line: body), threaded to it.  A series names
#     the fixes and the series before it as its prerequisites
#     (prerequisite-patch-id: lines after base-commit:);
#   - patches/series, listing all patches in the order git am applies them.
#
# patches/layout has one line per series: its directory, a tab, and the
# subject of its last commit; the last line has no subject and takes the
# rest of the branch.
#
# Usage: scripts/export-series.sh
#   SUBJECT_PREFIX  default "PATCH"
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

git=(git -C "$DEV_TREE")
layout=$PATCH_DIR/layout
[ -f "$layout" ] || die "$layout is missing (one line per series: DIR<tab>last subject)"
[ -n "$("${git[@]}" status --porcelain --untracked-files=no)" ] &&
	die "$DEV_TREE has uncommitted changes; commit them to the series first"

mapfile -t commits < <("${git[@]}" rev-list --reverse base..series)
fixes=0
for c in "${commits[@]}"; do
	"${git[@]}" log -1 --format=%B "$c" | grep -qx 'Cc: stable@vger.kernel.org' || break
	fixes=$((fixes + 1))
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/fix"
if [ "$fixes" -gt 0 ]; then
	"${git[@]}" format-patch -q -N -o "$out/fix" --base=base \
		--subject-prefix="${SUBJECT_PREFIX:-PATCH}" base.."${commits[fixes - 1]}"
fi

# The series, one range of commits each.
names=() ends=()
while IFS=$'\t' read -r name last; do
	case $name in '' | '#'*) continue ;; esac
	[ -f "$PATCH_DIR/$name/cover-letter.txt" ] ||
		die "$PATCH_DIR/$name/cover-letter.txt is missing (subject line, blank line, body)"
	names+=("$name")
	ends+=("$last")
done <"$layout"
[ "${#names[@]}" -gt 0 ] || die "$layout names no series"
i=$fixes
for ((s = 0; s < ${#names[@]}; s++)); do
	name=${names[s]} start=$i
	if [ $((s + 1)) -eq "${#names[@]}" ]; then
		i=${#commits[@]}
	else
		while [ "$i" -lt "${#commits[@]}" ] &&
			[ "$("${git[@]}" log -1 --format=%s "${commits[i]}")" != "${ends[s]}" ]; do
			i=$((i + 1))
		done
		[ "$i" -lt "${#commits[@]}" ] ||
			die "series $name: no commit \"${ends[s]}\" after the previous series"
		i=$((i + 1))
	fi
	[ "$i" -gt "$start" ] || die "series $name is empty"
	from=base
	[ "$start" -eq 0 ] || from=${commits[start - 1]}
	# format-patch takes the cover letter from the description of the
	# branch it formats.
	"${git[@]}" branch -f "export-$name" "${commits[i - 1]}"
	"${git[@]}" config "branch.export-$name.description" \
		"$(cat "$PATCH_DIR/$name/cover-letter.txt")"
	mkdir -p "$out/$name"
	"${git[@]}" format-patch -q -o "$out/$name" --cover-letter --thread \
		--cover-from-description=subject --base=base \
		--subject-prefix="${SUBJECT_PREFIX:-PATCH}" "$from..export-$name"
	"${git[@]}" branch -q -D "export-$name"
	grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$out/$name/0000-cover-letter.patch" &&
		die "format-patch left a placeholder in the cover letter of $name"
	# Each cover letter gets a Message-Id of its own: format-patch makes
	# them from the time alone.
	sed -i "s/<cover\./<cover.$name./g" "$out/$name"/*.patch
	# The prerequisites as b4 and lore compute patch ids, with "git
	# patch-id --stable" on each patch: git 2.39's format-patch --base
	# gives other ids for some patches that touch several files.
	if [ "$from" != base ]; then
		"${git[@]}" rev-list --reverse "base..$from" | while read -r c; do
			"${git[@]}" show "$c" | git patch-id --stable | cut -d' ' -f1
		done >"$out/prereq"
		awk -v ids="$out/prereq" '
		/^prerequisite-patch-id: / { next }
		{ print }
		/^base-commit: / { while ((getline id <ids) > 0) print "prerequisite-patch-id: " id }' \
			"$out/$name/0000-cover-letter.patch" >"$out/cover" &&
			mv "$out/cover" "$out/$name/0000-cover-letter.patch"
	fi
done
[ "$i" -eq "${#commits[@]}" ] || die "commits after the last series"

rm -f "$PATCH_DIR"/fix/[0-9][0-9][0-9][0-9]-*.patch
for name in "${names[@]}"; do
	rm -f "$PATCH_DIR/$name"/[0-9][0-9][0-9][0-9]-*.patch
done
mkdir -p "$PATCH_DIR/fix"
: >"$PATCH_DIR/series"
for f in "$out"/fix/*.patch; do
	[ -e "$f" ] || continue
	cp "$f" "$PATCH_DIR/fix/"
	echo "fix/${f##*/}" >>"$PATCH_DIR/series"
done
for name in "${names[@]}"; do
	for f in "$out/$name"/*.patch; do
		cp "$f" "$PATCH_DIR/$name/"
		case ${f##*/} in
		0000-cover-letter.patch) ;;
		*) echo "$name/${f##*/}" >>"$PATCH_DIR/series" ;;
		esac
	done
done

# The tree now holds exactly what patches/ describes.
want=$(series_sum)
echo "$want $("${git[@]}" rev-parse series)" >"$CACHE/series.stamp"
log "exported $fixes standalone fix(es) and the series ${names[*]}: $((${#commits[@]} - fixes)) patch(es) to $PATCH_DIR"
