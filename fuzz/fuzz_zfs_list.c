/* libFuzzer: the zfs list / get / holds -H output parsers (the fallback
 * where zfs has no -j), the missing roots in zfs list's errors, and
 * prune's listing program's JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/prune.h"
#include "zeit/select.h"
#include "zeit/zfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What -H may pass on from a value: anything but a newline. */
static bool one_line(const char *s)
{
	return !strchr(s, '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zeit z;
	char *text = malloc(size + 1);

	zeit_init(&z);
	for (int which = 0; which < 6; which++) {
		memcpy(text, data, size);
		text[size] = '\0';
		switch (which) {
		case 0: {
			struct zfs_snap_list l;
			if (zfs_parse_snapshots(&z, text, &l) == 0)
				zfs_snap_list_free(&l);
			break;
		}
		case 1: {
			/* What passes has clean names and no value with a
			 * newline; a row with a tab among several values comes
			 * unread, with no value at all. */
			struct zfs_dataset_list l;
			size_t np = 1 + size % 3;
			if (zfs_parse_datasets(&z, text, np, &l) == 0) {
				for (size_t i = 0; i < l.n; i++) {
					if (!zfs_text_clean(l.v[i].name) ||
					    (l.v[i].unread && np == 1))
						abort();
					for (size_t k = 0; k < np; k++)
						if (l.v[i].unread
						            ? l.v[i].values[k] !=
						                      NULL
						            : !one_line(
						                      l.v[i].values
						                              [k]))
							abort();
				}
				zfs_dataset_list_free(&l);
			}
			break;
		}
		case 2: {
			static const char *const cols[] = {"npvsn", "npvn",
			                                   "nps"};
			struct zfs_prop_list l;
			if (zfs_parse_props(&z, text, "zfs get", cols[size % 3],
			                    &l) == 0) {
				for (size_t i = 0; i < l.n; i++)
					if (!zfs_text_clean(l.v[i].dataset) ||
					    (l.v[i].value &&
					     !one_line(l.v[i].value)))
						abort();
				zfs_prop_list_free(&l);
			}
			break;
		}
		case 3: {
			struct zfs_hold_list l;
			if (zfs_parse_holds(&z, text, &l) == 0)
				zfs_hold_list_free(&l);
			break;
		}
		case 4: {
			struct zfs_dataset_list l = {.nprops = DSP_COUNT};
			struct zfs_snap_list s = {0};
			if (zfs_list_tree_parse(&z, text, select_props(), &l,
			                        &s) == 0) {
				for (size_t i = 0; i < s.n; i++)
					if (!strchr(s.v[i].name, '@') ||
					    strchr(s.v[i].name, '\n'))
						abort();
			}
			zfs_dataset_list_free(&l);
			zfs_snap_list_free(&s);
			zeit_clear_error(&z);
			break;
		}
		case 5: {
			const char *roots[] = {"tank/a", "b/c", NULL};
			bool m[2];
			/* A root is marked only when every line names one. */
			if (zfs_parse_missing(text, roots, m) < 0 &&
			    (m[0] || m[1]))
				abort();
			break;
		}
		}
	}
	free(text);
	return 0;
}
