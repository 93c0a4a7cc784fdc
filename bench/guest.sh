#!/usr/bin/env bash
# The guest side of bench/run.sh: runs one scenario inside a workbench guest
# (scripts/run-guest.sh) and prints machine-readable lines on stdout:
#   R key=value ...   one measurement
#   T key=value ...   one sample of a timeline
#   S key=value ...   a scenario that cannot run here, with its reason
#   V ...             raw trace lines kept for the record (fio: the swiotlb
#                     shrinker's calls under the memory pressure)
# Not meant to be run on the host.
#
# Usage: bench/guest.sh KERNEL SCENARIO [ARGS...]
#   KERNEL   a label copied into every line (stock, patched, ...)
#   map SECONDS THREADS GRANULES DIRS TRACE BIN
#            dma_map_benchmark on the edu device; THREADS, GRANULES, DIRS are
#            comma lists (DIRS of bidir,to,from); TRACE "off" or "both" (both
#            also runs every point with events/swiotlb enabled); BIN the
#            dma_map_benchmark program; its DMA mask has MAP_BITS bits
#            (environment, default 32: without swiotlb=force, 64 maps the
#            buffer directly)
#   bw SECONDS GRANULES MAPBIN MEMCPYBIN
#            bytes bounced per second (dma_map_benchmark, to-device) against
#            user space memcpy of the same size
#   fio SIZE QDS RWS IDLE HOLD JOBS IDLECAP MEMHOG
#            fio (bs=256k) with crc32c verification on /dev/vda, JOBS jobs
#            of SIZE each on their own ranges, for each queue depth in QDS
#            and pattern in RWS (write,randwrite), sampling swiotlb's
#            debugfs counters and MemFree; then IDLE seconds of idle; then
#            memory pressure (MEMHOG, bench/memhog.c, holding the guest in
#            reclaim for HOLD seconds); a second burst (the last pattern and
#            queue depth); then idle until swiotlb memory is back at its
#            initial size, at most IDLECAP seconds on a kernel with idle
#            return (swiotlb/idle_ms in debugfs), at most IDLE seconds on one without
#   ramp MODULE
#            the test module's load rising step by step, then at once
#   tool SECONDS BIN TOOL
#            dma_map_benchmark (1 thread, 1 page, bidirectional) with TOOL
#            (swiotlbtop) detached, then attached, for each of its modes and
#            options (tool_configs), two rounds; the tool's CPU time while
#            the benchmark ran
#   pools MODULE BIN SECONDS COUNTS ROUNDS
#            map and unmap cost (one thread, one page) once the default
#            io_tlb_mem has each pool count of COUNTS (a rising comma
#            list) in turn, in one boot, all but the default pool full, so
#            that the mappings land in the pool the list walk reaches
#            last: dma_map_benchmark for SECONDS, and the test module's
#            in-kernel timing of 4096 pairs, ROUNDS times
#   osc MODULE PERIODS IDLE_MS
#            an oscillating load with a one-second period (3 MiB held for
#            half of it), swiotlb memory sampled every 50 ms: its falls
#            followed by rises (grow/free cycles), peak and end; IDLE_MS
#            "default", or a debugfs idle time for the patched kernel
set -euo pipefail

