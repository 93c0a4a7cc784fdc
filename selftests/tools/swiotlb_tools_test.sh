#!/usr/bin/env bash
# The checks are eval'ed strings, expanded when they run; functions run
# from traps and checks look unreachable to shellcheck.
# shellcheck disable=SC2016,SC2317,SC2034
# Tests of the swiotlb tools (swiotlbtop, swiotlbsnoop, swiotlb-timeline),
# run in a workbench guest by scripts/guest-tests.sh with the test module
# loaded and swiotlb=force.  Prints TAP (kselftest style).
#
# On the patched kernel the tools run in full mode, on a stock kernel in
# fentry mode (the first two rungs of their ladder: full, fentry, kprobe,
# tracepoint); tests that need what a mode lacks are skipped with a reason.
# Known work comes from the test module's debugfs cmd file; the tools' JSON
# is compared with it and with swiotlb's debugfs counters.
#
# Usage: swiotlb_tools_test.sh [TOOLSDIR]
#   TOOLSDIR  where swiotlbtop & co. are (default: ../tools next to this
#             script, as installed by scripts/build-tests.sh)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
T=${1:-$here/../tools}
TOP=$T/swiotlbtop SNOOP=$T/swiotlbsnoop TL=$T/swiotlb-timeline
SET=/sys/kernel/debug/swiotlb_test
DBG=/sys/kernel/debug/swiotlb
DEV=swiotlb_test
work=$(mktemp -d)
n=0 failed=0
bg_pid=""

cleanup() {
	[ -z "$bg_pid" ] || kill -INT "$bg_pid" 2>/dev/null || true
	[ ! -w "$SET/cmd" ] || echo unmap >"$SET/cmd" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
diag() { sed 's/^/# /' "$@" >&2 || true; }
# check NAME CONDITION-COMMAND...
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}

BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)

# progs PID: the names of the BPF programs process PID holds, one a line
progs() {
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null) || continue
		[ -z "$id" ] || "$BPFTOOL" -j prog show id "$id" | jq -r .name
	done | sort -u
}

# start NAME CMD...: run a tool in the background until it says it is
# tracing (its "Hit Ctrl-C" line), output in $work/NAME.{out,err}, the
# programs it then holds in $work/NAME.progs.
start() {
	local name=$1
	shift
	"$@" >"$work/$name.out" 2>"$work/$name.err" &
	bg_pid=$!
	for _ in $(seq 600); do
		if grep -q 'Hit Ctrl-C' "$work/$name.err"; then
			progs "$bg_pid" >"$work/$name.progs" 2>>"$work/$name.err" || true
			return 0
		fi
		kill -0 "$bg_pid" 2>/dev/null || break
		sleep 0.1
	done
	diag "$work/$name.err"
	return 1
}

# stop: SIGINT the background tool, wait, return its status.
stop() {
	local rc=0
	kill -INT "$bg_pid" 2>/dev/null || true
	wait "$bg_pid" || rc=$?
	bg_pid=""
	return "$rc"
}

cmd() { echo "$*" >"$SET/cmd"; }
used() { cat "$DBG/io_tlb_used"; }
# jv FILE FILTER: jq on the last JSON object of FILE
jv() { tail -n 1 "$1" | jq -r "$2"; }
eq() {
	if [ "$1" = "$2" ]; then return 0; fi
	echo "# expected $2, got $1" >&2
	return 1
}

echo "TAP version 13"
if [ ! -x "$TOP" ] || [ ! -x "$SNOOP" ] || [ ! -x "$TL" ]; then
	echo "1..1"
	echo "not ok 1 swiotlb tools built in $T"
	exit 1
