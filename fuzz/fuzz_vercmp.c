/* libFuzzer: the four version orderings must be total preorders on any
 * input: antisymmetric and reflexive, and never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/vercmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int (*const cmp[])(const char *, const char *) = {
	        vercmp_dpkg, vercmp_pacman, vercmp_xbps, vercmp_apk};
	const uint8_t *nul = memchr(data, '\0', size);
	size_t la = nul ? (size_t)(nul - data) : size / 2;
	char *a = strndup((const char *)data, la);
	char *b = strndup((const char *)data + la + (nul ? 1 : 0),
	                  size - la - (nul ? 1 : 0));

	for (size_t i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
		int x = cmp[i](a, b), y = cmp[i](b, a);
		if ((x > 0) != (y < 0) || (x == 0) != (y == 0) ||
		    cmp[i](a, a) != 0)
			abort();
	}
	free(a);
	free(b);
	return 0;
}
