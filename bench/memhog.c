// SPDX-License-Identifier: GPL-2.0
/*
 * memhog: put the guest under real memory reclaim for a while, without
 * an OOM kill.  The memory pressure of bench/guest.sh (scenario 3 and 7).
 *
 * Usage: memhog HOLD_SECONDS [FILL_TIMEOUT_SECONDS]
 *
 * Anonymous memory is allocated and touched 1 MiB at a time while a step
 * keeps some zone above its "min" watermark (below it allocations stall
 * in direct reclaim and the OOM killer may run), so the free pages go
 * below the sum of the zones' "low" watermarks, where the allocator wakes
 * kswapd; each watermark counts with the zone's lowmem reserve against
 * user allocations (see read_zones()).  That level is held for
 * HOLD_SECONDS from the moment reclaim is seen (kswapd runs or allocation
 * stalls in /proc/vmstat; on a kernel without CONFIG_VM_EVENT_COUNTERS,
 * the free pages below the summed low watermarks),
 * allocating more as reclaim frees memory and giving a step back when no
 * zone is a quarter step above its min watermark.  Where no zone has room
 * for a whole step above min but some zone is still above low (the DMA
 * zone, whose reserve takes most of it), the steps are 64 KiB.
 * Then everything is freed.  The process asks to be the OOM killer's first
 * choice.  One line of key=value results goes to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define STEP (1UL << 20)
#define FINE (64UL << 10)	/* the last steps, where a zone has less room */
#define MAX_CHUNKS 65536
#define POLL_NS 20000000L

#define MAX_ZONES 8

/* Pages; each watermark raised by the zone's lowmem reserve, see read_zones(). */
struct zone_wm {
	long free, min, low, high;
};

struct zones {
	struct zone_wm zone[MAX_ZONES], sum;
	int n;
};

static const char *const vm_keys[] = {
	"pageoutrun", "slabs_scanned", "allocstall_dma", "allocstall_dma32",
	"allocstall_normal", "allocstall_movable", "pgscan_kswapd",
	"pgsteal_kswapd", "pgscan_direct", "pgsteal_direct",
};
#define NKEYS (sizeof(vm_keys) / sizeof(vm_keys[0]))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Read the free pages and watermarks of the populated zones, each watermark
 * raised by the zone's lowmem reserve against user (highest zone)
 * allocations, the last value of its "protection" line: a zone passes the
 * allocator's watermark check for user memory only above watermark plus
 * reserve (the DMA zone keeps its reserve for DMA allocations).
 */
static int read_zones(struct zones *z)
{
	long free = 0, min = 0, low = 0, high = 0, managed = 0, prot = 0;
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "r");
	int in_zone = 0;

	if (!f)
		return -1;
	memset(z, 0, sizeof(*z));
	for (;;) {
		char *got = fgets(line, sizeof(line), f);
		char *p;
		long v;

		if (!got || !strncmp(line, "Node ", 5)) {
			if (in_zone && managed > 0 && z->n < MAX_ZONES) {
				struct zone_wm *w = &z->zone[z->n++];

				w->free = free;
				w->min = min + prot;
				w->low = low + prot;
				w->high = high + prot;
				z->sum.free += w->free;
				z->sum.min += w->min;
				z->sum.low += w->low;
				z->sum.high += w->high;
			}
			if (!got)
				break;
			in_zone = 1;
			free = min = low = high = managed = prot = 0;
			continue;
		}
		if (sscanf(line, " pages free %ld", &v) == 1)
			free = v;
		else if (sscanf(line, " min %ld", &v) == 1)
			min = v;
		else if (sscanf(line, " low %ld", &v) == 1)
			low = v;
		else if (sscanf(line, " high %ld", &v) == 1)
			high = v;
		else if (sscanf(line, " managed %ld", &v) == 1)
			managed = v;
		else if (strstr(line, "protection: (") && (p = strrchr(line, ' ')))
			prot = strtol(p + 1, NULL, 10);
	}
	fclose(f);
	return z->n ? 0 : -1;
}

/* Does some zone have this many pages above its watermark (min or low)? */
static int some_zone_above(const struct zones *z, int low, long margin)
{
	int i;

	for (i = 0; i < z->n; i++)
		if (z->zone[i].free >= (low ? z->zone[i].low : z->zone[i].min) + margin)
			return 1;
	return 0;
}

/* Read the vmstat counters of vm_keys; returns how many exist. */
static int read_vmstat(long *val)
{
	char key[64];
	long v;
	int n = 0;
	size_t i;
	FILE *f = fopen("/proc/vmstat", "r");

	memset(val, 0, NKEYS * sizeof(*val));
	if (!f)
		return 0;
	while (fscanf(f, "%63s %ld", key, &v) == 2) {
		for (i = 0; i < NKEYS; i++) {
			if (!strcmp(key, vm_keys[i])) {
				val[i] = v;
				n++;
			}
		}
	}
	fclose(f);
	return n;
}

static long memfree_kb(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static long vm_sum(const long *a, const long *b, const char *prefix)
{
	long s = 0;
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strncmp(vm_keys[i], prefix, strlen(prefix)))
			s += b[i] - a[i];
	return s;
}

