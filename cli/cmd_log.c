/* zeit log: one path's versions across a dataset's snapshots. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/escape.h"
#include "zeit/filelog.h"
#include "zeit/ztime.h"

static const char *short_of(const char *snap)
{
	const char *at = strchr(snap, '@');
	return at ? at + 1 : snap;
}

static int write_out(void *arg, const char *text, size_t len)
{
	(void)arg;
	return fwrite(text, 1, len, stdout) == len ? 0 : -1;
}

static int collect(void *arg, const char *text, size_t len)
{
	buf_add(arg, text, len);
	return 0;
}

/* "A .. B (n)" for each run of a version. */
static void runs_text(const struct filelog *l, const struct filelog_version *v,
                      struct buf *b)
{
	for (size_t r = 0; r < v->nruns; r++) {
		size_t a = v->runs[r][0], z = v->runs[r][1];
		if (r)
			buf_adds(b, ", ");
		if (a == z)
			buf_addf(b, "%s", short_of(l->snaps.v[a]));
		else
			buf_addf(b, "%s .. %s (%zu)", short_of(l->snaps.v[a]),
			         short_of(l->snaps.v[z]), z - a + 1);
	}
}

static json_object *version_json(const struct filelog *l,
                                 const struct filelog_version *v)
{
	json_object *o = json_object_new_object();
	char t[32];
	if (v->id)
		json_object_object_add(o, "version",
		                       json_object_new_int(v->id));
	else
		json_object_object_add(o, "version", NULL);
	json_object_object_add(
	        o, "kind", json_object_new_string(filelog_kind_name(v->kind)));
	if (v->kind != FILELOG_ABSENT) {
		ztime_format(v->st.st_mtim.tv_sec, t, sizeof(t));
		json_object_object_add(o, "size",
		                       json_object_new_int64(v->st.st_size));
		json_object_object_add(o, "mtime", json_object_new_string(t));
		json_object_object_add(
		        o, "mode",
		        json_object_new_int((int)(v->st.st_mode & 07777)));
		json_object_object_add(o, "uid",
		                       json_object_new_int64(v->st.st_uid));
		json_object_object_add(o, "gid",
		                       json_object_new_int64(v->st.st_gid));
	}
	json_object_object_add(o, "snapshots",
	                       json_object_new_int64((int64_t)v->count));
	json_object *runs = json_object_new_array();
	for (size_t r = 0; r < v->nruns; r++) {
		json_object *ro = json_object_new_object();
		json_object_object_add(
		        ro, "first",
		        json_object_new_string(l->snaps.v[v->runs[r][0]]));
		json_object_object_add(
		        ro, "last",
		        json_object_new_string(l->snaps.v[v->runs[r][1]]));
		json_object_object_add(
		        ro, "count",
		        json_object_new_int64(
		                (int64_t)(v->runs[r][1] - v->runs[r][0] + 1)));
		json_object_array_add(runs, ro);
	}
	json_object_object_add(o, "runs", runs);
	return o;
}

static void print_table(struct cli *cli, const struct filelog *l)
{
	static const char *const cols[] = {"#version", "kind",      "#size",
	                                   "modified", "snapshots", NULL};
	struct table t;
	table_init(&t, cols);
	for (size_t i = 0; i < l->n; i++) {
		const struct filelog_version *v = &l->v[i];
		char id[16], size[32], when[32];
		struct buf runs;
		buf_init(&runs);
		runs_text(l, v, &runs);
		snprintf(id, sizeof(id), "%d", v->id);
		snprintf(size, sizeof(size), "%lld", (long long)v->st.st_size);
		ztime_format(v->st.st_mtim.tv_sec, when, sizeof(when));
		const char *row[] = {
		        v->id ? id : "-",
		        v->id ? filelog_kind_name(v->kind) : "deleted",
		        v->id ? size : "-",
		        v->id ? when : "-",
		        runs.data,
		        NULL};
		table_add(&t, row);
		buf_free(&runs);
	}
	table_print(cli, &t, "versions");
	table_free(&t);
}

