#!/usr/bin/env bash
# Check the mails of scripts/send.sh, as a maintainer would get them.
# Prints one "ok - ..." or "not ok - ..." line per check:
#   - the mails are the files of patches/ (the fixes in DIR/fix, each
#     series' cover letter and patches in DIR/SERIES), with only To:, Cc:
#     and, for a fix, a Message-Id added
#   - each series is threaded to its own cover letter (In-Reply-To,
#     References); each fix is a thread of its own, outside every series'
#     thread
#   - every To:/Cc: address of a mail is one that get_maintainer.pl names
#     for that patch (for a cover letter: for one of its series' patches),
#     or stable@vger.kernel.org on a patch with a Cc: stable trailer, and
#     none of them is missing
#   - a later series names the fixes and the series before it as its
#     prerequisites (prerequisite-patch-id: of each of their patches)
#   - checkpatch.pl --strict on every mail: no message but the types of
#     patches/checkpatch-allow.txt
#   - b4 0.16 (scripts/b4.sh) on the mails as they are, folded headers and
#     all: in a temporary clone of the cache tree at "base", git am of the
#     fix mails, then for each series in order "b4 am -o" + git am, and
#     "b4 shazam", of its thread, each give the tree of the series' last
#     commit in branch "series" (b4 without network)
# Exit status: 0 when every check passed.
#
# Usage: selftests/send/send_test.sh [DIR]
#   DIR  the output of scripts/send.sh -o DIR; by default scripts/send.sh
#        writes the mails of patches/ into a temporary directory first
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -le 1 ] || { echo "usage: $0 [DIR]" >&2; exit 2; }
need_pkgs perl git

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -eq 1 ]; then
	[ -d "$1/series" ] || [ -d "$1/fix" ] || die "$1 holds no mails of scripts/send.sh"
	dir=$(cd "$1" && pwd)
else
	dir=$work/send
	"$PROJECT_ROOT/scripts/send.sh" -o "$dir" >/dev/null
fi

failed=0
result() { tap_result "$@"; [ "$1" -eq 0 ] || failed=1; }

mapfile -t want_fixes < <(series_files | grep "^$PATCH_DIR/fix/" || true)
mapfile -t want_all < <(series_files | grep -v "^$PATCH_DIR/fix/" || true)
# The series by directory, in the order of patches/series; for each, its
# mails (cover letter first) in SERIES_MAILS[name], space-separated.
mapfile -t names < <(series_names)
declare -A series_mails=() series_want=()
want_series=()
for name in "${names[@]}"; do
	w=("$PATCH_DIR/$name/0000-cover-letter.patch")
	mapfile -t -O 1 w < <(printf '%s\n' "${want_all[@]}" | grep "^$PATCH_DIR/$name/")
	series_want[$name]=${w[*]}
	m=()
	for f in "${w[@]}"; do m+=("$dir/$name/${f##*/}"); done
	series_mails[$name]=${m[*]}
	want_series+=("${w[@]}")
done
fixes=() series=()
for f in "${want_fixes[@]}"; do fixes+=("$dir/fix/${f##*/}"); done
for name in "${names[@]}"; do
	read -r -a m <<<"${series_mails[$name]}"
	series+=("${m[@]}")
done
mails=("${fixes[@]}" "${series[@]}")

# header FILE NAME: the values of header NAME of mail FILE, one a line,
# continuation lines joined (no unfolding of the mails themselves).
header() {
	awk -v name="$2" '
	function out() { if (val != "") print val; val = ""; on = 0 }
	/^$/ { out(); exit }
	on && /^[ \t]/ { sub(/^[ \t]+/, " "); val = val $0; next }
	{ out() }
	tolower($0) ~ "^" tolower(name) ":" { on = 1; val = substr($0, length(name) + 2); sub(/^[ \t]+/, "", val); if (val == "") val = " " }
	END { out() }' "$1"
}

# addresses: the addresses of address-list lines on stdin, lower case, one
# a line (commas inside quoted names do not separate).
addresses() {
	awk '
	function emit(s) {
		if (match(s, /<[^>]*>/))
			s = substr(s, RSTART + 1, RLENGTH - 2)
		gsub(/^[ \t]+|[ \t]+$/, "", s)
		if (s != "")
			print tolower(s)
	}
	{
		item = ""; q = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "\"") q = !q
			if (c == "," && !q) { emit(item); item = ""; continue }
			item = item c
		}
		emit(item)
	}'
}

