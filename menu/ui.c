/* ncurses for the boot menu: lists, prompts, a pager, and keys from the
 * keyboard or a script. Plain curses calls only, so a serial console with
 * TERM=vt220 or linux is enough. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui.h"

double ui_uptime(void)
{
	double up = 0;
	FILE *f = fopen("/proc/uptime", "re");
	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	return up;
}

int ui_start(struct ui *u)
{
	if (u->curses)
		return 0;
	if (isatty(STDOUT_FILENO)) {
		if (!initscr())
			return -1;
	} else {
		/* A key script without a terminal (tests, scripts): draw
		 * into nothing, at vt100's size. */
		FILE *out = fopen("/dev/null", "we");
		FILE *in = fopen("/dev/null", "re");
		if (!out || !in || !newterm("vt100", out, in))
			return -1;
		u->script_only = true;
	}
	set_escdelay(100);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_BLACK, COLOR_CYAN); /* title and legend */
		init_pair(2, COLOR_YELLOW, -1);        /* markers */
		init_pair(3, COLOR_RED, -1);           /* warnings */
	}
	u->curses = true;
	return 0;
}

void ui_stop(struct ui *u)
{
	if (u->curses) {
		curs_set(1);
		endwin();
		u->curses = false;
	}
}

void ui_suspend(struct ui *u)
{
	if (u->curses) {
		def_prog_mode();
		endwin();
	}
}

void ui_resume(struct ui *u)
{
	if (u->curses) {
		reset_prog_mode();
		clear();
		refresh();
	}
}

static int map_curses_key(int c)
{
	switch (c) {
	case KEY_UP: return MK_UP;
	case KEY_DOWN: return MK_DOWN;
	case KEY_LEFT: return MK_LEFT;
	case KEY_RIGHT: return MK_RIGHT;
	case KEY_HOME: return MK_HOME;
	case KEY_END: return MK_END;
	case KEY_PPAGE: return MK_PGUP;
	case KEY_NPAGE: return MK_PGDN;
	case KEY_ENTER:
	case '\r':
	case '\n': return MK_ENTER;
	case KEY_BACKSPACE:
	case 8:
	case 0x7f: return MK_BACKSPACE;
	case ERR: return MK_TIMEOUT;
	default: return c >= 0 && c < 0x100 ? c : MK_NONE;
	}
}

int ui_key(struct ui *u, int timeout_ms)
{
	if (u->next < u->script.n)
		return u->script.v[u->next++];
	if (u->script_only || !u->curses)
		return MK_EOF;
	timeout(timeout_ms);
	int c = getch();
	timeout(-1);
	return map_curses_key(c);
}

static void bar(int y, const char *text)
{
	attron(COLOR_PAIR(1));
	mvhline(y, 0, ' ', COLS);
	mvaddnstr(y, 0, text, COLS);
	attroff(COLOR_PAIR(1));
}

void ui_draw_list(struct ui *u, struct ui_list *l)
{
	int rows = LINES - 4; /* title, header gap, status, legend */
	if (rows < 1)
		rows = 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + (size_t)rows)
		l->top = l->sel - (size_t)rows + 1;
	erase();
	bar(0, l->title);
	for (int r = 0; r < rows && l->top + (size_t)r < l->n; r++) {
		size_t i = l->top + (size_t)r;
		bool sel = i == l->sel;
		if (sel)
			attron(A_REVERSE);
		mvhline(2 + r, 0, ' ', COLS);
		l->draw_row(l->ctx, i, 2 + r, COLS, sel);
		if (sel)
			attroff(A_REVERSE);
	}
	if (l->n == 0)
		mvaddstr(2, 2, "(none)");
	if (l->status[0]) {
		attron(COLOR_PAIR(2));
		mvaddnstr(LINES - 2, 0, l->status, COLS);
		attroff(COLOR_PAIR(2));
	}
	bar(LINES - 1, l->help);
	refresh();
	if (!u->drawn_once) {
		u->drawn_once = 1;
		u->drawn_at = ui_uptime();
	}
}

bool ui_list_nav(struct ui_list *l, int key)
{
	size_t page = LINES > 5 ? (size_t)(LINES - 5) : 1;
	switch (key) {
	case MK_UP:
	case 'k':
		if (l->sel > 0)
			l->sel--;
		return true;
	case MK_DOWN:
	case 'j':
		if (l->sel + 1 < l->n)
			l->sel++;
		return true;
	case MK_HOME: l->sel = 0; return true;
	case MK_END: l->sel = l->n ? l->n - 1 : 0; return true;
	case MK_PGUP: l->sel = l->sel > page ? l->sel - page : 0; return true;
	case MK_PGDN:
		l->sel = l->sel + page < l->n ? l->sel + page
		                              : (l->n ? l->n - 1 : 0);
		return true;
	default: return false;
	}
}

