/* zeit adopt's planner: reads the old tool's schedule and configuration
 * (as text) and writes the zeit.conf that takes over, and the steps that
 * switch the old tool off. Pure code: the CLI reads the files. */
#include "zeit/adopt.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/snapname.h"

bool adopt_tool_from(const char *name, enum adopt_tool *out)
{
	if (!strcmp(name, "zfs-auto-snapshot")) {
		*out = ADOPT_AUTO_SNAPSHOT;
		return true;
	}
	if (!strcmp(name, "sanoid")) {
		*out = ADOPT_SANOID;
		return true;
	}
	return false;
}

const char *adopt_tool_name(enum adopt_tool t)
{
	return t == ADOPT_SANOID ? "sanoid" : "zfs-auto-snapshot";
}

const char *const *adopt_sched_paths(enum adopt_tool t)
{
	static const char *const autosnap[] = {
	        "/etc/cron.d/zfs-auto-snapshot",
	        "/etc/cron.hourly/zfs-auto-snapshot",
	        "/etc/cron.daily/zfs-auto-snapshot",
	        "/etc/cron.weekly/zfs-auto-snapshot",
	        "/etc/cron.monthly/zfs-auto-snapshot",
	        NULL,
	};
	static const char *const sanoid[] = {
	        "/etc/cron.d/sanoid",
	        "/lib/systemd/system/sanoid.timer",
	        "/lib/systemd/system/sanoid.service",
	        "/lib/systemd/system/sanoid-prune.service",
	        NULL,
	};
	return t == ADOPT_SANOID ? sanoid : autosnap;
}

void adopt_plan_free(struct adopt_plan *p)
{
	strv_free(&p->read);
	strv_free(&p->notes);
	strv_free(&p->steps);
	buf_free(&p->config);
}

static void plan_init(struct adopt_plan *p)
{
	memset(p, 0, sizeof(*p));
	strv_init(&p->read);
	strv_init(&p->notes);
	strv_init(&p->steps);
	buf_init(&p->config);
}

