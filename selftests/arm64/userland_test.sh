#!/usr/bin/env bash
# The arm64 userland of scripts/arm64-userland.sh, checked on this machine
# without an arm64 kernel: its programs are aarch64 ELF files, every ELF
# file in it has its program interpreter and NEEDED libraries in it (the
# missing ones are named), every link resolves inside it, busybox's
# applets are links to busybox, and the programs run under
# qemu-aarch64-static -L ROOT: fio (--version, and a 1 MiB write verified
# with crc32c; psync, since qemu-user has no io_setup for libaio), busybox
# sh, bash, jq and xmllint.  Prints TAP; the exit status is non-zero when
# a check failed.
#
# Usage: selftests/arm64/userland_test.sh [ROOT]
#   ROOT  default $CACHE/arm64-userland, built by scripts/arm64-userland.sh
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

root=${1:-$CACHE/arm64-userland}
progs=(usr/bin/busybox usr/bin/bash usr/bin/fio usr/bin/jq usr/bin/xmllint)
applets=(bin/sh bin/mount bin/umount sbin/insmod sbin/rmmod sbin/modprobe
	usr/bin/env bin/sed bin/grep usr/bin/awk bin/cat usr/bin/timeout)
need_pkgs file binutils qemu-user-static
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0

# tap STATUS NAME: a result line (lib.sh's, as scripts/test.sh counts
# them); STATUS 0 passes, otherwise $work/err is shown.
tap() {
	n=$((n + 1))
	tap_result "$1" "$2"
	[ "$1" = 0 ] || { failed=$((failed + 1)); sed 's/^/# /' "$work/err" >&2 || true; }
	: >"$work/err"
}
# run PROGRAM ARGS...: PROGRAM (relative to ROOT) under qemu-user, its
# output (stdout and stderr) into $work/out.
run() {
	local prog=$1
	shift
	# (qemu-user says nothing about a missing program)
	[ -e "$root/$prog" ] || { echo "no $prog in $root" >"$work/out"; return 127; }
	timeout 120 qemu-aarch64-static -L "$root" "$root/$prog" "$@" >"$work/out" 2>&1
}
# runs NAME WANT PROGRAM ARGS...: PROGRAM exits 0 and the first line of its
# output matches the extended regular expression WANT.
runs() {
	local name=$1 want=$2 status=0
	shift 2
	run "$@" || status=$?
	if [ "$status" != 0 ] || ! head -n 1 "$work/out" | grep -Eq -- "$want"; then
		{ echo "status $status, output (first line wanted: /$want/):"; cat "$work/out"; } >"$work/err"
		status=1
	fi
	tap "$status" "$name"
}

echo "TAP version 13"
: >"$work/err"
if [ ! -d "$root/usr/bin" ]; then
	echo "Bail out! no $root: scripts/arm64-userland.sh builds it"
	exit 1
fi

# --- what the files are -----------------------------------------------------
for p in "${progs[@]}"; do
	desc=$(file -b "$root/$p" 2>&1) || true
	status=0
	[[ $desc == "ELF 64-bit LSB"*"ARM aarch64"* ]] || { status=1; echo "file: $desc" >"$work/err"; }
	tap "$status" "$p is an aarch64 ELF file (${desc%%, BuildID*})"
done
mapfile -t elfs < <(elf_files "$root")
for f in "${elfs[@]}"; do
	machine=$(readelf -h "$root/$f" | sed -n 's/^ *Machine: *//p')
	mapfile -t needs < <(elf_needs "$root/$f")
	lacks=$(elf_missing "$root" "$f" | xargs)
	status=0
	[ "$machine" = AArch64 ] || { status=1; echo "machine: $machine" >>"$work/err"; }
	[ -z "$lacks" ] || status=1
	tap "$status" "$f: AArch64, its interpreter and NEEDED libraries in the tree (${#needs[@]})${lacks:+; missing: $lacks}"
done
links_outside "$root" >"$work/err"
tap "$([ -s "$work/err" ] && echo 1 || echo 0)" "every link of the tree resolves inside it"
status=0
for a in "${applets[@]}"; do
	[ "$(realpath -q "$root/$a")" = "$(realpath "$root/usr/bin/busybox")" ] ||
		{ status=1; echo "$a -> $(readlink "$root/$a" || echo "(not a link)")" >>"$work/err"; }
done
tap "$status" "busybox applets are links to it: ${applets[*]}"

# --- the programs under qemu-user -------------------------------------------
runs "fio --version" '^fio-3\.' usr/bin/fio --version
runs "fio writes 1 MiB and verifies it (crc32c, psync)" '^3;fio-3\.[0-9]+;t;0;0;' \
	usr/bin/fio --name=t --filename="$work/fio.dat" --size=1M --bs=64k --rw=write \
	--ioengine=psync --verify=crc32c --do_verify=1 --output-format=terse
runs "busybox sh -c 'echo ok'" '^ok$' usr/bin/busybox sh -c 'echo ok'
runs "/bin/sh (a busybox link) -c 'echo ok'" '^ok$' bin/sh -c 'echo ok'
runs "bash --version" '^GNU bash, version 5\..*aarch64' usr/bin/bash --version
# shellcheck disable=SC2016 # bash in the guest expands it
runs "bash -c: arrays and arithmetic" '^3 6$' usr/bin/bash -c 'a=(1 2 3); echo "${#a[@]} $((a[0] + a[1] + a[2]))"'
runs "jq --version" '^jq-1\.' usr/bin/jq --version
echo '{"a": [1, 2, 3]}' >"$work/in.json"
runs "jq -c '.a | add'" '^6$' usr/bin/jq -c '.a | add' "$work/in.json"
runs "xmllint --version" 'using libxml version' usr/bin/xmllint --version
printf '<svg xmlns="http://www.w3.org/2000/svg"><polyline points="0,0 1,1"/></svg>\n' >"$work/good.svg"
printf '<svg xmlns="http://www.w3.org/2000/svg"><polyline points="0,0">\n' >"$work/bad.svg"
status=0
run usr/bin/xmllint --noout "$work/good.svg" || status=$?
cp "$work/out" "$work/err"
tap "$status" "xmllint --noout accepts a well-formed SVG"
status=0
run usr/bin/xmllint --noout "$work/bad.svg" || status=$?
cp "$work/out" "$work/err"
tap "$([ "$status" = 1 ] && grep -q 'parser error' "$work/out" && echo 0 || echo 1)" \
	"xmllint --noout rejects a truncated SVG: status $status, a parser error"

echo "1..$n"
exit "$((failed > 0))"
