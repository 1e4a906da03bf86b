/* libFuzzer: the package-transaction state file and /proc stat lines on
 * any bytes: no crash; a state that parses formats to text that parses
 * back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/pkgtxn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zeit z;
	struct pkgtxn_state s, back;

	zeit_init(&z);
	if (pkgtxn_state_parse(&z, (const char *)data, size, &s) == 0) {
		struct buf a, b;
		buf_init(&a);
		buf_init(&b);
		pkgtxn_state_format(&s, &a);
		if (pkgtxn_state_parse(&z, a.data, a.len, &back) != 0)
			abort();
		pkgtxn_state_format(&back, &b);
		if (a.len != b.len || memcmp(a.data, b.data, a.len))
			abort();
		pkgtxn_state_free(&back);
		buf_free(&a);
		buf_free(&b);
		pkgtxn_state_free(&s);
	}
	char *text = strndup((const char *)data, size);
	pid_t ppid;
	unsigned long long start;
	char comm[16];
	(void)pkgtxn_parse_stat(text, &ppid, &start, comm, sizeof(comm));
	free(text);
	return 0;
}
