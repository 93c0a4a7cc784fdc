#!/usr/bin/env bash
# The embedded case in a guest: a board whose DMA masters reach only 32
# bits, RAM above 4 GiB, no IOMMU and no swiotlb=force (an arm64 guest of
# scripts/test-arm64.sh; the guest needs RAM across 4 GiB), booted with a
# 1 MiB default pool (swiotlb=512).  Through the test driver's device
# with a 32-bit mask and the edu device, it checks:
#   - buffers below 4 GiB map directly and buffers above bounce, each
#     counted by the driver and by the swiotlb_bounced tracepoint, which
#     must agree exactly; the bytes survive (the integrity matrix, edu);
#   - from the 1 MiB pool, a load that needs more grows the pools, the cap
#     holds, and the memory comes back when idle and under pressure (the
#     shrinker), with the series' counters and events (patched);
#   - a mapping larger than a segment fails with "too_big" in its failure
#     event (patched), and without an OOM;
#   - swiotlbtop (the cross-built static binary) starts in full mode on
#     the patched kernel and in a fallback mode on stock.
# TAP output.  On the stock kernel, what only the series provides is
# skipped.
#
# Usage: scripts/guest-embedded.sh --params   (the kernel parameters)
#        scripts/guest-embedded.sh TESTDIR FLAVOUR   (in the guest)
#   TESTDIR  the output of scripts/build-tests.sh --arch ARCH for the
#            booted kernel (module/ and tools/)
#   FLAVOUR  patched or stock
set -euo pipefail

if [ "${1:-}" = --params ]; then
	echo swiotlb=512
	exit 0
fi
dir=${1:?usage: guest-embedded.sh --params | TESTDIR FLAVOUR}
flavour=${2:?usage: guest-embedded.sh TESTDIR FLAVOUR}
dbg=/sys/kernel/debug
swt=$dbg/swiotlb_test
el=$dbg/swiotlb/elastic
tr=/sys/kernel/tracing
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
rc=0
result() { tap_result "$@"; [ "$1" -eq 0 ] || rc=1; }
# patched_only NAME: a SKIP line on stock (true), nothing on patched (false).
patched_only() {
	[ "$flavour" = stock ] || return 1
	echo "ok - $1 # SKIP the series' feature, absent on stock"
}
# value KEY TEXT: the number after KEY= (or "KEY ") in TEXT.
value() { sed -nE "s/.*(^|[ \\t])$1[= ]([0-9]+).*/\\2/p" <<<"$2" | head -n 1; }
stat() { value "$1" "$(cat "$swt/stats")"; }
elastic() { value "$1" "$(cat "$el")"; }
cmd() { printf '%s' "$*" >"$swt/cmd"; }
dynamic_pools() { grep -cw dynamic "$dbg/swiotlb/pools" || true; }
# shellcheck disable=SC2317 # called through wait_for
no_dynamic_pool() { [ "$(dynamic_pools)" = 0 ]; }
# events NAME [PATTERN]: the NAME events in the trace buffer (matching
# PATTERN), counted.
events() { grep -E " $1: " "$tr/trace" | grep -cE "${2:-.}" || true; }
# wait_for DESC SECONDS COMMAND...: poll COMMAND every 0.1 s until it
# succeeds; the state polled is the kernel's own counter or listing.
wait_for() {
	local desc=$1 secs=$2 t=$(($2 * 10))
	shift 2
	while ! "$@"; do
		t=$((t - 1))
		[ "$t" -gt 0 ] || { result 1 "$desc" "not within $secs s"; return 1; }
		sleep 0.1
	done
}
# bouncing CMD: run the driver command CMD, again (8 times at most) while
# it fails only because its buffer landed below 4 GiB and did not bounce
# (EXDEV); prints the last error, if any.
bouncing() {
	local err
	for _ in 1 2 3 4 5 6 7 8; do
		err=$(printf '%s' "$1" 2>&1 >"$swt/cmd") && return 0
		[[ $err == *[Cc]ross-device* ]] || break
	done
	echo "$err"
	return 1
}

