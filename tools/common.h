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
	/* 6 was "tracefs not mounted": full mode attaches raw tracepoints */
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
/* swiotlb's debugfs directory: SWL_DBG, or $SWIOTLB_DEBUGFS (tests). */
const char *swl_dbg(void);
/* The path of file NAME in it, in BUF. */
const char *swl_dbg_file(const char *name, char *buf, size_t len);
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
	bool json;			/* -j: the tool's output, not swl_setup()'s */
	unsigned int ev_mask;		/* events sent to user space; 0: all */
	bool snoop;
	bool hist;
	bool hist_per_dev;
	bool need_events;		/* ring buffer consumer */
	bool tasks;			/* count mappings by task (dev_tasks) */
	bool holds;			/* pair maps with unmaps (the live
					 * table): hold times; else
					 * "hold_times" in lacks */
	bool copies;			/* count bounce copies (full mode);
					 * else "copies" in lacks */
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
/* Say once, on stderr, which debugfs counters the kernel does not keep. */
void swl_note_untracked(void);
const char *swl_reason_name(int r, char *buf, size_t len);
const char *swl_cause_name(int c, char *buf, size_t len);
const char *swl_kind_name(int k, char *buf, size_t len);
const char *swl_mode_name(enum swl_mode m);
bool swl_lacks(const struct swl_ctx *c, const char *what);
void swl_print_start(const struct swl_ctx *c);
unsigned long long swl_now_ns(void);
void swl_fmt_time(unsigned long long mono_ns, char *buf, size_t len);
int swl_parse_mode(const char *s, enum swl_mode *m);

/*
 * Bad usage: one line on standard error, "PROG: " and the message, and
 * status 2 (SWL_EXIT_USAGE); the usage itself is for --help only.
 */
void swl_usage_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* S as shown in a message: quoted, control characters escaped, cut short. */
const char *swl_shown(const char *s);

/*
 * The options of every tracing tool, with getopt_long(): their short
 * letters, their long forms (to put first in the tool's table), and
 * swl_common_opt(), which takes one of them (false: not one of them; a
 * bad value exits with status 2 and one line naming the option).
 *
 * swl_getopt() is getopt_long() that says itself, in one line with status
 * 2, what is wrong with an unknown option, a missing value or a value
 * given to an option that takes none; it keeps the tables for
 * swl_opt_name().
 */
struct option;
int swl_getopt(int argc, char *const argv[], const char *shortopts,
	       const struct option *longopts);
/* Option VAL of swl_getopt()'s tables as messages name it: "-r/--rows". */
const char *swl_opt_name(int val);
#define SWL_COMMON_SHORTOPTS	"d:jm:vh"
#define SWL_COMMON_LONGOPTS \
	{ "device", required_argument, NULL, 'd' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "mode", required_argument, NULL, 'm' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }
/* The end of every tool's usage: the exit statuses. */
#define SWL_USAGE_EXIT \
"Exit status: 0 ok, 1 error, 2 usage, 3 no BTF, 4 no privilege,\n" \
"7 no swiotlb, 8 no mode works on this kernel, 9 the --mode asked for\n" \
"cannot run.\n"
bool swl_common_opt(int c, const char *arg, const char *usage, struct swl_opts *o);
/*
 * Values, parsed strictly (decimal digits, no space, '+', hex, inf or
 * nan, nothing after the number): a whole number in [MIN, MAX], a number
 * of seconds in [MIN, MAX] (MIN excluded when 0).  Else one line naming
 * WHAT (an option, or a positional argument: "INTERVAL") and S, status 2.
 */
long swl_parse_count(const char *what, const char *s, long min, long max);
double swl_parse_seconds(const char *what, const char *s, double min, double max);
/*
 * PATH, the value of option WHAT, can be written (created, or an existing
 * file overwritten), checked without touching it: else one line and
 * status 1 (2 for an empty PATH).  Before anything is loaded, so that a
 * bad path costs nothing.
 */
void swl_check_output(const char *what, const char *path);
extern volatile sig_atomic_t swl_exiting;
void swl_handle_signals(void);

/*
 * The JSON writer of every tool (swiotlbtop -j and --record, swiotlbsnoop
 * -j): commas, quoting and escaping in one place.  Members are written
 * with a key, array elements with key NULL.
 */
#define SWL_JSON_SCHEMA	1	/* "schema" of every object the tools write */
#define SWL_JSON_DEPTH	16

struct swl_json {
	FILE *f;
	int depth;
	bool more[SWL_JSON_DEPTH];	/* a value written at this level */
	char open[SWL_JSON_DEPTH];	/* '{' or '[' */
};

void swl_json_begin(struct swl_json *j, FILE *f);	/* a top-level object, with "schema" */
void swl_json_end(struct swl_json *j);			/* ends it and the line */
void swl_json_obj(struct swl_json *j, const char *key);
void swl_json_arr(struct swl_json *j, const char *key);
void swl_json_close(struct swl_json *j);		/* the innermost object or array */
void swl_json_null(struct swl_json *j, const char *key);
void swl_json_bool(struct swl_json *j, const char *key, bool v);
void swl_json_str(struct swl_json *j, const char *key, const char *s);
void swl_json_str_or_null(struct swl_json *j, const char *key, const char *s);
void swl_json_u64(struct swl_json *j, const char *key, unsigned long long v);
void swl_json_s64(struct swl_json *j, const char *key, long long v);
void swl_json_hex(struct swl_json *j, const char *key, unsigned long long v);
void swl_json_fixed(struct swl_json *j, const char *key, double v);	/* 3 decimals */
/* V, or null when HAVE is false (or, for _known, when V < 0) */
void swl_json_u64_if(struct swl_json *j, const char *key, unsigned long long v, bool have);
void swl_json_hex_if(struct swl_json *j, const char *key, unsigned long long v, bool have);
void swl_json_known(struct swl_json *j, const char *key, long long v);
/* The JSON string of S, escaped, quotes included. */
void swl_json_quote(FILE *f, const char *s);

/* Events: names, the -e list, one text line, one JSON object. */
const char *swl_event_name(unsigned int type);	/* "?" for an unknown one */
int swl_event_type(const char *name);		/* 0 for an unknown name */
unsigned int swl_parse_events(const char *what, const char *list);	/* mask, or exits 2 */
enum swl_event_layout {
	SWL_EV_LINE_TOP,	/* time, event, details: swiotlbtop's latest events */
	SWL_EV_LINE_SNOOP,	/* time, cpu, pid, comm, device, event, bytes, details */
};
void swl_print_event(FILE *f, const struct swl_ctx *c, const struct swl_event *e,
		     enum swl_event_layout layout);
/* The members of event E (top: an element of an array, else a line). */
void swl_json_event(struct swl_json *j, const struct swl_ctx *c, const struct swl_event *e);
void swl_json_lacks(struct swl_json *j, const struct swl_ctx *c);

#endif
