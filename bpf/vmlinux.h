/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal kernel type definitions for the swiotlb tools' BPF programs.
 *
 * Instead of a full vmlinux.h (tens of thousands of lines, specific to one
 * build), this header carries only the types the programs touch.  They were
 * taken from "bpftool btf dump file vmlinux format c" of the patched kernel
 * (scripts/build-kernel.sh patched test, Linux 7.3.4 with patches/).  The
 * series' tracepoints are attached raw: their arguments are the TP_PROTO of
 * include/trace/events/swiotlb.h, given in the programs themselves.
 * Every struct is marked preserve_access_index, so field offsets are
 * relocated (CO-RE) against the running kernel's BTF, /sys/kernel/btf/vmlinux:
 * the layout below only has to carry the right field names and types.
 * Fields a kernel lacks are tested with bpf_core_field_exists() before use.
 *
 * scripts/check-vmlinux-h.sh checks every struct and field below against
 * the BTF of the patched test kernel; make test runs it.  The reference:
 *   bpftool btf dump file $CACHE/build/.build/patched-test/vmlinux format c |
 *     grep -A16 'struct io_tlb_pool {'
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef _Bool bool;
typedef long unsigned int size_t;
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;

enum { false = 0, true = 1 };

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct kobject {
	const char *name;
};

struct device {
	struct kobject kobj;
	const char *init_name;
};

/* x86-64 registers, for the kprobe mode's arguments and return value. */
struct pt_regs {
	long unsigned int r15;
	long unsigned int r14;
	long unsigned int r13;
	long unsigned int r12;
	long unsigned int bp;
	long unsigned int bx;
	long unsigned int r11;
	long unsigned int r10;
	long unsigned int r9;
	long unsigned int r8;
	long unsigned int ax;
	long unsigned int cx;
	long unsigned int dx;
	long unsigned int si;
	long unsigned int di;
	long unsigned int orig_ax;
	long unsigned int ip;
	long unsigned int flags;
	long unsigned int sp;
};

#ifdef __TARGET_ARCH_arm64
/* arm64 registers: bpf_tracing.h reads a kprobe's arguments from them. */
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};

/* The preempt count, for interrupt context: in a union with the
 * need_resched flag, the count in the low 32 bits. */
struct thread_info {
	u64 preempt_count;
};

struct task_struct {
	struct thread_info thread_info;
};
#endif

enum swiotlb_pool_kind {
	SWIOTLB_POOL_DEFAULT = 0,
	SWIOTLB_POOL_DYNAMIC = 1,
	SWIOTLB_POOL_TRANSIENT = 2,
	SWIOTLB_POOL_RESTRICTED = 3,
};

struct io_tlb_pool {
	phys_addr_t start;
	phys_addr_t end;
	long unsigned int nslabs;
	enum swiotlb_pool_kind kind;
};


#pragma clang attribute pop

#endif /* __VMLINUX_H__ */
