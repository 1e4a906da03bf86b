/* zeit adopt's reading side: the old tool's files and the pools' marks.
 * Reads only; the planner (adopt.c) decides what they mean. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/adopt.h"
#include "zeit/rootfile.h"
#include "zeit/zfs.h"

#define ADOPT_FILE_MAX (1 << 20) /* cron lines and configs are small */

/* The whole of a small file, or NULL when it is missing, too big or
 * holds a NUL byte (not text). */
static char *slurp(const char *path)
{
	struct zeit quiet; /* a file that is not there is no failure */
	zeit_init(&quiet);
	size_t len;
	char *s = rootfile_read_host(&quiet, path, ADOPT_FILE_MAX - 1, &len);
	if (s && strlen(s) != len) {
		free(s);
		return NULL;
	}
	return s;
}

/* Keeps a copy in the source; a pushed string never moves. */
static const char *keep_str(struct adopt_source *s, char *owned)
{
	strv_push(&s->owned, owned);
	free(owned);
	return s->owned.v[s->owned.n - 1];
}

/* A file's contents kept in the source (NULL when it cannot be read). */
static const char *keep_file(struct adopt_source *s, const char *path)
{
	char *t = slurp(path);
	return t ? keep_str(s, t) : NULL;
}

static const char *const mark_props[] = {
        "com.sun:auto-snapshot",        "com.sun:auto-snapshot:frequent",
        "com.sun:auto-snapshot:hourly", "com.sun:auto-snapshot:daily",
        "com.sun:auto-snapshot:weekly", "com.sun:auto-snapshot:monthly",
        "com.sun:auto-snapshot:yearly", NULL,
};

int adopt_read(struct zfs *zh, enum adopt_tool tool, const char *sanoid_conf,
               struct adopt_source *out)
{
	const char *const *paths = adopt_sched_paths(tool);
	size_t np = 0;

	memset(out, 0, sizeof(*out));
	strv_init(&out->owned);
	strv_init(&out->pools);
	for (; paths[np]; np++)
		;
	out->files = xcalloc(np + 1, sizeof(*out->files));
	out->in.tool = tool;
	for (size_t i = 0; i < np; i++) {
		const char *t = keep_file(out, paths[i]);
		if (t)
			out->files[out->in.nsched++] =
			        (struct adopt_file){paths[i], t};
	}
	out->in.sched = out->files;
	if (tool == ADOPT_AUTO_SNAPSHOT) {
		out->in.script = keep_file(out, "/usr/sbin/zfs-auto-snapshot");
	} else {
		const char *conf =
		        sanoid_conf ? sanoid_conf : "/etc/sanoid/sanoid.conf";
		out->in.sanoid_conf = (struct adopt_file){
		        keep_str(out, xstrdup(conf)), keep_file(out, conf)};
		out->in.sanoid_defaults = (struct adopt_file){
		        "/usr/share/sanoid/sanoid.defaults.conf",
		        keep_file(out,
		                  "/usr/share/sanoid/sanoid.defaults.conf")};
	}
	if (zpool_list(zh, &out->pools) < 0)
		return -1;
	out->in.pools = (const char *const *)out->pools.v;
	if (!out->pools.n)
		return 0;
	struct zfs_prop_list pl;
	if (zfs_get_props(zh, (const char *const *)out->pools.v, -1, mark_props,
	                  &pl) < 0)
		return -1;
	out->marks = xcalloc(pl.n + 1, sizeof(*out->marks));
	for (size_t i = 0; i < pl.n; i++) {
		if (pl.v[i].source != ZFS_SRC_LOCAL)
			continue;
		out->marks[out->in.nmarks++] = (struct adopt_mark){
		        keep_str(out, xstrdup(pl.v[i].dataset)),
		        keep_str(out, xstrdup(pl.v[i].name)),
		        keep_str(out, xstrdup(pl.v[i].value))};
	}
	zfs_prop_list_free(&pl);
	out->in.marks = out->marks;
	return 0;
}

void adopt_source_free(struct adopt_source *s)
{
	free(s->files);
	free(s->marks);
	strv_free(&s->owned);
	strv_free(&s->pools);
	memset(s, 0, sizeof(*s));
}
