#!/usr/bin/env bash
# The checks are functions run through check(), which shellcheck does not
# see called, or eval'ed strings, expanded when they run.
# shellcheck disable=SC2317,SC2016
# The swiotlb tools on this machine's own kernel (not a guest), as it is:
# debugfs and tracefs mounted or not.  The test works out for itself which
# mode of the ladder (full, fentry, kprobe, tracepoint) the kernel allows,
# from its BTF, "bpftool feature probe", kprobes and /proc/kallsyms, and
# checks that the tools take that mode (not trusting what they claim),
# exit 0, and that their JSON parses and carries the mode.  A tool that
# does not fall back to the mode the kernel allows fails; nothing is
# skipped, except the whole test when not run as root.  Prints TAP.
# swiotlbtop's screen runs in a detached tmux of a known size (tmux is
# installed when missing, as scripts/lib.sh installs packages).
#
# Usage: swiotlb_tools_host_test.sh TOOLSDIR   (e.g. tools/build)
set -euo pipefail

T=${1:?usage: swiotlb_tools_host_test.sh TOOLSDIR}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'tmux -S "$work/tmux.sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
n=0 failed=0

tap() {	# tap STATUS NAME: STATUS 0 passes; else the last tool's stderr
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		sed 's/^/# /' "$work/err" >&2 || true
	fi
}
# check NAME COMMAND...: tap the status of COMMAND
# (not "rc": an eval'ed COMMAND reads the caller's $rc)
check() {
	local name=$1 status=0
	shift
	"$@" || status=$?
	tap "$status" "$name"
}

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
k=$(uname -r)

# --- what the kernel allows, probed here -----------------------------------
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
: >"$work/err"
"$bpftool" btf dump file /sys/kernel/btf/vmlinux format raw >"$work/btf" 2>>"$work/err" || true
"$bpftool" feature probe kernel >"$work/features" 2>>"$work/err" || true
btf() { grep -q "^\[[0-9]*\] $1 '$2'" "$work/btf"; }
tracefs_has() {
	[ -e "/sys/kernel/tracing/$1" ] || [ -e "/sys/kernel/debug/tracing/$1" ]
}
ksym() { awk -v s="$1" '$3 == s { f = 1 } END { exit !f }' /proc/kallsyms; }
series=no tracing=no kprobes=no bounced=no
if btf STRUCT trace_event_raw_swiotlb_map_slots &&
	tracefs_has events/swiotlb/swiotlb_map_slots; then
	series=yes
fi
grep -q "program_type tracing is available" "$work/features" && tracing=yes
if grep -q "program_type kprobe is available" "$work/features" &&
	{ [ -e /sys/bus/event_source/devices/kprobe/type ] || tracefs_has kprobe_events; }; then
	kprobes=yes
fi
btf TYPEDEF btf_trace_swiotlb_bounced && bounced=yes
if [ "$series" = yes ]; then
	expect=full
elif [ "$tracing" = yes ] && btf FUNC swiotlb_tbl_map_single; then
	expect=fentry
elif [ "$kprobes" = yes ] && ksym swiotlb_tbl_map_single; then
	expect=kprobe
elif [ "$bounced" = yes ]; then
	expect=tracepoint
else
	expect=none
fi
echo "# host $k: series tracepoints $series, fentry $tracing, kprobes $kprobes, swiotlb_bounced $bounced: expect $expect mode" >&2
check "host $k: the kernel's BTF and BPF features probed" \
	grep -q "program_type" "$work/features"

# run NAME TOOL ARGS...: output in $work/NAME.{out,err}, also err; status
run() {
	local name=$1 rc=0
	shift
	"$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	cp "$work/$name.err" "$work/err"
	return "$rc"
}
# started NAME: the mode from the tool's one start line
started() {
	sed -n 's/^[a-z-]*: tracing swiotlb in \([a-z]*\) mode.*/\1/p' "$work/$1.err"
}
# json_ok FILE: every line is JSON that carries "mode": $expect
json_ok() {
	local line
	[ -s "$1" ] || return 1
	while IFS= read -r line; do
		printf '%s\n' "$line" | python3 -m json.tool >/dev/null || return 1
		printf '%s\n' "$line" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d.get("mode") == sys.argv[1] and isinstance(d.get("lacks"), list) else 1)
