/* Trial boots: an environment boots once (org.zeit:nextboot) and becomes
 * the default only when the booted system confirms it came up (the
 * zeit-boot-ok unit runs `zeit be confirm`). The trial is marked on the
 * environment itself, org.zeit:trial = "pending DATASET": the dataset
 * name inside proves the mark is this dataset's own and not inherited
 * from a parent or received from elsewhere. A pending trial whose
 * next-boot request is gone (the menu took it) and that is not running
 * now booted without confirming: it failed, and the next confirmation
 * (of whatever booted instead) writes that down. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/be.h"

#define TRIAL_PENDING "pending"
#define TRIAL_FAILED  "failed"

static bool is_nextboot_of(const struct be_ctx *c, const char *ds)
{
	const char *s = strrchr(ds, '/');
	return c->nextboot &&
	       (!strcmp(c->nextboot, ds) || (s && !strcmp(c->nextboot, s + 1)));
}

enum be_trial be_trial_state(const struct be_ctx *c, const char *ds,
                             const char *value)
{
	if (!value)
		return BE_TRIAL_NONE;
	const char *sp = strchr(value, ' ');
	if (!sp || strcmp(sp + 1, ds))
		return BE_TRIAL_NONE;
	size_t n = (size_t)(sp - value);
	if (n == strlen(TRIAL_FAILED) && !strncmp(value, TRIAL_FAILED, n))
		return BE_TRIAL_FAILED;
	if (n != strlen(TRIAL_PENDING) || strncmp(value, TRIAL_PENDING, n))
		return BE_TRIAL_NONE;
	/* Running decides first: however it was booted, it came up. */
	if (c->running && !strcmp(c->running, ds))
		return BE_TRIAL_BOOTED;
	if (is_nextboot_of(c, ds))
		return BE_TRIAL_PENDING;
	return BE_TRIAL_FAILED;
}

const char *be_trial_name(enum be_trial t)
{
	switch (t) {
	case BE_TRIAL_PENDING: return "pending";
	case BE_TRIAL_BOOTED: return "unconfirmed";
	case BE_TRIAL_FAILED: return "failed";
	case BE_TRIAL_NONE: break;
	}
	return "-";
}

static int set_mark(struct be_ctx *c, const char *ds, const char *state)
{
	char *a = xasprintf("%s=%s %s", BE_TRIAL_PROP, state, ds);
	const char *const set[] = {a, NULL};
	int rc = zfs_set_props(c->zh, ds, set);
	free(a);
	return rc;
}

int be_activate_trial(struct be_ctx *c, const char *name)
{
	struct zeit *z = c->zh->z;

	if (be_name_check(z, name) < 0)
		return -1;
	char *ds = be_dataset(c, name);
	int rc = -1;
	if (c->bootfs && !strcmp(c->bootfs, ds)) {
		rc = zeit_fail(z, EINVAL,
		               "%s is already the pool's bootfs; a trial "
		               "boots another environment",
		               name);
		goto out;
	}
	/* The mark first: a next-boot request without it would boot the
	 * environment once and never make it the default. */
	zeit_note(z, z->dry_run ? 0 : 1, "%s %s=%s %s on %s",
	          z->dry_run ? "would set" : "setting", BE_TRIAL_PROP,
	          TRIAL_PENDING, ds, ds);
	if (!z->dry_run && set_mark(c, ds, TRIAL_PENDING) < 0)
		goto out;
	rc = be_activate(c, name, true);
	if (rc == 0 && !z->dry_run) {
		free(c->nextboot);
		c->nextboot = xstrdup(ds);
	}
out:
	free(ds);
	return rc;
}

int be_trial_forget(struct be_ctx *c, const char *name)
{
	if (c->zh->z->dry_run || be_name_check(c->zh->z, name) < 0)
		return c->zh->z->dry_run ? 0 : -1;
	char *ds = be_dataset(c, name);
	int rc = zfs_inherit_prop(c->zh, ds, BE_TRIAL_PROP, false);
	free(ds);
	return rc;
}

static int confirm_one(struct be_ctx *c, const struct be_info *b,
                       struct be_confirm_result *r)
{
	struct zeit *z = c->zh->z;

	if (b->trial == BE_TRIAL_BOOTED) {
		/* Came up: now it is the default, and no longer a trial; a
		 * next-boot request still naming it (it was booted some
		 * other way) is spent too. */
		if (be_activate(c, b->name, false) < 0)
			return -1;
		if (is_nextboot_of(c, b->dataset) && !z->dry_run) {
			char *taken = be_take_nextboot(c);
			if (!taken)
				return -1;
			free(taken);
		}
		if (be_trial_forget(c, b->name) < 0)
			return -1;
		r->confirmed = xstrdup(b->dataset);
		return 0;
	}
	if (b->trial != BE_TRIAL_FAILED)
		return 0;
	strv_push(&r->failed, b->dataset);
	zeit_note(z, z->dry_run ? 0 : 1,
	          "%s %s: its trial boot never confirmed (bootfs stays %s)",
	          z->dry_run ? "would mark failed" : "marking failed",
	          b->dataset, c->bootfs ? c->bootfs : "unset");
	return z->dry_run ? 0 : set_mark(c, b->dataset, TRIAL_FAILED);
}

int be_confirm(struct be_ctx *c, struct be_confirm_result *r)
{
	struct be_list l;

	memset(r, 0, sizeof(*r));
	strv_init(&r->failed);
	if (be_list(c, false, &l) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		if (confirm_one(c, &l.v[i], r) < 0)
			rc = -1;
	be_list_free(&l);
	return rc;
}

void be_confirm_result_free(struct be_confirm_result *r)
{
	free(r->confirmed);
	strv_free(&r->failed);
	memset(r, 0, sizeof(*r));
}
