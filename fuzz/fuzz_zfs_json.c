/* libFuzzer: the JSON listing parsers (zfs list -j, zfs get -j, zpool get
 * -j). Whatever the input, what they return holds only valid names, and
 * every value is a string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(struct zeit *z, const char *name)
{
	if (!name || !zfs_text_clean(name) ||
	    zfs_name_check(z, name,
	                   ZFS_NAME_POOL | ZFS_NAME_DATASET |
	                           ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const props[] = {"org.zeit:snap", "mountpoint",
	                                    "type", NULL};
	struct zeit z;
	char *text = malloc(size + 1);

	zeit_init(&z);
	memcpy(text, data, size);
	text[size] = '\0';

	struct zfs_dataset_list dl;
	if (zfs_parse_json_datasets(&z, text, props, &dl) == 0) {
		for (size_t i = 0; i < dl.n; i++) {
			check_name(&z, dl.v[i].name);
			for (size_t k = 0; k < dl.nprops; k++)
				if (!dl.v[i].values[k])
					abort();
		}
		zfs_dataset_list_free(&dl);
	} else if (dl.n || dl.v) {
		abort();
	}

	struct zfs_prop_list pl;
	if (zfs_parse_json_props(&z, text, &pl) == 0) {
		for (size_t i = 0; i < pl.n; i++) {
			check_name(&z, pl.v[i].dataset);
			if (!pl.v[i].value || !zfs_text_clean(pl.v[i].name) ||
			    (pl.v[i].source == ZFS_SRC_INHERITED) !=
			            (pl.v[i].inherited_from != NULL))
				abort();
		}
		zfs_prop_list_free(&pl);
	} else if (pl.n || pl.v) {
		abort();
	}
	free(text);
	return 0;
}
