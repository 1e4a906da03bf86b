/* Asking for an encryption root's passphrase on the menu's terminal. */
#ifndef ZEIT_MENU_PASSPHRASE_H
#define ZEIT_MENU_PASSPHRASE_H

#include "zeit/menu.h"

/* How many wrong passphrases before the menu gives up on a boot. */
#define PASSPHRASE_TRIES 3

/* Reads the passphrase of encroot (no echo on a terminal; a line of
 * standard input otherwise) and loads the key with it, asking again after
 * a wrong one, PASSPHRASE_TRIES times in all. Returns 0 once loaded, or
 * -1 with a message on m->z. The caller has left curses. */
int passphrase_unlock(struct menu *m, const char *encroot);

#endif
