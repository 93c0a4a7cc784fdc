# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the scripts that source this
# Common settings for the swiotlb-elastic workbench.  Sourced, never run.
#
# Layout of the cache (outside the work tree, $SWIOTLB_ELASTIC_CACHE):
#   linux/   git repository: the commit tagged "base" is the pristine Debian
#            source; branch "series" carries the patches.  This is the tree
#            developers edit and export from (scripts/export-series.sh).
#   build/   a worktree of the same repository where kernels are built: it
#            checks out "base" for the stock flavour and "series" for the
#            patched one, so every build directory has the same source path
#            and switching flavours recompiles only what the series touches.
#   build/.build/<flavour>-<variant>/         the O= build directories
#   build/.build/<arch>-<flavour>-<variant>/  the same for an architecture
#            other than x86_64 (arm64)
#   ccache/  the compiler cache
#   guest/   per-run output of the guest runner

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SWIOTLB_ELASTIC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/swiotlb-elastic}

# The base the series is written and tested against: Debian's
# linux-source-7.3 from trixie-backports, fetched into the cache by
# scripts/fetch-debs.sh (the machine's apt sources list only bookworm).
# The 6.12.117 series is in the project's history (README).
BASE_PKG=linux-source-7.3
BASE_PKG_VERSION=7.3.4-1~bpo13+1
BASE_SUITE=trixie-backports
BASE_SRC=$CACHE/src/$BASE_PKG
BASE_TARBALL=$BASE_SRC/usr/src/$BASE_PKG.tar.xz
BASE_KVER=7.3.4

DEV_TREE=$CACHE/linux
BUILD_TREE=$CACHE/build
PATCH_DIR=$PROJECT_ROOT/patches

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=$CACHE
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}

JOBS=${JOBS:-$(nproc)}

# The architecture kernels are built for and guests run: x86_64 (default)
# or arm64, cross-built with Debian's gcc-aarch64-linux-gnu.  The scripts
# take it from SWIOTLB_ARCH or from their --arch option (set_arch).
KARCH=x86_64

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# flavour_rev FLAVOUR: the commit a flavour builds.
flavour_rev() {
	case $1 in
	stock) echo base ;;
	patched) echo series ;;
	*) die "unknown flavour '$1' (stock or patched)" ;;
	esac
}

# set_arch ARCH: build and boot for ARCH from now on.
set_arch() {
	case $1 in
	x86_64 | arm64) KARCH=$1 ;;
	*) die "unknown architecture '$1' (x86_64 or arm64)" ;;
	esac
}
set_arch "${SWIOTLB_ARCH:-x86_64}"

# cross_prefix: CROSS_COMPILE for $KARCH (empty for the machine's own).
cross_prefix() {
	case $KARCH in
	arm64) echo aarch64-linux-gnu- ;;
	*) echo "" ;;
	esac
}

# kernel_target: the make target of the bootable image for $KARCH.
kernel_target() {
	case $KARCH in
	arm64) echo Image ;;
	*) echo bzImage ;;
	esac
}

# kernel_image FLAVOUR VARIANT: the bootable image of a kernel build.
kernel_image() {
	local obj
	obj=$(build_dir "$1" "$2")
	case $KARCH in
	arm64) echo "$obj/arch/arm64/boot/Image" ;;
	*) echo "$obj/arch/x86/boot/bzImage" ;;
	esac
}

# build_dir FLAVOUR VARIANT: the O= directory of a kernel build for
# $KARCH.  x86_64's directories keep their names from before arm64.
build_dir() {
	local prefix=""
	flavour_rev "$1" >/dev/null
	case $2 in
	test | bench) ;;
	*) die "unknown variant '$2' (test or bench)" ;;
	esac
	[ "$KARCH" = x86_64 ] || prefix=$KARCH-
	echo "$BUILD_TREE/.build/$prefix$1-$2"
}

