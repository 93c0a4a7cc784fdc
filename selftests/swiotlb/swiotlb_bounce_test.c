// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb_bounce_test - kselftests of swiotlb bounce buffering, driven
 * through the debugfs interface of the swiotlb_elastic_test module.
 *
 * Needs root, the module loaded and a kernel booted with swiotlb=force;
 * tests skip otherwise.  Nothing else may use swiotlb while they run.
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
#include <unistd.h>

#include "kselftest_harness.h"
#include "swiotlb_test_util.h"

#define BOUNCED_EVENT	"events/swiotlb/swiotlb_bounced/enable"

static int set_held(unsigned long *held)
{
	return read_ulong(SET_DIR "/held", held);
}

static int read_io_tlb_used(unsigned long *used)
{
	return read_ulong(SWIOTLB_DIR "/io_tlb_used", used);
}

/*
 * Common fixture setup: skip unless the environment is there, then reset
 * the mask and read dma_max_mapping_size().  Returns false after a SKIP.
 */
static bool env_setup(struct __test_metadata *_metadata, unsigned long *max)
{
	unsigned long held;

	if (geteuid())
		SKIP(return false, "needs root (debugfs)");
	if (access(SET_DIR, F_OK))
		SKIP(return false,
		     "module swiotlb_elastic_test not loaded (no %s)", SET_DIR);
	if (access(SWIOTLB_DIR "/io_tlb_nslabs", F_OK))
		SKIP(return false,
		     "no swiotlb debugfs (no %s/io_tlb_nslabs)", SWIOTLB_DIR);
	if (!swiotlb_forced())
		SKIP(return false,
		     "bouncing not forced: boot with swiotlb=force");

	ASSERT_EQ(0, write_str(SET_DIR "/mask", "64", 0));
	ASSERT_EQ(0, set_held(&held));
	ASSERT_EQ(0UL, held) {
		TH_LOG("mappings left held by an earlier run");
	}
	ASSERT_EQ(0, read_ulong(SET_DIR "/max_mapping_size", max));
	/* The integrity sizes up to 65536 must fit. */
	ASSERT_GE(*max, 65536UL);
	return true;
}

static void env_teardown(void)
{
	unsigned long held;
	const char *tdir = tracing_dir(BOUNCED_EVENT);
	char path[256];

	if (!set_held(&held) && held)
		set_cmd("unmap");
	write_str(SET_DIR "/mask", "64", 0);
	write_str(SET_DIR "/inject_corrupt", "0", 0);
	if (tdir) {
		snprintf(path, sizeof(path), "%s/" BOUNCED_EVENT, tdir);
		write_str(path, "0", 0);
	}
}

/*
 * Bytes the module compares in "run 1 SIZE DIR": to: map + sync_for_device;
 * from: sync_for_cpu + unmap; bidi: all four.
 */
static unsigned long checked_bytes(const char *dir, unsigned long size)
{
	return strcmp(dir, "bidi") ? 2 * size : 4 * size;
}

/* "run N SIZE DIR" and its exact effect on the counters. */
static void check_run(struct __test_metadata *_metadata, unsigned long n,
		      unsigned long size, const char *dir)
{
	struct set_stats s0, s1;
	unsigned long held;

	ASSERT_EQ(0, read_stats(&s0));
	ASSERT_EQ(0, set_cmd("run %lu %lu %s", n, size, dir)) {
		TH_LOG("run %lu %lu %s failed", n, size, dir);
	}
	ASSERT_EQ(0, read_stats(&s1));
	EXPECT_EQ(s0.maps + n, s1.maps);
	EXPECT_EQ(s0.unmaps + n, s1.unmaps);
	EXPECT_EQ(s0.bounced + n, s1.bounced);
	EXPECT_EQ(s0.failed, s1.failed);
	EXPECT_EQ(s0.corrupt, s1.corrupt);
	EXPECT_EQ(s0.bytes + n * checked_bytes(dir, size), s1.bytes);
	ASSERT_EQ(0, set_held(&held));
	EXPECT_EQ(0UL, held);
}

/* One mapping per size, for each direction. */
FIXTURE(integrity) {
	unsigned long max;
};

FIXTURE_VARIANT(integrity) {
	const char *dir;
};

FIXTURE_VARIANT_ADD(integrity, to) {
	.dir = "to",
};

FIXTURE_VARIANT_ADD(integrity, from) {
	.dir = "from",
};

FIXTURE_VARIANT_ADD(integrity, bidi) {
	.dir = "bidi",
};

FIXTURE_SETUP(integrity)
{
	env_setup(_metadata, &self->max);
}

FIXTURE_TEARDOWN(integrity)
{
	env_teardown();
}

TEST_F(integrity, size_1)
{
	check_run(_metadata, 1, 1, variant->dir);
}

TEST_F(integrity, size_2)
{
	check_run(_metadata, 1, 2, variant->dir);
}

