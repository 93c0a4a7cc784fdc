// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy-bw: user space memcpy bandwidth for one buffer size, the reference
 * bench/run.sh sets bounce bandwidth against.
 *
 * Usage: memcpy-bw BYTES SECONDS   prints MB/s (10^6 bytes per second)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t size, i, rounds = 0;
	double secs, t0, t;
	char *src, *dst;

	if (argc != 3 || atol(argv[1]) <= 0 || atof(argv[2]) <= 0) {
		fprintf(stderr, "usage: memcpy-bw BYTES SECONDS\n");
		return 2;
	}
	size = atol(argv[1]);
	secs = atof(argv[2]);
	src = malloc(size);
	dst = malloc(size);
	if (!src || !dst) {
		fprintf(stderr, "memcpy-bw: out of memory\n");
		return 1;
	}
	for (i = 0; i < size; i++)
		src[i] = (char)i;
	t0 = now();
	do {
		for (i = 0; i < 64; i++) {
			memcpy(dst, src, size);
			/* keep the copy: the compiler must not drop it */
			__asm__ volatile("" : : "r"(dst) : "memory");
		}
		rounds += 64;
		t = now() - t0;
	} while (t < secs);
	printf("%.1f\n", (double)rounds * size / t / 1e6);
	return 0;
}
