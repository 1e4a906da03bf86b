/* A bisection that boots its candidates: `zeit bisect run --boot` sets up
 * the first one, and every boot's `zeit bisect step` (the zeit-boot-ok
 * unit) tests the one that came up, or finds the one that did not, and
 * sets up the next, until the default environment boots again with the
 * answer. All of it is in properties of the BE root, never in an
 * environment's own files: each boot reads it back from the pool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect_priv.h"
#include "zeit/bootcmd.h"
#include "zeit/run.h"

#define DEFAULT_TIMEOUT 600
#define CHECK_MAX       1024

void bisect_boot_state_read(struct bisect *b, const struct zfs_prop_list *pl)
{
	const char *root = b->be->root;
	const char *on = bisect_local_value(pl, root, P_BBOOT);
	const char *check = bisect_local_value(pl, root, P_BBOOT_CHECK);
	const char *wait = bisect_local_value(pl, root, P_BBOOT_WAIT);
	const char *boots = bisect_local_value(pl, root, P_BBOOT_BOOTS);
	if (!on)
		return;
	b->boot = true;
	if (strcmp(on, "on"))
		b->odd = P_BBOOT;
	b->check = check ? xstrdup(check) : NULL;
	long t = wait ? bisect_boot_timeout_parse(wait) : DEFAULT_TIMEOUT;
	if (t < 0)
		b->odd = P_BBOOT_WAIT;
	b->timeout = t < 0 ? DEFAULT_TIMEOUT : (unsigned)t;
	unsigned long long n = 0;
	if (boots && (!parse_u64(boots, &n) || n > 100000))
		b->odd = P_BBOOT_BOOTS;
	b->reboots = (unsigned)n;
}

void bisect_boot_outcome_free(struct bisect_boot_outcome *o)
{
	free(o->tested);
	free(o->next);
	free(o->next_clone);
	memset(o, 0, sizeof(*o));
}

static bool on_default(const struct bisect *b)
{
	const struct be_ctx *be = b->be;
	return be->running && !strcmp(be->running, b->bootfs);
}

static char *result_text(const struct bisect *b)
{
	const struct bisect_next *n = &b->next;
	const char *good = b->v[n->last_good].snap;
	if (!n->ambiguous)
		return xasprintf("first-bad=%s last-good=%s",
		                 b->v[n->first_bad].snap, good);
	struct buf s;
	buf_init(&s);
	buf_adds(&s, "first-bad-one-of=");
	for (long i = n->last_good + 1; i <= n->first_bad; i++)
		buf_addf(&s, "%s%s", i > n->last_good + 1 ? "," : "",
		         b->v[i].snap);
	buf_addf(&s, " last-good=%s", good);
	return buf_detach(&s);
}

/* On the default environment with the answer: kept, the rest undone. */
static int finish(struct bisect *b, struct bisect_boot_outcome *out)
{
	struct be_ctx *be = b->be;
	char *res = result_text(b);
	int rc = bisect_set_one(be->zh, be->root, P_BBOOT_RESULT, res);
	free(res);
	if (rc == 0)
		rc = bisect_reset(be);
	out->finished = rc == 0;
	return rc;
}

static int too_many(const struct bisect *b)
{
	if (!bisect_boot_too_many(b->reboots + 1, b->n))
		return 0;
	return zeit_fail(b->be->zh->z, ELOOP,
	                 "the boot bisection has asked for %u reboots "
	                 "without an answer, more than %zu candidates "
	                 "need; stopped (zeit bisect status, zeit bisect "
	                 "reset)",
	                 b->reboots, b->n);
}

/* One zfs set on the BE root: what boots once (ds), what is under test
 * (snap) and the reboot count, together. */
static int set_next(struct bisect *b, const char *ds, const char *snap)
{
	struct be_ctx *be = b->be;
	char *a1 = xasprintf(BE_NEXTBOOT_PROP "=%s", ds);
	char *a2 = xasprintf(P_CURRENT "=%s", snap);
	char *a3 = xasprintf(P_BBOOT_BOOTS "=%u", b->reboots + 1);
	const char *const set[] = {a3, a1, a2, NULL};
	int rc = zfs_set_props(be->zh, be->root, set);
	free(a1);
	free(a2);
	free(a3);
	return rc;
}

/* The way back to the default: nothing boots once (the user's own
 * one-time choice comes back at the end, on the default), nothing is
 * under test. */
