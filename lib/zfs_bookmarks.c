/* Many bookmarks at once: one channel program, so one transaction group
 * for a whole tree rather than one per dataset, where programs can run
 * (root, this machine); else one `zfs bookmark` each. A remote host is
 * never sent a program: zeit serve --send takes zfs bookmark, never Lua.
 * See zeit/zfs.h. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs.h"

static const char bookmark_program[] =
        "local argv = (...)[\"argv\"]\n"
        "local errors = {}\n"
        "local failed = 0\n"
        "for i = 1, #argv, 2 do\n"
        "  local err = zfs.sync.bookmark(argv[i], argv[i + 1])\n"
        "  if err ~= 0 then\n"
        "    errors[argv[i + 1]] = err\n"
        "    failed = failed + 1\n"
        "  end\n"
        "end\n"
        "return {failed = failed, errors = errors}\n";

/* 0 when every bookmark exists now, -1 with the first failure, 1 when
 * channel programs cannot run here. */
static int by_program(struct zfs *zh, const char *const *from,
                      const char *const *to)
{
	char pool[ZFS_MAX_NAME_LEN + 1];
	struct strv args;
	char *out = NULL;
	int rc;

	zfs_pool_of(to[0], pool, sizeof(pool));
	strv_init(&args);
	for (size_t i = 0; to[i]; i++) {
		strv_push(&args, from[i]);
		strv_push(&args, to[i]);
	}
	struct zfs_program_opts o = {.pool = pool,
	                             .script = bookmark_program,
	                             .args = (const char *const *)args.v};
	rc = zfs_program(zh, &o, &out);
	strv_free(&args);
	if (rc < 0) {
		if (!zfs_program_unavailable(zh->z))
			return -1;
		zeit_note(zh->z, 1,
		          "channel programs unavailable on %s (%s); one zfs "
		          "bookmark per dataset",
		          pool, zeit_error(zh->z));
		zeit_clear_error(zh->z);
		return 1;
	}
	json_object *root = json_tokener_parse(out), *ret = NULL, *errs = NULL;
	if (!root || !json_object_object_get_ex(root, "return", &ret) ||
	    !json_object_is_type(ret, json_type_object)) {
		rc = zeit_fail(zh->z, EPROTO,
		               "bookmarks on %s: unexpected channel program "
		               "output: %s",
		               pool, out);
	} else if (json_object_object_get_ex(ret, "errors", &errs) &&
	           json_object_is_type(errs, json_type_object)) {
		json_object_object_foreach(errs, name, jerr)
		{
			int err = json_object_get_int(jerr);
			if (err == EEXIST)
				continue;
			rc = zeit_fail(zh->z, err ? err : EIO,
			               "cannot create bookmark %s: %s", name,
			               strerror(err ? err : EIO));
			break;
		}
	}
	json_object_put(root);
	free(out);
	return rc;
}

int zfs_bookmarks(struct zfs *zh, const char *const *from,
                  const char *const *to)
{
	size_t n = 0;
	int rc = 1;

	while (to && to[n])
		n++;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a[ZFS_MAX_NAME_LEN + 1], b[ZFS_MAX_NAME_LEN + 1];
		zfs_pool_of(to[i], a, sizeof(a));
		zfs_pool_of(to[0], b, sizeof(b));
		if (!from[i] || strcmp(a, b))
			return zeit_fail(
			        zh->z, EINVAL,
			        "bookmarks in one call are of one pool");
	}
	if (n > 1 && !zh->host)
		rc = by_program(zh, from, to);
	for (size_t i = 0; rc > 0 && i < n; i++) {
		if (zfs_bookmark(zh, from[i], to[i]) < 0 &&
		    zh->z->err != EEXIST)
			return -1;
		zeit_clear_error(zh->z);
	}
	return rc < 0 ? -1 : 0;
}
