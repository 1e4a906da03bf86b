/* libFuzzer: the boot menu's parsers (key scripts, os-release and grub
 * defaults, command-line expansion) on any bytes: no crash, and what
 * they return keeps its promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/bootcmd.h"
#include "zeit/menu_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	char err[256];
	struct menu_keys k;

	if (menu_keys_parse(text, &k, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < k.n; i++)
			if (k.v[i] <= 0 || k.v[i] >= MK_TIMEOUT)
				abort();
		menu_keys_free(&k);
	} else if (k.v || !err[0]) {
		abort();
	}
	char *v = boot_osrelease_get(text, "ID");
	if (v && strchr(v, '\n'))
		abort();
	free(v);
	v = boot_grub_default(text);
	free(v);
	v = boot_first_line(text);
	if (v && (!*v || strpbrk(v, "\r\n")))
		abort();
	free(v);
	const char *p = boot_root_prefix(NULL, text, size % 2 ? text : NULL);
	if (!p || !*p)
		abort();
	/* The text as every level of a chain: expansion terminates. */
	struct kcl_level chain[4] = {{text, false},
	                             {text, size % 3 == 0},
	                             {text, false},
	                             {NULL, false}};
	v = boot_kcl_expand(chain, 4);
	free(v);
	free(text);
	return 0;
}