' "$expect" || return 1
	done <"$1"
}

# The keys of swiotlbtop's JSON (schema 1), kept here so that a key the
# tools drop fails the test: an interval, its "interval" and "total"
# counters, a device row, a pool, an event (swiotlbsnoop -j: the same, with
# "schema" and "mode").
top_keys="schema time mono_ns interval_s mode lacks capacity_slots capacity_bytes
	used_slots hiwater_slots transient_slots pools_by_kind pools interval total
	devices events events_dropped hist hist_interval"
count_keys="maps map_bytes map_alloc_bytes map_slots unmaps unmap_slots
	unmatched_unmaps hold_ns hold_n bounced bounced_bytes copies_to_device
	copy_bytes_to_device copies_to_cpu copy_bytes_to_cpu events_lost
	hold_table_full device_table_full device_hist_table_full pools_added pools_removed slots_added slots_removed
	grow_failed failures failures_by_reason pools_added_by_cause
	pools_removed_by_cause"
device_keys="name maps bytes unmaps failures total_maps total_bytes total_unmaps
	total_failures slots_held outstanding hold_n hold_mean_ns hold_max_ns
	total_hold_n total_hold_mean_ns total_hold_max_ns"
pool_keys="start end kind nslabs nareas used created_ns owner"
event_keys="ts_ns type cpu pid comm dev size alloc_size tlb_addr orig_addr dir
	pool index nslots hold_ns reason used total end kind nslabs cause
	lifetime_ns dev_addr"
