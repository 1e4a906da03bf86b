/* libFuzzer: the reader of `zpool status -p`. Never crashes; every pool
 * it returns has a name, and no count below zero but "not said". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zeit z;
	struct zpool_health_list l;
	char *s = strndup((const char *)data, size);

	zeit_init(&z);
	if (zpool_health_parse(&z, s, &l) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			const struct zpool_health *h = &l.v[i];
			if (!h->pool[0] || !h->state[0] || h->read_errors < 0 ||
			    h->write_errors < 0 || h->cksum_errors < 0 ||
			    h->data_errors < -1)
				abort();
		}
		zpool_health_list_free(&l);
	}
	free(s);
	return 0;
}
