#!/usr/bin/env bash
# The swiotlb tools on this machine's own kernel (not a guest): reduced
# mode, or full mode if the host runs the series, starts and exits cleanly.
# debugfs is mounted in a private mount namespace if the host has none
# mounted.  Prints TAP lines; a host that does not permit BPF programs
# (status 4 after the privilege check passed, e.g. in a sandbox) is a skip.
#
# Usage: swiotlb_tools_host_test.sh TOOLSDIR
set -euo pipefail

T=${1:?usage: swiotlb_tools_host_test.sh TOOLSDIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0

tap() {	# tap STATUS NAME [SKIP-REASON]
	n=$((n + 1))
	if [ -n "${3:-}" ]; then
		echo "ok $n $2 # SKIP $3"
	elif [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		sed 's/^/# /' "$work/err" >&2 || true
	fi
}

echo "TAP version 13"
k=$(uname -r)
# run TOOL ARGS...: in a mount namespace with debugfs, output in $work.
run() {
	local rc=0
	unshare -m bash -c 'mountpoint -q /sys/kernel/debug ||
		mount -t debugfs none /sys/kernel/debug; exec "$@"' bash "$@" \
		>"$work/out" 2>"$work/err" || rc=$?
	return "$rc"
}
for tool in swiotlbtop swiotlbsnoop; do
	if [ "$tool" = swiotlbtop ]; then args=(-v -b 0.2 2); else args=(-v -D 0.5); fi
	rc=0; run "$T/$tool" "${args[@]}" || rc=$?
	mode=$(sed -n "s/^$tool: \([a-z]*\) mode: .*/\1/p" "$work/err")
	if [ "$rc" = 4 ] && grep -q "loading BPF programs" "$work/err"; then
		tap 0 "host $k: $tool" "this host does not permit loading BPF programs: $(tail -n 1 "$work/err")"
	elif [ "$rc" = 0 ] && [ -n "$mode" ]; then
		tap 0 "host $k: $tool starts in $mode mode and exits cleanly"
	else
		tap 1 "host $k: $tool starts and exits cleanly (status $rc)"
	fi
done
rc=0; run "$T/swiotlbtop" --no-such-flag || rc=$?
tap "$([ "$rc" = 2 ]; echo $?)" "host $k: swiotlbtop bad flag: status 2"
echo "1..$n"
exit "$((failed > 0))"
