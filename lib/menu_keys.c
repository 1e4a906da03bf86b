/* The boot menu's key scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/menu_keys.h"
#include "zeit/util.h"

static const struct {
	const char *name;
	int key;
} names[] = {
        {"up", MK_UP},
        {"down", MK_DOWN},
        {"left", MK_LEFT},
        {"right", MK_RIGHT},
        {"home", MK_HOME},
        {"end", MK_END},
        {"pgup", MK_PGUP},
        {"pgdn", MK_PGDN},
        {"enter", MK_ENTER},
        {"esc", MK_ESC},
        {"tab", '\t'},
        {"space", ' '},
        {"backspace", MK_BACKSPACE},
};

static void push(struct menu_keys *k, size_t *cap, int key)
{
	if (k->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		k->v = xrealloc(k->v, *cap * sizeof(*k->v));
	}
	k->v[k->n++] = key;
}

static int named(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len &&
		    !strncmp(names[i].name, w, len))
			return names[i].key;
	return -1;
}

int menu_keys_parse(const char *text, struct menu_keys *out, char *err,
                    size_t errlen)
{
	size_t cap = 0, line = 1;
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (*p) {
		if (*p == '\n')
			line++;
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		if (*p == '"') {
			const char *s = ++p;
			for (; *p && *p != '"' && *p != '\n'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				push(out, &cap, (unsigned char)*p);
			}
			if (*p != '"') {
				snprintf(err, errlen,
				         "line %zu: unterminated \"%.20s", line,
				         s);
				menu_keys_free(out);
				return -1;
			}
			p++;
			continue;
		}
		size_t len = strcspn(p, " \t\r\n#");
		int key = named(p, len);
		if (key < 0 && len == 1 && (unsigned char)*p > ' ' &&
		    (unsigned char)*p < 0x7f)
			key = (unsigned char)*p;
		if (key < 0) {
			snprintf(err, errlen,
			         "line %zu: unknown key '%.*s' (a key name, "
			         "one character or \"text\")",
			         line, (int)(len > 40 ? 40 : len), p);
			menu_keys_free(out);
			return -1;
		}
		push(out, &cap, key);
		p += len;
	}
	return 0;
}

void menu_keys_free(struct menu_keys *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}
