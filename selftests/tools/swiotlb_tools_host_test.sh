#!/usr/bin/env bash
# The checks are functions run through check(), which shellcheck does not
# see called.
# shellcheck disable=SC2317
# The swiotlb tools on this machine's own kernel (not a guest), as it is:
# debugfs and tracefs mounted or not.  The test works out for itself which
# mode of the ladder (full, fentry, kprobe, tracepoint) the kernel allows,
# from its BTF, "bpftool feature probe", kprobes and /proc/kallsyms, and
# checks that the tools take that mode (not trusting what they claim),
# exit 0, and that their JSON parses and carries the mode.  A tool that
# does not fall back to the mode the kernel allows fails; nothing is
# skipped, except the whole test when not run as root.  Prints TAP.
#
# Usage: swiotlb_tools_host_test.sh TOOLSDIR   (e.g. tools/build)
set -euo pipefail

T=${1:?usage: swiotlb_tools_host_test.sh TOOLSDIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
check() {
	local name=$1 rc=0
	shift
	"$@" || rc=$?
	tap "$rc" "$name"
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

	if [ "$expect" = tracepoint ]; then
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
echo "1..$n"
exit "$((failed > 0))"