int main(int argc, char **argv)
{
	static char *chunk[MAX_CHUNKS];
	static size_t size[MAX_CHUNKS];
	long vm0[NKEYS], vm1[NKEYS], page = sysconf(_SC_PAGESIZE);
	long step_pages = STEP / page, fine_pages = FINE / page, n = 0, tops = 0, backs = 0;
	unsigned long held = 0, peak = 0;
	long minfree_kb = -1, mf;
	double hold, fill_timeout, t0, t_reclaim = -1, t_end;
	int have_vm, reclaim = 0, under_low;
	struct zones z;
	FILE *f;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: memhog HOLD_SECONDS [FILL_TIMEOUT_SECONDS]\n");
		return 2;
	}
	hold = strtod(argv[1], &end);
	if (*end || hold < 0 || hold > 3600) {
		fprintf(stderr, "memhog: HOLD_SECONDS must be 0-3600, not '%s'\n", argv[1]);
		return 2;
	}
	fill_timeout = 120;
	if (argc == 3) {
		fill_timeout = strtod(argv[2], &end);
		if (*end || fill_timeout <= 0 || fill_timeout > 3600) {
			fprintf(stderr, "memhog: FILL_TIMEOUT_SECONDS must be 1-3600, not '%s'\n", argv[2]);
			return 2;
		}
	}
	f = fopen("/proc/self/oom_score_adj", "w");
	if (!f || fprintf(f, "1000\n") < 0 || fclose(f)) {
		fprintf(stderr, "memhog: cannot set oom_score_adj: %s\n", strerror(errno));
		return 1;
	}
	if (read_zones(&z)) {
		fprintf(stderr, "memhog: cannot read the watermarks in /proc/zoneinfo\n");
		return 1;
	}
	have_vm = read_vmstat(vm0) > 0;
	t0 = now();
	t_end = t0 + fill_timeout;
	for (;;) {
		double t = now();

		if (read_zones(&z))
			break;
		mf = memfree_kb();
		if (minfree_kb < 0 || mf < minfree_kb)
			minfree_kb = mf;
		/*
		 * Below the summed low watermarks the largest zone is below
		 * its own (the others are small or at their reserve): the
		 * allocator takes its slow path and wakes kswapd.
		 */
		under_low = z.sum.free < z.sum.low;
		if (!reclaim) {
			read_vmstat(vm1);
			if (have_vm ? vm_sum(vm0, vm1, "pageoutrun") + vm_sum(vm0, vm1, "allocstall") > 0 :
				      under_low) {
				reclaim = 1;
				t_reclaim = t;
				t_end = t + hold;
			}
		}
		if (t >= t_end)
			break;
		if (!some_zone_above(&z, 0, step_pages / 4) && n > 0) {
			/* Too close to the min watermarks: give a step back. */
			n--;
			munmap(chunk[n], size[n]);
			held -= size[n];
			backs++;
		} else if (n < MAX_CHUNKS &&
			   (some_zone_above(&z, 0, step_pages + step_pages / 2) ||
			    (!under_low && some_zone_above(&z, 0, step_pages / 4 + 2 * fine_pages)))) {
			/*
			 * A step keeps some zone above its min watermark; short
			 * of the low watermarks, a small step where a zone (the
			 * DMA zone) has less room than a whole step.
			 */
			size_t sz = some_zone_above(&z, 0, step_pages + step_pages / 2) ? STEP : FINE;
			char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				break;
			memset(p, 0x5a, sz);
			chunk[n] = p;
			size[n++] = sz;
			held += sz;
			if (reclaim)
				tops++;
			if (held > peak)
				peak = held;
			continue;
		} else {
			nanosleep(&(struct timespec){ 0, POLL_NS }, NULL);
		}
	}
	read_vmstat(vm1);
	while (n > 0) {
		n--;
		munmap(chunk[n], size[n]);
	}
	printf("memhog peak_MiB=%lu reclaim_seen=%s fill_s=%.1f held_s=%.1f top_ups=%ld give_backs=%ld "
	       "min_memfree_kB=%ld zone_min_kB=%ld zone_low_kB=%ld zone_high_kB=%ld",
	       peak >> 20, reclaim ? "yes" : "no", (reclaim ? t_reclaim : now()) - t0,
	       reclaim ? now() - t_reclaim : 0.0, tops, backs, minfree_kb,
	       z.sum.min * page / 1024, z.sum.low * page / 1024, z.sum.high * page / 1024);
	if (have_vm) {
		printf(" pageoutrun=%ld slabs_scanned=%ld allocstall=%ld pgscan_kswapd=%ld pgsteal_kswapd=%ld pgscan_direct=%ld\n",
		       vm_sum(vm0, vm1, "pageoutrun"), vm_sum(vm0, vm1, "slabs_scanned"),
		       vm_sum(vm0, vm1, "allocstall"), vm_sum(vm0, vm1, "pgscan_kswapd"),
		       vm_sum(vm0, vm1, "pgsteal_kswapd"), vm_sum(vm0, vm1, "pgscan_direct"));
	} else {
		printf(" vmstat=absent_(no_CONFIG_VM_EVENT_COUNTERS)\n");
	}
	return reclaim ? 0 : 3;
}
