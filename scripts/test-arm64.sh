#!/usr/bin/env bash
# The embedded case's test run ("make test-arm64"): for each flavour
# (stock, patched), the arm64 test kernel cross-built from the same series
# and scripts as x86_64, the test driver and the static tools, and one
# boot of QEMU virt (Cortex-A35, 4 GiB of RAM from 1 GiB to 5 GiB, the edu
# device, no swiotlb=force, a 1 MiB default pool) that runs
# scripts/guest-embedded.sh; on the patched kernel, the KUnit suite of
# that boot.  Each step's time is printed.  The last line is
# "N passed, N failed[, N skipped on stock]", as for scripts/test.sh; a
# skip on the patched kernel fails.
#
# Too long for CI with the x86_64 run (a cold arm64 kernel build alone
# takes longer than the x86_64 one): run it before resolving work that
# touches the series or the tools, and quote its result.
#
# Usage: scripts/test-arm64.sh [FLAVOUR...]   (default: stock patched)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
set_arch arm64

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(stock patched)
for f in "${flavours[@]}"; do flavour_rev "$f" >/dev/null; done

pass=0 fail=0 skip=0
# The steps' times go to the run's own output, whatever the step's is.
exec 3>&1
# step NAME COMMAND...: run COMMAND, print its time.
step() {
	local name=$1 t0 rc=0
	shift
	t0=$(date +%s)
	"$@" || rc=$?
	echo "# step: $name: $(($(date +%s) - t0)) s, status $rc" >&3
	return "$rc"
}

mkdir -p "$CACHE/guest"
for flavour in "${flavours[@]}"; do
	log "$flavour: arm64 kernel, tests, guest"
	blog=$CACHE/build-arm64-$flavour.log
	if ! step "$flavour: arm64 kernel build" \
		"$PROJECT_ROOT/scripts/build-kernel.sh" --arch arm64 "$flavour" test >"$blog" 2>&1; then
		tail -n 40 "$blog"
		count "" <<<"not ok - $flavour: arm64 kernel build (log: $blog)"
		continue
	fi
	tlog=$CACHE/tests-arm64-$flavour.log
	if ! step "$flavour: arm64 test driver and tools" \
		"$PROJECT_ROOT/scripts/build-tests.sh" --arch arm64 "$flavour" test >"$tlog.out" 2>"$tlog"; then
		tail -n 40 "$tlog"
		count "" <<<"not ok - $flavour: arm64 build of the test driver and tools"
		continue
	fi
	tdir=$(tail -n 1 "$tlog.out")
	out=$CACHE/guest/test-arm64-$flavour
	rc=0
	step "$flavour: arm64 guest" \
		"$PROJECT_ROOT/scripts/run-guest.sh" --arch arm64 -k "$flavour" -q -o "$out" \
		-a "$("$PROJECT_ROOT/scripts/guest-embedded.sh" --params)" --edu --smp 2 -t 1200 \
		-- scripts/guest-embedded.sh "$tdir" "$flavour" >"$out.txt" 2>&1 || rc=$?
	count "$flavour: arm64: " < <(grep -E '^(not )?ok ' "$out.txt" || true)
	count_kunit "$flavour" "$out/console.log"
	boot=$(sed -nE 's/^\[ *([0-9]+)\.[0-9]+\] guest-init: running the command.*/\1/p' "$out/console.log" | head -n 1)
	echo "# $flavour: arm64 boot to the command: ${boot:-?} s (kernel time)"
	count_guest "$rc" "$flavour: arm64 guest run" "$out"
done

summary="$pass passed, $fail failed"
[ "$skip" -eq 0 ] || summary+=", $skip skipped on stock"
echo "$summary"
[ "$fail" -eq 0 ]
