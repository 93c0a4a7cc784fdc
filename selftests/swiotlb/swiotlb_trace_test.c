// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb_trace_test - kselftests of the swiotlb lifecycle tracepoints and
 * of the debugfs pool listing, driven through the swiotlb_elastic_test
 * module.
 *
 * The tests record the swiotlb events in a trace instance of their own,
 * make the module map and unmap buffers of known sizes and check the exact
 * number of events, their fields, that every allocation is released exactly
 * once, and that the debugfs listings agree with the events and with the
 * io_tlb_used counter.
 *
 * Needs root, the module loaded and a kernel booted with swiotlb=force;
 * tests skip otherwise, and on kernels without the tracepoints.  Nothing
 * else may use swiotlb while they run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "swiotlb_test_util.h"

#define INSTANCE	"swiotlb_trace_test"

static const char *const events[] = {
	"swiotlb_map_slots",
	"swiotlb_unmap_slots",
	"swiotlb_map_failed",
	"swiotlb_pool_add",
	"swiotlb_pool_remove",
	"swiotlb_grow_failed",
	"swiotlb_bounce_copy",
};

/* One parsed trace line of a swiotlb event. */
struct ev {
	char name[32];
	char *args;	/* "key=value key=value ...", points into the trace */
};

/*
 * Value of "key=" in @args, copied to @out (at most @size - 1 bytes); false
 * if absent.  Values never contain spaces.
 */
static bool ev_str(const struct ev *e, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = e->args, *end;

	while ((p = strstr(p, key))) {
		if ((p == e->args || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			end = strchrnul(p, ' ');
			n = end - p < (long)size - 1 ? (size_t)(end - p) : size - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
		p += klen;
	}
	return false;
}

/* Numeric value of "key=" in @args, ~0ULL if absent or malformed. */
static unsigned long long ev_num(const struct ev *e, const char *key)
{
	char buf[64], *end;
	unsigned long long v;

	if (!ev_str(e, key, buf, sizeof(buf)))
		return ~0ULL;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return ~0ULL;
	return v;
}

static bool ev_is(const struct ev *e, const char *name)
{
	return !strcmp(e->name, name);
}

static bool ev_dev_is(const struct ev *e, const char *dev)
{
	char buf[128];

	return ev_str(e, "dev_name", buf, sizeof(buf)) && !strcmp(buf, dev);
}

/* The recorded swiotlb events, in the order of the trace. */
struct trace {
	char *text;
	struct ev *ev;
	size_t n;
};

static void trace_free(struct trace *t)
{
	free(t->text);
	free(t->ev);
	memset(t, 0, sizeof(*t));
}

/* Per-test state: the trace instance. */
struct tctx {
	char inst[256];
	unsigned long nslabs;
};

static int inst_write(struct tctx *c, const char *file, const char *s)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", c->inst, file);
	return write_str(path, s, O_TRUNC);
}

static int events_enable(struct tctx *c, bool on)
{
	char file[256];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(file, sizeof(file), "events/swiotlb/%s/enable",
			 events[i]);
		ret = inst_write(c, file, on ? "1" : "0");
		if (ret)
			return ret;
	}
	return 0;
}

/* Stop recording and parse the instance's trace. */
static int trace_collect(struct tctx *c, struct trace *t)
{
	char path[512], *line, *save, *p, *colon;
	size_t cap = 0;
	struct ev *tmp;

	memset(t, 0, sizeof(*t));
	if (events_enable(c, false))
		return -EIO;
	snprintf(path, sizeof(path), "%s/trace", c->inst);
	t->text = read_all(path);
	if (!t->text)
		return -errno;
	for (line = strtok_r(t->text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		p = strstr(line, ": swiotlb_");
		if (!p)
			continue;
		p += 2;
		colon = strchr(p, ':');
		if (!colon || colon - p >= (long)sizeof(t->ev[0].name))
			continue;
		if (t->n == cap) {
			cap = cap ? 2 * cap : 256;
			tmp = realloc(t->ev, cap * sizeof(*tmp));
			if (!tmp)
				return -ENOMEM;
			t->ev = tmp;
		}
		memcpy(t->ev[t->n].name, p, colon - p);
		t->ev[t->n].name[colon - p] = '\0';
		t->ev[t->n].args = colon + 1 + (colon[1] == ' ');
		t->n++;
	}
	return 0;
}

/* Clear the instance's buffer and start recording. */
static int trace_start(struct tctx *c)
{
	int ret;

	ret = inst_write(c, "trace", "");
	if (!ret)
		ret = events_enable(c, true);
	if (!ret)
		ret = inst_write(c, "tracing_on", "1");
	return ret;
}

static size_t count(const struct trace *t, const char *name, const char *dev)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (ev_is(&t->ev[i], name) &&
		    (!dev || ev_dev_is(&t->ev[i], dev)))
			n++;
	return n;
}

/*
 * Pair every swiotlb_unmap_slots of @dev with the one earlier, unreleased
 * swiotlb_map_slots of the same pool and index.  Returns the number of
 * allocations still live at the end, or -1 (after logging) on a violation.
 */
static long check_pairing(struct __test_metadata *_metadata,
			  const struct trace *t, const char *dev)
{
	bool *live = calloc(t->n + 1, sizeof(*live));
	long nlive = 0;
	size_t i, j;

	if (!live)
		return -1;
	for (i = 0; i < t->n; i++) {
		const struct ev *u = &t->ev[i];

		if (!ev_dev_is(u, dev))
			continue;
		if (ev_is(u, "swiotlb_map_slots")) {
			for (j = 0; j < i; j++) {
				const struct ev *m = &t->ev[j];
				unsigned long long a = ev_num(m, "index");
				unsigned long long b = ev_num(u, "index");

				if (!live[j] ||
				    ev_num(m, "pool") != ev_num(u, "pool"))
					continue;
				/* Two live allocations must not overlap. */
				if (a < b + ev_num(u, "nslots") &&
				    b < a + ev_num(m, "nslots")) {
					TH_LOG("overlapping allocations: %s / %s",
					       m->args, u->args);
					free(live);
					return -1;
				}
			}
			live[i] = true;
			nlive++;
			continue;
		}
		if (!ev_is(u, "swiotlb_unmap_slots"))
			continue;
		for (j = 0; j < i; j++) {
			const struct ev *m = &t->ev[j];

			if (live[j] && ev_is(m, "swiotlb_map_slots") &&
			    ev_num(m, "pool") == ev_num(u, "pool") &&
			    ev_num(m, "index") == ev_num(u, "index"))
				break;
		}
		if (j == i) {
			TH_LOG("release without allocation: %s", u->args);
			free(live);
			return -1;
		}
		if (ev_num(&t->ev[j], "nslots") != ev_num(u, "nslots") ||
		    ev_num(&t->ev[j], "tlb_addr") != ev_num(u, "tlb_addr")) {
			TH_LOG("release %s does not match allocation %s",
			       u->args, t->ev[j].args);
			free(live);
			return -1;
		}
		live[j] = false;
		nlive--;
	}
	free(live);
	return nlive;
}

static unsigned long pools_used(const struct pool_line *pl, int n)
{
	unsigned long sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += pl[i].used;
	return sum;
}

/*
 * Are slots [first, last] of the pool at @start all used (or all free) in
 * swiotlb/slots?  Returns 1 if used, 0 if free, -1 if mixed or not found.
 */
static int slots_state(unsigned long long start, unsigned long first,
		       unsigned long last)
{
	char *buf, *line, *save, *p, *end;
	unsigned long long pstart = ~0ULL;
	unsigned long a, b, nused = 0;
	int ret = -1;

	buf = read_all(SWIOTLB_DIR "/slots");
	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "pool ", 5)) {
			pstart = strtoull(line + 5, NULL, 16);
			continue;
		}
		if (pstart != start || strncmp(line, "area ", 5))
			continue;
		ret = 0;
		p = strchr(line, ':');
		while (p && *++p == ' ') {
			a = strtoul(p + 1, &end, 10);
			if (*end != '-')
				break;
			b = strtoul(end + 1, &end, 10);
			p = end;
			if (b >= first && a <= last)
				nused += (b < last ? b : last) -
					 (a > first ? a : first) + 1;
			if (*p != ' ')
				break;
		}
	}
	free(buf);
	if (ret)
		return -1;
	if (nused == last - first + 1)
		return 1;
	return nused ? -1 : 0;
}

/*
 * Common fixture setup: skip unless the environment is there, then create
 * the trace instance.  Returns false after a SKIP.
 */
static bool ctx_setup(struct __test_metadata *_metadata, struct tctx *c)
{
	const char *tdir;
	char path[512];
	unsigned long held;

	if (geteuid())
		SKIP(return false, "needs root (debugfs, tracefs)");
	tdir = tracing_dir("instances");
	if (!tdir)
		SKIP(return false, "tracefs with instances not available");
	snprintf(path, sizeof(path), "%s/events/swiotlb/swiotlb_map_slots",
		 tdir);
	if (access(path, F_OK))
		SKIP(return false,
		     "no swiotlb_map_slots event: no swiotlb lifecycle tracepoints");
	if (access(SWIOTLB_DIR "/pools", F_OK))
		SKIP(return false,
		     "no %s/pools: kernel without the swiotlb pool listing",
		     SWIOTLB_DIR);
	if (access(SET_DIR, F_OK))
		SKIP(return false,
		     "module swiotlb_elastic_test not loaded (no %s)", SET_DIR);
	if (!swiotlb_forced())
		SKIP(return false,
		     "bouncing not forced: boot with swiotlb=force");

	snprintf(c->inst, sizeof(c->inst), "%s/instances/%s", tdir, INSTANCE);
	if (mkdir(c->inst, 0700) && errno != EEXIST)
		ASSERT_EQ(0, -errno);
	ASSERT_EQ(0, events_enable(c, false));
	/* Room for the events of a few hundred mappings per CPU. */
	inst_write(c, "buffer_size_kb", "4096");
	ASSERT_EQ(0, write_str(SET_DIR "/mask", "64", O_TRUNC));
	ASSERT_EQ(0, read_ulong(SET_DIR "/held", &held));
	ASSERT_EQ(0UL, held) {
		TH_LOG("mappings left held by an earlier run");
	}
	ASSERT_EQ(0, read_ulong(SWIOTLB_DIR "/io_tlb_nslabs", &c->nslabs));
	return true;
}

static void ctx_teardown(struct tctx *c)
{
	unsigned long held;

	if (!c->inst[0])
		return;
	if (!read_ulong(SET_DIR "/held", &held) && held)
		set_cmd("unmap");
	events_enable(c, false);
	rmdir(c->inst);
}

FIXTURE(trace) {
	struct tctx c;
};

FIXTURE_SETUP(trace)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(trace)
{
	ctx_teardown(&self->c);
}

/* "run 5 4096 to": exactly 5 allocations and 5 releases, exact fields. */
TEST_F(trace, map_unmap_exact)
{
	struct trace t;
	size_t i, nmap = 0, nunmap = 0;
	char buf[32];

	ASSERT_EQ(0, trace_start(&self->c));
	ASSERT_EQ(0, set_cmd("run 5 4096 to"));
	ASSERT_EQ(0, trace_collect(&self->c, &t));

	for (i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];

		if (!ev_dev_is(e, DEV_NAME))
			continue;
		if (ev_is(e, "swiotlb_map_slots")) {
			nmap++;
			EXPECT_EQ(4096ULL, ev_num(e, "mapping_size"));
			EXPECT_EQ(4096ULL, ev_num(e, "alloc_size"));
			EXPECT_EQ(2ULL, ev_num(e, "nslots"));
			EXPECT_EQ(0ULL, ev_num(e, "pad_slots"));
			EXPECT_EQ(0ULL, ev_num(e, "attrs"));
			EXPECT_NE(0ULL, ev_num(e, "orig_addr"));
			EXPECT_EQ(ev_num(e, "pool") +
				  (ev_num(e, "index") << IO_TLB_SHIFT),
				  ev_num(e, "tlb_addr"));
			ASSERT_TRUE(ev_str(e, "dir", buf, sizeof(buf)));
			EXPECT_STREQ("to_device", buf);
		} else if (ev_is(e, "swiotlb_unmap_slots")) {
			nunmap++;
			EXPECT_EQ(2ULL, ev_num(e, "nslots"));
		}
	}
	EXPECT_EQ(5UL, nmap);
	EXPECT_EQ(5UL, nunmap);
	EXPECT_EQ(0L, check_pairing(_metadata, &t, DEV_NAME));
	EXPECT_EQ(0UL, count(&t, "swiotlb_map_failed", DEV_NAME));
	trace_free(&t);
}

/* Copies made by "run 3 SIZE DIR", per direction, and their byte counts. */
FIXTURE(copy) {
	struct tctx c;
};

FIXTURE_SETUP(copy)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(copy)
{
	ctx_teardown(&self->c);
}

