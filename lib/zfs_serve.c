/* The receiving side of replication as an ssh forced command: the command
 * line a sending zeit asked for is split into words (it was quoted by
 * shell_quote), checked against the few zfs commands replication needs,
 * each only on datasets under the configured roots, and then run as an
 * argv, never through a shell. Everything else is refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/serve.h"

/* Splits a POSIX shell line into words: plain words, '...' and "..."
 * quoting and backslash escapes. Anything a shell would treat specially
 * (pipes, redirections, expansions, globs, comments) is refused. */
int serve_split(struct zeit *z, const char *line, struct strv *words)
{
	struct buf w;
	bool in_word = false;

	strv_init(words);
	buf_init(&w);
	for (const char *p = line;; p++) {
		char c = *p;
		if (c == 0 || c == ' ' || c == '\t') {
			if (in_word)
				strv_push(words, w.data ? w.data : "");
			buf_reset(&w);
			in_word = false;
			if (c == 0)
				break;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const char *e = strchr(p + 1, '\'');
			if (!e)
				goto unterminated;
			buf_add(&w, p + 1, e - p - 1);
			p = e;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '$' || *p == '`')
					goto special;
				if (*p == '\\' && p[1] &&
				    strchr("\"\\$`", p[1]))
					p++;
				buf_addc(&w, *p);
			}
			if (!*p)
				goto unterminated;
		} else if (c == '\\') {
			if (!p[1] || p[1] == '\n')
				goto special;
			buf_addc(&w, *++p);
		} else if (strchr("|&;<>()$`*?[]{}~#!\n", c)) {
			goto special;
		} else {
			buf_addc(&w, c);
		}
	}
	buf_free(&w);
	return 0;
unterminated:
	buf_free(&w);
	strv_free(words);
	return zeit_fail(z, EPERM, "permission denied: unterminated quote");
special:
	buf_free(&w);
	strv_free(words);
	return zeit_fail(z, EPERM,
	                 "permission denied: shell syntax is not accepted "
	                 "(one zfs command only)");
}

static bool under(const char *name, const char *const *roots)
{
	for (size_t i = 0; roots[i]; i++) {
		size_t l = strlen(roots[i]);
		if (!strncmp(name, roots[i], l) &&
		    (name[l] == 0 || name[l] == '/' || name[l] == '@' ||
		     name[l] == '#'))
			return true;
	}
	return false;
}

static int check_target(struct zeit *z, const char *name,
                        const char *const *roots, unsigned kinds)
{
	if (zfs_name_check(z, name, kinds) < 0)
		return zeit_fail_ctx(z, "permission denied: ");
	if (!under(name, roots))
		return zeit_fail(z, EPERM,
		                 "permission denied: %s is outside the "
		                 "datasets this key may replicate into",
		                 name);
	return 0;
}

/* Properties a sender may set on what it receives. */
static bool settable(const char *assignment)
{
	return str_starts(assignment, "org.zeit:") ||
	       !strcmp(assignment, "readonly=on");
}

struct grammar {
	const char *cmd;
	const char *flags;  /* flags without a value */
	const char *valued; /* flags taking a value */
	unsigned kinds;     /* what the positional names may be */
	bool needs_prune;   /* only with allow_prune */
	bool props_first;   /* zfs get: the first positional is props */
	bool assignments;   /* zfs set: leading name=value words */
};

static const struct grammar grammars[] = {
        {"list", "Hpr", "otsd", ZFS_NAME_DATASET, false, false, false},
        {"get", "Hpr", "osd", ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT, false, true,
         false},
        {"holds", "Hpr", "", ZFS_NAME_SNAPSHOT, false, false, false},
        {"receive", "sFuA", "ox", ZFS_NAME_DATASET, false, false, false},
        {"recv", "sFuA", "ox", ZFS_NAME_DATASET, false, false, false},
        {"set", "", "", ZFS_NAME_DATASET, false, false, true},
        {"create", "p", "o", ZFS_NAME_DATASET, false, false, false},
        {"rollback", "rf", "", ZFS_NAME_SNAPSHOT, false, false, false},
        {"destroy", "d", "", ZFS_NAME_SNAPSHOT, true, false, false},
};