TEST_F(integrity, size_3)
{
	check_run(_metadata, 1, 3, variant->dir);
}

TEST_F(integrity, size_63)
{
	check_run(_metadata, 1, 63, variant->dir);
}

TEST_F(integrity, size_64)
{
	check_run(_metadata, 1, 64, variant->dir);
}

TEST_F(integrity, size_65)
{
	check_run(_metadata, 1, 65, variant->dir);
}

TEST_F(integrity, size_511)
{
	check_run(_metadata, 1, 511, variant->dir);
}

TEST_F(integrity, size_2047)
{
	check_run(_metadata, 1, 2047, variant->dir);
}

TEST_F(integrity, size_2048)
{
	check_run(_metadata, 1, 2048, variant->dir);
}

TEST_F(integrity, size_2049)
{
	check_run(_metadata, 1, 2049, variant->dir);
}

TEST_F(integrity, size_4095)
{
	check_run(_metadata, 1, 4095, variant->dir);
}

TEST_F(integrity, size_4096)
{
	check_run(_metadata, 1, 4096, variant->dir);
}

TEST_F(integrity, size_4097)
{
	check_run(_metadata, 1, 4097, variant->dir);
}

TEST_F(integrity, size_65535)
{
	check_run(_metadata, 1, 65535, variant->dir);
}

TEST_F(integrity, size_65536)
{
	check_run(_metadata, 1, 65536, variant->dir);
}

TEST_F(integrity, size_max_minus_1)
{
	check_run(_metadata, 1, self->max - 1, variant->dir);
}

TEST_F(integrity, size_max)
{
	check_run(_metadata, 1, self->max, variant->dir);
}

FIXTURE(bounce) {
	unsigned long max;
};

FIXTURE_SETUP(bounce)
{
	env_setup(_metadata, &self->max);
}

FIXTURE_TEARDOWN(bounce)
{
	env_teardown();
}

TEST_F(bounce, many)
{
	check_run(_metadata, 64, 4096, "bidi");
}

/* Held mappings survive repeated syncs in both directions. */
TEST_F(bounce, held_sync)
{
	struct set_stats s0, s1;
	unsigned long held;

	ASSERT_EQ(0, read_stats(&s0));
	ASSERT_EQ(0, set_cmd("map 4 8192 from"));
	ASSERT_EQ(0, set_cmd("map 4 3000 bidi"));
	ASSERT_EQ(0, set_held(&held));
	ASSERT_EQ(8UL, held);
	ASSERT_EQ(0, set_cmd("sync"));
	ASSERT_EQ(0, set_cmd("sync"));
	ASSERT_EQ(0, set_cmd("unmap"));
	ASSERT_EQ(0, set_held(&held));
	EXPECT_EQ(0UL, held);
	ASSERT_EQ(0, read_stats(&s1));
	EXPECT_EQ(s0.maps + 8, s1.maps);
	EXPECT_EQ(s0.unmaps + 8, s1.unmaps);
	EXPECT_EQ(s0.bounced + 8, s1.bounced);
	EXPECT_EQ(s0.corrupt, s1.corrupt);
}

TEST_F(bounce, over_max)
{
	unsigned long u0, u1, held;
	struct set_stats s0, s1;

	ASSERT_EQ(0, read_io_tlb_used(&u0));
	ASSERT_EQ(0, read_stats(&s0));
	ASSERT_EQ(-ENOMEM, set_cmd("map 1 %lu to", self->max + 1));
	ASSERT_EQ(0, set_held(&held));
	EXPECT_EQ(0UL, held);
	ASSERT_EQ(0, read_io_tlb_used(&u1));
	EXPECT_EQ(u0, u1);
	ASSERT_EQ(0, read_stats(&s1));
	EXPECT_EQ(s0.failed + 1, s1.failed);
	EXPECT_EQ(s0.maps, s1.maps);
}

TEST_F(bounce, used_returns)
{
	/* Page-aligned buffers, min_align_mask 0: size / IO_TLB_SIZE each. */
	const unsigned long n = 8, size = 4096;
	const unsigned long slots = (size + IO_TLB_SIZE - 1) / IO_TLB_SIZE;
	unsigned long u0, u1, held;

	ASSERT_EQ(0, read_io_tlb_used(&u0));
	ASSERT_EQ(0, set_cmd("map %lu %lu to", n, size));
	ASSERT_EQ(0, set_held(&held));
	ASSERT_EQ(n, held);
	ASSERT_EQ(0, read_io_tlb_used(&u1));
	EXPECT_EQ(u0 + n * slots, u1);
	ASSERT_EQ(0, set_cmd("unmap"));
	ASSERT_EQ(0, read_io_tlb_used(&u1));
	EXPECT_EQ(u0, u1);
	ASSERT_EQ(0, set_held(&held));
	EXPECT_EQ(0UL, held);
}

/* Count the swiotlb_bounced events of the test device in the trace. */
static int count_bounced(const char *tdir, unsigned long *count)
{
	char path[256], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tdir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*count = 0;
	while (getline(&line, &cap, f) > 0)
		if (strstr(line, "swiotlb_bounced:") && strstr(line, DEV_NAME))
			(*count)++;
	free(line);
	fclose(f);
	return 0;
}

TEST_F(bounce, bounced_tracepoint)
{
	const char *tdir = tracing_dir(BOUNCED_EVENT);
	char path[256], on[8];
	unsigned long count = 0;

	if (!tdir)
		SKIP(return, "no tracefs with the swiotlb_bounced event");
	snprintf(path, sizeof(path), "%s/tracing_on", tdir);
	ASSERT_EQ(0, read_str(path, on, sizeof(on)));
	ASSERT_EQ('1', on[0]) {
		TH_LOG("tracing is off (%s)", path);
	}
	snprintf(path, sizeof(path), "%s/trace", tdir);
	ASSERT_EQ(0, write_str(path, "", O_TRUNC));
	snprintf(path, sizeof(path), "%s/" BOUNCED_EVENT, tdir);
	ASSERT_EQ(0, write_str(path, "1", 0));
	EXPECT_EQ(0, set_cmd("run 5 4096 to"));
	ASSERT_EQ(0, write_str(path, "0", 0));
	ASSERT_EQ(0, count_bounced(tdir, &count));
	EXPECT_EQ(5UL, count);
}

TEST_F(bounce, edu)
{
	struct set_stats s0, s1;
	int ret;

	ASSERT_EQ(0, read_stats(&s0));
	ret = set_cmd("edu 4096");
	if (ret == -ENODEV)
		SKIP(return, "no edu device (QEMU -device edu)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, set_cmd("edu 1"));
	ASSERT_EQ(0, read_stats(&s1));
	/* Two mappings per round trip, each bounced. */
	EXPECT_EQ(s0.maps + 4, s1.maps);
	EXPECT_EQ(s0.unmaps + 4, s1.unmaps);
	EXPECT_EQ(s0.bounced + 4, s1.bounced);
	EXPECT_EQ(s0.failed, s1.failed);
	EXPECT_EQ(s0.corrupt, s1.corrupt);
	EXPECT_EQ(s0.bytes + 4096 + 1, s1.bytes);
}

TEST_F(bounce, mask)
{
	unsigned long bits;

	ASSERT_EQ(0, write_str(SET_DIR "/mask", "32", 0));
	ASSERT_EQ(0, read_ulong(SET_DIR "/mask", &bits));
	EXPECT_EQ(32UL, bits);
	EXPECT_EQ(-EINVAL, write_str(SET_DIR "/mask", "0", 0));
	ASSERT_EQ(0, read_ulong(SET_DIR "/mask", &bits));
	EXPECT_EQ(32UL, bits);
	EXPECT_EQ(-EINVAL, write_str(SET_DIR "/mask", "65", 0));
	ASSERT_EQ(0, read_ulong(SET_DIR "/mask", &bits));
	EXPECT_EQ(32UL, bits);
	ASSERT_EQ(0, write_str(SET_DIR "/mask", "64", 0));
	ASSERT_EQ(0, read_ulong(SET_DIR "/mask", &bits));
	EXPECT_EQ(64UL, bits);
}

TEST_F(bounce, bad_commands)
{
	static const char *const bad[] = {
		" ", "bogus", "map", "map 1 4096", "map 0 4096 to",
		"map 1 0 to", "map 1 4096 sideways", "map -1 4096 to",
		"run 1 4096 to extra", "sync now", "edu 0", "edu 4097",
	};
	unsigned long held;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, set_cmd("%s", bad[i])) {
			TH_LOG("command \"%s\"", bad[i]);
		}
	}
	ASSERT_EQ(0, set_held(&held));
	EXPECT_EQ(0UL, held);
}

TEST_F(bounce, run_busy)
{
	ASSERT_EQ(0, set_cmd("map 1 4096 to"));
	EXPECT_EQ(-EBUSY, set_cmd("run 1 4096 to"));
	ASSERT_EQ(0, set_cmd("unmap"));
}

/*
 * The negative control: a byte flipped in the bounce buffer on purpose
 * must be caught, for each direction the module checks after mapping.
 */
TEST_F(bounce, corruption_detected)
{
	struct set_stats s0, s1;
	unsigned long held;

	ASSERT_EQ(0, read_stats(&s0));
	ASSERT_EQ(0, write_str(SET_DIR "/inject_corrupt", "1", 0));
	EXPECT_EQ(-EIO, set_cmd("run 1 4096 to"));
	ASSERT_EQ(0, read_stats(&s1));
	EXPECT_EQ(s0.corrupt + 1, s1.corrupt);
	ASSERT_EQ(0, set_held(&held));
	EXPECT_EQ(0UL, held);
	/* The next mapping is clean again. */
	check_run(_metadata, 1, 4096, "bidi");
}

TEST_HARNESS_MAIN
