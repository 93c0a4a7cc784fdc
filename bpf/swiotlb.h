/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared between the BPF side (bpf/swiotlb.bpf.c) and the user space tools
 * (tools/swiotlbtop.c, tools/swiotlbsnoop.c).  Enum values reported by the
 * kernel (failure reasons, pool kinds and causes) are kept as numbers; a
 * value the tools do not know is counted in the last slot ("other") and
 * printed as a number, so newer kernels with more reasons keep working.
 */
#ifndef SWIOTLB_TOOLS_H
#define SWIOTLB_TOOLS_H

#define SWL_DEV_LEN	32
#define SWL_COMM_LEN	16
#define SWL_NR_ENUM	16	/* slots for reasons/causes/kinds, a power of 2;
				 * the last one counts unknown values */
#define SWL_HIST_SLOTS	40	/* log2 buckets */
#define SWL_MAX_DEVS	1024	/* devices counted, in BPF and in swiotlbtop */
#define SWL_DEV_CACHE	8	/* devices each CPU knows without a lookup,
				 * a power of 2 */
#define SWL_LIVE_MIN	65536	/* outstanding mappings tracked, at least */
#define SWL_LIVE_MAX	(1 << 20)	/* and at most (the swiotlb slots) */
#define SWL_NR_DIRS	4	/* DMA directions, the kernel's numbers: 0
				 * bidirectional, 1 to device, 2 from device,
				 * 3 none (never a mapping's) */
#define SWL_MAX_TASKS	4096	/* task and device pairs counted, the least
				 * recently used make room (the screen) */

enum swl_hist_id {
	SWL_HIST_SIZE,		/* mapping size, bytes */
	SWL_HIST_HOLD,		/* map to unmap, ns */
	SWL_HIST_FIND,		/* time to find slots: not measured, always
				 * empty; kept for the JSON key find_ns */
	SWL_NR_HIST,
};

/* Global counters, one element of a per-CPU array; cumulative. */
struct swl_stats {
	unsigned long long maps;
	unsigned long long map_bytes;		/* sum of mapping_size */
	unsigned long long map_alloc_bytes;	/* sum of alloc_size */
	unsigned long long map_slots;
	unsigned long long unmaps;
	unsigned long long unmap_slots;
	unsigned long long unmatched_unmaps;	/* map not seen (before start) */
	unsigned long long hold_ns;		/* sum over matched unmaps */
	unsigned long long hold_n;
	unsigned long long fails[SWL_NR_ENUM];	/* by reason */
	unsigned long long pool_add[SWL_NR_ENUM];	/* by cause */
	unsigned long long pool_add_slots;
	unsigned long long pool_remove[SWL_NR_ENUM];	/* by cause */
	unsigned long long pool_remove_slots;
	unsigned long long grow_failed[SWL_NR_ENUM];	/* by cause */
	unsigned long long bounced;		/* swiotlb_bounced events */
	unsigned long long bounced_bytes;	/* their sizes */
	unsigned long long copies[2];		/* to_device, to_cpu */
	unsigned long long copy_bytes[2];
	unsigned long long events_lost;		/* ring buffer full */
	unsigned long long live_full;		/* hold table full */
	unsigned long long devs_full;		/* device table full: a map,
						 * unmap or failure not counted
						 * in a device row */
	unsigned long long dev_hists_full;	/* per-device histogram table
						 * full: a value not counted */
};

struct swl_dev_key {
	char name[SWL_DEV_LEN];
};

/*
 * A device's slot in the devs array: its name, written before the slot is
 * used (an empty name: not yet), and whether -d leaves it out.  Several
 * slots can have one name (a device seen by two CPUs at once, or a struct
 * device reused for another device): swiotlbtop adds them up.
 */
struct swl_dev_info {
	struct swl_dev_key key;
	unsigned int skip;
	unsigned int pad;
};

/* Per device, per CPU, cumulative. */
struct swl_dev {
	unsigned long long maps;
	unsigned long long bytes;
	unsigned long long unmaps;
	unsigned long long map_slots;	/* slots taken and released, from */
	unsigned long long unmap_slots;	/* the counters alone (full mode) */
	/* Only when maps are paired with unmaps (rodata holds): */
	long long slots;		/* slots of the outstanding mappings */
	long long outstanding;		/* mappings seen mapped, not yet
					 * unmapped: an unmap counts here
					 * (and in slots) only when its map
					 * is in the live table */
	unsigned long long fails;
	unsigned long long hold_ns;
	unsigned long long hold_n;
	unsigned long long hold_max_ns;	/* of hold_max_epoch */
	unsigned long long hold_max_epoch;	/* hold_epoch of the BPF side
						 * when hold_max_ns was set */
	unsigned long long hold_prev_max_ns;	/* of hold_prev_epoch: the */
	unsigned long long hold_prev_epoch;	/* maximum a new epoch
						 * replaced, kept for the read
						 * of its interval */
	unsigned long long dir_maps[SWL_NR_DIRS];	/* by DMA direction; */
	unsigned long long dir_bytes[SWL_NR_DIRS];	/* not in tracepoint mode */
};

/*
 * The mappings a task made on a device (swiotlbtop's screen only), in a
 * least-recently-used table: a task is its thread group (the process).
 */
struct swl_task_key {
	struct swl_dev_key dev;
	unsigned int tgid;		/* 0: no task context (interrupt,
					 * softirq, NMI, or the idle task) */
	unsigned int pad;
};

struct swl_task {
	unsigned long long maps;	/* cumulative, since the entry was made */
	unsigned long long bytes;
	char comm[SWL_COMM_LEN];	/* of a thread of it; empty for tgid 0 */
};

struct swl_live_key {
	unsigned long long pool;	/* pool start, 0 in reduced mode */
	unsigned long long addr;	/* slot index, or tlb_addr (reduced) */
};

struct swl_live {
	unsigned long long ts;
	unsigned long long size;
	unsigned long long nslots;	/* 0 without slot counts */
};

struct swl_hist_key {
	struct swl_dev_key dev;		/* all zero: all devices */
	unsigned int hist;		/* enum swl_hist_id */
	unsigned int slot;
};

enum swl_event_type {
	SWL_EV_MAP = 1,
	SWL_EV_UNMAP,
	SWL_EV_FAIL,
	SWL_EV_POOL_ADD,
	SWL_EV_POOL_REMOVE,
	SWL_EV_GROW_FAIL,
	SWL_EV_BOUNCE,		/* swiotlb_bounced, tracepoint mode */
};

struct swl_event {
	unsigned long long ts;		/* CLOCK_MONOTONIC ns */
	unsigned int type;
	unsigned int cpu;
	unsigned int pid;
	int dir;
	int code;			/* reason or cause */
	int kind;			/* pool kind */
	char comm[SWL_COMM_LEN];
	char dev[SWL_DEV_LEN];
	unsigned long long pool;	/* pool start */
	unsigned long long end;		/* pool end */
	unsigned long long addr;	/* tlb_addr; dev_addr of a bounce */
	unsigned long long orig;	/* orig_addr */
	unsigned long long size;	/* mapping size */
	unsigned long long alloc_size;
	unsigned long long index;
	unsigned long long nslots;	/* slots, or pool nslabs */
	unsigned long long used;	/* failure: used slots */
	unsigned long long total;	/* failure: total slots */
	unsigned long long ns;		/* hold time or pool lifetime */
};

#endif /* SWIOTLB_TOOLS_H */
