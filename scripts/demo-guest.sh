#!/usr/bin/env bash
# Runs inside the demo guest (scripts/demo.sh): bursts of fio writes with
# verification on /dev/vda (virtio-blk with iommu_platform=on, so every
# request is bounced through swiotlb) while swiotlbtop follows swiotlb.
# On a terminal swiotlbtop shows its screen; otherwise it prints batch
# output, and the run is recorded and drawn as an SVG timeline in OUTDIR.
#
# Usage (in the guest): scripts/demo-guest.sh TOOLSDIR [OUTDIR]
set -euo pipefail

tools=${1:?usage: demo-guest.sh TOOLSDIR [OUTDIR]}
outdir=${2:-/mnt}
dbg=/sys/kernel/debug/swiotlb
[ -d "$dbg" ] || { echo "demo: no $dbg: swiotlb is not in use in this guest" >&2; exit 1; }
[ -b /dev/vda ] || { echo "demo: no /dev/vda" >&2; exit 1; }
# The patched kernel returns idle pools after 60 s; 10 s shows it sooner
# (the debugfs setting for tests; a stock kernel has no such file).
[ -w "$dbg/idle_ms" ] && echo 10000 >"$dbg/idle_ms"

rec=$outdir/swiotlb-record.json
svg=$outdir/swiotlb-timeline.svg
if [ -t 1 ]; then
	args=(-r 8 1)
else
	args=(-b -r 8 2)
fi
"$tools/swiotlbtop" --record "$rec" "${args[@]}" &
top=$!
trap 'kill -INT "$top" 2>/dev/null || true' EXIT
sleep 3	# an idle interval or two before the first burst, for the picture

# Three bursts of 256 KiB writes (the largest mapping: 128 slots, so four
# requests in flight fill the 1 MiB initial pool) with crc32c verification,
# pauses between; four jobs on their own ranges of the disk, as one job
# alone keeps too little in flight under TCG.  Swiotlb grows during a burst
# (the elastic kernel before the pool runs out, stock after, with transient
# pools in between); swiotlbtop shows it.
for burst in 1 2 3; do
	fio --name="burst$burst" --filename=/dev/vda --direct=1 --ioengine=libaio \
		--rw=randwrite --bs=256k --iodepth=32 --iodepth_batch_submit=32 --size=48M \
		--numjobs=4 --offset_increment=48M --group_reporting \
		--verify=crc32c --verify_fatal=1 --verify_state_save=0 --thread \
		--output="/tmp/fio$burst.txt"
	sleep 4
done
# With idle return (the patched kernel, idle time set to 10 s above), wait
# until the grown pools have gone back, at most 60 s: the counter says when.
if [ -r "$dbg/elastic" ] && [ -w "$dbg/idle_ms" ]; then
	initial=$(awk '$3 == "default" { print $4 }' "$dbg/pools")
	for _ in $(seq 600); do
		[ "$(cat "$dbg/io_tlb_nslabs")" -le "$initial" ] && break
		sleep 0.1
	done
	sleep 3	# an interval or two after the return, for the picture
fi
kill -INT "$top"
wait "$top" || true
trap - EXIT
for burst in 1 2 3; do
	grep -E 'WRITE:|READ:|err=' "/tmp/fio$burst.txt" | sed "s/^/burst $burst: /"
done
"$tools/swiotlb-timeline" -t "swiotlb during bursty fio on virtio-blk (swiotlb=512,force)" \
	-o "$svg" "$rec"
echo "demo: timeline written to $svg"
