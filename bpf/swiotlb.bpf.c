// SPDX-License-Identifier: GPL-2.0
/*
 * BPF side of swiotlbtop and swiotlbsnoop.
 *
 * Four modes, tried by user space in this order; it disables the programs
 * of the modes it does not use:
 *  - full (patched kernel): the swiotlb_* lifecycle tracepoints;
 *  - fentry (stock kernels >= 6.6): fexit on swiotlb_tbl_map_single(),
 *    fentry on __swiotlb_tbl_unmap_single() (or swiotlb_tbl_unmap_single()
 *    before 6.10);
 *  - kprobe: the same functions with kprobe/kretprobe, for kernels without
 *    BPF trampolines;
 *  - tracepoint: the swiotlb_bounced raw tracepoint alone (bounce_only):
 *    mappings and bytes per device and the size histogram, nothing about
 *    unmaps, slots or pools.
 * The first three modes also count swiotlb_bounced when the kernel has it.
 * The first three count each device's mappings by DMA direction too.
 * All four count them by task and device for swiotlbtop's screen
 * (count_tasks).
 *
 * Pairing each map with its unmap in the live hash table, for hold times
 * and what the mappings made since start still hold, costs a hash update
 * on every map and a lookup and delete on every unmap: most of what the
 * programs cost a mapping (issue 15).  It is done only when asked for
 * (rodata holds: swiotlbtop --holds, swiotlbsnoop when it shows unmaps),
 * and the verifier drops the code otherwise; without it the devices'
 * counters still say what was mapped and released (maps, unmaps, slots).
 *
 * Counting is done here, in per-CPU maps holding cumulative values; user
 * space takes per-interval deltas.  Only rare events (pool changes,
 * failures) and, for swiotlbsnoop, every event cross the ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "swiotlb.h"

#define DMA_TO_DEVICE		1
#define MAPPING_ERROR		(~0ULL)
#define EEXIST			17
/* preempt_count bits set outside task context (in_task() false). */
#define NMI_MASK		0x00f00000
#define HARDIRQ_MASK		0x000f0000
#define SOFTIRQ_OFFSET		0x00000100

const volatile bool snoop = false;	/* every map/unmap to the ring buffer */
const volatile bool hist = false;	/* histograms */
const volatile bool hist_per_dev = false;
const volatile bool filter_on = false;
const volatile bool bounce_only = false;	/* tracepoint mode */
const volatile bool count_tasks = false;	/* the dev_tasks table */
const volatile bool holds = false;	/* pair maps and unmaps (live) */
const volatile char filter_dev[SWL_DEV_LEN] = {};
/* Bit 1 << type for each enum swl_event_type to send (swiotlbsnoop -e). */
const volatile unsigned int ev_mask = ~0U;
/*
 * Interval number, advanced by swiotlbtop at the end of each interval: a
 * device's maximum hold time is that of the interval it was set in.
 */
volatile unsigned long long hold_epoch;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct swl_stats);
} stats SEC(".maps");

/*
 * Devices.  An event knows its device by the struct device pointer; the
 * first event of a device gives it a slot, a number below SWL_MAX_DEVS
 * taken from ndevs, kept in dev_slots, with the device's name in
 * dev_info[slot] and its counters in devs[slot], per CPU.  Each CPU keeps
 * the slots of the devices it saw last in dev_cache, so that an event
 * neither reads the device's name nor hashes it (most of what an event
 * cost before, issue 15).  The name is read once: a struct device freed
 * and reused for another device while the tool runs keeps the first
 * one's name.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SWL_MAX_DEVS);
	__type(key, u64);
	__type(value, u32);
} dev_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SWL_MAX_DEVS);
	__type(key, u32);
	__type(value, struct swl_dev_info);
} dev_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SWL_MAX_DEVS);
	__type(key, u32);
	__type(value, struct swl_dev);
} devs SEC(".maps");

/* Direct mapped by the device pointer; dev 0: an empty entry. */
struct dev_cache {
	u64 dev[SWL_DEV_CACHE];
	u32 slot[SWL_DEV_CACHE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct dev_cache);
} dev_cache SEC(".maps");

