// SPDX-License-Identifier: GPL-2.0
/*
 * Shared code of the swiotlb tools: environment checks with one clear line
 * and a distinct exit status each, the ladder of modes (full, fentry,
 * kprobe, tracepoint: the first the kernel allows and that loads and
 * attaches), reading counters and, when it is there, debugfs.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "swiotlb.skel.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

const char *swl_prog = "swiotlb";
static bool verbose;
static struct btf *vmlinux_btf;

/* Every error of the tools: one line, "PROG: " first, and STATUS. */
static void __attribute__((noreturn)) vfail(int status, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", swl_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	exit(status);
}

void swl_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(status, fmt, ap);
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* -v: libbpf's warnings (with a verifier log), not its debug chatter. */
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static bool have_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};
	unsigned long long eff;

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
	eff = d[0].effective | ((unsigned long long)d[1].effective << 32);
	if (eff & (1ULL << CAP_SYS_ADMIN))
		return true;
	return (eff & (1ULL << CAP_BPF)) && (eff & (1ULL << CAP_PERFMON));
}

static bool btf_has(const char *name, int kind)
{
	return vmlinux_btf && btf__find_by_name_kind(vmlinux_btf, name, kind) > 0;
}

/*
 * Whether the kernel has tracepoint NAME, to attach to as a raw tracepoint:
 * each one has a btf_trace_NAME typedef of its probe in the kernel BTF.
 */
static bool raw_tp_has(const char *name)
{
	char t[128];

	snprintf(t, sizeof(t), "btf_trace_%s", name);
	return btf_has(t, BTF_KIND_TYPEDEF);
}

static bool tracefs_has(const char *event)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[256];

	for (unsigned int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/swiotlb/%s/id",
			 roots[i], event);
		if (!access(path, R_OK))
			return true;
	}
	return false;
}

/* A file in tracefs, wherever it is mounted. */
static bool tracefs_file(const char *name)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[256];

	for (unsigned int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", roots[i], name);
		if (!access(path, F_OK))
			return true;
	}
	return false;
}

/* Whether the kernel has a function symbol NAME, which kprobes attach to. */
static bool ksym_has(const char *name)
{
	char line[512], sym[256], type;
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %c %255s", &type, sym) == 2 &&
			(type == 't' || type == 'T') && !strcmp(sym, name);
	fclose(f);
	return found;
}

/* 0: the kernel refuses programs of type T; a probe error is no answer. */
static bool prog_type_ok(enum bpf_prog_type t)
{
	return libbpf_probe_bpf_prog_type(t, NULL) != 0;
}

static const char *const mode_names[SWL_NR_MODES] = {
	"auto", "full", "fentry", "kprobe", "tracepoint",
};

const char *swl_mode_name(enum swl_mode m)
{
	return m < SWL_NR_MODES ? mode_names[m] : "?";
}

/*
 * Whether mode M can run on this kernel, from what it offers: BTF, the
 * program types it loads, tracefs events, kprobes and kernel symbols.
 * 0 if it can, else the exit status of --mode M, and why in WHY.
 */
static int mode_check(struct swl_ctx *c, enum swl_mode m, char *why, size_t len)
{
	static const char *const full_tps[] = {
		"swiotlb_map_slots", "swiotlb_unmap_slots", "swiotlb_map_failed",
	};
	const char *map_fn = "swiotlb_tbl_map_single";

	switch (m) {
	case SWL_MODE_FULL:
		/* Raw tracepoints: known by BTF, attached without tracefs. */
		for (unsigned int i = 0; i < sizeof(full_tps) / sizeof(full_tps[0]); i++) {
			if (raw_tp_has(full_tps[i]))
				continue;
			snprintf(why, len, "the kernel lacks the series' swiotlb tracepoints");
			return SWL_EXIT_NOMODE;
		}
		if (!prog_type_ok(BPF_PROG_TYPE_RAW_TRACEPOINT)) {
			snprintf(why, len, "the kernel does not load BPF raw tracepoint programs");
			return SWL_EXIT_NOMODE;
		}
		c->have_pool_events = raw_tp_has("swiotlb_pool_add") &&
				      raw_tp_has("swiotlb_pool_remove");
		c->have_grow_failed = raw_tp_has("swiotlb_grow_failed");
		c->have_copy = raw_tp_has("swiotlb_bounce_copy");
		return 0;
	case SWL_MODE_FENTRY:
	case SWL_MODE_KPROBE:
		if (!btf_has(map_fn, BTF_KIND_FUNC)) {
			snprintf(why, len, "%s() is not in the kernel BTF", map_fn);
			return SWL_EXIT_NOMODE;
		}
		if (btf_has("__swiotlb_tbl_unmap_single", BTF_KIND_FUNC))
			c->unmap_fn = "__swiotlb_tbl_unmap_single";
		else if (btf_has("swiotlb_tbl_unmap_single", BTF_KIND_FUNC))
			c->unmap_fn = "swiotlb_tbl_unmap_single";
		else {
			snprintf(why, len, "no swiotlb unmap function in the kernel BTF");
			return SWL_EXIT_NOMODE;
		}
		if (m == SWL_MODE_FENTRY) {
			if (!prog_type_ok(BPF_PROG_TYPE_TRACING)) {
				snprintf(why, len, "the kernel does not load BPF tracing (fentry/fexit) programs");
				return SWL_EXIT_NOMODE;
			}
			return 0;
		}
		if (!prog_type_ok(BPF_PROG_TYPE_KPROBE)) {
			snprintf(why, len, "the kernel does not load BPF kprobe programs");
			return SWL_EXIT_NOMODE;
		}
		if (access("/sys/bus/event_source/devices/kprobe/type", R_OK) &&
		    !tracefs_file("kprobe_events")) {
			snprintf(why, len, "the kernel has no kprobes (no /sys/bus/event_source/devices/kprobe, no kprobe_events in tracefs)");
			return SWL_EXIT_NOMODE;
		}
		if (!ksym_has(map_fn) || !ksym_has(c->unmap_fn)) {
			snprintf(why, len, "%s or %s is not in /proc/kallsyms", map_fn, c->unmap_fn);
			return SWL_EXIT_NOMODE;
		}
		return 0;
	case SWL_MODE_TP:
		if (!prog_type_ok(BPF_PROG_TYPE_RAW_TRACEPOINT)) {
			snprintf(why, len, "the kernel does not load BPF raw tracepoint programs");
			return SWL_EXIT_NOMODE;
		}
		if (!raw_tp_has("swiotlb_bounced") && !tracefs_has("swiotlb_bounced")) {
			snprintf(why, len, "the kernel has no swiotlb_bounced tracepoint");
			return SWL_EXIT_NOMODE;
		}
		return 0;
	default:
		snprintf(why, len, "no such mode");
		return SWL_EXIT_USAGE;
	}
}

