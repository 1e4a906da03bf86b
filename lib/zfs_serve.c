/* zeit serve: the peer's command line (SSH_ORIGINAL_COMMAND, quoted by
 * the sender's shell_quote) is split into words, parsed against the
 * grammar of the few zfs commands replication needs, and a new argv is
 * built from the parsed parts, with the pins that keep a receive inert.
 * Nothing runs through a shell, zfs runs by absolute path, and every name
 * must lie under the key's roots. See zeit/serve.h and zeit-send(8). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zeit/props.h"
#include "zeit/serve.h"
#include "zeit/snapname.h"
#include "zeit/ztime.h"

#define DENIED "permission denied: "

/* Splits a POSIX shell line into words: plain words, '...' and "..."
 * quoting and backslash escapes. Anything a shell would treat specially
 * (pipes, redirections, expansions, globs, comments) is refused, and so
 * is any control byte: no value zeit sets holds one. */
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
		if ((unsigned char)c < 0x20 || c == 0x7f)
			goto control;
		/* '#' starts a comment only at the start of a word. */
		if (c == '#' && !in_word)
			goto special;
		in_word = true;
		if (c == '\'') {
			const char *e = strchr(p + 1, '\'');
			if (!e)
				goto unterminated;
			for (const char *q = p + 1; q < e; q++)
				if ((unsigned char)*q < 0x20 || *q == 0x7f)
					goto control;
			buf_add(&w, p + 1, e - p - 1);
			p = e;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '$' || *p == '`')
					goto special;
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					goto control;
				if (*p == '\\' && p[1] &&
				    strchr("\"\\$`", p[1]))
					p++;
				buf_addc(&w, *p);
			}
			if (!*p)
				goto unterminated;
		} else if (c == '\\') {
			if (!p[1] || (unsigned char)p[1] < 0x20 || p[1] == 0x7f)
				goto special;
			buf_addc(&w, *++p);
		} else if (strchr("|&;<>()$`*?[]{}~!", c)) {
			goto special;
		} else {
			buf_addc(&w, c);
		}
	}
	buf_free(&w);
	return 0;
control:
	buf_free(&w);
	strv_free(words);
	return zeit_fail(z, EPERM,
	                 DENIED "control characters are not accepted");
unterminated:
	buf_free(&w);
	strv_free(words);
	return zeit_fail(z, EPERM, DENIED "unterminated quote");
special:
	buf_free(&w);
	strv_free(words);
	return zeit_fail(z, EPERM,
	                 DENIED "shell syntax is not accepted (one zfs "
	                        "command only)");
}

void serve_cmd_free(struct serve_cmd *c)
{
	strv_free(&c->argv);
	free(c->dataset);
	memset(c, 0, sizeof(*c));
}

/* ---- Names ---- */

static bool under(const char *name, const char *const *roots)
{
	for (size_t i = 0; roots[i]; i++)
		if (zfs_name_under(name, roots[i]))
			return true;
	return false;
}

static int check_name(struct zeit *z, const char *name,
                      const struct serve_opts *o, unsigned kinds)
{
	if (zfs_name_check(z, name, kinds) < 0)
		return zeit_fail_ctx(z, DENIED);
	if (!under(name, o->roots))
		return zeit_fail(z, EPERM,
		                 DENIED "%s is outside the datasets this key "
		                        "may act on",
		                 name);
	return 0;
}

/* The component after '@' or '#'. */
static const char *short_name(const char *name)
{
	const char *s = strpbrk(name, "@#");
	return s ? s + 1 : name;
}

/* ---- Parsed words ---- */

struct grammar {
	const char *cmd;
	const char *flags;  /* flags without a value */
	const char *valued; /* flags with one */
	bool json_int;      /* --json-int is accepted */
};

struct opt {
	char flag;
	const char *value; /* into the peer's words, or NULL */
};

struct parsed {
	struct opt opts[32];
	size_t nopts;
	bool json_int;
	const char *pos[64]; /* positional words */
	size_t npos;
};

