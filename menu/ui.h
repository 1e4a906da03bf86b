/* The menu's terminal: ncurses drawing helpers and one key source that is
 * either the keyboard or a key script. */
#ifndef ZEIT_MENU_UI_H
#define ZEIT_MENU_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "zeit/menu_keys.h"

struct ui {
	bool curses;             /* ncurses is up */
	struct menu_keys script; /* --keys, consumed in order */
	size_t next;
	bool script_only; /* no terminal behind the script */
	int drawn_once;   /* the first full screen has been drawn */
	double drawn_at;  /* seconds since the kernel started, then */
};

int ui_start(struct ui *u);
void ui_stop(struct ui *u);
/* Leaves curses for a child on the terminal (shell, chroot) and comes
 * back. */
void ui_suspend(struct ui *u);
void ui_resume(struct ui *u);

/* Next key; timeout_ms < 0 waits. MK_TIMEOUT when none came in time. */
int ui_key(struct ui *u, int timeout_ms);

/* A scrolling list. draw_row writes row i at screen line y. */
struct ui_list {
	const char *title;
	const char *help; /* the key legend at the bottom */
	size_t n;
	size_t sel, top;
	void (*draw_row)(void *ctx, size_t i, int y, int width, bool sel);
	void *ctx;
	char status[256]; /* one line above the legend */
};

void ui_draw_list(struct ui *u, struct ui_list *l);
/* Moves the selection for navigation keys; true when the key was one. */
bool ui_list_nav(struct ui_list *l, int key);

/* A one-line editor with text prefilled; false on Esc. */
bool ui_prompt(struct ui *u, const char *question, const char *initial,
               char *out, size_t outlen);
/* y to confirm; anything else declines. */
bool ui_confirm(struct ui *u, const char *question);
/* Shows text until a key: an error or a note. */
void ui_message(struct ui *u, const char *title, const char *text);
/* Scrolls through text until q or Esc. */
void ui_pager(struct ui *u, const char *title, const char *text);

/* Seconds since the kernel started (/proc/uptime). */
double ui_uptime(void);

#endif
