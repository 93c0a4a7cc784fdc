// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlbsnoop - one line per swiotlb event: map, unmap, failure, pool
 * added, pool removed, growth failed, and in tracepoint mode one line per
 * bounced mapping.  Same BPF object as swiotlbtop, with every map and
 * unmap (or bounce) sent over the ring buffer.
 */
#include <errno.h>
#include <getopt.h>
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
"Exit status: 0 ok, 1 error, 2 usage, 3 no BTF, 4 no privilege, 6 no\n"
"tracefs (--mode full), 7 no swiotlb, 8 no mode works on this kernel,\n"
"9 the --mode asked for cannot run.\n";

static const char *const types[] = {
	NULL, "map", "unmap", "map_failed", "pool_add", "pool_remove", "grow_failed",
	"bounced",
};
#define NTYPES 8

static struct {
	const char *dev;
	unsigned int mask;
	bool json, verbose;
	long count;
	double duration;
	enum swl_mode mode;
} env = { .mask = ~0U };

static long seen;
static struct swl_ctx ctx;

#define usage_err(msg, arg) swl_usage_err(usage_text, msg, arg)

static void parse_events(char *list)
{
	char *save = NULL;

	env.mask = 0;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 1; i < NTYPES; i++)
			if (!strcmp(t, types[i]))
				break;
		if (i == NTYPES)
			usage_err("unknown event type", t);
		env.mask |= 1U << i;
	}
	if (!env.mask)
		usage_err("no event types", NULL);
}