static bool has(const struct parsed *p, char f)
{
	for (size_t i = 0; i < p->nopts; i++)
		if (p->opts[i].flag == f)
			return true;
	return false;
}

/* Parses flags (bundled or not, values attached or next) up to the first
 * positional word; every word after it is positional, which zfs (whose
 * getopt permutes) also sees as an option if it starts with '-', so such
 * words are refused. */
static int parse_words(struct zeit *z, const struct strv *w,
                       const struct grammar *g, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	size_t i = 2;
	for (; i < w->n; i++) {
		const char *a = w->v[i];
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] == '-') {
			if (g->json_int && !strcmp(a, "--json-int")) {
				p->json_int = true;
				continue;
			}
			goto bad_flag;
		}
		for (const char *f = a + 1; *f; f++) {
			if (p->nopts == sizeof(p->opts) / sizeof(p->opts[0]))
				goto too_many;
			if (strchr(g->flags, *f)) {
				p->opts[p->nopts++] = (struct opt){*f, NULL};
				continue;
			}
			if (!strchr(g->valued, *f))
				goto bad_flag;
			const char *v = f[1] ? f + 1 : NULL;
			if (!v) {
				if (i + 1 >= w->n)
					goto bad_flag;
				v = w->v[++i];
			}
			p->opts[p->nopts++] = (struct opt){*f, v};
			break;
		}
	}
	for (; i < w->n; i++) {
		if (w->v[i][0] == '-')
			return zeit_fail(z, EPERM,
			                 DENIED "zfs %s: options go before the "
			                        "names",
			                 g->cmd);
		if (p->npos == sizeof(p->pos) / sizeof(p->pos[0]))
			goto too_many;
		p->pos[p->npos++] = w->v[i];
	}
	return 0;
bad_flag:
	return zeit_fail(z, EPERM, DENIED "zfs %s: option not accepted",
	                 g->cmd);
too_many:
	return zeit_fail(z, EPERM, DENIED "zfs %s: too many words", g->cmd);
}

/* Pushes the parsed options back as separate words, as checked. */
static void push_opts(struct strv *a, const struct parsed *p)
{
	for (size_t i = 0; i < p->nopts; i++) {
		strv_pushf(a, "-%c", p->opts[i].flag);
		if (p->opts[i].value)
			strv_push(a, p->opts[i].value);
	}
	if (p->json_int)
		strv_push(a, "--json-int");
}

static void start(struct serve_cmd *c, const char *cmd)
{
	strv_push(&c->argv, "zfs");
	strv_push(&c->argv, cmd);
}

/* A column, type, sort or source list: property names and commas. */
static bool plain_list(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(":._,-", *s)))
			return false;
	return true;
}

static int check_lists(struct zeit *z, const struct parsed *p)
{
	for (size_t i = 0; i < p->nopts; i++) {
		const struct opt *op = &p->opts[i];
		if (!op->value)
			continue;
		if (op->flag == 'd') {
			unsigned long long d;
			if (!parse_u64(op->value, &d) || d > 1000)
				return zeit_fail(z, EPERM,
				                 DENIED "bad depth '%s'",
				                 op->value);
		} else if (!plain_list(op->value)) {
			return zeit_fail(z, EPERM, DENIED "bad list '%s'",
			                 op->value);
		}
	}
	return 0;
}

/* ---- Bookkeeping a sender may set ---- */

static bool host_chars(const char *s, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr(".-_@[]", s[i])))
			return false;
	return true;
}

/* name=value for one of zeit's bookkeeping keys (what `zeit send` records
 * on a replica) with a value of its format, or readonly=on. */