/* The words of one line, split at blanks. */
static void words(const char *line, struct strv *out)
{
	strv_init(out);
	for (const char *s = line; *s;) {
		s += strspn(s, " \t");
		size_t n = strcspn(s, " \t");
		if (!n)
			break;
		char *w = xstrndup(s, n);
		strv_push(out, w);
		free(w);
		s += n;
	}
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool is_cron_d(const char *path)
{
	return strstr(path, "/cron.d/") != NULL;
}

static bool is_systemd(const char *path)
{
	return strstr(path, ".timer") || strstr(path, ".service");
}

/* When a cron or run-parts file runs, for people. */
static const char *when_of(const char *path, const struct strv *w)
{
	static char buf[64];
	static const char *const parts[] = {"hourly", "daily", "weekly",
	                                    "monthly"};
	for (size_t i = 0; i < 4; i++) {
		char d[32];
		snprintf(d, sizeof(d), "/cron.%s/", parts[i]);
		if (strstr(path, d))
			return parts[i];
	}
	if (is_cron_d(path) && w->n >= 5) {
		snprintf(buf, sizeof(buf), "%s %s %s %s %s", w->v[0], w->v[1],
		         w->v[2], w->v[3], w->v[4]);
		return buf;
	}
	return "when the unit runs";
}

/* ---- zfs-auto-snapshot ---- */

struct auto_run {
	char label[32];
	long keep; /* -1: no --keep, it never prunes */
	char prefix[64];
	char sep;
	bool default_exclude, utc, all;
	struct strv targets;
};

/* An option with a value: --name=VALUE, --name VALUE or -n VALUE. */
static bool opt(const char *a, const char *next, const char *lng,
                const char *shrt, const char **val, int *used)
{
	size_t n = strlen(lng);
	if (!strncmp(a, lng, n) && a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	if (!strcmp(a, lng) || (shrt && !strcmp(a, shrt))) {
		*val = next;
		*used = 1;
		return true;
	}
	return false;
}

/* Reads the options of one `zfs-auto-snapshot ...` call, words from i. */
static void parse_auto_run(const struct strv *w, size_t i, struct auto_run *r)
{
	memset(r, 0, sizeof(*r));
	r->keep = -1;
	r->sep = '_';
	snprintf(r->prefix, sizeof(r->prefix), "zfs-auto-snap");
	strv_init(&r->targets);
	for (; i < w->n; i++) {
		const char *a = w->v[i];
		const char *next = i + 1 < w->n ? w->v[i + 1] : "";
		if (!strcmp(a, ";") || !strcmp(a, "&&") || !strcmp(a, "||") ||
		    !strcmp(a, "|"))
			break;
		const char *val = NULL;
		int used = 0;
		if (opt(a, next, "--label", "-l", &val, &used))
			snprintf(r->label, sizeof(r->label), "%s", val);
		else if (opt(a, next, "--keep", "-k", &val, &used))
			r->keep = strtol(val, NULL, 10);
		else if (opt(a, next, "--prefix", "-p", &val, &used))
			snprintf(r->prefix, sizeof(r->prefix), "%s", val);
		else if (opt(a, next, "--sep", NULL, &val, &used))
			r->sep = val[0] ? val[0] : '_';
		else if (!strcmp(a, "--default-exclude"))
			r->default_exclude = true;
		else if (!strcmp(a, "--utc") || !strcmp(a, "-u"))
			r->utc = true;
		else if (!strcmp(a, "//"))
			r->all = true;
		else if (a[0] != '-')
			strv_push(&r->targets, a);
		i += (size_t)used;
	}
}

static bool listed_once(const struct strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static bool auto_call_at(const struct strv *w, size_t i)
{
	return !strcmp(base_name(w->v[i]), "zfs-auto-snapshot") &&
	       !(i > 0 && !strcmp(w->v[i - 1], "which"));
}

static void auto_steps(const struct adopt_input *in, struct adopt_plan *p,
                       bool all_guarded)
{
	for (size_t f = 0; f < in->nsched; f++) {
		const char *path = in->sched[f].path;
		if (is_cron_d(path))
			strv_pushf(
			        &p->steps,
			        "sed -i '/zfs-auto-snapshot/s/^[^#]/# &/' %s",
			        path);
		else if (is_systemd(path))
			strv_pushf(&p->steps, "systemctl disable --now %s",
			           base_name(path));
		else
			strv_pushf(&p->steps, "chmod -x %s", path);
	}
	if (all_guarded && in->nsched)
		strv_push(&p->steps,
		          "(or remove the package: apt-get remove "
		          "zfs-auto-snapshot; every file above does nothing "
		          "once the command is gone, and the snapshots stay)");
}

/* What the zfs-auto-snapshot calls read so far add up to. */
struct auto_acc {
	long keep[ZEIT_TIER_COUNT];
	bool seen[ZEIT_TIER_COUNT];
	bool include_unset, utc_opt, all_guarded;
	char prefix[64], sep;
	struct strv targets;
};

/* The call as written, up to the end of its command. */
static void call_text(const struct strv *w, size_t i, struct buf *call)
{
	buf_init(call);
	for (size_t k = i; k < w->n; k++) {
		if (!strcmp(w->v[k], ";") || !strcmp(w->v[k], "&&") ||
		    !strcmp(w->v[k], "||"))
			break;
		buf_addf(call, "%s%s", k > i ? " " : "", w->v[k]);
	}
}

/* The call's label as a tier, and how many it keeps. */
static void auto_take_tier(struct adopt_plan *p, struct auto_acc *a,
                           const struct auto_run *r)
{
	enum zeit_tier t = zeit_tier_from_name(r->label);
	if (t == ZEIT_TIER_NONE) {
		strv_pushf(&p->notes,
		           "label '%s' is no zeit tier: its snapshots are "
		           "kept, and zeit takes none of them",
		           r->label);
		return;
	}
	a->seen[t] = true;
	long k = r->keep < 0 ? 1000000 : r->keep;
	if (r->keep < 0)
		strv_pushf(&p->notes,
		           "%s has no --keep: zfs-auto-snapshot never prunes "
		           "it; zeit keeps the newest 1000000",
		           r->label);
	if (k > a->keep[t])
		a->keep[t] = k;
}

/* zeit reads one prefix and separator: the first other than the
 * default's; later different ones are noted. */
static void auto_take_prefix(struct adopt_plan *p, struct auto_acc *a,
                             const struct auto_run *r)
{
	if (!strcmp(r->prefix, "zfs-auto-snap") && r->sep == '_')
		return;
	if ((strcmp(a->prefix, "zfs-auto-snap") || a->sep != '_') &&
	    (strcmp(a->prefix, r->prefix) || a->sep != r->sep)) {
		strv_pushf(&p->notes,
		           "names with prefix '%s%c' are not read (zeit reads "
		           "one prefix: '%s%c')",
		           r->prefix, r->sep, a->prefix, a->sep);
		return;
	}
	snprintf(a->prefix, sizeof(a->prefix), "%s", r->prefix);
	a->sep = r->sep;
}

/* One zfs-auto-snapshot call, words from i of a line of file f. */
static void auto_take_call(const struct adopt_input *in, size_t f,
                           const struct strv *w, size_t i, struct adopt_plan *p,
                           struct auto_acc *a)
{
	struct auto_run r;
	parse_auto_run(w, i + 1, &r);
	p->found = true;
	struct buf call;
	call_text(w, i, &call);
	strv_pushf(&p->read, "%s (%s): %s", in->sched[f].path,
	           when_of(in->sched[f].path, w), call.data);
	buf_free(&call);
	auto_take_tier(p, a, &r);
	auto_take_prefix(p, a, &r);
	a->utc_opt |= r.utc;
	if (r.all && !r.default_exclude)
		a->include_unset = true;
	for (size_t k = 0; k < r.targets.n; k++)
		if (!listed_once(&a->targets, r.targets.v[k]))
			strv_push(&a->targets, r.targets.v[k]);
	strv_free(&r.targets);
}

/* Each line of scheduler file f: its first zfs-auto-snapshot call. */
static void auto_read_file(const struct adopt_input *in, size_t f,
                           struct adopt_plan *p, struct auto_acc *a)
{
	const char *text = in->sched[f].text;
	if (!strstr(text, "which zfs-auto-snapshot"))
		a->all_guarded = false;
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		char *line = xstrndup(l, n);
		l += n + (l[n] == '\n');
		struct strv w;
		words(line, &w);
		for (size_t i = 0; w.n && w.v[0][0] != '#' && i < w.n; i++)
			if (auto_call_at(&w, i)) {
				auto_take_call(in, f, &w, i, p, a);
				break;
			}
		strv_free(&w);
		free(line);
	}
}

/* The configuration that keeps what zfs-auto-snapshot kept. */
static void auto_config(const struct adopt_input *in, const struct auto_acc *a,
                        const char *zone, struct buf *c)
{
	buf_adds(c, "; written by zeit adopt --from zfs-auto-snapshot\n"
	            "[defaults]\nkeep = ");
	for (int t = 0; t < ZEIT_TIER_TIMED; t++)
		buf_addf(c, "%s%s=%ld", t ? "," : "",
		         zeit_tier_name((enum zeit_tier)t),
		         a->seen[t] ? a->keep[t] : 0);
	buf_adds(c, "\nadopt = zfs-auto-snap\n\n[adopt]\n");
	buf_addf(c, "zfs-auto-snap.timezone = %s\n", zone);
	if (strcmp(a->prefix, "zfs-auto-snap"))
		buf_addf(c, "zfs-auto-snap.prefix = %s\n", a->prefix);
	if (a->sep != '_')
		buf_addf(c, "zfs-auto-snap.sep = %c\n", a->sep);
	if (a->include_unset) {
		buf_adds(c, "\n; zfs-auto-snapshot // (without "
		            "--default-exclude) takes every dataset\n"
		            "; without com.sun:auto-snapshot=false.\n");
		for (size_t i = 0; in->pools && in->pools[i]; i++)
			buf_addf(c, "[%s]\nsnap = on\n", in->pools[i]);
	}
	for (size_t i = 0; i < a->targets.n; i++)
		buf_addf(c, "\n[%s]\nsnap = on\n", a->targets.v[i]);
}

static void plan_auto_snapshot(const struct adopt_input *in,
                               struct adopt_plan *p)
{
	struct auto_acc a = {
	        .all_guarded = true, .prefix = "zfs-auto-snap", .sep = '_'};
	strv_init(&a.targets);
	for (size_t f = 0; f < in->nsched; f++)
		auto_read_file(in, f, p, &a);
	for (size_t i = 0; i < in->nmarks; i++)
		strv_pushf(&p->read,
		           "%s: %s=%s (zeit honours it as zfs-auto-snapshot "
		           "does)",
		           in->marks[i].dataset, in->marks[i].prop,
		           in->marks[i].value);

	/* How names are stamped: 1.2.4 always runs `date --utc`; a version
	 * with --utc stamps local time unless told. */
	bool stamps_utc = in->script && strstr(in->script, "--utc +") &&
	                  !strstr(in->script, "opt_utc");
	const char *zone = stamps_utc || a.utc_opt ? "UTC" : "local";
	strv_pushf(&p->read, "names: %s%s<label>-YYYY-MM-DD-HHMM in %s%s",
	           a.prefix, (char[]){a.sep, '\0'}, zone,
	           stamps_utc ? " (the script stamps `date --utc`)" : "");
	auto_config(in, &a, zone, &p->config);
	strv_free(&a.targets);
	auto_steps(in, p, a.all_guarded);
}

/* ---- sanoid ---- */

struct ini_kv {
	char *section, *key, *value;
};

struct ini_doc {
	struct ini_kv *v;
	size_t n;
	struct strv sections; /* in file order */
};

static int ini_collect(void *user, const char *section, const char *name,
                       const char *value)
{
	struct ini_doc *d = user;
	bool known = false;
	for (size_t i = 0; i < d->sections.n; i++)
		known |= !strcmp(d->sections.v[i], section);
	if (!known)
		strv_push(&d->sections, section);
	d->v = xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n++] = (struct ini_kv){xstrdup(section), xstrdup(name),
	                               xstrdup(value)};
	return 1;
}

static void ini_doc_free(struct ini_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].section);
		free(d->v[i].key);
		free(d->v[i].value);
	}
	free(d->v);
	strv_free(&d->sections);
}