# kmake FLAVOUR VARIANT ARGS...: make in a build directory.  The caller
# has checked out the flavour's commit in $BUILD_TREE.
kmake() {
	local obj cross
	obj=$(build_dir "$1" "$2")
	cross=$(cross_prefix)
	shift 2
	make -s -C "$BUILD_TREE" O="$obj" ARCH="$KARCH" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

# configure FLAVOUR VARIANT: give the build directory the workbench's
# configuration for the revision checked out in the build tree: tinyconfig,
# the fragments (base.config, the architecture's configs/arch/ARCH.config,
# and debug.config for the test variant) merged
# with merge_config.sh, olddefconfig, then scripts/check-config.sh.  Done
# again when a fragment or the checked-out source tree changed: a revision
# whose Kconfig adds an option (the series' CONFIG_DMA_SWIOTLB_TEST) must
# get it, and one that lacks it must not keep a stale .config.  At the tip
# of the series every option of the fragments must exist (check-config.sh
# --strict): a series that lost one fails instead of building without it.
# Only the files that depend on a changed option are rebuilt afterwards.
configure() {
	local flavour=$1 variant=$2 obj frags want stamp strict
	obj=$(build_dir "$flavour" "$variant")
	frags=("$PROJECT_ROOT/configs/base.config" "$PROJECT_ROOT/configs/arch/$KARCH.config")
	[ "$variant" = test ] && frags+=("$PROJECT_ROOT/configs/debug.config")
	stamp=$obj/.swiotlb-elastic-config
	want=$({ cat "${frags[@]}"; git -C "$BUILD_TREE" rev-parse "HEAD^{tree}"; } |
		sha256sum | cut -d' ' -f1)
	if [ -f "$obj/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return 0
	fi
	log "configuring $flavour-$variant: tinyconfig + ${frags[*]##*/}"
	mkdir -p "$obj"
	kmake "$flavour" "$variant" tinyconfig >/dev/null
	(cd "$BUILD_TREE" && scripts/kconfig/merge_config.sh -m -O "$obj" \
		"$obj/.config" "${frags[@]}" >/dev/null)
	kmake "$flavour" "$variant" olddefconfig >/dev/null
	strict=()
	[ "$flavour" = patched ] &&
		[ "$(git -C "$BUILD_TREE" rev-parse HEAD)" = "$(git -C "$DEV_TREE" rev-parse series)" ] &&
		strict=(--strict)
	"$PROJECT_ROOT/scripts/check-config.sh" "${strict[@]}" "$obj/.config" "${frags[@]}"
	echo "$want" >"$stamp"
}

# need_pkgs PKG...: install the Debian packages that are missing.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages (${missing[*]}) and not root: install them first"
	fi
	if [ ! -e "$CACHE/.apt-updated" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		mkdir -p "$CACHE"
		touch "$CACHE/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >&2
}

# need_build_pkgs: the Debian packages a kernel build needs (kmake uses
# ccache for the compiler).
need_build_pkgs() {
	need_pkgs build-essential flex bison bc libelf-dev libssl-dev dwarves \
		ccache cpio kmod python3 rsync
	[ "$KARCH" != arm64 ] || need_pkgs gcc-aarch64-linux-gnu
}

# series_files: the patch files of patches/series, in order, one a line.
series_files() {
	[ -f "$PATCH_DIR/series" ] || return 0
	grep -vE '^[[:space:]]*(#|$)' "$PATCH_DIR/series" | sed "s|^|$PATCH_DIR/|"
}

# series_names: the directories of the series in patches/series (not the
# standalone fixes), in order, one a line.
series_names() {
	series_files | grep -v "^$PATCH_DIR/fix/" | awk -F/ 'NF { print $(NF - 1) }' | awk '!seen[$0]++'
}

# series_sum: a digest of the base and the series' patches; with the head
# of branch "series" it is kept in $CACHE/series.stamp after an apply or an
# export, so that a build knows whether the tree holds patches/.
series_sum() {
	local files
	mapfile -t files < <(series_files)
	{ echo "base $(git -C "$DEV_TREE" rev-parse base)"; cat "${files[@]}" /dev/null; } |
		sha256sum | cut -d' ' -f1
}

# sync_series: make branch "series" hold patches/ when they changed.  CI
# tests exactly patches/ (unexported commits are saved in a ref and
# replaced); a developer's unexported commits are built as they are.
sync_series() {
	if [ "${CI:-}" = true ]; then
		"$PROJECT_ROOT/scripts/apply-series.sh" --if-changed --force
	else
		"$PROJECT_ROOT/scripts/apply-series.sh" --if-changed
	fi
}

# wants_stable PATCH: the commit message of PATCH (a mail or a
# format-patch file) carries a "Cc: stable@vger.kernel.org" trailer.
wants_stable() {
	awk '
	!body && /^$/ { body = 1; next }
	body && /^---$/ { exit }
	body && tolower($0) ~ /^cc:[ \t]*<?stable@vger\.kernel\.org>?([ \t#]|$)/ { found = 1 }
	END { exit !found }' "$1"
}

# deb_deps: read Debian package stanzas (a control file, apt-cache show) on
# stdin and print one line a package, "PKG VERSION DEP...": the packages
# of its Depends and Pre-Depends (folded or not), the first of each
# alternative, without versions.
deb_deps() {
	awk '
	function deps(field, n, i, alt, a) {
		n = split(field, a, ",")
		for (i = 1; i <= n; i++) {
			alt = a[i]
			sub(/\|.*/, "", alt)
			sub(/\(.*/, "", alt)
			sub(/:any/, "", alt)
			gsub(/[ \t]/, "", alt)
			if (alt != "") out = out " " alt
		}
	}
	/^[ \t]/ && dep { deps($0); next }
	{ dep = 0 }
	/^Package: / { pkg = $2; ver = ""; out = "" }
	/^Version: / { ver = $2 }
	/^(Pre-)?Depends:/ { dep = 1; sub(/^[^:]*:/, ""); deps($0) }
	/^$/ && pkg != "" { print pkg, ver out; pkg = "" }
	END { if (pkg != "") print pkg, ver out }'
}

# ELF files of another architecture's root, read with binutils' readelf
# (it reads every architecture): scripts/arm64-userland.sh and
# selftests/arm64/userland_test.sh.
#
# elf_files ROOT: the regular ELF files under ROOT, relative, one a line.
elf_files() {
	local f
	(cd "$1" && find . -type f -printf '%P\n' | sort) | while IFS= read -r f; do
		cmp -s -n 4 "$1/$f" <(printf '\177ELF') && echo "$f"
	done
}

# elf_needs FILE: what FILE needs to run: its program interpreter
# (absolute, "/lib/ld-linux-aarch64.so.1") and its NEEDED sonames, one a
# line.
elf_needs() {
	readelf -lW "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p'
	readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# elf_runpath ROOT FILE: the directories that the RUNPATH or RPATH of FILE
# (relative to ROOT) puts before the loader's own for its NEEDED
# libraries, absolute ($ORIGIN: FILE's directory), one a line.
elf_runpath() {
	local origin
	origin=/$(dirname "$2")
	readelf -dW "$1/$2" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]$/\2/p' | tr ':' '\n' |
		sed -e "s|\\\$ORIGIN|$origin|g" -e "s|\\\${ORIGIN}|$origin|g"
}

# elf_find ROOT NEED [DIR...]: where the dynamic loader of ROOT finds NEED
# (an element of elf_needs), relative to ROOT, after the directories DIR
# (elf_runpath) and without an ld.so.cache: in its system search path
# (Debian's aarch64 ld.so --help lists these four); fails when it is not
# there.
elf_find() {
	local root=$1 need=$2 d
	shift 2
	case $need in
	/*) [ -e "$root$need" ] && echo "${need#/}" && return 0 ;;
	*)
		for d in "$@" /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib /usr/lib; do
			d=${d#/}
			[ -e "$root/$d/$need" ] && echo "$d/$need" && return 0
		done ;;
	esac
	return 1
}

# elf_missing ROOT FILE: what FILE (relative to ROOT) needs and ROOT
# lacks, one a line.
elf_missing() {
	local need dirs
	mapfile -t dirs < <(elf_runpath "$1" "$2")
	elf_needs "$1/$2" | while IFS= read -r need; do
		elf_find "$1" "$need" "${dirs[@]}" >/dev/null || echo "$need"
	done
}

# links_outside ROOT: the symbolic links under ROOT that do not resolve
# to a file inside ROOT, as a loader or "qemu-aarch64-static -L ROOT"
# would follow them (relative, within ROOT), one a line.
links_outside() {
	local root l t
	root=$(realpath "$1")
	(cd "$root" && find . -type l -printf '%P\n' | sort) | while IFS= read -r l; do
		t=$(readlink "$root/$l")
		case $t in
		/*) echo "$l -> $t (absolute)"; continue ;;
		esac
		t=$(realpath -q -e "$root/$l") && [[ $t == "$root"/* ]] || echo "$l -> $(readlink "$root/$l")"
	done
}

# TAP-style result lines, counted by scripts/test.sh.
# count PREFIX: read result lines on stdin, echo them with PREFIX, add
# them up in the caller's pass, fail and skip.  On the patched kernel
# (PREFIX "patched..."), a skip is a missing feature and fails.
count() {
	local prefix=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"* | "ok "*"# skip"*)
			if [[ $prefix == patched* ]]; then
				fail=$((fail + 1))
				echo "${prefix}not ${line} (a skip on the patched kernel fails)"
			else
				skip=$((skip + 1)); echo "$prefix$line"
			fi ;;
		"ok "*) pass=$((pass + 1)); echo "$prefix$line" ;;
		"not ok "*) fail=$((fail + 1)); echo "$prefix$line" ;;
		*) echo "$line" ;;
		esac
	done
}

# count_kunit FLAVOUR CONSOLE: count the KUnit test-case lines (one level
# of indentation) of a boot log; on the patched kernel, also that every
# case of the series' suite ran: a kernel that printed nothing, or lost
# cases, fails.
count_kunit() {
	local flavour=$1 console=$2 cases want got
	cases=$(sed -nE 's/^\[ *[0-9]+\.[0-9]+\] {5}((not )?ok [0-9]+ .*)/\1/p' "$console" 2>/dev/null || true)
	[ -z "$cases" ] || count "$flavour: kunit: " <<<"$cases"
	[ "$flavour" = patched ] || return 0
	want=$(git -C "$DEV_TREE" show "series:kernel/dma/swiotlb_kunit.c" | grep -c 'KUNIT_CASE(' || true)
	got=$(grep -c . <<<"$cases" || true)
	count "" <<<"$(tap_result "$([ "$want" -gt 0 ] && [ "$got" = "$want" ]; echo $?)" \
		"patched: kunit: $got cases reported" "the series' suite has $want")"
}

# count_guest STATUS NAME OUT: count a guest run (scripts/run-guest.sh -o
# OUT, its output in OUT.txt) by its exit status, with the runner's own
# report when it failed.
count_guest() {
	local rc=$1 name=$2 out=$3 msg
	case $rc in
	0) msg="exit status 0, no kernel splat" ;;
	124) msg="guest timed out or died (console: $out/console.log)" ;;
	125) msg="kernel splat on the console (console: $out/console.log)" ;;
	*) msg="tests exited with status $rc (console: $out/console.log)" ;;
	esac
	[ "$rc" -eq 0 ] || grep -E '^run-guest:' -A 40 "$out.txt" | head -n 60 || true
	count "" <<<"$(tap_result "$rc" "$name" "$msg")"
}

tap_result() { # STATUS(0=ok) NAME [DETAIL]
	if [ "$1" -eq 0 ]; then
		echo "ok - $2${3:+: $3}"
	else
		echo "not ok - $2${3:+: $3}"
	fi
}
