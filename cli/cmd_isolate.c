/* zeit bisect isolate: the changes of the first bad snapshot that make
 * the test fail (the library's isolate.h does the search). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/bisect.h"
#include "zeit/config.h"
#include "zeit/ddmin.h"
#include "zeit/escape.h"
#include "zeit/isolate.h"

static const char *const level_names[] = {"files", "hunks", "lines"};

static void report(void *arg, int level, unsigned test, size_t units,
                   int outcome)
{
	static const char *const words[] = {"good", "bad", "cannot tell"};
	struct cli *cli = arg;
	if (cli->json)
		return;
	printf("test %u (%s): %zu change%s applied: %s\n", test,
	       level_names[level], units, units == 1 ? "" : "s",
	       words[outcome]);
	fflush(stdout);
}

/* The unit as people read it: where, what, and the lines. */
static void unit_text(const struct isolate_result *r,
                      const struct isolate_unit *u, struct buf *b)
{
	const struct isolate_change *c = &r->changes[u->change];
	char *p = escape_dup(c->path);
	if (c->kind == ISOLATE_HUNKS && u->hunk >= 0) {
		const struct textdiff_hunk *h = &c->d.v[u->hunk];
		buf_addf(b, "%s: %s %s\n", p,
		         u->line >= 0 ? "a line of hunk" : "hunk", h->header);
		for (size_t k = 0; k < h->nlines; k++) {
			if (u->line >= 0 && (size_t)u->line != k)
				continue;
			const struct textdiff_line *l = &h->lines[k];
			char *t = xstrndup(l->text, l->len);
			size_t tl = strlen(t);
			if (tl && t[tl - 1] == '\n')
				t[--tl] = '\0';
			char *e = escape_dup(t);
			buf_addf(b, "%c%s\n", l->origin, e);
			free(e);
			free(t);
		}
	} else if (c->kind == ISOLATE_RENAME) {
		char *np = escape_dup(c->new_path);
		buf_addf(b, "%s: renamed to %s\n", p, np);
		free(np);
	} else {
		buf_addf(b, "%s: %s%s%s%s\n", p, isolate_kind_name(c->kind),
		         c->why ? " (" : "", c->why ? c->why : "",
		         c->why ? ")" : "");
	}
	free(p);
}

static json_object *unit_json(const struct isolate_result *r,
                              const struct isolate_unit *u)
{
	const struct isolate_change *c = &r->changes[u->change];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(c->path));
	if (c->new_path)
		json_object_object_add(o, "new_path",
		                       json_object_new_string(c->new_path));
	json_object_object_add(
	        o, "change",
	        json_object_new_string(isolate_kind_name(c->kind)));
	if (c->why)
		json_object_object_add(o, "whole",
		                       json_object_new_string(c->why));
	if (c->kind == ISOLATE_HUNKS && u->hunk >= 0) {
		const struct textdiff_hunk *h = &c->d.v[u->hunk];
		json_object_object_add(o, "hunk",
		                       json_object_new_string(h->header));
		json_object *lines = json_object_new_array();
		for (size_t k = 0; k < h->nlines; k++) {
			if (u->line >= 0 && (size_t)u->line != k)
				continue;
			struct buf t;
			buf_init(&t);
			buf_addc(&t, h->lines[k].origin);
			buf_add(&t, h->lines[k].text, h->lines[k].len);
			json_object_array_add(
			        lines,
			        json_object_new_string_len(t.data, (int)t.len));
			buf_free(&t);
		}
		json_object_object_add(o, "lines", lines);
	}
	return o;
}

