#!/usr/bin/env bash
# Runs inside a workbench guest (scripts/run-guest.sh): loads the test
# module and runs every kselftest program, printing their TAP output.
#
# Usage (in the guest): scripts/guest-tests.sh TESTDIR
#   TESTDIR  the output of scripts/build-tests.sh for the booted kernel
set -euo pipefail

dir=${1:?usage: guest-tests.sh TESTDIR}
rc=0
for ko in "$dir"/module/*.ko; do
	[ -e "$ko" ] || continue
	if ! insmod "$ko"; then
		echo "not ok - insmod ${ko##*/}"
		rc=1
	fi
done
for t in "$dir"/bin/*; do
	[ -x "$t" ] || continue
	echo "# running ${t##*/}"
	"$t" || rc=1
done
exit "$rc"
