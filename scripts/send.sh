#!/usr/bin/env bash
# Write the mails a maintainer would get for patches/, with their
# recipients, into a directory; nothing is sent.
#   DIR/fix/NNNN-*.patch     each standalone fix of patches/fix/, a thread
#                            of its own (a Message-Id is added)
#   DIR/SERIES/0000-cover-letter.patch, DIR/SERIES/NNNN-*.patch
#                            each series of patches/layout (observability,
#                            policy), threaded to its cover letter as the
#                            export made it (In-Reply-To, References)
# One summary line per mail on stdout.
#
# Recipients come from the kernel's scripts/get_maintainer.pl, run in the
# cache tree ($DEV_TREE) on each patch, with --nogit --nogit-fallback
# --nofixes (the tree has no upstream history: the signers of a Fixes:
# commit cannot be found and must be added by hand) --norolestats:
#   To:  the maintainers (M:), who take the patch: get_maintainer.pl
#        --nol --nor
#   Cc:  the reviewers (R:) and the lists (L:): get_maintainer.pl --nom,
#        minus the addresses already in To:; and stable@vger.kernel.org
#        when the commit message has a "Cc: stable@vger.kernel.org" trailer
#        (git send-email would add it from the body).
# A cover letter goes to the union over its series' patches (To: the
# union of the To: lists, Cc: the union of the Cc: lists minus To:), without
# stable, which gets only the patches that ask for it.  Headers are folded
# as git format-patch --to/--cc folds them; a non-ASCII name is RFC 2047
# encoded as git send-email encodes it.  The bodies are the files of
# patches/ unchanged (base-commit:, prerequisite-patch-id: included).
#
# Sending them is "git send-email --suppress-cc=bodycc --suppress-cc=sob
# --suppress-cc=misc-by DIR/fix/*.patch", then the same for each
# DIR/SERIES/*.patch in the order of patches/layout, once the series
# before it is in: the header To:/Cc: are the recipients
# (--suppress-cc=all would drop the header Cc: too).
#
# Usage: scripts/send.sh [-o DIR]    (default DIR: $CACHE/send)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: $0 [-o DIR]" >&2; exit 2; }
out=$CACHE/send
while getopts o:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage

need_pkgs perl git
[ -f "$DEV_TREE/scripts/get_maintainer.pl" ] || "$PROJECT_ROOT/scripts/base-tree.sh"

mapfile -t fixes < <(series_files | grep "^$PATCH_DIR/fix/" || true)
mapfile -t all < <(series_files | grep -v "^$PATCH_DIR/fix/" || true)
[ "${#fixes[@]}" -gt 0 ] || [ "${#all[@]}" -gt 0 ] || die "patches/series is empty"
# The series, by directory, in the order of patches/series.
mapfile -t names < <(series_names)
for name in "${names[@]}"; do
	[ -f "$PATCH_DIR/$name/0000-cover-letter.patch" ] ||
		die "$PATCH_DIR/$name/0000-cover-letter.patch is missing"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gm=(perl scripts/get_maintainer.pl --nogit --nogit-fallback --nofixes --norolestats)

# header FILE NAME: the value of the first header NAME of mail FILE,
# continuation lines joined.
header() {
	awk -v name="$2" '
	/^$/ { exit }
	found && /^[ \t]/ { sub(/^[ \t]+/, " "); val = val $0; next }
	found { exit }
	tolower($0) ~ "^" tolower(name) ":" { found = 1; val = substr($0, length(name) + 2); sub(/^[ \t]+/, "", val) }
	END { print val }' "$1"
}


# unique EXCLUDE FILE...: the addresses of FILE... (one "Name <addr>" or
# "addr" a line), each once, in order, without those of EXCLUDE.
unique() {
	local exclude=$1
	shift
	awk -v exclude="$exclude" '
	function key(s) {
		if (match(s, /<[^>]*>/))
			s = substr(s, RSTART + 1, RLENGTH - 2)
		return tolower(s)
	}
	BEGIN { while ((getline line <exclude) > 0) seen[key(line)] = 1 }
	NF && !seen[key($0)]++' "$@"
}

