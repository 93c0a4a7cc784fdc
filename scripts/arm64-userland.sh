#!/usr/bin/env bash
# A small arm64 userland for guests of arm64 kernels (QEMU virt, 9p or
# initramfs root), which cannot run this machine's x86 binaries: bookworm's
# arm64 busybox-static (with its applets' links), bash, fio, jq and xmllint
# (libxml2-utils; the tools' test uses both), and exactly the shared
# libraries they load.
#
# Usage: scripts/arm64-userland.sh [--check]
#   (none)   build $CACHE/arm64-userland when its programs, a package's
#            version or the tree itself changed; otherwise say it is up to
#            date.  Prints the tree's size.
#   --check  verify the tree, offline: as its stamp says, the programs are
#            aarch64 ELF files, and every program interpreter and NEEDED
#            library of every ELF file and the target of every link are
#            in it
#
# The packages come from scripts/fetch-debs.sh --arch arm64 (private apt
# lists and state, apt-get download, dpkg-deb -x): no dpkg architecture is
# added and nothing the machine installs changes.  From the programs'
# packages, the walk follows the ELF files: a file's interpreter and NEEDED
# sonames (in its RUNPATH first) are looked up in its package, the
# packages that one depends on (Depends, Pre-Depends) and the others
# unpacked; a package that provides one is walked in turn, until nothing
# is missing.  Only the files found are kept; the walk downloads the
# dependencies of every package it keeps a file of (about 40 MiB of
# packages, once).  Debian's fio NEEDs the libraries of all its I/O
# engines (Ceph's librados and librbd, GlusterFS, RDMA, PMDK, and libnbd,
# whose libxml2 needs ICU's 30 MiB of data): 81 of the tree's 85 MiB, of
# which fio itself, libaio, zlib, libnuma and the C library are 2.6;
# jq adds 1 MiB, xmllint 0.1.  The tree is usr-merged (bin, sbin and lib
# link to usr/), as bookworm installs it; the busybox applets' links are
# those of "busybox --list-full", run under qemu-aarch64-static, where no
# other program has that name.  The stamp ($CACHE/arm64-userland/.stamp)
# holds the programs, the version of every package that gave a file and a
# digest of the tree.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

check=0
case ${1:-} in
--check) check=1 ;;
"") ;;
*) die "usage: $0 [--check]" ;;
esac

# The programs, as PACKAGE:FILE of the package.
progs=(busybox-static:bin/busybox bash:bin/bash fio:usr/bin/fio jq:usr/bin/jq
	libxml2-utils:usr/bin/xmllint)
dest=$CACHE/arm64-userland
stage=$CACHE/arm64-userland.stage
stampf=.stamp
# Empty directories: where scripts/guest-init.sh mounts (proc, sysfs,
# devtmpfs, its 9p output share on /mnt, tmpfs), and root's home and etc.
mountpoints=(dev proc sys mnt tmp run var/tmp root etc)

need_pkgs file binutils qemu-user-static
mkdir -p "$CACHE"
exec 8>"$CACHE/arm64-userland.lock"
flock 8