bool ui_prompt(struct ui *u, const char *question, const char *initial,
               char *out, size_t outlen)
{
	size_t len = 0;
	if (initial != out) /* the caller may edit in place */
		snprintf(out, outlen, "%s", initial ? initial : "");
	len = strlen(out);
	curs_set(1);
	for (;;) {
		erase();
		bar(0, question);
		mvaddstr(2, 0, "> ");
		/* Long lines show their tail, where the cursor is. */
		int room = COLS - 3;
		const char *shown = out;
		if (room > 0 && len > (size_t)room)
			shown = out + len - (size_t)room;
		addstr(shown);
		bar(LINES - 1, "Enter accept   Esc cancel   Backspace erase");
		move(2, 2 + (int)strlen(shown));
		refresh();
		int k = ui_key(u, -1);
		if (k == MK_ENTER) {
			curs_set(0);
			return true;
		}
		if (k == MK_ESC || k == MK_EOF) {
			curs_set(0);
			return false;
		}
		if (k == MK_BACKSPACE) {
			if (len)
				out[--len] = '\0';
		} else if (k >= ' ' && k < 0x7f && len + 1 < outlen) {
			out[len++] = (char)k;
			out[len] = '\0';
		}
	}
}

bool ui_confirm(struct ui *u, const char *question)
{
	erase();
	bar(0, "Confirm");
	attron(COLOR_PAIR(3));
	mvaddnstr(2, 0, question, COLS * (LINES - 4));
	attroff(COLOR_PAIR(3));
	bar(LINES - 1, "y proceed   any other key cancels");
	refresh();
	int k = ui_key(u, -1);
	return k == 'y' || k == 'Y';
}

void ui_message(struct ui *u, const char *title, const char *text)
{
	if (u->script_only) /* nobody sees the screen: say it on stderr */
		fprintf(stderr, "zeit-menu: %s: %s\n", title, text);
	erase();
	bar(0, title);
	mvaddnstr(2, 0, text, COLS * (LINES - 4));
	bar(LINES - 1, "any key to go on");
	refresh();
	ui_key(u, -1);
}

void ui_pager(struct ui *u, const char *title, const char *text)
{
	if (u->script_only) { /* nobody sees the screen: print it */
		printf("%s\n%s\n", title, text);
		fflush(stdout);
	}
	/* Split once into lines. */
	size_t n = 0, cap = 64;
	const char **line = malloc(cap * sizeof(*line));
	int *len = malloc(cap * sizeof(*len));
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		if (n == cap) {
			cap *= 2;
			line = realloc(line, cap * sizeof(*line));
			len = realloc(len, cap * sizeof(*len));
			if (!line || !len)
				abort();
		}
		line[n] = p;
		len[n++] = nl ? (int)(nl - p) : (int)strlen(p);
		p = nl ? nl + 1 : NULL;
	}
	size_t top = 0, rows = LINES > 2 ? (size_t)(LINES - 2) : 1;
	for (;;) {
		erase();
		bar(0, title);
		for (size_t r = 0; r < rows && top + r < n; r++)
			mvaddnstr(1 + (int)r, 0, line[top + r],
			          len[top + r] < COLS ? len[top + r] : COLS);
		char legend[128];
		snprintf(legend, sizeof(legend),
		         "lines %zu-%zu of %zu   arrows/PgUp/PgDn scroll   q "
		         "back",
		         n ? top + 1 : 0, top + rows < n ? top + rows : n, n);
		bar(LINES - 1, legend);
		refresh();
		int k = ui_key(u, -1);
		if (k == 'q' || k == MK_ESC || k == MK_EOF || k == MK_ENTER)
			break;
		if ((k == MK_DOWN || k == 'j') && top + rows < n)
			top++;
		else if ((k == MK_UP || k == 'k') && top > 0)
			top--;
		else if (k == MK_PGDN || k == ' ')
			top = top + rows < n ? top + rows : top;
		else if (k == MK_PGUP)
			top = top > rows ? top - rows : 0;
	}
	free(line);
	free(len);
}
