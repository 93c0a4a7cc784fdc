#!/bin/bash
# PID 1 of a workbench guest (see scripts/run-guest.sh): mount the pseudo
# file systems, run the command found in the "out" share, store its exit
# status there, scan for kmemleak reports and reboot (QEMU then exits).
# Its root is the host's (x86_64), or an initramfs with the host's root in
# the "host" share (arm64, swiotlb_elastic.hostfs=1), whose paths the
# command needs are bound at their own place.  Not meant to be run on the
# host.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp TERM=${TERM:-linux}

[ "$$" = 1 ] || { echo "guest-init.sh: only runs as a guest's init" >&2; exit 2; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm 2>/dev/null
# The links udev would make; the kselftest runner writes to /dev/stdout.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /mnt
keep=()
[ -r /mnt/keep ] && mapfile -t keep </mnt/keep
if grep -qw 'swiotlb_elastic.hostfs=1' /proc/cmdline; then
	# The initramfs is writable: the host paths in /mnt/keep (the
	# project, the cache) are bound from the host share at their place.
	for d in /tmp /run /var/tmp; do mkdir -p "$d" && mount -t tmpfs tmpfs "$d"; done
	mkdir -p /host
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro host /host
	for p in "${keep[@]}"; do
		mkdir -p "$p" && mount --bind "/host$p" "$p"
	done
else
	# The host paths in /mnt/keep that lie under a directory covered
	# with tmpfs below are bound aside first, then moved back to their
	# own path on the tmpfs.
	kept=()
	for p in "${keep[@]}"; do
		case $p in
		/tmp/* | /run/* | /var/tmp/*)
			k=/dev/.keep${#kept[@]}
			mkdir -p "$k" && mount --bind "$p" "$k" && kept+=("$p") ;;
		esac
	done
	for d in /tmp /run /var/tmp; do mount -t tmpfs tmpfs "$d"; done
	for i in "${!kept[@]}"; do
		mkdir -p "${kept[$i]}" && mount --move "/dev/.keep$i" "${kept[$i]}"
	done
fi
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t bpf bpf /sys/fs/bpf
ulimit -l unlimited

kmemleak=/sys/kernel/debug/kmemleak
# Objects allocated during boot are not this run's leaks.
echo "guest-init: mounted" >/dev/kmsg
[ -w "$kmemleak" ] && echo clear >"$kmemleak"

cd "$(cat /mnt/cwd)" || exit 1
echo "guest-init: running the command" >/dev/kmsg
if grep -qw 'swiotlb_elastic.interactive=1' /proc/cmdline; then
	tty=/dev/ttyS0
	[ -e /dev/ttyAMA0 ] && tty=/dev/ttyAMA0
	setsid bash -c "exec <>$tty >&0 2>&1; $(cat /mnt/cmd)"
	status=$?
else
	bash -c "$(cat /mnt/cmd)" >/mnt/output 2>&1 </dev/null
	status=$?
fi

echo "guest-init: the command exited with status $status" >/dev/kmsg
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	leaks=$(grep -c '^unreferenced object' "$kmemleak")
	if [ "$leaks" -gt 0 ]; then
		echo "kmemleak: $leaks new suspected memory leaks" >/dev/kmsg
		head -n 40 "$kmemleak" >/dev/kmsg
	fi
fi
echo "guest-init: done" >/dev/kmsg
echo "$status" >/mnt/status
sync
echo b >/proc/sysrq-trigger