static long long read_ll(const char *name);

/*
 * Entries of the table of outstanding mappings, when maps are paired with
 * unmaps: one a swiotlb slot, as each mapping takes at least one, from
 * debugfs io_tlb_nslabs, within [SWL_LIVE_MIN, SWL_LIVE_MAX]; more than
 * fit are counted in hold_table_full.
 */
static unsigned int live_entries(void)
{
	long long n = read_ll("io_tlb_nslabs");

	if (n < SWL_LIVE_MIN)
		return SWL_LIVE_MIN;
	return n > SWL_LIVE_MAX ? SWL_LIVE_MAX : (unsigned int)n;
}

/* Open, load and attach the programs of mode M; on failure, why in WHY. */
static int mode_start(struct swl_ctx *c, const struct swl_opts *o, enum swl_mode m,
		      char *why, size_t len)
{
	bool bounced = raw_tp_has("swiotlb_bounced");
	bool pool_unmap = c->unmap_fn && !strcmp(c->unmap_fn, "__swiotlb_tbl_unmap_single");
	/* Tracepoint mode has no unmaps to pair. */
	bool holds = o->holds && m != SWL_MODE_TP;
	struct swiotlb_bpf *s;
	struct bpf_program *p;
	int err;

	s = swiotlb_bpf__open();
	if (!s) {
		err = -errno;
		snprintf(why, len, "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	s->rodata->snoop = o->snoop;
	s->rodata->hist = o->hist;
	s->rodata->hist_per_dev = o->hist && o->hist_per_dev;
	s->rodata->bounce_only = m == SWL_MODE_TP;
	s->rodata->ev_mask = o->ev_mask ? o->ev_mask : ~0U;
	if (o->dev) {
		s->rodata->filter_on = true;
		strncpy((char *)s->rodata->filter_dev, o->dev, SWL_DEV_LEN - 1);
	}
	if (o->snoop)
		bpf_map__set_max_entries(s->maps.events, 8 << 20);
	/* Pairing, and the memory of its table, only when asked for. */
	s->rodata->holds = holds;
	bpf_map__set_max_entries(s->maps.live, holds ? live_entries() : 1);
	/* The table of tasks only takes memory when it is used. */
	s->rodata->count_tasks = o->tasks;
	if (!o->tasks)
		bpf_map__set_max_entries(s->maps.dev_tasks, 1);

	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	switch (m) {
	case SWL_MODE_FULL:
		bpf_program__set_autoload(s->progs.raw_map_slots, true);
		bpf_program__set_autoload(s->progs.raw_unmap_slots, true);
		bpf_program__set_autoload(s->progs.raw_map_failed, true);
		bpf_program__set_autoload(s->progs.raw_pool_add, c->have_pool_events);
		bpf_program__set_autoload(s->progs.raw_pool_remove, c->have_pool_events);
		bpf_program__set_autoload(s->progs.raw_grow_failed, c->have_grow_failed);
		/* Two events a bidirectional mapping: only when asked for. */
		bpf_program__set_autoload(s->progs.raw_bounce_copy,
					  c->have_copy && o->copies);
		break;
	case SWL_MODE_FENTRY:
		bpf_program__set_autoload(s->progs.fexit_map_single, true);
		bpf_program__set_autoload(pool_unmap ? s->progs.fentry_unmap_single_pool
						     : s->progs.fentry_unmap_single, true);
		break;
	case SWL_MODE_KPROBE:
		bpf_program__set_autoload(s->progs.kp_map_single, true);
		bpf_program__set_autoload(s->progs.kret_map_single, true);
		bpf_program__set_autoload(pool_unmap ? s->progs.kp_unmap_single_pool
						     : s->progs.kp_unmap_single, true);
		break;
	default:
		bounced = true;
		break;
	}
	bpf_program__set_autoload(s->progs.raw_bounced, bounced);

	err = swiotlb_bpf__load(s);
	if (err) {
		if (err == -EACCES)
			snprintf(why, len, "the kernel's BPF verifier rejected a program (-v shows its log)");
		else
			snprintf(why, len, "loading its BPF programs failed: %s", strerror(-err));
		swiotlb_bpf__destroy(s);
		return err;
	}
	err = swiotlb_bpf__attach(s);
	if (err) {
		snprintf(why, len, "attaching its BPF programs failed: %s", strerror(-err));
		swiotlb_bpf__destroy(s);
		return err;
	}
	c->skel = s;
	c->mode = m;
	if (!bounced)
		c->lacks[c->nlacks++] = "bounced";
	return 0;
}

static void lack(struct swl_ctx *c, const char *what)
{
	if (c->nlacks < (int)(sizeof(c->lacks) / sizeof(c->lacks[0])))
		c->lacks[c->nlacks++] = what;
}

bool swl_lacks(const struct swl_ctx *c, const char *what)
{
	for (int i = 0; i < c->nlacks; i++)
		if (!strcmp(c->lacks[i], what))
			return true;
	return false;
}

static void print_lacks(FILE *f, const struct swl_ctx *c)
{
	for (int i = 0; i < c->nlacks; i++)
		fprintf(f, "%s%s", i ? ", " : "", c->lacks[i]);
}

void swl_print_start(const struct swl_ctx *c)
{
	fprintf(stderr, "%s: tracing swiotlb in %s mode", swl_prog, swl_mode_name(c->mode));
	if (c->nlacks) {
		fprintf(stderr, " (lacks ");
		print_lacks(stderr, c);
		fputc(')', stderr);
	}
	fprintf(stderr, ". Hit Ctrl-C to end.\n");
}

const char *swl_dbg(void)
{
	const char *d = getenv("SWIOTLB_DEBUGFS");

	return d && *d ? d : SWL_DBG;
}

const char *swl_dbg_file(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", swl_dbg(), name);
	return buf;
}

int swl_setup(struct swl_ctx *c, const struct swl_opts *o)
{
	char why[256], tried[1024] = "", path[512];
	size_t used = 0;
	enum swl_mode m, first, last;
	int err;

	verbose = o->verbose;
	libbpf_set_print(print_fn);
	memset(c, 0, sizeof(*c));

	/* The one place where privilege is blamed: the capabilities lack. */
	if (!have_caps())
		swl_fail(SWL_EXIT_PERM, "permission denied: needs root or CAP_BPF and CAP_PERFMON");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		swl_fail(SWL_EXIT_NOBTF, "no kernel BTF (/sys/kernel/btf/vmlinux): needs CONFIG_DEBUG_INFO_BTF=y");
	vmlinux_btf = btf__load_vmlinux_btf();
	if (!vmlinux_btf)
		swl_fail(SWL_EXIT_NOBTF, "cannot read the kernel BTF: %s", strerror(errno));
	if (!btf_has("swiotlb_tbl_map_single", BTF_KIND_FUNC) &&
	    !raw_tp_has("swiotlb_map_slots") && !raw_tp_has("swiotlb_bounced"))
		swl_fail(SWL_EXIT_NOSWIOTLB, "this kernel has no swiotlb (CONFIG_SWIOTLB)");

	first = o->mode == SWL_MODE_AUTO ? SWL_MODE_FULL : o->mode;
	last = o->mode == SWL_MODE_AUTO ? SWL_MODE_TP : o->mode;
	for (m = first; m <= last; m++) {
		c->unmap_fn = NULL;
		c->have_pool_events = c->have_grow_failed = c->have_copy = false;
		err = mode_check(c, m, why, sizeof(why));
		if (err && o->mode != SWL_MODE_AUTO)
			swl_fail(err, "%s mode cannot run on this kernel: %s",
				 swl_mode_name(m), why);
		if (!err) {
			err = mode_start(c, o, m, why, sizeof(why));
			if (!err)
				break;
			if (o->mode != SWL_MODE_AUTO)
				swl_fail(SWL_EXIT_NOMODE, "%s mode cannot run on this kernel: %s%s",
					 swl_mode_name(m), why, verbose ? "" : " (-v for details)");
		}
		if (verbose)
			fprintf(stderr, "%s: %s mode not usable: %s%s%s\n", swl_prog,
				swl_mode_name(m), why, m < last ? "; trying " : "",
				m < last ? swl_mode_name(m + 1) : "");
		if (used < sizeof(tried))
			used += snprintf(tried + used, sizeof(tried) - used, "%s%s: %s",
					 used ? "; " : "", swl_mode_name(m), why);
	}
	if (m > last)
		swl_fail(SWL_EXIT_NOSUPPORT, "no mode works on this kernel: %s", tried);

	/* What the mode has but was not asked for. */
	if (c->mode != SWL_MODE_TP && !o->holds)
		lack(c, "hold_times");
	switch (c->mode) {
	case SWL_MODE_FULL:
		if (!c->have_pool_events)
			lack(c, "pool_events");
		if (!c->have_grow_failed)
			lack(c, "grow_failed");
		if (!c->have_copy || !o->copies)
			lack(c, "copies");
		lack(c, "find_time");
		break;
	case SWL_MODE_FENTRY:
	case SWL_MODE_KPROBE:
		lack(c, "slots");
		lack(c, "pool_events");
		lack(c, "failure_reasons");
		lack(c, "find_time");
		lack(c, "copies");
		break;
	default:
		lack(c, "unmaps");
		lack(c, "hold_times");
		lack(c, "failures");
		lack(c, "slots");
		lack(c, "pool_events");
		lack(c, "find_time");
		lack(c, "copies");
		break;
	}
	/* debugfs is optional: without it, capacity and pools are n/a. */
	c->have_capacity = !access(swl_dbg_file("io_tlb_nslabs", path, sizeof(path)), R_OK);
	if (!c->have_capacity)
		lack(c, "capacity");
	if (access(swl_dbg_file("pools", path, sizeof(path)), R_OK))
		lack(c, "pools");

	c->ncpus = libbpf_num_possible_cpus();
	if (verbose) {
		fprintf(stderr, "%s: %s mode: ", swl_prog, swl_mode_name(c->mode));
		switch (c->mode) {
		case SWL_MODE_FULL:
			fprintf(stderr, "raw tracepoints swiotlb_{map,unmap}_slots, map_failed%s%s%s",
				c->have_pool_events ? ", pool_{add,remove}" : "",
				c->have_grow_failed ? ", grow_failed" : "",
				c->have_copy && o->copies ? ", bounce_copy" : "");
			break;
		case SWL_MODE_FENTRY:
			fprintf(stderr, "fexit swiotlb_tbl_map_single, fentry %s", c->unmap_fn);
			break;
		case SWL_MODE_KPROBE:
			fprintf(stderr, "kprobe and kretprobe swiotlb_tbl_map_single, kprobe %s",
				c->unmap_fn);
			break;
		default:
			fprintf(stderr, "raw tracepoint swiotlb_bounced alone");
			break;
		}
		if (c->mode != SWL_MODE_TP && !swl_lacks(c, "bounced"))
			fprintf(stderr, ", raw tracepoint swiotlb_bounced");
		if (c->nlacks) {
			fprintf(stderr, "; lacks ");
			print_lacks(stderr, c);
		}
		fputc('\n', stderr);
	}
	return 0;
}

void swl_destroy(struct swl_ctx *c)
{
	swiotlb_bpf__destroy(c->skel);
	c->skel = NULL;
}

void swl_read_stats(struct swl_ctx *c, struct swl_stats *out)
{
	unsigned int n = sizeof(*out) / sizeof(unsigned long long);
	struct swl_stats *v = calloc(c->ncpus, sizeof(*v));
	unsigned int zero = 0;

	memset(out, 0, sizeof(*out));
	if (!v)
		return;
	if (!bpf_map__lookup_elem(c->skel->maps.stats, &zero, sizeof(zero), v,
				  sizeof(*v) * c->ncpus, 0)) {
		for (int cpu = 0; cpu < c->ncpus; cpu++) {
			unsigned long long *a = (void *)out, *b = (void *)&v[cpu];

			for (unsigned int i = 0; i < n; i++)
				a[i] += b[i];
		}
	}
	free(v);
}

static long long read_ll(const char *name)
{
	char path[256];
	long long v = -1;
	FILE *f;

	f = fopen(swl_dbg_file(name, path, sizeof(path)), "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * Whether the kernel counts used slots and their high-water mark for
 * debugfs.  From Linux 7.3 it does only when booted with "track_hiwater"
 * among the swiotlb= options, and io_tlb_used_hiwater (and, without the
 * series' pool listing, io_tlb_used) read 0 otherwise: zeros that are not
 * data.  The option exists when the kernel has the flag it sets; a kernel
 * without it (older, or kallsyms unreadable) always counts.
 */
static bool hiwater_tracked(void)
{
	static int tracked = -1;
	char line[4096], *opt, *save;
	bool has_option = false;
	FILE *f;

	if (tracked >= 0)
		return tracked;
	tracked = 1;
	f = fopen("/proc/kallsyms", "r");
	if (f) {
		while (!has_option && fgets(line, sizeof(line), f)) {
			char *name = strrchr(line, ' ');

			has_option = name && !strcmp(name, " track_hiwater_enabled\n");
		}
		fclose(f);
	}
	if (!has_option)
		return tracked;
	tracked = 0;
	f = fopen("/proc/cmdline", "r");
	if (!f)
		return tracked;
	if (fgets(line, sizeof(line), f)) {
		for (opt = strtok_r(line, " \n", &save); opt; opt = strtok_r(NULL, " \n", &save))
			if (!strncmp(opt, "swiotlb=", 8) && strstr(opt, "track_hiwater"))
				tracked = 1;
	}
	fclose(f);
	return tracked;
}

void swl_note_untracked(void)
{
	char path[256];
	bool listing;

	if (hiwater_tracked() || access(swl_dbg_file("io_tlb_used_hiwater", path, sizeof(path)), R_OK))
		return;
	listing = !access(swl_dbg_file("pools", path, sizeof(path)), R_OK);
	fprintf(stderr, "%s: this kernel counts swiotlb's high-water mark%s only when booted "
		"with swiotlb=...,track_hiwater: shown as n/a\n", swl_prog,
		listing ? "" : " and used slots");
}

void swl_read_kstate(struct swl_kstate *k, bool pools)
{
	char line[512], path[512];
	FILE *f;

	k->nslabs = read_ll("io_tlb_nslabs");
	k->used = read_ll("io_tlb_used");
	k->hiwater = read_ll("io_tlb_used_hiwater");
	if (!hiwater_tracked()) {
		/* The series' pool listing comes with used slots that are
		 * counted whatever the option. */
		k->hiwater = -1;
		if (access(swl_dbg_file("pools", path, sizeof(path)), R_OK))
			k->used = -1;
	}
	k->transient = read_ll("io_tlb_transient_nslabs");
	k->npools = 0;
	k->have_pools = false;
	if (!pools)
		return;
	f = fopen(swl_dbg_file("pools", path, sizeof(path)), "r");
	if (!f)
		return;
	k->have_pools = true;
	while (k->npools < SWL_MAX_POOLS && fgets(line, sizeof(line), f)) {
		struct swl_pool *p = &k->pools[k->npools];

		if (sscanf(line, "%llx %llx %15s %lu %u %lu %llu %31s", &p->start,
			   &p->end, p->kind, &p->nslabs, &p->nareas, &p->used,
			   &p->created_ns, p->owner) == 8)
			k->npools++;
	}
	fclose(f);
}

/* Name of an enum value: the table of the known ones, else the kernel's
 * BTF (a newer kernel's additions), else the number. */
static const char *enum_name(const char *const *tab, int n, const char *enum_type,
			     const char *prefix, int v, char *buf, size_t len)
{
	if (v >= 0 && v < n && tab[v])
		return tab[v];
	if (vmlinux_btf && enum_type) {
		int id = btf__find_by_name_kind(vmlinux_btf, enum_type, BTF_KIND_ENUM);
		const struct btf_type *t = id > 0 ? btf__type_by_id(vmlinux_btf, id) : NULL;

		if (t) {
			const struct btf_enum *e = btf_enum(t);

			for (int i = 0; i < btf_vlen(t); i++, e++) {
				const char *s = btf__name_by_offset(vmlinux_btf, e->name_off);

				if (e->val != v || !s)
					continue;
				if (!strncmp(s, prefix, strlen(prefix)))
					s += strlen(prefix);
				snprintf(buf, len, "%s", s);
				for (char *q = buf; *q; q++)
					*q = tolower(*q);
				return buf;
			}
		}
	}
	snprintf(buf, len, "%d", v);
	return buf;
}

const char *swl_reason_name(int r, char *buf, size_t len)
{
	static const char *const t[] = { "too_big", "full", "transient" };

	if (r < 0 || r == SWL_NR_ENUM - 1)
		return "unknown";
	return enum_name(t, 3, "swiotlb_fail_reason", "SWIOTLB_FAIL_", r, buf, len);
}

const char *swl_cause_name(int c, char *buf, size_t len)
{
	static const char *const t[] = {
		"boot", "late_init", "grow", "transient", "restricted",
		"transient_unmapped", "teardown",
	};

	return enum_name(t, 7, "swiotlb_pool_cause", "SWIOTLB_POOL_", c, buf, len);
}

const char *swl_kind_name(int k, char *buf, size_t len)
{
	static const char *const t[] = { "default", "dynamic", "transient", "restricted" };

	return enum_name(t, 4, "swiotlb_pool_kind", "SWIOTLB_POOL_", k, buf, len);
}

unsigned long long swl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Wall clock time of a CLOCK_MONOTONIC (bpf_ktime_get_ns) timestamp. */
void swl_fmt_time(unsigned long long mono_ns, char *buf, size_t len)
{
	static unsigned long long offset;
	unsigned long long real;
	struct tm tm;
	time_t t;

	if (!offset) {
		struct timespec rt, mt;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_MONOTONIC, &mt);
		offset = (rt.tv_sec - mt.tv_sec) * 1000000000ULL + rt.tv_nsec - mt.tv_nsec;
	}
	real = mono_ns + offset;
	t = real / 1000000000ULL;
	localtime_r(&t, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06llu", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (real % 1000000000ULL) / 1000);
}

/*
 * Options are parsed with getopt_long(), not argp: the tools share this one
 * parser, whose messages (one line: "swiotlbtop: INTERVAL '0': must be
 * from 0.01 to 3600 seconds") and exit statuses (2 for any bad flag or
 * value, 0 for --help) the tests and the man pages rely on.  argp prints
 * its own --help and --usage text, adds options of its own (--usage, -?,
 * -V), and leaves with its own exit status (64, EX_USAGE) on a bad flag;
 * the tools would have to undo each.
 */
void swl_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(SWL_EXIT_USAGE, fmt, ap);
}

/*
 * A value in a message stays on its one line: in quotes, a control byte
 * as \xNN, at most SHOWN bytes of it.  Two buffers: a message may show two.
 */
#define SHOWN	160
const char *swl_shown(const char *s)
{
	static char bufs[2][SHOWN * 4 + 8];
	static int next;
	char *b = bufs[next++ % 2], *q = b;
	size_t i;

	*q++ = '\'';
	for (i = 0; s[i] && i < SHOWN; i++) {
		unsigned char ch = s[i];

		if (ch < 0x20 || ch == 0x7f)
			q += sprintf(q, "\\x%02x", ch);
		else
			*q++ = ch;
	}
	if (s[i])
		q += sprintf(q, "...");
	*q++ = '\'';
	*q = 0;
	return b;
}

static const char *opt_short = "";
static const struct option *opt_long;

const char *swl_opt_name(int val)
{
	static char buf[64];
	const struct option *o = opt_long;
	int n = 0;

	if (val > 0 && val < 128 && val != ':' && strchr(opt_short, val))
		n = snprintf(buf, sizeof(buf), "-%c", val);
	for (; o && o->name; o++) {
		if (o->val == val) {
			snprintf(buf + n, sizeof(buf) - n, "%s--%s", n ? "/" : "", o->name);
			return buf;
		}
	}
	return n ? buf : "an option";
}

int swl_getopt(int argc, char *const argv[], const char *shortopts,
	       const struct option *longopts)
{
	char spec[64];
	const char *arg;
	int c;

	/* ':' first: a missing value is ':', told apart from an unknown '?'. */
	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opt_short = shortopts;
	opt_long = longopts;
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c == ':')
		swl_usage_err("%s needs a value", swl_opt_name(optopt));
	if (c != '?')
		return c;
	/*
	 * optopt is 0 for an unknown or ambiguous long option, the option's
	 * value for a long one given a value it does not take (--json=1),
	 * else the unknown letter, which may be inside a group (-bX), where
	 * ARG may be the element before it.
	 */
	arg = argv[optind - 1];
	if (optopt && !strncmp(arg, "--", 2) && strchr(arg, '=')) {
		for (const struct option *o = longopts; o->name; o++)
			if (o->val == optopt && o->has_arg == no_argument)
				swl_usage_err("%s takes no value: %s", swl_opt_name(optopt),
					      swl_shown(arg));
	}
	if (optopt) {
		char letter[3] = { '-', (char)optopt, 0 };

		arg = letter;
		swl_usage_err("unknown option %s (%s --help lists them)", swl_shown(arg), swl_prog);
	}
	swl_usage_err("unknown or ambiguous option %s (%s --help lists them)", swl_shown(arg),
		      swl_prog);
}

int swl_parse_mode(const char *s, enum swl_mode *m)
{
	if (!strcmp(s, "auto"))
		*m = SWL_MODE_AUTO;
	else if (!strcmp(s, "full"))
		*m = SWL_MODE_FULL;
	else if (!strcmp(s, "fentry") || !strcmp(s, "reduced"))
		*m = SWL_MODE_FENTRY;	/* "reduced": its name before the ladder */
	else if (!strcmp(s, "kprobe"))
		*m = SWL_MODE_KPROBE;
	else if (!strcmp(s, "tracepoint"))
		*m = SWL_MODE_TP;
	else
		return -1;
	return 0;
}

bool swl_common_opt(int c, const char *arg, const char *usage, struct swl_opts *o)
{
	switch (c) {
	case 'd':
		if (!*arg)
			swl_usage_err("%s '': empty value", swl_opt_name(c));
		if (strlen(arg) >= SWL_DEV_LEN)
			swl_usage_err("%s %s: longer than a device name (%d characters)",
				      swl_opt_name(c), swl_shown(arg), SWL_DEV_LEN - 1);
		o->dev = arg;
		return true;
	case 'j':
		o->json = true;
		return true;
	case 'm':
		if (swl_parse_mode(arg, &o->mode))
			swl_usage_err("%s %s: not a mode (auto, full, fentry, kprobe or tracepoint)",
				      swl_opt_name(c), swl_shown(arg));
		return true;
	case 'v':
		o->verbose = true;
		return true;
	case 'h':
		fputs(usage, stdout);
		exit(SWL_EXIT_OK);
	default:
		return false;
	}
}

/*
 * The one parser of every number the tools take: S in decimal digits, a
 * '-' at most before them (so that "-1" is told as too small), and with
 * WHOLE false a fraction and an exponent ("0.5", "1e-2").  Nothing else:
 * no space, '+', hex, inf or nan, which strtol() and strtod() would take,
 * and nothing after the number.  NULL, or what is wrong; *RANGE when the
 * number is too large or too small for a long or a double.
 */
static const char *parse_number(const char *s, bool whole, long *l, double *d, bool *range)
{
	const char *digits = s + (*s == '-');
	const char *what = whole ? "not a whole number" : "not a number";
	bool lead = isdigit((unsigned char)digits[0]) ||
		    (!whole && digits[0] == '.' && isdigit((unsigned char)digits[1]));
	char *end;

	*range = false;
	if (!*s)
		return "empty value";
	if (!lead || digits[strspn(digits, whole ? "0123456789" : "0123456789.eE+-")])
		return what;
	errno = 0;
	if (whole)
		*l = strtol(s, &end, 10);
	else
		*d = strtod(s, &end);
	if (end == s || *end)
		return what;
	*range = errno == ERANGE;
	return NULL;
}

long swl_parse_count(const char *what, const char *s, long min, long max)
{
	const char *why;
	bool range;
	long v = 0;

	why = parse_number(s, true, &v, NULL, &range);
	if (why)
		swl_usage_err("%s %s: %s", what, swl_shown(s), why);
	if ((range && v < 0) || v < min)
		swl_usage_err("%s %s: must be at least %ld", what, swl_shown(s), min);
	if (range || v > max)
		swl_usage_err("%s %s: must be at most %ld", what, swl_shown(s), max);
	return v;
}

double swl_parse_seconds(const char *what, const char *s, double min, double max)
{
	const char *why;
	double v = 0;
	bool range;

	why = parse_number(s, false, NULL, &v, &range);
	if (why)
		swl_usage_err("%s %s: %s%s", what, swl_shown(s), why,
			      *s ? " of seconds" : "");
	if (range || !(min ? v >= min : v > 0) || !(v <= max)) {
		if (!min)
			swl_usage_err("%s %s: must be more than 0 and at most %.15g seconds",
				      what, swl_shown(s), max);
		swl_usage_err("%s %s: must be from %.15g to %.15g seconds", what,
			      swl_shown(s), min, max);
	}
	return v;
}

void swl_check_output(const char *what, const char *path)
{
	struct stat st;
	int err = 0;

	if (!*path)
		swl_usage_err("%s '': empty value", what);
	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			err = EISDIR;
		else if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS))
			err = errno;
	} else if (errno != ENOENT) {
		err = errno;
	} else {
		/* To be created: its directory must be there, and writable. */
		char *copy = strdup(path);

		if (!copy)
			swl_fail(SWL_EXIT_ERROR, "out of memory");
		if (faccessat(AT_FDCWD, dirname(copy), W_OK | X_OK, AT_EACCESS))
			err = errno;
		free(copy);
	}
	if (err)
		swl_fail(SWL_EXIT_ERROR, "%s %s: cannot write: %s", what, swl_shown(path),
			 strerror(err));
}

