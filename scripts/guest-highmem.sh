#!/usr/bin/env bash
# Direct and bounced mappings of one device at once, as on an embedded
# board whose 32-bit DMA master sees only part of the RAM: in a guest with
# RAM above 4 GiB and no swiotlb=force (run-guest.sh --highmem), the test
# driver's device gets a 32-bit mask and its "mixed" command maps buffers
# below 4 GiB (direct) and from anywhere (mostly bounced) from two CPUs at
# once.  Every unmap then has to tell a bounce buffer from a direct
# mapping while the other CPU changes the pools.  Booted with a 1 MiB
# default pool (swiotlb=512), mappings held before the command make the
# pools grow, so that bounce buffers are also found through the pool
# index of dynamic pools.  TAP output.
#
# Usage: scripts/guest-highmem.sh --params   (the kernel parameters)
#        scripts/guest-highmem.sh TESTDIR [N]   (in the guest)
#   TESTDIR  the output of scripts/build-tests.sh for the booted kernel
#   N        mappings per CPU (default 4096)
set -euo pipefail

if [ "${1:-}" = --params ]; then
	echo swiotlb=512
	exit 0
fi
dir=${1:?usage: guest-highmem.sh --params | TESTDIR [N]}
n=${2:-4096}
dbg=/sys/kernel/debug
swt=$dbg/swiotlb_test
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
rc=0
result() { tap_result "$@"; [ "$1" -eq 0 ] || rc=1; }
# value KEY LINE: the number after KEY= in LINE.
value() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

high=0
while IFS= read -r line; do
	[[ $line == *"System RAM"* ]] || continue
	start=${line%%-*}
	[ $((16#${start// /})) -lt $((1 << 32)) ] || high=$((high + 1))
done </proc/iomem
result "$([ "$high" -gt 0 ]; echo $?)" "RAM above 4 GiB: $high ranges"
result "$(! grep -qw 'swiotlb=force' /proc/cmdline; echo $?)" "booted without swiotlb=force"
if ! insmod "$dir/module/swiotlb_test.ko"; then
	result 1 "insmod $dir/module/swiotlb_test.ko"
		exit 1
fi
result "$(printf 32 >"$swt/mask"; echo $?)" "32-bit DMA mask"
# 4 MiB held by the device: the 1 MiB default pool is outgrown.
held_rc=0
printf 'map 64 65536 to' >"$swt/cmd" || held_rc=$?
dyn=$(grep -cw dynamic "$dbg/swiotlb/pools" || true)
result "$([ "$held_rc" = 0 ] && [ "$dyn" -gt 0 ]; echo $?)" \
	"64 mappings of 64 KiB held: $dyn dynamic pools"
cmd_rc=0
printf 'mixed %s 4096' "$n" >"$swt/cmd" || cmd_rc=$?
mixed=$(cat "$swt/mixed")
result "$cmd_rc" "mixed $n 4096 on two CPUs: $mixed"
direct=$(value direct "$mixed") bounced=$(value bounced "$mixed")
# Every buffer below 4 GiB is mapped directly; the others bounce.
result "$([ "${direct:-0}" -ge "$n" ] && [ "${bounced:-0}" -gt 0 ]; echo $?)" \
	"both kinds: $direct direct (at least $n), $bounced bounced"
result "$([ "$((direct + bounced))" = "$((2 * n))" ]; echo $?)" \
	"every mapping counted: $((direct + bounced)) of $((2 * n))"
result "$([ "$(value bad "$mixed")" = 0 ] && [ "$(value failed "$mixed")" = 0 ]; echo $?)" \
	"no wrong byte, no failed mapping"
result "$(printf unmap >"$swt/cmd"; echo $?)" "the held mappings released"
result "$(rmmod swiotlb_test; echo $?)" "rmmod swiotlb_test"
used=$(awk '{ n += $6 } END { print n + 0 }' "$dbg/swiotlb/pools")
result "$([ "$used" = 0 ]; echo $?)" "no slot held afterwards: $used"
errors=$(cat "$dbg/dma-api/error_count" 2>/dev/null || echo none)
result "$([ "$errors" = 0 ]; echo $?)" "DMA-API errors: $errors"
exit "$rc"
