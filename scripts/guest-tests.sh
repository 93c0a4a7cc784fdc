#!/usr/bin/env bash
# Runs inside a workbench guest (scripts/run-guest.sh): loads the test
# driver, runs the series' kselftests with the kselftest runner and the
# programs in bin/ (the tools' test), printing their TAP output.  Then it
# unloads the driver and checks what the debug kernel found: DMA-API
# errors, kmemleak reports, and slots still held.
#
# Usage (in the guest): scripts/guest-tests.sh TESTDIR FLAVOUR [SCALE]
#   TESTDIR  the output of scripts/build-tests.sh for the booted kernel
#   FLAVOUR  patched or stock: what the booted kernel is, so that the tests
#            expect its features rather than find them
#   SCALE    the kselftest runner's time limit in percent of the settings
#            file's 900 s (default 100), from scripts/test.sh's calibration
#            boot
set -euo pipefail

dir=${1:?usage: guest-tests.sh TESTDIR FLAVOUR}
export SWIOTLB_KERNEL_FLAVOUR=${2:?usage: guest-tests.sh TESTDIR FLAVOUR [SCALE]}
scale=${3:-100}
if ! [[ $scale =~ ^[1-9][0-9]*$ ]] || [ "$scale" -lt 100 ]; then
	echo "not ok - SCALE '$scale': a whole percentage from 100"
	exit 1
fi
dbg=/sys/kernel/debug
rc=0
# check NAME COMMAND...: one TAP line for the command's status.
check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		rc=1
	fi
}

# The stress tests' fio target (run-guest.sh --disk): without it they
# would run without their I/O and still pass.
check "scratch disk /dev/vda present" test -b /dev/vda
for ko in "$dir"/module/*.ko; do
	[ -e "$ko" ] || continue
	if ! insmod "$ko"; then
		echo "not ok - insmod ${ko##*/}"
		rc=1
	fi
done
if [ -x "$dir/ksft/run_kselftest.sh" ]; then
	# Through a pipe: the runner appends to /dev/stdout, which would
	# overwrite its own lines if stdout were a plain file.  The scratch
	# disk is the stress test's fio target.
	SWIOTLB_STRESS_DISK=/dev/vda "$dir/ksft/run_kselftest.sh" -c dma \
		--override-timeout "$((900 * scale / 100))" 2>&1 | cat || rc=1
else
	echo "not ok - no kselftests in $dir/ksft"
	rc=1
fi
for t in "$dir"/bin/*; do
	[ -x "$t" ] || continue
	echo "# running ${t##*/}"
	"$t" || rc=1
done

# Unloading the driver runs its exit path, and DMA-API debugging checks the
# edu device for mappings left behind when its driver is unbound.
for ko in "$dir"/module/*.ko; do
	[ -e "$ko" ] || continue
	name=${ko##*/}
	check "rmmod ${name%.ko}" rmmod "${name%.ko}"
done

# DMA-API debugging must be built in and still on: it turns itself off
# when it runs out of entries, and then finds nothing.
if [ -r "$dbg/dma-api/error_count" ]; then
	check "DMA-API debugging still on" grep -qx N "$dbg/dma-api/disabled"
	errors=$(cat "$dbg/dma-api/error_count")
	check "DMA-API errors: $errors" test "$errors" = 0
else
	check "DMA-API debugging built in ($dbg/dma-api)" false
fi

# kmemleak reports an object only once it is older than 5 s and a scan
# found no reference to it; the second scan, more than 5 s after the
# first, reports what the tests' last seconds left.  A scan fails when
# kmemleak has turned itself off.
km=$dbg/kmemleak
if [ -w "$km" ]; then
	check "kmemleak first scan" sh -c "echo scan >$km"
	sleep 6
	check "kmemleak second scan, 6 s later" sh -c "echo scan >$km"
	leaks=$(grep -c '^unreferenced object' "$km" || true)
	check "kmemleak: $leaks suspected leaks" test "$leaks" = 0
	[ "$leaks" = 0 ] || head -n 60 "$km" | sed 's/^/# /'
else
	check "kmemleak built in ($km)" false
fi

# No slot is held once the driver is gone and the I/O has ended: the sum
# of the pools' used slots in the series' listing (absent on stock).
if [ -r "$dbg/swiotlb/pools" ]; then
	used=$(awk '{ n += $6 } END { print n + 0 }' "$dbg/swiotlb/pools")
	check "slots held after the tests: $used" test "$used" = 0
else
	echo "ok - slots held after the tests # SKIP no $dbg/swiotlb/pools (stock)"
fi
exit "$rc"