# merged PATH: where a package's PATH is in a usr-merged tree.
merged() {
	case $1 in
	bin/* | sbin/* | lib/*) echo "usr/$1" ;;
	*) echo "$1" ;;
	esac
}

# digest DIR: a digest of every name, type, link and content but the stamp.
digest() {
	(cd "$1" && {
		find . ! -path "./$stampf" -printf '%P %y %m %l\n' | LC_ALL=C sort
		find . -type f ! -path "./$stampf" -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	}) | sha256sum | cut -d' ' -f1
}

size() { du -s --apparent-size --block-size=1K "$1" | awk '{ printf "%.1f MiB", $1 / 1024 }'; }

# problems ROOT: what is wrong with a tree, one a line (nothing when fine).
problems() {
	local root=$1 p ps f desc
	[ -f "$root/$stampf" ] || { echo "no stamp $root/$stampf"; return 0; }
	[ "$(sed -n 's/^tree: //p' "$root/$stampf")" = "$(digest "$root")" ] ||
		echo "the tree differs from the one its stamp describes"
	read -ra ps < <(sed -n 's/^programs: //p' "$root/$stampf")
	for p in "${ps[@]}"; do
		f=$(merged "${p#*:}")
		desc=$(file -b "$root/$f" 2>&1) || true
		[[ $desc == "ELF 64-bit LSB"*"ARM aarch64"* ]] || echo "$f: not an aarch64 ELF file: $desc"
	done
	while IFS= read -r f; do
		elf_missing "$root" "$f" | sed "s|^|$f: missing |"
	done < <(elf_files "$root")
	links_outside "$root" | sed 's/^/link outside the tree: /'
}

if [ "$check" = 1 ]; then
	[ -d "$dest" ] || die "no $dest: run $0 first"
	bad=$(problems "$dest")
	[ -z "$bad" ] || die "$dest:"$'\n'"$bad"
	log "$dest is whole: $(size "$dest"), $(elf_files "$dest" | wc -l) ELF files, $(sed -n 's/^packages: //p' "$dest/$stampf" | wc -w) packages"
	exit 0
fi

# Up to date: the same programs, the packages at the versions the lists
# hold now, and the tree its stamp describes.
if [ -f "$dest/$stampf" ]; then
	read -ra names < <(sed -n 's/^packages: //p' "$dest/$stampf" | sed 's/=[^ ]*//g')
	now="programs: ${progs[*]}"$'\n'"packages: $("$PROJECT_ROOT/scripts/fetch-debs.sh" --arch arm64 --info bookworm "${names[@]}" | awk '{ print $1 "=" $2 }' | LC_ALL=C sort | xargs)"
	if [ "$now" = "$(sed -n '/^programs: /p; /^packages: /p' "$dest/$stampf")" ] &&
		[ "$(sed -n 's/^tree: //p' "$dest/$stampf")" = "$(digest "$dest")" ]; then
		log "up to date, nothing to do: $dest"
		echo "$dest: $(size "$dest")"
		exit 0
	fi
	log "the programs, a package's version or the tree changed: building again"
fi

# The walk.  ver/deps: from the unpacked packages' control files; got:
# unpacked into $stage/PKG; used: packages that provide a kept file (and
# the programs' packages).
declare -A ver=() deps=() got=() used=() needs=() runpath=()
for p in "${progs[@]}"; do used[${p%%:*}]=1; done
rm -rf "$stage"
mkdir -p "$stage"
while :; do
	# The used packages and those they depend on, unpacked: twice for a
	# package whose dependencies are known only once it is.
	while :; do
		want=()
		for p in "${!used[@]}"; do
			for d in "$p" ${deps[$p]:-}; do
				[ -n "${got[$d]:-}" ] || { got[$d]=1; want+=("$d"); }
			done
		done
		[ ${#want[@]} -gt 0 ] || break
		log "arm64 packages: ${want[*]}"
		"$PROJECT_ROOT/scripts/fetch-debs.sh" --arch arm64 --split bookworm "$stage" "${want[@]}"
		while read -r p v d; do
			ver[$p]=$v deps[$p]=$d
		done < <(for d in "${want[@]}"; do deb_deps <"$stage/$d/DEBIAN/control"; done)
	done
	# The files the programs need, each as PACKAGE:PATH, breadth first.
	declare -A keep=()
	queue=("${progs[@]}") missing=() grew=0
	while [ ${#queue[@]} -gt 0 ]; do
		item=${queue[0]}
		queue=("${queue[@]:1}")
		[ -z "${keep[$item]:-}" ] || continue
		keep[$item]=1
		p=${item%%:*} f=${item#*:}
		[ -e "$stage/$p/$f" ] || die "package $p has no $f"
		# readelf once a file, not once a pass.
		if [ -z "${needs[$item]+set}" ]; then
			needs[$item]=$(elf_needs "$stage/$p/$f")
			runpath[$item]=$(elf_runpath "$stage/$p" "$f")
		fi
		mapfile -t dirs <<<"${runpath[$item]}"
		[ -n "${dirs[0]}" ] || dirs=()
		while IFS= read -r need; do
			[ -n "$need" ] || continue
			found=""
			# The package itself, those it depends on, then the others
			# (elf_find into a file: a $(...) for each would fork).
			for q in "$p" ${deps[$p]:-} "${!got[@]}"; do
				if elf_find "$stage/$q" "$need" "${dirs[@]}" >"$stage/.found"; then
					found=$q:$(<"$stage/.found")
					break
				fi
			done
			if [ -z "$found" ]; then
				missing+=("$f ($p): $need")
				continue
			fi
			queue+=("$found")
			q=${found%%:*}
			[ -n "${used[$q]:-}" ] || { used[$q]=1; grew=1; }
		done <<<"${needs[$item]}"
	done
	[ "$grew" = 1 ] || break
done
[ ${#missing[@]} -eq 0 ] ||
	die "not in the packages the programs depend on:"$'\n'"$(printf '  %s\n' "${missing[@]}")"

# The tree: the kept files with the links that lead to them, usr-merged.
rm -rf "$dest.new"
mkdir -p "$dest.new/usr/bin" "$dest.new/usr/sbin" "$dest.new/usr/lib"
for d in bin sbin lib; do ln -s "usr/$d" "$dest.new/$d"; done
for d in "${mountpoints[@]}"; do mkdir -p "$dest.new/$d"; done
declare -A bytes=()
for item in "${!keep[@]}"; do
	p=${item%%:*} f=${item#*:}
	while :; do
		m=$(merged "$f")
		if [ -e "$dest.new/$m" ] || [ -L "$dest.new/$m" ]; then break; fi
		mkdir -p "$(dirname "$dest.new/$m")"
		if [ -L "$stage/$p/$f" ]; then
			t=$(readlink "$stage/$p/$f")
			[[ $t == /* ]] || t=/$(dirname "$f")/$t
			f=$(realpath -m -s --relative-to=/ "$t")
			ln -s "$(realpath -m -s --relative-to="/$(dirname "$m")" "/$(merged "$f")")" "$dest.new/$m"
		else
			cp -p "$stage/$p/$f" "$dest.new/$m"
			bytes[$p]=$((${bytes[$p]:-0} + $(stat -c %s "$stage/$p/$f")))
			break
		fi
	done
done
n=0
declare -A to=()  # directory -> its relative path to busybox
while IFS= read -r a; do
	m=$(merged "$a")
	if [ -e "$dest.new/$m" ] || [ -L "$dest.new/$m" ]; then continue; fi
	d=.
	[[ $m != */* ]] || d=${m%/*}
	if [ -z "${to[$d]:-}" ]; then
		mkdir -p "$dest.new/$d"
		to[$d]=$(realpath -m -s --relative-to="/$d" /usr/bin/busybox)
	fi
	ln -s "${to[$d]}" "$dest.new/$m"
	n=$((n + 1))
done < <(qemu-aarch64-static "$dest.new/usr/bin/busybox" --list-full)
[ "$n" -gt 0 ] || die "busybox --list-full listed no applet"
log "busybox: $n applet links"

# The packages that gave files, with their versions and sizes.
pkgs=()
for p in "${!bytes[@]}"; do pkgs+=("$p=${ver[$p]}"); done
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | LC_ALL=C sort)
{
	echo "programs: ${progs[*]}"
	echo "packages: ${pkgs[*]}"
	echo "tree: $(digest "$dest.new")"
} >"$dest.new/$stampf"
bad=$(problems "$dest.new")
[ -z "$bad" ] || die "$dest.new:"$'\n'"$bad"
rm -rf "$dest" "$stage"
mv "$dest.new" "$dest"
for p in "${pkgs[@]}"; do
	printf '  %-26s %-28s %6d KiB\n' "${p%%=*}" "${p#*=}" "$((${bytes[${p%%=*}]} / 1024))" >&2
done
log "arm64 userland: ${#pkgs[@]} packages, $(elf_files "$dest" | wc -l) ELF files"
echo "$dest: $(size "$dest")"
