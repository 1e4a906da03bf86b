/* zfs's voice for every failure of a zfs/zpool command: this is the one
 * place its wording is chosen, so the driver's moves never change it.
 * tests/integration/t_messages.sh holds the table of what users see. */
#include "zeit/zfs_errmsg.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/escape.h"
#include "zeit/run.h"
#include "zeit/util.h"

enum { CMD_MAX = 400 };

/* The first line of zfs's stderr with text, without trailing blanks (and
 * the next when it ends in a colon). */
static void first_line(struct buf *b, const char *err)
{
	const char *p = err ? err : "";
	for (;;) {
		while (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')
			p++;
		size_t n = strcspn(p, "\n");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
		             p[n - 1] == '\r'))
			n--;
		if (n && p[n - 1] == ':' && p[strcspn(p, "\n")]) {
			/* "Channel program execution failed:" and the
			 * reason on the next line. */
			buf_add(b, p, n);
			buf_addc(b, ' ');
			p += strcspn(p, "\n");
			continue;
		}
		if (n || !*p) {
			buf_add(b, p, n);
			return;
		}
		p += strcspn(p, "\n");
	}
}

static const char *subcommand(const char *const *argv)
{
	return argv && argv[0] && argv[1] ? argv[1] : "";
}

static const char *last_arg(const char *const *argv)
{
	const char *last = "";
	for (size_t i = 0; argv && argv[i]; i++)
		last = argv[i];
	return last;
}

/* zfs's words where they name no object, or call a snapshot a dataset. */
static void rewrite(struct buf *out, const char *line, const char *const *argv)
{
	static const char missing[] = "': dataset does not exist";
	const char *target = last_arg(argv);
	size_t n = strlen(line), m = sizeof(missing) - 1;

	if (!strcmp(subcommand(argv), "destroy") &&
	    strstr(line, "could not find any snapshots to destroy")) {
		if (strchr(target, ',') || strchr(target, '%'))
			buf_addf(out, "no snapshot named in '%s' exists",
			         target);
		else
			buf_addf(out, "snapshot '%s' does not exist", target);
		return;
	}
	/* A flag or a pool user property this zfs predates (OpenZFS 2.1 has
	 * no zfs holds -p and no pool user properties, both in 2.2): say what
	 * is missing, not that zeit was called wrong. */
	const char *opt = strstr(line, "invalid option '");
	if (opt && argv && argv[0] && argv[1]) {
		buf_addf(out,
		         "this %s has no '%s %s -%c' (a newer OpenZFS has it)",
		         argv[0], argv[0], argv[1], opt[16] ? opt[16] : '?');
		return;
	}
	const char *prop = strstr(line, "invalid property '");
	if (prop && argv && argv[0] && !strcmp(argv[0], "zpool") &&
	    strchr(prop + 18, ':')) {
		size_t len = strcspn(prop + 18, "'");
		buf_addf(out,
		         "this zpool has no pool user properties, needed for "
		         "'%.*s' (OpenZFS 2.2 has them)",
		         (int)len, prop + 18);
		return;
	}
	/* "cannot open 'a@b': dataset does not exist" is about a snapshot. */
	if (!strncmp(line, "cannot open '", 13) && n > 13 + m &&
	    !strcmp(line + n - m, missing)) {
		const char *name = line + 13;
		size_t len = n - 13 - m;
		if (memchr(name, '@', len) && !memchr(name, '\'', len)) {
			buf_addf(out, "snapshot '%.*s' does not exist",
			         (int)len, name);
			return;
		}
	}
	buf_adds(out, line);
}

char *zfs_errmsg(const struct zfs_errmsg_in *in)
{
	struct buf line, said, out;

	buf_init(&line);
	buf_init(&said);
	buf_init(&out);
	first_line(&line, in->err);
	while (line.len && line.data[line.len - 1] == ' ')
		line.data[--line.len] = '\0';
	if (in->host)
		buf_addf(&out, "%s: ", in->host);
	if (line.len) {
		rewrite(&said, line.data, in->argv);
		/* A forged name or a terminal escape never reaches a
		 * terminal as itself. */
		char *e = escape_dup(said.data);
		buf_adds(&out, e);
		free(e);
	} else {
		/* Nothing said: the command is all there is to name. */
		buf_addf(&out, "%s %s failed (exit %d) without a message",
		         in->argv && in->argv[0] ? in->argv[0] : "?",
		         subcommand(in->argv), in->status);
	}
	if (in->verbose >= 1 && in->argv) {
		char *cmd = argv_to_string(in->argv);
		size_t k = 0;
		while (in->argv[k])
			k++;
		if (strlen(cmd) > CMD_MAX)
			buf_addf(&out, " (`%.*s ...` with %zu arguments",
			         CMD_MAX, cmd, k);
		else
			buf_addf(&out, " (`%s`", cmd);
		buf_addf(&out, " exited %d)", in->status);
		free(cmd);
	}
	buf_free(&line);
	buf_free(&said);
	return buf_detach(&out);
}
