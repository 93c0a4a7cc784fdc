#!/usr/bin/env bash
# The project's test run: the series checks, then for each flavour (stock,
# patched) the test kernel, the test module and kselftests, one guest boot
# that runs them all with swiotlb=force, the edu device and a virtio-blk
# disk, and the KUnit results of that boot; on the patched kernel a second
# boot with bad boot parameters and a third with RAM above 4 GiB and no
# swiotlb=force (scripts/guest-embedded.sh, also run on arm64 by
# scripts/test-arm64.sh).  Every
# check, kselftest case, KUnit case and guest run counts once; the last line is
# "N passed, N failed[, N skipped on stock]".  The stock kernel lacks the
# series' features, so its tests may skip; on the patched kernel a skip is
# a missing feature and fails.
#
# Usage: scripts/test.sh [FLAVOUR...]   (default: stock patched)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(stock patched)
for f in "${flavours[@]}"; do flavour_rev "$f" >/dev/null; done

pass=0 fail=0 skip=0

mkdir -p "$CACHE/guest"
# Time limits follow this machine's speed: the first guest is preceded by a
# boot of the same kernel that runs nothing, and the guests' and the
# kselftest runner's limits are multiplied by its time over the reference
# boot (REF_BOOT s on the project's machine, README), never by less than 1:
# scale is that factor in percent.
REF_BOOT=54
# The whole test guest, the kselftests and the tools' test: it outran the
# former 900 s on 3 December, a slow day whose boots were not slow (39 s).
GUEST_LIMIT=1800
scale=""
calibrate() {
	local flavour=$1 t0 boot rc=0
	t0=$(date +%s)
	"$PROJECT_ROOT/scripts/run-guest.sh" -k "$flavour" -q -o "$CACHE/guest/calibrate" \
		-t 600 -- true >"$CACHE/guest/calibrate.txt" 2>&1 || rc=$?
	boot=$(($(date +%s) - t0))
	scale=$((100 * boot / REF_BOOT))
	[ "$scale" -ge 100 ] || scale=100
	count "" <<<"$(tap_result "$rc" "calibration: a $flavour boot took $boot s (reference $REF_BOOT s): time limits at $scale %")"
}

# extra_boot NAME DESCRIPTION [RUN-GUEST OPTION...]: boot the patched
# kernel with the parameters of scripts/guest-NAME.sh --params and run that
# script on $tdir (and the flavour); its result lines and the boot count.
extra_boot() {
	local name=$1 desc=$2 rc=0
	shift 2
	"$PROJECT_ROOT/scripts/run-guest.sh" -k patched -q -o "$out-$name" "$@" \
		-a "$("$PROJECT_ROOT/scripts/guest-$name.sh" --params)" \
		-t "$((300 * scale / 100))" -- "scripts/guest-$name.sh" "$tdir" patched \
		>"$out-$name.txt" 2>&1 || rc=$?
	count "patched: $name: " < <(grep -E '^(not )?ok ' "$out-$name.txt" || true)
	count_guest "$rc" "patched: $desc" "$out-$name"
}

log "series checks"
checks=$CACHE/check-series.out
rc=0
"$PROJECT_ROOT/scripts/check-series.sh" >"$checks" 2>&1 || rc=$?
count "" <"$checks"
# A checks script that stops without saying which check failed still fails.
if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$checks"; then
	count "" <<<"not ok - series checks stopped with status $rc before reporting"
fi

# The mails "make send" writes: threading, recipients, checkpatch, and
# b4 0.16 am/shazam against git am.
log "the series' mails"
count "" < <("$PROJECT_ROOT/selftests/send/send_test.sh" 2>&1 ||
	echo "not ok - selftests/send/send_test.sh exited with status $?")

for flavour in "${flavours[@]}"; do
	log "$flavour: kernel, tests, guest"
	if ! "$PROJECT_ROOT/scripts/build-kernel.sh" "$flavour" test >"$CACHE/build-$flavour.log" 2>&1; then
		tail -n 40 "$CACHE/build-$flavour.log"
		count "" <<<"not ok - $flavour: kernel build (log: $CACHE/build-$flavour.log)"
		continue
	fi
	if [ "$flavour" = patched ]; then
		count "" < <("$PROJECT_ROOT/scripts/check-vmlinux-h.sh" patched test 2>&1)
	fi
	if ! tdir=$("$PROJECT_ROOT/scripts/build-tests.sh" "$flavour" test 2>"$CACHE/tests-$flavour.log"); then
		cat "$CACHE/tests-$flavour.log"
		count "" <<<"not ok - $flavour: build of the test module and kselftests"
		continue
	fi
	out=$CACHE/guest/test-$flavour
	[ -n "$scale" ] || calibrate "$flavour"
	rc=0
	"$PROJECT_ROOT/scripts/run-guest.sh" -k "$flavour" -q -o "$out" \
		-a swiotlb=force --edu --disk 64M -t "$((GUEST_LIMIT * scale / 100))" \
		-- scripts/guest-tests.sh "$tdir" "$flavour" "$scale" >"$out.txt" 2>&1 || rc=$?
	# kselftest TAP from run_kselftest.sh: each test case ("# ok N ...",
	# one level down) counts; a program line counts only when the program
	# did not report its cases (timeout, crash), since a failing case
	# already counts.  Lines of other programs (bin/) count as they are.
	count "$flavour: " < <(awk '
		/^# (not )?ok [0-9]+ / { sub(/^# /, ""); print; next }
		/^(not )?ok [0-9]+ selftests: / {
			if (/^not ok/ && !/# exit=1$/) print; else print "# " $0
			next
		}
		/^[[:space:]]/ { next }
		{ print }' "$out.txt" || true)
	count_kunit "$flavour" "$out/console.log"
	count_guest "$rc" "$flavour: guest run" "$out"

	# Two more boots of the patched kernel, each running one script that
	# also prints its kernel parameters: bad swiotlb parameters (their
	# messages and the values in force), and the embedded case: RAM above
	# 4 GiB without swiotlb=force, a 1 MiB pool, direct and bounced
	# mappings of one device, growth, the cap and the way back.
	[ "$flavour" = patched ] || continue
	extra_boot bootparams "guest run with bad boot parameters"
	extra_boot embedded "guest run above 4 GiB without swiotlb=force" --highmem --edu
done

# The tools on this machine's own kernel: the mode it allows starts and exits.
tools=$CACHE/tests/patched-test/tools
if [ -x "$tools/swiotlbtop" ]; then
	log "tools on the host kernel ($(uname -r))"
	count "host: " < <("$PROJECT_ROOT/selftests/tools/swiotlb_tools_host_test.sh" "$tools" 2>&1 ||
		echo "not ok - host: the tools' host test exited with status $?")
else
	count "" <<<"not ok - host: no tools built in $tools"
fi

summary="$pass passed, $fail failed"
[ "$skip" -eq 0 ] || summary+=", $skip skipped on stock"
echo "$summary"
[ "$fail" -eq 0 ]