static int check_assignment(struct zeit *z, const char *a)
{
	const char *eq = strchr(a, '=');
	const char *v = eq ? eq + 1 : "";
	size_t kl = eq ? (size_t)(eq - a) : strlen(a);
	bool ok = false;
	unsigned long long n;
	time_t t;

#define KEY(k) (kl == strlen(k) && !strncmp(a, k, kl))
	if (!eq)
		ok = false;
	else if (KEY("readonly"))
		ok = !strcmp(v, "on");
	else if (KEY(ZEIT_PROP_LAST_GUID))
		ok = *v != '+' && parse_u64(v, &n) && strlen(v) <= 20;
	else if (KEY(ZEIT_PROP_LAST_SNAPSHOT))
		ok = zfs_component_valid(v) && *v;
	else if (KEY(ZEIT_PROP_LAST_SENT))
		ok = ztime_parse(v, &t);
	else if (KEY(ZEIT_PROP_SOURCE)) {
		/* HOST:DATASET, split at the first colon a valid dataset
		 * follows (a host may be user@host). */
		for (const char *c = strchr(v, ':'); c && !ok;
		     c = strchr(c + 1, ':'))
			ok = host_chars(v, (size_t)(c - v)) &&
			     zfs_name_check(z, c + 1, ZFS_NAME_DATASET) == 0;
		zeit_clear_error(z);
	}
#undef KEY
	if (!ok)
		return zeit_fail(z, EPERM,
		                 DENIED "property %s may not be set (only "
		                        "zeit's bookkeeping, in its format)",
		                 a);
	return 0;
}

/* ---- The commands ---- */

static int cmd_list(struct zeit *z, const struct serve_opts *o,
                    const struct parsed *p, struct serve_cmd *c,
                    const char *verb)
{
	(void)verb;
	if (check_lists(z, p) < 0)
		return -1;
	if (p->npos == 0)
		return zeit_fail(z, EPERM, DENIED "zfs list needs a dataset");
	for (size_t i = 0; i < p->npos; i++)
		if (check_name(z, p->pos[i], o,
		               ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT |
		                       ZFS_NAME_BOOKMARK) < 0)
			return -1;
	start(c, "list");
	push_opts(&c->argv, p);
	strv_pushv(&c->argv, p->pos);
	return 0;
}

static int cmd_get(struct zeit *z, const struct serve_opts *o,
                   const struct parsed *p, struct serve_cmd *c,
                   const char *verb)
{
	(void)verb;
	if (check_lists(z, p) < 0)
		return -1;
	if (p->npos < 2 || !plain_list(p->pos[0]))
		return zeit_fail(z, EPERM,
		                 DENIED "zfs get needs properties and a "
		                        "dataset");
	for (size_t i = 1; i < p->npos; i++)
		if (check_name(z, p->pos[i], o,
		               ZFS_NAME_DATASET | ZFS_NAME_SNAPSHOT |
		                       ZFS_NAME_BOOKMARK) < 0)
			return -1;
	start(c, "get");
	push_opts(&c->argv, p);
	strv_pushv(&c->argv, p->pos);
	return 0;
}

static int cmd_receive(struct zeit *z, const struct serve_opts *o,
                       const struct parsed *p, struct serve_cmd *c,
                       const char *verb)
{
	(void)verb;
	if (p->npos != 1)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs receive takes one dataset");
	if (check_name(z, p->pos[0], o, ZFS_NAME_DATASET) < 0)
		return -1;
	if (has(p, 'A')) {
		/* Discards a partial receive: what the next send redoes. */
		if (p->nopts != 1)
			return zeit_fail(z, EPERM,
			                 DENIED "zfs receive -A takes no other "
			                        "option");
		start(c, "receive");
		strv_push(&c->argv, "-A");
		strv_push(&c->argv, p->pos[0]);
		return 0;
	}
	if (has(p, 'F') && !o->allow_rollback)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs receive -F destroys snapshots; "
		                        "this key is not allowed to (zeit "
		                        "serve --allow-rollback)");
	start(c, "receive");
	if (has(p, 's'))
		strv_push(&c->argv, "-s");
	strv_push(&c->argv, "-u");
	if (has(p, 'F'))
		strv_push(&c->argv, "-F");
	for (size_t i = 0; i < p->nopts; i++) {
		if (p->opts[i].flag != 'o')
			continue;
		if (check_assignment(z, p->opts[i].value) < 0)
			return -1;
		strv_push(&c->argv, "-o");
		strv_push(&c->argv, p->opts[i].value);
	}
	/* serve_run adds the pins once it has read the stream's header. */
	strv_push(&c->argv, p->pos[0]);
	c->need = SERVE_NEED_STREAM;
	return 0;
}