# A guest's init is guest-init.sh (x86_64), or /init from the initramfs
# with the host share (arm64).
if [ $# -lt 2 ] || ! grep -qE 'init=[^ ]*guest-init.sh|swiotlb_elastic.hostfs=1' /proc/cmdline; then
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
	out=$("$1" -s "$2" -t "$3" -g "$4" -d "$5" -b "${MAP_BITS:-32}") || return 1
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

# Transient pools, counted from events rather than sampled: the series'
# swiotlb_pool_add event with kind=transient where the kernel has it, else
# a kprobe on swiotlb_dyn_free(), the RCU callback that frees a transient
# pool (a kernel without the series frees no other pool).  Sets tmode.
transient_on() {
	tmode=none
	if [ -d "$trc/events/swiotlb/swiotlb_pool_add" ]; then
		echo 1 >"$trc/events/swiotlb/swiotlb_pool_add/enable" && tmode=events
	elif echo 'p:swiotlb_bench/dynfree swiotlb_dyn_free' >>"$trc/kprobe_events" 2>/dev/null; then
		echo 1 >"$trc/events/swiotlb_bench/dynfree/enable" && tmode=kprobe
	fi
}
# transient_count: transient pools in the trace buffer so far.  The kprobe
# counts a pool once it is freed: wait until no transient slot is in use
# and the RCU callbacks have run.
transient_count() {
	local i=0 tr
	case $tmode in
	events) grep -c 'swiotlb_pool_add:.*kind=transient' "$trc/trace" || true ;;
	kprobe)
		while read -r tr <"$dbg/io_tlb_transient_nslabs" && [ "$tr" != 0 ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		sleep 0.5
		grep -c 'dynfree:' "$trc/trace" || true
		;;
	*) echo - ;;
	esac
}

# read_slabs: swiotlb memory in slots (pools + transient pools) into $slabs.
read_slabs() {
	local a=0 b=0
	read -r a <"$dbg/io_tlb_nslabs" || a=0
	read -r b <"$dbg/io_tlb_transient_nslabs" 2>/dev/null || b=0
	slabs=$((a + b))
}

# elastic NAME: a counter of the series' debugfs file, "-" without it.
elastic() {
	if [ -r "$dbg/elastic" ]; then
		awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print "-" }' "$dbg/elastic"
	else
		echo -
	fi
}
delta() { # AFTER BEFORE, or "-"
	if [ "$1" = - ] || [ "$2" = - ]; then echo -; else echo $(($1 - $2)); fi
}

# Reclaim events while the memory pressure runs: kswapd wake-ups, direct
# reclaim, and the calls of the swiotlb shrinker (mm_shrink_slab_start
# filtered on its scan function, where the kernel has one).
vmscan_on() {
	local e addr
	for e in mm_vmscan_kswapd_wake mm_vmscan_direct_reclaim_begin \
		mm_vmscan_direct_reclaim_end; do
		[ -d "$trc/events/vmscan/$e" ] && echo 1 >"$trc/events/vmscan/$e/enable"
	done
	addr=$(awk '$3 == "swiotlb_shrink_scan" { print $1; exit }' /proc/kallsyms)
	shrink_traced=0
	if [ -n "$addr" ] && [ -d "$trc/events/vmscan/mm_shrink_slab_start" ]; then
		for e in mm_shrink_slab_start mm_shrink_slab_end; do
			echo "shrink == 0x$addr" >"$trc/events/vmscan/$e/filter" 2>/dev/null || return 0
			echo 1 >"$trc/events/vmscan/$e/enable"
		done
		shrink_traced=1
	fi
}
vmscan_off() {
	echo 0 >"$trc/events/vmscan/enable" 2>/dev/null || true
}
# vmscan_summary: key=value words of the reclaim seen in the trace buffer.
# Durations pair a begin and an end event of the same task (the task-pid
# field) by their timestamps: the longest direct reclaim (the stall a task
# allocating memory saw) and the swiotlb shrinker's time per call, from
# mm_shrink_slab_start to mm_shrink_slab_end (count and scan), in us.
vmscan_summary() {
	local kw dr
	kw=$(grep -c 'mm_vmscan_kswapd_wake:' "$trc/trace" || true)
	dr=$(grep -c 'mm_vmscan_direct_reclaim_begin:' "$trc/trace" || true)
	echo -n "kswapd_wakes=$kw direct_reclaims=$dr"
	awk '
	function ts() { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) return substr($i, 1, length($i) - 1) + 0; return -1 }
	/mm_vmscan_direct_reclaim_begin:/ { b[$1] = ts() }
	/mm_vmscan_direct_reclaim_end:/ && ($1 in b) { d = (ts() - b[$1]) * 1e6; delete b[$1]; if (d > dmax) dmax = d }
	/mm_shrink_slab_start:/ { s[$1] = ts() }
	/mm_shrink_slab_end:/ && ($1 in s) { d = (ts() - s[$1]) * 1e6; delete s[$1]; n++; sum += d; if (d > smax) smax = d }
	END {
		printf " direct_reclaim_max_us=%s", dmax ? sprintf("%.0f", dmax) : "-"
		if (n) printf " shrinker_call_mean_us=%.0f shrinker_call_max_us=%.0f", sum / n, smax
		else printf " shrinker_call_mean_us=- shrinker_call_max_us=-"
	}' "$trc/trace"
	if [ "$shrink_traced" = 1 ]; then
		# A call scans (calls scan_objects) once total_scan reaches the
		# batch of 128 or the whole count.
		awk '/mm_shrink_slab_start:/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "items") c = $(i + 1)
				if ($i == "total_scan") ts = $(i + 1)
				if ($i == "priority") p = $(i + 1)
			}
			n++; if (n == 1 || p < minp) minp = p
			if (ts + 0 >= 128 || ts + 0 >= c + 0) s++
			if (c + 0 > maxc) maxc = c + 0
		} END {
			printf " shrinker_calls=%d shrinker_scans=%d shrinker_min_priority=%s shrinker_max_count=%d",
				n, s, n ? minp : "-", maxc
		}' "$trc/trace"
	else
		echo -n " shrinker_calls=- shrinker_scans=- shrinker_min_priority=- shrinker_max_count=-"
	fi
}

