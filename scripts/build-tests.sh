#!/usr/bin/env bash
# Build the test driver, the kselftests of the series and the tools, into
# $CACHE/tests/<flavour>-<variant>/ (module/, ksft/, bin/ and tools/).
# For arm64, $CACHE/tests/arm64-<flavour>-<variant>/ gets the driver and
# the tools, cross-built and static (the guest's userland has no libbpf):
# the embedded case's guest (scripts/guest-embedded.sh) runs no kselftest,
# since those bounce every mapping with swiotlb=force.
#
# Usage: scripts/build-tests.sh [--arch ARCH] [FLAVOUR [VARIANT]]
# Prints the output directory.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --arch ]; then
	[ $# -ge 2 ] || die "--arch takes x86_64 or arm64"
	set_arch "$2"
	shift 2
fi
flavour=${1:-patched}
variant=${2:-test}
obj=$(build_dir "$flavour" "$variant")
[ -f "$obj/Module.symvers" ] || die "no kernel build in $obj (scripts/build-kernel.sh --arch $KARCH $flavour $variant)"
out=$CACHE/tests/$flavour-$variant
[ "$KARCH" = x86_64 ] || out=$CACHE/tests/$KARCH-$flavour-$variant
cross=$(cross_prefix)

# The test driver (CONFIG_DMA_SWIOTLB_TEST, from the series): the patched kernel
# builds it as a module; for the stock kernel, which lacks the option, it
# is built out of tree from the series' source.
rm -rf "${out:?}/module" "${out:?}/ksft" "${out:?}/ksft-src" "${out:?}/bin"
mkdir -p "$out/module" "$out/ksft-src" "$out/bin"
# The kernel's own .config says which: a build directory seeded from the
# other flavour's (build-kernel.sh) still holds that flavour's module.
if grep -qx 'CONFIG_DMA_SWIOTLB_TEST=m' "$obj/.config"; then
	[ -f "$obj/kernel/dma/swiotlb_test.ko" ] || die "no swiotlb_test.ko in $obj"
	cp "$obj/kernel/dma/swiotlb_test.ko" "$out/module/"
else
	git -C "$DEV_TREE" show series:kernel/dma/swiotlb_test.c >"$out/module/swiotlb_test.c"
	echo 'obj-m += swiotlb_test.o' >"$out/module/Kbuild"
	make -s -C "$obj" M="$out/module" ARCH="$KARCH" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" modules >&2
fi

if [ "$KARCH" = arm64 ]; then
	"$PROJECT_ROOT/scripts/build-tools-arm64.sh" >&2
	rm -rf "${out:?}/tools"
	mkdir -p "$out/tools"
	cp "$CACHE/tools-arm64/static/"{swiotlbtop,swiotlbsnoop,swiotlb-timeline} "$out/tools/"
	echo "$out"
	exit 0
fi

# The kselftests (tools/testing/selftests/dma, from the series) and the kselftest
# runner, installed as on a test machine; the guest runs run_kselftest.sh.
git -C "$DEV_TREE" archive series tools/testing/selftests scripts/subarch.include |
	tar -x -C "$out/ksft-src"
make -s -C "$out/ksft-src/tools/testing/selftests" TARGETS=dma \
	INSTALL_PATH="$out/ksft" install >&2

# The swiotlb tools (tools/, bpf/) and their test, which guest-tests.sh runs
# with the kselftest programs; it finds the tools in ../tools.
need_pkgs clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libxml2-utils jq fio
make -s -C "$PROJECT_ROOT/tools" OUTPUT="$out/tools" >&2
install -m 0755 "$PROJECT_ROOT/selftests/tools/swiotlb_tools_test.sh" "$out/bin/"
echo "$out"
