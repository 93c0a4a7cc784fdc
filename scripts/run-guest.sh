#!/usr/bin/env bash
# Boot a workbench kernel in QEMU, run one command in it, return its exit
# status.  On x86_64 the guest's root is the host's root, shared read-only
# over 9p, with tmpfs on /tmp, /run and /var/tmp.  On arm64 (QEMU virt,
# Cortex-A35 as on STM32MP25) the root is an initramfs of the arm64
# userland (scripts/arm64-userland.sh), and the host's project and cache
# directories are shared over 9p at their own paths.  The command runs in
# the project directory and its output comes back through a writable 9p
# share.
#
# Usage: scripts/run-guest.sh [options] [--] COMMAND...
#       --arch ARCH     x86_64 (default, or $SWIOTLB_ARCH) or arm64
#   -k, --flavour F     patched (default) or stock
#   -V, --variant V     test (default: lockdep, KASAN, ...) or bench
#       --kernel FILE   boot this bzImage instead
#   -a, --append ARGS   extra kernel parameters (repeatable), e.g. swiotlb=force
#       --disk SIZE     a scratch virtio-blk disk (/dev/vda in the guest) with
#                       iommu_platform=on,disable-legacy=on, so it uses the DMA API
#       --edu           QEMU's edu PCI device with dma_mask=0xffffffff
#   -m, --mem SIZE      guest RAM (default 2G; arm64: 4G, from 1 GiB to 5 GiB,
#                       so that it crosses 4 GiB as on a 4 GB STM32MP25)
#       --highmem       guest RAM above 4 GiB (x86_64: 6G unless --mem says
#                       more; arm64 has it by default)
#       --smp N         vCPUs (default 2)
#   -t, --timeout S     kill the guest after S seconds (default 600)
#   -o, --out DIR       keep console.log and output there (default: a new
#                       directory under the cache, printed on failure)
#   -i, --interactive   run the command on the serial console (a terminal)
#   -q, --quiet         print only the command's output
#
# Exit status: the command's; 124 when the guest timed out or died
# without reporting one; 125 for a kernel splat on the console (WARNING,
# BUG, Oops, lockdep, KASAN, kmemleak, sleeping in atomic, RCU stalls,
# DMA-API debugging or kmemleak turning themselves off, printk messages
# dropped), which is shown.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { sed -n '/^# Usage/,/^# Exit/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

flavour=patched variant=test kernel="" mem="" highmem=0 smp=2 timeout=600
out="" interactive=0 quiet=0 disk="" edu=0 append=()
while [ $# -gt 0 ]; do
	case $1 in
	--arch) set_arch "$2"; shift ;;
	-k | --flavour) flavour=$2; shift ;;
	-V | --variant) variant=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	-a | --append) append+=("$2"); shift ;;
	--disk) disk=$2; shift ;;
	--edu) edu=1 ;;
	-m | --mem) mem=$2; shift ;;
	--highmem) highmem=1 ;;
	--smp) smp=$2; shift ;;
	-t | --timeout) timeout=$2; shift ;;
	-o | --out) out=$2; shift ;;
	-i | --interactive) interactive=1 ;;
	-q | --quiet) quiet=1 ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "run-guest: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "run-guest: no command given" >&2; usage; }
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout takes seconds"
[[ $smp =~ ^[0-9]+$ ]] || die "--smp takes a number"

if [ "$KARCH" = arm64 ]; then
	need_pkgs qemu-system-arm cpio
	userland=$CACHE/arm64-userland
	"$PROJECT_ROOT/scripts/arm64-userland.sh" >&2
	[ -n "$mem" ] || mem=4G
else
	need_pkgs qemu-system-x86 busybox-static
	[ -n "$mem" ] || { [ "$highmem" = 1 ] && mem=6G || mem=2G; }
fi
[ -n "$kernel" ] || kernel=$(kernel_image "$flavour" "$variant")
[ -f "$kernel" ] || die "no kernel at $kernel (scripts/build-kernel.sh --arch $KARCH $flavour $variant)"

if [ -z "$out" ]; then
	mkdir -p "$CACHE/guest"
	out=$(mktemp -d "$CACHE/guest/run.XXXXXX")
fi
mkdir -p "$out"
rm -f "$out/status" "$out/output" "$out/console.log" "$out/disk.img" "$out/initrd"
# Like ssh: the words are joined and run by the guest's bash.
echo "$*" >"$out/cmd"
echo "$PROJECT_ROOT" >"$out/cwd"
# Host directories the guest must see even where they lie under /tmp, /run
# or /var/tmp, which the guest covers with tmpfs (a clone in /tmp).
printf '%s\n' "$PROJECT_ROOT" "$CACHE" >"$out/keep"

