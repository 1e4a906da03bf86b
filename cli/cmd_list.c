#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pkg_show.h"
#include "zeit/pkgtxn.h"
#include "zeit/config.h"
#include "zeit/snapname.h"
#include "zeit/zfs.h"
#include "zeit/ztime.h"

/* One root's snapshots as rows: zeit's names and every adopted scheme's,
 * read the way the configuration says they were written. */
static int add_rows(struct cli *cli, struct zfs *zh,
                    const struct zfs_snap_list *l, struct table *t)
{
	/* Package transactions' command and delta: one zfs get of their
	 * post snapshots, only when there are any. */
	struct strv posts;
	struct zfs_prop_list pkgp = {0};
	strv_init(&posts);
	for (size_t k = 0; k < l->n; k++)
		if (pkg_show_is_post(l->v[k].name))
			strv_push(&posts, l->v[k].name);
	int rc = posts.n ? pkg_show_fetch(zh, (const char *const *)posts.v,
	                                  &pkgp)
	                 : 0;
	strv_free(&posts);
	if (rc < 0)
		return -1;
	const char **names = xcalloc(l->n + 1, sizeof(*names));
	uint64_t *txgs = xcalloc(l->n + 1, sizeof(*txgs));
	struct snapname *sn = xcalloc(l->n + 1, sizeof(*sn));
	for (size_t k = 0; k < l->n; k++) {
		names[k] = l->v[k].name;
		txgs[k] = l->v[k].createtxg;
	}
	snapname_read_dataset(&cli->z.names, SNAP_ORIGIN_ALL, names, txgs, l->n,
	                      sn);
	for (size_t k = 0; k < l->n; k++) {
		char ts[32] = "-", txg[24], guid[24];
		if (sn[k].origin)
			ztime_format(sn[k].when, ts, sizeof(ts));
		snprintf(txg, sizeof(txg), "%" PRIu64, l->v[k].createtxg);
		snprintf(guid, sizeof(guid), "%" PRIu64, l->v[k].guid);
		const char *row[] = {
		        l->v[k].name,
		        zeit_tier_name(sn[k].tier),
		        ts,
		        txg,
		        guid,
		        pkg_show_value(&pkgp, l->v[k].name, PKGTXN_P_COMMAND),
		        pkg_show_value(&pkgp, l->v[k].name, PKGTXN_P_DELTA)};
		table_add(t, row);
	}
	zfs_prop_list_free(&pkgp);
	free(names);
	free(txgs);
	free(sn);
	return 0;
}

/* The datasets named, or every pool (then recursively). */
static int list_roots(struct cli *cli, struct zfs *zh, int argc, char **argv,
                      struct strv *roots, unsigned *flags)
{
	if (optind >= argc) {
		if (zpool_list(zh, roots) < 0)
			return cli_error(cli);
		*flags |= ZFS_SNAP_RECURSIVE;
		return ZEIT_EXIT_OK;
	}
	strv_init(roots);
	for (int i = optind; i < argc; i++) {
		if (zfs_name_check(&cli->z, argv[i], ZFS_NAME_DATASET) < 0) {
			strv_free(roots);
			return cli_usage_error(cli, "list", "%s",
			                       zeit_error(&cli->z));
		}
		strv_push(roots, argv[i]);
	}
	return ZEIT_EXIT_OK;
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"recursive", no_argument, NULL, 'r'},
	        {"bookmarks", no_argument, NULL, 'b'},
	        {NULL, 0, NULL, 0},
	};
	static const char *const cols[] = {"NAME",       "TIER",  "TIME",
	                                   "#CREATETXG", "#GUID", "COMMAND",
	                                   "PACKAGES",   NULL};
	unsigned flags = 0;
	struct strv roots;
	struct zfs zh;
	struct table t;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "rb", longopts)) != -1) {
		switch (c) {
		case 'r': flags |= ZFS_SNAP_RECURSIVE; break;
		case 'b': flags |= ZFS_SNAP_BOOKMARKS; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	struct zeit_config cfg;
	if (cli_load_config(cli, &cfg) < 0)
		return cli_error(cli);
	config_free(&cfg);
	zfs_init(&zh, &cli->z, NULL);
	int rc = list_roots(cli, &zh, argc, argv, &roots, &flags);
	if (rc != ZEIT_EXIT_OK)
		return rc;
	table_init(&t, cols);
	for (size_t i = 0; i < roots.n && rc == ZEIT_EXIT_OK; i++) {
		struct zfs_snap_list l;
		if (zfs_list_snapshots(&zh, roots.v[i], flags, &l) < 0) {
			rc = cli_error(cli);
			break;
		}
		int ar = add_rows(cli, &zh, &l, &t);
		zfs_snap_list_free(&l);
		if (ar < 0) {
			rc = cli_error(cli);
			break;
		}
	}
	if (rc == ZEIT_EXIT_OK)
		table_print(cli, &t, "snapshots");
	table_free(&t);
	strv_free(&roots);
	return rc;
}
