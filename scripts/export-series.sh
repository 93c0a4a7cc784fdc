#!/usr/bin/env bash
# Export the commits base..series of the cache tree into patches/:
# the leading commits tagged "Cc: stable@vger.kernel.org" as standalone
# fixes in patches/fix/, the rest as NNNN-*.patch from git format-patch
# with a cover letter built from patches/cover-letter.txt (first line:
# subject; after a blank line: body), and patches/series listing all
# patches in the order git am applies them.  An empty series leaves an
# empty patches/series and no patch files.
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

# Standalone fixes: the leading commits of base..series that carry
# "Cc: stable@vger.kernel.org". Each goes out as its own mail, before the
# series and not part of it (patches/fix/), unnumbered ("[PATCH]") and
# applying to the base on its own; the series names them as its
# prerequisites (prerequisite-patch-id:).
fixes=0
while read -r c; do
	"${git[@]}" log -1 --format=%B "$c" | grep -qx 'Cc: stable@vger.kernel.org' || break
	fixes=$((fixes + 1))
done < <("${git[@]}" rev-list --reverse base..series)
first=base
[ "$fixes" -eq 0 ] || first=$("${git[@]}" rev-parse "series~$(($("${git[@]}" rev-list --count base..series) - fixes))")

n=$("${git[@]}" rev-list --count "$first"..series)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/fix"
if [ "$fixes" -gt 0 ]; then
	"${git[@]}" format-patch -q -N -o "$out/fix" --base=base \
		--subject-prefix="${SUBJECT_PREFIX:-PATCH}" base.."$first"
fi
if [ "$n" -gt 0 ]; then
	# format-patch takes the cover letter from the branch description.
	"${git[@]}" config branch.series.description "$(cat "$cover")"
	"${git[@]}" format-patch -q -o "$out" --cover-letter --thread \
		--cover-from-description=subject --base=base \
		--subject-prefix="${SUBJECT_PREFIX:-PATCH}" "$first"..series
	grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$out/0000-cover-letter.patch" &&
		die "format-patch left a placeholder in the cover letter"
fi

rm -f "$PATCH_DIR"/[0-9][0-9][0-9][0-9]-*.patch "$PATCH_DIR"/fix/[0-9][0-9][0-9][0-9]-*.patch
mkdir -p "$PATCH_DIR/fix"
: >"$PATCH_DIR/series"
for f in "$out"/fix/*.patch; do
	[ -e "$f" ] || continue
	cp "$f" "$PATCH_DIR/fix/"
	echo "fix/${f##*/}" >>"$PATCH_DIR/series"
done
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
log "exported $fixes standalone fix(es) and a series of $n patch(es) to $PATCH_DIR"
