#!/usr/bin/env bash
# The guest side of bench/run.sh: runs one scenario inside a workbench guest
# (scripts/run-guest.sh) and prints machine-readable lines on stdout:
#   R key=value ...   one measurement
#   T key=value ...   one sample of a timeline
#   S key=value ...   a scenario that cannot run here, with its reason
# Not meant to be run on the host.
#
# Usage: bench/guest.sh KERNEL SCENARIO [ARGS...]
#   KERNEL   a label copied into every line (stock, patched, ...)
#   map SECONDS THREADS GRANULES DIRS TRACE BIN
#            dma_map_benchmark on the edu device; THREADS, GRANULES, DIRS are
#            comma lists (DIRS of bidir,to,from); TRACE "off" or "both" (both
#            also runs every point with events/swiotlb enabled); BIN the
#            dma_map_benchmark program
#   bw SECONDS GRANULES MAPBIN MEMCPYBIN
#            bytes bounced per second (dma_map_benchmark, to-device) against
#            user space memcpy of the same size
#   fio SIZE QDS RWS IDLE PRESSURE_MB JOBS
#            fio with crc32c verification on /dev/vda, JOBS jobs of SIZE each
#            on their own ranges, for each queue depth in QDS and pattern in
#            RWS (write,randwrite), sampling swiotlb's
#            debugfs counters and MemFree, then IDLE seconds of idle, then
#            PRESSURE_MB of tmpfs memory pressure
#   ramp MODULE
#            the test module's load rising step by step, then at once
#   tool SECONDS BIN TOOL
#            dma_map_benchmark (1 thread, 1 page, bidirectional) with TOOL
#            (swiotlbtop) detached and attached, twice each, and the tool's
#            CPU time while the benchmark ran
#   pools MODULE BIN SECONDS COUNTS
#            map and unmap cost (one thread, one page) once the default
#            io_tlb_mem has each number of pools in the comma list COUNTS
set -euo pipefail

if [ $# -lt 2 ] || ! grep -q 'init=[^ ]*guest-init.sh' /proc/cmdline; then
	echo "usage: bench/guest.sh KERNEL SCENARIO [ARGS...] (in a workbench guest: bench/run.sh)" >&2
	exit 2
fi
label=$1
scenario=$2
shift 2

dbg=/sys/kernel/debug/swiotlb
trc=/sys/kernel/tracing

skip() { echo "S kernel=$label scenario=$scenario reason=${1// /_}"; exit 0; }
rd() { cat "$1" 2>/dev/null || echo 0; }

dir_num() {
	case $1 in
	bidir) echo 0 ;;
	to) echo 1 ;;
	from) echo 2 ;;
	*) echo "guest.sh: unknown direction $1" >&2; exit 2 ;;
	esac
}

# bind_edu: bind QEMU's edu device (1234:11e8) to the dma_map_benchmark
# driver (kernel/dma/map_benchmark.c), which makes
# /sys/kernel/debug/dma_map_benchmark.
bind_edu() {
	local d
	[ -e /sys/kernel/debug/dma_map_benchmark ] && return 0
	[ -d /sys/bus/pci/drivers/dma_map_benchmark ] ||
		skip "kernel has no dma_map_benchmark driver (CONFIG_DMA_MAP_BENCHMARK)"
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
			if [ -e "$d/driver" ]; then
				echo "${d##*/}" >"$d/driver/unbind"
			fi
			echo dma_map_benchmark >"$d/driver_override"
			echo "${d##*/}" >/sys/bus/pci/drivers_probe
			[ -e /sys/kernel/debug/dma_map_benchmark ] && return 0
			skip "binding ${d##*/} to dma_map_benchmark failed"
		fi
	done
	skip "no edu PCI device (run-guest.sh --edu)"
}

# run_mapbench BIN SECONDS THREADS GRANULE DIRNUM: prints "MAP_US UNMAP_US".
run_mapbench() {
	local out map unmap
	out=$("$1" -s "$2" -t "$3" -g "$4" -d "$5" -b 32) || return 1
	map=$(sed -n 's/^average map latency(us):\([0-9.]*\).*/\1/p' <<<"$out")
	unmap=$(sed -n 's/^average unmap latency(us):\([0-9.]*\).*/\1/p' <<<"$out")
	if [ -z "$map" ] || [ -z "$unmap" ]; then
		echo "guest.sh: cannot parse: $out" >&2
		return 1
	fi
	echo "$map $unmap"
}

