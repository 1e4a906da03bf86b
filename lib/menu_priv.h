/* What lib/menu.c and lib/menu_unlock.c share. */
#ifndef ZEIT_MENU_PRIV_H
#define ZEIT_MENU_PRIV_H

#include "zeit/initrd_key.h"
#include "zeit/menu.h"

/* When the menu holds the key of b's encryption root: builds the
 * initramfs with the key in front (k) from the environment's own at
 * initrd_fd, sets b->key_root and returns 1; 0 when it holds none (k
 * untouched); -1 with a message. */
int menu_key_initrd(struct menu *m, struct menu_boot *b, int initrd_fd,
                    struct initrd_key *k);
/* Wipes every kept passphrase. */
void menu_forget_keys(struct menu *m);

#endif
