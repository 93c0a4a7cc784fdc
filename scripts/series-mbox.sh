#!/usr/bin/env bash
# Write the series as one mbox (cover letter first, then the patches in
# patches/series order) for b4, e.g.
#   scripts/series-mbox.sh >series.mbox
#   b4 --offline-mode shazam -m series.mbox
# Folded header lines are unfolded (RFC 5322 allows both): b4 0.12, as in
# Debian 12, fails on a folded From: or Subject: with Python 3.11.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# The standalone fixes (patches/fix/) go out as mails of their own; the
# series mbox holds the cover letter and the series' patches.
mapfile -t files < <(series_files | grep -v "^$PATCH_DIR/fix/")
[ "${#files[@]}" -gt 0 ] || die "the series is empty"
cat "$PATCH_DIR/0000-cover-letter.patch" "${files[@]}" |
	awk '
	/^From [0-9a-f]+ / { hdr = 1 }
	hdr && /^[ \t]/ && held != "" { sub(/^[ \t]+/, " "); held = held $0; next }
	{ if (held != "") print held; held = "" }
	hdr && /^$/ { hdr = 0 }
	hdr { held = $0; next }
	{ print }
	END { if (held != "") print held }'