trace_set() { # 0|1
	echo "$1" >"$trc/events/swiotlb/enable"
}

# The events the series adds: everything in events/swiotlb but the old one.
new_events() {
	local e n=0
	for e in "$trc"/events/swiotlb/*/; do
		e=${e%/}
		e=${e##*/}
		[ "$e" = swiotlb_bounced ] || n=$((n + 1))
	done
	echo "$n"
}

scen_map() {
	local secs=$1 threads=$2 granules=$3 dirs=$4 trace=$5 bin=$6
	local t g d modes m res
	bind_edu
	modes=(off)
	if [ "$trace" = both ]; then
		if [ "$(new_events)" -gt 0 ]; then
			modes+=(on)
			echo 1024 >"$trc/buffer_size_kb"
		else
			echo "S kernel=$label scenario=map-trace reason=no_new_swiotlb_events_in_this_kernel"
		fi
	fi
	for t in ${threads//,/ }; do
		for g in ${granules//,/ }; do
			for d in ${dirs//,/ }; do
				for m in "${modes[@]}"; do
					if [ "$m" = on ]; then trace_set 1; fi
					if res=$(run_mapbench "$bin" "$secs" "$t" "$g" "$(dir_num "$d")"); then
						read -r mu uu <<<"$res"
						echo "R kernel=$label scenario=map trace=$m threads=$t granule=$g dir=$d map_us=$mu unmap_us=$uu"
					else
						echo "S kernel=$label scenario=map reason=dma_map_benchmark_failed_t${t}_g${g}_$d"
					fi
					if [ "$m" = on ]; then
						trace_set 0
						echo >"$trc/trace"
					fi
				done
			done
		done
	done
}

scen_bw() {
	local secs=$1 granules=$2 bin=$3 memcpy=$4 g res mu uu bytes
	bind_edu
	for g in ${granules//,/ }; do
		bytes=$((g * 4096))
		if res=$(run_mapbench "$bin" "$secs" 1 "$g" 1); then
			read -r mu uu <<<"$res"
			# to-device: the map copies the buffer into the bounce slots
			echo "R kernel=$label scenario=bw granule=$g bytes=$bytes map_us=$mu bounce_MBps=$(awk -v b="$bytes" -v u="$mu" 'BEGIN { if (u > 0) printf "%.1f", b / u; else print 0 }')"
		fi
		echo "R kernel=$label scenario=bw-memcpy granule=$g bytes=$bytes memcpy_MBps=$("$memcpy" "$bytes" "$secs")"
	done
}

# A filtered kretprobe counts failed swiotlb_tbl_map_single() calls on any
# kernel; both flavours carry it, so it costs the same on both.
failprobe_on() {
	# shellcheck disable=SC2016 # $retval is the probe's, not the shell's
	echo 'r:swiotlb_bench/mapfail swiotlb_tbl_map_single ret=$retval:x64' >>"$trc/kprobe_events" 2>/dev/null || return 1
	echo 'ret == 0xffffffffffffffff' >"$trc/events/swiotlb_bench/mapfail/filter"
	echo 1 >"$trc/events/swiotlb_bench/mapfail/enable"
}
failprobe_count() {
	grep -c 'mapfail:' "$trc/trace" 2>/dev/null || true
}

scen_fio() {
	local size=$1 qds=$2 rws=$3 idle=$4 pressure=$5 jobs=${6:-1}
	local t0 spid rw qd out bw fails phasefile=/tmp/bench-phase peak=0 s n
	[ -b /dev/vda ] || skip "no /dev/vda (run-guest.sh --disk)"
	command -v fio >/dev/null || skip "no fio on the host"
	[ -d "$dbg" ] || skip "no $dbg"
	probe=0
	failprobe_on && probe=1
	echo 4096 >"$trc/buffer_size_kb"
	t0=$(awk '{ print $1 }' /proc/uptime)
	echo idle >"$phasefile"
	python3 bench/sampler.py "$label" "$phasefile" 0.5 >/tmp/timeline &
	spid=$!
	sleep 2
	echo burst >"$phasefile"
	for rw in ${rws//,/ }; do
		for qd in ${qds//,/ }; do
			out=/tmp/fio-$rw-$qd.json
			if fio --name=bench --filename=/dev/vda --direct=1 --ioengine=libaio \
				--rw="$rw" --bsrange=4k-256k --iodepth="$qd" --size="$size" \
				--numjobs="$jobs" --offset_increment="$size" --group_reporting \
				--verify=crc32c --verify_fatal=0 --verify_state_save=0 --thread --output-format=json \
				--output="$out" >/dev/null 2>/tmp/fio.err; then
				err=0
			else
				err=1
				echo "guest.sh: fio $rw iodepth $qd failed:" >&2
				head -n 20 /tmp/fio.err "$out" >&2
			fi
			# fio may print notes before the JSON object.
			bw=$(python3 -c 'import json,sys
s=open(sys.argv[1]).read()
j=json.loads(s[s.index("{"):])["jobs"][0]
print("%.1f %.1f %d" % (j["write"]["bw"]/1024, j["read"]["bw"]/1024, j["error"]))' "$out" 2>/dev/null || echo "0 0 1")
			read -r wbw rbw jerr <<<"$bw"
			if [ "$err" = 1 ] && [ "$jerr" = 0 ]; then jerr=1; fi
			echo "R kernel=$label scenario=fio rw=$rw qd=$qd jobs=$jobs write_MiBps=$wbw verify_read_MiBps=$rbw fio_error=$jerr"
		done
	done
	echo idle-after >"$phasefile"
	local tend
	tend=$(awk '{ print $1 }' /proc/uptime)
	sleep "$idle"
	tail -n 1 /tmp/timeline >/tmp/after
	echo pressure >"$phasefile"
	if [ "$pressure" -gt 0 ]; then
		mkdir -p /tmp/pressure
		dd if=/dev/zero of=/tmp/pressure/fill bs=1M count="$pressure" status=none 2>/dev/null || true
		sleep 3
		rm -f /tmp/pressure/fill
		sleep 2
	fi
	echo stop >"$phasefile"
	wait "$spid" 2>/dev/null || true
	cat /tmp/timeline
	# Peak swiotlb memory: the largest sampled (nslabs + transient) * 2 KiB.
	peak=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		s = v["nslabs"] + v["transient"]; if (s > m) m = s } END { print m * 2 / 1024 }' /tmp/timeline)
	peaktr=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["transient"] > m) m = v["transient"] } END { print m + 0 }' /tmp/timeline)
	s=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print (v["nslabs"] + v["transient"]) * 2 / 1024 }' /tmp/after)
	fails=-
	if [ "$probe" = 1 ]; then fails=$(failprobe_count); fi
	n=$(dmesg | grep -c 'swiotlb buffer is full' || true)
	echo "R kernel=$label scenario=fio-mem peak_MiB=$peak after_MiB=$s after_s=$idle peak_transient_slabs=$peaktr failed_maps=$fails full_msgs=$n hiwater=$(rd $dbg/io_tlb_used_hiwater) load_s=$(awk -v a="$tend" -v b="$t0" 'BEGIN { printf "%.0f", a - b - 2 }')"
}

load_module() {
	[ -d /sys/kernel/debug/swiotlb_elastic_test ] && return 0
	[ -f "$1" ] || skip "no test module at $1 (scripts/build-tests.sh FLAVOUR bench)"
	insmod "$1" || skip "insmod $1 failed"
	[ -d /sys/kernel/debug/swiotlb_elastic_test ] || skip "the test module made no debugfs directory"
}

# stat NAME: one counter of the test module's stats file.
stat() {
	tr ' ' '\n' <"/sys/kernel/debug/swiotlb_elastic_test/stats" | sed -n "s/^$1=//p"
}

# ramp_step LABEL T0 MAPS0 FAILED0: one result line of the ramp scenario.
ramp_step() {
	local t1
	t1=$(awk '{ print $1 }' /proc/uptime)
	echo "R kernel=$label scenario=ramp-$1 held_MiB=16 maps=$(($(stat maps) - $3)) failed=$(($(stat failed) - $4)) nslabs=$(rd $dbg/io_tlb_nslabs) transient=$(rd $dbg/io_tlb_transient_nslabs) failed_maps=$([ "$probe" = 1 ] && failprobe_count || echo -) secs=$(awk -v a="$t1" -v b="$2" 'BEGIN { printf "%.2f", a - b }')"
}

scen_ramp() {
	local mod=$1 d=/sys/kernel/debug/swiotlb_elastic_test n t0 m0 f0
	load_module "$mod"
	probe=0
	failprobe_on && probe=1
	# Slow ramp: hold 64 KiB mappings, 32 (2 MiB) a step, 0.2 s apart.
	t0=$(awk '{ print $1 }' /proc/uptime) m0=$(stat maps) f0=$(stat failed)
	for n in 1 2 3 4 5 6 7 8; do
		echo "map 32 65536 to" >"$d/cmd" 2>/dev/null || true
		[ "$n" = 8 ] || sleep 0.2
	done
	ramp_step slow "$t0" "$m0" "$f0"
	echo unmap >"$d/cmd"
	echo >"$trc/trace"
	# Burst: the same 16 MiB at once.
	t0=$(awk '{ print $1 }' /proc/uptime) m0=$(stat maps) f0=$(stat failed)
	echo "map 256 65536 to" >"$d/cmd" 2>/dev/null || true
	ramp_step burst "$t0" "$m0" "$f0"
	echo unmap >"$d/cmd"
}

# cpu_ticks PID: user + system clock ticks of a process so far.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

scen_tool() {
	local secs=$1 bin=$2 tool=$3 round res mu uu pid c0 c1 i hz
	[ -x "$tool" ] || skip "no swiotlbtop at $tool (make -C tools)"
	bind_edu
	hz=$(getconf CLK_TCK)
	for round in 1 2; do
		if res=$(run_mapbench "$bin" "$secs" 1 1 0); then
			read -r mu uu <<<"$res"
			echo "R kernel=$label scenario=tool attached=no round=$round map_us=$mu unmap_us=$uu"
		fi
		"$tool" -b 1 >/tmp/swiotlbtop.out 2>&1 &
		pid=$!
		# Attached once it has printed its first interval.
		i=0
		while [ ! -s /tmp/swiotlbtop.out ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "S kernel=$label scenario=tool reason=swiotlbtop_exited:_$(head -n 1 /tmp/swiotlbtop.out | tr ' ' _)"
			return 0
		fi
		c0=$(cpu_ticks "$pid")
		if res=$(run_mapbench "$bin" "$secs" 1 1 0); then
			c1=$(cpu_ticks "$pid")
			read -r mu uu <<<"$res"
			echo "R kernel=$label scenario=tool attached=yes round=$round map_us=$mu unmap_us=$uu tool_cpu_s=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }') secs=$secs"
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# pool_count: the number of pools in the default io_tlb_mem: the pools
# listing where the kernel has one, else nslabs / the default pool's size.
pool_count() {
	if [ -r "$dbg/pools" ]; then
		grep -vc transient "$dbg/pools" || true
	else
		echo $(($(rd $dbg/io_tlb_nslabs) / $1))
	fi
}

scen_pools() {
	local mod=$1 bin=$2 secs=$3 counts=$4 d=/sys/kernel/debug/swiotlb_elastic_test
	local base want n i res mu uu
	bind_edu
	load_module "$mod"
	# The default pool's slots: swiotlb=N on the command line, else now.
	base=$(sed -n 's/.*swiotlb=\([0-9]*\).*/\1/p' /proc/cmdline)
	[ -n "$base" ] || base=$(rd $dbg/io_tlb_nslabs)
	for want in ${counts//,/ }; do
		# Hold 1 MiB at a time until the dynamic pools (each the size of
		# the default one) are there, then release: the pools stay on a
		# kernel that never returns memory.
		i=0
		while [ "$(pool_count "$base")" -lt "$want" ] && [ $i -lt $((want * 4 + 8)) ]; do
			echo "map 16 65536 to" >"$d/cmd" 2>/dev/null || true
			sleep 0.3
			i=$((i + 1))
		done
		echo unmap >"$d/cmd"
		n=$(pool_count "$base")
		if res=$(run_mapbench "$bin" "$secs" 1 1 0); then
			read -r mu uu <<<"$res"
			echo "R kernel=$label scenario=pools want=$want pools=$n map_us=$mu unmap_us=$uu"
		fi
	done
}

case $scenario in
map) scen_map "$@" ;;
bw) scen_bw "$@" ;;
fio) scen_fio "$@" ;;
ramp) scen_ramp "$@" ;;
pools) scen_pools "$@" ;;
tool) scen_tool "$@" ;;
*) echo "guest.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac
