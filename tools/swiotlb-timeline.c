// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb-timeline - turn a run recorded with "swiotlbtop --record FILE"
 * (one JSON object per interval) into an SVG timeline: capacity, used
 * slots and transient slots over time, with pool growth, pool returns and
 * mapping failures marked.
 *
 * The record is read with a small field scanner that only knows the keys
 * swiotlbtop writes; unknown keys are ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
"Exit status: 0 ok, 1 error (unreadable or empty record), 2 usage.\n";


static int num(const char *line, const char *key, double *v)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	*v = strtod(p + strlen(pat), NULL);
	return 0;
}

static void add_mark(double t, int type)
{
	if (nmarks == capmarks) {
		capmarks = capmarks ? 2 * capmarks : 64;
		marks = realloc(marks, capmarks * sizeof(*marks));
		if (!marks) { perror("swiotlb-timeline"); exit(1); }
	}
	marks[nmarks].t = t;
	marks[nmarks++].type = type;
}

static void parse_events(const char *line, double mono0)
{
	const char *p = strstr(line, "\"events\":[");

	while (p && (p = strstr(p, "{\"ts_ns\":"))) {
		double ts = strtod(p + 9, NULL);
		const char *end = strchr(p, '}');
		char obj[512];
		size_t len = end ? (size_t)(end - p) : strlen(p);
		double t = (ts - mono0) / 1e9;

		if (len >= sizeof(obj))
			len = sizeof(obj) - 1;
		memcpy(obj, p, len);
		obj[len] = 0;
		if (strstr(obj, "\"type\":\"pool_add\""))
			add_mark(t, strstr(obj, "\"cause\":\"transient\"") ? 2 : 0);
		else if (strstr(obj, "\"type\":\"pool_remove\""))
			add_mark(t, 1);
		else if (strstr(obj, "\"type\":\"map_failed\""))
			add_mark(t, 3);
		p += 9;
	}
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
	const char *out = NULL, *title = "swiotlb timeline";
	double mono0 = -1, tmax = 0, ymax = 1;
	char *line = NULL;
	size_t cap = 0;
	FILE *in, *f;
	int c;

	while ((c = getopt_long(argc, argv, "o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 't': title = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	in = fopen(argv[optind], "r");
	if (!in) {
		fprintf(stderr, "swiotlb-timeline: cannot read %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	while (getline(&line, &cap, in) > 0) {
		struct sample s = {};
		double mono;

		if (num(line, "time", &s.t) || num(line, "capacity_slots", &s.cap) ||
		    num(line, "used_slots", &s.used))
			continue;
		if (num(line, "transient_slots", &s.transient) || s.transient < 0)
			s.transient = 0;
		if (!num(line, "mono_ns", &mono) && mono0 < 0)
			mono0 = mono - s.t * 1e9;
		if (nsamples == capsamples) {
			capsamples = capsamples ? 2 * capsamples : 256;
			samples = realloc(samples, capsamples * sizeof(*samples));
			if (!samples) { perror("swiotlb-timeline"); return 1; }
		}
		samples[nsamples++] = s;
		if (mono0 >= 0)
			parse_events(line, mono0);
	}
	free(line);
	fclose(in);
	if (!nsamples) {
		fprintf(stderr, "swiotlb-timeline: %s holds no swiotlbtop record\n", argv[optind]);
		return 1;
	}
	for (size_t i = 0; i < nsamples; i++) {
		tmax = fmax(tmax, samples[i].t);
		ymax = fmax(ymax, fmax(samples[i].cap + samples[i].transient, samples[i].used));
	}
	if (tmax <= 0)
		tmax = 1;
	ymax *= 1.1;

	f = out ? fopen(out, "w") : stdout;
	if (!f) {
		fprintf(stderr, "swiotlb-timeline: cannot write %s: %s\n", out, strerror(errno));
		return 1;
	}
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

	/* transient slots as an area on top of the capacity */
	fprintf(f, "<polygon fill=\"#f5b041\" fill-opacity=\"0.5\" stroke=\"none\" points=\"");
	for (size_t i = 0; i < nsamples; i++)
		fprintf(f, "%.1f,%.1f ", X(samples[i].t), Y(samples[i].cap + samples[i].transient));
	for (size_t i = nsamples; i-- > 0;)
		fprintf(f, "%.1f,%.1f ", X(samples[i].t), Y(samples[i].cap));
	fprintf(f, "\"/>\n");
	const struct { const char *color; int field; } series[2] = { { "#2471a3", 0 }, { "#c0392b", 1 } };

	for (int s = 0; s < 2; s++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", series[s].color);
		for (size_t i = 0; i < nsamples; i++)
			fprintf(f, "%.1f,%.1f ", X(samples[i].t),
				Y(series[s].field ? samples[i].used : samples[i].cap));
		fprintf(f, "\"/>\n");
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

		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", W - R + 16, y - 9, lcol[i],
			W - R + 36, y, lname[i]);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%zu samples, %zu events</text>\n",
		W - R + 16, T + 10 + 20 * 7 + 10, nsamples, nmarks);
	fprintf(f, "</svg>\n");
	if (out && fclose(f)) {
		fprintf(stderr, "swiotlb-timeline: cannot write %s: %s\n", out, strerror(errno));
		return 1;
	}
	return 0;
}
