#!/usr/bin/env bash
# The main job: build the patched kernel, boot it as a CoCo-like guest
# (every DMA bounced, a small initial pool), run a bursty fio job with
# verification on a virtio-blk disk that uses the DMA API, and follow
# swiotlb while it runs.
#
# Usage: scripts/demo.sh [FLAVOUR]   (default: patched)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

flavour=${1:-patched}
need_pkgs fio
"$PROJECT_ROOT/scripts/build-kernel.sh" "$flavour" test >/dev/null
# swiotlb=1024,force: a 2 MiB initial pool (1024 slots of 2 KiB) and every
# streaming mapping bounced, as in an SEV or TDX guest.
"$PROJECT_ROOT/scripts/run-guest.sh" -k "$flavour" -a swiotlb=1024,force \
	--disk 256M -t 900 -- scripts/demo-guest.sh