# The machine: RAM across 4 GiB, swiotlb set up without force, 1 MiB.
top=0
while IFS= read -r line; do
	[[ $line == *"System RAM"* ]] || continue
	end=${line%% :*}
	end=${end##*-}
	[ $((16#${end// /})) -lt "$top" ] || top=$((16#${end// /}))
done </proc/iomem
result "$([ "$top" -ge $((1 << 32)) ]; echo $?)" "RAM up to $(printf '%#x' "$top"), above 4 GiB"
result "$(! grep -qw 'swiotlb=force' /proc/cmdline; echo $?)" "booted without swiotlb=force"
# The default pool, from its boot message (io_tlb_nslabs also counts the
# pools grown since).
setup=$(dmesg | grep -m 1 'software IO TLB: mapped' || true)
result "$([[ $setup == *"(1MB)"* ]]; echo $?)" "swiotlb set up by the architecture, 1 MiB: ${setup#*] }"
if ! insmod "$dir/module/swiotlb_test.ko"; then
	result 1 "insmod $dir/module/swiotlb_test.ko"
	exit 1
fi
result "$(printf 32 >"$swt/mask"; echo $?)" "32-bit DMA mask for the test device"

# Events, counted per device from the trace buffer: swiotlb_bounced on
# every kernel, the series' slot and failure events on the patched one.
echo 0 >"$tr/tracing_on"
echo 16384 >"$tr/buffer_size_kb"
echo >"$tr/trace"
echo 1 >"$tr/events/swiotlb/swiotlb_bounced/enable"
if [ "$flavour" = patched ]; then
	echo 1 >"$tr/events/swiotlb/swiotlb_map_failed/enable"
	echo 1 >"$tr/events/swiotlb/swiotlb_map_slots/enable"
fi
echo 1 >"$tr/tracing_on"

# 1. One device, both kinds of mapping, from two CPUs at once: every
# buffer below 4 GiB maps directly; the others bounce.
n=1024
b0=$(stat bounced)
cmd_rc=0
cmd "mixed $n 4096" || cmd_rc=$?
mixed=$(cat "$swt/mixed")
result "$cmd_rc" "mixed $n 4096 on two CPUs: $mixed"
direct=$(value direct "$mixed") bounced=$(value bounced "$mixed")
result "$([ "${direct:-0}" -ge "$n" ] && [ "${bounced:-0}" -gt 0 ]; echo $?)" \
	"direct and bounced: $direct direct (at least the $n below 4 GiB), $bounced bounced"
result "$([ "$((direct + bounced))" = "$((2 * n))" ]; echo $?)" \
	"every mapping counted: $((direct + bounced)) of $((2 * n))"
result "$([ "$(value bad "$mixed")" = 0 ] && [ "$(value failed "$mixed")" = 0 ]; echo $?)" \
	"no wrong byte, no failed mapping"
tp=$(events swiotlb_bounced 'dev_name: swiotlb_test ')
result "$([ "$tp" = "$bounced" ]; echo $?)" \
	"swiotlb_bounced events of the device: $tp, the driver's bounced count: $bounced"
if ! patched_only "swiotlb_map_slots events equal the bounced count"; then
	ms=$(events swiotlb_map_slots 'dev_name=swiotlb_test ')
	result "$([ "$ms" = "$bounced" ]; echo $?)" "swiotlb_map_slots events of the device: $ms"
fi

# 2. The edu device (32-bit mask) copies through its own DMA engine:
# each transfer's bytes come back, and its bounces are counted twice.
edu=$(grep -l '^PCI_ID=1234:11E8' /sys/bus/pci/devices/*/uevent 2>/dev/null | head -n 1 || true)
edu=${edu%/uevent}
edu=${edu##*/}
result "$([ -n "$edu" ]; echo $?)" "edu device present: ${edu:-none}"
b0=$(stat bounced)
t0=$(events swiotlb_bounced "dev_name: $edu ")
ok=0
for _ in $(seq 32); do cmd "edu 4096" && ok=$((ok + 1)); done
result "$([ "$ok" = 32 ]; echo $?)" "32 edu DMA transfers of 4096 bytes each way, checked: $ok"
eb=$(($(stat bounced) - b0))
et=$(($(events swiotlb_bounced "dev_name: $edu ") - t0))
result "$([ "$et" = "$eb" ]; echo $?)" "edu bounces: $et events, $eb counted by the driver (of 64 mappings)"

# 3. The integrity matrix (offsets, sizes, scatterlists), with and
# without a min_align_mask, on a buffer above 4 GiB.
for m in 0 4095; do
	err=$(bouncing "matrix bidi $m") && cmd_rc=0 || cmd_rc=1
	matrix=$(cat "$swt/matrix")
	result "$([ "$cmd_rc" = 0 ] && [ "$(value bad "$matrix")" = 0 ] && [ "$(value failed "$matrix")" = 0 ]; echo $?)" \
		"integrity matrix, min_align_mask $m: $matrix" "$err"
done

# 4. Growth from the 1 MiB pool, the cap, and the way back.
if ! patched_only "pools grow, the cap holds, memory comes back"; then
	cap0=$(cat /sys/module/swiotlb/parameters/cap)
	idle0=$(cat "$dbg/swiotlb/idle_ms")
	b0=$(stat bounced)
	cmd_rc=0
	cmd "map 64 65536 to" || cmd_rc=$?
	grew=$(dynamic_pools)
	result "$([ "$cmd_rc" = 0 ] && [ "$grew" -gt 0 ]; echo $?)" \
		"64 mappings of 64 KiB held ($(($(stat bounced) - b0)) bounced): $grew dynamic pools"
	cmd unmap
	total=$(elastic total_nslabs)
	capfail=$(elastic map_failed_cap) failed=$(stat failed)
	# Room for 2048 more slots (4 MiB), then a load of 16 MiB.
	echo $(((total + 2048) * 2048)) >/sys/module/swiotlb/parameters/cap
	cmd_rc=0
	cmd "map 256 65536 to" 2>/dev/null || cmd_rc=$?
	result "$([ "$cmd_rc" != 0 ] && [ "$(stat failed)" = "$((failed + 1))" ]; echo $?)" \
		"a 16 MiB load under a cap of $(elastic cap_nslabs) slots stops at one failed mapping"
	result "$([ "$(elastic total_nslabs)" -le "$(elastic cap_nslabs)" ]; echo $?)" \
		"the pools stay under the cap: $(elastic total_nslabs) of $(elastic cap_nslabs) slots"
	result "$([ "$(elastic map_failed_cap)" = "$((capfail + 1))" ]; echo $?)" \
		"one failure counted against the cap: $(elastic map_failed_cap)"
	cf=$(events swiotlb_map_failed 'dev_name=swiotlb_test .*reason=cap')
	result "$([ "$cf" = 1 ]; echo $?)" "one swiotlb_map_failed event with reason=cap: $cf"
	cmd unmap
	echo "$cap0" >/sys/module/swiotlb/parameters/cap
	# Idle: every dynamic pool goes once unused for idle_ms.
	echo 200 >"$dbg/swiotlb/idle_ms"
	wait_for "dynamic pools returned when idle" 30 no_dynamic_pool &&
		result 0 "dynamic pools returned when idle (idle_ms 200): $(dynamic_pools) left"
	echo "$idle0" >"$dbg/swiotlb/idle_ms"
	# Pressure: the shrinker frees the unused dynamic pools at once.
	cmd "map 64 65536 to" && cmd unmap
	grew=$(dynamic_pools)
	scan=$(echo "$dbg"/shrinker/swiotlb-*/scan)
	result "$([ -w "$scan" ] && echo "0 0 1000000000" >"$scan"; echo $?)" "shrinker scan ($grew dynamic pools)"
	result "$([ "$grew" -gt 0 ] && [ "$(dynamic_pools)" = 0 ]; echo $?)" \
		"dynamic pools returned under pressure: $grew, then $(dynamic_pools)"
fi

# 5. Larger than a segment (256 KiB): the mapping fails, nothing is
# killed, and the series says why.
# A buffer below 4 GiB maps directly and does not fail: mapped again
# until one lands above (8 times at most).
b0=$(stat failed)
for _ in 1 2 3 4 5 6 7 8; do
	cmd "map 1 524288 to" 2>/dev/null || break
	cmd unmap
done
result "$([ "$(stat failed)" = "$((b0 + 1))" ]; echo $?)" \
	"a 512 KiB mapping above 4 GiB fails: $(($(stat failed) - b0)) failed"
if ! patched_only "the failure event says too_big"; then
	tb=$(events swiotlb_map_failed 'dev_name=swiotlb_test mapping_size=524288 .*reason=too_big')
	result "$([ "$tb" = 1 ]; echo $?)" "swiotlb_map_failed with reason=too_big: $tb"
fi
oom=$(dmesg | grep -cE 'invoked oom-killer|Out of memory' || true)
result "$([ "$oom" = 0 ]; echo $?)" "no OOM: $oom reports"
cmd unmap
echo 0 >"$tr/tracing_on"
echo 0 >"$tr/events/enable"

# 6. swiotlbtop, cross-built: the mode the kernel allows.
mode=$("$dir/tools/swiotlbtop" --json 1 1 2>"/tmp/swiotlbtop.err" | head -n 1 |
	sed -nE 's/.*"mode": *"([a-z_-]+)".*/\1/p') || true
if [ "$flavour" = patched ]; then
	result "$([ "$mode" = full ]; echo $?)" "swiotlbtop --json 1 1 mode: ${mode:-none}, full" \
		"$(head -n 3 /tmp/swiotlbtop.err | tr '\n' ' ')"
else
	result "$([ -n "$mode" ] && [ "$mode" != full ]; echo $?)" \
		"swiotlbtop --json 1 1 mode: ${mode:-none}, a fallback" "$(head -n 3 /tmp/swiotlbtop.err | tr '\n' ' ')"
fi

result "$(rmmod swiotlb_test; echo $?)" "rmmod swiotlb_test"
if ! patched_only "no slot held afterwards"; then
	used=$(awk '{ n += $6 } END { print n + 0 }' "$dbg/swiotlb/pools")
	result "$([ "$used" = 0 ]; echo $?)" "no slot held afterwards: $used"
fi
errors=$(cat "$dbg/dma-api/error_count" 2>/dev/null || echo none)
result "$([ "$errors" = 0 ]; echo $?)" "DMA-API errors: $errors"
exit "$rc"