# keys_ok KIND FILE: every line of FILE is JSON (json.loads) with
# "schema": 1 and exactly the keys above; KIND top or snoop
keys_ok() {
	[ -s "$2" ] || return 1
	python3 - "$1" "$2" "$top_keys" "$count_keys" "$device_keys" "$pool_keys" \
		"$event_keys" <<'PY'
import json, sys
kind, path, top, count, device, pool, event = sys.argv[1:]
top, count, device, pool, event = (set(k.split()) for k in (top, count, device, pool, event))
bad = []
def same(what, obj, want):
    if not isinstance(obj, dict) or set(obj) != want:
        got = set(obj) if isinstance(obj, dict) else obj
        bad.append("%s: missing %s, unknown %s" % (what, sorted(want - set(got or ())),
                                                   sorted(set(got or ()) - want)))
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    d = json.loads(line)
    if d.get("schema") != 1:
        bad.append("line %d: schema %r" % (n, d.get("schema")))
    if kind == "snoop":
        same("line %d" % n, d, event | {"schema", "mode"})
        continue
    same("line %d" % n, d, top)
    same("line %d interval" % n, d.get("interval"), count)
    same("line %d total" % n, d.get("total"), count)
    for x in d.get("devices") or []:
        same("line %d device" % n, x, device)
    for x in d.get("pools") or []:
        same("line %d pool" % n, x, pool)
    for x in d.get("events") or []:
        same("line %d event" % n, x, event)
for b in bad[:5]:
    print("# " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
# escaped_ok FILE: the pool of the fake debugfs listing, its kind and owner
# (a quote, a backslash, a control character) read back unchanged
escaped_ok() {
	python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    p = d["pools"][0]
    if (p["kind"], p["owner"], d["capacity_slots"]) != ('de"f\\x', "own\x01er", 4096):
        print("# pool read back as %r" % p, file=sys.stderr)
        sys.exit(1)
PY
}
# svg_ok FILE: an SVG that parses as XML, with a line of the record drawn
svg_ok() {
	python3 -c '
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
sys.exit(0 if r.tag.endswith("svg") and r.findall(".//{http://www.w3.org/2000/svg}text") else 1)
' "$1"
}
# rodata_mask PID: ev_mask in the BPF rodata of process PID (bpftool)
rodata_mask() {
	local fd id
	for fd in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^map_id:[[:space:]]*//p' "$fd" 2>/dev/null) || continue
		[ -n "$id" ] || continue
		"$bpftool" -j map dump id "$id" 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
for e in d:
    for v in e.get("formatted", e).get("value", {}).get(".rodata", []):
        if "ev_mask" in v:
            print(v["ev_mask"])
            sys.exit(0)
sys.exit(1)
' && return 0
	done
	return 1
}
# snoop_masked: swiotlbsnoop -e map,unmap loaded its BPF with ev_mask
# (1 << map) | (1 << unmap) = 6, so other events never reach user space
snoop_masked() {
	local pid mask="" rc=0
	"$T/swiotlbsnoop" -e map,unmap -D 3 >"$work/mask.out" 2>"$work/mask.err" &
	pid=$!
	for _ in $(seq 50); do
		grep -q "Hit Ctrl-C" "$work/mask.err" && break
		sleep 0.1
	done
	mask=$(rodata_mask "$pid") || true
	wait "$pid" || rc=$?
	cp "$work/mask.err" "$work/err"
	echo "# ev_mask in the BPF rodata: ${mask:-none}" >&2
	[ "$rc" = 0 ] && [ "$mask" = 6 ]
}
# --- the screen, in tmux -----------------------------------------------------
cols=100 lines=30
tm() { tmux -S "$work/tmux.sock" "$@"; }
# pane_has ERE: within 10 s a line of the pane (wrapped lines joined, in
# $work/pane) matches ERE; polled, as the tool draws when it likes
pane_has() {
	local end=$((SECONDS + 10))
	while :; do
		tm capture-pane -p -J -t top >"$work/pane" 2>/dev/null || : >"$work/pane"
		grep -Eq "$1" "$work/pane" && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}
# screen_start: swiotlbtop's screen in a detached tmux of $cols x $lines
# without a status line, with 40 pools of a fake debugfs, whose rows pass
# the width and do not fit the height; the terminal's settings saved
# before and after the tool, its exit status in $work/screen.rc (the pane
# stays after it for a look)
screen_start() {
	local i
	mkdir -p "$work/dbg40"
	echo 4096 >"$work/dbg40/io_tlb_nslabs"
	for i in $(seq 40); do
		printf '%x %x dynamic 512 1 %d 0 an-owner-with-a-long-name-%02d\n' \
			$((0x60000000 + i * 0x100000)) $((0x60100000 + i * 0x100000)) "$i" "$i"
	done >"$work/dbg40/pools"
	cat >"$work/screen.sh" <<SH
stty -g >$(printf %q "$work/stty.before")
SWIOTLB_DEBUGFS=$(printf %q "$work/dbg40") $(printf %q "$T/swiotlbtop") -r 64 0.5 \\
	2>$(printf %q "$work/screen.err")
rc=\$?
stty -g >$(printf %q "$work/stty.after")
echo \$rc >$(printf %q "$work/screen.rc")
SH
	printf 'set-option -g status off\nset-option -g remain-on-exit on\n' >"$work/tmux.conf"
	tm -f "$work/tmux.conf" new-session -d -s top -x "$cols" -y "$lines" \
		"bash $(printf %q "$work/screen.sh")"
}
# screen_head: the first line, with the time and the load average, in a
# pane of the size asked for
screen_head() {
	pane_has "^swiotlbtop - [0-9]{2}:[0-9]{2}:[0-9]{2}  load average: [0-9.]+, [0-9.]+, [0-9.]+  $expect mode " &&
		[ "$(tm display -p -t top '#{pane_width}x#{pane_height}')" = "${cols}x$lines" ]
}
# screen_fits COLS LINES [POOLS]: no line wider than COLS, no more than
# LINES, the first one the header (nothing scrolled off), the device
# table's header; with POOLS (40 in debugfs), some of them but not all
screen_fits() {
	pane_has "^DEVICE " &&
		awk -v c="$1" -v l="$2" -v want="${3:-0}" -v p="$(grep -c '^0x' "$work/pane")" '
			{ sub(/ +$/, "") }
			length($0) > c { print "# line " NR ": " length($0) " columns" >"/dev/stderr"; bad = 1 }
			NR == 1 && !/^swiotlbtop - / { print "# line 1 is not the header" >"/dev/stderr"; bad = 1 }
			END {
				if (NR > l || (want && (p == 0 || p >= want))) {
					print "# " NR " lines, " p " pool rows" >"/dev/stderr"
					bad = 1
				}
				exit bad
			}' "$work/pane"
}
# screen_task: the tasks' table (key t) shows a process that maps: python
# runs the tool's swiotlb_bounced program (BPF_PROG_TEST_RUN: 4 KiB, no
# device) in its own context every 20 ms, for 10 s at most
screen_task() {
	local tool pid rc=0
	tool=$(pgrep -x swiotlbtop -P "$(tm display -p -t top '#{pane_pid}')") || return 1
	python3 - "$tool" <<'PY' &
import ctypes, glob, os, struct, sys, time
nr = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
libc = ctypes.CDLL(None, use_errno=True)
def bpf(cmd, attr):
    r = libc.syscall(nr, cmd, ctypes.create_string_buffer(attr, 128), 128)
    if r < 0:
        sys.exit("# bpf command %d: %s" % (cmd, os.strerror(ctypes.get_errno())))
    return r
prog = None
for fd in glob.glob("/proc/%s/fdinfo/*" % sys.argv[1]):
    f = dict(l.split(":", 1) for l in open(fd) if ":" in l)
    if f.get("prog_type", "").strip() == "17":   # raw tracepoint
        prog = bpf(13, struct.pack("III", int(f["prog_id"]), 0, 0))
args = (ctypes.c_uint64 * 3)(0, 0, 4096)         # dev, dev_addr, size
end = time.time() + 10
while prog is not None and time.time() < end:
    bpf(10, struct.pack("IIIIQQIIIIQQIII", prog, 0, 0, 0, 0, 0, 0, 0, 24, 0,
                        ctypes.addressof(args), 0, 0, 0, 0))
    time.sleep(0.02)
sys.exit("# no raw tracepoint program in the tool" if prog is None else 0)
PY
	pid=$!
	tm send-keys -t top t
	pane_has "^ *$pid python3 " || rc=1
	tm send-keys -t top t
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	return "$rc"
}
# screen_quit: after q the tool ends with status 0.  Not tmux's
# #{pane_dead_status}: tmux 3.3a at times leaves the pane's process a
# zombie, dead but without a status.
screen_quit() {
	local end=$((SECONDS + 10)) status
	tm send-keys -t top q
	while [ ! -s "$work/screen.rc" ] && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.1
	done
	status=$(cat "$work/screen.rc" 2>/dev/null) || true
	echo "# after q: ${status:+exit status }${status:-still running}" >&2
	[ "$status" = 0 ]
}

# no_record NAME: the failed run NAME left no record file
no_record() { [ "$2" != 0 ] && [ ! -e "$work/$1.rec" ]; }

# ran_in NAME STATUS: the tool exited 0 and started in the expected mode
ran_in() { [ "$2" = 0 ] && [ "$(started "$1")" = "$expect" ]; }
# top_text: the batch screens of the "top" run: 3, in the expected mode,
# capacity numbers or n/a (never -1), no warning about pools
top_text() {
	[ "$(grep -c "^swiotlbtop - .* $expect mode " "$work/top.out")" = 3 ] &&
		awk '/^capacity / { n++; if (/ -1( |$)/) bad = 1 }
			END { exit !(n == 3 && !bad) }' "$work/top.out" &&
		! grep -q "has no pool" "$work/top.err"
}
# said_why STATUS: the -v run exited 0 with a reason for each mode passed
said_why() {
	[ "$1" = 0 ] && grep -q "fentry mode not usable: " "$work/verbose.err" &&
		grep -q "kprobe mode not usable: " "$work/verbose.err"
}
# one_line_status NAME STATUS WANT: one line on stderr, not about privilege
one_line_status() {
	[ "$2" = "$3" ] && [ "$(wc -l <"$work/$1.err")" = 1 ] &&
		! grep -qi "permission" "$work/$1.err"
}

if [ "$expect" = none ]; then
	rc=0; run top "$T/swiotlbtop" -b 1 1 || rc=$?
	check "host $k: no usable mode: swiotlbtop says so with status 8" [ "$rc" = 8 ]
else
	rc=0; run top "$T/swiotlbtop" -b 1 3 || rc=$?
	check "host $k: swiotlbtop -b 1 3 runs in $expect mode and exits 0 (status $rc)" \
		ran_in top "$rc"
	check "host $k: swiotlbtop -b 1 3: 3 screens, no -1, no pool warning" top_text

	rc=0; run json "$T/swiotlbtop" --json 1 1 || rc=$?
	check "host $k: swiotlbtop --json 1 1 exits 0 (status $rc)" [ "$rc" = 0 ]
	check "host $k: swiotlbtop --json: each line parses, with \"mode\": \"$expect\" and \"lacks\"" \
		json_ok "$work/json.out"

	rc=0; run json2 "$T/swiotlbtop" --json 1 2 || rc=$?
	check "host $k: swiotlbtop --json 1 2: every line parses, \"schema\": 1, every key of the schema and no other (status $rc)" \
		keys_ok top "$work/json2.out"
	# A pool listing with a quote, a backslash and a control character.
	mkdir "$work/dbg"
	echo 4096 >"$work/dbg/io_tlb_nslabs"
	echo 10 >"$work/dbg/io_tlb_used"
	printf '6be00000 6c600000 de"f\\x 4096 1 10 0 own\001er\n' >"$work/dbg/pools"
	rc=0; run esc env SWIOTLB_DEBUGFS="$work/dbg" "$T/swiotlbtop" --json 0.2 2 || rc=$?
	check "host $k: swiotlbtop --json escapes a pool kind and owner, keys of a pool (status $rc)" \
		eval '[ "$rc" = 0 ] && keys_ok top "$work/esc.out" && escaped_ok "$work/esc.out"'

	rc=0; run snoop "$T/swiotlbsnoop" -D 2 || rc=$?
	check "host $k: swiotlbsnoop -D 2 runs in $expect mode and exits 0 (status $rc)" \
		ran_in snoop "$rc"
	check "host $k: swiotlbsnoop -D 2: header line" grep -q "^TIME" "$work/snoop.out"

	rc=0; run snoopj "$T/swiotlbsnoop" -j -D 0.5 || rc=$?
	check "host $k: swiotlbsnoop -j -D 0.5 exits 0 (status $rc)" [ "$rc" = 0 ]
	if [ -s "$work/snoopj.out" ]; then
		check "host $k: swiotlbsnoop -j: each event line parses, with the mode" \
			json_ok "$work/snoopj.out"
	fi

	rc=0; run snoope "$T/swiotlbsnoop" -D 1 -e bounced,map_failed || rc=$?
	check "host $k: swiotlbsnoop -D 1 -e bounced,map_failed runs in $expect mode, header (status $rc)" \
		eval 'ran_in snoope "$rc" && grep -q "^TIME" "$work/snoope.out" &&
			! grep -qv "^TIME\|bounced\|map_failed" "$work/snoope.out"'
	check "host $k: swiotlbsnoop -e map,unmap filters in BPF (ev_mask 6 in its rodata)" \
		snoop_masked
	if [ -s "$work/snoopj.out" ]; then
		check "host $k: swiotlbsnoop -j: every key of an event and no other" \
			keys_ok snoop "$work/snoopj.out"
	fi

	rc=0; run rec "$T/swiotlbtop" --record "$work/good.rec" 0.5 2 || rc=$?
	check "host $k: swiotlbtop --record FILE 0.5 2: 3 intervals recorded (status $rc)" \
		eval '[ "$rc" = 0 ] && [ "$(wc -l <"$work/good.rec")" = 3 ] &&
			keys_ok top "$work/good.rec"'
	rc=0; run tl "$T/swiotlb-timeline" -o "$work/good.svg" "$work/good.rec" || rc=$?
	check "host $k: swiotlb-timeline draws the record as SVG that parses as XML (status $rc)" \
		eval '[ "$rc" = 0 ] && svg_ok "$work/good.svg"'
	# Malformed: a line cut short, as by a full disk.
	{ head -n 1 "$work/good.rec"; tail -n 1 "$work/good.rec" | cut -c 1-40; } >"$work/bad.rec"
	rc=0; run tlbad "$T/swiotlb-timeline" -o "$work/bad.svg" "$work/bad.rec" || rc=$?
	check "host $k: swiotlb-timeline on a malformed record: one line naming line 2, status 1 (status $rc)" \
		eval '[ "$rc" = 1 ] && [ "$(wc -l <"$work/tlbad.err")" = 1 ] &&
			grep -q "bad.rec:2:[0-9]*: not valid JSON" "$work/tlbad.err"'

	if [ "$expect" = tracepoint ]; then
		rc=0; run recmode "$T/swiotlbtop" --record "$work/recmode.rec" --mode fentry 0.2 1 || rc=$?
		check "host $k: --record with a --mode that cannot run leaves no file (status $rc)" \
			no_record recmode "$rc"
		# The ladder's reasons with -v, and a mode asked for that the
		# kernel does not allow: its own status, no privilege blamed.
		rc=0; run verbose "$T/swiotlbtop" -v -b 0.2 1 || rc=$?
		check "host $k: swiotlbtop -v says why fentry and kprobe are not used" \
			said_why "$rc"
		rc=0; run forced "$T/swiotlbtop" --mode fentry -b 0.2 1 || rc=$?
		check "host $k: swiotlbtop --mode fentry: one line, status 9, no privilege blamed" \
			one_line_status forced "$rc" 9
	fi
fi
rc=0; run usage "$T/swiotlbtop" --no-such-flag || rc=$?
check "host $k: swiotlbtop bad flag: status 2" [ "$rc" = 2 ]
rc=0; run recflag "$T/swiotlbtop" --record "$work/recflag.rec" --no-such-flag || rc=$?
check "host $k: --record with a bad flag after it: status 2, no file (status $rc)" \
	eval '[ "$rc" = 2 ] && no_record recflag "$rc"'
rc=0; run tlnone "$T/swiotlb-timeline" "$work/none.rec" || rc=$?
check "host $k: swiotlb-timeline on a missing record: one line, status 1 (status $rc)" \
	eval '[ "$rc" = 1 ] && [ "$(wc -l <"$work/tlnone.err")" = 1 ]' 

# The screen, where a mode runs.
if [ "$expect" != none ]; then
	# shellcheck source=scripts/lib.sh
	command -v tmux >/dev/null ||
		(. "$here/../../scripts/lib.sh" && need_pkgs tmux) >&2 || true
	: >"$work/err"
	if command -v tmux >/dev/null && screen_start; then
		check "host $k: swiotlbtop screen in tmux ${cols}x$lines: first line with the time, the load average and $expect mode" \
			screen_head
		check "host $k: swiotlbtop screen: 40 pools fitted, no line over $cols columns, at most $lines lines, nothing scrolled" \
			screen_fits "$cols" "$lines" 40
		next=held
		[ "$expect" != tracepoint ] || next=maps
		pane_has "^sort: bytes, descending  keys: " || true
		cp "$work/pane" "$work/pane.before"
		tm send-keys -t top s r
		check "host $k: swiotlbtop screen: keys s and r take the sort line from bytes, descending to $next, ascending" \
			eval 'grep -q "^sort: bytes, descending  keys: " "$work/pane.before" &&
				pane_has "^sort: $next, ascending  keys: "'
		tm resize-window -t top -x 60 -y 15
		check "host $k: swiotlbtop screen: resized to 60x15 (SIGWINCH), it fits again" \
			eval 'pane_has "^swiotlbtop - .{47}$" && screen_fits 60 15'
		if [ "$expect" = tracepoint ]; then
			check "host $k: swiotlbtop screen: key t: the tasks' table has the PID and COMM of a process that maps" \
				screen_task
		fi
		check "host $k: swiotlbtop screen: key q ends it with status 0" screen_quit
		cp "$work/screen.err" "$work/err"
		check "host $k: swiotlbtop screen: the terminal's settings after it are those before it" \
			cmp -s "$work/stty.before" "$work/stty.after"
	else
		check "host $k: tmux for the screen test (not installed)" false
	fi
fi
echo "1..$n"
exit "$((failed > 0))"
