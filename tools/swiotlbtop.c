// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlbtop - a top-like view of swiotlb: capacity, slot usage, pools,
 * devices and pool events, refreshed every interval.
 *
 * Counting happens in BPF (bpf/swiotlb.bpf.c) in per-CPU maps; every
 * interval this program reads the cumulative counters, prints the deltas,
 * and reads capacity and the pool listing from debugfs when it can (n/a,
 * or null in JSON, when it cannot).  Pool changes and failures arrive over
 * a ring buffer.  What the mode or the system lacks is n/a (null) too.
 *
 * On a terminal (not -b, not -j) the screen fits the terminal, says the
 * load average, splits mappings by DMA direction, has a table of the tasks
 * that made them, and takes keys.
 *
 * Hold times, and what the mappings made since start still hold, need each
 * map paired with its unmap in BPF, the larger part of the tool's cost a
 * mapping: only with --holds.  Without it the devices' table has what the
 * counters alone say (unmaps, and mappings and slots made less those
 * released since start), which costs little enough to leave running.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "term.h"
#include "swiotlb.skel.h"

#define MAX_DEVS	SWL_MAX_DEVS	/* as many as the BPF table holds */
#define MAX_EVENTS	256	/* per interval, for JSON */
#define RECENT		8	/* latest events on the screen */

static const char usage_text[] =
"Usage: swiotlbtop [OPTIONS] [INTERVAL [COUNT]]\n"
"Show swiotlb capacity, slot usage, pools, devices and pool events.\n"
"\n"
"  INTERVAL              seconds between updates (default 1)\n"
"  COUNT                 number of updates, then exit (default: until Ctrl-C)\n"
"  -b, --batch           plain text, no screen control (default when stdout\n"
"                        is not a terminal)\n"
"  -j, --json            one JSON object per interval\n"
"  -C, --noclear         do not clear the screen between updates\n"
"  -r, --rows N          at most N devices and pools (default 20)\n"
"  -s, --sort KEY        sort devices by maps, bytes, held, fails or hold\n"
"                        (with --holds) (default bytes)\n"
"  -d, --device NAME     only this device\n"
"  -S, --slots           show a slot map of each pool (patched kernels)\n"
"      --holds           pair each map with its unmap: hold times, and the\n"
"                        slots and mappings held by those made since start\n"
"                        (costs most of what the tool costs a mapping)\n"
"      --copies          count the bytes copied to and from the bounce\n"
"                        buffers (full mode; two events a bidirectional\n"
"                        mapping, as much as the rest of the tool costs)\n"
"  -H, --hist            log2 histograms of mapping size, and of hold time\n"
"                        with --holds\n"
"  -P, --hist-per-device histograms per device, too (with -H)\n"
"      --record FILE     also write every interval as JSON to FILE, for\n"
"                        swiotlb-timeline\n"
"  -m, --mode MODE       auto (default: the first that works of full, fentry,\n"
"                        kprobe, tracepoint), or one of them\n"
"  -v, --verbose         say which attach mode was chosen, libbpf messages\n"
"  -h, --help            this help\n"
"\n"
"Keys on the screen (stdin a terminal):\n"
"  s  sort by the next column        r  reverse the order\n"
"  d  devices by DMA direction, or back\n"
"  t  the tasks that made mappings, or back to the devices\n"
"  q  quit\n"
"\n"
SWL_USAGE_EXIT;

enum sort_key { SORT_MAPS, SORT_BYTES, SORT_HELD, SORT_FAILS, SORT_HOLD, NR_SORT };
static const char *const sort_names[NR_SORT] = { "maps", "bytes", "held", "fails", "hold" };

/* The screen's table: devices, by direction, or tasks. */
enum view { VIEW_DEVICES, VIEW_DIRS, VIEW_TASKS };

static struct {
	double interval;
	long count;
	bool batch, noclear, slots, hist, hist_dev, holds, copies;
	int rows;
	enum sort_key sort;
	const char *record;
	bool screen, keys, reverse;
	enum view view;
} env = { .interval = 1, .rows = 20, .sort = SORT_BYTES };
static struct swl_opts opts;	/* -d, -j, -m, -v; what swl_setup() takes */

struct devrow {
	struct swl_dev_key key;
	struct swl_dev cur, prev;	/* cur.hold_max_ns: of the interval */
	unsigned long long hold_max_total;	/* since start */
	bool seen;
	bool read;			/* cur read in this read_devs() */
};

static struct devrow devrows[MAX_DEVS];
static int ndevs;

/* A task's mappings on a device: now and at the previous reading. */
struct taskrow {
	struct swl_task_key key;
	char comm[SWL_COMM_LEN];
	unsigned long long maps, bytes, prev_maps, prev_bytes;
};

/* The rows of the last reading, by key, in one of two buffers. */
static struct taskrow taskbuf[2][SWL_MAX_TASKS];
static struct taskrow *taskrows = taskbuf[0];
static int ntasks;
static struct swl_term term;
static struct swl_event evbuf[MAX_EVENTS], recent[RECENT];
static int nev, nev_dropped, nrecent, recent_pos;
static struct swl_ctx ctx;

enum { OPT_HOLDS = 256, OPT_COPIES };	/* long options without a letter */

static const struct option longopts[] = {
	SWL_COMMON_LONGOPTS,
	{ "batch", no_argument, NULL, 'b' },
	{ "noclear", no_argument, NULL, 'C' },
	{ "rows", required_argument, NULL, 'r' },
	{ "sort", required_argument, NULL, 's' },
	{ "slots", no_argument, NULL, 'S' },
	{ "hist", no_argument, NULL, 'H' },
	{ "hist-per-device", no_argument, NULL, 'P' },
	{ "holds", no_argument, NULL, OPT_HOLDS },
	{ "copies", no_argument, NULL, OPT_COPIES },
	{ "record", required_argument, NULL, 'R' },
	{}
};

static void parse_args(int argc, char **argv)
{
	long rows;
	int c;

	while ((c = swl_getopt(argc, argv, SWL_COMMON_SHORTOPTS "bCr:s:SHP", longopts)) != -1) {
		if (swl_common_opt(c, optarg, usage_text, &opts))
			continue;
		switch (c) {
		case 'b': env.batch = true; break;
		case 'C': env.noclear = true; break;
		case 'r':
			/* At most N: more than there are is all of them. */
			rows = swl_parse_count(swl_opt_name(c), optarg, 1, LONG_MAX);
			env.rows = rows > SWL_MAX_POOLS * 16 ? SWL_MAX_POOLS * 16 : rows;
			break;
		case 's':
			for (env.sort = 0; env.sort < NR_SORT; env.sort++)
				if (!strcmp(optarg, sort_names[env.sort]))
					break;
			if (env.sort == NR_SORT)
				swl_usage_err("%s %s: not a sort key (maps, bytes, held, fails or hold)",
					      swl_opt_name(c), swl_shown(optarg));
			break;
		case 'S': env.slots = true; break;
		case 'H': env.hist = true; break;
		case 'P': env.hist_dev = true; break;
		case 'R': env.record = optarg; break;
		case OPT_HOLDS: env.holds = true; break;
		case OPT_COPIES: env.copies = true; break;
		}
	}
	if (optind < argc)
		env.interval = swl_parse_seconds("INTERVAL", argv[optind++], 0.01, 3600);
	if (optind < argc)
		env.count = swl_parse_count("COUNT", argv[optind++], 1, LONG_MAX);
	if (optind < argc)
		swl_usage_err("unexpected argument %s (after INTERVAL and COUNT)",
			      swl_shown(argv[optind]));
	if (env.hist_dev && !env.hist)
		swl_usage_err("-P/--hist-per-device needs -H/--hist");
	if (env.sort == SORT_HOLD && !env.holds)
		swl_usage_err("-s/--sort hold needs --holds");
	if (opts.json && env.batch)
		swl_usage_err("-j/--json and -b/--batch exclude each other");
	/* Last: a bad flag is status 2 whatever the file. */
	if (env.record)
		swl_check_output("--record", env.record);
}

