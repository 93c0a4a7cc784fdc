#!/usr/bin/env bash
# Build the test module against a kernel build directory and the kselftest
# programs, into $CACHE/tests/<flavour>-<variant>/ (module/ and bin/).
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
mkdir -p "$out/module" "$out/bin"

# Out-of-tree module: a private copy of the sources per kernel, so that
# the flavours' objects never mix.
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	"$PROJECT_ROOT/selftests/module/" "$out/module/"
make -s -C "$obj" M="$out/module" ARCH=x86_64 CC="ccache gcc" modules >&2

# The kselftest programs run in the guest from the host's root file system.
make -s -C "$PROJECT_ROOT/selftests/swiotlb" KSRC="$BUILD_TREE" OUTPUT="$out/bin" >&2

# The swiotlb tools (tools/, bpf/) and their test, which guest-tests.sh runs
# with the kselftest programs; it finds the tools in ../tools.
need_pkgs clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libxml2-utils jq fio
make -s -C "$PROJECT_ROOT/tools" OUTPUT="$out/tools" >&2
install -m 0755 "$PROJECT_ROOT/selftests/tools/swiotlb_tools_test.sh" "$out/bin/"
echo "$out"
