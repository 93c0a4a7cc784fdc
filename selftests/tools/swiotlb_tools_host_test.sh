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
# skipped, except the whole test when not run as root.  Then a table of
# bad input, every option, argument and file of the three tools, each
# case one line on stderr and its status before anything is loaded, and
# good values at the edges.  swiotlbtop's screen runs in a detached tmux
# of a known size (tmux is installed when missing, as scripts/lib.sh
# installs packages).  Prints TAP.
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
btf TYPEDEF btf_trace_swiotlb_map_slots && series=yes
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
# bpf_state PID: what process PID loaded (bpftool), one KEY=VALUE a
# line: each variable of its BPF rodata as JSON ("holds=false",
# "ev_mask=6"), and "max_entries.MAP=N" for each of its maps
bpf_state() {
	python3 - "$bpftool" "$1" <<'PY'
import glob, json, subprocess, sys
bpftool, pid = sys.argv[1:]
def tool(*args):
    r = subprocess.run([bpftool, "-j"] + list(args), capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None
seen = set()
for fd in glob.glob("/proc/%s/fdinfo/*" % pid):
    try:
        info = dict(l.split(":", 1) for l in open(fd) if ":" in l)
    except OSError:
        continue
    mid = info.get("map_id", "").strip()
    if not mid or mid in seen:
        continue
    seen.add(mid)
    m = tool("map", "show", "id", mid) or {}
    print("max_entries.%s=%s" % (m.get("name"), m.get("max_entries")))
    if not str(m.get("name", "")).endswith(".rodata"):
        continue
    for e in tool("map", "dump", "id", mid) or []:
        for v in e.get("formatted", e).get("value", {}).get(".rodata", []):
            for k, x in v.items():
                print("%s=%s" % (k, json.dumps(x)))
PY
}
# loaded NAME CMD...: CMD in the background until it traces, what it
# loaded then in $work/NAME.state (bpf_state), ended with SIGINT; its
# status
loaded() {
	local name=$1 pid rc=0
	shift
	"$@" >"$work/$name.out" 2>"$work/$name.err" &
	pid=$!
	for _ in $(seq 50); do
		grep -q "Hit Ctrl-C" "$work/$name.err" && break
		sleep 0.1
	done
	bpf_state "$pid" >"$work/$name.state" || true
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	cp "$work/$name.err" "$work/err"
	return "$rc"
}
# has_state NAME STATUS KEY=VALUE...: the run NAME of loaded() exited 0
# (STATUS) with each KEY=VALUE in what it loaded; "max_entries.live>1" for
# a hold table of more than one entry
has_state() {
	local name=$1 status=$2 want
	shift 2
	echo "# $name: $(grep -E '^(holds|ev_mask|max_entries.live)=' "$work/$name.state" | tr '\n' ' ')" >&2
	[ "$status" = 0 ] || return 1
	for want; do
		case $want in
		*'>1') grep -Eq "^${want%>1}=([2-9]|[1-9][0-9]+)$" "$work/$name.state" ;;
		*) grep -qxF "$want" "$work/$name.state" ;;
		esac || { echo "no $want in what $name loaded" >>"$work/err"; return 1; }
	done
}
# holds_json FILE ON: every line of FILE has hold times, and "hold_times"
# is not in "lacks", when ON is yes; else "hold_times" is in "lacks" and
# the keys that need pairing are null (the other keys as keys_ok wants)
holds_json() {
	python3 - "$1" "$2" <<'PY'
import json, sys
path, on = sys.argv[1], sys.argv[2] == "yes"
paired = ("unmatched_unmaps", "hold_ns", "hold_n", "hold_table_full")
dev_paired = ("outstanding", "hold_n", "total_hold_n")
bad = []
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    d = json.loads(line)
    if ("hold_times" in d["lacks"]) == on:
        bad.append("line %d: lacks %s" % (n, d["lacks"]))
    for c in ("interval", "total"):
        for k in paired:
            if (d[c][k] is None) == on:
                bad.append("line %d: %s.%s %r" % (n, c, k, d[c][k]))
    for x in d["devices"]:
        for k in dev_paired:
            if (x[k] is None) == on:
                bad.append("line %d: device %s %s %r" % (n, x["name"], k, x[k]))
for b in bad[:5]:
    print("# " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
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
# capacity numbers or n/a (never -1), no warning about pools, the devices'
# table of the counters (no --holds)
top_text() {
	[ "$(grep -c "^swiotlbtop - .* $expect mode " "$work/top.out")" = 3 ] &&
		[ "$(grep -c "^DEVICE  *MAPS/s  *UNMAPS/s  *MiB/s  *NETMAPS  *NETSLOTS  *FAILS$" "$work/top.out")" = 3 ] &&
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

# Whether the mode pairs maps with unmaps, with --holds: it has unmaps.
pairs=yes pairs_json=true pairs_said="hold times: not in lacks, the keys of pairing not null"
if [ "$expect" = tracepoint ] || [ "$expect" = none ]; then
	pairs=no pairs_json=false
	pairs_said="nothing to pair in $expect mode: hold_times in lacks, the keys of pairing null"
fi
if [ "$expect" = none ]; then
	rc=0; run top "$T/swiotlbtop" -b 1 1 || rc=$?
	check "host $k: no usable mode: swiotlbtop says so with status 8" [ "$rc" = 8 ]
else
	rc=0; run top "$T/swiotlbtop" -b 1 3 || rc=$?
	check "host $k: swiotlbtop -b 1 3 runs in $expect mode and exits 0 (status $rc)" \
		ran_in top "$rc"
	check "host $k: swiotlbtop -b 1 3: 3 screens, no -1, no pool warning, devices without hold times" top_text

	rc=0; run json "$T/swiotlbtop" --json 1 1 || rc=$?
	check "host $k: swiotlbtop --json 1 1 exits 0 (status $rc)" [ "$rc" = 0 ]
	check "host $k: swiotlbtop --json: each line parses, with \"mode\": \"$expect\" and \"lacks\"" \
		json_ok "$work/json.out"

	rc=0; run json2 "$T/swiotlbtop" --json 1 2 || rc=$?
	check "host $k: swiotlbtop --json 1 2: every line parses, \"schema\": 1, every key of the schema and no other (status $rc)" \
		keys_ok top "$work/json2.out"
	check "host $k: swiotlbtop --json without --holds: hold_times in lacks, the keys of pairing null" \
		holds_json "$work/json2.out" no
	rc=0; run json2h "$T/swiotlbtop" --holds --json 1 2 || rc=$?
	check "host $k: swiotlbtop --holds --json 1 2: the same keys, \"schema\": 1 (status $rc)" \
		eval '[ "$rc" = 0 ] && keys_ok top "$work/json2h.out"'
	check "host $k: swiotlbtop --holds --json: $pairs_said" \
		holds_json "$work/json2h.out" "$pairs"

	# Pairing, and the memory of its table, only with --holds: the
	# rodata flag holds the verifier prunes the pairing by, and the
	# size of the hold table, in the BPF the tools loaded.
	rc=0; loaded topdef "$T/swiotlbtop" -b 1 || rc=$?
	check "host $k: swiotlbtop without --holds loads its BPF with holds false and a hold table of 1 entry (status $rc)" \
		has_state topdef "$rc" holds=false max_entries.live=1
	rc=0; loaded topholds "$T/swiotlbtop" --holds -b 1 || rc=$?
	if [ "$pairs" = yes ]; then
		check "host $k: swiotlbtop --holds loads its BPF with holds true and a hold table (status $rc)" \
			has_state topholds "$rc" holds=true "max_entries.live>1"
	else
		check "host $k: swiotlbtop --holds in tracepoint mode: nothing to pair, holds false, a hold table of 1 entry (status $rc)" \
			has_state topholds "$rc" holds=false max_entries.live=1
	fi
	rc=0; loaded snoopmap "$T/swiotlbsnoop" -e map || rc=$?
	check "host $k: swiotlbsnoop -e map (no unmap lines) does not pair: holds false, a hold table of 1 entry (status $rc)" \
		has_state snoopmap "$rc" holds=false max_entries.live=1
	rc=0; run hist "$T/swiotlbtop" -b -H 0.2 1 || rc=$?
	why="without --holds"
	[ "$expect" != tracepoint ] || why="tracepoint mode"
	check "host $k: swiotlbtop -b -H: the hold time histogram is n/a ($why) (status $rc)" \
		eval '[ "$rc" = 0 ] && grep -qx "slot hold time: n/a ($why)" "$work/hist.out"'
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
	rc=0; loaded mask "$T/swiotlbsnoop" -e map,unmap || rc=$?
	check "host $k: swiotlbsnoop -e map,unmap filters in BPF (ev_mask 6 in its rodata), pairs for its unmap lines where it can (holds $pairs_json) (status $rc)" \
		has_state mask "$rc" ev_mask=6 "holds=$pairs_json"
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

# --- bad input: every option, argument and file of the three tools ----------
# Each case of the table runs as nobody, with copies of the tools in
# $work/bin (the build directory may be out of nobody's reach), in the
# empty directory $work/cwd that nobody may write to: a tool that went on
# to load BPF would stop at the privilege check with status 4, and one
# that wrote a file would leave it there.  A case passes with its status,
# one line on stderr that starts with the tool's name and holds SAYS
# (the option or file and the value), nothing on stdout and $work/cwd
# still empty.
chmod 755 "$work"
mkdir -p "$work/bin" "$work/cwd" "$work/rec" "$work/ro"
chmod 1777 "$work/cwd"
cp "$T/swiotlbtop" "$T/swiotlbsnoop" "$T/swiotlb-timeline" "$work/bin/"
# Records: one good interval, then one file for each way to be bad.
r=$work/rec
echo '{"schema":1,"time":0,"mono_ns":1000,"capacity_slots":null,"used_slots":null,"transient_slots":null,"events":[]}' >"$r/ok.rec"
: >"$r/empty.rec"
printf '\n \n' >"$r/blank.rec"
echo '{"schema":1,"time":' >"$r/trunc.rec"
echo 'hello' >"$r/notjson.rec"
printf '{"schema":1,"time":0}\0\n' >"$r/nul.rec"
echo '[1,2]' >"$r/array.rec"
echo '{"schema":2,"time":0}' >"$r/schema2.rec"
echo '{"schema":"1","time":0}' >"$r/schemastr.rec"
echo '{"schema":1}' >"$r/notime.rec"
echo '{"schema":1,"time":"x"}' >"$r/timestr.rec"
echo '{"schema":1,"time":-5}' >"$r/negtime.rec"
echo '{"schema":1,"time":1,"capacity_slots":"x"}' >"$r/capstr.rec"
echo '{"schema":1,"time":1,"events":{}}' >"$r/evobj.rec"
cp "$r/ok.rec" "$r/unreadable.rec"
chmod 000 "$r/unreadable.rec"
# as_nobody CMD...: CMD as nobody, without capabilities, in $work/cwd; its
# bpf() calls appended to $work/bpf.trace (strace, as root: it follows CMD
# past setpriv)
as_nobody() {
	(cd "$work/cwd" && exec strace -f -qq -A -o "$work/bpf.trace" -e trace=bpf \
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@")
}
# bad_case STATUS PROG SAYS WORDS: PROG with WORDS, its arguments as
# shell words ($work in them too)
bad_case() {
	local want=$1 prog=$2 says=$3 words=$4 rc=0 line
	eval "set -- $words"
	as_nobody "$work/bin/$prog" "$@" </dev/null >"$work/bad.out" 2>"$work/err" || rc=$?
	line=$(head -n 1 "$work/err")
	if [ "$rc" = "$want" ] && [ "$(wc -l <"$work/err")" = 1 ] &&
		[[ $line == "$prog: "* && $line == *"$says"* ]] &&
		[ ! -s "$work/bad.out" ] && [ -z "$(ls -A "$work/cwd")" ]; then
		return 0
	fi
	{
		echo "status $rc, want $want, and one line with: $says"
		[ ! -s "$work/bad.out" ] || echo "stdout: $(head -c 200 "$work/bad.out")"
		[ -z "$(ls -A "$work/cwd")" ] || echo "left in the directory: $(ls -A "$work/cwd")"
	} >>"$work/err"
	find "$work/cwd" -mindepth 1 -delete
	return 1
}
# shellcheck source=scripts/lib.sh
command -v strace >/dev/null ||
	(. "$here/../../scripts/lib.sh" && need_pkgs strace) >&2 || true
# The trace sees bpf() calls: bpftool's listing of programs makes some.
: >"$work/bpf.trace"
strace -f -qq -o "$work/bpf.ctl" -e trace=bpf "$bpftool" prog list >/dev/null 2>&1 || true
nbpf=$(grep -c '^[0-9 ]*bpf(' "$work/bpf.ctl" 2>/dev/null || true)
check "host $k: strace records bpf() calls (bpftool prog list: ${nbpf:-0})" \
	[ "${nbpf:-0}" -gt 0 ]
ncases=0
# One case a line: STATUS|TOOL|SAYS|WORDS, TOOL top, snoop or tl, @W@ for
# $work in SAYS and WORDS (SAYS, not "expect": that is the mode).
while IFS='|' read -r want tool says words; do
	case $want in '' | '#'*) continue ;; esac
	case $tool in
	top) prog=swiotlbtop ;;
	snoop) prog=swiotlbsnoop ;;
	*) prog=swiotlb-timeline ;;
	esac
	ncases=$((ncases + 1))
	check "host $k: bad input: $prog ${words:-(nothing)}: status $want, one line naming it" \
		bad_case "$want" "$prog" "${says//@W@/$work}" "${words//@W@/$work}"