static int handle_event(void *c, void *data, size_t len)
{
	const struct swl_event *e = data;

	(void)c;
	if (len < sizeof(*e))
		return 0;
	if (nev < MAX_EVENTS)
		evbuf[nev++] = *e;
	else
		nev_dropped++;
	recent[recent_pos] = *e;
	recent_pos = (recent_pos + 1) % RECENT;
	if (nrecent < RECENT)
		nrecent++;
	return 0;
}

/* The interval whose maximum hold times read_devs() reads next. */
static unsigned long long hold_epoch;

/* The row of the device named KEY, a new one if none; NULL if full. */
static struct devrow *devrow_of(const struct swl_dev_key *key)
{
	struct devrow *r;

	for (int i = 0; i < ndevs; i++)
		if (!memcmp(&devrows[i].key, key, sizeof(*key)))
			return &devrows[i];
	if (ndevs == MAX_DEVS)
		return NULL;
	r = &devrows[ndevs++];
	memset(r, 0, sizeof(*r));
	r->key = *key;
	return r;
}

/*
 * Every device's counters, from the BPF side's slots (one or more per
 * device name, added up), summed over the CPUs.
 */
static void read_devs(void)
{
	struct swl_dev *v = calloc(ctx.ncpus, sizeof(*v));
	int fd = bpf_map__fd(ctx.skel->maps.devs);
	int info_fd = bpf_map__fd(ctx.skel->maps.dev_info);
	unsigned int nslots = ctx.skel->bss->ndevs;
	unsigned long long epoch = hold_epoch;

	if (!v)
		return;
	if (nslots > SWL_MAX_DEVS)
		nslots = SWL_MAX_DEVS;
	/*
	 * The next interval's hold times start a new maximum; those of
	 * this one, set under EPOCH, are read below, with those that come
	 * between here and the read (under EPOCH + 1, counted in hold_n
	 * now and, for the maximum, in the next interval too).
	 */
	ctx.skel->bss->hold_epoch = ++hold_epoch;
	for (int i = 0; i < ndevs; i++) {
		devrows[i].prev = devrows[i].cur;
		devrows[i].read = false;
	}
	for (unsigned int slot = 0; slot < nslots; slot++) {
		struct swl_dev_info info;
		struct devrow *r;

		/* An empty name: the slot is being set up. */
		if (bpf_map_lookup_elem(info_fd, &slot, &info) || info.skip ||
		    !info.key.name[0])
			continue;
		info.key.name[SWL_DEV_LEN - 1] = 0;
		r = devrow_of(&info.key);
		if (!r || bpf_map_lookup_elem(fd, &slot, v))
			continue;
		if (!r->read) {
			memset(&r->cur, 0, sizeof(r->cur));
			r->read = true;
		}
		for (int cpu = 0; cpu < ctx.ncpus; cpu++) {
			r->cur.maps += v[cpu].maps;
			r->cur.bytes += v[cpu].bytes;
			r->cur.unmaps += v[cpu].unmaps;
			r->cur.map_slots += v[cpu].map_slots;
			r->cur.unmap_slots += v[cpu].unmap_slots;
			r->cur.slots += v[cpu].slots;
			r->cur.outstanding += v[cpu].outstanding;
			r->cur.fails += v[cpu].fails;
			r->cur.hold_ns += v[cpu].hold_ns;
			r->cur.hold_n += v[cpu].hold_n;
			if (v[cpu].hold_max_epoch - epoch <= 1 && v[cpu].hold_max_ns > r->cur.hold_max_ns)
				r->cur.hold_max_ns = v[cpu].hold_max_ns;
			/* An unmap after the epoch moved replaced this maximum. */
			if (v[cpu].hold_prev_epoch == epoch &&
			    v[cpu].hold_prev_max_ns > r->cur.hold_max_ns)
				r->cur.hold_max_ns = v[cpu].hold_prev_max_ns;
			for (int d = 0; d < SWL_NR_DIRS; d++) {
				r->cur.dir_maps[d] += v[cpu].dir_maps[d];
				r->cur.dir_bytes[d] += v[cpu].dir_bytes[d];
			}
		}
		if (r->cur.hold_max_ns > r->hold_max_total)
			r->hold_max_total = r->cur.hold_max_ns;
	}
	free(v);
}

static int cmp_task_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct swl_task_key));
}

/*
 * The tasks' mappings by device, from the BPF table (its least recently
 * used entries go when it is full): each row with its counts of the
 * previous reading, none for a new entry or one made again since.
 */
static void read_tasks(void)
{
	struct taskrow *rows = taskrows == taskbuf[0] ? taskbuf[1] : taskbuf[0];
	int fd = bpf_map__fd(ctx.skel->maps.dev_tasks);
	struct swl_task_key key, *prev = NULL;
	struct swl_task v;
	int n = 0;

	while (n < SWL_MAX_TASKS && !bpf_map_get_next_key(fd, prev, &rows[n].key)) {
		struct taskrow *r = &rows[n];

		key = r->key;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		memcpy(r->comm, v.comm, sizeof(r->comm));
		r->comm[sizeof(r->comm) - 1] = 0;
		r->maps = v.maps;
		r->bytes = v.bytes;
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_task_key);
	for (int i = 0; i < n; i++) {
		const struct taskrow *o = bsearch(&rows[i].key, taskrows, ntasks,
						  sizeof(*taskrows), cmp_task_key);
		bool same = o && o->maps <= rows[i].maps;

		rows[i].prev_maps = same ? o->maps : 0;
		rows[i].prev_bytes = same ? o->bytes : 0;
	}
	taskrows = rows;
	ntasks = n;
}

/* Mean hold time in ns of the interval, or since start (TOTAL); 0: none. */
static double hold_mean(const struct devrow *r, bool total)
{
	unsigned long long n = r->cur.hold_n - (total ? 0 : r->prev.hold_n);
	unsigned long long ns = r->cur.hold_ns - (total ? 0 : r->prev.hold_ns);

	return n ? (double)ns / n : 0;
}

/* Whether maps are paired with unmaps: --holds, in a mode with unmaps. */
static bool have_holds(void)
{
	return !swl_lacks(&ctx, "hold_times");
}

/*
 * Without --holds, from the counters alone: the mappings (NETMAPS) or
 * slots (NETSLOTS, full mode) made less those released since start, what
 * is held now less what was held then; below 0 when less is held than
 * then (mappings made before start were released).
 */
static long long dev_net_maps(const struct devrow *r)
{
	return (long long)(r->cur.maps - r->cur.unmaps);
}

static long long dev_net_slots(const struct devrow *r)
{
	return (long long)(r->cur.map_slots - r->cur.unmap_slots);
}