/* Slots given out; may pass SWL_MAX_DEVS, when the table is full. */
unsigned int ndevs;

/*
 * Mappings by device and task.  Not per CPU: its size does not grow with
 * the CPUs, at the cost of atomic adds; least recently used entries make
 * room for new ones.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SWL_MAX_TASKS);
	__type(key, struct swl_task_key);
	__type(value, struct swl_task);
} dev_tasks SEC(".maps");

/*
 * Outstanding allocations, for hold times (only with holds); sized by user
 * space, to one entry without holds.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SWL_LIVE_MIN);
	__type(key, struct swl_live_key);
	__type(value, struct swl_live);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SWL_NR_HIST * SWL_HIST_SLOTS);
	__type(key, u32);
	__type(value, u64);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct swl_hist_key);
	__type(value, u64);
} dev_hists SEC(".maps");

/* Arguments of swiotlb_tbl_map_single() between kprobe and kretprobe. */
struct kp_map_args {
	struct device *dev;
	u64 orig;
	u64 size;
	int dir;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct kp_map_args);
} kp_args SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/*
 * Whether the program runs on behalf of a task, not of an interrupt,
 * softirq or NMI that came while the task ran, as the kernel's in_task().
 * Told where the task has the preempt count, on arm64.  Elsewhere (x86
 * keeps it per CPU, which a program reads only through a kernel symbol
 * that kernels without CONFIG_KALLSYMS_ALL do not give) every context
 * counts as a task's: only the idle task's (pid 0) is known for none.
 */
static __always_inline bool in_task(void)
{
#ifdef __TARGET_ARCH_arm64
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	u32 pc;

	if (!bpf_core_field_exists(t->thread_info.preempt_count))
		return true;
	pc = BPF_CORE_READ(t, thread_info.preempt_count);
	return !(pc & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET));
#else
	return true;
#endif
}