volatile sig_atomic_t swl_exiting;

static void sig_handler(int sig)
{
	(void)sig;
	swl_exiting = 1;
}

void swl_handle_signals(void)
{
	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
}

/* ---- JSON ---- */

/*
 * S as a JSON string: quote and backslash escaped, control characters as
 * \uXXXX, valid UTF-8 passed through and any other byte (a kernel string
 * is not always UTF-8) as U+FFFD, so that every line parses.
 */
void swl_json_quote(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned char ch = *p;
		int n = 0;

		if (ch == '"' || ch == '\\') {
			fprintf(f, "\\%c", ch);
			p++;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f) {
			fprintf(f, "\\u%04x", ch);
			p++;
			continue;
		}
		if (ch < 0x80) {
			fputc(ch, f);
			p++;
			continue;
		}
		/* Length of a UTF-8 sequence, from its lead byte. */
		if (ch >= 0xc2 && ch <= 0xdf)
			n = 2;
		else if (ch >= 0xe0 && ch <= 0xef)
			n = 3;
		else if (ch >= 0xf0 && ch <= 0xf4)
			n = 4;
		for (int i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				n = 0;
				break;
			}
		}
		/* No overlong forms, surrogates or code points past U+10FFFF. */
		if ((n == 3 && ch == 0xe0 && p[1] < 0xa0) ||
		    (n == 3 && ch == 0xed && p[1] >= 0xa0) ||
		    (n == 4 && ch == 0xf0 && p[1] < 0x90) ||
		    (n == 4 && ch == 0xf4 && p[1] >= 0x90))
			n = 0;
		if (!n) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