/*
 * What -s held sorts by.  With --holds the HELD (full mode: slots) or
 * OUTSTND (mappings) column: what the mappings seen by the tool hold,
 * never an unmap of a map made before it.  Without, NETSLOTS (full mode)
 * or NETMAPS.
 */
static long long dev_held(const struct devrow *r)
{
	bool full = ctx.mode == SWL_MODE_FULL;

	if (have_holds())
		return full ? r->cur.slots : r->cur.outstanding;
	return full ? dev_net_slots(r) : dev_net_maps(r);
}

static double dev_sort_val(const struct devrow *r)
{
	switch (env.sort) {
	case SORT_MAPS: return r->cur.maps - r->prev.maps;
	case SORT_BYTES: return r->cur.bytes - r->prev.bytes;
	case SORT_HELD: return dev_held(r);
	case SORT_FAILS: return r->cur.fails - r->prev.fails;
	default: return hold_mean(r, false);
	}
}

/* Larger values first (smaller with -r on the screen), then by name. */
static int cmp_dev(const void *a, const void *b)
{
	double x = dev_sort_val(a), y = dev_sort_val(b);

	if (x != y)
		return (x < y) != env.reverse ? 1 : -1;
	return strcmp(((const struct devrow *)a)->key.name, ((const struct devrow *)b)->key.name);
}

#define D(f) (cur->f - prev->f)

/*
 * Counters of an interval (PREV the previous reading) or since start (PREV
 * all zero): every key in every mode, null where the mode has no data.
 */
static void json_counts(struct swl_json *j, const char *key, const struct swl_stats *cur,
			const struct swl_stats *prev)
{
	unsigned long long fails = 0, add = 0, rem = 0, gf = 0;
	bool unmaps = !swl_lacks(&ctx, "unmaps"), bounced = !swl_lacks(&ctx, "bounced");
	bool copies = !swl_lacks(&ctx, "copies"), failures = !swl_lacks(&ctx, "failures");
	bool slots = !swl_lacks(&ctx, "slots"), pools = !swl_lacks(&ctx, "pool_events");
	bool reasons = failures && !swl_lacks(&ctx, "failure_reasons");
	bool grow = pools && !swl_lacks(&ctx, "grow_failed");
	bool holds = have_holds();
	char b[32];

	for (int i = 0; i < SWL_NR_ENUM; i++) {
		fails += D(fails[i]);
		add += D(pool_add[i]);
		rem += D(pool_remove[i]);
		gf += D(grow_failed[i]);
	}
	swl_json_obj(j, key);
	swl_json_u64(j, "maps", D(maps));
	swl_json_u64(j, "map_bytes", D(map_bytes));
	swl_json_u64_if(j, "map_alloc_bytes", D(map_alloc_bytes), slots);
	swl_json_u64_if(j, "map_slots", D(map_slots), slots);
	swl_json_u64_if(j, "unmaps", D(unmaps), unmaps);
	swl_json_u64_if(j, "unmap_slots", D(unmap_slots), slots);
	swl_json_u64_if(j, "unmatched_unmaps", D(unmatched_unmaps), holds);
	swl_json_u64_if(j, "hold_ns", D(hold_ns), holds);
	swl_json_u64_if(j, "hold_n", D(hold_n), holds);
	swl_json_u64_if(j, "bounced", D(bounced), bounced);
	swl_json_u64_if(j, "bounced_bytes", D(bounced_bytes), bounced);
	swl_json_u64_if(j, "copies_to_device", D(copies[0]), copies);
	swl_json_u64_if(j, "copy_bytes_to_device", D(copy_bytes[0]), copies);
	swl_json_u64_if(j, "copies_to_cpu", D(copies[1]), copies);
	swl_json_u64_if(j, "copy_bytes_to_cpu", D(copy_bytes[1]), copies);
	swl_json_u64(j, "events_lost", D(events_lost));
	swl_json_u64_if(j, "hold_table_full", D(live_full), holds);
	swl_json_u64(j, "device_table_full", D(devs_full));
	swl_json_u64_if(j, "device_hist_table_full", D(dev_hists_full), env.hist_dev);
	swl_json_u64_if(j, "pools_added", add, pools);
	swl_json_u64_if(j, "pools_removed", rem, pools);
	swl_json_u64_if(j, "slots_added", D(pool_add_slots), pools);
	swl_json_u64_if(j, "slots_removed", D(pool_remove_slots), pools);
	swl_json_u64_if(j, "grow_failed", gf, grow);
	swl_json_u64_if(j, "failures", fails, failures);
	if (reasons) {
		swl_json_obj(j, "failures_by_reason");
		/* The three reasons always; others when they happened. */
		for (int i = 0; i < SWL_NR_ENUM; i++)
			if (D(fails[i]) || i < 3)
				swl_json_u64(j, swl_reason_name(i, b, sizeof(b)), D(fails[i]));
		swl_json_close(j);
	} else {
		swl_json_null(j, "failures_by_reason");
	}
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "pools_removed_by_cause" : "pools_added_by_cause";

		if (!pools) {
			swl_json_null(j, name);
			continue;
		}
		swl_json_obj(j, name);
		for (int i = 0; i < SWL_NR_ENUM; i++) {
			unsigned long long v = k ? D(pool_remove[i]) : D(pool_add[i]);

			if (v)
				swl_json_u64(j, swl_cause_name(i, b, sizeof(b)), v);
		}
		swl_json_close(j);
	}
	swl_json_close(j);
}

static void print_hist_text(FILE *f, const char *title, const char *unit, const unsigned long long *h)
{
	int lo = SWL_HIST_SLOTS, hi = -1;
	unsigned long long max = 0;

	for (int i = 0; i < SWL_HIST_SLOTS; i++) {
		if (!h[i])
			continue;
		if (i < lo) lo = i;
		hi = i;
		if (h[i] > max) max = h[i];
	}
	fprintf(f, "%s\n", title);
	if (hi < 0) {
		fprintf(f, "  (no data)\n");
		return;
	}
	fprintf(f, "%24s %-8s : count    distribution\n", unit, "");
	for (int i = lo; i <= hi; i++) {
		unsigned long long low = i ? 1ULL << i : 0, high = (1ULL << (i + 1)) - 1;
		int stars = max ? (int)(h[i] * 40 / max) : 0;

		fprintf(f, "%20llu -> %-12llu : %-8llu |%-40.*s|\n", low, high, h[i], stars,
			"****************************************");
	}
}

static const char *hist_names[SWL_NR_HIST] = { "mapping size", "slot hold time", "time to find slots" };
static const char *hist_units[SWL_NR_HIST] = { "bytes", "nsecs", "nsecs" };
static const char *hist_keys[SWL_NR_HIST] = { "size_bytes", "hold_ns", "find_ns" };
/* What a histogram needs; the mode may lack it. */
static const char *hist_needs[SWL_NR_HIST] = { NULL, "hold_times", "find_time" };

static bool hist_lacking(int i)
{
	return hist_needs[i] && swl_lacks(&ctx, hist_needs[i]);
}

/* The histograms since start, now and at the previous interval. */
static unsigned long long hist_cur[SWL_NR_HIST][SWL_HIST_SLOTS];
static unsigned long long hist_prev[SWL_NR_HIST][SWL_HIST_SLOTS];

