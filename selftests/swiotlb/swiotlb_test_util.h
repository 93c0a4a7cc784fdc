/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swiotlb_test_util.h - helpers shared by the swiotlb kselftests:
 *
 *  - reading and writing debugfs, sysfs, procfs and tracefs files,
 *  - commands to the swiotlb_elastic_test module and its "stats" counters
 *    (their layout is in ../module/swiotlb_elastic_test_stats.h, shared
 *    with the module),
 *  - whether the kernel was booted with swiotlb=force, where tracefs is,
 *  - the debugfs pool listing swiotlb/pools,
 *  - a monotonic clock in milliseconds.
 *
 * Every helper is static inline, so that a program uses what it needs.
 * The programs define _GNU_SOURCE before any include.
 */
#ifndef SWIOTLB_TEST_UTIL_H
#define SWIOTLB_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "swiotlb_elastic_test_stats.h"

#define SET_DIR		"/sys/kernel/debug/swiotlb_elastic_test"
#define SWIOTLB_DIR	"/sys/kernel/debug/swiotlb"
#define DEV_NAME	"swiotlb_elastic_test"
#define IO_TLB_SHIFT	11
#define IO_TLB_SIZE	2048UL

/*
 * Write @s to @path in one write(), opening it with O_WRONLY | @flags
 * (O_TRUNC to clear a trace buffer); 0 or -errno, -EIO if short.
 */
static inline int write_str(const char *path, const char *s, int flags)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	n = len ? write(fd, s, len) : 0;
	if (n < 0)
		ret = -errno;
	else
		ret = (size_t)n == len ? 0 : -EIO;
	close(fd);
	return ret;
}

/* Write a formatted string to @path (truncated) in one write; 0 or -errno. */
static inline __printf(2, 3) int write_fmt(const char *path,
					   const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return write_str(path, buf, O_TRUNC);
}

/* Send one command to the module; 0 or -errno. */
static inline __printf(1, 2) int set_cmd(const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return write_str(SET_DIR "/cmd", buf, 0);
}

/* Read at most @size - 1 bytes of @path into @buf; 0 or -errno. */
static inline int read_str(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		ret = -errno;
		n = 0;
	}
	buf[n] = '\0';
	close(fd);
	return ret;
}

/* Read all of @path into a new NUL-terminated buffer; NULL on error. */
static inline char *read_all(const char *path)
{
	size_t len = 0, size = 65536;
	char *buf, *tmp;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(size);
	while (buf) {
		if (len + 1 >= size) {
			size *= 2;
			tmp = realloc(buf, size);
			if (!tmp) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = tmp;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The number @path holds (and a newline at most); 0 or -errno. */
static inline int read_ulong(const char *path, unsigned long *val)
{
	char buf[64], *end;
	int ret;

	ret = read_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoul(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

/* The number @path holds; -1 if it cannot be read. */
static inline long read_num(const char *path)
{
	unsigned long val;

	return read_ulong(path, &val) ? -1 : (long)val;
}

/* Value of "key value" (or "key=value") in a file; -1 if absent. */
static inline long kv(const char *path, const char *key)
{
	char line[512], *tok, *save;
	size_t len = strlen(key);
	long val = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	while (val < 0 && fgets(line, sizeof(line), f)) {
		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (strncmp(tok, key, len))
				continue;
			if (tok[len] == '=') {
				val = strtol(tok + len + 1, NULL, 0);
				break;
			}
			if (!tok[len]) {
				tok = strtok_r(NULL, " \n", &save);
				val = tok ? strtol(tok, NULL, 0) : -1;
				break;
			}
		}
	}
	fclose(f);
	return val;
}

/*
 * Parse the module's "stats" line, read at once, into @s: every counter of
 * SET_STATS_FIELDS, in order.  0 or -errno, -EINVAL if malformed.
 */
static inline int read_stats(struct set_stats *s)
{
	char buf[256], *p = buf, *end;
	size_t i, len;
	int ret;

	ret = read_str(SET_DIR "/stats", buf, sizeof(buf));
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(set_stats_fields); i++) {
		len = strlen(set_stats_fields[i].name);
		if (i && *p++ != ' ')
			return -EINVAL;
		if (strncmp(p, set_stats_fields[i].name, len) || p[len] != '=')
			return -EINVAL;
		p += len + 1;
		errno = 0;
		*set_stats_at(s, i) = strtoul(p, &end, 10);
		if (errno || end == p)
			return -EINVAL;
		p = end;
	}
	return 0;
}

/* Is "force" among the options of a swiotlb= kernel parameter? */
static inline bool swiotlb_forced(void)
{
	char buf[4096], *tok, *save, *opt, *osave;

	if (read_str("/proc/cmdline", buf, sizeof(buf)))
		return false;
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(tok, "swiotlb=", 8))
			continue;
		for (opt = strtok_r(tok + 8, ",", &osave); opt;
		     opt = strtok_r(NULL, ",", &osave))
			if (!strcmp(opt, "force"))
				return true;
	}
	return false;
}

/*
 * The tracefs mount in which @file (relative to it) is writable; NULL if
 * there is none.
 */
static inline const char *tracing_dir(const char *file)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing",
		"/sys/kernel/debug/tracing",
	};
	char path[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], file);
		if (!access(path, W_OK))
			return dirs[i];
	}
	return NULL;
}

/*
 * One line of debugfs swiotlb/pools: start end kind nslabs nareas used
 * created_ns owner, and on kernels with elastic pools the milliseconds
 * since the pool's last use.
 */
struct pool_line {
	unsigned long long start, end, created_ns;
	char kind[16];
	unsigned long nslabs, used;
	unsigned int nareas;
	char dev[128];
	long idle_ms;		/* -1 if not listed */
};

/* Parse swiotlb/pools into @pl; the number of pools, or -1. */
static inline int read_pools(struct pool_line *pl, int max)
{
	char *buf, *line, *save;
	int n = 0;

	buf = read_all(SWIOTLB_DIR "/pools");
	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		pl[n].idle_ms = -1;
		if (sscanf(line, "%llx %llx %15s %lu %u %lu %llu %127s %ld",
			   &pl[n].start, &pl[n].end, pl[n].kind,
			   &pl[n].nslabs, &pl[n].nareas, &pl[n].used,
			   &pl[n].created_ns, pl[n].dev, &pl[n].idle_ms) < 8) {
			free(buf);
			return -1;
		}
		n++;
	}
	free(buf);
	return n;
}

/* CLOCK_MONOTONIC in milliseconds. */
static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

#endif /* SWIOTLB_TEST_UTIL_H */
