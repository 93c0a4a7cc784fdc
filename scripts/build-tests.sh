#!/usr/bin/env bash
# Build the test driver, the kselftests of the series and the tools, into
# $CACHE/tests/<flavour>-<variant>/ (module/, ksft/, bin/ and tools/).
#
# Usage: scripts/build-tests.sh [FLAVOUR [VARIANT]]
# Prints the output directory.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

flavour=${1:-patched}
variant=${2:-test}
obj=$(build_dir "$flavour" "$variant")
[ -f "$obj/Module.symvers" ] || die "no kernel build in $obj (scripts/build-kernel.sh $flavour $variant)"
out=$CACHE/tests/$flavour-$variant

# The test driver (CONFIG_DMA_SWIOTLB_TEST, from the series): the patched kernel
# builds it as a module; for the stock kernel, which lacks the option, it
# is built out of tree from the series' source.
rm -rf "${out:?}/module" "${out:?}/ksft" "${out:?}/ksft-src" "${out:?}/bin"
mkdir -p "$out/module" "$out/ksft-src" "$out/bin"
if [ -f "$obj/kernel/dma/swiotlb_test.ko" ]; then
	cp "$obj/kernel/dma/swiotlb_test.ko" "$out/module/"
else
	git -C "$DEV_TREE" show series:kernel/dma/swiotlb_test.c >"$out/module/swiotlb_test.c"
	echo 'obj-m += swiotlb_test.o' >"$out/module/Kbuild"
	make -s -C "$obj" M="$out/module" ARCH=x86_64 CC="ccache gcc" modules >&2
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
