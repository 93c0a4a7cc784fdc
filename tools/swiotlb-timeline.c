// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb-timeline - turn a run recorded with "swiotlbtop --record FILE"
 * (one JSON object per interval) into an SVG timeline: capacity, used
 * slots and transient slots over time, with pool growth, pool returns and
 * mapping failures marked.
 *
 * Each line of the record is parsed as JSON (RFC 8259) by the small parser
 * below; a line that is not JSON, or not an interval of swiotlbtop (a key
 * the picture uses with a value swiotlbtop does not write: a string for a
 * number, a negative time), stops the tool with one message naming the
 * line.  Keys it does not use are ignored; a value that is null (e.g. the
 * capacity without debugfs) is a gap in its line of the picture.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define SCHEMA		1	/* the newest record schema known here */
#define MAX_DEPTH	64

/* A JSON value; numbers as double, which is exact to 2^53. */
struct jval {
	enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ } type;
	double num;
	char *str;		/* J_STR, NUL terminated (a \u0000 ends it) */
	size_t n;		/* elements or members */
	char **keys;		/* J_OBJ */
	struct jval *items;	/* J_ARR, J_OBJ */
};

struct jparser {
	const char *p, *start;
	const char *err;	/* what is wrong, at p */
};

static void jfree(struct jval *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

/*
 * Every error: one line and STATUS, 2 for bad usage (the same messages as
 * swiotlbtop's), 1 for a record that cannot be read or is not one, and an
 * output that cannot be written.
 */
static void __attribute__((noreturn, format(printf, 2, 3))) die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("swiotlb-timeline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* An argument in a message: quoted, kept to one line (a control byte: '?'). */
static const char *quoted(const char *arg)
{
	static char bufs[2][208];
	static unsigned int next;
	char *b = bufs[next++ % 2];

	snprintf(b, sizeof(bufs[0]), "'%.200s'", arg);
	for (char *p = b; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return b;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		die(1, "out of memory");
	return p;
}

static void skip_ws(struct jparser *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static int fail(struct jparser *j, const char *what)
{
	if (!j->err)
		j->err = what;
	return -1;
}

static int hex4(const char *p, unsigned int *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

/* Append code point CP to BUF as UTF-8. */
static size_t put_utf8(char *buf, unsigned int cp)
{
	if (cp < 0x80) {
		buf[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = 0xc0 | cp >> 6;
		buf[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = 0xe0 | cp >> 12;
		buf[1] = 0x80 | (cp >> 6 & 0x3f);
		buf[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	buf[0] = 0xf0 | cp >> 18;
	buf[1] = 0x80 | (cp >> 12 & 0x3f);
	buf[2] = 0x80 | (cp >> 6 & 0x3f);
	buf[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* A string at j->p (its opening quote), decoded into *OUT. */
static int parse_string(struct jparser *j, char **out)
{
	const char *p = j->p + 1;
	size_t len = 0;
	char *buf;

	/* Decoded, a string is never longer than it is written. */
	for (const char *q = p; *q && *q != '"'; q++)
		if (*q == '\\' && q[1])
			q++;
	buf = xrealloc(NULL, strlen(p) + 1);
	for (;;) {
		unsigned char c = *p;

		if (!c) {
			free(buf);
			j->p = p;
			return fail(j, "unterminated string");
		}
		if (c == '"')
			break;
		if (c < 0x20) {
			free(buf);
			j->p = p;
			return fail(j, "control character in a string");
		}
		if (c != '\\') {
			buf[len++] = c;
			p++;
			continue;
		}
		p++;
		switch (*p) {
		case '"': case '\\': case '/': buf[len++] = *p; p++; continue;
		case 'b': buf[len++] = '\b'; p++; continue;
		case 'f': buf[len++] = '\f'; p++; continue;
		case 'n': buf[len++] = '\n'; p++; continue;
		case 'r': buf[len++] = '\r'; p++; continue;
		case 't': buf[len++] = '\t'; p++; continue;
		case 'u': {
			unsigned int cp, lo;

			if (hex4(p + 1, &cp))
				break;
			p += 5;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					break;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				break;
			}
			len += put_utf8(buf + len, cp);
			continue;
		}
		}
		free(buf);
		j->p = p;
		return fail(j, "bad escape in a string");
	}
	buf[len] = 0;
	j->p = p + 1;
	*out = buf;
	return 0;
}

/* A number, by the grammar of RFC 8259 (strtod() takes more: hex, inf). */
static int parse_number(struct jparser *j, double *v)
{
	const char *p = j->p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return fail(j, "bad number");
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return fail(j, "bad number");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return fail(j, "bad number");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	*v = strtod(j->p, NULL);
	j->p = p;
	return 0;
}

static int parse_value(struct jparser *j, struct jval *v, int depth);

/* An array or object at j->p, up to its closing bracket. */
static int parse_container(struct jparser *j, struct jval *v, int depth)
{
	bool obj = *j->p == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0;

	if (depth >= MAX_DEPTH)
		return fail(j, "nested too deep");
	v->type = obj ? J_OBJ : J_ARR;
	j->p++;
	skip_ws(j);
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? 2 * cap : 8;
			v->items = xrealloc(v->items, cap * sizeof(*v->items));
			if (obj)
				v->keys = xrealloc(v->keys, cap * sizeof(*v->keys));
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		if (obj) {
			skip_ws(j);
			if (*j->p != '"')
				return fail(j, "expected a member name in quotes");
			if (parse_string(j, &v->keys[v->n]))
				return -1;
			skip_ws(j);
			if (*j->p != ':') {
				free(v->keys[v->n]);
				return fail(j, "expected ':'");
			}
			j->p++;
		}
		if (parse_value(j, &v->items[v->n], depth + 1)) {
			if (obj)
				free(v->keys[v->n]);
			jfree(&v->items[v->n]);
			return -1;
		}
		v->n++;
		skip_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		return fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct jparser *j, struct jval *v, int depth)
{
	static const struct { const char *word; int type; } words[] = {
		{ "null", J_NULL }, { "true", J_TRUE }, { "false", J_FALSE },
	};

	skip_ws(j);
	switch (*j->p) {
	case '{':
	case '[':
		return parse_container(j, v, depth);
	case '"':
		v->type = J_STR;
		return parse_string(j, &v->str);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		v->type = J_NUM;
		return parse_number(j, &v->num);
	case 0:
		return fail(j, "unexpected end of line");
	}
	for (unsigned int i = 0; i < 3; i++) {
		size_t n = strlen(words[i].word);

		if (!strncmp(j->p, words[i].word, n)) {
			v->type = words[i].type;
			j->p += n;
			return 0;
		}
	}
	return fail(j, "unexpected character");
}

/* LINE as one JSON value; on error, the column (from 1) and what in ERR. */
static int json_parse(const char *line, struct jval *v, size_t *col, const char **err)
{
	struct jparser j = { .p = line, .start = line };

	memset(v, 0, sizeof(*v));
	if (!parse_value(&j, v, 0)) {
		skip_ws(&j);
		if (!*j.p)
			return 0;
		fail(&j, "more after the value");
	}
	jfree(v);
	*col = j.p - j.start + 1;
	*err = j.err;
	return -1;
}

/* Member KEY of object O, or NULL. */
static const struct jval *jget(const struct jval *o, const char *key)
{
	if (!o || o->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->items[i];
	return NULL;
}

static const char *jstr(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->type == J_STR ? v->str : "";
}

struct sample {
	double t, cap, used, transient;
};

struct mark {
	double t;
	int type;	/* 0 grow, 1 return, 2 transient add, 3 failure */
};

static struct sample *samples;
static struct mark *marks;
static size_t nsamples, nmarks, capsamples, capmarks;

static const char usage_text[] =
"Usage: swiotlb-timeline [-o OUT.svg] [-t TITLE] RECORD\n"
"Draw the swiotlb timeline of a run recorded with swiotlbtop --record.\n"
"  -o, --output FILE   write the SVG to FILE (default: standard output)\n"
"  -t, --title TEXT    title of the picture\n"
"  -h, --help          this help\n"
"Exit status: 0 ok, 1 error (unreadable, malformed or empty record, output\n"
"not written), 2 usage.\n";


/* Value S of sample I: 0 capacity, 1 used, 2 transient slots; NAN: null. */
static double value(size_t i, int s)
{
	return s == 0 ? samples[i].cap : s == 1 ? samples[i].used : samples[i].transient;
}

static bool known(size_t i, int s)
{
	return !isnan(value(i, s));
}

static void add_mark(double t, int type)
{
	if (nmarks == capmarks) {
		capmarks = capmarks ? 2 * capmarks : 64;
		marks = xrealloc(marks, capmarks * sizeof(*marks));
	}
	marks[nmarks].t = t;
	marks[nmarks++].type = type;
}

/* A record's line LINENO: invalid, one message and status 1. */
static void __attribute__((noreturn)) bad_record(const char *file, size_t lineno,
						 size_t col, const char *fmt, const char *arg)
{
	char what[256], where[32] = "";

	snprintf(what, sizeof(what), fmt, arg);
	if (col)
		snprintf(where, sizeof(where), ":%zu", col);
	die(1, "%s:%zu%s: %s", file, lineno, where, what);
}

/*
 * Member KEY of O as swiotlbtop writes it: a number of 0 or more (a time,
 * a count), null or missing (NAN); anything else is not a swiotlbtop
 * record, and stops the tool on this line.
 */
static double member_num(const char *file, size_t lineno, const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	if (!v || v->type == J_NULL)
		return NAN;
	if (v->type != J_NUM || !isfinite(v->num) || v->num < 0)
		bad_record(file, lineno, 0, "\"%s\" is neither null nor a number of 0 or more", key);
	return v->num;
}

/* The events of a line: marks, where MONO0, the start, is known (not -1). */
static void parse_events(const char *file, size_t lineno, const struct jval *events, double mono0)
{
	if (!events || events->type == J_NULL)
		return;
	if (events->type != J_ARR)
		bad_record(file, lineno, 0, "\"%s\" is not an array", "events");
	for (size_t i = 0; i < events->n; i++) {
		const struct jval *e = &events->items[i];
		const struct jval *type = jget(e, "type");
		double t;

		if (e->type != J_OBJ || !type || type->type != J_STR)
			bad_record(file, lineno, 0, "%s", "an event is not an object with a \"type\" string");
		t = (member_num(file, lineno, e, "ts_ns") - mono0) / 1e9;
		if (isnan(t) || mono0 < 0)
			continue;
		if (!strcmp(type->str, "pool_add"))
			add_mark(t, !strcmp(jstr(e, "cause"), "transient") ? 2 : 0);
		else if (!strcmp(type->str, "pool_remove"))
			add_mark(t, 1);
		else if (!strcmp(type->str, "map_failed"))
			add_mark(t, 3);
	}
}

/* One line of the record into a sample and marks. */
static void read_line(const char *file, size_t lineno, const char *line, double *mono0)
{
	const struct jval *v;
	struct sample smp;
	struct jval o;
	const char *err;
	size_t col;
	double mono;

	if (json_parse(line, &o, &col, &err))
		bad_record(file, lineno, col, "not valid JSON: %s", err);
	if (o.type != J_OBJ)
		bad_record(file, lineno, 0, "%s", "not a JSON object, so not a swiotlbtop interval");
	v = jget(&o, "schema");
	if (v && v->type != J_NUM)
		bad_record(file, lineno, 0, "%s", "\"schema\" is not a number");
	if (v && (v->num > SCHEMA || v->num < 1 || v->num != floor(v->num))) {
		char num[32];

		snprintf(num, sizeof(num), "%g", v->num);
		bad_record(file, lineno, 0, "schema %s is not one this swiotlb-timeline reads (1)", num);
	}
	if (!jget(&o, "time"))
		bad_record(file, lineno, 0, "%s", "no \"time\": not a swiotlbtop interval");
	smp.t = member_num(file, lineno, &o, "time");
	if (isnan(smp.t))
		bad_record(file, lineno, 0, "\"%s\" is null", "time");
	smp.cap = member_num(file, lineno, &o, "capacity_slots");
	smp.used = member_num(file, lineno, &o, "used_slots");
	smp.transient = member_num(file, lineno, &o, "transient_slots");
	mono = member_num(file, lineno, &o, "mono_ns");
	if (*mono0 < 0 && !isnan(mono))
		*mono0 = mono - smp.t * 1e9;
	if (nsamples == capsamples) {
		capsamples = capsamples ? 2 * capsamples : 256;
		samples = xrealloc(samples, capsamples * sizeof(*samples));
	}
	samples[nsamples++] = smp;
	/* Checked in every line; marks where the clock of the events is known. */
	parse_events(file, lineno, jget(&o, "events"), *mono0);
	jfree(&o);
}

/* Whether paths A and B are the same file (both there). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * The end of the picture: written out, or an error, and then no partial
 * picture is left (a regular file OUT, which this run created or
 * truncated, is removed; a device or a pipe is left alone).
 */
static void finish(FILE *f, const char *out)
{
	struct stat st;
	bool regular = out && !fstat(fileno(f), &st) && S_ISREG(st.st_mode);
	int err = 0;

	errno = 0;
	if (fflush(f) || ferror(f))
		err = errno ? errno : EIO;
	if (out && fclose(f) && !err)
		err = errno;
	if (!err)
		return;
	if (!out)
		die(1, "cannot write standard output: %s", strerror(err));
	if (regular)
		unlink(out);
	die(1, "-o/--output %s: cannot write: %s", quoted(out), strerror(err));
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *out = NULL, *title = "swiotlb timeline", *record;
	double mono0 = -1, tmax = 0, ymax = 1;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	FILE *in, *f;
	int c;

	/* ':' first: a missing value is ':', an unknown option '?'. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 't': title = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case ':':
			die(2, "%s needs a value", optopt == 'o' ? "-o/--output" : "-t/--title");
		default:
			/* optopt: 'h' for --help=..., an unknown letter, 0 for an unknown long option */
			if (optopt == 'h')
				die(2, "-h/--help takes no value: %s", quoted(argv[optind - 1]));
			if (optopt)
				die(2, "unknown option '-%c' (swiotlb-timeline --help lists them)", optopt);
			die(2, "unknown or ambiguous option %s (swiotlb-timeline --help lists them)",
			    quoted(argv[optind - 1]));
		}
	}
	if (optind == argc)
		die(2, "no RECORD to draw (a file of swiotlbtop --record)");
	if (optind + 1 < argc)
		die(2, "unexpected argument %s (one RECORD only)", quoted(argv[optind + 1]));
	record = argv[optind];
	if (!*record)
		die(2, "RECORD '': empty value");
	if (out && !*out)
		die(2, "-o/--output '': empty value");
	/* Drawing over the record would lose it. */
	if (out && same_file(out, record))
		die(2, "-o/--output %s: that is the RECORD, which the picture would overwrite",
		    quoted(out));
	in = fopen(record, "r");
	if (!in)
		die(1, "RECORD %s: cannot read: %s", quoted(record), strerror(errno));
	while ((len = getline(&line, &cap, in)) > 0) {
		lineno++;
		if (strlen(line) != (size_t)len)
			bad_record(record, lineno, strlen(line) + 1, "%s",
				   "not valid JSON: a NUL byte");
		if (!line[strspn(line, " \t\r\n")])
			continue;	/* a blank line */
		read_line(record, lineno, line, &mono0);
	}
	if (ferror(in))
		die(1, "RECORD %s: cannot read: %s", quoted(record), strerror(errno));
	free(line);
	fclose(in);
	if (!nsamples)
		die(1, "RECORD %s: holds no swiotlbtop interval", quoted(record));
	for (size_t i = 0; i < nsamples; i++) {
		tmax = fmax(tmax, samples[i].t);
		/* fmax() skips a NAN: a value that was null */
		ymax = fmax(ymax, fmax(samples[i].cap, samples[i].used));
		ymax = fmax(ymax, samples[i].cap + samples[i].transient);
	}
	if (tmax <= 0)
		tmax = 1;
	ymax *= 1.1;

	f = out ? fopen(out, "w") : stdout;
	if (!f)
		die(1, "-o/--output %s: cannot write: %s", quoted(out), strerror(errno));
	const double W = 960, H = 480, L = 80, R = 180, T = 50, B = 50;
	const double pw = W - L - R, ph = H - T - B;
#define X(t) (L + (t) / tmax * pw)
#define Y(v) (T + ph - (v) / ymax * ph)

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, H, W, H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%.0f\" y=\"28\" font-size=\"16\">", L);
	xml_text(f, title);
	fprintf(f, "</text>\n");
	/* grid and axes */
	for (int i = 0; i <= 5; i++) {
		double v = ymax / 1.1 * i / 5, y = Y(v);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
			L, y, L + pw, y, L - 6, y + 4, v);
	}
	for (int i = 0; i <= 10; i++) {
		double t = tmax * i / 10, x = X(t);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n",
			x, T, x, T + ph, x, T + ph + 16, t);
	}
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n", L, T, pw, ph);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time (s)</text>\n", L + pw / 2, H - 10);
	fprintf(f, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">slots (2 KiB)</text>\n",
		T + ph / 2, T + ph / 2);

	/*
	 * Transient slots as an area on top of the capacity, and the lines of
	 * capacity and used slots: one shape for each run of samples where
	 * the values are known, nothing where they were null.
	 */
	for (size_t i = 0, a; i < nsamples;) {
		if (!known(i, 0) || !known(i, 2)) {
			i++;
			continue;
		}
		for (a = i; i < nsamples && known(i, 0) && known(i, 2); i++)
			;
		fprintf(f, "<polygon fill=\"#f5b041\" fill-opacity=\"0.5\" stroke=\"none\" points=\"");
		for (size_t k = a; k < i; k++)
			fprintf(f, "%.1f,%.1f ", X(samples[k].t), Y(samples[k].cap + samples[k].transient));
		for (size_t k = i; k-- > a;)
			fprintf(f, "%.1f,%.1f ", X(samples[k].t), Y(samples[k].cap));
		fprintf(f, "\"/>\n");
	}
	static const char *const scolor[2] = { "#2471a3", "#c0392b" };

	for (int s = 0; s < 2; s++) {
		for (size_t i = 0, a; i < nsamples;) {
			if (!known(i, s)) {
				i++;
				continue;
			}
			for (a = i; i < nsamples && known(i, s); i++)
				;
			fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
				scolor[s]);
			for (size_t k = a; k < i; k++)
				fprintf(f, "%.1f,%.1f ", X(samples[k].t), Y(value(k, s)));
			fprintf(f, "\"/>\n");
		}
	}
	static const char *const mcolor[4] = { "#1e8449", "#7d3c98", "#d35400", "black" };

	for (size_t i = 0; i < nmarks; i++) {
		double x = X(fmin(fmax(marks[i].t, 0), tmax)), y = T + 8 + 10 * marks[i].type;

		if (marks[i].type == 1)
			fprintf(f, "<path d=\"M%.1f %.1f l-4 -6 h8 z\" fill=\"%s\"/>\n", x, y + 3, mcolor[1]);
		else if (marks[i].type == 3)
			fprintf(f, "<path d=\"M%.1f %.1f l6 6 m0 -6 l-6 6\" stroke=\"%s\"/>\n", x - 3, y - 3, mcolor[3]);
		else
			fprintf(f, "<path d=\"M%.1f %.1f l-4 6 h8 z\" fill=\"%s\"/>\n", x, y - 3, mcolor[marks[i].type]);
	}
	/* legend */
	const char *const lname[7] = { "capacity", "used", "transient slots", "pool grown",
				       "pool returned", "transient pool", "map failed" };
	const char *const lcol[7] = { "#2471a3", "#c0392b", "#f5b041", "#1e8449", "#7d3c98", "#d35400", "black" };

	for (int i = 0; i < 7; i++) {
		double y = T + 10 + 20 * i;
		bool none = i < 3;

		/* A series with no known value at all says so. */
		for (size_t k = 0; none && k < nsamples; k++)
			none = !known(k, i);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\">%s%s</text>\n", W - R + 16, y - 9, lcol[i],
			W - R + 36, y, lname[i], none ? " (no data)" : "");
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%zu samples, %zu events</text>\n",
		W - R + 16, T + 10 + 20 * 7 + 10, nsamples, nmarks);
	fprintf(f, "</svg>\n");
	finish(f, out);
	return 0;
}