FIXTURE_VARIANT(copy) {
	const char *dir;
	unsigned long size;
	unsigned int to_device;	/* copies per buffer */
	unsigned int to_cpu;
};

FIXTURE_VARIANT_ADD(copy, to) {
	/* map, sync_for_device */
	.dir = "to", .size = 4096, .to_device = 2, .to_cpu = 0,
};

FIXTURE_VARIANT_ADD(copy, from) {
	/* map (always copies in), sync_for_cpu, unmap */
	.dir = "from", .size = 3000, .to_device = 1, .to_cpu = 2,
};

FIXTURE_VARIANT_ADD(copy, bidi) {
	/* map, sync_for_cpu, sync_for_device, unmap */
	.dir = "bidi", .size = 8192, .to_device = 2, .to_cpu = 2,
};

TEST_F(copy, bounce_copy_bytes)
{
	unsigned long long bytes_dev = 0, bytes_cpu = 0;
	size_t i, ndev = 0, ncpu = 0;
	struct trace t;
	char buf[32];

	ASSERT_EQ(0, trace_start(&self->c));
	ASSERT_EQ(0, set_cmd("run 3 %lu %s", variant->size, variant->dir));
	ASSERT_EQ(0, trace_collect(&self->c, &t));

	for (i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];

		if (!ev_is(e, "swiotlb_bounce_copy") || !ev_dev_is(e, DEV_NAME))
			continue;
		ASSERT_TRUE(ev_str(e, "dir", buf, sizeof(buf)));
		if (!strcmp(buf, "to_device")) {
			ndev++;
			bytes_dev += ev_num(e, "size");
		} else {
			EXPECT_STREQ("to_cpu", buf);
			ncpu++;
			bytes_cpu += ev_num(e, "size");
		}
	}
	EXPECT_EQ(3UL * variant->to_device, ndev);
	EXPECT_EQ(3UL * variant->to_cpu, ncpu);
	EXPECT_EQ(3ULL * variant->to_device * variant->size, bytes_dev);
	EXPECT_EQ(3ULL * variant->to_cpu * variant->size, bytes_cpu);
	EXPECT_EQ(3UL, count(&t, "swiotlb_map_slots", DEV_NAME));
	EXPECT_EQ(3UL, count(&t, "swiotlb_unmap_slots", DEV_NAME));
	EXPECT_EQ(0L, check_pairing(_metadata, &t, DEV_NAME));
	trace_free(&t);
}

/*
 * Held mappings: their slots are used in swiotlb/slots while held and free
 * after the unmap, and each release matches its allocation.
 */
TEST_F(trace, held_slots_listing)
{
	unsigned long long pool, index, nslots;
	size_t i, j, nmap = 0;
	struct trace t, u;

	ASSERT_EQ(0, trace_start(&self->c));
	ASSERT_EQ(0, set_cmd("map 4 8192 from"));
	ASSERT_EQ(0, set_cmd("map 4 3000 bidi"));
	ASSERT_EQ(0, trace_collect(&self->c, &t));
	EXPECT_EQ(8L, check_pairing(_metadata, &t, DEV_NAME));
	EXPECT_EQ(0UL, count(&t, "swiotlb_unmap_slots", DEV_NAME));

	for (i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];

		if (!ev_is(e, "swiotlb_map_slots") || !ev_dev_is(e, DEV_NAME))
			continue;
		nmap++;
		pool = ev_num(e, "pool");
		index = ev_num(e, "index");
		nslots = ev_num(e, "nslots");
		EXPECT_EQ(ev_num(e, "mapping_size") == 8192 ? 4ULL : 2ULL,
			  nslots);
		EXPECT_EQ(1, slots_state(pool, index, index + nslots - 1)) {
			TH_LOG("slots %llu-%llu of pool 0x%llx not used",
			       index, index + nslots - 1, pool);
		}
	}
	EXPECT_EQ(8UL, nmap);

	ASSERT_EQ(0, trace_start(&self->c));
	ASSERT_EQ(0, set_cmd("unmap"));
	ASSERT_EQ(0, trace_collect(&self->c, &u));
	EXPECT_EQ(8UL, count(&u, "swiotlb_unmap_slots", DEV_NAME));
	EXPECT_EQ(0UL, count(&u, "swiotlb_map_slots", DEV_NAME));
	for (i = 0; i < u.n; i++) {
		const struct ev *e = &u.ev[i];

		if (!ev_is(e, "swiotlb_unmap_slots") || !ev_dev_is(e, DEV_NAME))
			continue;
		/* Each release matches one allocation exactly. */
		for (j = 0; j < t.n; j++)
			if (ev_is(&t.ev[j], "swiotlb_map_slots") &&
			    ev_num(&t.ev[j], "pool") == ev_num(e, "pool") &&
			    ev_num(&t.ev[j], "index") == ev_num(e, "index") &&
			    ev_num(&t.ev[j], "nslots") == ev_num(e, "nslots") &&
			    ev_num(&t.ev[j], "tlb_addr") ==
					ev_num(e, "tlb_addr"))
				break;
		EXPECT_LT(j, t.n) {
			TH_LOG("unmatched release %s", e->args);
		}
		pool = ev_num(e, "pool");
		index = ev_num(e, "index");
		nslots = ev_num(e, "nslots");
		EXPECT_EQ(0, slots_state(pool, index, index + nslots - 1));
	}
	trace_free(&u);
	trace_free(&t);
}

