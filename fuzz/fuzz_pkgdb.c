/* libFuzzer: one package database parser, chosen at build time with
 * -DPARSER=pkgdb_parse_<format> (see meson.build). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zeit z;
	struct pkg_list l;

	zeit_init(&z);
	pkg_list_init(&l);
	PARSER(&z, (const char *)data, size, &l);
	for (size_t i = 0; i < l.n; i++)
		(void)pkg_vercmp(l.format, l.v[i].version, l.v[0].version);
	pkg_list_free(&l);
	return 0;
}