static int cmd_set(struct zeit *z, const struct serve_opts *o,
                   const struct parsed *p, struct serve_cmd *c,
                   const char *verb)
{
	(void)verb;
	if (p->npos < 2)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs set needs a property and a "
		                        "dataset");
	for (size_t i = 0; i + 1 < p->npos; i++)
		if (check_assignment(z, p->pos[i]) < 0)
			return -1;
	if (check_name(z, p->pos[p->npos - 1], o, ZFS_NAME_DATASET) < 0)
		return -1;
	start(c, "set");
	strv_pushv(&c->argv, p->pos);
	return 0;
}

/* An empty parent for what is received below it: a container only. */
static int cmd_create(struct zeit *z, const struct serve_opts *o,
                      const struct parsed *p, struct serve_cmd *c,
                      const char *verb)
{
	(void)verb;
	if (p->npos != 1)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs create takes one "
		                        "dataset");
	const char *ds = p->pos[0];
	if (check_name(z, ds, o, ZFS_NAME_DATASET) < 0)
		return -1;
	start(c, "create");
	strv_push(&c->argv, "-u");
	for (size_t i = 0; i < p->nopts; i++) {
		const char *v = p->opts[i].value;
		char *want = xasprintf(ZEIT_PROP_PLACEHOLDER "=%s", ds);
		bool ok = !strcmp(v, want) || !strcmp(v, "readonly=on");
		free(want);
		if (!ok)
			return zeit_fail(z, EPERM,
			                 DENIED "property %s may not be set",
			                 v);
		strv_push(&c->argv, "-o");
		strv_push(&c->argv, v);
	}
	strv_push(&c->argv, "-o");
	strv_push(&c->argv, "canmount=off");
	strv_push(&c->argv, ds);
	return 0;
}

