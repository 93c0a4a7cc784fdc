#!/usr/bin/env bash
# Download Debian packages from a suite the machine's apt sources do not
# list (trixie-backports for linux-source-7.3, sid for b4) and unpack them
# into the cache, without touching what apt installs for anything else.
#
# Usage: scripts/fetch-debs.sh [--arch ARCH] [--source | --split] SUITE DEST PKG[=VERSION]...
#        scripts/fetch-debs.sh [--arch ARCH] --info SUITE PKG...
#   --arch ARCH  the packages of Debian architecture ARCH (arm64, ...)
#          instead of amd64, e.g. the libraries of a cross build's sysroot;
#          dpkg's own architectures stay as they are
#   --source  download the source packages (apt-get source
#          --download-only) into DEST instead, unpacked by the caller
#   --split  unpack each package into DEST/PKG (its name), so that the
#          caller knows which package a file comes from, with its control
#          files in DEST/PKG/DEBIAN (dpkg-deb -R)
#   --info  download nothing; print one line a package, "PKG VERSION
#          DEP...": the version a download would get and the packages of
#          its Depends and Pre-Depends (the first of each alternative,
#          without versions), for callers that walk dependencies
#   SUITE  a suite of the Debian mirror the system already uses
#   DEST   directory the packages are unpacked into (dpkg-deb -x); the
#          .deb files are kept in $CACHE/debs/SUITE (SUITE-ARCH for
#          another architecture)
#
# apt runs with a private sources list, state and cache under
# $CACHE/apt/SUITE (SUITE-ARCH), so the system's package lists and pins
# stay as they are.  The mirror is the one of the system's own configuration (the
# repository that serves "bookworm"); no host name is written here.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

source=0 arch=amd64 split=0 info=0
while [ $# -gt 0 ]; do
	case $1 in
	--source) source=1 ;;
	--split) split=1 ;;
	--info) info=1 ;;
	--arch) [ $# -ge 2 ] || die "--arch needs an architecture"; arch=$2; shift ;;
	*) break ;;
	esac
	shift
done
if [ "$info" = 1 ]; then
	[ $# -ge 2 ] || die "usage: $0 [--arch ARCH] --info SUITE PKG..."
	suite=$1 dest=""
	shift
else
	[ $# -ge 3 ] || die "usage: $0 [--arch ARCH] [--source | --split] SUITE DEST PKG[=VERSION]..."
	suite=$1 dest=$2
	shift 2
fi

need_pkgs apt debian-archive-keyring

# The system's Debian mirror: the repository its apt configuration uses
# for the base suite.  ($(...) is apt's format syntax, not the shell's.)
bookworm_repo() {
	# shellcheck disable=SC2016
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 == "bookworm" { print $1; exit }'
}
mirror=$(bookworm_repo)
if [ -z "$mirror" ]; then
	# No lists yet on a fresh machine: read them once.
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	mirror=$(bookworm_repo)
fi
[ -n "$mirror" ] || die "no Debian mirror for bookworm in the apt configuration"

tag=$suite
[ "$arch" = amd64 ] || tag=$suite-$arch
adir=$CACHE/apt/$tag
[ "$source" = 0 ] || adir=$CACHE/apt/$tag-src
debs=$CACHE/debs/$tag
mkdir -p "$adir/lists/partial" "$adir/archives/partial" "$adir/parts" "$debs" ${dest:+"$dest"}
kind=deb
[ "$source" = 0 ] || kind="deb-src"
printf '%s [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
	"$kind" "$mirror" "$suite" >"$adir/sources.list"
: >"$adir/status"
opts=(-o "Dir::Etc::sourcelist=$adir/sources.list"
	-o "Dir::Etc::sourceparts=$adir/parts"
	-o "Dir::Etc::preferencesparts=$adir/parts"
	-o "Dir::State::Lists=$adir/lists"
	-o "Dir::State::status=$adir/status"
	-o "Dir::Cache=$adir"
	-o "Dir::Cache::archives=$adir/archives"
	-o "APT::Architecture=$arch"
	-o "APT::Architectures=$arch"
	-o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=1")

# Refresh the private lists at most once a day.
stamp=$adir/updated
if [ -z "$(find "$stamp" -mtime -1 2>/dev/null)" ]; then
	log "reading the package lists of $suite"
	apt-get "${opts[@]}" update -qq >&2 ||
		die "cannot read the package lists of suite $suite from $mirror"
	touch "$stamp"
fi

if [ "$info" = 1 ]; then
	# apt-cache leaves out an unknown name when it finds others.
	lines=$(apt-cache "${opts[@]}" show --no-all-versions "$@" | deb_deps) ||
		die "no package $* in $suite"
	for p in "$@"; do
		awk -v p="$p" '$1 == p { f = 1 } END { exit !f }' <<<"$lines" ||
			die "no package $p in $suite ($arch)"
	done
	echo "$lines"
	exit 0
fi
if [ "$source" = 1 ]; then
	(cd "$dest" && apt-get "${opts[@]}" source --download-only -qq "$@" >&2) ||
		die "cannot download the source of $* from $suite"
	exit 0
fi
(cd "$debs" && apt-get "${opts[@]}" download -qq "$@" >&2) ||
	die "cannot download $* from $suite"
for p in "$@"; do
	name=${p%%=*}
	deb=$(find "$debs" -maxdepth 1 \( -name "${name}_*_$arch.deb" -o -name "${name}_*_all.deb" \) |
		sort -V | tail -n 1)
	[ -n "$deb" ] || die "no package file for $name in $debs"
	into=$dest
	[ "$split" = 0 ] || into=$dest/$name
	mkdir -p "$into"
	if [ "$split" = 1 ]; then
		dpkg-deb -R "$deb" "$into"
	else
		dpkg-deb -x "$deb" "$into"
	fi
	log "unpacked $(basename "$deb") into $into"
done
