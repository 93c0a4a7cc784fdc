#!/usr/bin/env bash
# Export the commits base..series of the cache tree into patches/:
# NNNN-*.patch from git format-patch, a cover letter built from
# patches/cover-letter.txt (first line: subject; after a blank line: body),
# and patches/series listing the patches in order.  An empty series leaves
# an empty patches/series and no patch files.
#
# Usage: scripts/export-series.sh
#   SUBJECT_PREFIX  default "PATCH"
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

git=(git -C "$DEV_TREE")
cover=$PATCH_DIR/cover-letter.txt
[ -f "$cover" ] || die "$cover is missing (subject line, blank line, body)"
[ -n "$("${git[@]}" status --porcelain --untracked-files=no)" ] &&
	die "$DEV_TREE has uncommitted changes; commit them to the series first"

n=$("${git[@]}" rev-list --count base..series)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if [ "$n" -gt 0 ]; then
	# format-patch takes the cover letter from the branch description.
	"${git[@]}" config branch.series.description "$(cat "$cover")"
	"${git[@]}" format-patch -q -o "$out" --cover-letter --thread \
		--cover-from-description=subject --base=base \
		--subject-prefix="${SUBJECT_PREFIX:-PATCH}" base..series
	grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$out/0000-cover-letter.patch" &&
		die "format-patch left a placeholder in the cover letter"
fi

rm -f "$PATCH_DIR"/[0-9][0-9][0-9][0-9]-*.patch
: >"$PATCH_DIR/series"
for f in "$out"/*.patch; do
	[ -e "$f" ] || continue
	cp "$f" "$PATCH_DIR/"
	case ${f##*/} in
	0000-cover-letter.patch) ;;
	*) echo "${f##*/}" >>"$PATCH_DIR/series" ;;
	esac
done

# The tree now holds exactly what patches/ describes.
want=$(series_sum)
echo "$want $("${git[@]}" rev-parse series)" >"$CACHE/series.stamp"
log "exported $n patch(es) to $PATCH_DIR"
