/* Keys the boot menu understands, whether typed or read from a script
 * (--keys FILE), so tests and unattended boots drive the same code. */
#ifndef ZEIT_MENU_KEYS_H
#define ZEIT_MENU_KEYS_H

#include <stddef.h>

/* Printable characters are themselves; the rest are above 0xff. */
enum menu_key {
	MK_NONE = 0,
	MK_ENTER = '\n',
	MK_ESC = 0x1b,
	MK_BACKSPACE = 0x7f,
	MK_UP = 0x100,
	MK_DOWN,
	MK_LEFT,
	MK_RIGHT,
	MK_HOME,
	MK_END,
	MK_PGUP,
	MK_PGDN,
	MK_TIMEOUT, /* no key before the deadline */
	MK_EOF,     /* the script ran out, or the terminal went away */
};

struct menu_keys {
	int *v;
	size_t n;
};

/* Parses a key script: words separated by blanks or newlines, '#' to the
 * end of a line is a comment. A word is a key name (up, down, left, right,
 * home, end, pgup, pgdn, enter, esc, backspace, space, tab), a single
 * character, or "text" in double quotes (each character typed; \" and \\
 * escape). Returns 0, or -1 with a message naming the bad word in err. */
int menu_keys_parse(const char *text, struct menu_keys *out, char *err,
                    size_t errlen);
void menu_keys_free(struct menu_keys *k);

#endif