/* A mapping larger than any pool can hold fails with reason too_big. */
TEST_F(trace, map_failed_too_big)
{
	const unsigned long size = 1UL << 20;
	struct trace t;
	size_t i, n = 0;
	char buf[32];

	ASSERT_EQ(0, trace_start(&self->c));
	EXPECT_NE(0, set_cmd("run 1 %lu to", size));
	ASSERT_EQ(0, trace_collect(&self->c, &t));

	for (i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];

		if (!ev_is(e, "swiotlb_map_failed") || !ev_dev_is(e, DEV_NAME))
			continue;
		n++;
		EXPECT_EQ(size, ev_num(e, "mapping_size"));
		EXPECT_EQ(size, ev_num(e, "alloc_size"));
		EXPECT_EQ(0ULL, ev_num(e, "alloc_align_mask"));
		EXPECT_EQ(self->c.nslabs, ev_num(e, "total"));
		EXPECT_LE(ev_num(e, "used"), ev_num(e, "total"));
		ASSERT_TRUE(ev_str(e, "reason", buf, sizeof(buf)));
		EXPECT_STREQ("too_big", buf);
	}
	EXPECT_EQ(1UL, n);
	EXPECT_EQ(0UL, count(&t, "swiotlb_map_slots", DEV_NAME));
	EXPECT_EQ(0UL, count(&t, "swiotlb_unmap_slots", DEV_NAME));
	trace_free(&t);
}

/*
 * swiotlb/pools lists the default pool, and its used slots add up to
 * io_tlb_used, idle and with mappings held.
 */
static void check_pools_sum(struct __test_metadata *_metadata)
{
	struct pool_line pl[256];
	unsigned long used, sum = 0;
	int n = 0, n2, try;

	for (try = 0; try < 10; try++) {
		n = read_pools(pl, ARRAY_SIZE(pl));
		ASSERT_LT(0, n);
		ASSERT_EQ(0, read_ulong(SWIOTLB_DIR "/io_tlb_used", &used));
		sum = pools_used(pl, n);
		n2 = read_pools(pl, ARRAY_SIZE(pl));
		ASSERT_LT(0, n2);
		/* A stable snapshot: retry if anything moved meanwhile. */
		if (n == n2 && sum == pools_used(pl, n2) && sum == used)
			break;
	}
	EXPECT_EQ(used, sum);
}

TEST_F(trace, pools_listing)
{
	struct pool_line pl[256];
	unsigned long total = 0;
	int i, n, ndefault = 0;

	n = read_pools(pl, ARRAY_SIZE(pl));
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		EXPECT_LT(pl[i].start, pl[i].end);
		EXPECT_EQ(pl[i].nslabs << IO_TLB_SHIFT, pl[i].end - pl[i].start);
		EXPECT_LE(pl[i].used, pl[i].nslabs);
		if (!strcmp(pl[i].kind, "default")) {
			ndefault++;
			EXPECT_STREQ("-", pl[i].dev);
		}
		if (strcmp(pl[i].kind, "transient"))
			total += pl[i].nslabs;
	}
	EXPECT_EQ(1, ndefault);
	EXPECT_EQ(self->c.nslabs, total);

	check_pools_sum(_metadata);
	ASSERT_EQ(0, set_cmd("map 16 4096 bidi"));
	check_pools_sum(_metadata);
	ASSERT_EQ(0, set_cmd("unmap"));
	check_pools_sum(_metadata);
}

