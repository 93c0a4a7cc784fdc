/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal kernel type definitions for the swiotlb tools' BPF programs.
 *
 * Instead of a full vmlinux.h (tens of thousands of lines, specific to one
 * build), this header carries only the types the programs touch.  They were
 * taken from "bpftool btf dump file vmlinux format c" of the patched kernel
 * (scripts/build-kernel.sh patched test, Linux 7.3.4 with patches/), and the
 * tracepoint records from include/trace/events/swiotlb.h of the series.
 * Every struct is marked preserve_access_index, so field offsets are
 * relocated (CO-RE) against the running kernel's BTF, /sys/kernel/btf/vmlinux:
 * the layout below only has to carry the right field names and types.
 * Fields a kernel lacks are tested with bpf_core_field_exists() before use.
 *
 * scripts/check-vmlinux-h.sh checks every struct and field below against
 * the BTF of the patched test kernel; make test runs it.  The reference:
 *   bpftool btf dump file $CACHE/build/.build/patched-test/vmlinux format c |
 *     grep -A16 'struct trace_event_raw_swiotlb'
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

struct io_tlb_pool {
	phys_addr_t start;
	phys_addr_t end;
	long unsigned int nslabs;
};

struct trace_entry {
	short unsigned int type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_swiotlb_bounced {
	struct trace_entry ent;
	u32 __data_loc_dev_name;
	u64 dma_mask;
	dma_addr_t dev_addr;
	size_t size;
	bool force;
	char __data[0];
};

struct trace_event_raw_swiotlb_map_slots {
	struct trace_entry ent;
	u32 __data_loc_dev_name;
	u64 orig_addr;
	u64 tlb_addr;
	size_t mapping_size;
	size_t alloc_size;
	u64 pool;
	unsigned int index;
	unsigned int nslots;
	unsigned int pad_slots;
	int dir;
	long unsigned int attrs;
	char __data[0];
};

struct trace_event_raw_swiotlb_unmap_slots {
	struct trace_entry ent;
	u32 __data_loc_dev_name;
	u64 tlb_addr;
	u64 pool;
	unsigned int index;
	unsigned int nslots;
	char __data[0];
};

struct trace_event_raw_swiotlb_map_failed {
	struct trace_entry ent;
	u32 __data_loc_dev_name;
	size_t mapping_size;
	size_t alloc_size;
	unsigned int alloc_align_mask;
	unsigned int min_align_mask;
	long unsigned int used;
	long unsigned int total;
	int reason;
	char __data[0];
};

/* Class of swiotlb_pool_add and swiotlb_pool_remove. */
struct trace_event_raw_swiotlb_pool {
	struct trace_entry ent;
	u64 start;
	u64 end;
	long unsigned int nslabs;
	unsigned int nareas;
	int kind;
	int cause;
	u64 lifetime_ns;
	u32 __data_loc_dev_name;
	char __data[0];
};

struct trace_event_raw_swiotlb_grow_failed {
	struct trace_entry ent;
	long unsigned int nslabs;
	int cause;
	char __data[0];
};

struct trace_event_raw_swiotlb_bounce_copy {
	struct trace_entry ent;
	u32 __data_loc_dev_name;
	u64 tlb_addr;
	size_t size;
	int dir;
	char __data[0];
};

#pragma clang attribute pop

#endif /* __VMLINUX_H__ */