/* -p: what each change made, in the order the snapshots saw them. */
static int print_diffs(struct cli *cli, struct zfs *zh, struct filelog *l,
                       json_object *arr)
{
	for (size_t i = 1; i < l->snaps.n; i++) {
		size_t a = l->version[i - 1], b = l->version[i];
		if (a == b)
			continue;
		struct buf d;
		buf_init(&d);
		if (!arr) {
			printf("\n%s: version %d -> %d\n",
			       short_of(l->snaps.v[i]), l->v[a].id, l->v[b].id);
			fflush(stdout);
		}
		int rc = filelog_diff(zh, l, a, b, arr ? collect : write_out,
		                      &d);
		if (rc == 0 && arr) {
			json_object *o = json_object_new_object();
			json_object_object_add(
			        o, "snapshot",
			        json_object_new_string(l->snaps.v[i]));
			json_object_object_add(o, "from",
			                       json_object_new_int(l->v[a].id));
			json_object_object_add(o, "to",
			                       json_object_new_int(l->v[b].id));
			json_object_object_add(
			        o, "diff",
			        json_object_new_string_len(d.data ? d.data : "",
			                                   (int)d.len));
			json_object_array_add(arr, o);
		}
		buf_free(&d);
		if (rc < 0)
			return cli_error(cli);
	}
	return ZEIT_EXIT_OK;
}

static int print_json(struct cli *cli, struct zfs *zh, const char *ds,
                      struct filelog *l, bool patch)
{
	int rc = ZEIT_EXIT_OK;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "dataset", json_object_new_string(ds));
	json_object_object_add(o, "path", json_object_new_string(l->path));
	json_object_object_add(o, "snapshots",
	                       json_object_new_int64((int64_t)l->snaps.n));
	json_object *vs = json_object_new_array();
	for (size_t i = 0; i < l->n; i++)
		json_object_array_add(vs, version_json(l, &l->v[i]));
	json_object_object_add(o, "versions", vs);
	if (patch) {
		json_object *d = json_object_new_array();
		rc = print_diffs(cli, zh, l, d);
		json_object_object_add(o, "diffs", d);
	}
	json_object_object_add(o, "lookups",
	                       json_object_new_int64((int64_t)l->stats));
	json_object_object_add(o, "reads",
	                       json_object_new_int64((int64_t)l->reads));
	if (rc == ZEIT_EXIT_OK)
		printf("%s\n", json_object_to_json_string_ext(
		                       o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return rc;
}

static int print_text(struct cli *cli, struct zfs *zh, const char *ds,
                      struct filelog *l, bool patch)
{
	if (!cli->scripted) {
		char *p = escape_dup(l->path);
		int nv = 0;
		for (size_t i = 0; i < l->n; i++)
			nv += l->v[i].id != 0;
		printf("%s in %s: %d version%s in %zu snapshots\n", p, ds, nv,
		       nv == 1 ? "" : "s", l->snaps.n);
		free(p);
	}
	print_table(cli, l);
	return patch ? print_diffs(cli, zh, l, NULL) : ZEIT_EXIT_OK;
}

int cmd_log(struct cli *cli, int argc, char **argv)
{
	enum { OPT_REPLICA = 0x3100 };
	static const struct option longopts[] = {
	        {"patch", no_argument, NULL, 'p'},
	        {"replica", required_argument, NULL, OPT_REPLICA},
	        {NULL, 0, NULL, 0},
	};
	bool patch = false;
	const char *replica = NULL;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "p", longopts)) != -1) {
		switch (c) {
		case 'p': patch = true; break;
		case OPT_REPLICA: replica = optarg; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	int nargs = argc - optind;
	if (nargs < 1 || nargs > 2)
		return cli_usage_error(cli, "log", "needs [DATASET] PATH");
	char *ds = NULL, *rel = NULL;
	if (nargs == 2) {
		ds = xstrdup(argv[optind]);
		rel = xstrdup(argv[optind + 1]);
	} else if (filelog_resolve(&cli->z, argv[optind], &ds, &rel) < 0) {
		return cli_error(cli);
	}
	struct zfs zh;
	struct filelog l;
	zfs_init(&zh, &cli->z, NULL);
	struct filelog_request req = {ds, rel, replica};
	int rc;
	if (filelog_build(&zh, &req, &l) < 0) {
		rc = cli_error(cli);
	} else {
		zeit_note(&cli->z, 1, "%lu lookups, %lu reads", l.stats,
		          l.reads);
		rc = cli->json ? print_json(cli, &zh, ds, &l, patch)
		               : print_text(cli, &zh, ds, &l, patch);
	}
	filelog_free(&l);
	free(ds);
	free(rel);
	return rc;
}