fi
# The mode the tools must choose on this kernel comes from the kernel it is
# (SWIOTLB_KERNEL_FLAVOUR, set by scripts/guest-tests.sh): full on the
# patched kernel, fentry on stock (both guest kernels have BPF
# trampolines).  A patched kernel that lost its tracepoints fails here, and
# what -v says is checked against the mode below.  Run by hand without the
# variable, the mode follows the tracepoints found.
events=no
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	[ ! -e "$d/events/swiotlb/swiotlb_map_slots" ] || events=yes
done
case ${SWIOTLB_KERNEL_FLAVOUR:-} in
patched) mode=full ;;
stock) mode=fentry ;;
"") mode=fentry; [ "$events" = no ] || mode=full ;;
*) echo "not ok 1 SWIOTLB_KERNEL_FLAVOUR=$SWIOTLB_KERNEL_FLAVOUR: patched or stock"; exit 1 ;;
esac
check "the kernel's swiotlb tracepoints match ${SWIOTLB_KERNEL_FLAVOUR:-its} kernel ($events)" \
	eval '[ "$events" = "$([ "$mode" = full ] && echo yes || echo no)" ]'
vrc=0; "$TOP" -v -b 0.01 1 >/dev/null 2>"$work/v.err" || vrc=$?

# --- bad input -------------------------------------------------------------
rc=0; "$TOP" --no-such-flag >/dev/null 2>"$work/e" || rc=$?
check "swiotlbtop: unknown flag gives one line naming it and status 2" \
	eval '[ $rc = 2 ] && [ "$(wc -l <"$work/e")" = 1 ] && grep -q "option .--no-such-flag." "$work/e"'
rc=0; "$TOP" 0 >/dev/null 2>"$work/e" || rc=$?
check "swiotlbtop: interval 0 gives status 2" eval '[ $rc = 2 ] && grep -q "INTERVAL .0.: must be" "$work/e"'
rc=0; "$SNOOP" -e map,bogus >/dev/null 2>"$work/e" || rc=$?
check "swiotlbsnoop: unknown event type gives status 2" eval '[ $rc = 2 ] && grep -q "unknown event type .bogus." "$work/e"'
rc=0; "$TL" >/dev/null 2>"$work/e" || rc=$?
check "swiotlb-timeline: no record gives status 2" eval '[ $rc = 2 ]'

# --- no privilege, no tracefs, no debugfs ------------------------------------
rc=0
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$TOP" -b 1 1 >/dev/null 2>"$work/e" || rc=$?
check "swiotlbtop as nobody: one line, status 4" \
	eval '[ $rc = 4 ] && [ "$(wc -l <"$work/e")" = 1 ] && grep -q "permission denied" "$work/e"'
# debugfs is optional: capacity is n/a (null in JSON), and no warning.
rc=0
unshare -m bash -c 'mount -t tmpfs none /sys/kernel/debug && exec "$0" -b 1 1' "$TOP" \
	>"$work/o" 2>"$work/e" || rc=$?
check "swiotlbtop without debugfs: status 0, capacity n/a, no warning" \
	eval '[ $rc = 0 ] && grep -q "^capacity n/a  used n/a " "$work/o" &&
		[ "$(wc -l <"$work/e")" = 1 ] && grep -q "Hit Ctrl-C" "$work/e"'
rc=0
unshare -m bash -c 'mount -t tmpfs none /sys/kernel/debug && exec "$0" -j 0.2 1' "$TOP" \
	>"$work/o" 2>"$work/e" || rc=$?
check "swiotlbtop -j without debugfs: status 0, capacity null, lacks capacity" \
	eval '[ $rc = 0 ] && [ "$(jv "$work/o" "[.capacity_slots == null, (.lacks | index(\"capacity\") != null)] | all")" = true ]'
