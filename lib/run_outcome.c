/* snap --auto's and prune's last outcomes, on each pool's root dataset
 * they worked on (see props.h): what zeit status reads for them, as it
 * reads a send job's. */
#include <stdlib.h>
#include <string.h>

#include "zeit/props.h"
#include "zeit/send_auto.h"
#include "zeit/ztime.h"

void run_outcome_add_pool(struct strv *pools, const char *name)
{
	/* name may be "dataset: why": the pool's name ends at any of
	 * these, and what is not a pool's name is no place to record. */
	size_t n = strcspn(name, "/@#: ");
	char *pool = xstrndup(name, n);
	struct zeit scratch;
	zeit_init(&scratch);
	if (zfs_name_check(&scratch, pool, ZFS_NAME_DATASET) == 0 &&
	    !strv_contains(pools, pool))
		strv_push(pools, pool);
	free(pool);
}

char *run_outcome_error_value(time_t when, const char *message)
{
	char at[32];
	ztime_format(when, at, sizeof(at));
	char *line = outcome_line(message);
	char *v = xasprintf("%s %s", at, line);
	free(line);
	return v;
}

int run_outcome_record(struct zfs *zh, const char *kind,
                       const struct strv *pools, time_t started, bool ok,
                       const char *message)
{
	if (!pools->n)
		return 0;
	bool snap = !strcmp(kind, "snap");
	const char *okp = snap ? ZEIT_PROP_SNAP_OK : ZEIT_PROP_PRUNE_OK;
	const char *errp = snap ? ZEIT_PROP_SNAP_ERROR : ZEIT_PROP_PRUNE_ERROR;
	char when[32];
	ztime_format(started, when, sizeof(when));
	char *a, *b = NULL;
	if (ok) {
		a = xasprintf("%s=%s", okp, when);
		b = xasprintf("%s=-", errp);
	} else {
		char *v = run_outcome_error_value(started, message);
		a = xasprintf("%s=%s", errp, v);
		free(v);
	}
	const char *const set[] = {a, b, NULL};
	int rc = zfs_set_props_on(zh, (const char *const *)pools->v, set);
	free(a);
	free(b);
	return rc;
}