static int handle_event(void *c, void *data, size_t len)
{
	const struct swl_event *e = data;
	char ts[32], b1[32], b2[32];

	(void)c;
	if (len < sizeof(*e) || e->type >= NTYPES || !(env.mask & (1U << e->type)))
		return 0;
	if (env.count && seen >= env.count)
		return 0;
	seen++;
	if (env.json) {
		printf("{\"ts_ns\":%llu,\"type\":\"%s\",\"cpu\":%u,\"pid\":%u,\"comm\":",
		       e->ts, types[e->type], e->cpu, e->pid);
		swl_json_str(stdout, e->comm);
		printf(",\"dev\":");
		swl_json_str(stdout, e->dev);
		switch (e->type) {
		case SWL_EV_MAP:
		case SWL_EV_UNMAP:
			printf(",\"size\":%llu,\"tlb_addr\":\"0x%llx\"", e->size, e->addr);
			if (ctx.mode == SWL_MODE_FULL)
				printf(",\"pool\":\"0x%llx\",\"index\":%llu,\"nslots\":%llu",
				       e->pool, e->index, e->nslots);
			if (e->type == SWL_EV_MAP)
				printf(",\"orig_addr\":\"0x%llx\",\"alloc_size\":%llu,\"dir\":%d",
				       e->orig, e->alloc_size, e->dir);
			else
				printf(",\"hold_ns\":%llu", e->ns);
			break;
		case SWL_EV_FAIL:
			printf(",\"size\":%llu,\"alloc_size\":%llu,\"reason\":\"%s\",\"used\":%llu,\"total\":%llu",
			       e->size, e->alloc_size, swl_reason_name(e->code, b1, sizeof(b1)),
			       e->used, e->total);
			break;
		case SWL_EV_POOL_ADD:
		case SWL_EV_POOL_REMOVE:
			printf(",\"pool\":\"0x%llx\",\"end\":\"0x%llx\",\"kind\":\"%s\",\"nslabs\":%llu,\"cause\":\"%s\",\"lifetime_ns\":%llu",
			       e->pool, e->end, swl_kind_name(e->kind, b1, sizeof(b1)), e->nslots,
			       swl_cause_name(e->code, b2, sizeof(b2)), e->ns);
			break;
		case SWL_EV_GROW_FAIL:
			printf(",\"nslabs\":%llu,\"cause\":\"%s\"", e->nslots,
			       swl_cause_name(e->code, b1, sizeof(b1)));
			break;
		case SWL_EV_BOUNCE:
			printf(",\"size\":%llu,\"dev_addr\":\"0x%llx\"", e->size, e->addr);
			break;
		}
		printf(",\"mode\":\"%s\"}\n", swl_mode_name(ctx.mode));
	} else {
		swl_fmt_time(e->ts, ts, sizeof(ts));
		printf("%-15s %3u %7u %-15.15s %-20.20s %-11s ", ts, e->cpu, e->pid, e->comm,
		       e->dev[0] ? e->dev : "-", types[e->type]);
		switch (e->type) {
		case SWL_EV_MAP:
		case SWL_EV_UNMAP:
			printf("%8llu ", e->size);
			if (ctx.mode == SWL_MODE_FULL)
				printf("pool 0x%llx slot %llu+%llu", e->pool, e->index, e->nslots);
			else
				printf("tlb 0x%llx", e->addr);
			if (e->type == SWL_EV_UNMAP)
				printf(" held %.1f us", e->ns / 1e3);
			break;
		case SWL_EV_FAIL:
			printf("%8llu reason %s", e->size, swl_reason_name(e->code, b1, sizeof(b1)));
			if (ctx.mode == SWL_MODE_FULL)
				printf(" used %llu/%llu", e->used, e->total);
			break;
		case SWL_EV_POOL_ADD:
		case SWL_EV_POOL_REMOVE:
			printf("%8llu pool 0x%llx %s cause %s", e->nslots * 2048, e->pool,
			       swl_kind_name(e->kind, b1, sizeof(b1)),
			       swl_cause_name(e->code, b2, sizeof(b2)));
			if (e->type == SWL_EV_POOL_REMOVE)
				printf(" lifetime %.3f ms", e->ns / 1e6);
			break;
		case SWL_EV_GROW_FAIL:
			printf("%8llu cause %s", e->nslots * 2048,
			       swl_cause_name(e->code, b1, sizeof(b1)));
			break;
		case SWL_EV_BOUNCE:
			printf("%8llu dma 0x%llx", e->size, e->addr);
			break;
		}
		putchar('\n');
	}
	if (env.count && seen >= env.count)
		swl_exiting = 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'D' },
		{ "mode", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct swl_opts o = {};
	struct ring_buffer *rb;
	unsigned long long end = 0;
	char *p;
	int c, err;

	swl_prog = "swiotlbsnoop";
	while ((c = getopt_long(argc, argv, "d:e:jc:D:m:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg || strlen(optarg) >= SWL_DEV_LEN)
				usage_err("invalid device name", optarg);
			env.dev = optarg;
			break;
		case 'e': parse_events(optarg); break;
		case 'j': env.json = true; break;
		case 'c':
			env.count = strtol(optarg, &p, 10);
			if (*p || env.count <= 0)
				usage_err("invalid count", optarg);
			break;
		case 'D':
			env.duration = strtod(optarg, &p);
			if (*p || !(env.duration > 0))
				usage_err("invalid duration", optarg);
			break;
		case 'm':
			if (swl_parse_mode(optarg, &env.mode))
				usage_err("invalid mode", optarg);
			break;
		case 'v': env.verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fputs(usage_text, stderr);
			return SWL_EXIT_USAGE;
		}
	}
	if (optind < argc)
		usage_err("unexpected argument", argv[optind]);

	o.mode = env.mode;
	o.verbose = env.verbose;
	o.snoop = true;
	o.dev = env.dev;
	swl_setup(&ctx, &o);
	rb = ring_buffer__new(bpf_map__fd(ctx.skel->maps.events), handle_event, NULL, NULL);
	if (!rb)
		swl_fail(SWL_EXIT_ERROR, "cannot create the ring buffer: %s", strerror(errno));
	swl_handle_signals();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env.duration)
		end = swl_now_ns() + (unsigned long long)(env.duration * 1e9);
	swl_print_start(&ctx);
	if (!env.json)
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