/*
 * Fill the allocator until it has to create transient (and dynamic) pools.
 * Which pools appear depends on the growth worker, so check the invariants:
 * each transient pool belongs to the device, holds exactly one allocation,
 * is listed while held and is removed exactly once, after its release.
 */
TEST_F(trace, transient_pools)
{
	const unsigned long size = 128 * IO_TLB_SIZE;
	unsigned long used, held, n, ntrans = 0, nremove = 0, nlisted = 0;
	struct pool_line pl[256];
	struct trace t;
	char buf[32];
	size_t i, j;
	int np, k;

	ASSERT_EQ(0, read_ulong(SWIOTLB_DIR "/io_tlb_used", &used));
	n = (self->c.nslabs - used) / 128 + 8;
	if (n > 4096)
		SKIP(return, "default pool too large to fill (%lu slots)",
		     self->c.nslabs);

	ASSERT_EQ(0, trace_start(&self->c));
	set_cmd("map %lu %lu from", n, size);
	ASSERT_EQ(0, read_ulong(SET_DIR "/held", &held));
	np = read_pools(pl, ARRAY_SIZE(pl));
	ASSERT_LT(0, np);
	for (k = 0; k < np; k++)
		if (!strcmp(pl[k].kind, "transient")) {
			nlisted++;
			EXPECT_STREQ(DEV_NAME, pl[k].dev);
			EXPECT_EQ(pl[k].nslabs, pl[k].used);
		}
	check_pools_sum(_metadata);
	ASSERT_EQ(0, set_cmd("unmap"));
	ASSERT_EQ(0, trace_collect(&self->c, &t));

	EXPECT_EQ(held, count(&t, "swiotlb_map_slots", DEV_NAME));
	EXPECT_EQ(held, count(&t, "swiotlb_unmap_slots", DEV_NAME));
	EXPECT_EQ(0L, check_pairing(_metadata, &t, DEV_NAME));

	for (i = 0; i < t.n; i++) {
		const struct ev *e = &t.ev[i];
		unsigned long long start;
		size_t nmap = 0, nunmap = 0, nrm = 0;

		if (!ev_is(e, "swiotlb_pool_add"))
			continue;
		ASSERT_TRUE(ev_str(e, "kind", buf, sizeof(buf)));
		if (strcmp(buf, "transient"))
			continue;
		ntrans++;
		EXPECT_TRUE(ev_dev_is(e, DEV_NAME));
		ASSERT_TRUE(ev_str(e, "cause", buf, sizeof(buf)));
		EXPECT_STREQ("transient", buf);
		start = ev_num(e, "start");
		/* Up to its removal: a later pool may reuse the address. */
		for (j = i + 1; j < t.n && !nrm; j++) {
			const struct ev *f = &t.ev[j];

			if (ev_is(f, "swiotlb_map_slots") &&
			    ev_num(f, "pool") == start)
				nmap++;
			if (ev_is(f, "swiotlb_unmap_slots") &&
			    ev_num(f, "pool") == start)
				nunmap++;
			if (ev_is(f, "swiotlb_pool_remove") &&
			    ev_num(f, "start") == start) {
				nrm++;
				EXPECT_TRUE(ev_dev_is(f, DEV_NAME));
				ASSERT_TRUE(ev_str(f, "cause", buf,
						   sizeof(buf)));
				EXPECT_STREQ("transient_unmapped", buf);
				EXPECT_LT(0ULL, ev_num(f, "lifetime_ns"));
				/* The release comes before the removal. */
				EXPECT_EQ(1UL, nunmap);
			}
		}
		EXPECT_EQ(1UL, nmap);
		EXPECT_EQ(1UL, nunmap);
		EXPECT_EQ(1UL, nrm);
	}
	for (i = 0; i < t.n; i++)
		if (ev_is(&t.ev[i], "swiotlb_pool_remove"))
			nremove++;
	EXPECT_EQ(ntrans, nremove);
	EXPECT_EQ(ntrans, nlisted);
	TH_LOG("%lu held, %lu transient pools, %zu worker pools, %zu grow failures",
	       held, ntrans, count(&t, "swiotlb_pool_add", NULL) - ntrans,
	       count(&t, "swiotlb_grow_failed", NULL));
	trace_free(&t);
}

TEST_HARNESS_MAIN
