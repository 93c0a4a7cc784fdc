#!/usr/bin/env bash
# Apply patches/ to the cache tree: branch "series" becomes base + the
# patches listed in patches/series, applied with git am in order.
#
# Usage: scripts/apply-series.sh [--if-changed] [--force]
#   --if-changed  do nothing when the tree already holds this series;
#                 refuse (rather than lose work) when the tree has commits
#                 that were never exported
#   --force       re-apply even over unexported commits (they stay
#                 reachable under refs/swiotlb-elastic/saved)
#
# A series that does not apply fails with git am's own message; the tree
# is left on the branch it was on, with no am session in progress.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if_changed=0
force=0
for a in "$@"; do
	case $a in
	--if-changed) if_changed=1 ;;
	--force) force=1 ;;
	*) echo "usage: $0 [--if-changed] [--force]" >&2; exit 2 ;;
	esac
done

[ -d "$DEV_TREE/.git" ] || "$PROJECT_ROOT/scripts/base-tree.sh"
git=(git -C "$DEV_TREE")
stamp=$CACHE/series.stamp

mapfile -t files < <(series_files)
for f in "${files[@]}"; do
	[ -f "$f" ] || die "patches/series names ${f##*/}, which does not exist"
done
want=$(series_sum)
head=$("${git[@]}" rev-parse series)

if [ -f "$stamp" ]; then
	read -r have_sum have_head <"$stamp"
else
	have_sum=none
	have_head=$("${git[@]}" rev-parse base)
fi

if [ "$if_changed" = 1 ]; then
	if [ "$have_sum" = "$want" ] && [ "$head" = "$have_head" ]; then
		exit 0
	fi
	if [ "$head" != "$have_head" ] && [ "$force" = 0 ]; then
		if [ "$have_sum" = "$want" ]; then
			log "the tree has commits not exported to patches/; building them as they are"
			log "(run scripts/export-series.sh to keep them)"
			exit 0
		fi
		die "both patches/ and the tree's series branch changed; export your
commits (scripts/export-series.sh) or re-apply with scripts/apply-series.sh --force"
	fi
fi

if [ -n "$("${git[@]}" status --porcelain --untracked-files=no)" ]; then
	die "$DEV_TREE has uncommitted changes; commit or stash them first"
fi
if [ "$head" != "$have_head" ]; then
	"${git[@]}" update-ref refs/swiotlb-elastic/saved "$head"
	log "unexported commits saved as refs/swiotlb-elastic/saved"
fi

log "applying ${#files[@]} patch(es) on base"
"${git[@]}" checkout -q -B series-apply base
if [ "${#files[@]}" -gt 0 ] &&
	! "${git[@]}" -c user.name=swiotlb-elastic -c user.email=swiotlb-elastic@localhost \
		am -q --committer-date-is-author-date "${files[@]}"; then
	"${git[@]}" am --abort || true
	"${git[@]}" checkout -q series
	"${git[@]}" branch -q -D series-apply
	die "the series does not apply (see git am's message above); the tree is unchanged"
fi
"${git[@]}" checkout -q -B series series-apply
"${git[@]}" branch -q -D series-apply
echo "$want $("${git[@]}" rev-parse series)" >"$stamp"
log "series applied: $("${git[@]}" log --oneline base..series | wc -l) commit(s)"
