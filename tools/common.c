// SPDX-License-Identifier: GPL-2.0
/*
 * Shared code of the swiotlb tools: environment checks with one clear line
 * and a distinct exit status each, mode selection from the kernel's BTF,
 * loading and attaching the BPF programs, reading counters and debugfs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "swiotlb.skel.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

const char *swl_prog = "swiotlb";
static bool verbose;
static struct btf *vmlinux_btf;

void swl_fail(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", swl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
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

const char *swl_mode_name(enum swl_mode m)
{
	return m == SWL_MODE_FULL ? "full" : m == SWL_MODE_REDUCED ? "reduced" : "auto";
}

int swl_setup(struct swl_ctx *c, const struct swl_opts *o)
{
	static const char *const full_tps[] = {
		"swiotlb_map_slots", "swiotlb_unmap_slots", "swiotlb_map_failed",
	};
	struct swiotlb_bpf *s;
	struct bpf_program *p;
	struct statfs sfs;
	bool full;
	int err;

	verbose = o->verbose;
	libbpf_set_print(print_fn);
	memset(c, 0, sizeof(*c));

	if (!have_caps())
		swl_fail(SWL_EXIT_PERM, "permission denied: needs root or CAP_BPF and CAP_PERFMON");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		swl_fail(SWL_EXIT_NOBTF, "no kernel BTF (/sys/kernel/btf/vmlinux): needs CONFIG_DEBUG_INFO_BTF=y");
	if (statfs(SWL_DEBUGFS, &sfs) || sfs.f_type != DEBUGFS_MAGIC)
		swl_fail(SWL_EXIT_NODEBUGFS, "debugfs is not mounted on %s (mount -t debugfs none %s)",
			 SWL_DEBUGFS, SWL_DEBUGFS);
	vmlinux_btf = btf__load_vmlinux_btf();
	if (!vmlinux_btf)
		swl_fail(SWL_EXIT_NOBTF, "cannot read the kernel BTF: %s", strerror(errno));
	if (!btf_has("swiotlb_tbl_map_single", BTF_KIND_FUNC) &&
	    !btf_has("trace_event_raw_swiotlb_map_slots", BTF_KIND_STRUCT))
		swl_fail(SWL_EXIT_NOSWIOTLB, "this kernel has no swiotlb (CONFIG_SWIOTLB)");
	if (access(SWL_DBG "/io_tlb_nslabs", R_OK))
		fprintf(stderr, "%s: swiotlb has no pool on this kernel (no %s/io_tlb_nslabs, swiotlb=noforce?): capacity unknown\n",
			swl_prog, SWL_DBG);
	full = btf_has("trace_event_raw_swiotlb_map_slots", BTF_KIND_STRUCT);
	if (o->mode == SWL_MODE_FULL && !full)
		swl_fail(SWL_EXIT_NOSUPPORT, "full mode needs the swiotlb lifecycle tracepoints, which this kernel lacks");
	c->mode = full && o->mode != SWL_MODE_REDUCED ? SWL_MODE_FULL : SWL_MODE_REDUCED;

	if (c->mode == SWL_MODE_FULL) {
		for (unsigned int i = 0; i < sizeof(full_tps) / sizeof(full_tps[0]); i++)
			if (!tracefs_has(full_tps[i]))
				swl_fail(SWL_EXIT_NOTRACEFS, "tracefs is not mounted, or lacks events/swiotlb/%s (mount -t tracefs none /sys/kernel/tracing)",
					 full_tps[i]);
		c->have_pool_events = btf_has("trace_event_raw_swiotlb_pool", BTF_KIND_STRUCT) &&
				      tracefs_has("swiotlb_pool_add") && tracefs_has("swiotlb_pool_remove");
		c->have_grow_failed = btf_has("trace_event_raw_swiotlb_grow_failed", BTF_KIND_STRUCT) &&
				      tracefs_has("swiotlb_grow_failed");
		c->have_copy = btf_has("trace_event_raw_swiotlb_bounce_copy", BTF_KIND_STRUCT) &&
			       tracefs_has("swiotlb_bounce_copy");
	} else {
		if (!btf_has("swiotlb_tbl_map_single", BTF_KIND_FUNC))
			swl_fail(SWL_EXIT_NOSUPPORT, "this kernel has neither the swiotlb tracepoints nor swiotlb_tbl_map_single() in BTF");
		if (btf_has("__swiotlb_tbl_unmap_single", BTF_KIND_FUNC))
			c->unmap_fn = "__swiotlb_tbl_unmap_single";
		else if (btf_has("swiotlb_tbl_unmap_single", BTF_KIND_FUNC))
			c->unmap_fn = "swiotlb_tbl_unmap_single";
		else
			swl_fail(SWL_EXIT_NOSUPPORT, "no swiotlb unmap function in the kernel BTF");
	}

	s = swiotlb_bpf__open();
	if (!s)
		swl_fail(SWL_EXIT_ERROR, "cannot open the BPF object: %s", strerror(errno));
	c->skel = s;
	s->rodata->snoop = o->snoop;
	s->rodata->hist = o->hist;
	s->rodata->hist_per_dev = o->hist && o->hist_per_dev;
	if (o->dev) {
		s->rodata->filter_on = true;
		strncpy((char *)s->rodata->filter_dev, o->dev, SWL_DEV_LEN - 1);
	}
	if (o->snoop)
		bpf_map__set_max_entries(s->maps.events, 8 << 20);

	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	if (c->mode == SWL_MODE_FULL) {
		bpf_program__set_autoload(s->progs.tp_map_slots, true);
		bpf_program__set_autoload(s->progs.tp_unmap_slots, true);
		bpf_program__set_autoload(s->progs.tp_map_failed, true);
		bpf_program__set_autoload(s->progs.tp_pool_add, c->have_pool_events);
		bpf_program__set_autoload(s->progs.tp_pool_remove, c->have_pool_events);
		bpf_program__set_autoload(s->progs.tp_grow_failed, c->have_grow_failed);
		bpf_program__set_autoload(s->progs.tp_bounce_copy, c->have_copy);
		/*
		 * The time to find slots (fentry swiotlb_tbl_map_single() to
		 * swiotlb_map_slots) is not offered yet: in the test guest the
		 * tracepoint program did not see the entry timestamps.
		 */
		bpf_program__set_autoload(s->progs.fentry_map_single, false);
	} else {
		bpf_program__set_autoload(s->progs.fexit_map_single, true);
		if (!strcmp(c->unmap_fn, "__swiotlb_tbl_unmap_single"))
			bpf_program__set_autoload(s->progs.fentry_unmap_single_pool, true);
		else
			bpf_program__set_autoload(s->progs.fentry_unmap_single, true);
	}
	bpf_program__set_autoload(s->progs.raw_bounced,
				  btf_has("btf_trace_swiotlb_bounced", BTF_KIND_TYPEDEF));

	err = swiotlb_bpf__load(s);
	if (err) {
		if (err == -EPERM)
			swl_fail(SWL_EXIT_PERM, "permission denied loading BPF programs (-v for details)");
		if (err == -EACCES)
			swl_fail(SWL_EXIT_ERROR, "the kernel's BPF verifier rejected a program (-v shows its log)");
		swl_fail(SWL_EXIT_ERROR, "failed to load the BPF programs: %s (-v for details)",
			 strerror(-err));
	}
	err = swiotlb_bpf__attach(s);
	if (err)
		swl_fail(err == -EPERM || err == -EACCES ? SWL_EXIT_PERM : SWL_EXIT_ERROR,
			 "failed to attach the BPF programs: %s (-v for details)", strerror(-err));
	c->ncpus = libbpf_num_possible_cpus();
	if (verbose) {
		fprintf(stderr, "%s: %s mode: ", swl_prog, swl_mode_name(c->mode));
		if (c->mode == SWL_MODE_FULL)
			fprintf(stderr, "tracepoints swiotlb_{map,unmap}_slots, map_failed%s%s%s\n",
				c->have_pool_events ? ", pool_{add,remove}" : " (no pool events)",
				c->have_grow_failed ? ", grow_failed" : "",
				c->have_copy ? ", bounce_copy" : "");
		else
			fprintf(stderr, "fexit swiotlb_tbl_map_single, fentry %s, raw tracepoint swiotlb_bounced; no pool events, slot counts or failure reasons\n",
				c->unmap_fn);
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

	snprintf(path, sizeof(path), SWL_DBG "/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

void swl_read_kstate(struct swl_kstate *k, bool pools)
{
	char line[512];
	FILE *f;

	k->nslabs = read_ll("io_tlb_nslabs");
	k->used = read_ll("io_tlb_used");
	k->hiwater = read_ll("io_tlb_used_hiwater");
	k->transient = read_ll("io_tlb_transient_nslabs");
	k->npools = 0;
	k->have_pools = false;
	if (!pools)
		return;
	f = fopen(SWL_DBG "/pools", "r");
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

void swl_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
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

void swl_usage_err(const char *usage, const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", swl_prog, msg, arg ? ": " : "", arg ? arg : "");
	fputs(usage, stderr);
	exit(SWL_EXIT_USAGE);
}

int swl_parse_mode(const char *s, enum swl_mode *m)
{
	if (!strcmp(s, "auto"))
		*m = SWL_MODE_AUTO;
	else if (!strcmp(s, "full"))
		*m = SWL_MODE_FULL;
	else if (!strcmp(s, "reduced"))
		*m = SWL_MODE_REDUCED;
	else
		return -1;
	return 0;
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
