/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout of the debugfs file swiotlb_elastic_test/stats, shared by the
 * module that prints it and the kselftests that parse it, so that the list
 * of counters is written down once.
 *
 * The file is one line: "NAME=VALUE" for each counter of SET_STATS_FIELDS,
 * in that order, separated by single spaces, each VALUE an unsigned long in
 * decimal.
 *
 * checkpatch does not know X-macros: it asks for parentheses around
 * SET_STATS_FIELDS and no semicolon in SET_STATS_MEMBER, neither of which
 * would compile.
 */
#ifndef SWIOTLB_ELASTIC_TEST_STATS_H
#define SWIOTLB_ELASTIC_TEST_STATS_H

#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

/*
 * The cumulative counters since the module was loaded, X(NAME) each:
 *   maps	successful mappings
 *   unmaps	unmappings
 *   bounced	mappings whose DMA address does not translate to the buffer
 *   failed	mappings that returned a mapping error
 *   corrupt	checks that found at least one wrong byte
 *   bytes	bytes compared by all checks
 */
#define SET_STATS_FIELDS(X)	\
	X(maps)			\
	X(unmaps)		\
	X(bounced)		\
	X(failed)		\
	X(corrupt)		\
	X(bytes)

/* The counters, one unsigned long each, named as in the file. */
struct set_stats {
#define SET_STATS_MEMBER(name)	unsigned long name;
	SET_STATS_FIELDS(SET_STATS_MEMBER)
#undef SET_STATS_MEMBER
};

/* Name and place in struct set_stats of each counter, in file order. */
static const struct set_stats_field {
	const char *name;
	size_t offset;
} set_stats_fields[] = {
#define SET_STATS_FIELD(name)	{ #name, offsetof(struct set_stats, name) },
	SET_STATS_FIELDS(SET_STATS_FIELD)
#undef SET_STATS_FIELD
};

/* The counter @i of set_stats_fields in @s. */
static inline unsigned long *set_stats_at(struct set_stats *s, size_t i)
{
	return (unsigned long *)((char *)s + set_stats_fields[i].offset);
}

#endif /* SWIOTLB_ELASTIC_TEST_STATS_H */
