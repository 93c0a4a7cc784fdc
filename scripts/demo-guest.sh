#!/usr/bin/env bash
# Runs inside the demo guest (scripts/demo.sh): a bursty fio job on
# /dev/vda while swiotlb's state is sampled once a second.
set -euo pipefail

dbg=/sys/kernel/debug/swiotlb
[ -d "$dbg" ] || { echo "demo: no $dbg: swiotlb is not in use in this guest" >&2; exit 1; }
sample() {
	local f v out=""
	for f in io_tlb_nslabs io_tlb_used io_tlb_used_hiwater io_tlb_transient_nslabs; do
		v=$(cat "$dbg/$f" 2>/dev/null || echo -)
		out+=$(printf ' %10s' "$v")
	done
	printf '%8s%s\n' "$1" "$out"
}

printf '%8s %10s %10s %10s %10s\n' time nslabs used hiwater transient
sample start
# Two bursts of mixed-size writes with crc32c verification, a pause between.
fio --name=burst --filename=/dev/vda --direct=1 --ioengine=libaio \
	--rw=randwrite --bsrange=4k-256k --iodepth=32 --size=128M \
	--verify=crc32c --verify_fatal=1 --loops=2 --thread \
	--output=/tmp/fio.txt &
fio_pid=$!
t=0
while kill -0 "$fio_pid" 2>/dev/null; do
	sleep 1
	t=$((t + 1))
	sample "${t}s"
done
wait "$fio_pid"
sample end
grep -E 'WRITE:|READ:|err=' /tmp/fio.txt
