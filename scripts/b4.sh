#!/usr/bin/env bash
# Run b4 0.16 (Debian sid's) on this bookworm machine, without changing
# what apt installs: bookworm's b4 is 0.12, which fails on folded From: or
# Subject: headers with Python 3.11, and does not know prerequisite-patch-id.
#
# Usage: scripts/b4.sh B4-ARGS...   e.g. scripts/b4.sh --offline-mode am -m x.mbox
#
# The first run downloads sid's b4 and the pure-Python libraries it needs
# that bookworm lacks or has too old (patatt, liblore, ezgb) with
# scripts/fetch-debs.sh and unpacks them into $CACHE/b4; later runs use
# that (the stamp $CACHE/b4/.swiotlb-elastic-b4 names the unpacked
# versions).  The rest comes from bookworm through apt: requests, dkimpy
# (and dnspython), PyNaCl (patatt's ed25519 attestation), pygit2 (ezgb).
# b4 runs under bookworm's /usr/bin/python3 (3.11; b4 0.16 needs >= 3.11).
#
# What works: am, shazam, mbox, diff, kr, ty, pr, dig.  What does not:
# prep, send and trailers (module b4.ez) need pygit2 >= 1.14 (pygit2.enums);
# bookworm has 1.11 and sid's is built for a newer Python.
#
# sid moves on: a fresh machine gets sid's current b4.  A version other than
# $B4_SERIES.x is refused (SWIOTLB_ELASTIC_ANY_B4=1 accepts it): the series
# checks are written against the behaviour of b4 0.16.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

B4_SERIES=0.16
B4_SUITE=sid
B4_PKGS=(b4 python3-patatt python3-liblore python3-ezgb)
dir=$CACHE/b4
stamp=$dir/.swiotlb-elastic-b4

# unpacked_ok: the cache holds an unpacked b4 of the wanted version.
unpacked_ok() {
	[ -f "$stamp" ] || return 1
	[ "${SWIOTLB_ELASTIC_ANY_B4:-}" = 1 ] && return 0
	grep -q "^b4 ${B4_SERIES//./\\.}\." "$stamp"
}

need_pkgs python3 git python3-requests python3-dkim python3-dnspython \
	python3-nacl python3-pygit2

if ! unpacked_ok; then
	mkdir -p "$CACHE"
	exec 8>"$CACHE/b4.lock"
	flock 8
	if ! unpacked_ok; then
		new=$dir.new
		rm -rf "$new"
		"$PROJECT_ROOT/scripts/fetch-debs.sh" "$B4_SUITE" "$new" "${B4_PKGS[@]}"
		# "PACKAGE VERSION" lines, the version from the first line of each
		# Debian changelog: "b4 (0.16.0-1) unstable; urgency=medium".
		for p in "${B4_PKGS[@]}"; do
			printf '%s %s\n' "$p" "$(zcat "$new/usr/share/doc/$p/changelog.Debian.gz" |
				sed -nE '1s/^[^ ]+ \(([^)]+)\).*/\1/p')"
		done >"$new/.swiotlb-elastic-b4"
		version=$(awk '$1 == "b4" { print $2 }' "$new/.swiotlb-elastic-b4")
		case $version in
		"$B4_SERIES".*) ;;
		*)
			if [ "${SWIOTLB_ELASTIC_ANY_B4:-}" != 1 ]; then
				rm -rf "$new"
				die "$B4_SUITE has b4 $version, not $B4_SERIES.x (SWIOTLB_ELASTIC_ANY_B4=1 uses it)"
			fi
			;;
		esac
		rm -rf "$dir"
		mv "$new" "$dir"
		log "b4 $version unpacked into $dir"
	fi
	exec 8>&-
fi

export PYTHONPATH=$dir/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
# What /usr/bin/b4 of the package does, with the program name "b4".
exec /usr/bin/python3 -c '
import sys
from b4.command import cmd
sys.argv[0] = "b4"
sys.exit(cmd())
' "$@"