/* The snapshots of `zfs destroy ds@a,b,c`. */
static int check_destroy_list(struct zeit *z, const char *arg,
                              const char *const *roots)
{
	const char *at = strchr(arg, '@');
	if (!at)
		return zeit_fail(z, EPERM,
		                 "permission denied: only snapshots may be "
		                 "destroyed, not %s",
		                 arg);
	char *copy = xstrdup(arg);
	size_t dl = (size_t)(at - arg);
	int rc = 0;
	for (char *tok = strtok(copy + dl + 1, ","); tok && rc == 0;
	     tok = strtok(NULL, ",")) {
		if (strchr(tok, '%'))
			rc = zeit_fail(z, EPERM,
			               "permission denied: snapshot ranges "
			               "are not accepted");
		char *full = xasprintf("%.*s@%s", (int)dl, arg, tok);
		if (rc == 0)
			rc = check_target(z, full, roots, ZFS_NAME_SNAPSHOT);
		free(full);
	}
	free(copy);
	return rc;
}

static int check_words(struct zeit *z, const char *line,
                       const char *const *roots, bool allow_prune,
                       struct strv *argv)
{
	const struct grammar *g = NULL;
	size_t npos = 0;

	if (argv->n < 2 || strcmp(argv->v[0], "zfs") != 0)
		goto refuse;
	for (size_t i = 0; i < sizeof(grammars) / sizeof(grammars[0]); i++)
		if (!strcmp(argv->v[1], grammars[i].cmd))
			g = &grammars[i];
	if (!g || (g->needs_prune && !allow_prune))
		goto refuse;

	for (size_t i = 2; i < argv->n; i++) {
		const char *a = argv->v[i];
		if (a[0] == '-' && a[1] && npos == 0) {
			for (const char *f = a + 1; *f; f++) {
				if (strchr(g->flags, *f))
					continue;
				if (!strchr(g->valued, *f))
					goto bad_flag;
				/* The value is the rest of the word or the
				 * next word (-d1 or -d 1). */
				const char *v = f[1] ? f + 1 : NULL;
				if (!v) {
					if (i + 1 >= argv->n)
						goto bad_flag;
					v = argv->v[++i];
				}
				if (*f == 'o' &&
				    (!strcmp(g->cmd, "receive") ||
				     !strcmp(g->cmd, "recv") ||
				     !strcmp(g->cmd, "create")) &&
				    !settable(v))
					return zeit_fail(z, EPERM,
					                 "permission denied: "
					                 "property %s "
					                 "may not be set",
					                 v);
				break;
			}
			continue;
		}
		npos++;
		if (g->props_first && npos == 1)
			continue;
		if (g->assignments && strchr(a, '=')) {
			if (!settable(a))
				return zeit_fail(z, EPERM,
				                 "permission denied: property "
				                 "%s may not be set",
				                 a);
			continue;
		}
		if (!strcmp(g->cmd, "destroy")) {
			if (check_destroy_list(z, a, roots) < 0)
				return -1;
			continue;
		}
		if (check_target(z, a, roots, g->kinds) < 0)
			return -1;
	}
	if (npos == 0 || (g->props_first && npos < 2))
		return zeit_fail(z, EPERM,
		                 "permission denied: zfs %s needs a dataset "
		                 "to act on",
		                 g->cmd);
	return 0;
bad_flag:
	return zeit_fail(z, EPERM,
	                 "permission denied: zfs %s: option not accepted",
	                 g->cmd);
refuse:
	return zeit_fail(z, EPERM,
	                 "permission denied: only the zfs commands of "
	                 "replication are accepted here, not: %s",
	                 line);
}

int serve_check(struct zeit *z, const char *line, const char *const *roots,
                bool allow_prune, struct strv *argv)
{
	if (!roots || !roots[0])
		return zeit_fail(z, EINVAL, "no dataset to serve");
	if (serve_split(z, line, argv) < 0)
		return -1;
	if (check_words(z, line, roots, allow_prune, argv) < 0) {
		strv_free(argv);
		return -1;
	}
	return 0;
}