/* The comma before a value, and its key. */
static void json_key(struct swl_json *j, const char *key)
{
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
	if (key) {
		swl_json_quote(j->f, key);
		fputc(':', j->f);
	}
}

static void json_open(struct swl_json *j, const char *key, char ch)
{
	json_key(j, key);
	fputc(ch, j->f);
	if (j->depth < SWL_JSON_DEPTH - 1)
		j->depth++;
	j->more[j->depth] = false;
	j->open[j->depth] = ch;
}

void swl_json_obj(struct swl_json *j, const char *key)
{
	json_open(j, key, '{');
}

void swl_json_arr(struct swl_json *j, const char *key)
{
	json_open(j, key, '[');
}

void swl_json_close(struct swl_json *j)
{
	fputc(j->open[j->depth] == '[' ? ']' : '}', j->f);
	if (j->depth > 0)
		j->depth--;
}

void swl_json_begin(struct swl_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	fputc('{', f);
	swl_json_u64(j, "schema", SWL_JSON_SCHEMA);
}

void swl_json_end(struct swl_json *j)
{
	while (j->depth > 0)
		swl_json_close(j);
	fputs("}\n", j->f);
	fflush(j->f);
}

void swl_json_null(struct swl_json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void swl_json_bool(struct swl_json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void swl_json_str(struct swl_json *j, const char *key, const char *s)
{
	json_key(j, key);
	swl_json_quote(j->f, s);
}

void swl_json_str_or_null(struct swl_json *j, const char *key, const char *s)
{
	if (s && *s)
		swl_json_str(j, key, s);
	else
		swl_json_null(j, key);
}

void swl_json_u64(struct swl_json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", v);
}

void swl_json_s64(struct swl_json *j, const char *key, long long v)
{
	json_key(j, key);
	fprintf(j->f, "%lld", v);
}

/* Addresses are strings ("0x..."): a 64-bit value is not exact as a
 * JSON number in most parsers. */
void swl_json_hex(struct swl_json *j, const char *key, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	swl_json_str(j, key, buf);
}

void swl_json_fixed(struct swl_json *j, const char *key, double v)
{
	json_key(j, key);
	fprintf(j->f, "%.3f", v);
}

void swl_json_u64_if(struct swl_json *j, const char *key, unsigned long long v, bool have)
{
	if (have)
		swl_json_u64(j, key, v);
	else
		swl_json_null(j, key);
}

void swl_json_hex_if(struct swl_json *j, const char *key, unsigned long long v, bool have)
{
	if (have)
		swl_json_hex(j, key, v);
	else
		swl_json_null(j, key);
}

void swl_json_known(struct swl_json *j, const char *key, long long v)
{
	if (v >= 0)
		swl_json_s64(j, key, v);
	else
		swl_json_null(j, key);
}

void swl_json_lacks(struct swl_json *j, const struct swl_ctx *c)
{
	swl_json_arr(j, "lacks");
	for (int i = 0; i < c->nlacks; i++)
		swl_json_str(j, NULL, c->lacks[i]);
	swl_json_close(j);
}

/* ---- events ---- */

static const char *const event_names[] = {
	[SWL_EV_MAP] = "map",
	[SWL_EV_UNMAP] = "unmap",
	[SWL_EV_FAIL] = "map_failed",
	[SWL_EV_POOL_ADD] = "pool_add",
	[SWL_EV_POOL_REMOVE] = "pool_remove",
	[SWL_EV_GROW_FAIL] = "grow_failed",
	[SWL_EV_BOUNCE] = "bounced",
};
#define NR_EVENT_NAMES	(sizeof(event_names) / sizeof(event_names[0]))

const char *swl_event_name(unsigned int type)
{
	return type < NR_EVENT_NAMES && event_names[type] ? event_names[type] : "?";
}

int swl_event_type(const char *name)
{
	for (unsigned int i = 1; i < NR_EVENT_NAMES; i++)
		if (event_names[i] && !strcmp(name, event_names[i]))
			return i;
	return 0;
}

/*
 * A comma separated list of event names, each known and none empty (a
 * stray comma is more likely a mistake than a wish).
 */
unsigned int swl_parse_events(const char *what, const char *list)
{
	char names[128] = "", name[32];
	unsigned int mask = 0;
	const char *p = list;

	if (!*list)
		swl_usage_err("%s '': empty value", what);
	for (;;) {
		size_t len = strcspn(p, ",");
		int type = 0;

		if (!len)
			swl_usage_err("%s %s: an empty event type (a comma too many)", what,
				      swl_shown(list));
		if (len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = 0;
			type = swl_event_type(name);
		}
		if (!type) {
			for (unsigned int i = 1; i < NR_EVENT_NAMES; i++)
				if (event_names[i])
					snprintf(names + strlen(names), sizeof(names) - strlen(names),
						 "%s%s", *names ? ", " : "", event_names[i]);
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
			swl_usage_err("%s %s: unknown event type %s (%s)", what, swl_shown(list),
				      swl_shown(name), names);
		}
		mask |= 1U << type;
		if (!p[len])
			return mask;
		p += len + 1;
	}
}

void swl_print_event(FILE *f, const struct swl_ctx *c, const struct swl_event *e,
		     enum swl_event_layout layout)
{
	bool full = c->mode == SWL_MODE_FULL;
	char ts[32], b1[32], b2[32];

	swl_fmt_time(e->ts, ts, sizeof(ts));
	if (layout == SWL_EV_LINE_TOP) {
		/* Pool events and failures only: swiotlbtop gets no others. */
		fprintf(f, "%s %-11s ", ts, swl_event_name(e->type));
		switch (e->type) {
		case SWL_EV_POOL_ADD:
		case SWL_EV_POOL_REMOVE:
			fprintf(f, "pool 0x%llx %s %llu slots cause %s", e->pool,
				swl_kind_name(e->kind, b1, sizeof(b1)), e->nslots,
				swl_cause_name(e->code, b2, sizeof(b2)));
			if (e->type == SWL_EV_POOL_REMOVE)
				fprintf(f, " lifetime %.3f ms", e->ns / 1e6);
			if (e->dev[0])
				fprintf(f, " dev %s", e->dev);
			break;
		case SWL_EV_FAIL:
			fprintf(f, "dev %s size %llu reason %s", e->dev, e->size,
				swl_reason_name(e->code, b1, sizeof(b1)));
			if (full)
				fprintf(f, " used %llu/%llu", e->used, e->total);
			break;
		case SWL_EV_GROW_FAIL:
			fprintf(f, "%llu slots cause %s", e->nslots,
				swl_cause_name(e->code, b1, sizeof(b1)));
			break;
		}
		fputc('\n', f);
		return;
	}
	fprintf(f, "%-15s %3u %7u %-15.15s %-20.20s %-11s ", ts, e->cpu, e->pid, e->comm,
		e->dev[0] ? e->dev : "-", swl_event_name(e->type));
	switch (e->type) {
	case SWL_EV_MAP:
	case SWL_EV_UNMAP:
		fprintf(f, "%8llu ", e->size);
		if (full)
			fprintf(f, "pool 0x%llx slot %llu+%llu", e->pool, e->index, e->nslots);
		else
			fprintf(f, "tlb 0x%llx", e->addr);
		if (e->type == SWL_EV_UNMAP)
			fprintf(f, " held %.1f us", e->ns / 1e3);
		break;
	case SWL_EV_FAIL:
		fprintf(f, "%8llu reason %s", e->size, swl_reason_name(e->code, b1, sizeof(b1)));
		if (full)
			fprintf(f, " used %llu/%llu", e->used, e->total);
		break;
	case SWL_EV_POOL_ADD:
	case SWL_EV_POOL_REMOVE:
		fprintf(f, "%8llu pool 0x%llx %s cause %s", e->nslots * 2048, e->pool,
			swl_kind_name(e->kind, b1, sizeof(b1)),
			swl_cause_name(e->code, b2, sizeof(b2)));
		if (e->type == SWL_EV_POOL_REMOVE)
			fprintf(f, " lifetime %.3f ms", e->ns / 1e6);
		break;
	case SWL_EV_GROW_FAIL:
		fprintf(f, "%8llu cause %s", e->nslots * 2048,
			swl_cause_name(e->code, b1, sizeof(b1)));
		break;
	case SWL_EV_BOUNCE:
		fprintf(f, "%8llu dma 0x%llx", e->size, e->addr);
		break;
	}
	fputc('\n', f);
}

/*
 * One event: the same members for every type and mode, null where the
 * type or the mode has no such value (the man pages list them).
 */
void swl_json_event(struct swl_json *j, const struct swl_ctx *c, const struct swl_event *e)
{
	unsigned int t = e->type;
	bool full = c->mode == SWL_MODE_FULL;
	bool mapping = t == SWL_EV_MAP || t == SWL_EV_UNMAP;
	bool pool = t == SWL_EV_POOL_ADD || t == SWL_EV_POOL_REMOVE;
	bool sized = mapping || t == SWL_EV_FAIL || t == SWL_EV_BOUNCE;
	char b[32];

	swl_json_u64(j, "ts_ns", e->ts);
	swl_json_str(j, "type", swl_event_name(t));
	swl_json_u64(j, "cpu", e->cpu);
	swl_json_u64(j, "pid", e->pid);
	swl_json_str(j, "comm", e->comm);
	swl_json_str_or_null(j, "dev", e->dev);
	swl_json_u64_if(j, "size", e->size, sized);
	swl_json_u64_if(j, "alloc_size", e->alloc_size,
			full && (t == SWL_EV_MAP || t == SWL_EV_FAIL));
	swl_json_hex_if(j, "tlb_addr", e->addr, mapping);
	swl_json_hex_if(j, "orig_addr", e->orig, t == SWL_EV_MAP);
	if (t == SWL_EV_MAP)
		swl_json_s64(j, "dir", e->dir);
	else
		swl_json_null(j, "dir");
	swl_json_hex_if(j, "pool", e->pool, (mapping && full) || pool);
	swl_json_u64_if(j, "index", e->index, mapping && full);
	swl_json_u64_if(j, "nslots", e->nslots, mapping && full);
	swl_json_u64_if(j, "hold_ns", e->ns, t == SWL_EV_UNMAP);
	if (t == SWL_EV_FAIL && full)
		swl_json_str(j, "reason", swl_reason_name(e->code, b, sizeof(b)));
	else
		swl_json_null(j, "reason");
	swl_json_u64_if(j, "used", e->used, t == SWL_EV_FAIL && full);
	swl_json_u64_if(j, "total", e->total, t == SWL_EV_FAIL && full);
	swl_json_hex_if(j, "end", e->end, pool);
	if (pool)
		swl_json_str(j, "kind", swl_kind_name(e->kind, b, sizeof(b)));
	else
		swl_json_null(j, "kind");
	swl_json_u64_if(j, "nslabs", e->nslots, pool || t == SWL_EV_GROW_FAIL);
	if (pool || t == SWL_EV_GROW_FAIL)
		swl_json_str(j, "cause", swl_cause_name(e->code, b, sizeof(b)));
	else
		swl_json_null(j, "cause");
	swl_json_u64_if(j, "lifetime_ns", e->ns, t == SWL_EV_POOL_REMOVE);
	swl_json_hex_if(j, "dev_addr", e->addr, t == SWL_EV_BOUNCE);
}
