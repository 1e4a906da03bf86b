/* libFuzzer: /proc/self/mounts decoding (zfs_mounts_line) on any bytes: no
 * crash, and a ZFS mount's fields are NUL-terminated inside the line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs_mount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = strndup((const char *)data, size);
	size_t len = strlen(line);
	char *ds = NULL, *dir = NULL;

	if (zfs_mounts_line(line, &ds, &dir)) {
		if (ds < line || ds > line + len || dir < line ||
		    dir > line + len)
			abort();
		if (strlen(ds) > len || strlen(dir) > len)
			abort();
	}
	free(line);
	return 0;
}