static void read_hists(unsigned long long h[SWL_NR_HIST][SWL_HIST_SLOTS])
{
	unsigned long long *v = calloc(ctx.ncpus, sizeof(*v));
	int fd = bpf_map__fd(ctx.skel->maps.hists);

	memset(h, 0, sizeof(unsigned long long) * SWL_NR_HIST * SWL_HIST_SLOTS);
	if (!v)
		return;
	for (unsigned int i = 0; i < SWL_NR_HIST * SWL_HIST_SLOTS; i++) {
		if (bpf_map_lookup_elem(fd, &i, v))
			continue;
		for (int c = 0; c < ctx.ncpus; c++)
			h[i / SWL_HIST_SLOTS][i % SWL_HIST_SLOTS] += v[c];
	}
	free(v);
}

/*
 * "KEY": the histograms of hist_cur less PREV (NULL: since start), each
 * an object of bucket lower bound to count, with the non-zero buckets;
 * null without -H, a histogram null where the mode lacks it.
 */
static void json_hists(struct swl_json *j, const char *key,
		       unsigned long long prev[SWL_NR_HIST][SWL_HIST_SLOTS])
{
	char bound[24];

	if (!env.hist) {
		swl_json_null(j, key);
		return;
	}
	swl_json_obj(j, key);
	for (int i = 0; i < SWL_NR_HIST; i++) {
		if (hist_lacking(i)) {
			swl_json_null(j, hist_keys[i]);
			continue;
		}
		swl_json_obj(j, hist_keys[i]);
		for (int s = 0; s < SWL_HIST_SLOTS; s++) {
			unsigned long long v = hist_cur[i][s] - (prev ? prev[i][s] : 0);

			if (!v)
				continue;
			snprintf(bound, sizeof(bound), "%llu", s ? 1ULL << s : 0);
			swl_json_u64(j, bound, v);
		}
		swl_json_close(j);
	}
	swl_json_close(j);
}

static void print_hists(FILE *f)
{
	unsigned long long (*h)[SWL_HIST_SLOTS] = hist_cur;
	int fd = bpf_map__fd(ctx.skel->maps.dev_hists);
	struct swl_hist_key k, n, *p = NULL;

	for (int i = 0; i < SWL_NR_HIST; i++) {
		if (i == SWL_HIST_FIND) {
			fprintf(f, "%s: n/a (not measured)\n", hist_names[i]);
			continue;
		}
		if (hist_lacking(i)) {
			if (ctx.mode == SWL_MODE_TP)
				fprintf(f, "%s: n/a (%s mode)\n", hist_names[i],
					swl_mode_name(ctx.mode));
			else
				fprintf(f, "%s: n/a (without --holds)\n", hist_names[i]);
			continue;
		}
		print_hist_text(f, hist_names[i], hist_units[i], h[i]);
	}
	if (!env.hist_dev)
		return;
	for (int d = 0; d < ndevs; d++) {
		for (int i = 0; i < SWL_NR_HIST; i++) {
			unsigned long long dh[SWL_HIST_SLOTS] = {};
			char title[128];
			bool any = false;

			if (hist_lacking(i))
				continue;
			p = NULL;
			while (!bpf_map_get_next_key(fd, p, &n)) {
				unsigned long long v;

				k = n;
				p = &k;
				if (k.hist != (unsigned int)i || k.slot >= SWL_HIST_SLOTS ||
				    memcmp(&k.dev, &devrows[d].key, sizeof(k.dev)))
					continue;
				if (!bpf_map_lookup_elem(fd, &k, &v)) {
					dh[k.slot] = v;
					any = true;
				}
			}
			if (!any)
				continue;
			snprintf(title, sizeof(title), "%s, device %.32s", hist_names[i], devrows[d].key.name);
			print_hist_text(f, title, hist_units[i], dh);
		}
	}
}