# encode LINE: the address line for a header; a non-ASCII name becomes an
# RFC 2047 encoded word.
encode() {
	local LC_ALL=C
	local line=$1 name addr enc='' c i
	if [[ ! $line =~ [^[:print:]] ]] || [[ ! $line =~ ^(.*[^[:space:]])[[:space:]]+(<[^>]*>)$ ]]; then
		printf '%s\n' "$line"
		return
	fi
	name=${BASH_REMATCH[1]} addr=${BASH_REMATCH[2]}
	name=${name#\"} name=${name%\"}
	for ((i = 0; i < ${#name}; i++)); do
		c=${name:i:1}
		case $c in
		[A-Za-z0-9!*+/-]) enc+=$c ;;
		*) printf -v c '=%02X' "'$c"; enc+=$c ;;
		esac
	done
	printf '=?UTF-8?q?%s?= %s\n' "$enc" "$addr"
}

# fold NAME FILE: header NAME with the addresses of FILE, folded as git
# format-patch folds --to/--cc; nothing for an empty FILE.
fold() {
	local sep="$1: " line
	while IFS= read -r line; do
		printf '%s%s' "$sep" "$(encode "$line")"
		sep=$',\n    '
	done <"$2"
	[ "$sep" = "$1: " ] || printf '\n'
}

# recipients PATCH BASE: BASE.to and BASE.cc (get_maintainer.pl's), and
# BASE.stable (stable@vger.kernel.org, or empty).
recipients() {
	(cd "$DEV_TREE" && "${gm[@]}" --nol --nor "$1") >"$2.m"
	(cd "$DEV_TREE" && "${gm[@]}" --nom "$1") >"$2.rl"
	unique /dev/null "$2.m" >"$2.to"
	unique "$2.to" "$2.rl" >"$2.cc"
	if wants_stable "$1"; then
		echo stable@vger.kernel.org >"$2.stable"
	else
		: >"$2.stable"
	fi
}

# write_mail SRC DEST TOFILE CCFILE [MESSAGE-ID]: SRC with To:/Cc: from
# the files (any To:/Cc: it had replaced) at the end of its header, and a
# Message-Id after the mbox From line when given.
write_mail() {
	local hdrs
	hdrs=$(fold To "$3"; fold Cc "$4")
	HDRS=$hdrs awk -v msgid="${5:-}" '
	NR == 1 { print; if (msgid != "") print "Message-Id: " msgid; next }
	!hdr_done && skip && /^[ \t]/ { next }
	!hdr_done { skip = 0 }
	!hdr_done && tolower($0) ~ /^(to|cc):/ { skip = 1; next }
	!hdr_done && /^$/ { if (ENVIRON["HDRS"] != "") print ENVIRON["HDRS"]; hdr_done = 1 }
	{ print }' "$1" >"$2"
}

summary() { # MAIL TOFILE CCFILE
	printf '%-75s To %d, Cc %d\n' "${1#"$out"/}" "$(grep -c . "$2" || true)" "$(grep -c . "$3" || true)"
}

mkdir -p "$out/fix" "$tmp/fix"
rm -f "$out"/fix/*.patch
for name in "${names[@]}"; do
	mkdir -p "$out/$name" "$tmp/$name" "$tmp/cover-$name"
	rm -f "$out/$name"/*.patch
done

# 1. The standalone fixes, each a thread of its own.
for f in "${fixes[@]}"; do
	b=$tmp/fix/${f##*/}
	recipients "$f" "$b"
	cat "$b.cc" "$b.stable" >"$b.ccall"
	msgid=$(header "$f" Message-Id)
	if [ -z "$msgid" ]; then
		# As git format-patch --thread makes them: <commit.time.git.sender>.
		sha=$(head -n 1 "$f" | awk '{ print $2 }')
		when=$(date -d "$(header "$f" Date)" +%s)
		from=$(header "$f" From)
		from=${from##*<} from=${from%>}
		msgid="<$sha.$when.git.$from>"
	else
		msgid=
	fi
	write_mail "$f" "$out/fix/${f##*/}" "$b.to" "$b.ccall" "$msgid"
	summary "$out/fix/${f##*/}" "$b.to" "$b.ccall"
done

# 2. Each series: the patches' recipients first, the cover letter's union.
npatches=0
for name in "${names[@]}"; do
	cover=$PATCH_DIR/$name/0000-cover-letter.patch
	mapfile -t patches < <(printf '%s\n' "${all[@]}" | grep "^$PATCH_DIR/$name/")
	cover_id=$(header "$cover" Message-Id)
	[ -n "$cover_id" ] || die "$cover has no Message-Id (export with --thread)"
	for f in "${patches[@]}"; do
		[ "$(header "$f" In-Reply-To)" = "$cover_id" ] ||
			die "$name/${f##*/} does not reply to the cover letter $cover_id"
		recipients "$f" "$tmp/$name/${f##*/}"
	done
	c=$tmp/cover-$name/cover
	unique /dev/null "$tmp/$name"/*.to >"$c.to"
	unique "$c.to" "$tmp/$name"/*.cc >"$c.cc"
	write_mail "$cover" "$out/$name/${cover##*/}" "$c.to" "$c.cc"
	summary "$out/$name/${cover##*/}" "$c.to" "$c.cc"
	for f in "${patches[@]}"; do
		b=$tmp/$name/${f##*/}
		cat "$b.cc" "$b.stable" >"$b.ccall"
		write_mail "$f" "$out/$name/${f##*/}" "$b.to" "$b.ccall"
		summary "$out/$name/${f##*/}" "$b.to" "$b.ccall"
	done
	npatches=$((npatches + ${#patches[@]} + 1))
done
log "wrote $((${#fixes[@]} + npatches)) mails to $out (nothing sent)"
