/* The pure parts of package transactions: the state file's text, a
 * process's /proc stat line and the delta's one-line summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/pkgtxn.h"

void pkgtxn_state_init(struct pkgtxn_state *s)
{
	memset(s, 0, sizeof(*s));
	strv_init(&s->commands);
	pkg_list_init(&s->pkgs);
}

void pkgtxn_state_free(struct pkgtxn_state *s)
{
	strv_free(&s->commands);
	pkg_list_free(&s->pkgs);
	memset(s, 0, sizeof(*s));
}

static void push_pkg(struct pkg_list *l, const char *name, const char *ver)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].name = xstrdup(name);
	l->v[l->n].version = xstrdup(ver);
	l->n++;
}

static bool clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool parse_proc(const char *v, struct pkgtxn_proc *p)
{
	unsigned long long pid, start;
	const char *colon = strchr(v, ':');
	if (!colon)
		return false;
	char *head = xstrndup(v, (size_t)(colon - v));
	/* 0:0 is "none" (no parent found). */
	bool ok = parse_u64(head, &pid) && pid < (1u << 22) &&
	          parse_u64(colon + 1, &start);
	free(head);
	if (ok) {
		p->pid = (pid_t)pid;
		p->start = start;
	}
	return ok;
}

static bool parse_ll(const char *v, long long *out)
{
	unsigned long long u;
	if (!parse_u64(v, &u) || u > (1ULL << 40))
		return false;
	*out = (long long)u;
	return true;
}

static bool copy_name(char *dst, size_t len, const char *v)
{
	/* A snapshot's short name as zeit writes it, or empty. */
	if (*v && !zfs_component_valid(v))
		return false;
	if (strlen(v) >= len)
		return false;
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

static bool state_line(struct pkgtxn_state *s, const char *key, const char *v)
{
	if (!strcmp(key, "version"))
		return !strcmp(v, "1");
	if (!strcmp(key, "dataset")) {
		struct zeit scratch;
		zeit_init(&scratch);
		if (zfs_name_check(&scratch, v, ZFS_NAME_DATASET) < 0)
			return false;
		snprintf(s->dataset, sizeof(s->dataset), "%s", v);
		return true;
	}
	if (!strcmp(key, "pre"))
		return copy_name(s->pre, sizeof(s->pre), v);
	if (!strcmp(key, "post"))
		return copy_name(s->post, sizeof(s->post), v);
	if (!strcmp(key, "stale"))
		return copy_name(s->stale, sizeof(s->stale), v);
	if (!strcmp(key, "open")) {
		if (strcmp(v, "0") && strcmp(v, "1"))
			return false;
		s->open = v[0] == '1';
		return true;
	}
	if (!strcmp(key, "pm"))
		return parse_proc(v, &s->pm);
	if (!strcmp(key, "parent"))
		return parse_proc(v, &s->parent);
	if (!strcmp(key, "closed"))
		return parse_ll(v, &s->closed);
	if (!strcmp(key, "last"))
		return parse_ll(v, &s->last);
	if (!strcmp(key, "closedtick"))
		return parse_u64(v, &s->closed_tick);
	if (!strcmp(key, "manager")) {
		if (strlen(v) >= sizeof(s->manager))
			return false;
		snprintf(s->manager, sizeof(s->manager), "%s", v);
		return true;
	}
	if (!strcmp(key, "format")) {
		static const enum pkg_format f[] = {
		        PKG_NONE, PKG_DPKG, PKG_XBPS, PKG_PACMAN, PKG_APK};
		for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++)
			if (!strcmp(v, pkg_format_name(f[i]))) {
				s->format = f[i];
				s->pkgs.format = f[i];
				return true;
			}
		return false;
	}
	if (!strcmp(key, "command")) {
		strv_push(&s->commands, v);
		return true;
	}
	if (!strcmp(key, "pkg")) {
		const char *tab = strchr(v, '\t');
		if (!tab || tab == v || !tab[1] || strchr(tab + 1, '\t'))
			return false;
		char *name = xstrndup(v, (size_t)(tab - v));
		push_pkg(&s->pkgs, name, tab + 1);
		free(name);
		return true;
	}
	return false;
}

int pkgtxn_state_parse(struct zeit *z, const char *text, size_t len,
                       struct pkgtxn_state *s)
{
	size_t lineno = 0;

