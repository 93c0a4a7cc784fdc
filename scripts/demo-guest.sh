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

# Three bursts of mixed-size writes with crc32c verification, pauses between;
# four jobs on their own ranges of the disk, as one job alone keeps too
# little in flight under TCG to fill the 2 MiB pool.
# When the requests in flight need more than the initial pool, swiotlb adds
# transient and dynamic pools during a burst (and, with the elastic-pool
# patches, returns memory afterwards); swiotlbtop shows both.
for burst in 1 2 3; do
	fio --name="burst$burst" --filename=/dev/vda --direct=1 --ioengine=libaio \
		--rw=randwrite --bsrange=4k-256k --iodepth=32 --size=48M \
		--numjobs=4 --offset_increment=48M --group_reporting \
		--verify=crc32c --verify_fatal=1 --verify_state_save=0 --thread \
		--output="/tmp/fio$burst.txt"
	sleep 4
done
kill -INT "$top"
wait "$top" || true
trap - EXIT
for burst in 1 2 3; do
	grep -E 'WRITE:|READ:|err=' "/tmp/fio$burst.txt" | sed "s/^/burst $burst: /"
done
"$tools/swiotlb-timeline" -t "swiotlb during bursty fio on virtio-blk (swiotlb=1024,force)" \
	-o "$svg" "$rec"
echo "demo: timeline written to $svg"