static const char *ini_get(const struct ini_doc *d, const char *section,
                           const char *key)
{
	const char *found = NULL;
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].section, section) &&
		    !strcmp(d->v[i].key, key))
			found = d->v[i].value;
	return found;
}

/* sanoid's value of key for a dataset section: its own, else its
 * templates' (later ones win), else the packaged defaults. */
static const char *sanoid_value(const struct ini_doc *conf,
                                const struct ini_doc *defaults,
                                const char *section, const char *key)
{
	const char *v = ini_get(conf, section, key);
	if (v && *v)
		return v;
	const char *use = ini_get(conf, section, "use_template");
	const char *best = NULL;
	if (use) {
		char *copy = xstrdup(use), *save = NULL;
		for (char *t = strtok_r(copy, ", ", &save); t;
		     t = strtok_r(NULL, ", ", &save)) {
			char *tsec = xasprintf("template_%s", t);
			const char *tv = ini_get(conf, tsec, key);
			if (tv && *tv)
				best = tv;
			free(tsec);
		}
		free(copy);
		if (best)
			return best;
	}
	v = ini_get(conf, "template_default", key);
	if (v && *v)
		return v;
	return ini_get(defaults, "template_default", key);
}

/* sanoid indents its keys (Perl's Config::IniFiles); inih would read an
 * indented line as the previous key's continuation, so unindent first. */