static int cmd_rollback(struct zeit *z, const struct serve_opts *o,
                        const struct parsed *p, struct serve_cmd *c,
                        const char *verb)
{
	(void)verb;
	if (!o->allow_rollback)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs rollback destroys data; this key "
		                        "is not allowed to (zeit serve "
		                        "--allow-rollback)");
	if (p->npos != 1)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs rollback takes one snapshot");
	if (check_name(z, p->pos[0], o, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	start(c, "rollback");
	push_opts(&c->argv, p);
	strv_push(&c->argv, p->pos[0]);
	return 0;
}

/* `zfs destroy ds@a,b,c`: each snapshot under the roots and named by
 * zeit (a snapshot someone else made is never the key's to destroy). */
static int check_destroy_list(struct zeit *z, const struct serve_opts *o,
                              const char *arg)
{
	const char *at = strchr(arg, '@');
	if (!at)
		return zeit_fail(z, EPERM,
		                 DENIED "only snapshots may be destroyed, not "
		                        "%s",
		                 arg);
	char *ds = xstrndup(arg, (size_t)(at - arg));
	int rc = check_name(z, ds, o, ZFS_NAME_DATASET);
	const char *s = at + 1;
	if (rc == 0 && !*s)
		rc = zeit_fail(z, EPERM, DENIED "no snapshot named in %s", arg);
	while (rc == 0 && *s) {
		size_t l = strcspn(s, ",");
		char *snap = xstrndup(s, l);
		char *full = xasprintf("%s@%s", ds, snap);
		free(snap);
		enum zeit_tier tier;
		time_t when;
		if (memchr(s, '%', l))
			rc = zeit_fail(z, EPERM,
			               DENIED "snapshot ranges are not "
			                      "accepted");
		else if (check_name(z, full, o, ZFS_NAME_SNAPSHOT) < 0)
			rc = -1;
		else if (!zeit_snapname_parse(short_name(full), &tier, &when))
			rc = zeit_fail(z, EPERM,
			               DENIED "%s is not a snapshot zeit made",
			               full);
		free(full);
		s += l;
		if (*s == ',' && !*++s)
			rc = rc ? rc
			        : zeit_fail(z, EPERM,
			                    DENIED "empty snapshot "
			                           "name");
	}
	free(ds);
	return rc;
}

/* The bookmarks replication makes on a source: zeitsend-... */
static bool zeit_bookmark(const char *name)
{
	const char *h = strchr(name, '#');
	return h && str_starts(h + 1, "zeitsend-");
}

static int cmd_destroy(struct zeit *z, const struct serve_opts *o,
                       const struct parsed *p, struct serve_cmd *c,
                       const char *verb)
{
	(void)verb;
	if (p->npos == 0)
		return zeit_fail(z, EPERM, DENIED "zfs destroy needs a name");
	for (size_t i = 0; i < p->npos; i++) {
		if (o->send_side) {
			/* A pull's source: its own bookmarks only. */
			if (check_name(z, p->pos[i], o, ZFS_NAME_BOOKMARK) < 0)
				return -1;
			if (!zeit_bookmark(p->pos[i]))
				return zeit_fail(z, EPERM,
				                 DENIED "only zeit's bookmarks "
				                        "may be destroyed, not "
				                        "%s",
				                 p->pos[i]);
		} else if (!o->allow_prune) {
			return zeit_fail(z, EPERM,
			                 DENIED
			                 "zfs destroy: this key is not "
			                 "allowed to destroy (zeit serve "
			                 "--allow-prune)");
		} else if (check_destroy_list(z, o, p->pos[i]) < 0) {
			return -1;
		}
	}
	start(c, "destroy");
	push_opts(&c->argv, p);
	strv_pushv(&c->argv, p->pos);
	return 0;
}

static int cmd_send(struct zeit *z, const struct serve_opts *o,
                    const struct parsed *p, struct serve_cmd *c,
                    const char *verb)
{
	(void)verb;
	const char *token = NULL, *from = NULL;
	for (size_t i = 0; i < p->nopts; i++) {
		if (p->opts[i].flag == 't')
			token = p->opts[i].value;
		if (p->opts[i].flag == 'i' || p->opts[i].flag == 'I') {
			if (from)
				return zeit_fail(z, EPERM,
				                 DENIED "one incremental base");
			from = p->opts[i].value;
		}
	}
	c->raw = has(p, 'w');
	if (token) {
		if (p->npos || from)
			return zeit_fail(z, EPERM,
			                 DENIED "zfs send -t takes a token "
			                        "only");
		c->need = SERVE_NEED_TOKEN;
	} else {
		if (p->npos != 1)
			return zeit_fail(z, EPERM,
			                 DENIED "zfs send takes one snapshot");
		if (check_name(z, p->pos[0], o, ZFS_NAME_SNAPSHOT) < 0 ||
		    (from &&
		     check_name(z, from, o,
		                ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK) < 0))
			return -1;
		c->dataset = xstrndup(p->pos[0], strcspn(p->pos[0], "@"));
		c->need = c->raw ? SERVE_NEED_NONE : SERVE_NEED_ENCRYPTION;
	}
	start(c, "send");
	push_opts(&c->argv, p);
	strv_pushv(&c->argv, p->pos);
	if (token)
		c->token = c->argv.v[c->argv.n - 1];
	return 0;
}

static bool zeit_tag(const char *tag)
{
	return str_starts(tag, "zeit-send:") && strlen(tag) <= 255;
}

static int cmd_hold(struct zeit *z, const struct serve_opts *o,
                    const struct parsed *p, struct serve_cmd *c,
                    const char *verb)
{
	if (p->npos < 2)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs %s needs a tag and a "
		                        "snapshot",
		                 verb);
	if (!zeit_tag(p->pos[0]))
		return zeit_fail(z, EPERM,
		                 DENIED "only zeit's hold tags (zeit-send:...) "
		                        "are accepted, not %s",
		                 p->pos[0]);
	for (size_t i = 1; i < p->npos; i++)
		if (check_name(z, p->pos[i], o, ZFS_NAME_SNAPSHOT) < 0)
			return -1;
	start(c, verb);
	strv_pushv(&c->argv, p->pos);
	return 0;
}

