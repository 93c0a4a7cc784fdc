#!/usr/bin/env bash
# Runs inside a workbench guest (scripts/run-guest.sh): loads the test
# driver, runs the series' kselftests with the kselftest runner and the
# programs in bin/ (the tools' test), printing their TAP output.
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
if [ -x "$dir/ksft/run_kselftest.sh" ]; then
	# Through a pipe: the runner appends to /dev/stdout, which would
	# overwrite its own lines if stdout were a plain file.  The scratch
	# disk is the stress test's fio target.
	SWIOTLB_STRESS_DISK=/dev/vda "$dir/ksft/run_kselftest.sh" -c dma 2>&1 | cat || rc=1
else
	echo "not ok - no kselftests in $dir/ksft"
	rc=1
fi
for t in "$dir"/bin/*; do
	[ -x "$t" ] || continue
	echo "# running ${t##*/}"
	"$t" || rc=1
done
exit "$rc"