# 1. The mails are the files of patches/ with the recipients added.
rc=0
missing=()
for m in "${mails[@]}"; do [ -f "$m" ] || missing+=("${m#"$dir"/}"); done
extra=$(comm -13 <(printf '%s\n' "${mails[@]}" | sort) \
	<(find "$dir" -mindepth 2 -maxdepth 2 -name '*.patch' | sort))
if [ "${#missing[@]}" -gt 0 ] || [ -n "$extra" ]; then
	rc=1
	echo "missing: ${missing[*]}; not in patches/series: ${extra//$'\n'/ }" >&2
fi
result "$rc" "the mails are those of patches/series" \
	"${#fixes[@]} fix(es), ${#names[@]} series (${names[*]}): ${#series[@]} mails with the cover letters"
[ "$rc" -eq 0 ] || exit 1

# strip_added MAIL SOURCE: MAIL without its To:/Cc: headers, and without
# the Message-Id after the mbox From line when SOURCE has none.
strip_added() {
	local added=0
	sed '/^$/q' "$2" | grep -q '^Message-Id:' || added=1
	awk -v added="$added" '
	NR == 2 && added && /^Message-Id:/ { next }
	!body && skip && /^[ \t]/ { next }
	!body { skip = 0 }
	!body && tolower($0) ~ /^(to|cc):/ { skip = 1; next }
	/^$/ { body = 1 }
	{ print }' "$1"
}
rc=0
for i in "${!want_fixes[@]}"; do
	cmp -s <(strip_added "${fixes[$i]}" "${want_fixes[$i]}") "${want_fixes[$i]}" ||
		{ rc=1; echo "${fixes[$i]#"$dir"/} differs from ${want_fixes[$i]}" >&2; }
done
for i in "${!want_series[@]}"; do
	cmp -s <(strip_added "${series[$i]}" "${want_series[$i]}") "${want_series[$i]}" ||
		{ rc=1; echo "${series[$i]#"$dir"/} differs from ${want_series[$i]}" >&2; }
done
result "$rc" "the mails are patches/ unchanged but for To:, Cc: (and a fix's Message-Id)"