static int cmd_holds(struct zeit *z, const struct serve_opts *o,
                     const struct parsed *p, struct serve_cmd *c,
                     const char *verb)
{
	(void)verb;
	if (p->npos == 0)
		return zeit_fail(z, EPERM, DENIED "zfs holds needs a snapshot");
	for (size_t i = 0; i < p->npos; i++)
		if (check_name(z, p->pos[i], o, ZFS_NAME_SNAPSHOT) < 0)
			return -1;
	start(c, "holds");
	push_opts(&c->argv, p);
	strv_pushv(&c->argv, p->pos);
	return 0;
}

static int cmd_bookmark(struct zeit *z, const struct serve_opts *o,
                        const struct parsed *p, struct serve_cmd *c,
                        const char *verb)
{
	(void)verb;
	if (p->npos != 2)
		return zeit_fail(z, EPERM,
		                 DENIED "zfs bookmark takes a snapshot and a "
		                        "bookmark");
	if (check_name(z, p->pos[0], o, ZFS_NAME_SNAPSHOT | ZFS_NAME_BOOKMARK) <
	            0 ||
	    check_name(z, p->pos[1], o, ZFS_NAME_BOOKMARK) < 0)
		return -1;
	if (!zeit_bookmark(p->pos[1]))
		return zeit_fail(z, EPERM,
		                 DENIED "only zeit's bookmarks (zeitsend-...) "
		                        "may be made, not %s",
		                 p->pos[1]);
	start(c, "bookmark");
	strv_pushv(&c->argv, p->pos);
	return 0;
}

enum side { RECV = 1, SEND = 2, BOTH = 3 };

typedef int handler(struct zeit *z, const struct serve_opts *o,
                    const struct parsed *p, struct serve_cmd *c,
                    const char *verb);

/* Every command a peer may ask for: its grammar, which side of
 * replication accepts it, and what checks and rebuilds it. */
static const struct {
	struct grammar g;
	enum side side;
	handler *fn;
} commands[] = {
        {{"list", "Hprj", "otsSd", true}, BOTH, cmd_list},
        {{"get", "Hprj", "osdt", true}, BOTH, cmd_get},
        {{"receive", "suFA", "o", false}, RECV, cmd_receive},
        {{"recv", "suFA", "o", false}, RECV, cmd_receive},
        {{"set", "", "", false}, RECV, cmd_set},
        {{"create", "", "o", false}, RECV, cmd_create},
        {{"rollback", "rf", "", false}, RECV, cmd_rollback},
        {{"destroy", "d", "", false}, RECV, cmd_destroy},
        {{"destroy", "", "", false}, SEND, cmd_destroy},
        {{"send", "wLcenvP", "iIt", false}, SEND, cmd_send},
        {{"hold", "", "", false}, SEND, cmd_hold},
        {{"release", "", "", false}, SEND, cmd_hold},
        {{"holds", "Hp", "", false}, SEND, cmd_holds},
        {{"bookmark", "", "", false}, SEND, cmd_bookmark},
};