# Zeros are not data: from Linux 7.3, a kernel booted without
# swiotlb=...,track_hiwater reads 0 for the high-water mark (and, without
# the series' pool listing, for used slots); the tool shows n/a (null) and
# says why once.
if grep -qw track_hiwater_enabled /proc/kallsyms && ! grep -qE 'swiotlb=[^ ]*track_hiwater' /proc/cmdline; then
	want_used=true
	[ -r "$DBG/pools" ] || want_used=false
	rc=0; "$TOP" -b 0.2 1 >"$work/o" 2>"$work/e" || rc=$?
	check "untracked high-water: n/a in the text, the reason said once" \
		eval '[ $rc = 0 ] && grep -q "high-water n/a" "$work/o" && [ "$(grep -c "track_hiwater" "$work/e")" = 1 ]'
	rc=0; "$TOP" -j 0.2 1 >"$work/o" 2>/dev/null || rc=$?
	check "untracked high-water: hiwater_slots null, used_slots known: $want_used" \
		eq "$rc $(jv "$work/o" '[.hiwater_slots == null, .used_slots != null]' | tr -d ' \n')" "0 [true,$want_used]"
else
	skip "untracked high-water shown as n/a" "the kernel tracks it (no track_hiwater option, or booted with it)"
fi
# hidetracefs ARGS...: swiotlbtop ARGS with tmpfs over tracefs
hidetracefs() {
	unshare -m bash -c 'for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		mount -t tmpfs none "$d" 2>/dev/null || true; done; exec "$0" "$@"' "$TOP" "$@"
}
rc=0; hidetracefs -v -b 0.01 1 >/dev/null 2>"$work/e" || rc=$?
# Full mode attaches the series' tracepoints raw, fentry mode attaches to
# functions: neither needs tracefs, and the mode does not change.
check "swiotlbtop without tracefs: still $mode mode, status 0" \
	eval '[ $rc = 0 ] && grep -q "^swiotlbtop: $mode mode: " "$work/e"'
if [ "$mode" = full ]; then
	rc=0; hidetracefs --mode full --copies -j 0.2 1 >"$work/o" 2>/dev/null || rc=$?
	check "swiotlbtop --mode full --copies without tracefs: status 0, no lack but hold_times and find_time" \
		eq "$rc $(jv "$work/o" '.lacks | map(select(. != "hold_times" and . != "find_time")) | length')" "0 0"
fi

# --- mode selection --------------------------------------------------------
check "swiotlbtop -v says it runs in $mode mode, exit 0" \
	eval '[ $vrc = 0 ] && grep -q "^swiotlbtop: $mode mode: " "$work/v.err"'
check "swiotlbtop says its mode and what it lacks in one start line" \
	eval '[ "$(grep -c "^swiotlbtop: tracing swiotlb in $mode mode (lacks .*find_time.*)\. Hit Ctrl-C" "$work/v.err")" = 1 ]'
if [ "$mode" = fentry ]; then
	check "fentry mode says what it lacks" grep -q "^swiotlbtop: fentry mode: .*; lacks .*pool_events" "$work/v.err"
	rc=0; "$TOP" -v -m reduced -b 0.01 1 >/dev/null 2>"$work/e" || rc=$?
	check "--mode reduced is fentry mode, exit 0" \
		eval '[ $rc = 0 ] && grep -q "^swiotlbtop: fentry mode: " "$work/e"'
fi

if [ ! -w "$SET/cmd" ]; then
	echo "1..$((n + 1))"
	skip "known work" "test module not loaded ($SET/cmd)"
	exit "$((failed > 0))"
fi

