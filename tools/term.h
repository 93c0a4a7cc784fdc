/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The terminal of swiotlbtop's screen: its size, keys read one at a time,
 * and a screen of text fitted to it.
 */
#ifndef SWIOTLB_TERM_H
#define SWIOTLB_TERM_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#define SWL_TERM_ROWS	24	/* when the size cannot be read */
#define SWL_TERM_COLS	80

struct swl_term {
	int rows, cols;
};

/* Set by SIGWINCH (and on resuming after a stop): read the size again. */
extern volatile sig_atomic_t swl_term_changed;

/* The size of the terminal on stdout (TIOCGWINSZ), or 24x80; the next
 * screen is drawn on a cleared terminal. */
void swl_term_size(struct swl_term *t);
/*
 * Watch the size (SIGWINCH) and, when stdin is the terminal and this
 * process is in its foreground, read keys without Enter or echo.  The
 * terminal's settings come back at exit, on SIGINT and SIGTERM (which set
 * swl_exiting) and while stopped (^Z).  False: no keys.
 */
bool swl_term_start(void);
/* Whether keys are read now (not while in the background). */
bool swl_term_keys(void);
/* Read the keys waiting, at most LEN, into BUF; -1 when stdin is gone. */
int swl_term_read_keys(char *buf, int len);
/* Put the terminal's settings back; async-signal-safe. */
void swl_term_restore(void);
/*
 * Show TEXT on T's screen: at most T->rows lines, each cut at T->cols
 * columns, other characters than printable ASCII as '?'.  HOME: over the
 * previous screen, from the top left corner; else after it.
 */
void swl_term_show(FILE *f, const struct swl_term *t, const char *text, bool home);

#endif
