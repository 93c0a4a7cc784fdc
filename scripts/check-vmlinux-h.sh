#!/usr/bin/env bash
# Check bpf/vmlinux.h against a built kernel's BTF: every struct the
# header declares must exist in the kernel with every field the header
# gives it, spelled and typed as "bpftool btf dump ... format c" prints
# it.  CO-RE relocates the offsets; names and types must match.  Structs in
# an "#ifdef __TARGET_ARCH_<arch>" block for another architecture than
# x86 (the registers of arm64) are left out.
#
# Usage: scripts/check-vmlinux-h.sh [FLAVOUR [VARIANT]]   (default: patched test)
# Prints one "ok - ..." or "not ok - ..." line; exit status 0 when ok.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

flavour=${1:-patched}
variant=${2:-test}
obj=$(build_dir "$flavour" "$variant")
[ -f "$obj/vmlinux" ] || die "no kernel build in $obj (scripts/build-kernel.sh $flavour $variant)"
need_pkgs bpftool python3

dump=$(mktemp)
trap 'rm -f "$dump"' EXIT
bpftool btf dump file "$obj/vmlinux" format c >"$dump"
rc=0
python3 - "$PROJECT_ROOT/bpf/vmlinux.h" "$dump" <<'EOF' || rc=1
import re
import sys

mine = open(sys.argv[1]).read()
# Types of other architectures (an "#ifdef __TARGET_ARCH_arm64" block, not
# nested) are not in the BTF of this x86_64 kernel.
mine = re.sub(r'^#ifdef __TARGET_ARCH_(?!x86\b)\w+\n.*?^#endif\b[^\n]*\n', '', mine,
              flags=re.S | re.M)
full = open(sys.argv[2]).read()
bad = 0
n = 0
for m in re.finditer(r'^struct (\w+) \{\n(.*?)^\};', mine, re.S | re.M):
    name = m.group(1)
    n += 1
    k = re.search(r'^struct ' + name + r' \{\n(.*?)^\};', full, re.S | re.M)
    if not k:
        print(f"vmlinux.h: struct {name} is not in the kernel's BTF", file=sys.stderr)
        bad += 1
        continue
    have = {line.strip() for line in k.group(1).splitlines()}
    for line in m.group(2).splitlines():
        if line.strip() and line.strip() not in have:
            print(f"vmlinux.h: struct {name}: '{line.strip()}' is not in the kernel's BTF",
                  file=sys.stderr)
            bad += 1
print(f"{n} structs checked", file=sys.stderr)
sys.exit(1 if bad or not n else 0)
EOF
tap_result "$rc" "bpf/vmlinux.h matches the BTF of $flavour-$variant"
exit "$rc"
