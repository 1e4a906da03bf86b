/* Kernel command lines for boot environments, zfsbootmenu's way. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/bootcmd.h"
#include "zeit/util.h"

/* Far above any kernel's command-line limit (2 KiB on x86), yet it keeps
 * nested %{parent}s from growing without bound. */
#define KCL_MAX 65536

static char *replace_all(const char *s, const char *what, const char *with)
{
	struct buf b;
	size_t wl = strlen(what);

	buf_init(&b);
	buf_adds(&b, "");
	for (const char *p; (p = strstr(s, what)) && b.len < KCL_MAX;
	     s = p + wl) {
		buf_add(&b, s, (size_t)(p - s));
		buf_adds(&b, with);
	}
	if (b.len < KCL_MAX)
		buf_adds(&b, s);
	if (b.len > KCL_MAX) {
		b.len = KCL_MAX;
		b.data[b.len] = '\0';
	}
	return buf_detach(&b);
}

char *boot_kcl_expand(const struct kcl_level *chain, size_t n)
{
	if (n == 0 || !chain[0].value)
		return NULL;
	if (!strstr(chain[0].value, "%{parent}"))
		return xstrdup(chain[0].value);
	char *parent = n > 1 ? boot_kcl_expand(chain + 1, n - 1) : NULL;
	char *out;
	if (chain[0].inherited && n > 1)
		/* The ancestor that sets it has expanded it already. */
		out = xstrdup(parent ? parent : "");
	else
		out = replace_all(chain[0].value, "%{parent}",
		                  parent ? parent : "");
	free(parent);
	return out;
}

char *boot_osrelease_get(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		while (len && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		if (len > kl && !strncmp(line, key, kl) && line[kl] == '=') {
			const char *v = line + kl + 1;
			size_t vl = len - kl - 1;
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\r'))
				vl--;
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') &&
			    v[vl - 1] == v[0]) {
				v++;
				vl -= 2;
			}
			return xstrndup(v, vl);
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static const char *prefix_for_id(const char *id)
{
	static const struct {
		const char *id, *prefix;
	} known[] = {
	        {"void", "root=zfs:"},   {"ubuntu", "root=zfs:"},
	        {"debian", "root=zfs:"}, {"devuan", "root=zfs:"},
	        {"arch", "zfs="},        {"gentoo", "root=ZFS="},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].id, id))
			return known[i].prefix;
	return NULL;
}

/* The first known word of ID then ID_LIKE in one os-release text. */
static const char *prefix_of_osrel(const char *text)
{
	const char *found = NULL;
	const char *const keys[] = {"ID", "ID_LIKE"};

	for (size_t k = 0; k < 2 && !found; k++) {
		char *v = boot_osrelease_get(text, keys[k]);
		if (!v)
			continue;
		for (char *save = NULL, *w = strtok_r(v, " \t", &save);
		     w && !found; w = strtok_r(NULL, " \t", &save))
			found = prefix_for_id(w);
		free(v);
	}
	return found;
}

const char *boot_root_prefix(const char *prop, const char *osrel_usr_lib,
                             const char *osrel_etc)
{
	if (prop && *prop && strcmp(prop, "-"))
		return prop; /* the user said exactly what to pass */
	/* /etc/os-release overrides /usr/lib/os-release entirely when
	 * present, as systemd documents. */
	const char *p = NULL;
	if (osrel_etc)
		p = prefix_of_osrel(osrel_etc);
	else if (osrel_usr_lib)
		p = prefix_of_osrel(osrel_usr_lib);
	return p ? p : "root=zfs:";
}

char *boot_grub_default(const char *text)
{
	return boot_osrelease_get(text, "GRUB_CMDLINE_LINUX_DEFAULT");
}

char *boot_first_line(const char *text)
{
	if (!text)
		return NULL;
	size_t len = strcspn(text, "\r\n");
	return len ? xstrndup(text, len) : NULL;
}

char *boot_cmdline(const char *prefix, const char *dataset, const char *args)
{
	/* ZFS names may hold spaces; the kernel (and the initramfs reading
	 * /proc/cmdline) split at them, so "a init=/bin/sh" would become an
	 * argument of its own. Such a name cannot be passed: refuse it. */
	for (const char *p = dataset; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == 0x7f)
			return NULL;
	if (args && *args)
		return xasprintf("%s%s %s", prefix, dataset, args);
	return xasprintf("%s%s", prefix, dataset);
}

long boot_pick_kernel(const char *const *names, size_t n, const char *want)
{
	if (n == 0)
		return -1;
	if (!want || !*want || !strcmp(want, "-"))
		return 0;
	regex_t re;
	bool use_re = regcomp(&re, want, REG_EXTENDED | REG_NOSUB) == 0;
	long pick = 0;
	for (size_t i = 0; i < n; i++) {
		bool hit = use_re ? regexec(&re, names[i], 0, NULL, 0) == 0
		                  : strstr(names[i], want) != NULL;
		if (hit) {
			pick = (long)i;
			break;
		}
	}
	if (use_re)
		regfree(&re);
	return pick;
}
