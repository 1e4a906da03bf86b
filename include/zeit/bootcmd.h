/* The kernel command line a boot environment boots with, built the way
 * zfsbootmenu builds it, so a system set up for one boots the same from
 * the other. All pure: the callers read the properties and files. */
#ifndef ZEIT_BOOTCMD_H
#define ZEIT_BOOTCMD_H

#include <stdbool.h>
#include <stddef.h>

#define BOOT_KCL_PROP    "org.zfsbootmenu:commandline"
#define BOOT_PREFIX_PROP "org.zfsbootmenu:rootprefix"
#define BOOT_KERNEL_PROP "org.zfsbootmenu:kernel"
/* What zfsbootmenu boots with when nothing says otherwise. */
#define BOOT_DEFAULT_ARGS "quiet loglevel=4"

/* org.zfsbootmenu:commandline on one dataset of the chain from the boot
 * environment up to its pool's root. */
struct kcl_level {
	const char *value; /* NULL when the property is not set at all */
	bool inherited;    /* the value comes from an ancestor */
};

/* Expands %{parent} in chain[0]'s value with its parent's expansion,
 * recursively; an inherited value is its ancestor's expansion verbatim.
 * Returns NULL when chain[0] has no value. */
char *boot_kcl_expand(const struct kcl_level *chain, size_t n);

/* The value of KEY in os-release text (KEY=value, value optionally quoted
 * with " or '), or NULL. */
char *boot_osrelease_get(const char *text, const char *key);

/* root= prefix for an environment: prop (org.zfsbootmenu:rootprefix) when
 * set, else by ID and ID_LIKE of its os-release (etc's over usr/lib's; either
 * may be NULL): debian, ubuntu, devuan, void "root=zfs:", arch "zfs=",
 * gentoo "root=ZFS=", anything else "root=zfs:". */
const char *boot_root_prefix(const char *prop, const char *osrel_usr_lib,
                             const char *osrel_etc);

/* GRUB_CMDLINE_LINUX_DEFAULT from /etc/default/grub text, quotes removed,
 * or NULL. */
char *boot_grub_default(const char *text);

/* The first line of /etc/default/zfsbootmenu text, or NULL when empty. */
char *boot_first_line(const char *text);

/* "<prefix><dataset> <args>" (malloc'd); args may be NULL or empty. NULL
 * when dataset holds whitespace, a quote or a control byte, which would
 * turn into more kernel arguments. */
char *boot_cmdline(const char *prefix, const char *dataset, const char *args);

/* Index of the kernel to boot among names (newest first): the newest
 * whose name matches want (org.zfsbootmenu:kernel, an extended regular
 * expression as zfsbootmenu reads it; a plain substring when it is not a
 * valid one), else 0. -1 when n is 0. */
long boot_pick_kernel(const char *const *names, size_t n, const char *want);

#endif