/* Slot map of each pool from debugfs swiotlb/slots. */
static void print_slot_maps(FILE *f)
{
	enum { W = 64 };
	char path[512];
	FILE *in = fopen(swl_dbg_file("slots", path, sizeof(path)), "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned char *used = NULL;
	unsigned long nslabs = 0;
	char kind[16] = "", owner[SWL_DEV_LEN] = "";
	unsigned long long start = 0, end = 0;
	int npools = 0;

	if (!in) {
		fprintf(f, "slot map: n/a (no %s)\n", path);
		return;
	}
	fprintf(f, "SLOT MAP ('#' all used, '+' some used, '.' free; %d columns a pool)\n", W);
	for (;;) {
		ssize_t n = getline(&line, &cap, in);
		unsigned int nareas;

		if ((n < 0 || !strncmp(line, "pool ", 5)) && used) {
			char bar[W + 1];

			for (int c = 0; c < W; c++) {
				unsigned long a = nslabs * c / W, b = nslabs * (c + 1) / W, u = 0;

				if (b <= a)
					b = a + 1;
				for (unsigned long s = a; s < b && s < nslabs; s++)
					u += used[s];
				bar[c] = !u ? '.' : u >= b - a ? '#' : '+';
			}
			bar[W] = 0;
			if (npools <= env.rows)
				fprintf(f, "0x%-12llx %-10s [%s] %s\n", start, kind, bar, owner);
			free(used);
			used = NULL;
		}
		if (n < 0)
			break;
		if (sscanf(line, "pool %llx %llx %15s %lu %u %31s", &start, &end, kind,
			   &nslabs, &nareas, owner) == 6) {
			npools++;
			used = calloc(nslabs ? nslabs : 1, 1);
			continue;
		}
		if (used && !strncmp(line, "area ", 5)) {
			char *p = strchr(line, ':');
			unsigned long a, b;
			int k;

			while (p && sscanf(p + 1, " %lu-%lu%n", &a, &b, &k) == 2) {
				for (unsigned long s = a; s <= b && s < nslabs; s++)
					used[s] = 1;
				p += 1 + k - 1;
			}
		}
	}
	free(line);
	fclose(in);
}

static void pool_kind_counts(const struct swl_kstate *k, int counts[4], int *other)
{
	static const char *const kinds[4] = { "default", "dynamic", "transient", "restricted" };

	memset(counts, 0, 4 * sizeof(int));
	*other = 0;
	for (int i = 0; i < k->npools; i++) {
		int j;

		for (j = 0; j < 4; j++)
			if (!strcmp(k->pools[i].kind, kinds[j]))
				break;
		if (j < 4)
			counts[j]++;
		else
			(*other)++;
	}
}

/*
 * One interval as one line of JSON: the same keys in every mode, null
 * where the mode or the system has no data (see swiotlbtop(8), JSON).
 */
static void output_json(FILE *f, double t, double dt, const struct swl_kstate *k,
			const struct swl_stats *cur, const struct swl_stats *prev)
{
	static const struct swl_stats zero;
	bool unmaps = !swl_lacks(&ctx, "unmaps"), failures = !swl_lacks(&ctx, "failures");
	bool slots = !swl_lacks(&ctx, "slots"), holds = have_holds();
	struct swl_json j;
	int counts[4], other;

	swl_json_begin(&j, f);
	swl_json_fixed(&j, "time", t);
	swl_json_u64(&j, "mono_ns", swl_now_ns());
	swl_json_fixed(&j, "interval_s", dt);
	swl_json_str(&j, "mode", swl_mode_name(ctx.mode));
	swl_json_lacks(&j, &ctx);
	swl_json_known(&j, "capacity_slots", k->nslabs);
	swl_json_known(&j, "capacity_bytes", k->nslabs < 0 ? -1 : k->nslabs * 2048);
	swl_json_known(&j, "used_slots", k->used);
	swl_json_known(&j, "hiwater_slots", k->hiwater);
	swl_json_known(&j, "transient_slots", k->transient);
	if (k->have_pools) {
		pool_kind_counts(k, counts, &other);
		swl_json_obj(&j, "pools_by_kind");
		swl_json_u64(&j, "default", counts[0]);
		swl_json_u64(&j, "dynamic", counts[1]);
		swl_json_u64(&j, "transient", counts[2]);
		swl_json_u64(&j, "restricted", counts[3]);
		swl_json_u64(&j, "other", other);
		swl_json_close(&j);
		swl_json_arr(&j, "pools");
		for (int i = 0; i < k->npools; i++) {
			const struct swl_pool *p = &k->pools[i];

			swl_json_obj(&j, NULL);
			swl_json_hex(&j, "start", p->start);
			swl_json_hex(&j, "end", p->end);
			swl_json_str(&j, "kind", p->kind);
			swl_json_u64(&j, "nslabs", p->nslabs);
			swl_json_u64(&j, "nareas", p->nareas);
			swl_json_u64(&j, "used", p->used);
			swl_json_u64(&j, "created_ns", p->created_ns);
			swl_json_str(&j, "owner", p->owner);
			swl_json_close(&j);
		}
		swl_json_close(&j);
	} else {
		swl_json_null(&j, "pools_by_kind");
		swl_json_null(&j, "pools");
	}
	json_counts(&j, "interval", cur, prev);
	json_counts(&j, "total", cur, &zero);
	swl_json_arr(&j, "devices");
	for (int i = 0; i < ndevs; i++) {
		const struct devrow *r = &devrows[i];
		unsigned long long hold_n = r->cur.hold_n - r->prev.hold_n;
		bool held = holds && hold_n, held_total = holds && r->cur.hold_n;

		swl_json_obj(&j, NULL);
		swl_json_str(&j, "name", r->key.name);
		swl_json_u64(&j, "maps", r->cur.maps - r->prev.maps);
		swl_json_u64(&j, "bytes", r->cur.bytes - r->prev.bytes);
		swl_json_u64_if(&j, "unmaps", r->cur.unmaps - r->prev.unmaps, unmaps);
		swl_json_u64_if(&j, "failures", r->cur.fails - r->prev.fails, failures);
		swl_json_u64(&j, "total_maps", r->cur.maps);
		swl_json_u64(&j, "total_bytes", r->cur.bytes);
		swl_json_u64_if(&j, "total_unmaps", r->cur.unmaps, unmaps);
		swl_json_u64_if(&j, "total_failures", r->cur.fails, failures);
		/* Paired only: from the counters, total_maps - total_unmaps. */
		if (slots && holds)
			swl_json_s64(&j, "slots_held", r->cur.slots);
		else
			swl_json_null(&j, "slots_held");
		if (holds)
			swl_json_s64(&j, "outstanding", r->cur.outstanding);
		else
			swl_json_null(&j, "outstanding");
		swl_json_u64_if(&j, "hold_n", hold_n, holds);
		swl_json_u64_if(&j, "hold_mean_ns", hold_mean(r, false), held);
		swl_json_u64_if(&j, "hold_max_ns", r->cur.hold_max_ns, held);
		swl_json_u64_if(&j, "total_hold_n", r->cur.hold_n, holds);
		swl_json_u64_if(&j, "total_hold_mean_ns", hold_mean(r, true), held_total);
		swl_json_u64_if(&j, "total_hold_max_ns", r->hold_max_total, held_total);
		swl_json_close(&j);
	}
	swl_json_close(&j);
	swl_json_arr(&j, "events");
	for (int i = 0; i < nev; i++) {
		swl_json_obj(&j, NULL);
		swl_json_event(&j, &ctx, &evbuf[i]);
		swl_json_close(&j);
	}
	swl_json_close(&j);
	swl_json_u64(&j, "events_dropped", nev_dropped);
	json_hists(&j, "hist", NULL);
	json_hists(&j, "hist_interval", hist_prev);
	swl_json_end(&j);
}

static void fmt_bytes(double b, char *buf, size_t len)
{
	if (b >= 1 << 30) snprintf(buf, len, "%.1f GiB", b / (1 << 30));
	else if (b >= 1 << 20) snprintf(buf, len, "%.1f MiB", b / (1 << 20));
	else if (b >= 1 << 10) snprintf(buf, len, "%.1f KiB", b / (1 << 10));
	else snprintf(buf, len, "%.0f B", b);
}

/* A value from debugfs, or n/a when it is unknown (negative). */
static const char *tll(long long v, char *buf, size_t len)
{
	if (v < 0)
		return "n/a";
	snprintf(buf, len, "%lld", v);
	return buf;
}

/*
 * What output_text() shows: the batch text, or a screen whose pool and
 * table rows fit the terminal.
 */
struct layout {
	bool screen;
	int pool_rows, table_rows;	/* table: devices or tasks */
};

/* The load averages of /proc/loadavg as "1.01, 0.56, 0.23", or n/a. */
static void read_loadavg(char *buf, size_t len)
{
	FILE *in = fopen("/proc/loadavg", "r");
	char a[16], b[16], c[16];

	snprintf(buf, len, "n/a");
	if (!in)
		return;
	if (fscanf(in, "%15s %15s %15s", a, b, c) == 3)
		snprintf(buf, len, "%s, %s, %s", a, b, c);
	fclose(in);
}

/* The DMA direction of a mapping is known in every mode but tracepoint. */
static bool have_dirs(void)
{
	return ctx.mode != SWL_MODE_TP;
}

/* The DMA directions (enum dma_data_direction) in the screen's order. */
static const int dir_order[3] = { 1, 2, 0 };
static const char *const dir_names[3] = {
	[0] = "bidirectional", [1] = "to-device", [2] = "from-device",
};

/* The screen's line of the interval's mappings by direction. */
static void print_dir_summary(FILE *f)
{
	unsigned long long maps[SWL_NR_DIRS] = {}, bytes[SWL_NR_DIRS] = {};
	char b[32];

	if (!have_dirs()) {
		fprintf(f, "directions: n/a (%s mode)\n", swl_mode_name(ctx.mode));
		return;
	}
	for (int i = 0; i < ndevs; i++) {
		for (int d = 0; d < SWL_NR_DIRS; d++) {
			maps[d] += devrows[i].cur.dir_maps[d] - devrows[i].prev.dir_maps[d];
			bytes[d] += devrows[i].cur.dir_bytes[d] - devrows[i].prev.dir_bytes[d];
		}
	}
	fprintf(f, "directions:");
	for (int j = 0; j < 3; j++) {
		int d = dir_order[j];

		fmt_bytes(bytes[d], b, sizeof(b));
		fprintf(f, "%s %s %llu (%s)", j ? " " : "", dir_names[d], maps[d], b);
	}
	fputc('\n', f);
}

/* Whether the screen's table can be sorted by KEY: its column is not n/a. */
static bool sort_usable(enum sort_key key)
{
	if (env.view == VIEW_TASKS)
		return key == SORT_MAPS || key == SORT_BYTES;
	switch (key) {
	case SORT_HELD: return !swl_lacks(&ctx, "unmaps");
	case SORT_FAILS: return !swl_lacks(&ctx, "failures");
	case SORT_HOLD: return !swl_lacks(&ctx, "hold_times");
	default: return true;
	}
}

/* The sort of the table shown: tasks by maps or else by bytes. */
static enum sort_key shown_sort(void)
{
	if (env.view == VIEW_TASKS && env.sort != SORT_MAPS)
		return SORT_BYTES;
	return env.sort;
}

static void next_sort(void)
{
	enum sort_key key = shown_sort();

	do
		key = (key + 1) % NR_SORT;
	while (!sort_usable(key));
	env.sort = key;
}

/* The screen's line above its table: the sort and the keys. */
static void print_status(FILE *f)
{
	fprintf(f, "sort: %s, %s", sort_names[shown_sort()],
		env.reverse ? "ascending" : "descending");
	if (env.keys)
		fprintf(f, "  keys: s sort, r reverse, d directions, t tasks, q quit");
	fputc('\n', f);
}

/*
 * The devices without --holds: what the counters alone say, unmaps and
 * the mappings and slots made less those released since start.
 */
static void print_dev_counts(FILE *f, double dt, int rows)
{
	bool tp = ctx.mode == SWL_MODE_TP, slots = !swl_lacks(&ctx, "slots");

	fprintf(f, "%-24s %9s %9s %8s %8s %8s %8s\n", "DEVICE", "MAPS/s", "UNMAPS/s", "MiB/s",
		"NETMAPS", "NETSLOTS", "FAILS");
	for (int i = 0; i < ndevs && i < rows; i++) {
		const struct devrow *r = &devrows[i];
		char unmaps[32] = "n/a", net[32] = "n/a", nslots[32] = "n/a", fails[32] = "n/a";

		if (!tp) {
			snprintf(unmaps, sizeof(unmaps), "%.0f", (r->cur.unmaps - r->prev.unmaps) / dt);
			snprintf(net, sizeof(net), "%lld", dev_net_maps(r));
			snprintf(fails, sizeof(fails), "%llu", r->cur.fails - r->prev.fails);
		}
		if (slots)
			snprintf(nslots, sizeof(nslots), "%lld", dev_net_slots(r));
		fprintf(f, "%-24s %9.0f %9s %8.2f %8s %8s %8s\n", r->key.name,
			(r->cur.maps - r->prev.maps) / dt, unmaps,
			(r->cur.bytes - r->prev.bytes) / dt / (1 << 20), net, nslots, fails);
	}
}

/* The devices with --holds: what their mappings hold, hold times. */
static void print_devs(FILE *f, double dt, int rows)
{
	if (!have_holds()) {
		print_dev_counts(f, dt, rows);
		return;
	}
	fprintf(f, "%-24s %9s %9s %8s %8s %12s %12s\n", "DEVICE", "MAPS/s", "MiB/s",
		ctx.mode == SWL_MODE_FULL ? "HELD" : "OUTSTND", "FAILS", "HOLD-MEAN", "HOLD-MAX");
	for (int i = 0; i < ndevs && i < rows; i++) {
		const struct devrow *r = &devrows[i];
		long long held = dev_held(r);

		fprintf(f, "%-24s %9.0f %9.2f %8lld %8llu ", r->key.name,
			(r->cur.maps - r->prev.maps) / dt,
			(r->cur.bytes - r->prev.bytes) / dt / (1 << 20), held,
			r->cur.fails - r->prev.fails);
		/* Hold times of the interval: "-" without an unmap in it. */
		if (r->cur.hold_n == r->prev.hold_n)
			fprintf(f, "%12s %12s\n", "-", "-");
		else
			fprintf(f, "%9.1f us %9.1f us\n", hold_mean(r, false) / 1e3,
				r->cur.hold_max_ns / 1e3);
	}
}

/* The devices' mappings and MiB per second by DMA direction. */
static void print_dev_dirs(FILE *f, double dt, int rows)
{
	fprintf(f, "%-24s %9s %7s %9s %7s %9s %7s\n", "DEVICE", "TODEV/s", "MiB/s",
		"FROMDEV/s", "MiB/s", "BIDIR/s", "MiB/s");
	for (int i = 0; i < ndevs && i < rows; i++) {
		const struct devrow *r = &devrows[i];

		fprintf(f, "%-24s", r->key.name);
		for (int j = 0; j < 3; j++) {
			int d = dir_order[j];

			if (!have_dirs()) {
				fprintf(f, " %9s %7s", "n/a", "n/a");
				continue;
			}
			fprintf(f, " %9.0f %7.2f", (r->cur.dir_maps[d] - r->prev.dir_maps[d]) / dt,
				(r->cur.dir_bytes[d] - r->prev.dir_bytes[d]) / dt / (1 << 20));
		}
		fputc('\n', f);
	}
}

static double task_sort_val(const struct taskrow *r)
{
	if (shown_sort() == SORT_MAPS)
		return r->maps - r->prev_maps;
	return r->bytes - r->prev_bytes;
}

static int cmp_task(const void *a, const void *b)
{
	const struct taskrow *x = *(const struct taskrow *const *)a;
	const struct taskrow *y = *(const struct taskrow *const *)b;
	double vx = task_sort_val(x), vy = task_sort_val(y);

	if (vx != vy)
		return (vx < vy) != env.reverse ? 1 : -1;
	if (x->key.tgid != y->key.tgid)
		return x->key.tgid < y->key.tgid ? -1 : 1;
	return strcmp(x->key.dev.name, y->key.dev.name);
}

/* The tasks that made mappings in the interval, sorted into SHOWN. */
static int active_tasks(const struct taskrow **shown)
{
	int n = 0;

	for (int i = 0; i < ntasks; i++)
		if (taskrows[i].maps != taskrows[i].prev_maps)
			shown[n++] = &taskrows[i];
	qsort(shown, n, sizeof(*shown), cmp_task);
	return n;
}

/*
 * The tasks' mappings per second by device; "[irq]" (no PID) for those
 * made without a task: in interrupt context or the idle task.
 */
static void print_tasks(FILE *f, double dt, int rows)
{
	static const struct taskrow *shown[SWL_MAX_TASKS];
	int n = active_tasks(shown);

	fprintf(f, "%7s %-16s %-24s %9s %9s\n", "PID", "COMM", "DEVICE", "MAPS/s", "MiB/s");
	for (int i = 0; i < n && i < rows; i++) {
		const struct taskrow *r = shown[i];
		char pid[16];

		snprintf(pid, sizeof(pid), "%u", r->key.tgid);
		fprintf(f, "%7s %-16s %-24s %9.0f %9.2f\n", r->key.tgid ? pid : "-",
			!r->key.tgid ? "[irq]" : r->comm[0] ? r->comm : "?", r->key.dev.name,
			(r->maps - r->prev_maps) / dt, (r->bytes - r->prev_bytes) / dt / (1 << 20));
	}
}

static void output_text(FILE *f, double dt, const struct swl_kstate *k,
			const struct swl_stats *cur, const struct swl_stats *prev,
			const struct layout *lay)
{
	unsigned long long fails = 0, add = 0, rem = 0, tadd, trem, gf = 0;
	char now[32], b1[32], b2[32];
	int counts[4], other;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	swl_fmt_time(ts.tv_sec * 1000000000ULL + ts.tv_nsec, now, sizeof(now));
	now[8] = 0;
	for (int i = 0; i < SWL_NR_ENUM; i++) {
		fails += D(fails[i]);
		add += D(pool_add[i]);
		rem += D(pool_remove[i]);
		gf += D(grow_failed[i]);
	}
	tadd = D(pool_add[3]);
	trem = D(pool_remove[5]);
	if (lay->screen) {
		char load[64];

		read_loadavg(load, sizeof(load));
		fprintf(f, "swiotlbtop - %s  load average: %s  %s mode  interval %.1fs\n", now, load,
			swl_mode_name(ctx.mode), dt);
	} else {
		fprintf(f, "swiotlbtop - %s  %s mode  interval %.1fs\n", now, swl_mode_name(ctx.mode), dt);
	}
	if (k->nslabs >= 0)
		fprintf(f, "capacity %lld slots (%.1f MiB)", k->nslabs, k->nslabs * 2048.0 / (1 << 20));
	else
		fprintf(f, "capacity n/a");
	if (k->used >= 0 && k->nslabs > 0)
		fprintf(f, "  used %lld (%.1f%%)", k->used, 100.0 * k->used / k->nslabs);
	else
		fprintf(f, "  used %s", tll(k->used, b1, sizeof(b1)));
	fprintf(f, "  high-water %s", tll(k->hiwater, b1, sizeof(b1)));
	fprintf(f, "  transient %s slots", tll(k->transient, b1, sizeof(b1)));
	if (!ctx.have_capacity)
		fprintf(f, " (no %s)", swl_dbg());
	fputc('\n', f);
	if (k->have_pools) {
		pool_kind_counts(k, counts, &other);
		fprintf(f, "pools %d: default %d, dynamic %d, transient %d, restricted %d",
			k->npools, counts[0], counts[1], counts[2], counts[3]);
		if (other)
			fprintf(f, ", other %d", other);
		fputc('\n', f);
	} else {
		fprintf(f, "pools: n/a (no pool listing in debugfs)\n");
	}
	fmt_bytes(D(map_bytes), b1, sizeof(b1));
	/*
	 * "bounced" is the same in every mode: the bytes of the
	 * swiotlb_bounced events (streaming mappings sent to swiotlb, those
	 * that then failed too); "copied", where the kernel has
	 * swiotlb_bounce_copy (full mode), the bytes copied to and from the
	 * bounce buffers, both directions.
	 */
	if (swl_lacks(&ctx, "bounced"))
		snprintf(b2, sizeof(b2), "n/a");
	else
		fmt_bytes(D(bounced_bytes), b2, sizeof(b2));
	fprintf(f, "interval: maps %llu (%s)  unmaps ", D(maps), b1);
	if (swl_lacks(&ctx, "unmaps"))
		fprintf(f, "n/a");
	else
		fprintf(f, "%llu", D(unmaps));
	fprintf(f, "  bounced %s", b2);
	if (!swl_lacks(&ctx, "copies")) {
		fmt_bytes(D(copy_bytes[0]) + D(copy_bytes[1]), b2, sizeof(b2));
		fprintf(f, "  copied %s", b2);
	}
	if (ctx.mode == SWL_MODE_FULL) {
		fprintf(f, "  slots +%llu -%llu\n", D(map_slots), D(unmap_slots));
		fprintf(f, "pools: grown %llu  returned %llu  transient +%llu -%llu  grow failed %llu\n",
			add - tadd, rem - trem, tadd, trem, gf);
		fprintf(f, "failures %llu: too_big %llu  full %llu  transient %llu", fails,
			D(fails[0]), D(fails[1]), D(fails[2]));
		for (int i = 3; i < SWL_NR_ENUM; i++)
			if (D(fails[i]))
				fprintf(f, "  %s %llu", swl_reason_name(i, b1, sizeof(b1)), D(fails[i]));
		fputc('\n', f);
	} else if (swl_lacks(&ctx, "failures")) {
		fprintf(f, "\nfailures n/a  pool events: n/a (%s mode)\n", swl_mode_name(ctx.mode));
	} else {
		fprintf(f, "\nfailures %llu (reasons n/a)  pool events: n/a (%s mode)\n", fails,
			swl_mode_name(ctx.mode));
	}
	if (lay->screen)
		print_dir_summary(f);
	if (D(events_lost) || D(live_full) || D(devs_full) || D(dev_hists_full))
		fprintf(f, "dropped: lost events %llu  hold table full %llu  device table full %llu  device histograms full %llu\n",
			D(events_lost), D(live_full), D(devs_full), D(dev_hists_full));

	if (k->have_pools && k->npools) {
		fprintf(f, "\n%-18s %-10s %8s %8s  %-22s %6s  %s\n", "POOL", "KIND", "SLOTS", "USED",
			"OCCUPANCY", "", "OWNER");
		for (int i = 0; i < k->npools && i < lay->pool_rows; i++) {
			const struct swl_pool *p = &k->pools[i];
			double occ = p->nslabs ? (double)p->used / p->nslabs : 0;
			int n = (int)(occ * 20 + 0.5);
			char bar[21];

			memset(bar, '.', 20);
			memset(bar, '#', n > 20 ? 20 : n);
			bar[20] = 0;
			fprintf(f, "0x%-16llx %-10s %8lu %8lu  [%s] %5.1f%%  %s\n", p->start, p->kind,
				p->nslabs, p->used, bar, occ * 100, p->owner);
		}
	}
	if (env.slots) {
		fputc('\n', f);
		print_slot_maps(f);
	}

	qsort(devrows, ndevs, sizeof(devrows[0]), cmp_dev);
	fputc('\n', f);
	if (lay->screen)
		print_status(f);
	if (lay->screen && env.view == VIEW_TASKS)
		print_tasks(f, dt, lay->table_rows);
	else if (lay->screen && env.view == VIEW_DIRS)
		print_dev_dirs(f, dt, lay->table_rows);
	else
		print_devs(f, dt, lay->table_rows);
	if (ctx.mode == SWL_MODE_FULL || nrecent) {
		fprintf(f, "\nLATEST EVENTS\n");
		for (int i = 0; i < nrecent; i++)
			swl_print_event(f, &ctx, &recent[(recent_pos - nrecent + i + RECENT) % RECENT],
					SWL_EV_LINE_TOP);
		if (!nrecent)
			fprintf(f, "(none yet)\n");
	}
	if (env.hist) {
		fputc('\n', f);
		print_hists(f);
	}
	fflush(f);
}

/* The screen of an interval, shown again after a key or a resize. */
struct frame {
	double dt;
	const struct swl_kstate *k;
	const struct swl_stats *cur, *prev;
};

static char *render(const struct frame *fr, const struct layout *lay)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		swl_fail(SWL_EXIT_ERROR, "out of memory");
	output_text(m, fr->dt, fr->k, fr->cur, fr->prev, lay);
	if (fclose(m))
		swl_fail(SWL_EXIT_ERROR, "out of memory");
	return text;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The rows for POOLS pools and TABLE table rows (each at most -r) in
 * AVAIL lines: the table first, but to no more than half of them when the
 * pools want more than the rest.
 */
static void fit_rows(struct layout *lay, int avail, int pools, int table)
{
	if (avail < 0)
		avail = 0;
	if (pools > env.rows)
		pools = env.rows;
	if (table > env.rows)
		table = env.rows;
	lay->table_rows = avail - pools > (avail + 1) / 2 ? avail - pools : (avail + 1) / 2;
	if (lay->table_rows > table)
		lay->table_rows = table;
	lay->pool_rows = avail - lay->table_rows < pools ? avail - lay->table_rows : pools;
}

/* The screen, fitted to the terminal: drawn once without rows to count
 * the lines of the rest. */
static void draw_screen(const struct frame *fr)
{
	static const struct taskrow *shown[SWL_MAX_TASKS];
	struct layout lay = { .screen = true };
	int pools = fr->k->have_pools ? fr->k->npools : 0;
	int table = env.view == VIEW_TASKS ? active_tasks(shown) : ndevs;
	char *text = render(fr, &lay);

	fit_rows(&lay, term.rows - count_lines(text), pools, table);
	free(text);
	text = render(fr, &lay);
	swl_term_show(stdout, &term, text, !env.noclear);
	free(text);
}

static bool quit;	/* the key q: end now, without another interval */

/* Key C on the screen; true when the screen changes. */
static bool screen_key(char c)
{
	switch (c) {
	case 'q':
		quit = true;
		return false;
	case 's':
		next_sort();
		return true;
	case 'r':
		env.reverse = !env.reverse;
		return true;
	case 'd':
		env.view = env.view == VIEW_DIRS ? VIEW_DEVICES : VIEW_DIRS;
		return true;
	case 't':
		env.view = env.view == VIEW_TASKS ? VIEW_DEVICES : VIEW_TASKS;
		return true;
	default:
		return false;
	}
}

/* The keys waiting; true when the screen changes.  An escape sequence
 * (an arrow key, a function key) is dropped with what follows it. */
static bool read_keys(void)
{
	char keys[32];
	bool changed = false;
	int n = swl_term_read_keys(keys, sizeof(keys));

	if (n < 0)
		env.keys = false;	/* stdin is gone */
	for (int i = 0; i < n && keys[i] != '\033' && !quit; i++)
		changed |= screen_key(keys[i]);
	return changed;
}

/*
 * Wait until DEADLINE, taking ring buffer events, keys and resizes; after
 * a key or a resize the screen of FR, when there is one, is drawn again.
 */
static void screen_wait(struct ring_buffer *rb, unsigned long long deadline,
			const struct frame *fr)
{
	struct pollfd fds[2] = {
		{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	unsigned long long now;

	while (!swl_exiting && !quit && (now = swl_now_ns()) < deadline) {
		int nfds = env.keys && swl_term_keys() ? 2 : 1;
		bool changed = false;
		int err;

		fds[1].revents = 0;
		if (poll(fds, nfds, (int)((deadline - now) / 1000000) + 1) < 0 && errno != EINTR)
			swl_fail(SWL_EXIT_ERROR, "poll: %s", strerror(errno));
		if (fds[0].revents) {
			err = ring_buffer__consume(rb);
			if (err < 0)
				swl_fail(SWL_EXIT_ERROR, "ring buffer: %s", strerror(-err));
		}
		if (fds[1].revents)
			changed = read_keys();
		if (swl_term_changed) {
			swl_term_changed = 0;
			swl_term_size(&term);
			changed = true;
		}
		if (changed && fr && !quit)
			draw_screen(fr);
	}
}

/* Wait until DEADLINE, taking ring buffer events. */
static void batch_wait(struct ring_buffer *rb, unsigned long long deadline)
{
	unsigned long long now;

	while (!swl_exiting && (now = swl_now_ns()) < deadline) {
		int err = ring_buffer__poll(rb, (int)((deadline - now) / 1000000) + 1);

		if (err < 0 && err != -EINTR)
			swl_fail(SWL_EXIT_ERROR, "ring buffer: %s", strerror(-err));
	}
}

int main(int argc, char **argv)
{
	struct layout batch = {};
	struct swl_stats cur, prev;
	struct swl_kstate *k;
	struct ring_buffer *rb;
	struct frame fr = { .cur = &cur, .prev = &prev };
	FILE *rec = NULL;
	unsigned long long t0, tprev;
	bool shown = false;
	long n = 0;

	swl_prog = "swiotlbtop";
	parse_args(argc, argv);
	batch.pool_rows = batch.table_rows = env.rows;
	env.screen = isatty(STDOUT_FILENO) && !env.batch && !opts.json;
	/* A screen goes out in one write, not line by line. */
	if (env.screen)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	opts.hist = env.hist;
	opts.hist_per_dev = env.hist_dev;
	opts.holds = env.holds;
	opts.copies = env.copies;
	opts.tasks = env.screen;
	swl_setup(&ctx, &opts);


	rb = ring_buffer__new(bpf_map__fd(ctx.skel->maps.events), handle_event, NULL, NULL);
	if (!rb)
		swl_fail(SWL_EXIT_ERROR, "cannot create the ring buffer: %s", strerror(errno));
	k = calloc(1, sizeof(*k));
	if (!k)
		swl_fail(SWL_EXIT_ERROR, "out of memory");
	fr.k = k;
	/* Only now that the tool runs: no empty record of a failed start. */
	if (env.record) {
		rec = fopen(env.record, "w");
		if (!rec)
			swl_fail(SWL_EXIT_ERROR, "--record %s: cannot write: %s",
				 swl_shown(env.record), strerror(errno));
	}
	swl_handle_signals();
	if (env.screen) {
		env.keys = swl_term_start();
		swl_term_size(&term);
	}
	/* cur: the counters at the start of the first interval. */
	memset(&cur, 0, sizeof(cur));
	t0 = tprev = swl_now_ns();
	if (rec) {
		memset(&prev, 0, sizeof(prev));
		swl_read_kstate(k, true);
		swl_read_stats(&ctx, &cur);
		output_json(rec, 0, 0, k, &cur, &prev);
	}
	swl_print_start(&ctx);
	swl_note_untracked();

	/* After SIGINT or SIGTERM, one last reading is shown. */
	for (;;) {
		unsigned long long deadline = tprev + (unsigned long long)(env.interval * 1e9), now;
		double dt;

		if (env.screen)
			screen_wait(rb, deadline, shown ? &fr : NULL);
		else
			batch_wait(rb, deadline);
		if (quit)
			break;
		ring_buffer__consume(rb);
		now = swl_now_ns();
		dt = (now - tprev) / 1e9;
		tprev = now;
		/* Deltas from the previous reading (the interval's start). */
		prev = cur;
		memcpy(hist_prev, hist_cur, sizeof(hist_prev));
		swl_read_stats(&ctx, &cur);
		read_devs();
		if (env.screen)
			read_tasks();
		swl_read_kstate(k, true);
		if (env.hist)
			read_hists(hist_cur);
		n++;
		bool last = swl_exiting || (env.count && n >= env.count);

		if (opts.json) {
			output_json(stdout, (now - t0) / 1e9, dt, k, &cur, &prev);
		} else if (env.screen) {
			fr.dt = dt;
			draw_screen(&fr);
			shown = true;
		} else {
			output_text(stdout, dt, k, &cur, &prev, &batch);
			fputc('\n', stdout);
		}
		if (rec)
			output_json(rec, (now - t0) / 1e9, dt, k, &cur, &prev);
		nev = nev_dropped = 0;
		if (last)
			break;
	}
	/* The shell's prompt below the last screen. */
	if (shown && !env.noclear) {
		fputc('\n', stdout);
		fflush(stdout);
	}
	swl_term_restore();
	if (rec && fclose(rec))
		swl_fail(SWL_EXIT_ERROR, "--record %s: cannot write: %s", swl_shown(env.record),
			 strerror(errno));
	ring_buffer__free(rb);
	free(k);
	swl_destroy(&ctx);
	return 0;
}
