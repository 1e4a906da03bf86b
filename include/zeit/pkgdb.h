/* Package databases inside a snapshot: dpkg, xbps, pacman and apk, read
 * into one list, and the difference between two of them. */
#ifndef ZEIT_PKGDB_H
#define ZEIT_PKGDB_H

#include <stddef.h>

#include "zeit/zeit.h"

enum pkg_format {
	PKG_NONE,
	PKG_DPKG,   /* var/lib/dpkg/status */
	PKG_XBPS,   /* var/db/xbps/pkgdb-0.38.plist */
	PKG_PACMAN, /* var/lib/pacman/local/NAME-VERSION/desc */
	PKG_APK,    /* lib/apk/db/installed */
	PKG_RPM,    /* var/lib/rpm: recognised, not read */
};

struct pkg {
	char *name; /* with ":arch" where one name has several architectures */
	char *version;
};

struct pkg_list {
	enum pkg_format format;
	struct pkg *v;
	size_t n, cap;
};

void pkg_list_init(struct pkg_list *l);
void pkg_list_free(struct pkg_list *l);
const char *pkg_format_name(enum pkg_format f);

/* Parsers of one database file's text (pacman: one desc file, appended).
 * Malformed input is an error with a message, never a crash. */
int pkgdb_parse_dpkg(struct zeit *z, const char *text, size_t len,
                     struct pkg_list *out);
int pkgdb_parse_xbps(struct zeit *z, const char *text, size_t len,
                     struct pkg_list *out);
int pkgdb_parse_pacman_desc(struct zeit *z, const char *text, size_t len,
                            struct pkg_list *out);
int pkgdb_parse_apk(struct zeit *z, const char *text, size_t len,
                    struct pkg_list *out);

/* Finds and reads the package database of the system whose root
 * directory is open at root (read through rootfile.h: the tree is not
 * trusted); what names the system in messages. */
int pkgdb_read(struct zeit *z, int root, const char *what,
               struct pkg_list *out);
/* The same, of one format only (PKG_NONE: the first found, as above): a
 * package manager's hook reads its own database. */
int pkgdb_read_as(struct zeit *z, int root, const char *what,
                  enum pkg_format want, struct pkg_list *out);

/* Version order of the format's ecosystem. */
int pkg_vercmp(enum pkg_format f, const char *a, const char *b);

enum pkg_change_kind {
	PKG_ADDED,
	PKG_REMOVED,
	PKG_UPGRADED,
	PKG_DOWNGRADED,
};

struct pkg_change {
	enum pkg_change_kind kind;
	const char *name;
	const char *old_version; /* NULL when added */
	const char *new_version; /* NULL when removed */
};

struct pkg_changes {
	struct pkg_change *v;
	size_t n;
};

/* What changed from a to b (same format), sorted by name; the strings
 * point into a and b. */
int pkgdb_diff(struct zeit *z, struct pkg_list *a, struct pkg_list *b,
               struct pkg_changes *out);
void pkg_changes_free(struct pkg_changes *c);
const char *pkg_change_name(enum pkg_change_kind k);

#endif
