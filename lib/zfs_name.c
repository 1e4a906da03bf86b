/* ZFS's naming rules (zfs_namecheck.c in OpenZFS), checked before any
 * command runs so a bad name gets zeit's own clear message. */
#include "zeit/zfs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool valid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == ':' || c == ' ';
}

static const char *component_problem(const char *s, size_t len, char *bad)
{
	if (len == 0)
		return "an empty component";
	if ((len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return "a component that is '.' or '..'";
	for (size_t i = 0; i < len; i++) {
		if (!valid_char(s[i])) {
			*bad = s[i];
			return "an invalid character";
		}
	}
	return NULL;
}

bool zfs_component_valid(const char *comp)
{
	char bad;
	return strlen(comp) <= ZFS_MAX_NAME_LEN &&
	       component_problem(comp, strlen(comp), &bad) == NULL;
}

static const char *pool_problem(const char *p, size_t len)
{
	static const char *const reserved[] = {"mirror",  "raidz", "draid",
	                                       "spare",   "log",   "cache",
	                                       "special", "dedup", NULL};
	if (!((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')))
		return "a pool name must begin with a letter";
	for (size_t i = 0; reserved[i]; i++) {
		size_t rl = strlen(reserved[i]);
		if (len >= rl && strncmp(p, reserved[i], rl) == 0 &&
		    (len == rl || strcmp(reserved[i], "raidz") == 0 ||
		     strcmp(reserved[i], "draid") == 0))
			return "the pool name is reserved";
	}
	if (p[0] == 'c' && len > 1 && p[1] >= '0' && p[1] <= '9')
		return "a pool name may not look like a disk (c0...)";
	return NULL;
}

int zfs_name_check(struct zeit *z, const char *name, unsigned kinds)
{
	size_t len = strlen(name);
	const char *at = strchr(name, '@'), *hash = strchr(name, '#');
	const char *why = NULL;
	char bad = 0;

	if (len == 0)
		return zeit_fail(z, EINVAL, "invalid name '': empty");
	if (len > ZFS_MAX_NAME_LEN)
		return zeit_fail(z, ENAMETOOLONG,
		                 "invalid name '%s': longer than %d bytes",
		                 name, ZFS_MAX_NAME_LEN);
	if (at && hash)
		return zeit_fail(z, EINVAL,
		                 "invalid name '%s': both '@' and '#'", name);
	const char *sep = at ? at : hash;
	if (sep && strchr(sep + 1, *sep))
		return zeit_fail(z, EINVAL,
		                 "invalid name '%s': more than one '%c'", name,
		                 *sep);

	unsigned kind =
	        at     ? ZFS_NAME_SNAPSHOT
	        : hash ? ZFS_NAME_BOOKMARK
	               : (strchr(name, '/') ? ZFS_NAME_DATASET
	                                    : ZFS_NAME_POOL | ZFS_NAME_DATASET);
	if (!(kind & kinds)) {
		const char *want = (kinds & ZFS_NAME_SNAPSHOT)
		                           ? "a snapshot (dataset@name)"
		                   : (kinds & ZFS_NAME_BOOKMARK)
		                           ? "a bookmark (dataset#name)"
		                   : (kinds & ZFS_NAME_DATASET) ? "a dataset"
		                                                : "a pool";
		if ((kinds & (ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK)) ==
		    (ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK))
			want = "a snapshot or bookmark";
		return zeit_fail(z, EINVAL, "invalid name '%s': expected %s",
		                 name, want);
	}

	size_t dslen = sep ? (size_t)(sep - name) : len;
	if (dslen == 0)
		return zeit_fail(z, EINVAL,
		                 "invalid name '%s': no dataset part", name);
	if (name[0] == '/')
		return zeit_fail(z, EINVAL,
		                 "invalid name '%s': leading '/' (a dataset is "
		                 "named pool/path, not by its mountpoint)",
		                 name);
	if (name[dslen - 1] == '/')
		return zeit_fail(z, EINVAL, "invalid name '%s': trailing '/'",
		                 name);
	/* Each '/'-separated component of the dataset part. */
	for (size_t s = 0; s < dslen && !why;) {
		size_t e = s;
		while (e < dslen && name[e] != '/')
			e++;
		why = component_problem(name + s, e - s, &bad);
		if (!why && s == 0)
			why = pool_problem(name, e);
		s = e + 1;
	}
	if (!why && sep)
		why = component_problem(sep + 1, len - dslen - 1, &bad);
	if (!why)
		return 0;
	if (bad)
		return zeit_fail(
		        z, EINVAL,
		        "invalid name '%s': %s ('%c' is not allowed; use "
		        "letters, digits, '-', '_', '.', ':' or space)",
		        name, why, bad);
	return zeit_fail(z, EINVAL, "invalid name '%s': %s", name, why);
}

bool zfs_user_prop_valid(const char *prop)
{
	size_t len = strlen(prop);

	if (len == 0 || len > 255 || !strchr(prop, ':') || prop[0] == ':')
		return false;
	for (const char *p = prop; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

void zfs_pool_of(const char *name, char *out, size_t outlen)
{
	size_t n = strcspn(name, "/@#");
	if (outlen == 0)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

/* The part of name after root when name lies in root's tree ("" for root
 * itself), else NULL. */
static const char *rest_under(const char *name, const char *root)
{
	size_t rl = strlen(root);

	if (rl == 0 || strncmp(name, root, rl) != 0)
		return NULL;
	const char *rest = name + rl;
	if (!*rest)
		return rest;
	if (strpbrk(root, "@#") || root[rl - 1] == '/' ||
	    (*rest != '/' && *rest != '@' && *rest != '#'))
		return NULL;
	return rest;
}

bool zfs_name_under(const char *name, const char *root)
{
	return rest_under(name, root) != NULL;
}

bool zfs_name_of(const char *name, const char *ds)
{
	const char *rest = rest_under(name, ds);
	return rest && *rest != '/';
}

bool zfs_name_within(const char *name, const char *root, int depth)
{
	int levels = 0;
	const char *rest = rest_under(name, root);

	if (!rest)
		return false;
	if (!*rest || depth < 0)
		return true;
	for (const char *p = rest; *p; p++)
		levels += *p == '/' || *p == '@' || *p == '#';
	return levels <= depth;
}