# 2. Threading.
rc=0
declare -A ids=()
for m in "${mails[@]}"; do
	id=$(header "$m" Message-Id)
	if [ "$(printf '%s\n' "$id" | grep -c '^<[^<>@ ]\+@[^<> ]\+>$')" -ne 1 ]; then
		rc=1; echo "${m#"$dir"/}: no single valid Message-Id ($id)" >&2
	elif [ -n "${ids[$id]:-}" ]; then
		rc=1; echo "${m#"$dir"/}: Message-Id $id also in ${ids[$id]}" >&2
	else
		ids[$id]=${m#"$dir"/}
	fi
done
result "$rc" "every mail has a Message-Id of its own"

for name in "${names[@]}"; do
	read -r -a sm <<<"${series_mails[$name]}"
	rc=0
	cover_id=$(header "${sm[0]}" Message-Id)
	[ -z "$(header "${sm[0]}" In-Reply-To)$(header "${sm[0]}" References)" ] ||
		{ rc=1; echo "the cover letter of $name replies to another mail" >&2; }
	for m in "${sm[@]:1}"; do
		irt=$(header "$m" In-Reply-To)
		refs=$(header "$m" References)
		if [ "$irt" != "$cover_id" ] || [[ " $refs " != *" $cover_id "* ]]; then
			rc=1
			echo "${m#"$dir"/}: In-Reply-To '$irt', References '$refs', not the cover letter $cover_id" >&2
		fi
	done
	result "$rc" "the $((${#sm[@]} - 1)) patches of series $name reply to its cover letter"
done
if [ "${#fixes[@]}" -gt 0 ]; then
	rc=0
	for f in "${fixes[@]}"; do
		fid=$(header "$f" Message-Id)
		[ -z "$(header "$f" In-Reply-To)$(header "$f" References)" ] ||
			{ rc=1; echo "${f#"$dir"/} replies to another mail" >&2; }
		for m in "${series[@]}"; do
			if [[ " $(header "$m" In-Reply-To) $(header "$m" References) " == *" $fid "* ]]; then
				rc=1
				echo "${m#"$dir"/} refers to the fix ${f#"$dir"/}" >&2
			fi
		done
	done
	result "$rc" "the fix(es) stand outside the series' thread"
fi

# 3. Recipients: those of get_maintainer.pl for the mail's patch.
gm=(perl scripts/get_maintainer.pl --nogit --nogit-fallback --nofixes --norolestats)
# check_recipients MAIL EXPECTED-FILE
check_recipients() {
	local m=$1 rc=0 to cc got extra missing both
	to=$(header "$m" To | addresses)
	cc=$(header "$m" Cc | addresses)
	got=$(printf '%s\n%s\n' "$to" "$cc" | grep . | sort -u || true)
	extra=$(comm -23 <(printf '%s\n' "$got") <(sort -u "$2"))
	missing=$(comm -13 <(printf '%s\n' "$got") <(sort -u "$2"))
	both=$(comm -12 <(printf '%s\n' "$to" | sort -u) <(printf '%s\n' "$cc" | sort -u))
	[ -z "$extra" ] || { rc=1; echo "${m#"$dir"/}: not named by get_maintainer.pl: ${extra//$'\n'/ }" >&2; }
	[ -z "$missing" ] || { rc=1; echo "${m#"$dir"/}: missing: ${missing//$'\n'/ }" >&2; }
	[ -z "$both" ] || { rc=1; echo "${m#"$dir"/}: in To: and Cc: ${both//$'\n'/ }" >&2; }
	[ -n "$to" ] || { rc=1; echo "${m#"$dir"/}: no To:" >&2; }
	result "$rc" "recipients of ${m#"$dir"/} are get_maintainer.pl's" \
		"To $(grep -c . <<<"$to" || true), Cc $(grep -c . <<<"$cc" || true)"
}
for m in "${fixes[@]}" "${series[@]}"; do
	[ "${m##*/}" != 0000-cover-letter.patch ] || continue
	exp=$work/${m//\//_}.exp
	(cd "$DEV_TREE" && "${gm[@]}" "$m") | addresses >"$exp"
	! wants_stable "$m" || echo stable@vger.kernel.org >>"$exp"
	check_recipients "$m" "$exp"
done
for name in "${names[@]}"; do
	read -r -a sm <<<"${series_mails[$name]}"
	# The cover letter: the union of its series' patches, without stable.
	for m in "${sm[@]:1}"; do cat "$work/${m//\//_}.exp"; done |
		grep -vx 'stable@vger\.kernel\.org' >"$work/cover-$name.exp" || true
	check_recipients "${sm[0]}" "$work/cover-$name.exp"
done

# Prerequisites: each series names the patch ids of the fixes and of the
# series before it, and nothing else (the first series: the fixes).
prev=("${want_fixes[@]}")
for name in "${names[@]}"; do
	read -r -a sm <<<"${series_mails[$name]}"
	rc=0
	got=$(sed -n 's/^prerequisite-patch-id: //p' "${sm[0]}" | sort)
	exp=$(for f in "${prev[@]}"; do git patch-id --stable <"$f" | cut -d' ' -f1; done | sort)
	[ "$got" = "$exp" ] || { rc=1; echo "$name: prerequisite-patch-id: $(tr '\n' ' ' <<<"$got"), want $(tr '\n' ' ' <<<"$exp")" >&2; }
	result "$rc" "series $name names its $(grep -c . <<<"$exp" || true) prerequisite patches"
	read -r -a w <<<"${series_want[$name]}"
	prev+=("${w[@]:1}")
done

# 4. checkpatch --strict on every mail.
ignore=
if [ -f "$PATCH_DIR/checkpatch-allow.txt" ]; then
	ignore=$(awk '!/^[[:space:]]*(#|$)/ && NF >= 2 { printf "%s%s", sep, $1; sep = "," }' \
		"$PATCH_DIR/checkpatch-allow.txt")
fi
for m in "${mails[@]}"; do
	rc=0
	(cd "$DEV_TREE" && perl scripts/checkpatch.pl --strict --show-types \
		${ignore:+--ignore "$ignore"} "$m") >"$work/checkpatch.log" 2>&1 || rc=1
	# checkpatch passes a patch with only CHECKs; the project does not.
	! grep -qE '^(ERROR|WARNING|CHECK):' "$work/checkpatch.log" || rc=1
	[ "$rc" -eq 0 ] || grep -E -A4 '^(ERROR|WARNING|CHECK):' "$work/checkpatch.log" >&2 || true
	result "$rc" "checkpatch --strict ${m#"$dir"/}"
done

# 5. b4 0.16 on the mails as they are, in a temporary clone at the base.
want=$(git -C "$DEV_TREE" rev-parse 'series^{tree}')
clone=$work/linux
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git clone -q --shared --no-checkout "$DEV_TREE" "$clone"
git -C "$clone" config user.name "send test"
git -C "$clone" config user.email "send-test@localhost"
git -C "$clone" checkout -q --detach base
"$PROJECT_ROOT/scripts/b4.sh" --version >"$work/b4.version"
# b4 runs without a network where the machine allows a network namespace:
# b4 0.16's shazam looks a prerequisite-patch-id up on the public archive
# even with --offline-mode (and waits for the answer).
b4=("$PROJECT_ROOT/scripts/b4.sh" --offline-mode)
! unshare -n true 2>/dev/null || b4=(unshare -n "${b4[@]}")

rc=0
[ "${#fixes[@]}" -eq 0 ] || git -C "$clone" am -q "${fixes[@]}" >"$work/am-fix.log" 2>&1 || rc=1
[ "$rc" -eq 0 ] || { cat "$work/am-fix.log" >&2; git -C "$clone" am --abort 2>/dev/null || true; }
result "$rc" "git am of the fix mail(s) on base"

# The last commit of each series in branch "series", in order.
mapfile -t commits < <(git -C "$DEV_TREE" rev-list --reverse base..series)
done_patches=${#want_fixes[@]}
for name in "${names[@]}"; do
	[ "$rc" -eq 0 ] || break
	read -r -a sm <<<"${series_mails[$name]}"
	n=$((${#sm[@]} - 1))
	done_patches=$((done_patches + n))
	want=$(git -C "$DEV_TREE" rev-parse "${commits[done_patches - 1]}^{tree}")
	start=$(git -C "$clone" rev-parse HEAD)
	cat "${sm[@]}" >"$work/$name.mbox"
	# b4 am -o, then git am of its .mbx
	rc=0
	rm -rf "$work/b4"
	(cd "$clone" && "${b4[@]}" am -m "$work/$name.mbox" -o "$work/b4") \
		>"$work/b4-am.log" 2>&1 || rc=1
	mbx=("$work"/b4/*.mbx)
	if [ "$rc" -eq 0 ] && [ -f "${mbx[0]}" ] && [ "${#mbx[@]}" -eq 1 ] &&
		grep -q "^Total patches: $n\$" "$work/b4-am.log"; then
		git -C "$clone" am -q "${mbx[0]}" >>"$work/b4-am.log" 2>&1 || rc=1
	else
		rc=1
	fi
	if [ "$rc" -eq 0 ]; then
		[ "$(git -C "$clone" rev-parse 'HEAD^{tree}')" = "$want" ] ||
			{ rc=1; echo "b4 am: tree $(git -C "$clone" rev-parse 'HEAD^{tree}'), want $want" >&2; }
	else
		cat "$work/b4-am.log" >&2
		git -C "$clone" am --abort 2>/dev/null || true
	fi
	result "$rc" "b4 $(cat "$work/b4.version") am -o of the $name thread + git am: the tree of its last commit" \
		"$n patches"
	applied=$(git -C "$clone" rev-parse HEAD)

	# b4 shazam, on the tree before the series again
	rc=0
	git -C "$clone" checkout -q --detach "$start"
	(cd "$clone" && "${b4[@]}" shazam -m "$work/$name.mbox") >"$work/b4-shazam.log" 2>&1 || rc=1
	if [ "$rc" -eq 0 ]; then
		[ "$(git -C "$clone" rev-list --count "$start"..HEAD)" = "$n" ] ||
			{ rc=1; echo "b4 shazam: $(git -C "$clone" rev-list --count "$start"..HEAD) commits, want $n" >&2; }
		[ "$(git -C "$clone" rev-parse 'HEAD^{tree}')" = "$want" ] ||
			{ rc=1; echo "b4 shazam: tree $(git -C "$clone" rev-parse 'HEAD^{tree}'), want $want" >&2; }
	fi
	[ "$rc" -eq 0 ] || cat "$work/b4-shazam.log" >&2
	result "$rc" "b4 $(cat "$work/b4.version") shazam of the $name thread: the tree of its last commit"
	# The next series goes on top of this one, as b4 am applied it.
	git -C "$clone" checkout -q --detach "$applied"
done

[ "$failed" -eq 0 ]
