/* What zeit list and zeit bisect show of package transactions: the
 * command line and package delta a post snapshot carries in its user
 * properties (set by whoever can set properties: escaped when printed, as
 * every table cell is). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pkg_show.h"
#include "zeit/escape.h"
#include "zeit/pkgtxn.h"
#include "zeit/snapname.h"
#include "zeit/ztime.h"

int pkg_show_fetch(struct zfs *zh, const char *const *snaps,
                   struct zfs_prop_list *out)
{
	static const char *const props[] = {PKGTXN_P_COMMAND, PKGTXN_P_DELTA,
	                                    PKGTXN_P_PRE, PKGTXN_P_NOTE, NULL};
	out->v = NULL;
	out->n = 0;
	if (!snaps || !snaps[0])
		return 0;
	return zfs_get_props(zh, snaps, 0, props, out);
}

const char *pkg_show_value(const struct zfs_prop_list *l, const char *snap,
                           const char *prop)
{
	const struct zfs_prop *p = zfs_prop_find(l, snap, prop);
	/* Only a value set on the snapshot itself is its own. */
	if (!p || !p->value || p->source == ZFS_SRC_INHERITED ||
	    p->source == ZFS_SRC_DEFAULT || p->source == ZFS_SRC_NONE ||
	    !strcmp(p->value, "-"))
		return "-";
	return p->value;
}

bool pkg_show_is_post(const char *snap)
{
	enum zeit_tier t;
	return zeit_snapname_parse(snap, &t, NULL) && t == ZEIT_TIER_PKG;
}

void pkg_show_bisect(struct cli *cli, struct zfs *zh, const char *bad,
                     char **pre_out)
{
	struct zfs_prop_list pl;
	const char *snaps[] = {bad, NULL};
	time_t when;

	*pre_out = NULL;
	if (!pkg_show_is_post(bad))
		return;
	if (pkg_show_fetch(zh, snaps, &pl) < 0) {
		printf("(the transaction's properties were not read: %s)\n",
		       zeit_error(&cli->z));
		zeit_clear_error(&cli->z);
		return;
	}
	char *cmd = escape_dup(pkg_show_value(&pl, bad, PKGTXN_P_COMMAND));
	char *delta = escape_dup(pkg_show_value(&pl, bad, PKGTXN_P_DELTA));
	char *note = escape_dup(pkg_show_value(&pl, bad, PKGTXN_P_NOTE));
	const char *pre = pkg_show_value(&pl, bad, PKGTXN_P_PRE);
	char ts[32] = "-";
	if (zeit_snapname_parse(bad, NULL, &when))
		ztime_format(when, ts, sizeof(ts));
	printf("the transaction: %s\n", cmd);
	printf("  finished:  %s\n", ts);
	printf("  packages:  %s\n", delta);
	if (strcmp(note, "-"))
		printf("  note:      %s\n", note);
	/* Its pre snapshot, when it is one of zeit's of the same dataset. */
	enum zeit_tier t;
	const char *at = strchr(bad, '@');
	if (at && zeit_snapname_parse(pre, &t, NULL) && t == ZEIT_TIER_PKGPRE) {
		char *full = xasprintf("%.*s@%s", (int)(at - bad), bad, pre);
		char *ds = xstrndup(bad, (size_t)(at - bad));
		const char *slash = strrchr(ds, '/');
		/* A new environment's name: the dataset's last part and the
		 * pre snapshot's time. */
		char *bename = xasprintf("%s-before-%s", slash ? slash + 1 : ds,
		                         pre + strlen("zeit_pkgpre_"));
		printf("  before it: %s\n", full);
		printf("boot the state just before it:\n"
		       "  zeit be create %s -e %s\n"
		       "  zeit be activate --once %s\n",
		       bename, full, bename);
		free(bename);
		free(ds);
		*pre_out = full;
	}
	free(cmd);
	free(delta);
	free(note);
	zfs_prop_list_free(&pl);
	printf("\n");
}
