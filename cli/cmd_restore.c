/* zeit restore: a file or directory back from a snapshot. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/escape.h"
#include "zeit/filelog.h"
#include "zeit/lock.h"
#include "zeit/restore.h"

struct seen {
	struct cli *cli;
	json_object *arr;
};

static const char *type_of(mode_t m)
{
	return S_ISDIR(m)   ? "directory"
	       : S_ISREG(m) ? "file"
	       : S_ISLNK(m) ? "symlink"
	                    : "special";
}

static void each(void *arg, const char *rel, mode_t mode, bool replaces)
{
	struct seen *s = arg;
	if (s->arr) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(rel));
		json_object_object_add(o, "type",
		                       json_object_new_string(type_of(mode)));
		json_object_object_add(o, "replaces",
		                       json_object_new_boolean(replaces));
		json_object_array_add(s->arr, o);
		return;
	}
	if (!s->cli->z.dry_run)
		return;
	char *p = escape_dup(rel);
	if (s->cli->scripted)
		printf("%s\t%s\t%s\n", replaces ? "overwrite" : "create",
		       type_of(mode), p);
	else
		printf("would %s %s %s\n", replaces ? "overwrite" : "create",
		       type_of(mode), p);
	free(p);
}

static void print_json(struct cli *cli, const struct restore_request *req,
                       const struct restore_result *res, struct seen *s)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "dataset",
	                       json_object_new_string(req->dataset));
	json_object_object_add(o, "path", json_object_new_string(req->path));
	json_object_object_add(o, "from", json_object_new_string(req->from));
	json_object_object_add(o, "to",
	                       json_object_new_string(res->written_in));
	json_object_object_add(o, "dry_run",
	                       json_object_new_boolean(cli->z.dry_run));
	json_object_object_add(o, "guard",
	                       res->guard ? json_object_new_string(res->guard)
	                                  : NULL);
	json_object_object_add(o, "entries",
	                       json_object_new_int64((int64_t)res->entries));
	json_object_object_add(o, "changes", s->arr);
	s->arr = NULL;
	printf("%s\n",
	       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

static void print_done(const struct restore_request *req,
                       const struct restore_result *res)
{
	char *p = escape_dup(req->path);
	printf("restored %s from %s into %s: %lu entr%s\n", p, req->from,
	       res->written_in, res->entries, res->entries == 1 ? "y" : "ies");
	if (res->guard)
		printf("guard snapshot: %s (what was there before)\n",
		       res->guard);
	free(p);
}

/* The dataset and path from DATASET PATH, or from a path alone. */
static int operands(struct cli *cli, int nargs, char **args, char **ds,
                    char **rel)
{
	if (nargs == 2) {
		*ds = xstrdup(args[0]);
		*rel = args[1][0] == '/' ? xstrdup(args[1])
		                         : xasprintf("/%s", args[1]);
		return 0;
	}
	return filelog_resolve(&cli->z, args[0], ds, rel);
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	enum { OPT_FROM = 0x3200, OPT_TO };
	static const struct option longopts[] = {
	        {"from", required_argument, NULL, OPT_FROM},
	        {"to", required_argument, NULL, OPT_TO},
	        {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_FROM: from = optarg; break;
		case OPT_TO: to = optarg; break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	int nargs = argc - optind;
	if (nargs < 1 || nargs > 2 || !from)
		return cli_usage_error(cli, "restore",
		                       "needs [DATASET] PATH --from SNAPSHOT");
	char *ds = NULL, *rel = NULL;
	int lock = -1;
	if (operands(cli, nargs, argv + optind, &ds, &rel) < 0 ||
	    (!cli->z.dry_run &&
	     (lock = zeit_lock(&cli->z, cli->lock_wait)) < 0)) {
		free(ds);
		free(rel);
		return cli_error(cli);
	}
	struct seen s = {cli, cli->json ? json_object_new_array() : NULL};
	struct restore_request req = {ds, rel, from, to, each, &s};
	struct restore_result res;
	struct zfs zh;
	zfs_init(&zh, &cli->z, NULL);
	int rc = ZEIT_EXIT_OK;
	if (restore_run(&zh, &req, &res) < 0)
		rc = cli_error(cli);
	else if (cli->json)
		print_json(cli, &req, &res, &s);
	else if (!cli->z.dry_run)
		print_done(&req, &res);
	if (s.arr)
		json_object_put(s.arr);
	restore_result_free(&res);
	zeit_unlock(lock);
	free(ds);
	free(rel);
	return rc;
}
