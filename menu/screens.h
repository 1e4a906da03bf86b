/* The boot menu's screens: environments, kernels, snapshots. */
#ifndef ZEIT_MENU_SCREENS_H
#define ZEIT_MENU_SCREENS_H

#include "ui.h"
#include "zeit/menu.h"

struct screens {
	struct menu *m;
	struct ui *u;
	int timeout;           /* countdown seconds; < 0 none */
	const char *zeit_path; /* the zeit binary, for diff */
	const char *shell;     /* recovery shell */
};

/* Routes the menu's key prompts through the screens. */
void screens_attach(struct screens *s);

/* Runs the menu until an environment boots (does not return then) or the
 * key script ends; returns non-zero on a failure to go on. */
int screens_run(struct screens *s);

/* Boots environment i (kernel NULL: its default; args NULL: its command
 * line). Returns only when it could not. */
int screens_boot(struct screens *s, size_t i, const char *kernel,
                 const char *args);

#endif
