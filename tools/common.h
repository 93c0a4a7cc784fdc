/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SWIOTLB_COMMON_H
#define SWIOTLB_COMMON_H

#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include "swiotlb.h"

/* Exit statuses shared by the tools; see the man pages. */
enum {
	SWL_EXIT_OK = 0,
	SWL_EXIT_ERROR = 1,	/* anything else */
	SWL_EXIT_USAGE = 2,	/* bad flags */
	SWL_EXIT_NOBTF = 3,	/* kernel without /sys/kernel/btf/vmlinux */
	SWL_EXIT_PERM = 4,	/* not privileged (CAP_BPF+CAP_PERFMON or root) */
	/* 5 was "debugfs not mounted": debugfs is optional now */
	SWL_EXIT_NOTRACEFS = 6,	/* tracefs not mounted (--mode full) */
	SWL_EXIT_NOSWIOTLB = 7,	/* kernel without swiotlb in use */
	SWL_EXIT_NOSUPPORT = 8,	/* no mode of the ladder runs on this kernel */
	SWL_EXIT_NOMODE = 9,	/* the mode asked for with --mode cannot run */
};

/* The ladder, tried in this order by auto. */
enum swl_mode {
	SWL_MODE_AUTO,
	SWL_MODE_FULL,		/* the series' tracepoints */
	SWL_MODE_FENTRY,	/* fentry/fexit (once called "reduced") */
	SWL_MODE_KPROBE,	/* kprobe/kretprobe on the same functions */
	SWL_MODE_TP,		/* the swiotlb_bounced tracepoint alone */
	SWL_NR_MODES,
};

#define SWL_DEBUGFS	"/sys/kernel/debug"
#define SWL_DBG		SWL_DEBUGFS "/swiotlb"
#define SWL_MAX_POOLS	256

struct swl_pool {
	unsigned long long start, end;
	char kind[16];
	unsigned long nslabs;
	unsigned int nareas;
	unsigned long used;
	unsigned long long created_ns;
	char owner[SWL_DEV_LEN];
};

struct swl_kstate {			/* from debugfs */
	long long nslabs, used, hiwater, transient;	/* -1: unknown */
	int npools;
	struct swl_pool pools[SWL_MAX_POOLS];
	bool have_pools;
};

struct swl_opts {
	enum swl_mode mode;
	bool verbose;
	bool snoop;
	bool hist;
	bool hist_per_dev;
	bool need_events;		/* ring buffer consumer */
	const char *dev;		/* filter */
};

struct swiotlb_bpf;

struct swl_ctx {
	struct swiotlb_bpf *skel;
	enum swl_mode mode;
	const char *unmap_fn;
	bool have_copy;
	bool have_pool_events;
	bool have_grow_failed;
	bool have_capacity;		/* debugfs io_tlb_nslabs readable */
	int ncpus;
	int nlacks;
	const char *lacks[16];		/* what the mode and system lack */
};

extern const char *swl_prog;

void swl_fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
int swl_setup(struct swl_ctx *c, const struct swl_opts *o);
void swl_destroy(struct swl_ctx *c);
void swl_read_stats(struct swl_ctx *c, struct swl_stats *out);
void swl_read_kstate(struct swl_kstate *k, bool pools);
const char *swl_reason_name(int r, char *buf, size_t len);
const char *swl_cause_name(int c, char *buf, size_t len);
const char *swl_kind_name(int k, char *buf, size_t len);
const char *swl_mode_name(enum swl_mode m);
bool swl_lacks(const struct swl_ctx *c, const char *what);
void swl_print_start(const struct swl_ctx *c);
void swl_json_lacks(FILE *f, const struct swl_ctx *c);
unsigned long long swl_now_ns(void);
void swl_fmt_time(unsigned long long mono_ns, char *buf, size_t len);
void swl_usage_err(const char *usage, const char *msg, const char *arg)
	__attribute__((noreturn));
int swl_parse_mode(const char *s, enum swl_mode *m);
extern volatile sig_atomic_t swl_exiting;
void swl_handle_signals(void);
void swl_json_str(FILE *f, const char *s);

#endif