# --- known work: 100 maps of 4 KiB held, then released; one failure --------
# run_known TAG ARGS...: checks against the test module's work, swiotlbtop
# with ARGS (--holds: hold times, outstanding and slots held need it)
run_known() {
	local tag=$1 u0 u1 u2 st0 st1
	shift
	start "known-$tag" "$TOP" -j 0.5 -d "$DEV" "$@" || { notok "$tag: swiotlbtop starts"; return; }
	st0=$(sed -n 's/^maps=\([0-9]*\).*/\1/p' "$SET/stats")
	u0=$(used)
	cmd map 100 4096 to
	u1=$(used)
	cmd unmap
	u2=$(used)
	cmd map 1 1048576 to 2>/dev/null || true
	st1=$(sed -n 's/^maps=\([0-9]*\).*/\1/p' "$SET/stats")
	local rc=0
	stop || rc=$?
	local f=$work/known-$tag.out
	check "$tag: swiotlbtop exits 0 on SIGINT" eq "$rc" 0
	check "$tag: JSON well formed, one object a line" eval 'jq -e . "$f" >/dev/null'
	check "$tag: every object has \"schema\": 1 and one key set (also in \"interval\")" \
		eq "$(jq -s -c '[(map(.schema) | unique), (map(keys) | unique | length), (map(.interval | keys) | unique | length)]' "$f")" '[[1],1,1]'
	check "$tag: histograms are null without -H" \
		eq "$(jv "$f" '[has("hist"), .hist == null, has("hist_interval"), .hist_interval == null] | all')" true
	check "$tag: 100 maps" eq "$(jv "$f" .total.maps)" 100
	check "$tag: 409600 bytes mapped" eq "$(jv "$f" .total.map_bytes)" 409600
	check "$tag: 100 unmaps" eq "$(jv "$f" .total.unmaps)" 100
	check "$tag: device row: 100 maps, 409600 bytes, 100 unmaps, 1 failure" \
		eq "$(jv "$f" "[.devices[] | select(.name == \"$DEV\") | .total_maps, .total_bytes, .total_unmaps, .total_failures] | join(\" \")")" \
		"100 409600 100 1"
	check "$tag: 1 failure" eq "$(jv "$f" .total.failures)" 1
	check "$tag: device holds no mappings at the end (outstanding 0)" \
		eq "$(jv "$f" ".devices[] | select(.name == \"$DEV\") | .outstanding")" 0
	local hold
	hold=$(jv "$f" '.devices[0] | "n=\(.total_hold_n) mean=\(.total_hold_mean_ns) max=\(.total_hold_max_ns)"')
	check "$tag: hold times plausible (100 pairs, 0 < mean <= max < 60 s since start: $hold)" \
		eval "[ \"\$(jv \"$f\" '.devices[0] | (.total_hold_n == 100 and .total_hold_mean_ns > 0 and .total_hold_mean_ns <= .total_hold_max_ns and .total_hold_max_ns < 60e9)')\" = true ]"
	check "$tag: per-interval hold counts add up to 100, a mean and maximum only with unmaps" \
		eq "$(jq -s -c '[([.[].devices[0].hold_n // 0] | add), ([.[].devices[0] | select(.hold_n == 0) | .hold_mean_ns, .hold_max_ns] | all(. == null))]' "$f")" '[100,true]'
	check "$tag: maps agree with the test module's stats" eq "$((st1 - st0))" 100
	if [ "$tag" = full ]; then
		check "$tag: slots mapped = debugfs io_tlb_used delta ($((u1 - u0)))" \
			eq "$(jv "$f" .total.map_slots)" "$((u1 - u0))"
		check "$tag: slots released = slots mapped" eq "$(jv "$f" .total.unmap_slots)" "$((u1 - u2))"
		check "$tag: failure reason too_big" eq "$(jv "$f" .total.failures_by_reason.too_big)" 1
		check "$tag: failure event in the JSON" \
			eq "$(jq -s '[.[].events[] | select(.type == "map_failed" and .reason == "too_big" and .size == 1048576)] | length' "$f")" 1
		check "$tag: device holds no slots at the end" \
			eq "$(jv "$f" ".devices[] | select(.name == \"$DEV\") | .slots_held")" 0
		# --copies: each map to the device copied its 4 KiB once,
		# nothing came back; the failed map copied nothing.
		check "$tag --copies: 100 copies, 409600 bytes to the device, none to the CPU" \
			eq "$(jv "$f" '[.total.copies_to_device, .total.copy_bytes_to_device, .total.copies_to_cpu, .total.copy_bytes_to_cpu] | join(" ")')" \
			"100 409600 0 0"
		check "$tag --copies: raw_bounce_copy loaded, with raw_map_slots" \
			eq "$(grep -cxE 'raw_(bounce_copy|map_slots)' "$work/known-$tag.progs")" 2
	else
		check "$tag: JSON lists what $tag mode lacks" eq "$(jv "$f" '.lacks | index("pool_events") != null')" true
	fi
}
# (fentry mode is tested on the stock kernel; -m fentry on the patched
# one would add a minute of guest time for little more.)
if [ "$mode" = full ]; then
	run_known "$mode" --holds --copies
else
	run_known "$mode" --holds
fi
# The next rung, forced where the kernel has kprobes (the workbench's
# kernels do): the same known work, counted through kprobe/kretprobe.
if [ "$mode" = fentry ]; then
	if grep -qw swiotlb_tbl_map_single /sys/kernel/tracing/available_filter_functions 2>/dev/null ||
		[ -e /sys/kernel/tracing/kprobe_events ]; then
		run_known kprobe --holds -m kprobe
		check "kprobe: the mode asked for is the mode run" \
			eq "$(jv "$work/known-kprobe.out" .mode)" kprobe
	else
		skip "kprobe mode: the known work" "no kprobes in this kernel"
	fi
	# The last rung, forced: swiotlb_bounced alone counts the maps and
	# their bytes; unmaps and failures are null.
	if start tp "$TOP" -j 0.5 -d "$DEV" -m tracepoint; then
		cmd map 100 4096 to
		cmd unmap
		rc=0; stop || rc=$?
		check "tracepoint: 100 maps, 409600 bytes, unmaps and failures null, exit 0" \
			eq "$rc $(jv "$work/tp.out" '[.mode, .total.maps, .total.map_bytes, .total.unmaps, .total.failures] | map(tostring) | join(" ")')" \
			"0 tracepoint 100 409600 null null"
	else
		notok "tracepoint: swiotlbtop starts"
	fi
fi

# --- the default view, without --holds: the counters alone -----------------
# The same 100 maps and unmaps, not paired: the counters as with --holds,
# hold_times in lacks, the keys that need pairing null.
if start counts "$TOP" -j 0.5 -d "$DEV"; then
	cmd map 100 4096 to
	cmd unmap
	rc=0; stop || rc=$?
	f=$work/counts.out
	check "default view: exit 0, hold_times in lacks" \
		eval '[ $rc = 0 ] && [ "$(jv "$f" "[.lacks[] | select(. == \"hold_times\")] | length")" = 1 ]'
	check "default view: 100 maps and 100 unmaps, in total and on the device" \
		eq "$(jv "$f" "[.total.maps, .total.unmaps, (.devices[] | select(.name == \"$DEV\") | .total_maps, .total_unmaps)] | join(\" \")")" \
		"100 100 100 100"
	check "default view: the keys of pairing null (unmatched_unmaps, hold_n, hold_table_full; outstanding, slots_held, hold times of the device)" \
		eq "$(jv "$f" "[.total.unmatched_unmaps, .total.hold_n, .total.hold_ns, .total.hold_table_full, (.devices[] | select(.name == \"$DEV\") | .outstanding, .slots_held, .hold_n, .total_hold_n, .total_hold_mean_ns, .total_hold_max_ns)] | all(. == null)")" \
		true
	if [ "$mode" = full ]; then
		check "default view: slots released = slots mapped, more than 0" \
			eval '[ "$(jv "$f" "[.total.map_slots > 0, .total.map_slots == .total.unmap_slots] | all")" = true ]'
		check "default view: copies in lacks, their keys null (no --copies)" \
			eq "$(jv "$f" '[(.lacks | index("copies") != null), ([.total.copies_to_device, .total.copy_bytes_to_device, .total.copies_to_cpu, .total.copy_bytes_to_cpu] | all(. == null))] | all')" true
		check "default view: raw_map_slots loaded, raw_bounce_copy not (no --copies)" \
			eq "$(grep -xE 'raw_(bounce_copy|map_slots)' "$work/counts.progs" | tr '\n' ' ')" "raw_map_slots "
	fi
else
	cmd unmap
	notok "swiotlbtop starts (default view)"
fi

# --- unmaps of maps made before start: not paired, nothing held below 0 -----
cmd map 10 4096 to
if start paired "$TOP" -j 0.5 -d "$DEV" --holds; then
	cmd unmap
	rc=0; stop || rc=$?
	f=$work/paired.out
	check "pairing: 10 unmaps of maps made before start, all unmatched; outstanding, slots held, hold count 0" \
		eval '[ $rc = 0 ] && eq "$(jv "$f" "[.total.unmaps, .total.unmatched_unmaps, (.devices[] | select(.name == \"$DEV\") | .outstanding, (.slots_held // 0), .total_hold_n)] | join(\" \")")" "10 10 0 0 0"'
else
	cmd unmap
	notok "swiotlbtop starts (pairing)"
fi
# Without --holds the devices' table has the counters' change since start:
# NETMAPS (and NETSLOTS, full mode) below 0 after those 10 unmaps.  The row
# of the last reading, which SIGINT prints: DEVICE MAPS/s UNMAPS/s MiB/s
# NETMAPS NETSLOTS FAILS.
cmd map 10 4096 to
if start net "$TOP" -b 0.5 -d "$DEV"; then
	cmd unmap
	rc=0; stop || rc=$?
	row=$(awk -v d="$DEV" '$1 == d { r = $0 } END { print r }' "$work/net.out")
	echo "# last row: $row" >&2
	read -r _ _ _ _ netmaps netslots _ <<<"$row"
	if [ "$mode" = full ]; then
		check "default view: 10 unmaps of maps made before start: NETMAPS -10, NETSLOTS below 0" \
			eval '[ $rc = 0 ] && [ "$netmaps" = -10 ] && [ "${netslots:-0}" -lt 0 ]'
	else
		check "default view: 10 unmaps of maps made before start: NETMAPS -10, NETSLOTS n/a" \
			eval '[ $rc = 0 ] && [ "$netmaps" = -10 ] && [ "$netslots" = n/a ]'
	fi
else
	cmd unmap
	notok "swiotlbtop starts (default view, NETMAPS)"
fi

# --- snoop: one line per map and unmap ---------------------------------------
if start snoop "$SNOOP" -j -d "$DEV"; then
	cmd run 10 8192 bidi
	rc=0; stop || rc=$?
	f=$work/snoop.out
	check "swiotlbsnoop: exits 0 on SIGINT" eq "$rc" 0
	check "swiotlbsnoop: 10 map events of 8192 bytes" \
		eq "$(jq -s '[.[] | select(.type == "map" and .size == 8192)] | length' "$f")" 10
	check "swiotlbsnoop: 10 unmap events with hold times" \
		eq "$(jq -s '[.[] | select(.type == "unmap" and .hold_ns > 0)] | length' "$f")" 10
	check "swiotlbsnoop: every event has \"schema\": 1, maps and unmaps the same keys" \
		eq "$(jq -s -c '[(map(.schema) | unique), (map(keys) | unique | length)]' "$f")" '[[1],1]'
	if [ "$mode" = full ]; then
		check "swiotlbsnoop: each unmap matches a map (pool, index, nslots)" \
			eq "$(jq -s '([.[] | select(.type == "map") | [.pool, .index, .nslots]] | sort) == ([.[] | select(.type == "unmap") | [.pool, .index, .nslots]] | sort)' "$f")" true
	fi
else
	notok "swiotlbsnoop starts"
fi
# -e filters in BPF: only the unmaps reach user space.
if start snoop-e "$SNOOP" -j -e unmap -d "$DEV"; then
	cmd run 10 8192 bidi
	rc=0; stop || rc=$?
	check "swiotlbsnoop -e unmap: exit 0, 10 unmap events and no other, none lost" \
		eval '[ $rc = 0 ] && [ "$(jq -s -c "[(map(.type) | unique), length]" "$work/snoop-e.out")" = "[[\"unmap\"],10]" ] &&
			! grep -q "events lost" "$work/snoop-e.err"'
else
	notok "swiotlbsnoop -e starts"
fi
if start snoop-text "$SNOOP" -d "$DEV" -c 2; then
	cmd run 1 4096 to
	rc=0; wait "$bg_pid" || rc=$?; bg_pid=""
	check "swiotlbsnoop -c 2: text header and 2 lines, exit 0" \
		eval '[ $rc = 0 ] && [ "$(grep -c "$DEV" "$work/snoop-text.out")" = 2 ] && head -1 "$work/snoop-text.out" | grep -q "^TIME"'
else
	notok "swiotlbsnoop -c starts"
fi

# --- histograms (hold times with --holds) --------------------------------------
if start hist "$TOP" -j 1 -H --holds -d "$DEV"; then
	cmd run 10 8192 to
	rc=0; stop || rc=$?
	f=$work/hist.out
	check "histogram: 10 mappings in the 8 KiB bucket" eq "$(jv "$f" '.hist.size_bytes["8192"]')" 10
	check "histogram: 10 hold times" eq "$(jv "$f" '[.hist.hold_ns[]] | add')" 10
	check "histogram: the intervals' hist_interval add up to the 10 mappings" \
		eq "$(jq -s '[.[].hist_interval.size_bytes["8192"] // 0] | add' "$f")" 10
else
	notok "swiotlbtop -H starts"
fi

# --- growth and transient pools (patched: events; both: counts) -------------
if [ "$mode" = full ]; then
	# Elastic pools grow before the pool is full; a watermark of 100%
	# grows only when it is, so that the burst needs transient pools.
	wm=$DBG/grow_watermark
	wm0=
	if [ -w "$wm" ]; then
		wm0=$(cat "$wm")
		echo 100 >"$wm"
	fi
	if start grow "$TOP" -j 0.5 --record "$work/rec.json"; then
		nslabs=$(cat "$DBG/io_tlb_nslabs")
		# More than the whole pool: 256 KiB mappings until it is full,
		# the rest get transient pools and the worker grows the pool.
		cnt=$(( nslabs * 2048 / 262144 + 16 ))
		[ "$cnt" -le 4096 ] || cnt=4096
		rc=0; cmd map "$cnt" 262144 to 2>/dev/null || rc=$?
		cmd unmap
		for _ in $(seq 100); do
			[ "$(cat "$DBG/io_tlb_transient_nslabs" 2>/dev/null || echo 0)" = 0 ] && break
			sleep 0.1
		done
		rc=0; stop || rc=$?
		f=$work/grow.out
		adds=$(jq -s '[.[].events[] | select(.type == "pool_add")] | length' "$f")
		tadds=$(jq -s '[.[].events[] | select(.type == "pool_add" and .cause == "transient")] | length' "$f")
		trems=$(jq -s '[.[].events[] | select(.type == "pool_remove" and .cause == "transient_unmapped")] | length' "$f")
		grows=$(jq -s '[.[].events[] | select(.type == "pool_add" and .cause == "grow")] | length' "$f")
		echo "# $cnt x 256 KiB over $nslabs slots: $tadds transient pools, $grows grown" >&2
		check "growth: every pool event counted is in the JSON ($adds adds)" \
			eq "$(jv "$f" '.total.pools_added')" "$adds"
		if [ -n "$wm0" ]; then
			# Elastic pools may grow in time for the whole burst.
			check "growth: transient or grown pools were created" \
				eval '[ $((tadds + grows)) -gt 0 ]'
		else
			check "growth: transient pools were created" eval '[ "$tadds" -gt 0 ]'
		fi
		check "growth: every transient pool was removed after unmap" eq "$trems" "$tadds"
		# Pools an earlier test left may be returned meanwhile: the
		# listing at the end is the one at the start, plus the pools
		# grown, less the dynamic pools removed.
		dyn0=$(head -n 1 "$f" | jq -r '[.pools[] | select(.kind == "dynamic")] | length')
		drems=$(jq -s '[.[].events[] | select(.type == "pool_remove" and .kind == "dynamic")] | length' "$f")
		check "growth: dynamic pools in debugfs = $dyn0 at start + $grows grown - $drems removed" \
			eq "$(jv "$f" '[.pools[] | select(.kind == "dynamic")] | length')" "$((dyn0 + grows - drems))"
		check "growth: no transient pools listed at the end" \
			eq "$(jv "$f" '[.pools[] | select(.kind == "transient")] | length')" 0
		[ -z "$wm0" ] || echo "$wm0" >"$wm"
		rc=0; "$TL" -o "$work/t.svg" "$work/rec.json" 2>"$work/e" || rc=$?
		check "timeline: SVG of the recorded run is well formed and not empty" \
			eval '[ $rc = 0 ] && [ -s "$work/t.svg" ] && xmllint --noout "$work/t.svg" && grep -q "<polyline" "$work/t.svg"'
	else
		notok "swiotlbtop --record starts"
	fi
else
	skip "growth and transient pools" "$mode mode has no pool events"
	if start rec "$TOP" -j 0.5 --record "$work/rec.json"; then
		cmd run 10 4096 to
		stop || true
		rc=0; "$TL" -o "$work/t.svg" "$work/rec.json" 2>"$work/e" || rc=$?
		check "timeline: SVG of the recorded run is well formed and not empty" \
			eval '[ $rc = 0 ] && [ -s "$work/t.svg" ] && xmllint --noout "$work/t.svg"'
	fi
fi

# --- fio on the virtio-blk disk (iommu_platform=on: bounced) ----------------
# The guest of the project's test run always has the disk and fio: without
# either, this part fails rather than skip.
if [ -b /dev/vda ] && command -v fio >/dev/null; then
	if start fio "$TOP" -j 1; then
		u0=$(used)
		frc=0
		fio --name=t --filename=/dev/vda --direct=1 --ioengine=libaio --rw=randrw \
			--bsrange=4k-128k --iodepth=8 --size=8M \
			--output="$work/fio.txt" >/dev/null 2>&1 || frc=$?
		u1=$(used)
		rc=0; stop || rc=$?
		check "fio: exit status $frc" eq "$frc" 0
		f=$work/fio.out
		maps=$(jv "$f" .total.maps)
		check "fio: mappings seen ($maps)" eval '[ "$maps" -gt 0 ]'
		check "fio: every map unmapped (io_tlb_used back to $u0)" \
			eval '[ "$u1" = "$u0" ] && [ "$(jv "$f" .total.unmaps)" = "$maps" ]'
		if [ "$mode" = full ]; then
			check "fio: slots mapped = slots released" \
				eq "$(jv "$f" .total.map_slots)" "$(jv "$f" .total.unmap_slots)"
		fi
		# hold_table_full is null: no hold table without --holds.
		check "fio: no events lost" eq "$(jv "$f" '.total.events_lost + (.total.hold_table_full // 0)')" 0
	else
		notok "swiotlbtop starts for fio"
	fi
else
	notok "fio: /dev/vda ($([ -b /dev/vda ] && echo present || echo missing)) and fio ($(command -v fio || echo missing))"
fi

# --- text screen, slot map ------------------------------------------------------
rc=0; "$TOP" -b -S -H 0.2 2 >"$work/text.out" 2>"$work/e" || rc=$?
check "swiotlbtop -b -S -H: batch output, exit 0" \
	eval '[ $rc = 0 ] && [ "$(grep -c "^swiotlbtop - " "$work/text.out")" = 2 ] && grep -q "^capacity" "$work/text.out"'

echo "1..$n"
exit "$((failed > 0))"