if [ "$KARCH" = arm64 ]; then
	# The initramfs: the userland's archive, made again when the userland
	# changed, and an archive of /init (guest-init.sh) after it, which
	# the kernel unpacks over the first.
	cpio=$CACHE/arm64-userland.cpio
	if [ ! -f "$cpio" ] || [ "$userland/.stamp" -nt "$cpio" ]; then
		(cd "$userland" && find . -path ./.stamp -prune -o -print |
			LC_ALL=C sort | cpio -o -H newc --quiet) >"$cpio.new"
		mv "$cpio.new" "$cpio"
	fi
	initdir=$(mktemp -d)
	install -m 0755 "$PROJECT_ROOT/scripts/guest-init.sh" "$initdir/init"
	{ cat "$cpio"; (cd "$initdir" && echo init | cpio -o -H newc --quiet); } >"$out/initrd"
	rm -rf "$initdir"
	qemu=(qemu-system-aarch64 -nodefaults -no-reboot -display none
		-machine "virt,gic-version=3" -cpu cortex-a35 -smp "$smp" -m "$mem"
		-kernel "$kernel" -initrd "$out/initrd"
		-fsdev "local,id=host,path=/,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-pci,fsdev=host,mount_tag=host"
		-fsdev "local,id=out,path=$out,security_model=none,multidevs=remap"
		-device "virtio-9p-pci,fsdev=out,mount_tag=out")
	cmdline="console=ttyAMA0 rdinit=/init swiotlb_elastic.hostfs=1"
else
	# -cpu max without LA57: with 5-level paging, Linux 7.3.4's test kernel
	# (KASAN) intermittently reports a wild-memory-access in rcu_is_watching()
	# from an interrupt during early CPUID setup, a boot problem unrelated to
	# swiotlb that would fail a run at random.  4-level paging, as most
	# guests use, does not show it.
	qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
		-machine q35 -cpu "max,la57=off" -smp "$smp" -m "$mem"
		-kernel "$kernel"
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-pci,fsdev=root,mount_tag=/dev/root"
		-fsdev "local,id=out,path=$out,security_model=none,multidevs=remap"
		-device "virtio-9p-pci,fsdev=out,mount_tag=out")
	cmdline="console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose"
	cmdline+=" ro init=$PROJECT_ROOT/scripts/guest-init.sh"
fi
if [ "$KARCH" = x86_64 ] && [ -w /dev/kvm ] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo; then
	qemu+=(-accel kvm)
else
	qemu+=(-accel tcg)
fi
if [ -n "$disk" ]; then
	truncate -s "$disk" "$out/disk.img"
	qemu+=(-drive "file=$out/disk.img,if=none,id=scratch,format=raw,cache=unsafe"
		-device "virtio-blk-pci,drive=scratch,iommu_platform=on,disable-legacy=on")
fi
[ "$edu" = 1 ] && qemu+=(-device "edu,dma_mask=0xffffffff")

cmdline+=" panic=-1 loglevel=7 ${append[*]}"
[ "$interactive" = 1 ] && cmdline+=" swiotlb_elastic.interactive=1"

qrc=0
if [ "$interactive" = 1 ]; then
	qemu+=(-serial mon:stdio)
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" -append "$cmdline" || qrc=$?
else
	qemu+=(-serial "file:$out/console.log")
	if [ "$quiet" = 1 ]; then
		timeout -k 5 "$timeout" "${qemu[@]}" -append "$cmdline" </dev/null 2>"$out/qemu.err" || qrc=$?
	else
		# Show the command's output as it arrives.
		touch "$out/output"
		tail -n +1 -F "$out/output" 2>/dev/null &
		tailpid=$!
		timeout -k 5 "$timeout" "${qemu[@]}" -append "$cmdline" </dev/null 2>"$out/qemu.err" || qrc=$?
		kill "$tailpid" 2>/dev/null || true
		wait "$tailpid" 2>/dev/null || true
	fi
fi
# The initramfs is a copy of the cached one: not kept with the output.
rm -f "$out/initrd"
[ "$quiet" = 1 ] && [ -f "$out/output" ] && cat "$out/output"

# Kernel lines carry a printk timestamp; only those are searched, and
# printk's note of dropped messages.
splat_re='^\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|Kernel panic|general protection fault|possible (circular|recursive) locking|inconsistent lock state|lock held when returning|suspicious RCU usage|KASAN:|kmemleak: [0-9]+ new suspected|sleeping function called from invalid context|INFO: task .* blocked|UBSAN:|hung_task|INFO: [a-z_]+ (detected stalls on CPUs|self-detected stall)|debugging out of memory - disabling|Kernel memory leak detector disabled|Cannot allocate a kmemleak_object)'
# printk puts this line before the message that follows the drop, without
# a time stamp of its own.
splat_re+='|^\*\* [0-9]+ printk messages dropped \*\*'
if [ -f "$out/console.log" ] && grep -qE "$splat_re" "$out/console.log"; then
	echo "run-guest: kernel splat on the console ($out/console.log):" >&2
	grep -E -A 25 "$splat_re" "$out/console.log" | head -n 80 >&2
	exit 125
fi
if [ ! -f "$out/status" ]; then
	if [ "$qrc" = 124 ]; then
		echo "run-guest: the guest did not finish in ${timeout}s and was killed; console: $out/console.log" >&2
	else
		echo "run-guest: the guest ended without an exit status (qemu status $qrc); console: $out/console.log" >&2
		cat "$out/qemu.err" >&2 2>/dev/null || true
	fi
	[ -f "$out/console.log" ] && tail -n 30 "$out/console.log" >&2
	exit 124
fi
status=$(cat "$out/status")
[ "$status" = 0 ] || echo "run-guest: command exited with status $status; console: $out/console.log" >&2
exit "$status"