static int set_back(struct bisect *b)
{
	struct be_ctx *be = b->be;
	char n[16];
	snprintf(n, sizeof(n), "%u", b->reboots + 1);
	if (bisect_set_one(be->zh, be->root, P_BBOOT_BOOTS, n) < 0 ||
	    zfs_inherit_prop(be->zh, be->root, BE_NEXTBOOT_PROP, false) < 0)
		return -1;
	return zfs_inherit_prop(be->zh, be->root, P_CURRENT, false);
}

/* The candidate's kernel: a panic reboots it after 10 s rather than
 * waiting for a hand at the console, the menu's next choice being the
 * default. */
static const char *const clone_markers[] = {BOOT_KCL_PROP "=%{parent} panic=10",
                                            NULL};

/* Nothing under test: the next candidate is cloned and set to boot once,
 * or, with the answer, the way back to the default (or the end, there). */
static int advance(struct bisect *b, struct bisect_boot_outcome *out)
{
	struct be_ctx *be = b->be;
	struct zeit *z = be->zh->z;
	if (b->next.done && on_default(b))
		return finish(b, out);
	if (too_many(b) < 0)
		return -1;
	if (b->next.done) {
		/* In a candidate: back to the default, which ends it. */
		if (set_back(b) < 0)
			return -1;
		out->reboot = true;
		return 0;
	}
	const char *snap = b->v[b->next.pick].snap;
	char *name = NULL;
	if (bisect_drop_clones(be, snap) < 0 ||
	    bisect_own_clone(be, snap, &name) < 0)
		return -1;
	if (!name && bisect_make_clone(b, snap, clone_markers, &name) < 0) {
		free(name);
		return -1;
	}
	char *ds = be_dataset(be, name);
	if (be->running && !strcmp(be->running, ds)) {
		free(ds);
		free(name);
		return zeit_fail(z, EBUSY,
		                 "the next candidate's clone %s is the running "
		                 "environment; zeit bisect reset",
		                 be->running);
	}
	int rc = set_next(b, ds, snap);
	free(ds);
	if (rc < 0) {
		free(name);
		return -1;
	}
	out->next = xstrdup(snap);
	out->next_clone = name;
	out->reboot = true;
	return 0;
}

/* The check, in the candidate that came up: /bin/sh -c CHECK (the user's
 * own command, from the state), its environment naming the snapshot; the
 * snapshot's name never enters the command line. */
static enum bisect_mark run_check(struct bisect *b, const char *snap)
{
	struct zeit *z = b->be->zh->z;
	if (!b->check)
		return BISECT_GOOD;
	const char *const argv[] = {"/bin/sh", "-c", b->check, NULL};
	char *e = xasprintf("ZEIT_BISECT_SNAPSHOT=%s", snap);
	const char *const env[] = {e, "ZEIT_BISECT_ROOT=/", NULL};
	struct run_cmd c;
	run_cmd_init(&c, argv);
	c.env = env;
	c.timeout_ms = (int)b->timeout * 1000;
	c.flags = RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR | RUN_OWN_PGROUP;
	int r = run(z, &c);
	enum bisect_mark m =
	        bisect_boot_mark_of(r < 0 ? -1 : c.status, c.timed_out);
	if (r < 0)
		zeit_clear_error(z);
	run_cmd_free(&c);
	free(e);
	return m;
}

static int is_candidate(const struct bisect *b, const char *snap,
                        enum bisect_mark *m)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].snap, snap)) {
			*m = b->v[i].mark;
			return 1;
		}
	return 0;
}

static int step_loaded(struct bisect *b, struct bisect_boot_outcome *out)
{
	struct be_ctx *be = b->be;
	struct zeit *z = be->zh->z;
	enum bisect_mark cm = BISECT_UNKNOWN;
	if (b->odd)
		return zeit_fail(z, EINVAL,
		                 "%s on %s has a value zeit never writes; "
		                 "zeit bisect reset",
		                 b->odd, be->root);
	if (b->current && !is_candidate(b, b->current, &cm))
		return zeit_fail(z, EINVAL,
		                 "%s on %s names %s, which is not a candidate "
		                 "of this bisection; zeit bisect reset",
		                 P_CURRENT, be->root, b->current);
	char *name = NULL, *ds = NULL;
	if (b->current && bisect_own_clone(be, b->current, &name) < 0)
		return -1;
	ds = name ? be_dataset(be, name) : NULL;
	free(name);
	struct bisect_boot_view v = {.boot = true,
	                             .current = b->current,
	                             .current_marked = cm != BISECT_UNKNOWN,
	                             .clone = ds,
	                             .running = be->running,
	                             .nextboot = be->nextboot};
	out->did = bisect_boot_decide(&v);
	free(ds);
	if (out->did == BBOOT_REBOOT) {
		char n[16];
		snprintf(n, sizeof(n), "%u", b->reboots + 1);
		if (too_many(b) < 0 ||
		    bisect_set_one(be->zh, be->root, P_BBOOT_BOOTS, n) < 0)
			return -1;
		out->reboot = true;
		return 0;
	}
	if (out->did == BBOOT_TEST || out->did == BBOOT_FAILED) {
		out->tested = xstrdup(b->current);
		out->mark = out->did == BBOOT_TEST ? run_check(b, out->tested)
		                                   : BISECT_BAD;
		if (z->dry_run)
			return 0;
		if (bisect_mark(b, out->tested, out->mark) < 0)
			return -1;
	}
	return z->dry_run ? 0 : advance(b, out);
}

