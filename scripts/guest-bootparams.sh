#!/usr/bin/env bash
# Bad swiotlb boot parameters: each gets its message, and the kernel keeps
# the value given before it or the default.  On the host, --params prints
# the parameters to boot with; in a guest booted with them, the script
# checks the boot log and the values in force, and that a mapping through
# the test driver still bounces.  TAP output.
#
# Usage: scripts/guest-bootparams.sh --params
#        scripts/guest-bootparams.sh TESTDIR   (in the guest)
#   TESTDIR  the output of scripts/build-tests.sh for the booted kernel
set -euo pipefail

# swiotlb.cap: a good value first, which the bad ones after it must leave.
good_cap=96M good_cap_bytes=100663296
# Not sizes, below one slot, wrapping 64 bits, empty: the kernel's
# parameter parser reports each as "`VALUE' invalid for parameter".
bad_caps=(1K 16E abc -1 12Q '4G,force' "")
# swiotlb= keeps what it cannot parse from changing the default pool
# (64 MiB, 32768 slots); upstream's parser says nothing about them.
bad_swiotlb=(junk -5 ',,bogus' ',')
default_nslabs=32768

if [ "${1:-}" = --params ]; then
	params="swiotlb=force swiotlb.cap=$good_cap"
	for v in "${bad_caps[@]}"; do params+=" swiotlb.cap=$v"; done
	params+=" swiotlb.cap"
	for v in "${bad_swiotlb[@]}"; do params+=" swiotlb=$v"; done
	echo "$params"
	exit 0
fi
dir=${1:?usage: guest-bootparams.sh --params | TESTDIR}
dbg=/sys/kernel/debug
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
rc=0
result() { tap_result "$@"; [ "$1" -eq 0 ] || rc=1; }

log=$(dmesg)
for v in "${bad_caps[@]}"; do
	want=1
	# The bare "swiotlb.cap" gets the same message as an empty value.
	[ -n "$v" ] || want=2
	got=$(grep -cF "Booting kernel: \`$v' invalid for parameter \`swiotlb.cap'" <<<"$log" || true)
	result "$([ "$got" = "$want" ]; echo $?)" "swiotlb.cap='$v': $got of $want messages"
done
cap=$(cat /sys/module/swiotlb/parameters/cap 2>/dev/null || echo none)
result "$([ "$cap" = "$good_cap_bytes" ]; echo $?)" \
	"swiotlb.cap keeps $good_cap given before the bad values: $cap"
nslabs=$(cat "$dbg/swiotlb/io_tlb_nslabs" 2>/dev/null || echo none)
result "$([ "$nslabs" = "$default_nslabs" ]; echo $?)" \
	"swiotlb=${bad_swiotlb[*]}: the default pool stays ($nslabs of $default_nslabs slots)"

# swiotlb=force, given before the bad swiotlb= values, still holds.
swt=$dbg/swiotlb_test
if insmod "$dir/module/swiotlb_test.ko"; then
	ok=1
	printf 64 >"$swt/mask" && printf 'map 1 4096 to' >"$swt/cmd" &&
		grep -qw 'maps=1 unmaps=0 bounced=1 failed=0 corrupt=0' "$swt/stats" && ok=0
	result "$ok" "a mapping bounces (swiotlb=force holds): $(cat "$swt/stats")"
	printf unmap >"$swt/cmd" || true
	rmmod swiotlb_test || result 1 "rmmod swiotlb_test"
else
	result 1 "insmod $dir/module/swiotlb_test.ko"
fi
exit "$rc"
