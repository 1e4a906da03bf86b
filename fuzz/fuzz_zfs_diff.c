/* libFuzzer: the zfs diff -FHt decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zeit z;
	struct zfs_diff_list l;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	zeit_init(&z);
	if (zfs_parse_diff(&z, text, &l) == 0) {
		for (size_t i = 0; i < l.n; i++)
			if (strlen(l.v[i].path) > l.v[i].path_len)
				abort(); /* the length covers the whole name */
		zfs_diff_list_free(&l);
	}
	free(text);
	return 0;
}