static void print_result(struct cli *cli, const struct isolate_request *req,
                         const struct isolate_result *r)
{
	unsigned long long worst = ddmin_worst_case(r->nchanges);
	if (cli->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "good",
		                       json_object_new_string(req->good));
		json_object_object_add(o, "bad",
		                       json_object_new_string(req->bad));
		json_object_object_add(
		        o, "changes",
		        json_object_new_int64((int64_t)r->nchanges));
		json_object_object_add(o, "tests",
		                       json_object_new_int(r->tests));
		json_object_object_add(o, "worst_case",
		                       json_object_new_int64((int64_t)worst));
		json_object *lv = json_object_new_array();
		for (int i = 0; i < r->nlevels; i++) {
			json_object *l = json_object_new_object();
			json_object_object_add(
			        l, "level",
			        json_object_new_string(
			                level_names[r->levels[i].level]));
			json_object_object_add(
			        l, "units",
			        json_object_new_int64(
			                (int64_t)r->levels[i].units));
			json_object_object_add(
			        l, "left",
			        json_object_new_int64(
			                (int64_t)r->levels[i].left));
			json_object_object_add(
			        l, "tests",
			        json_object_new_int(r->levels[i].tests));
			json_object_array_add(lv, l);
		}
		json_object_object_add(o, "levels", lv);
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < r->nanswer; i++)
			json_object_array_add(a, unit_json(r, &r->answer[i]));
		json_object_object_add(o, "answer", a);
		printf("%s\n", json_object_to_json_string_ext(
		                       o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return;
	}
	if (r->nanswer == 1)
		printf("\nthe test fails with this change (of %zu)",
		       r->nchanges);
	else
		printf("\nthe test fails with these %zu changes (of %zu)",
		       r->nanswer, r->nchanges);
	printf(", found in %u test runs\n(every subset of the files: 2^%zu; "
	       "ddmin's worst case: %llu):\n",
	       r->tests, r->nchanges, worst);
	for (int i = 0; i < r->nlevels; i++)
		printf("  %s: %zu -> %zu in %u runs\n",
		       level_names[r->levels[i].level], r->levels[i].units,
		       r->levels[i].left, r->levels[i].tests);
	printf("\n");
	for (size_t i = 0; i < r->nanswer; i++) {
		struct buf b;
		buf_init(&b);
		unit_text(r, &r->answer[i], &b);
		fputs(b.data, stdout);
		buf_free(&b);
	}
}

/* DATASET@NAME, BE@NAME, or NAME of target. */
static char *full_name(const struct be_ctx *be, const char *target,
                       const char *s)
{
	const char *at = strchr(s, '@');
	if (!at)
		return xasprintf("%s@%s", target, s);
	if (memchr(s, '/', (size_t)(at - s)))
		return xstrdup(s);
	char *name = xstrndup(s, (size_t)(at - s));
	char *ds = be_dataset(be, name);
	char *full = xasprintf("%s%s", ds, at);
	free(name);
	free(ds);
	return full;
}

int cli_bisect_isolate(struct cli *cli, const char *root, const char *good,
                       const char *bad, const char *const *paths,
                       const char *const *argv)
{
	if (!good != !bad)
		return cli_usage_error(cli, "bisect",
		                       "isolate takes both --good and --bad, "
		                       "or neither (after a bisection)");
	struct zeit_config cfg;
	if (cli_load_config(cli, &cfg) < 0)
		return cli_error(cli);
	config_free(&cfg);
	struct zfs zh;
	struct be_ctx be;
	zfs_init(&zh, &cli->z, NULL);
	if (!root)
		root = getenv("ZEIT_BE_ROOT");
	int rc = ZEIT_EXIT_OK;
	if (be_open(&be, &zh, root && *root ? root : NULL) < 0)
		return cli_error(cli);
	char *g = NULL, *b = NULL;
	struct bisect bs;
	bool have = bisect_load(&be, &bs) == 0;
	if (!have) {
		bisect_free(&bs);
		zeit_clear_error(&cli->z);
	}
	if (good) {
		const char *t = have         ? bs.target
		                : be.running ? be.running
		                             : be.bootfs;
		if (!t && (!strchr(good, '@') || !strchr(bad, '@'))) {
			rc = cli_usage_error(cli, "bisect",
			                     "name the snapshots in full "
			                     "(DATASET@NAME)");
			goto out;
		}
		g = full_name(&be, t, good);
		b = full_name(&be, t, bad);
	} else if (!have) {
		rc = cli_usage_error(cli, "bisect",
		                     "no bisection in progress: give --good "
		                     "and --bad");
		goto out;
	} else {
		g = xstrdup(bs.v[bs.next.last_good].snap);
		b = xstrdup(bs.v[bs.next.first_bad].snap);
		if (!bs.next.done && !cli->json)
			printf("(the bisection is not done: isolating between "
			       "its last good and first bad so far)\n");
	}
	if (have)
		bisect_free(&bs);
	have = false;
	struct isolate_request req = {g, b, paths, argv, report, cli};
	struct isolate_result res;
	if (cli->z.dry_run) {
		printf("would isolate the changes between %s and %s\n", g, b);
		goto out;
	}
	if (!cli->json)
		printf("isolating the changes between %s (last good) and %s "
		       "(first bad)\n",
		       g, b);
	if (isolate_run(&be, &req, &res) < 0)
		rc = cli_error(cli);
	else
		print_result(cli, &req, &res);
	isolate_result_free(&res);
out:
	if (have)
		bisect_free(&bs);
	free(g);
	free(b);
	be_close(&be);
	return rc;
}