# run_fio BURST RW QD SIZE JOBS: one fio run on /dev/vda and its R line.
run_fio() {
	local burst=$1 rw=$2 qd=$3 size=$4 jobs=$5 out bw err wbw rbw jerr
	out=/tmp/fio-$burst-$rw-$qd.json
	if fio --name=bench --filename=/dev/vda --direct=1 --ioengine=libaio \
		--rw="$rw" --bs=256k --iodepth="$qd" --size="$size" \
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
	echo "R kernel=$label scenario=fio burst=$burst rw=$rw qd=$qd jobs=$jobs write_MiBps=$wbw verify_read_MiBps=$rbw fio_error=$jerr"
}

now_s() { awk '{ print $1 }' /proc/uptime; }
mib() { awk -v s="$1" 'BEGIN { printf "%g", s * 2 / 1024 }'; }

# The timeline of scenario 3/7: burst (every pattern and queue depth), IDLE
# seconds idle, memory pressure (memhog holding the guest in reclaim for
# HOLD seconds), a second burst (the last pattern at the last queue depth),
# then idle until swiotlb memory is back at its initial size: at most
# IDLECAP seconds on a kernel with idle return (swiotlb/idle_ms in debugfs), at most
# IDLE seconds on one without.
scen_fio() {
	local size=$1 qds=$2 rws=$3 idle=$4 hold=$5 jobs=${6:-1} idlecap=${7:-120} memhog=${8:-}
	local spid rw qd phasefile=/tmp/bench-phase s n init after30 afterp tend waitcap
	local tr1 tr2 f1=- f2=- el_sh el_id el_tr vms="" hog="" idle_ret grown pret
	[ -b /dev/vda ] || skip "no /dev/vda (run-guest.sh --disk)"
	command -v fio >/dev/null || skip "no fio on the host"
	[ -d "$dbg" ] || skip "no $dbg"
	echo 4096 >"$trc/buffer_size_kb"
	probe=0
	failprobe_on && probe=1
	transient_on
	read_slabs
	init=$slabs
	el_sh=$(elastic pools_returned_shrinker) el_id=$(elastic pools_returned_idle) el_tr=$(elastic transient_pools)
	echo idle >"$phasefile"
	python3 bench/sampler.py "$label" "$phasefile" 0.5 >/tmp/timeline &
	spid=$!
	sleep 2
	echo burst >"$phasefile"
	for rw in ${rws//,/ }; do
		for qd in ${qds//,/ }; do
			run_fio 1 "$rw" "$qd" "$size" "$jobs"
		done
	done
	echo idle-after >"$phasefile"
	tr1=$(transient_count)
	if [ "$probe" = 1 ]; then f1=$(failprobe_count); fi
	echo >"$trc/trace"
	sleep "$idle"
	read_slabs
	after30=$slabs
	echo pressure >"$phasefile"
	if [ -x "$memhog" ]; then
		vmscan_on
		hog=$("$memhog" "$hold" 120 2>&1 | tr '\n' ' ') || true
		vmscan_off
		vms=$(vmscan_summary)
		# The shrinker's calls as traced, for the raw output (report.py
		# reads only R, T and S lines).
		grep -m 40 'mm_shrink_slab_' "$trc/trace" | sed 's/^/V /' || true
		sleep 2
		echo >"$trc/trace"
	else
		hog="memhog=missing"
	fi
	read_slabs
	afterp=$slabs
	echo burst2 >"$phasefile"
	run_fio 2 "${rws##*,}" "${qds##*,}" "$size" "$jobs"
	echo idle-return >"$phasefile"
	tend=$(now_s)
	tr2=$(transient_count)
	if [ "$probe" = 1 ]; then f2=$(failprobe_count); fi
	waitcap=$idle
	[ -e "$dbg/idle_ms" ] && waitcap=$idlecap
	read_slabs
	while [ "$slabs" -gt "$init" ] && awk -v a="$(now_s)" -v b="$tend" -v c="$waitcap" 'BEGIN { exit !(a - b < c) }'; do
		sleep 0.5
		read_slabs
	done
	if [ "$slabs" -le "$init" ]; then
		idle_ret=$(awk -v a="$(now_s)" -v b="$tend" 'BEGIN { printf "%.0f", a - b }')
	elif [ "$waitcap" = "$idlecap" ]; then
		idle_ret="not_within_${idlecap}_s"
	else
		idle_ret="never_(no_idle_return)"
	fi
	echo stop >"$phasefile"
	wait "$spid" 2>/dev/null || true
	cat /tmp/timeline
	# Peak swiotlb memory: the largest sampled (nslabs + transient) * 2 KiB;
	# the seconds from the start of the pressure until the samples show
	# swiotlb memory back at its initial size.
	read -r s grown pret <<<"$(awk -v init="$init" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		m = v["nslabs"] + v["transient"]; if (m > peak) peak = m
		if (v["phase"] == "pressure") {
			if (t0 == "") { t0 = v["t"]; p0 = m }
			if (ret == "" && m <= init) ret = v["t"] - t0
		}
	} END {
		if (p0 == "") r = "-"; else if (p0 <= init) r = "not_grown"; else if (ret == "") r = "never"; else r = sprintf("%.1f", ret)
		printf "%s %s %s\n", peak * 2 / 1024, (peak > init ? "yes" : "no"), r
	}' /tmp/timeline)"
	if [ "$grown" = no ]; then idle_ret=not_grown; fi
	n=$(dmesg | grep -c 'swiotlb buffer is full' || true)
	echo "R kernel=$label scenario=fio-mem peak_MiB=$s init_MiB=$(mib "$init") after_MiB=$(mib "$after30") after_s=$idle pressure_MiB=$(mib "$afterp") pressure_return_s=$pret idle_return_s=$idle_ret grew=$grown transient_pools_1=$tr1 transient_pools_2=$tr2 transient_mode=$tmode failed_maps_1=$f1 failed_maps_2=$f2 full_msgs=$n hiwater=$(rd $dbg/io_tlb_used_hiwater) returned_shrinker=$(delta "$(elastic pools_returned_shrinker)" "$el_sh") returned_idle=$(delta "$(elastic pools_returned_idle)" "$el_id") transient_counter=$(delta "$(elastic transient_pools)" "$el_tr")"
	echo "R kernel=$label scenario=fio-pressure hold_s=$hold $vms ${hog#memhog }"
}

load_module() {
	[ -d /sys/kernel/debug/swiotlb_test ] && return 0
	[ -f "$1" ] || skip "no test module at $1 (scripts/build-tests.sh FLAVOUR bench)"
	insmod "$1" || skip "insmod $1 failed"
	[ -d /sys/kernel/debug/swiotlb_test ] || skip "the test module made no debugfs directory"
	# Without swiotlb=force (the embedded case: RAM above 4 GiB), the
	# device's buffers bounce when they lie above what a 32-bit mask
	# reaches, as on a board's 32-bit DMA master.
	if ! grep -qE 'swiotlb=[^ ]*force' /proc/cmdline; then
		echo 32 >/sys/kernel/debug/swiotlb_test/mask || skip "a 32-bit mask for the test device failed"
	fi
}

# stat NAME: one counter of the test module's stats file.
stat() {
	tr ' ' '\n' <"/sys/kernel/debug/swiotlb_test/stats" | sed -n "s/^$1=//p"
}

# ramp_step LABEL T0 MAPS0 FAILED0: one result line of the ramp scenario;
# releases the held mappings, then counts the transient pools.
ramp_step() {
	local t1 maps failed ns tr fm tp
	t1=$(now_s)
	maps=$(($(stat maps) - $3)) failed=$(($(stat failed) - $4))
	ns=$(rd $dbg/io_tlb_nslabs) tr=$(rd $dbg/io_tlb_transient_nslabs)
	fm=-
	if [ "$probe" = 1 ]; then fm=$(failprobe_count); fi
	echo unmap >"/sys/kernel/debug/swiotlb_test/cmd"
	tp=$(transient_count)
	echo "R kernel=$label scenario=ramp-$1 held_MiB=16 maps=$maps failed=$failed nslabs=$ns transient=$tr transient_pools=$tp transient_mode=$tmode failed_maps=$fm secs=$(awk -v a="$t1" -v b="$2" 'BEGIN { printf "%.2f", a - b }')"
	echo >"$trc/trace"
}

scen_ramp() {
	local mod=$1 d=/sys/kernel/debug/swiotlb_test n t0 m0 f0
	load_module "$mod"
	echo 4096 >"$trc/buffer_size_kb"
	probe=0
	failprobe_on && probe=1
	transient_on
	# Slow ramp: hold 64 KiB mappings, 32 (2 MiB) a step, 0.2 s apart.
	t0=$(now_s) m0=$(stat maps) f0=$(stat failed)
	for n in 1 2 3 4 5 6 7 8; do
		echo "map 32 65536 to" >"$d/cmd" 2>/dev/null || true
		[ "$n" = 8 ] || sleep 0.2
	done
	ramp_step slow "$t0" "$m0" "$f0"
	# Burst: the same 16 MiB at once.
	t0=$(now_s) m0=$(stat maps) f0=$(stat failed)
	echo "map 256 65536 to" >"$d/cmd" 2>/dev/null || true
	ramp_step burst "$t0" "$m0" "$f0"
}

# The oscillating load: PERIODS periods of one second, each 3 MiB of 64 KiB
# mappings held for half a second, then released.  swiotlb memory (pools
# and transient pools, in slots) is sampled every 50 ms; a "cycle" is a
# fall of it (memory given back) followed later by a rise (memory taken
# again), counted the same way on every kernel.  IDLE_MS, when not
# "default", is written to the patched kernel's debugfs idle time (a
# setting for tests) to show the idle hysteresis at a one-second period.
scen_osc() {
	local mod=$1 periods=$2 idle_ms=$3 d=/sys/kernel/debug/swiotlb_test i t0 f0 fm=- sampler
	load_module "$mod"
	if [ "$idle_ms" != default ]; then
		[ -w "$dbg/idle_ms" ] || skip "no $dbg/idle_ms on this kernel"
		echo "$idle_ms" >"$dbg/idle_ms"
	fi
	probe=0
	failprobe_on && probe=1
	(while :; do read_slabs; echo "$slabs"; sleep 0.05; done) >/tmp/osc-samples &
	sampler=$!
	t0=$(now_s) f0=$(stat failed)
	for ((i = 0; i < periods; i++)); do
		echo "map 48 65536 to" >"$d/cmd" 2>/dev/null || true
		sleep 0.5
		echo unmap >"$d/cmd"
		sleep 0.5
	done
	kill "$sampler"
	wait "$sampler" 2>/dev/null || true
	if [ "$probe" = 1 ]; then fm=$(failprobe_count); fi
	awk -v label="$label" -v idle="$idle_ms" -v periods="$periods" -v failed=$(($(stat failed) - f0)) \
		-v fm="$fm" -v secs="$(awk -v a="$(now_s)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')" '
	{ sum += $1 }
	NR == 1 { first = $1; prev = $1; peak = $1; next }
	{
		if ($1 < prev) { falls++; fell = 1 }
		if ($1 > prev) { rises++; if (fell) cycles++; fell = 0 }
		if ($1 > peak) peak = $1
		prev = $1
	}
	END {
		printf "R kernel=%s scenario=osc idle_ms=%s periods=%d secs=%s cycles=%d rises=%d falls=%d", label, idle, periods, secs, cycles, rises, falls
		printf " start_MiB=%g peak_MiB=%g end_MiB=%g mean_MiB=%.2f samples=%d failed=%d failed_maps=%s\n", first * 2 / 1024, peak * 2 / 1024, prev * 2 / 1024, sum / NR * 2 / 1024, NR, failed, fm
	}' /tmp/osc-samples
}

# cpu_ticks PID: user + system clock ticks of a process so far.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# tool_configs: the ways swiotlbtop is attached, NAME:ARGS (ARGS with
# commas for spaces): the default view, everything it can count, and each
# mode of its ladder forced.  On stock, full mode cannot run and fentry is
# the default.
tool_configs() {
	echo default:
	if [ "$label" = stock ]; then
		echo holds:--holds
	else
		echo holds+copies:--holds,--copies
		echo fentry:-m,fentry
	fi
	echo kprobe:-m,kprobe
	echo tracepoint:-m,tracepoint
}

scen_tool() {
	local secs=$1 bin=$2 tool=$3 round res mu uu pid c0 c1 i hz conf name args mode
	local -a targs
	[ -x "$tool" ] || skip "no swiotlbtop at $tool (make -C tools)"
	bind_edu
	hz=$(getconf CLK_TCK)
	for round in 1 2; do
		for conf in $(tool_configs); do
			name=${conf%%:*}
			args=${conf#*:}
			# Each attached run right after a detached one: the guest's
			# speed drifts within a boot by more than the tool costs.
			if res=$(run_mapbench "$bin" "$secs" 1 1 0); then
				read -r mu uu <<<"$res"
				echo "R kernel=$label scenario=tool attached=no config=$name round=$round map_us=$mu unmap_us=$uu"
			fi
			IFS=, read -r -a targs <<<"$args"
			# A new file: the old one would pass for this run's start.
			rm -f /tmp/swiotlbtop.out
			"$tool" -b "${targs[@]}" 1 >/tmp/swiotlbtop.out 2>&1 &
			pid=$!
			# Attached once it says so (on stderr, unbuffered; the
			# intervals on stdout reach the file in blocks).
			i=0
			while ! grep -q 'Hit Ctrl-C' /tmp/swiotlbtop.out 2>/dev/null &&
				kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			if ! kill -0 "$pid" 2>/dev/null; then
				echo "S kernel=$label scenario=tool config=$name reason=swiotlbtop_exited:_$(head -n 1 /tmp/swiotlbtop.out | tr ' ' _)"
				continue
			fi
			mode=$(sed -n 's/^swiotlbtop: tracing swiotlb in \([a-z]*\) mode.*/\1/p' /tmp/swiotlbtop.out | head -n 1)
			c0=$(cpu_ticks "$pid")
			if res=$(run_mapbench "$bin" "$secs" 1 1 0); then
				c1=$(cpu_ticks "$pid")
				read -r mu uu <<<"$res"
				echo "R kernel=$label scenario=tool attached=yes config=$name mode=${mode:-unknown} round=$round map_us=$mu unmap_us=$uu tool_cpu_s=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }') secs=$secs"
			fi
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		done
	done
}

# pool_count: the number of pools in the default io_tlb_mem: the pools
# listing where the kernel has one, else nslabs / the default pool's size.
pool_count() {
	if [ -r "$dbg/pools" ]; then
		grep -vc ' transient ' "$dbg/pools" || true
	else
		echo $(($(rd $dbg/io_tlb_nslabs) / $1))
	fi
}

# pools_used: slots of the default io_tlb_mem's pools into $ns, and those
# that the test module's one-page mappings (2 slots each) take in them into
# $used: its held mappings less the slots of transient pools.  debugfs
# io_tlb_used reads 0 on 7.3 unless booted with swiotlb=...,track_hiwater,
# which would add a shared atomic to every map of both kernels.
pools_used() {
	local tr=0 held=0
	read -r ns <"$dbg/io_tlb_nslabs" || ns=0
	read -r held </sys/kernel/debug/swiotlb_test/held || held=0
	read -r tr <"$dbg/io_tlb_transient_nslabs" 2>/dev/null || tr=0
	used=$((held * 2 - tr))
}

# wait_growth NSLABS SECONDS: until the pools hold more than NSLABS slots.
wait_growth() {
	local i=0
	pools_used
	while [ "$ns" -le "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
		pools_used
	done
}

# ktime_pairs ROUNDS: the test module's "time" command, ROUNDS rounds of
# 4096 map and unmap pairs of one page, bidirectional; prints "MAP_NS
# UNMAP_NS", the medians over the rounds of the mean time per call.
ktime_pairs() {
	local d=/sys/kernel/debug/swiotlb_test r line maps=() unmaps=() p m u
	for ((r = 0; r < $1; r++)); do
		echo "time 4096 4096 bidi" >"$d/cmd" || return 1
		read -r line <"$d/timing"
		p=${line#pairs=} p=${p%% *}
		m=${line#* map_ns=} m=${m%% *}
		u=${line#* unmap_ns=} u=${u%% *}
		[ "$p" -gt 0 ] || return 1
		maps+=($((m / p))) unmaps+=($((u / p)))
	done
	printf '%s\n' "${maps[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%d ", v[int((NR + 1) / 2)] }'
	printf '%s\n' "${unmaps[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%d\n", v[int((NR + 1) / 2)] }'
}

# pools_point WANT BASE DEFULL AHEAD BIN SECONDS ROUNDS: the two
# measurements at one pool count.
pools_point() {
	local n res mu uu d=/sys/kernel/debug/swiotlb_test
	n=$(pool_count "$2")
	if res=$(run_mapbench "$5" "$6" 1 1 0); then
		read -r mu uu <<<"$res"
		echo "R kernel=$label scenario=pools want=$1 pools=$n free_filled=$3 free_others=$4 held=$(cat "$d/held") transient_slots=$(rd $dbg/io_tlb_transient_nslabs) map_us=$mu unmap_us=$uu"
	else
		echo "S kernel=$label scenario=pools reason=dma_map_benchmark_failed_with_${n}_pools"
	fi
	if res=$(ktime_pairs "$7"); then
		read -r mu uu <<<"$res"
		echo "R kernel=$label scenario=pools-ktime want=$1 pools=$n rounds=$7 map_ns=$mu unmap_ns=$uu"
	else
		echo "S kernel=$label scenario=pools-ktime reason=test_module_time_failed_with_${n}_pools"
	fi
}

# fill_pools LIMIT: one-page mappings into every pool with room, until
# none is left or a round of mappings added none (the room left was holes
# that a page does not fit, and the mappings went to transient pools or
# failed at the cap).
fill_pools() {
	local d=/sys/kernel/debug/swiotlb_test u0 i=0
	pools_used
	while [ $((ns - used)) -ge 2 ] && [ $i -lt "$1" ]; do
		u0=$used
		echo "map $(((ns - used) / 2 > 4096 ? 4096 : (ns - used) / 2)) 4096 to" >"$d/cmd" 2>/dev/null || true
		pools_used
		[ "$used" -gt "$u0" ] || break
		i=$((i + 1))
	done
}

# The pool list of an io_tlb_mem has its newest pool at the head and the
# default pool at the tail; the slot search walks it from the head (the
# patched kernel first tries the pool where the CPU last found room).  So
# that the benchmark's mappings land in the pool the walk reaches last,
# every point has the default pool empty and every other pool full, in one
# boot, for each count of COUNTS in turn: from the previous point, the test
# module fills the default pool again with one-page mappings, as large as
# the benchmark's, so that no room a page fits is left in a full pool (on
# a kernel with the cap knob the cap keeps growth out meanwhile); then the
# cap goes up to the new count and the module fills each pool that growth
# adds, and finally releases the default pool's mappings, found by their
# place in its list of held mappings ("unmap N SKIP").  Held pools are
# never returned.  free_filled and free_others are the slots left free in
# the pools when the default pool was filled and, at the point, outside it.
scen_pools() {
	local mod=$1 bin=$2 secs=$3 counts=$4 rounds=$5 d=/sys/kernel/debug/swiotlb_test
	local base target want i ns used skip dflt ffill fothers capp=/sys/module/swiotlb/parameters/cap
	bind_edu
	load_module "$mod"
	# The patched kernel may have grown pools while it booted: the idle
	# return takes them back first, then is kept out of the way.
	if [ -w "$dbg/idle_ms" ]; then
		echo 100 >"$dbg/idle_ms"
		i=0
		while [ "$(grep -vc ' transient ' "$dbg/pools")" -gt 1 ] && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		echo 3600000 >"$dbg/idle_ms"
	fi
	pools_used
	base=$ns
	if [ -r "$dbg/pools" ]; then
		base=$(awk '$3 == "default" { print $4 }' "$dbg/pools")
	fi
	for want in ${counts//,/ }; do
		target=$((want * base))
		ffill=- fothers=-
		if [ "$want" -gt 1 ]; then
			pools_used
			if [ "$ns" -ge "$target" ]; then
				echo "S kernel=$label scenario=pools reason=counts_must_rise_(${ns}_slots_before_$want)"
				continue
			fi
			# The default pool, with the cap at what there is.
			if [ -w "$capp" ]; then echo $((ns * 2048)) >"$capp"; fi
			read -r skip <"$d/held"
			pools_used
			echo "map $(((ns - used) / 2)) 4096 to" >"$d/cmd" 2>/dev/null || true
			pools_used
			read -r dflt <"$d/held"
			dflt=$((dflt - skip))
			ffill=$((ns - used))
			# Then the cap up to WANT pools, and every pool growth adds.
			if [ -w "$capp" ]; then echo $((target * 2048)) >"$capp"; fi
			i=0
			while [ $i -lt $((want * 4 + 64)) ]; do
				fill_pools 4
				[ "$ns" -ge "$target" ] && break
				# Full: on a kernel that grows at a watermark the
				# growth is on its way; else a map that finds no
				# room starts it (and takes a transient pool).
				if [ -e "$dbg/grow_watermark" ]; then
					wait_growth "$ns" 2
					if [ $((ns - used)) -ge 2 ]; then continue; fi
				fi
				echo "map 1 4096 to" >"$d/cmd" 2>/dev/null || true
				wait_growth "$ns" 3
				[ $((ns - used)) -ge 2 ] || break
				i=$((i + 1))
			done
			echo "unmap $dflt $skip" >"$d/cmd"
			pools_used
			fothers=$((ns - used - base))
		fi
		pools_point "$want" "$base" "$ffill" "$fothers" "$bin" "$secs" "$rounds"
	done
	if [ -w "$capp" ]; then echo 0 >"$capp"; fi
}

case $scenario in
map) scen_map "$@" ;;
bw) scen_bw "$@" ;;
fio) scen_fio "$@" ;;
ramp) scen_ramp "$@" ;;
pools) scen_pools "$@" ;;
osc) scen_osc "$@" ;;
tool) scen_tool "$@" ;;
*) echo "guest.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac
