// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlbsnoop - one line per swiotlb event: map, unmap, failure, pool
 * added, pool removed, growth failed, and in tracepoint mode one line per
 * bounced mapping.  Same BPF object as swiotlbtop, with every map and
 * unmap (or bounce) sent over the ring buffer.  An unmap's line says how
 * long its slots were held (and its size in fentry and kprobe modes): maps
 * are paired with unmaps (rodata holds) when unmaps are shown, and only
 * then (not with -e without unmap).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "swiotlb.skel.h"

static const char usage_text[] =
"Usage: swiotlbsnoop [OPTIONS]\n"
"Print one line per swiotlb event: map, unmap, map_failed, pool_add,\n"
"pool_remove, grow_failed; in tracepoint mode, bounced.\n"
"\n"
"  -d, --device NAME   only this device\n"
"  -e, --events LIST   comma separated event types to show (default all):\n"
"                      map,unmap,map_failed,pool_add,pool_remove,grow_failed,\n"
"                      bounced\n"
"  -j, --json          one JSON object per event\n"
"  -c, --count N       exit after N events\n"
"  -D, --duration S    exit after S seconds\n"
"  -m, --mode MODE     auto (default: the first that works of full, fentry,\n"
"                      kprobe, tracepoint), or one of them\n"
"  -v, --verbose       say which attach mode was chosen, libbpf messages\n"
"  -h, --help          this help\n"
"\n"
SWL_USAGE_EXIT;

static struct {
	unsigned int mask;
	long count;
	double duration;
} env = { .mask = ~0U };
static struct swl_opts opts;	/* -d, -j, -m, -v and the -e mask for swl_setup() */

static long seen;
static struct swl_ctx ctx;

static int handle_event(void *c, void *data, size_t len)
{
	const struct swl_event *e = data;

	(void)c;
	/* The BPF side sends only the types of env.mask; this is the check
	 * of a type it did not know. */
	if (len < sizeof(*e) || e->type >= 32 || !(env.mask & (1U << e->type)))
		return 0;
	if (env.count && seen >= env.count)
		return 0;
	seen++;
	if (opts.json) {
		struct swl_json j;

		swl_json_begin(&j, stdout);
		swl_json_event(&j, &ctx, e);
		swl_json_str(&j, "mode", swl_mode_name(ctx.mode));
		swl_json_end(&j);
	} else {
		swl_print_event(stdout, &ctx, e, SWL_EV_LINE_SNOOP);
	}
	if (env.count && seen >= env.count)
		swl_exiting = 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		SWL_COMMON_LONGOPTS,
		{ "events", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'D' },
		{}
	};
	struct ring_buffer *rb;
	unsigned long long end = 0;
	int c, err;

	swl_prog = "swiotlbsnoop";
	while ((c = swl_getopt(argc, argv, SWL_COMMON_SHORTOPTS "e:c:D:", longopts)) != -1) {
		if (swl_common_opt(c, optarg, usage_text, &opts))
			continue;
		switch (c) {
		case 'e': env.mask = swl_parse_events(swl_opt_name(c), optarg); break;
		case 'c':
			env.count = swl_parse_count(swl_opt_name(c), optarg, 1, LONG_MAX);
			break;
		case 'D':
			env.duration = swl_parse_seconds(swl_opt_name(c), optarg, 0, 1e9);
			break;
		}
	}
	if (optind < argc)
		swl_usage_err("unexpected argument %s (swiotlbsnoop takes none)",
			      swl_shown(argv[optind]));

	opts.snoop = true;
	opts.ev_mask = env.mask;
	opts.holds = env.mask & (1U << SWL_EV_UNMAP);
	swl_setup(&ctx, &opts);
	rb = ring_buffer__new(bpf_map__fd(ctx.skel->maps.events), handle_event, NULL, NULL);
	if (!rb)
		swl_fail(SWL_EXIT_ERROR, "cannot create the ring buffer: %s", strerror(errno));
	swl_handle_signals();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env.duration)
		end = swl_now_ns() + (unsigned long long)(env.duration * 1e9);
	swl_print_start(&ctx);
	if (!opts.json)
		printf("%-15s %3s %7s %-15s %-20s %-11s %8s %s\n", "TIME", "CPU", "PID", "COMM",
		       "DEVICE", "EVENT", "BYTES", "DETAILS");
	while (!swl_exiting) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR)
			swl_fail(SWL_EXIT_ERROR, "ring buffer: %s", strerror(-err));
		if (end && swl_now_ns() >= end)
			break;
	}
	if (!env.count || seen < env.count)
		ring_buffer__consume(rb);
	ring_buffer__free(rb);
	{
		struct swl_stats s;

		swl_read_stats(&ctx, &s);
		if (s.events_lost)
			fprintf(stderr, "swiotlbsnoop: %llu events lost (ring buffer full)\n", s.events_lost);
	}
	swl_destroy(&ctx);
	return 0;
}
