/* Package transactions in zeit list and zeit bisect (cli/pkg_show.c). */
#ifndef ZEIT_CLI_PKG_SHOW_H
#define ZEIT_CLI_PKG_SHOW_H

#include <stdbool.h>

#include "cli.h"
#include "zeit/zfs.h"

/* The transaction properties of snaps (full names), in one zfs get. */
int pkg_show_fetch(struct zfs *zh, const char *const *snaps,
                   struct zfs_prop_list *out);
/* A property set on snap itself, or "-". */
const char *pkg_show_value(const struct zfs_prop_list *l, const char *snap,
                           const char *prop);
/* Whether snap (dataset@name) is a transaction's post snapshot. */
bool pkg_show_is_post(const char *snap);
/* When bad is a post snapshot: prints its transaction (command, time,
 * delta) and the commands that boot the state before it, and sets
 * *pre_out to its pre snapshot's full name (malloc'd), else NULL. */
void pkg_show_bisect(struct cli *cli, struct zfs *zh, const char *bad,
                     char **pre_out);

#endif