done <<'CASES'
# swiotlbtop: INTERVAL and COUNT
2|top|INTERVAL '': empty value|''
2|top|INTERVAL 'x': not a number|x 1
2|top|INTERVAL '0': must be from 0.01 to 3600 seconds|0 1
2|top|INTERVAL '0.001': must be from 0.01|0.001 1
2|top|INTERVAL '-1': must be from 0.01|-- -1 1
2|top|unknown option '-1'|-1 1
2|top|INTERVAL '3601': must be from 0.01 to 3600|3601 1
2|top|INTERVAL '99999999999999999999': must be|99999999999999999999 1
2|top|INTERVAL '1e400': must be|1e400 1
2|top|INTERVAL '1x': not a number|1x 1
2|top|INTERVAL '0.5s': not a number|0.5s 1
2|top|INTERVAL ' 1': not a number|' 1' 1
2|top|INTERVAL '+1': not a number|+1 1
2|top|INTERVAL '0x10': not a number|0x10 1
2|top|INTERVAL 'nan': not a number|nan 1
2|top|INTERVAL 'inf': not a number|inf 1
2|top|COUNT '': empty value|1 ''
2|top|COUNT 'x': not a whole number|1 x
2|top|COUNT '0': must be at least 1|1 0
2|top|COUNT '-3': must be at least 1|-- 1 -3
2|top|COUNT '1.5': not a whole number|1 1.5
2|top|COUNT '2x': not a whole number|1 2x
2|top|COUNT '99999999999999999999': must be at most|1 99999999999999999999
2|top|unexpected argument '3'|1 1 3
# swiotlbtop: options with a value, the last one missing its value
2|top|-r/--rows needs a value|-r
2|top|-r/--rows needs a value|--rows
2|top|-r/--rows '': empty value|-r ''
2|top|-r/--rows 'x': not a whole number|-r x
2|top|-r/--rows '-1': must be at least 1|-r -1
2|top|-r/--rows '0': must be at least 1|--rows 0
2|top|-r/--rows '2x': not a whole number|-r 2x
2|top|-r/--rows '1.5': not a whole number|--rows=1.5
2|top|-r/--rows '99999999999999999999': must be at most|-r 99999999999999999999
2|top|-s/--sort needs a value|-s
2|top|-s/--sort '': not a sort key|-s ''
2|top|-s/--sort 'nosuch': not a sort key (maps, bytes, held, fails or hold)|-s nosuch
2|top|-s/--sort 'BYTES': not a sort key|--sort=BYTES
2|top|-s/--sort 'a\x0ab': not a sort key|-s $'a\nb'
2|top|-d/--device needs a value|-d
2|top|-d/--device '': empty value|-d ''
2|top|-d/--device '0123456789012345678901234567890x': longer than a device name|-d 0123456789012345678901234567890x
2|top|-m/--mode needs a value|--mode
2|top|-m/--mode 'nosuch': not a mode|-m nosuch
2|top|-m/--mode '': not a mode|--mode=
2|top|--record needs a value|--record
2|top|--record '': empty value|--record ''
1|top|--record '/nonexistent/dir/x': cannot write: No such file or directory|--record /nonexistent/dir/x 0.01 1
1|top|--record '@W@/cwd': cannot write: Is a directory|--record @W@/cwd 0.01 1
1|top|--record '@W@/ro/x.rec': cannot write: Permission denied|--record @W@/ro/x.rec 0.01 1
1|top|--record '@W@/rec/ok.rec/x': cannot write: Not a directory|--record @W@/rec/ok.rec/x
2|top|unknown or ambiguous option '--bogus'|--record @W@/cwd/r.rec --bogus
2|top|-r/--rows '0'|--record @W@/cwd/r.rec -r 0 0.01 1
# swiotlbtop: options without a value, unknown options, combinations
2|top|-j/--json takes no value: '--json=1'|--json=1
2|top|-b/--batch takes no value: '--batch=yes'|--batch=yes
2|top|-h/--help takes no value: '--help=1'|--help=1
2|top|unknown option '-X'|-X
2|top|unknown option '-X'|-bX
2|top|unknown or ambiguous option '--bogus'|--bogus
2|top|unknown or ambiguous option '--h'|--h
2|top|-P/--hist-per-device needs -H/--hist|-P
2|top|-P/--hist-per-device needs -H/--hist|--holds -P
2|top|-s/--sort hold needs --holds|-s hold
2|top|-s/--sort hold needs --holds|-H --sort=hold 1 1
2|top|--holds takes no value: '--holds=1'|--holds=1
2|top|--holds takes no value: '--holds='|--holds=
2|top|unknown or ambiguous option '--holdsx'|--holdsx
2|top|-j/--json and -b/--batch exclude each other|-j -b
# swiotlbsnoop
2|snoop|-e/--events needs a value|-e
2|snoop|-e/--events '': empty value|-e ''
2|snoop|-e/--events 'nosuch': unknown event type 'nosuch' (map, unmap,|-e nosuch
2|snoop|-e/--events 'map,MAP': unknown event type 'MAP'|--events=map,MAP
2|snoop|-e/--events 'map,': an empty event type|-e map,
2|snoop|-e/--events 'map,,unmap': an empty event type|-e map,,unmap
2|snoop|-e/--events ',': an empty event type|-e ,
2|snoop|-c/--count needs a value|-c
2|snoop|-c/--count '': empty value|-c ''
2|snoop|-c/--count 'x': not a whole number|--count x
2|snoop|-c/--count '0': must be at least 1|-c 0
2|snoop|-c/--count '-1': must be at least 1|-c -1
2|snoop|-c/--count '1.5': not a whole number|-c 1.5
2|snoop|-c/--count '5x': not a whole number|-c 5x
2|snoop|-c/--count '99999999999999999999': must be at most|-c 99999999999999999999
2|snoop|-D/--duration needs a value|--duration
2|snoop|-D/--duration '': empty value|-D ''
2|snoop|-D/--duration 'x': not a number of seconds|-D x
2|snoop|-D/--duration '0': must be more than 0|-D 0
2|snoop|-D/--duration '0.0': must be more than 0|-D 0.0
2|snoop|-D/--duration '-1': must be more than 0|-D -1
2|snoop|-D/--duration '1x': not a number of seconds|-D 1x
2|snoop|-D/--duration '0.5s': not a number of seconds|-D 0.5s
2|snoop|-D/--duration '0x1': not a number of seconds|-D 0x1
2|snoop|-D/--duration ' 1': not a number of seconds|-D ' 1'
2|snoop|-D/--duration '1e10': must be more than 0 and at most 1000000000 seconds|-D 1e10
2|snoop|-D/--duration '1e400': must be more than 0|-D 1e400
2|snoop|-D/--duration 'nan': not a number|-D nan
2|snoop|-d/--device needs a value|-d
2|snoop|-d/--device '': empty value|--device ''
2|snoop|-m/--mode 'nosuch': not a mode|-m nosuch
2|snoop|-j/--json takes no value|--json=yes
2|snoop|unknown option '-X'|-X
2|snoop|unknown or ambiguous option '--bogus'|--bogus
2|snoop|unexpected argument 'extra'|extra
# swiotlb-timeline: options and arguments
2|tl|no RECORD to draw|
2|tl|no RECORD to draw|-t title
2|tl|RECORD '': empty value|''
2|tl|unexpected argument 'b'|@W@/rec/ok.rec b
2|tl|-o/--output needs a value|@W@/rec/ok.rec -o
2|tl|-t/--title needs a value|@W@/rec/ok.rec -t
2|tl|-o/--output '': empty value|-o '' @W@/rec/ok.rec
2|tl|-o/--output '@W@/rec/ok.rec': that is the RECORD|-o @W@/rec/ok.rec @W@/rec/ok.rec
2|tl|-h/--help takes no value|--help=1
2|tl|unknown option '-X'|-X @W@/rec/ok.rec
2|tl|unknown or ambiguous option '--bogus'|--bogus @W@/rec/ok.rec
# swiotlb-timeline: records missing, unreadable, empty or malformed
1|tl|RECORD '@W@/rec/none.rec': cannot read: No such file or directory|@W@/rec/none.rec
1|tl|RECORD '@W@/cwd': cannot read: Is a directory|@W@/cwd
1|tl|RECORD '@W@/rec/unreadable.rec': cannot read: Permission denied|@W@/rec/unreadable.rec
1|tl|RECORD '@W@/rec/empty.rec': holds no swiotlbtop interval|@W@/rec/empty.rec
1|tl|RECORD '@W@/rec/blank.rec': holds no swiotlbtop interval|@W@/rec/blank.rec
1|tl|@W@/rec/trunc.rec:1:21: not valid JSON: unexpected end of line|@W@/rec/trunc.rec
1|tl|@W@/rec/notjson.rec:1:1: not valid JSON|@W@/rec/notjson.rec
1|tl|@W@/rec/nul.rec:1:22: not valid JSON: a NUL byte|@W@/rec/nul.rec
1|tl|@W@/rec/array.rec:1: not a JSON object|@W@/rec/array.rec
1|tl|@W@/rec/schema2.rec:1: schema 2 is not one|@W@/rec/schema2.rec
1|tl|@W@/rec/schemastr.rec:1: "schema" is not a number|@W@/rec/schemastr.rec
1|tl|@W@/rec/notime.rec:1: no "time"|@W@/rec/notime.rec
1|tl|@W@/rec/timestr.rec:1: "time" is neither null nor a number|@W@/rec/timestr.rec
1|tl|@W@/rec/negtime.rec:1: "time" is neither null nor a number|@W@/rec/negtime.rec
1|tl|@W@/rec/capstr.rec:1: "capacity_slots" is neither null nor a number|@W@/rec/capstr.rec
1|tl|@W@/rec/evobj.rec:1: "events" is not an array|@W@/rec/evobj.rec
# swiotlb-timeline: an output that cannot be written
1|tl|-o/--output '/nonexistent/dir/x.svg': cannot write: No such file or directory|-o /nonexistent/dir/x.svg @W@/rec/ok.rec
1|tl|-o/--output '@W@/cwd': cannot write: Is a directory|-o @W@/cwd @W@/rec/ok.rec
1|tl|-o/--output '@W@/ro/x.svg': cannot write: Permission denied|-o @W@/ro/x.svg @W@/rec/ok.rec
CASES
nbpf=$(grep -c '^[0-9 ]*bpf(' "$work/bpf.trace" || true)
check "host $k: bad input: none of the $ncases cases got to BPF: $nbpf bpf() calls (strace)" \
	[ "$nbpf" = 0 ]

# Files that a bad run must leave as they were, even where it could write.
echo 'an older record' >"$work/keep.rec"
echo '<svg>an older picture</svg>' >"$work/old.svg"
chmod 666 "$work/keep.rec" "$work/old.svg"
cp "$r/ok.rec" "$work/ok.copy"
# kept FILE TEXT...: FILE still holds TEXT
kept() { [ "$(cat "$1")" = "$2" ]; }
rc=0; as_nobody "$work/bin/swiotlbtop" --record "$work/keep.rec" -r 0 \
	>/dev/null 2>"$work/err" || rc=$?
check "host $k: bad input: swiotlbtop --record FILE -r 0 leaves an existing FILE as it was (status $rc)" \
	eval '[ "$rc" = 2 ] && kept "$work/keep.rec" "an older record"'
rc=0; as_nobody "$work/bin/swiotlb-timeline" -o "$work/old.svg" "$r/trunc.rec" \
	>/dev/null 2>"$work/err" || rc=$?
check "host $k: bad input: swiotlb-timeline -o FILE on a malformed record leaves FILE as it was (status $rc)" \
	eval '[ "$rc" = 1 ] && kept "$work/old.svg" "<svg>an older picture</svg>"'
check "host $k: bad input: swiotlb-timeline -o RECORD RECORD left the record as it was" \
	cmp -s "$r/ok.rec" "$work/ok.copy"
rc=0; "$T/swiotlb-timeline" "$r/ok.rec" >/dev/full 2>"$work/err" || rc=$?
check "host $k: bad input: swiotlb-timeline to a full standard output: one line, status 1 (status $rc)" \
	eval '[ "$rc" = 1 ] && [ "$(wc -l <"$work/err")" = 1 ] &&
		grep -q "cannot write standard output: No space left" "$work/err"'
# A disk that fills up while the picture is written (a tmpfs of one page;
# the title makes the picture larger): no partial picture is left.
mkdir "$work/full"
rc=0
unshare -m sh -c 'mount -t tmpfs -o size=4k none "$1" && shift && exec "$@"' sh "$work/full" \
	"$T/swiotlb-timeline" -t "$(printf '%06000d' 0)" -o "$work/full/x.svg" "$r/ok.rec" \
	>/dev/null 2>"$work/err" || rc=$?
check "host $k: bad input: swiotlb-timeline -o FILE on a full disk: one line, status 1, no FILE left (status $rc)" \
	eval '[ "$rc" = 1 ] && [ "$(wc -l <"$work/err")" = 1 ] &&
		grep -q "^swiotlb-timeline: -o/--output .*x.svg.: cannot write: No space" "$work/err" &&
		[ ! -e "$work/full/x.svg" ]'

# Good values at the edges, and --help: accepted.
for prog in swiotlbtop swiotlbsnoop swiotlb-timeline; do
	rc=0; "$T/$prog" --help >"$work/help.out" 2>"$work/err" || rc=$?
	check "host $k: $prog --help: usage on stdout, nothing on stderr, status 0 (status $rc)" \
		eval '[ "$rc" = 0 ] && grep -q "^Usage: $prog " "$work/help.out" && [ ! -s "$work/err" ]'
	cp "$work/help.out" "$work/help-$prog.out"
done
check "host $k: swiotlbtop --help: --holds, what it pairs, and that -H's hold times and -s hold need it" \
	eval 'grep -q "^      --holds  *pair each map with its unmap: hold times" "$work/help-swiotlbtop.out" &&
		grep -A 1 "^  -H, --hist " "$work/help-swiotlbtop.out" | grep -q "with --holds" &&
		grep -A 1 "^  -s, --sort .* or hold$" "$work/help-swiotlbtop.out" | grep -q "^ *(with --holds)"'
printf '\n%s\n\n%s\n' "$(cat "$r/ok.rec")" \
	'{"schema":1,"time":0.5,"mono_ns":500001000,"capacity_slots":null,"used_slots":null,"transient_slots":null,"events":[]}' \
	>"$work/blanks.rec"
rc=0; run tlgood "$T/swiotlb-timeline" -t '' -o "$work/blanks.svg" "$work/blanks.rec" || rc=$?
check "host $k: good input: swiotlb-timeline -t '' on a record with blank lines and nulls draws it (status $rc)" \
	eval '[ "$rc" = 0 ] && [ ! -s "$work/tlgood.err" ] && svg_ok "$work/blanks.svg"'
if [ "$expect" != none ]; then
	rc=0; run edge1 "$T/swiotlbtop" -b 0.01 1 || rc=$?
	check "host $k: good input: swiotlbtop -b 0.01 1 (the shortest interval) runs (status $rc)" \
		eval 'ran_in edge1 "$rc" && [ "$(grep -c "^swiotlbtop - " "$work/edge1.out")" = 1 ]'
	rc=0; run edge2 "$T/swiotlbtop" --json --rows=100000 --sort=hold --hold \
		-d 0123456789012345678901234567890 -m auto 5e-2 1 || rc=$?
	check "host $k: good input: swiotlbtop --json --rows=100000 --sort=hold --hold (for --holds) -d (31 characters) -m auto 5e-2 1 runs (status $rc)" \
		eval 'ran_in edge2 "$rc" && [ "$(wc -l <"$work/edge2.out")" = 1 ] && json_ok "$work/edge2.out"'
	rc=0; run edge3 "$T/swiotlbsnoop" -e map,map,bounced -c 1 -D .05 || rc=$?
	check "host $k: good input: swiotlbsnoop -e map,map,bounced -c 1 -D .05 runs (status $rc)" \
		eval 'ran_in edge3 "$rc" && grep -q "^TIME" "$work/edge3.out"'
fi

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
