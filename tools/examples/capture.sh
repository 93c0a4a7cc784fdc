#!/usr/bin/env bash
# Capture the guest examples of tools/EXAMPLES (1 to 5) with the tools as
# built: runs in a workbench guest of the patched test kernel booted with
# swiotlb=4096,force (an 8 MiB pool, every streaming mapping bounced) and
# the edu device, with the test driver giving known work through
# /sys/kernel/debug/swiotlb_test/cmd.  Prints each example's command and
# its output; the text around them is written by hand.
#
# Usage (on the host):
#   scripts/run-guest.sh -k patched -q -a swiotlb=4096,force --edu -- \
#     tools/examples/capture.sh TESTDIR
#   TESTDIR  the output of scripts/build-tests.sh patched test (the driver
#            in module/, the tools in tools/)
set -euo pipefail

dir=${1:?usage: capture.sh TESTDIR}
bin=$dir/tools
cmd=/sys/kernel/debug/swiotlb_test/cmd
insmod "$dir/module/swiotlb_test.ko"
cd /tmp

# started FILE: wait until the tool writing FILE says it is tracing.
started() {

	for _ in $(seq 600); do
		grep -q 'Hit Ctrl-C' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "capture: the tool did not start: $(head -n 3 "$1")" >&2
	exit 1
}
# example N COMMAND...: print the command line as a user types it, start
# the tool in the background and wait until it traces; finish N prints its output.
example() {
	local n=$1
	shift
	echo
	echo "=== example $n"
	echo "# ${*#"$bin"/}"
	"$@" >"/tmp/ex$n" 2>&1 &
	tool=$!
	started "/tmp/ex$n"
}
finish() {
	wait "$tool" || true
	cat "/tmp/ex$1"
}

# 1: the pool runs out: 600 mappings of 16 KiB (4800 slots of the 4096),
# a mapping too big for one segment, then everything unmapped.
example 1 "$bin/swiotlbtop" -v -b -S --holds --copies -r 6 2 3
printf 'map 600 16384 to' >"$cmd"
printf 'map 1 1048576 to' >"$cmd" 2>/dev/null || true
sleep 3
printf 'unmap' >"$cmd"
finish 1

# 2: one line per event of one device.
example 2 "$bin/swiotlbsnoop" -d swiotlb_test -D 4
printf 'map 2 8192 bidi' >"$cmd"
printf 'sync' >"$cmd"
printf 'unmap' >"$cmd"
printf 'map 1 1048576 to' >"$cmd" 2>/dev/null || true
finish 2

# 3: histograms of one device over 5 s.
example 3 "$bin/swiotlbtop" -H --holds -b -d swiotlb_test 5 1
for size in 2048 8192 32768; do
	printf 'run 200 %s bidi' "$size" >"$cmd"
done
finish 3

# 4: JSON (the keys quoted in EXAMPLES).
example 4 "$bin/swiotlbtop" -j 1 1
printf 'run 100 4096 bidi' >"$cmd"
finish 4

# 5: fentry mode, forced on the patched kernel, without and with --holds.
example 5 "$bin/swiotlbtop" -m fentry -b 2 1
printf 'run 100 4096 bidi' >"$cmd"
finish 5
example 5h "$bin/swiotlbtop" -m fentry --holds -b 2 1
printf 'run 100 4096 bidi' >"$cmd"
finish 5h
rmmod swiotlb_test