int serve_check(struct zeit *z, const char *line, const struct serve_opts *o,
                struct serve_cmd *c)
{
	struct strv w;
	struct parsed p;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (!o->roots || !o->roots[0])
		return zeit_fail(z, EINVAL, "no dataset to serve");
	if (serve_split(z, line, &w) < 0)
		return -1;
	strv_init(&c->argv);
	const struct grammar *g = NULL;
	handler *fn = NULL;
	enum side me = o->send_side ? SEND : RECV;
	for (size_t i = 0; w.n >= 2 && !strcmp(w.v[0], "zfs") &&
	                   i < sizeof(commands) / sizeof(commands[0]);
	     i++)
		if ((commands[i].side & me) &&
		    !strcmp(w.v[1], commands[i].g.cmd)) {
			g = &commands[i].g;
			fn = commands[i].fn;
		}
	if (!g) {
		zeit_fail(z, EPERM,
		          DENIED "only the zfs commands of %s are accepted "
		                 "here, not: %s",
		          o->send_side ? "sending (a pull)" : "receiving",
		          line);
		goto out;
	}
	if (parse_words(z, &w, g, &p) < 0)
		goto out;
	rc = fn(z, o, &p, c, g->cmd);
out:
	strv_free(&w);
	if (rc < 0)
		serve_cmd_free(c);
	return rc;
}

/* Copies the stream's first record from stdin without consuming it: tee
 * from a pipe, MSG_PEEK from a socket, pread from a file. */