	pkgtxn_state_init(s);
	if (memchr(text, '\0', len)) {
		pkgtxn_state_free(s);
		return zeit_fail(z, EINVAL, "state holds a NUL byte");
	}
	for (size_t off = 0; off < len; lineno++) {
		const char *nl = memchr(text + off, '\n', len - off);
		if (!nl) {
			pkgtxn_state_free(s);
			return zeit_fail(z, EINVAL,
			                 "state line %zu does not end",
			                 lineno + 1);
		}
		char *line = xstrndup(text + off, (size_t)(nl - text - off));
		off = (size_t)(nl - text) + 1;
		char *eq = strchr(line, '=');
		bool ok = eq != NULL;
		if (ok) {
			*eq = '\0';
			/* pkg lines hold one tab; nothing else a control byte
			 */
			char *v = eq + 1;
			bool is_pkg = !strcmp(line, "pkg");
			for (char *c = v; *c && ok; c++)
				if (((unsigned char)*c < 0x20 &&
				     !(is_pkg && *c == '\t')) ||
				    *c == 0x7f)
					ok = false;
			ok = ok && state_line(s, line, v);
		}
		free(line);
		if (!ok) {
			pkgtxn_state_free(s);
			return zeit_fail(z, EINVAL,
			                 "state line %zu is not zeit's",
			                 lineno + 1);
		}
	}
	if (!s->dataset[0] || (s->open && !s->pre[0])) {
		pkgtxn_state_free(s);
		return zeit_fail(z, EINVAL, "state is incomplete");
	}
	return 0;
}

void pkgtxn_state_format(const struct pkgtxn_state *s, struct buf *out)
{
	buf_reset(out);
	buf_addf(out, "version=1\ndataset=%s\npre=%s\npost=%s\nstale=%s\n",
	         s->dataset, s->pre, s->post, s->stale);
	buf_addf(out, "open=%d\npm=%d:%llu\nparent=%d:%llu\n", s->open ? 1 : 0,
	         (int)s->pm.pid, s->pm.start, (int)s->parent.pid,
	         s->parent.start);
	buf_addf(out, "closed=%lld\nclosedtick=%llu\nlast=%lld\n", s->closed,
	         s->closed_tick, s->last);
	buf_addf(out, "manager=%s\nformat=%s\n", s->manager,
	         pkg_format_name(s->format));
	for (size_t i = 0; i < s->commands.n; i++)
		if (clean(s->commands.v[i]))
			buf_addf(out, "command=%s\n", s->commands.v[i]);
	/* A name or version with a control byte cannot be any manager's;
	 * left out, it shows as added at the post. */
	for (size_t i = 0; i < s->pkgs.n; i++)
		if (clean(s->pkgs.v[i].name) && clean(s->pkgs.v[i].version) &&
		    *s->pkgs.v[i].name && *s->pkgs.v[i].version)
			buf_addf(out, "pkg=%s\t%s\n", s->pkgs.v[i].name,
			         s->pkgs.v[i].version);
}

int pkgtxn_parse_stat(const char *text, pid_t *ppid, unsigned long long *start,
                      char *comm, size_t commlen)
{
	/* "PID (COMM) STATE PPID ..." where COMM may hold ") (": the last
	 * ')' ends it. Field 22 is the start time. */
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	if (!open || !close || close < open || close[1] != ' ')
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (commlen) {
		if (n >= commlen)
			n = commlen - 1;
		memcpy(comm, open + 1, n);
		comm[n] = '\0';
	}
	const char *p = close + 2;
	unsigned long long f[20];
	int field = 3; /* STATE */
	for (int i = 0; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		if (field >= 4) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(p, &end, 10);
			if (errno || end == p ||
			    (*end != ' ' && *end != '\n' && *end != '\0'))
				return -1;
			if (i < 20)
				f[i++] = v;
			p = end;
		} else {
			while (*p && *p != ' ')
				p++;
		}
	}
	/* f[0] is field 4 (ppid), f[18] field 22 (starttime). */
	if (f[0] > (1u << 22))
		return -1;
	*ppid = (pid_t)f[0];
	*start = f[18];
	return 0;
}

char *pkgtxn_delta_summary(const struct pkg_changes *ch, size_t max)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < ch->n; i++) {
		const struct pkg_change *c = &ch->v[i];
		char *one;
		if (c->kind == PKG_ADDED)
			one = xasprintf("+%s %s", c->name, c->new_version);
		else if (c->kind == PKG_REMOVED)
			one = xasprintf("-%s %s", c->name, c->old_version);
		else
			one = xasprintf("%s %s -> %s", c->name, c->old_version,
			                c->new_version);
		char more[48];
		snprintf(more, sizeof(more), "... (%zu more)", ch->n - i);
		/* Room for this one, and for the tail if others follow. */
		size_t need = b.len + (b.len ? 2 : 0) + strlen(one) +
		              (i + 1 < ch->n ? 2 + strlen(more) + 8 : 0);
		if (need > max) {
			if (b.len + 2 + strlen(more) <= max || !b.len)
				buf_addf(&b, "%s%s", b.len ? ", " : "", more);
			free(one);
			break;
		}
		buf_addf(&b, "%s%s", b.len ? ", " : "", one);
		free(one);
	}
	return buf_detach(&b);
}