static __always_inline struct swl_stats *get_stats(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline u32 enum_slot(int v)
{
	u32 i = v;

	if (i >= SWL_NR_ENUM)
		i = SWL_NR_ENUM - 1;
	/* Keep the bound in the register the verifier sees. */
	barrier_var(i);
	return i & (SWL_NR_ENUM - 1);
}

static __always_inline u32 log2l(u64 v)
{
	u32 r = 0;

	#pragma unroll
	for (int s = 32; s > 0; s >>= 1) {
		if (v >= (1ULL << s)) {
			v >>= s;
			r += s;
		}
	}
	return r;
}

static __always_inline bool dev_ok(const struct swl_dev_key *k)
{
	if (!filter_on)
		return true;
	#pragma unroll
	for (int i = 0; i < SWL_DEV_LEN; i++) {
		if (k->name[i] != filter_dev[i])
			return false;
		if (!k->name[i])
			break;
	}
	return true;
}

static __always_inline void hist_add(const struct swl_dev_key *k, u32 h, u64 v)
{
	u32 slot = log2l(v);
	u32 idx;
	u64 *c;

	if (!hist)
		return;
	if (slot >= SWL_HIST_SLOTS)
		slot = SWL_HIST_SLOTS - 1;
	idx = h * SWL_HIST_SLOTS + slot;
	c = bpf_map_lookup_elem(&hists, &idx);
	if (c)
		*c += 1;
	if (hist_per_dev) {
		struct swl_hist_key hk = {};
		static const u64 one = 1;

		__builtin_memcpy(&hk.dev, k, sizeof(hk.dev));
		hk.hist = h;
		hk.slot = slot;
		c = bpf_map_lookup_elem(&dev_hists, &hk);
		if (c) {
			__sync_fetch_and_add(c, 1);
		} else {
			long err = bpf_map_update_elem(&dev_hists, &hk, &one, BPF_NOEXIST);

			if (err == -EEXIST) {
				c = bpf_map_lookup_elem(&dev_hists, &hk);
				if (c)
					__sync_fetch_and_add(c, 1);
			} else if (err) {
				u32 zero = 0;
				struct swl_stats *s = bpf_map_lookup_elem(&stats, &zero);

				if (s)
					s->dev_hists_full++;
			}
		}
	}
}

/*
 * A mapping of SIZE bytes on device K, counted for the task that made it;
 * in interrupt context or in the idle task (pid 0) for none (tgid 0).
 */
static __always_inline void account_task(const struct swl_dev_key *k, u64 size)
{
	static const struct swl_task zero;
	struct swl_task_key tk = {};
	struct swl_task *t;
	u64 id;

	if (!count_tasks)
		return;
	__builtin_memcpy(&tk.dev, k, sizeof(tk.dev));
	id = bpf_get_current_pid_tgid();
	if ((u32)id && in_task())
		tk.tgid = id >> 32;
	t = bpf_map_lookup_elem(&dev_tasks, &tk);
	if (!t) {
		bpf_map_update_elem(&dev_tasks, &tk, &zero, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&dev_tasks, &tk);
		if (!t)
			return;
	}
	__sync_fetch_and_add(&t->maps, 1);
	__sync_fetch_and_add(&t->bytes, size);
	if (tk.tgid && !t->comm[0])
		bpf_get_current_comm(t->comm, sizeof(t->comm));
}

static __always_inline struct swl_event *ev_new(struct swl_stats *s, u32 type,
						const struct swl_dev_key *k)
{
	struct swl_event *e;

	/* An event not asked for is not sent, and not lost either. */
	if (!(ev_mask & (1U << type)))
		return NULL;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		if (s)
			s->events_lost++;
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts = bpf_ktime_get_ns();
	e->type = type;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (k)
		__builtin_memcpy(e->dev, k->name, sizeof(e->dev));
	return e;
}

static __always_inline void dev_name(struct device *dev, struct swl_dev_key *k)
{
	const char *name = BPF_CORE_READ(dev, init_name);

	if (!name)
		name = BPF_CORE_READ(dev, kobj.name);
	bpf_probe_read_kernel_str(k->name, sizeof(k->name), name);
}

#define SLOT_SKIP	(1U << 31)	/* -d leaves the device out */
#define SLOT_NONE	(~0U)		/* no slot: the table is full */

/* A new slot for DEV, its name read; SLOT_NONE (counted in S) if none. */
static __always_inline u32 dev_slot_new(struct swl_stats *s, struct device *dev)
{
	u64 key = (u64)dev;
	struct swl_dev_info *info;
	u32 n, *sp;

	n = __sync_fetch_and_add(&ndevs, 1);
	info = n < SWL_MAX_DEVS ? bpf_map_lookup_elem(&dev_info, &n) : NULL;
	if (!info) {
		if (s)
			s->devs_full++;
		return SLOT_NONE;
	}
	dev_name(dev, &info->key);
	info->skip = !dev_ok(&info->key);
	if (info->skip)
		n |= SLOT_SKIP;
	if (!bpf_map_update_elem(&dev_slots, &key, &n, BPF_NOEXIST))
		return n;
	/* Another CPU gave DEV a slot first: that one counts. */
	sp = bpf_map_lookup_elem(&dev_slots, &key);
	return sp ? *sp : SLOT_NONE;
}

/* DEV's slot, SLOT_SKIP set when -d leaves it out; SLOT_NONE if none. */
static __always_inline u32 dev_slot(struct swl_stats *s, struct device *dev)
{
	u32 zero = 0, i = ((u64)dev >> 6) & (SWL_DEV_CACHE - 1);
	struct dev_cache *c = bpf_map_lookup_elem(&dev_cache, &zero);
	u64 key = (u64)dev;
	u32 n, *sp;

	if (c && key && c->dev[i] == key)
		return c->slot[i];
	sp = bpf_map_lookup_elem(&dev_slots, &key);
	n = sp ? *sp : dev_slot_new(s, dev);
	if (c && n != SLOT_NONE) {
		c->dev[i] = key;
		c->slot[i] = n;
	}
	return n;
}

/* The device of an event. */
struct dev_ref {
	struct swl_dev *d;		/* its counters; NULL: table full */
	const struct swl_dev_key *k;	/* its name, when asked for */
	struct swl_dev_key buf;
};

/*
 * Device DEV of an event into R: false when -d leaves it out.  R->k is
 * its name when NAME (else NULL), from dev_info unless it has no slot.
 */
static __always_inline bool dev_get(struct swl_stats *s, struct device *dev,
				    bool name, struct dev_ref *r)
{
	u32 slot = dev_slot(s, dev);
	struct swl_dev_info *info;

	r->d = NULL;
	r->k = NULL;
	if (slot == SLOT_NONE) {
		__builtin_memset(&r->buf, 0, sizeof(r->buf));
		if (name || filter_on)
			dev_name(dev, &r->buf);
		r->k = &r->buf;
		return dev_ok(&r->buf);
	}
	if (slot & SLOT_SKIP)
		return false;
	r->d = bpf_map_lookup_elem(&devs, &slot);
	if (name) {
		info = bpf_map_lookup_elem(&dev_info, &slot);
		if (info) {
			r->k = &info->key;
		} else {
			__builtin_memset(&r->buf, 0, sizeof(r->buf));
			r->k = &r->buf;
		}
	}
	return true;
}

/*
 * A mapping starts to be held (holds only): in the live table, found and
 * released by its unmap, and only by it.  A map that does not fit the
 * table is counted (live_full) and not held by its device.
 */
static __always_inline void hold_start(struct swl_stats *s, struct swl_dev *d,
				       u64 pool, u64 index, u64 size, u64 nslots)
{
	struct swl_live_key lk = { .pool = pool, .addr = index };
	struct swl_live lv = {
		.ts = bpf_ktime_get_ns(), .size = size, .nslots = nslots,
	};

	if (bpf_map_update_elem(&live, &lk, &lv, BPF_ANY)) {
		s->live_full++;
	} else if (d) {
		d->slots += nslots;
		d->outstanding++;
	}
}

/*
 * The mapping of an unmap stops being held (holds only): its hold time,
 * into *HOLD, and its size, into *SIZE, when its map is in the live table.
 */
static __always_inline void hold_end(struct swl_stats *s, struct swl_dev *d,
				     const struct swl_dev_key *k, u64 pool,
				     u64 index, u64 *hold, u64 *size)
{
	struct swl_live_key lk = { .pool = pool, .addr = index };
	struct swl_live *lv;

	lv = bpf_map_lookup_elem(&live, &lk);
	if (!lv) {
		s->unmatched_unmaps++;
		return;
	}
	*hold = bpf_ktime_get_ns() - lv->ts;
	*size = lv->size;
	if (d) {
		d->slots -= lv->nslots;
		d->outstanding--;
	}
	bpf_map_delete_elem(&live, &lk);
	s->hold_ns += *hold;
	s->hold_n++;
	if (d) {
		d->hold_ns += *hold;
		d->hold_n++;
		if (d->hold_max_epoch != hold_epoch) {
			/*
			 * swiotlbtop may not have read the old epoch's
			 * maximum yet: it moves the epoch before it reads
			 * the devices.
			 */
			d->hold_prev_max_ns = d->hold_max_ns;
			d->hold_prev_epoch = d->hold_max_epoch;
			d->hold_max_epoch = hold_epoch;
			d->hold_max_ns = 0;
		}
		if (*hold > d->hold_max_ns)
			d->hold_max_ns = *hold;
	}
	hist_add(k, SWL_HIST_HOLD, *hold);
}

/* Accounting shared by the modes that see maps and unmaps. */
static __always_inline void account_map(void *ctx, struct device *dev,
					u64 pool, u64 index, u64 addr, u64 orig,
					u64 size, u64 alloc, u64 nslots, int dir)
{
	const struct swl_dev_key *k;
	struct dev_ref r;
	struct swl_stats *s;
	struct swl_dev *d;

	s = get_stats();
	if (!s)
		return;
	if (!dev_get(s, dev, count_tasks || hist_per_dev || snoop, &r))
		return;
	d = r.d;
	k = r.k;
	s->maps++;
	s->map_bytes += size;
	s->map_alloc_bytes += alloc;
	s->map_slots += nslots;
	if (d) {
		u32 i = dir & (SWL_NR_DIRS - 1);

		d->maps++;
		d->bytes += size;
		d->dir_maps[i]++;
		d->dir_bytes[i] += size;
		d->map_slots += nslots;
	}
	account_task(k, size);
	if (holds)
		hold_start(s, d, pool, index, size, nslots);
	hist_add(k, SWL_HIST_SIZE, size);
	if (snoop) {
		struct swl_event *e = ev_new(s, SWL_EV_MAP, k);

		if (!e)
			return;
		e->pool = pool;
		e->index = pool ? index : 0;
		e->addr = addr;
		e->orig = orig;
		e->size = size;
		e->alloc_size = alloc;
		e->nslots = nslots;
		e->dir = dir;
		bpf_ringbuf_submit(e, 0);
	}
}

static __always_inline void account_unmap(struct device *dev, u64 pool,
					  u64 index, u64 addr, u64 nslots)
{
	const struct swl_dev_key *k;
	struct dev_ref r;
	struct swl_stats *s;
	struct swl_dev *d;
	u64 hold = 0, size = 0;

	s = get_stats();
	if (!s)
		return;
	if (!dev_get(s, dev, (holds && hist_per_dev) || snoop, &r))
		return;
	d = r.d;
	k = r.k;
	s->unmaps++;
	s->unmap_slots += nslots;
	if (d) {
		d->unmaps++;
		d->unmap_slots += nslots;
	}
	if (holds)
		hold_end(s, d, k, pool, index, &hold, &size);
	if (snoop) {
		struct swl_event *e = ev_new(s, SWL_EV_UNMAP, k);

		if (!e)
			return;
		e->pool = pool;
		e->index = pool ? index : 0;
		e->addr = addr;
		e->size = size;
		e->nslots = nslots;
		e->ns = hold;
		bpf_ringbuf_submit(e, 0);
	}
}

/*
 * ---- full mode: the series' tracepoints ----
 *
 * Attached as raw tracepoints: the programs get the tracepoint's arguments
 * (TP_PROTO of include/trace/events/swiotlb.h) and not a trace record, so
 * the kernel does not build one (the device's name copied, a per-CPU
 * buffer) for each event, and tracefs need not be mounted.
 */

/*
 * The start of POOL, which names a mapping's pool: only pairing and
 * swiotlbsnoop's events need it, and reading it costs a helper call.
 */
static __always_inline u64 pool_start(const struct io_tlb_pool *pool)
{
	return holds || snoop ? BPF_CORE_READ(pool, start) : 0;
}

/* Slots of ALLOC bytes, as the swiotlb_map_slots record counts them. */
#define IO_TLB_SHIFT		11
#define alloc_slots(alloc)	(((alloc) + (1ULL << IO_TLB_SHIFT) - 1) >> IO_TLB_SHIFT)

SEC("raw_tp/swiotlb_map_slots")
int BPF_PROG(raw_map_slots, struct device *dev, phys_addr_t orig_addr,
	     phys_addr_t tlb_addr, size_t mapping_size, size_t alloc_size,
	     const struct io_tlb_pool *pool, unsigned int index,
	     unsigned int pad_slots, int dir)
{
	account_map(ctx, dev, pool_start(pool), index, tlb_addr,
		    orig_addr, mapping_size, alloc_size, alloc_slots(alloc_size),
		    dir);
	return 0;
}

SEC("raw_tp/swiotlb_unmap_slots")
int BPF_PROG(raw_unmap_slots, struct device *dev, phys_addr_t tlb_addr,
	     const struct io_tlb_pool *pool, unsigned int index,
	     unsigned int nslots)
{
	account_unmap(dev, pool_start(pool), index, tlb_addr, nslots);
	return 0;
}

SEC("raw_tp/swiotlb_map_failed")
int BPF_PROG(raw_map_failed, struct device *dev, size_t mapping_size,
	     size_t alloc_size, unsigned int alloc_align_mask,
	     unsigned long used, unsigned long total, int reason)
{
	struct swl_stats *s;
	struct swl_event *e;
	struct dev_ref r;

	s = get_stats();
	if (!s)
		return 0;
	if (!dev_get(s, dev, true, &r))
		return 0;
	s->fails[enum_slot(reason)]++;
	if (r.d)
		r.d->fails++;
	e = ev_new(s, SWL_EV_FAIL, r.k);
	if (!e)
		return 0;
	e->size = mapping_size;
	e->alloc_size = alloc_size;
	e->used = used;
	e->total = total;
	e->code = reason;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int pool_event(const struct io_tlb_pool *pool,
				      const char *devname, int cause,
				      u64 lifetime_ns, u32 type)
{
	struct swl_dev_key k = {};
	struct swl_stats *s;
	struct swl_event *e;
	u64 nslabs = BPF_CORE_READ(pool, nslabs);

	s = get_stats();
	if (!s)
		return 0;
	if (type == SWL_EV_POOL_ADD) {
		s->pool_add[enum_slot(cause)]++;
		s->pool_add_slots += nslabs;
	} else {
		s->pool_remove[enum_slot(cause)]++;
		s->pool_remove_slots += nslabs;
	}
	bpf_probe_read_kernel_str(k.name, sizeof(k.name), devname);
	e = ev_new(s, type, &k);
	if (!e)
		return 0;
	e->pool = BPF_CORE_READ(pool, start);
	e->end = BPF_CORE_READ(pool, end);
	e->nslots = nslabs;
	e->kind = BPF_CORE_READ(pool, kind);
	e->code = cause;
	e->ns = lifetime_ns;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tp/swiotlb_pool_add")
int BPF_PROG(raw_pool_add, const struct io_tlb_pool *pool, const char *devname,
	     int cause, u64 lifetime_ns)
{
	return pool_event(pool, devname, cause, lifetime_ns, SWL_EV_POOL_ADD);
}

SEC("raw_tp/swiotlb_pool_remove")
int BPF_PROG(raw_pool_remove, const struct io_tlb_pool *pool,
	     const char *devname, int cause, u64 lifetime_ns)
{
	return pool_event(pool, devname, cause, lifetime_ns, SWL_EV_POOL_REMOVE);
}

SEC("raw_tp/swiotlb_grow_failed")
int BPF_PROG(raw_grow_failed, unsigned long nslabs, int cause)
{
	struct swl_stats *s;
	struct swl_event *e;

	s = get_stats();
	if (!s)
		return 0;
	s->grow_failed[enum_slot(cause)]++;
	e = ev_new(s, SWL_EV_GROW_FAIL, NULL);
	if (!e)
		return 0;
	e->nslots = nslabs;
	e->code = cause;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tp/swiotlb_bounce_copy")
int BPF_PROG(raw_bounce_copy, struct device *dev, phys_addr_t tlb_addr,
	     size_t size, int dir)
{
	struct swl_stats *s;
	struct dev_ref r;
	u32 i = dir == DMA_TO_DEVICE ? 0 : 1;

	s = get_stats();
	if (!s)
		return 0;
	if (filter_on && !dev_get(s, dev, false, &r))
		return 0;
	s->copies[i]++;
	s->copy_bytes[i] += size;
	return 0;
}

/* ---- fentry and kprobe modes: function entry/exit ---- */

/* A swiotlb_tbl_map_single() call returned ret. */
static __always_inline void map_done(void *ctx, struct device *dev, u64 orig,
				     u64 size, int dir, u64 ret)
{
	struct swl_stats *s;
	struct swl_event *e;
	struct dev_ref r;

	if (ret != MAPPING_ERROR) {
		account_map(ctx, dev, 0, ret, ret, orig, size, 0, 0, dir);
		return;
	}
	s = get_stats();
	if (!s)
		return;
	if (!dev_get(s, dev, true, &r))
		return;
	s->fails[SWL_NR_ENUM - 1]++;
	if (r.d)
		r.d->fails++;
	e = ev_new(s, SWL_EV_FAIL, r.k);
	if (!e)
		return;
	e->size = size;
	e->code = -1;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void unmap_start(struct device *dev, u64 tlb_addr)
{
	account_unmap(dev, 0, tlb_addr, tlb_addr, 0);
}

SEC("fexit/swiotlb_tbl_map_single")
int BPF_PROG(fexit_map_single, struct device *dev, phys_addr_t orig_addr,
	     size_t mapping_size, unsigned int alloc_align_mask, int dir,
	     unsigned long attrs, phys_addr_t ret)
{
	map_done(ctx, dev, orig_addr, mapping_size, dir, ret);
	return 0;
}

/* 6.10 and later */
SEC("fentry/__swiotlb_tbl_unmap_single")
int BPF_PROG(fentry_unmap_single_pool, struct device *dev,
	     phys_addr_t tlb_addr, size_t mapping_size)
{
	unmap_start(dev, tlb_addr);
	return 0;
}

/* 6.6 to 6.9 */
SEC("fentry/swiotlb_tbl_unmap_single")
int BPF_PROG(fentry_unmap_single, struct device *dev, phys_addr_t tlb_addr,
	     size_t mapping_size)
{
	unmap_start(dev, tlb_addr);
	return 0;
}

SEC("kprobe/swiotlb_tbl_map_single")
int BPF_KPROBE(kp_map_single, struct device *dev, phys_addr_t orig_addr,
	       size_t mapping_size, unsigned int alloc_align_mask, int dir)
{
	u64 id = bpf_get_current_pid_tgid();
	struct kp_map_args a = {
		.dev = dev, .orig = orig_addr, .size = mapping_size, .dir = dir,
	};

	bpf_map_update_elem(&kp_args, &id, &a, BPF_ANY);
	return 0;
}

SEC("kretprobe/swiotlb_tbl_map_single")
int BPF_KRETPROBE(kret_map_single, phys_addr_t ret)
{
	u64 id = bpf_get_current_pid_tgid();
	struct kp_map_args *a = bpf_map_lookup_elem(&kp_args, &id);
	struct kp_map_args c;

	if (!a)
		return 0;
	c = *a;
	bpf_map_delete_elem(&kp_args, &id);
	map_done(ctx, c.dev, c.orig, c.size, c.dir, ret);
	return 0;
}

SEC("kprobe/__swiotlb_tbl_unmap_single")
int BPF_KPROBE(kp_unmap_single_pool, struct device *dev, phys_addr_t tlb_addr)
{
	unmap_start(dev, tlb_addr);
	return 0;
}

SEC("kprobe/swiotlb_tbl_unmap_single")
int BPF_KPROBE(kp_unmap_single, struct device *dev, phys_addr_t tlb_addr)
{
	unmap_start(dev, tlb_addr);
	return 0;
}

/*
 * Every mode: bytes of streaming mappings that were bounced.  In tracepoint
 * mode (bounce_only) it is all there is: each event is a mapping through
 * swiotlb (traced before the slots are searched, so failed attempts count
 * too), counted as a map of its device with its size.
 */
SEC("raw_tp/swiotlb_bounced")
int BPF_PROG(raw_bounced, struct device *dev, dma_addr_t dev_addr, size_t size)
{
	struct swl_stats *s;
	struct swl_event *e;
	struct dev_ref r;

	s = get_stats();
	if (!s)
		return 0;
	if ((filter_on || bounce_only) &&
	    !dev_get(s, dev, count_tasks || hist_per_dev || snoop, &r))
		return 0;
	s->bounced++;
	s->bounced_bytes += size;
	if (!bounce_only)
		return 0;
	s->maps++;
	s->map_bytes += size;
	if (r.d) {
		r.d->maps++;
		r.d->bytes += size;
	}
	account_task(r.k, size);
	hist_add(r.k, SWL_HIST_SIZE, size);
	if (!snoop)
		return 0;
	e = ev_new(s, SWL_EV_BOUNCE, r.k);
	if (!e)
		return 0;
	e->addr = dev_addr;
	e->size = size;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