static int peek_stdin(struct zeit *z, unsigned char *buf, size_t want)
{
	struct stat st;
	struct timespec t0, now;
	size_t got = 0;
	int p[2] = {-1, -1};
	int rc = -1;

	if (fstat(STDIN_FILENO, &st) < 0)
		return zeit_fail(z, errno, "stdin: %s", strerror(errno));
	if (S_ISREG(st.st_mode)) {
		off_t at = lseek(STDIN_FILENO, 0, SEEK_CUR);
		ssize_t n = at < 0 ? -1 : pread(STDIN_FILENO, buf, want, at);
		got = n > 0 ? (size_t)n : 0;
		return got == want ? 0
		                   : zeit_fail(z, EPROTO,
		                               "not a zfs send stream: too "
		                               "short");
	}
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return zeit_fail(z, EINVAL,
		                 "stdin is neither a pipe nor a socket; the "
		                 "stream cannot be checked");
	if (S_ISFIFO(st.st_mode) && pipe2(p, O_CLOEXEC) < 0)
		return zeit_fail(z, errno, "pipe: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ssize_t n;
		if (S_ISFIFO(st.st_mode)) {
			/* tee duplicates what the pipe holds, from its start;
			 * it blocks until there is something. */
			n = tee(STDIN_FILENO, p[1], want, 0);
			if (n > 0) {
				ssize_t r = read(p[0], buf, (size_t)n);
				n = r;
			}
		} else {
			struct pollfd pf = {STDIN_FILENO, POLLIN, 0};
			poll(&pf, 1, 1000);
			n = recv(STDIN_FILENO, buf, want, MSG_PEEK);
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			zeit_fail(z, errno, "reading the stream: %s",
			          strerror(errno));
			break;
		}
		if (n == 0) {
			zeit_fail(z, EPROTO, "no stream arrived");
			break;
		}
		got = n > 0 ? (size_t)n : got;
		if (got >= want) {
			rc = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 120) {
			zeit_fail(z, ETIMEDOUT,
			          "the stream's first record did not arrive");
			break;
		}
		struct timespec nap = {0, 5 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	return rc;
}

/* ---- Running ---- */

/* zfs by absolute path, never by PATH: a received dataset must not be
 * able to put a `zfs` where a search would find it. The binary must be
 * root's and writable by nobody else. */
static const char *zfs_binary(struct zeit *z)
{
	static const char *const candidates[] = {"/usr/sbin/zfs", "/sbin/zfs",
	                                         NULL};
	for (size_t i = 0; candidates[i]; i++) {
		struct stat st;
		if (stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == 0 && !(st.st_mode & 022))
			return candidates[i];
	}
	zeit_fail(z, ENOENT,
	          "no zfs binary owned by root in /usr/sbin or /sbin");
	return NULL;
}

static int check_token(struct zeit *z, const struct serve_opts *o,
                       struct serve_cmd *c)
{
	struct zfs_resume_token t;
	if (zfs_resume_token_decode(z, c->token, &t) < 0)
		return zeit_fail_ctx(z, DENIED);
	if (check_name(z, t.toname, o, ZFS_NAME_SNAPSHOT) < 0)
		return -1;
	c->dataset = xstrndup(t.toname, strcspn(t.toname, "@"));
	c->raw = t.raw;
	return 0;
}

/* A send that is not raw gives the peer plaintext of an encrypted
 * dataset; only a key allowed to may ask for it. */
static int check_plaintext(struct zeit *z, const struct serve_opts *o,
                           const struct serve_cmd *c)
{
	const char *const props[] = {"encryption", NULL};
	const char *ds[] = {c->dataset, NULL};
	struct zfs_prop_list pl;
	struct zfs zh;

	if (c->raw || o->allow_plaintext)
		return 0;
	zfs_init(&zh, z, NULL);
	if (zfs_get_props(&zh, ds, 0, props, &pl) < 0)
		return -1;
	const struct zfs_prop *e = zfs_prop_find(&pl, c->dataset, "encryption");
	bool encrypted = !e || strcmp(e->value, "off");
	zfs_prop_list_free(&pl);
	if (encrypted)
		return zeit_fail(z, EPERM,
		                 DENIED "%s is encrypted: it is sent raw (zfs "
		                        "send -w), never as plaintext, unless "
		                        "the key allows it (zeit serve "
		                        "--allow-plaintext)",
		                 c->dataset);
	return 0;
}

int serve_run(struct zeit *z, const char *line, const struct serve_opts *o)
{
	struct serve_cmd c;
	unsigned char rec[ZFS_STREAM_HEAD_MAX];
	struct zfs_stream_head s;
	int rc = -1;

	/* What the driver runs for serve's own checks is found here only. */
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	if (serve_check(z, line, o, &c) < 0)
		return -1;
	const char *zfs = zfs_binary(z);
	if (!zfs)
		goto out;
	switch (c.need) {
	case SERVE_NEED_STREAM:
		if (peek_stdin(z, rec, ZFS_STREAM_RECORD) < 0)
			goto out;
		size_t need = zfs_stream_head_len(rec);
		if ((need > ZFS_STREAM_RECORD &&
		     peek_stdin(z, rec, need) < 0) ||
		    zfs_stream_head_parse(z, rec, need, &s) < 0)
			goto out;
		if (s.props) {
			zeit_fail(z, EPERM,
			          DENIED "the stream carries properties (zfs "
			                 "send -p or -R); this side takes none "
			                 "from a sender");
			goto out;
		}
		/* The pins go before the target, the argv's last word. */
		char *target = c.argv.v[--c.argv.n];
		c.argv.v[c.argv.n] = NULL;
		zfs_recv_pins(s.volume, &c.argv);
		strv_push(&c.argv, target);
		free(target);
		break;
	case SERVE_NEED_TOKEN:
		if (check_token(z, o, &c) < 0 || check_plaintext(z, o, &c) < 0)
			goto out;
		break;
	case SERVE_NEED_ENCRYPTION:
		if (check_plaintext(z, o, &c) < 0)
			goto out;
		break;
	case SERVE_NEED_NONE: break;
	}
	free(c.argv.v[0]);
	c.argv.v[0] = xstrdup(zfs);
	struct run_cmd rcmd;
	run_cmd_init(&rcmd, (const char *const *)c.argv.v);
	rcmd.flags =
	        RUN_INHERIT_STDIN | RUN_INHERIT_STDOUT | RUN_INHERIT_STDERR;
	rc = run(z, &rcmd) < 0 ? -1 : rcmd.status;
	run_cmd_free(&rcmd);
out:
	serve_cmd_free(&c);
	return rc;
}