int bisect_boot_step(struct be_ctx *be, struct bisect_boot_outcome *out)
{
	struct bisect b;
	memset(out, 0, sizeof(*out));
	int rc = bisect_load(be, &b);
	if (rc < 0 && be->zh->z->err == ENOENT && !b.target) {
		zeit_clear_error(be->zh->z);
		out->did = BBOOT_IDLE;
		return 0;
	}
	if (rc == 0 && !b.boot)
		out->did = BBOOT_IDLE;
	else if (rc == 0)
		rc = step_loaded(&b, out);
	bisect_free(&b);
	return rc;
}

int bisect_boot_begin(struct be_ctx *be, const struct bisect_boot_opts *o,
                      struct bisect_boot_outcome *out)
{
	struct zeit *z = be->zh->z;
	struct bisect b;
	memset(out, 0, sizeof(*out));
	if (bisect_load(be, &b) < 0) {
		bisect_free(&b);
		return -1;
	}
	int rc = 0;
	if (b.boot)
		rc = zeit_fail(z, EEXIST,
		               "a boot bisection is running already (zeit "
		               "bisect status)");
	else if (!be->running || !be->bootfs || strcmp(be->running, be->bootfs))
		rc = zeit_fail(z, EINVAL,
		               "a boot bisection starts on the default "
		               "environment (bootfs %s), where it ends; this "
		               "system runs %s",
		               be->bootfs ? be->bootfs : "unset",
		               be->running ? be->running : "no environment");
	else if (o->check && (strlen(o->check) > CHECK_MAX || !*o->check))
		rc = zeit_fail(z, EINVAL, "the check command is %s",
		               *o->check ? "over 1024 bytes" : "empty");
	if (rc < 0 || z->dry_run) {
		if (rc == 0)
			zeit_note(z, 0,
			          "would boot %zu candidates of %s one by one",
			          b.next.remaining, b.target);
		bisect_free(&b);
		return rc;
	}
	char *a1 = xasprintf(P_BBOOT_WAIT "=%u",
	                     o->timeout ? o->timeout : DEFAULT_TIMEOUT);
	char *a2 = o->check ? xasprintf(P_BBOOT_CHECK "=%s", o->check) : NULL;
	const char *const set[] = {P_BBOOT "=on", P_BBOOT_BOOTS "=0", a1, a2,
	                           NULL};
	rc = zfs_inherit_prop(be->zh, be->root, P_BBOOT_RESULT, false);
	if (rc == 0)
		rc = zfs_set_props(be->zh, be->root, set);
	free(a1);
	free(a2);
	bisect_free(&b);
	if (rc < 0 || bisect_load(be, &b) < 0) {
		bisect_free(&b);
		return -1;
	}
	out->did = BBOOT_NEXT;
	/* A manual step's clone (start makes one) goes: each candidate is
	 * cloned with the kernel command line a boot bisection needs. */
	rc = bisect_drop_clones(be, NULL);
	if (rc == 0)
		rc = advance(&b, out);
	bisect_free(&b);
	return rc;
}

char *bisect_boot_result(struct be_ctx *be)
{
	const char *const props[] = {P_BBOOT_RESULT, NULL};
	struct zfs_prop_list pl;
	if (zfs_get_props(be->zh, (const char *const[]){be->root, NULL}, 0,
	                  props, &pl) < 0) {
		zeit_clear_error(be->zh->z);
		return NULL;
	}
	const char *v = bisect_local_value(&pl, be->root, P_BBOOT_RESULT);
	char *r = v && *v ? xstrdup(v) : NULL;
	zfs_prop_list_free(&pl);
	return r;
}
