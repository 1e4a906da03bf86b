/* libFuzzer: time and duration parsing. Never crashes; a time that parses
 * formats to one that parses back to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/ztime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	time_t t, back;
	long long secs;

	if (ztime_parse(s, &t)) {
		char buf[64];
		ztime_format(t, buf, sizeof(buf));
		if (!ztime_parse(buf, &back) || back != t)
			abort();
	}
	if (ztime_parse_duration(s, &secs) && secs < 0)
		abort();
	if (size >= 24) {
		int f[6];
		memcpy(f, data, sizeof(f));
		(void)ztime_fields_valid(f[0], f[1], f[2], f[3], f[4], f[5]);
	}
	free(s);
	return 0;
}