static int parse_sanoid_ini(const char *text, struct ini_doc *d)
{
	struct buf b;
	buf_init(&b);
	for (const char *l = text; *l;) {
		l += strspn(l, " \t");
		size_t n = strcspn(l, "\n");
		buf_add(&b, l, n);
		buf_addc(&b, '\n');
		l += n + (l[n] == '\n');
	}
	int rc = ini_parse_string(b.data ? b.data : "", ini_collect, d);
	buf_free(&b);
	return rc;
}

static bool yes(const char *v)
{
	return v && (!strcmp(v, "yes") || !strcmp(v, "1") ||
	             !strcmp(v, "true") || !strcmp(v, "on"));
}

/* Which scheduler files run sanoid; true when one sets TZ=UTC. */
static bool sanoid_schedulers(const struct adopt_input *in,
                              struct adopt_plan *p)
{
	bool utc = false;
	for (size_t f = 0; f < in->nsched; f++) {
		const char *text = in->sched[f].text;
		bool runs = strstr(text, "sanoid --") != NULL;
		if (strstr(text, "TZ=UTC"))
			utc = true;
		if (runs || strstr(in->sched[f].path, ".timer")) {
			p->found = true;
			strv_pushf(&p->read, "%s: runs sanoid%s",
			           in->sched[f].path,
			           strstr(text, "TZ=UTC") ? " with TZ=UTC"
			           : strstr(text, "OnCalendar")
			                   ? " on its timer (OnCalendar)"
			                   : "");
		}
	}
	return utc;
}

