/* libFuzzer: what `zfs program -j` returns to prune, for its listing and
 * for its destroying program. Any JSON (nulls, wrong types, huge lists)
 * is read or refused with a message, never crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/prune.h"
#include "zeit/select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"tank/a@s1", "tank/a@s2",
	                                    "tank/b@s1"};
	char *json = strndup((const char *)data, size);
	struct zeit z;
	struct zfs_dataset_list all = {.nprops = DSP_COUNT};
	struct zfs_snap_list snaps = {0};
	struct prune_plan plan;
	struct prune_exec_stats st = {0};

	zeit_init(&z);
	(void)zfs_list_tree_parse(&z, json, select_props(), &all, &snaps);
	zfs_dataset_list_free(&all);
	zfs_snap_list_free(&snaps);

	prune_plan_init(&plan);
	plan.v = calloc(3, sizeof(*plan.v));
	for (size_t i = 0; i < 3; i++) {
		plan.v[i].name = strdup(names[i]);
		plan.v[i].action = PRUNE_DESTROY;
	}
	plan.n = plan.cap = 3;
	z.dry_run = size & 1;
	(void)prune_result_parse(&z, "tank", json, &plan, &st);
	/* Only what was planned is ever turned into a kept item. */
	for (size_t i = 0; i < plan.n; i++)
		if (plan.v[i].action != PRUNE_DESTROY &&
		    plan.v[i].action != PRUNE_KEEP)
			abort();
	prune_plan_free(&plan);
	free(json);
	return 0;
}
