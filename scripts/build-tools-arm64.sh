#!/usr/bin/env bash
# Cross-build the swiotlb tools (tools/, bpf/) for arm64, dynamic and
# static, and check that the binaries are aarch64 ELF files: the tools'
# Makefile must not assume the build machine's architecture.
#
# Usage: scripts/build-tools-arm64.sh [OUTDIR]
#   OUTDIR  default $CACHE/tools-arm64; the binaries go to OUTDIR/dynamic
#           and OUTDIR/static.  Prints OUTDIR.
#
# The compiler is Debian's gcc-aarch64-linux-gnu (with its C library,
# libc6-dev-arm64-cross).  The arm64 libraries the tools link with
# (libbpf, libelf, zlib) are not installed: scripts/fetch-debs.sh --arch
# arm64 downloads bookworm's packages with a private apt state and unpacks
# them into a sysroot in the cache ($CACHE/sysroot-arm64), so dpkg's
# architectures and the system's packages stay as they are.  clang and
# bpftool run on the build machine: only __TARGET_ARCH_arm64 and the
# <asm/types.h> of the target change the BPF object.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

triplet=aarch64-linux-gnu
out=${1:-$CACHE/tools-arm64}
sysroot=$CACHE/sysroot-arm64
# libbpf1 needs libelf1 and zlib1g, libelf1 needs zlib1g; libc6 is the
# cross compiler's.
pkgs=(libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g)
tools=(swiotlbtop swiotlbsnoop swiotlb-timeline)

need_pkgs make file clang llvm bpftool "gcc-$triplet" libc6-dev-arm64-cross
mkdir -p "$CACHE"
exec 8>"$CACHE/tools-arm64.lock"
flock 8

# The sysroot, unpacked once (again when the package list changes), into a
# new directory that replaces the old one only when complete.
stamp=$sysroot/.packages
if [ "$(cat "$stamp" 2>/dev/null)" != "${pkgs[*]}" ]; then
	log "arm64 sysroot: ${pkgs[*]}"
	rm -rf "$sysroot.new"
	"$PROJECT_ROOT/scripts/fetch-debs.sh" --arch arm64 bookworm "$sysroot.new" "${pkgs[@]}" >&2
	for p in "${pkgs[@]}"; do
		[ -e "$sysroot.new/usr/share/doc/$p" ] || die "$p:arm64 was not unpacked into $sysroot.new"
	done
	# The -dev packages link to their libraries with absolute paths
	# (libz.so -> /lib/aarch64-linux-gnu/libz.so.1.2.13): make them
	# point inside the sysroot.
	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		case $target in
		/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$sysroot.new$target")" "$link" ;;
		esac
	done < <(find "$sysroot.new" -type l -print0)
	echo "${pkgs[*]}" >"$sysroot.new/.packages"
	rm -rf "$sysroot"
	mv "$sysroot.new" "$sysroot"
fi

# Headers and libraries from the sysroot, the C library from the cross
# compiler.  -rpath-link lets the linker find libbpf's own dependencies.
libdirs=$sysroot/usr/lib/$triplet:$sysroot/lib/$triplet
ldflags="-L$sysroot/usr/lib/$triplet -L$sysroot/lib/$triplet -Wl,-rpath-link,$libdirs"
for kind in dynamic static; do
	static=
	[ "$kind" = static ] && static=1
	make -s -j1 -C "$PROJECT_ROOT/tools" CROSS_COMPILE="$triplet-" OUTPUT="$out/$kind" \
		STATIC="$static" CPPFLAGS="-I$sysroot/usr/include" LDFLAGS="$ldflags" \
		BPF_CFLAGS="-I$sysroot/usr/include" >&2
	grep -q -- '-D__TARGET_ARCH_arm64 ' "$out/$kind/.build-flags" ||
		die "the BPF object of $out/$kind was not built for arm64"
	for t in "${tools[@]}"; do
		desc=$(file -b "$out/$kind/$t")
		case $desc in
		*"ELF 64-bit LSB"*"ARM aarch64"*) ;;
		*) die "$out/$kind/$t is not an aarch64 ELF file: $desc" ;;
		esac
		if [ "$kind" = static ]; then
			[[ $desc == *"statically linked"* ]] || die "$out/$kind/$t is not static: $desc"
		else
			[[ $desc == *"dynamically linked"* ]] || die "$out/$kind/$t is not dynamic: $desc"
		fi
		log "$kind/$t: ${desc%%, BuildID*}"
	done
done
echo "$out"