/* One dataset section of sanoid.conf as a zeit section. */
static void sanoid_section(const struct adopt_input *in,
                           const struct ini_doc *conf,
                           const struct ini_doc *defs, const char *sec,
                           struct adopt_plan *p)
{
	static const char *const sanoid_tier[ZEIT_TIER_COUNT] = {
	        "frequently", "hourly", "daily", "weekly", "monthly", "yearly"};
	struct buf keep;
	buf_init(&keep);
	for (int t = 0; t < ZEIT_TIER_TIMED; t++) {
		const char *v = sanoid_value(conf, defs, sec, sanoid_tier[t]);
		buf_addf(&keep, "%s%s=%ld", t ? "," : "",
		         zeit_tier_name((enum zeit_tier)t),
		         v ? strtol(v, NULL, 10) : 0L);
	}
	bool snap = yes(sanoid_value(conf, defs, sec, "autosnap"));
	bool prune = yes(sanoid_value(conf, defs, sec, "autoprune"));
	const char *rec = sanoid_value(conf, defs, sec, "recursive");
	const char *period = sanoid_value(conf, defs, sec, "frequent_period");
	strv_pushf(&p->read,
	           "%s [%s]: autosnap=%s autoprune=%s recursive=%s -> keep %s",
	           in->sanoid_conf.path, sec, snap ? "yes" : "no",
	           prune ? "yes" : "no", rec && *rec ? rec : "no", keep.data);
	buf_addf(&p->config, "\n[%s]\nsnap = %s\n", sec, snap ? "on" : "off");
	if (prune)
		buf_addf(&p->config, "keep = %s\n", keep.data);
	else
		strv_pushf(&p->notes,
		           "[%s] autoprune=no: zeit prunes what it adopts; set "
		           "org.zeit:prune=off on %s to keep everything",
		           sec, sec);
	if (!rec || !*rec || !strcmp(rec, "no") || !strcmp(rec, "0"))
		strv_pushf(&p->notes,
		           "[%s] is not recursive in sanoid; a zeit section "
		           "covers the tree below it too",
		           sec);
	if (period && strcmp(period, "15"))
		strv_pushf(&p->notes,
		           "[%s] frequent_period=%s: zeit's frequent tier is "
		           "every 15 minutes",
		           sec, period);
	buf_free(&keep);
}

/* sanoid.conf and its defaults (a note when there is no sanoid.conf). */
static void sanoid_read_conf(const struct adopt_input *in, struct adopt_plan *p,
                             struct ini_doc *conf, struct ini_doc *defs)
{
	strv_init(&conf->sections);
	strv_init(&defs->sections);
	if (in->sanoid_defaults.text)
		parse_sanoid_ini(in->sanoid_defaults.text, defs);
	if (!in->sanoid_conf.text) {
		strv_pushf(&p->notes, "no %s: nothing to adopt",
		           in->sanoid_conf.path ? in->sanoid_conf.path
		                                : "sanoid.conf");
		return;
	}
	int line = parse_sanoid_ini(in->sanoid_conf.text, conf);
	if (line)
		strv_pushf(&p->notes, "%s:%d: not read past this line",
		           in->sanoid_conf.path, line);
}

static void plan_sanoid(const struct adopt_input *in, struct adopt_plan *p)
{
	struct ini_doc conf = {0}, defs = {0};
	bool utc = sanoid_schedulers(in, p);
	sanoid_read_conf(in, p, &conf, &defs);
	const char *zone = utc ? "UTC" : "local";
	strv_pushf(&p->read,
	           "names: autosnap_YYYY-MM-DD_HH:MM:SS_<type> in %s%s", zone,
	           utc ? " (its units and cron line set TZ=UTC)" : "");
	buf_adds(&p->config, "; written by zeit adopt --from sanoid\n"
	                     "[defaults]\nadopt = autosnap\n\n[adopt]\n");
	buf_addf(&p->config, "autosnap.timezone = %s\n", zone);
	for (size_t s = 0; s < conf.sections.n; s++) {
		const char *sec = conf.sections.v[s];
		if (!str_starts(sec, "template_") && strcmp(sec, "version"))
			sanoid_section(in, &conf, &defs, sec, p);
	}
	for (size_t f = 0; f < in->nsched; f++) {
		const char *path = in->sched[f].path;
		if (is_cron_d(path))
			strv_pushf(&p->steps,
			           "sed -i '/sanoid/s/^[^#]/# &/' %s", path);
		else if (strstr(path, ".timer"))
			strv_pushf(&p->steps, "systemctl disable --now %s",
			           base_name(path));
	}
	ini_doc_free(&conf);
	ini_doc_free(&defs);
}

void adopt_plan_make(const struct adopt_input *in, struct adopt_plan *out)
{
	plan_init(out);
	if (in->tool == ADOPT_SANOID)
		plan_sanoid(in, out);
	else
		plan_auto_snapshot(in, out);
	strv_push(&out->steps, "systemctl enable --now zeit-snap.timer");
}
