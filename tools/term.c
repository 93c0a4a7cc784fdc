// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal of swiotlbtop's screen.  Keys are read with stdin in
 * non-canonical mode without echo; ^C and the other signal keys keep
 * working.  The settings found at start are put back at exit, on SIGINT
 * and SIGTERM, and before the process stops (^Z); they are taken again
 * when it continues in the foreground.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "common.h"
#include "term.h"

volatile sig_atomic_t swl_term_changed;
static struct termios saved;		/* the settings at start */
static bool have_saved;
static volatile sig_atomic_t keys_on;	/* the terminal is in key mode */
static bool fresh = true;		/* the next screen clears all first */

void swl_term_size(struct swl_term *t)
{
	struct winsize ws;

	fresh = true;
	t->rows = SWL_TERM_ROWS;
	t->cols = SWL_TERM_COLS;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	}
}

/* tcsetattr() on stdin, also from the background (no SIGTTOU stop). */
static int set_attr(const struct termios *t)
{
	sigset_t ttou, old;
	int err;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	err = tcsetattr(STDIN_FILENO, TCSANOW, t);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* Key mode, when this process has the terminal: keys of a job in the
 * background are the shell's. */
static void keys_enter(void)
{
	struct termios t = saved;

	if (!have_saved || keys_on || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!set_attr(&t))
		keys_on = 1;
}

void swl_term_restore(void)
{
	if (!keys_on)
		return;
	set_attr(&saved);
	keys_on = 0;
}

static void on_resize(int sig)
{
	(void)sig;
	swl_term_changed = 1;
}

static void on_exit_signal(int sig)
{
	(void)sig;
	swl_term_restore();
	swl_exiting = 1;
}

static void on_continue(int sig)
{
	int e = errno;

	(void)sig;
	keys_enter();
	swl_term_changed = 1;
	errno = e;
}

/* ^Z: the terminal as it was, then stop for real. */
static void on_stop(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, me = { .sa_handler = on_stop };
	int e = errno;
	sigset_t set;

	swl_term_restore();
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* Continued (SIGCONT's handler has run too). */
	sigaction(sig, &me, NULL);
	errno = e;
}

bool swl_term_start(void)
{
	struct sigaction sa = { .sa_handler = on_resize };

	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_exit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return false;
	have_saved = true;
	atexit(swl_term_restore);
	sa.sa_handler = on_stop;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_continue;
	sigaction(SIGCONT, &sa, NULL);
	keys_enter();
	return true;
}

bool swl_term_keys(void)
{
	return keys_on;
}

int swl_term_read_keys(char *buf, int len)
{
	ssize_t n = read(STDIN_FILENO, buf, len);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	return n ? (int)n : -1;
}

void swl_term_show(FILE *f, const struct swl_term *t, const char *text, bool home)
{
	const char *p = text;
	int row;

	/*
	 * The first screen, and the first after a resize, clear everything:
	 * what was there, a line that wrapped.  Then each line clears what
	 * is left of the previous screen's, not to flicker.
	 */
	if (home)
		fputs(fresh ? "\033[H\033[2J" : "\033[H", f);
	fresh = false;
	for (row = 0; *p && row < t->rows; row++) {
		size_t n = strcspn(p, "\n");
		int col;

		if (row && home)
			fputc('\n', f);
		for (col = 0; col < (int)n && col < t->cols; col++)
			fputc(p[col] >= 0x20 && p[col] < 0x7f ? p[col] : '?', f);
		/* A full line is cleared by its text: the cursor stays on
		 * its last column, where clearing would take that out. */
		if (home && col < t->cols)
			fputs("\033[K", f);
		if (!home)
			fputc('\n', f);
		p += n;
		if (*p == '\n')
			p++;
	}
	if (home && row < t->rows)
		fputs(row ? "\n\033[J" : "\033[J", f);
	fflush(f);
}
