#include "zeit/config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"
#include "zeit/zfs.h"
#include "zeit/ztime.h"

void config_init(struct zeit_config *c)
{
	memset(c, 0, sizeof(*c));
	c->adopt = SNAP_ORIGIN_ZEIT;
	c->pkg_burst = -1;
	snapname_rules_default(&c->names);
	c->prune_mode = PRUNE_MODE_AUTO;
	c->status.warn = 2;
	c->status.crit = 4;
	c->status.replica_warn = 2 * 86400;
	c->status.replica_crit = 4 * 86400;
	c->status.capacity_warn = 80;
	c->status.capacity_crit = 90;
	/* Debian scrubs on the second Sunday of each month: at most five
	 * weeks apart, and a scrub takes a while. */
	c->status.scrub_warn = 40 * 86400;
	c->status.hold_stale = 30 * 86400;
	config_hooks_init(&c->run_hooks);
}

void config_free(struct zeit_config *c)
{
	for (size_t i = 0; i < c->nsections; i++) {
		free(c->sections[i].dataset);
		free(c->sections[i].keep);
		free(c->sections[i].where);
		config_hooks_free(&c->sections[i].hooks);
	}
	config_hooks_free(&c->run_hooks);
	free(c->sections);
	free(c->path);
	free(c->default_keep);
	free(c->default_where);
	free(c->pkg_dataset);
	config_send_jobs_free(c);
	config_init(c);
}

int config_bool_value(const char *v)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") ||
	    !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") ||
	    !strcmp(v, "0"))
		return 0;
	return -1;
}

static struct config_section *section_get(struct zeit_config *c, const char *ds)
{
	for (size_t i = 0; i < c->nsections; i++)
		if (!strcmp(c->sections[i].dataset, ds))
			return &c->sections[i];
	c->sections = xrealloc(c->sections,
	                       (c->nsections + 1) * sizeof(*c->sections));
	struct config_section *s = &c->sections[c->nsections++];
	memset(s, 0, sizeof(*s));
	s->dataset = xstrdup(ds);
	s->snap = -1;
	config_hooks_init(&s->hooks);
	return s;
}

/* Records the message; inih then returns the line, which config_load
 * puts in front. */
int config_fail_at(struct load_ctx *x, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	zeit_fail(x->z, EINVAL, "%s", b.data);
	buf_free(&b);
	x->failed = 1;
	return 0;
}

/* [status] warn/crit (multiples of a tier's period), replica_warn and
 * replica_crit (durations), capacity_warn and capacity_crit (percent),
 * scrub_warn and hold_stale (durations, 0 for none). */
static int status_key(struct load_ctx *x, const char *name, const char *value)
{
	struct zeit_config *c = x->c;
	char *end;
	if (!strcmp(name, "warn") || !strcmp(name, "crit")) {
		double v = strtod(value, &end);
		if (*end || end == value || v <= 0 || v > 1000)
			return config_fail_at(
			        x,
			        "%s: expected a number of periods "
			        "(e.g. 2), got '%s'",
			        name, value);
		*(name[0] == 'w' ? &c->status.warn : &c->status.crit) = v;
		return 1;
	}
	if (!strcmp(name, "replica_warn") || !strcmp(name, "replica_crit")) {
		long long secs;
		if (!ztime_parse_duration(value, &secs) || secs <= 0)
			return config_fail_at(
			        x,
			        "%s: expected a duration (e.g. 2d), "
			        "got '%s'",
			        name, value);
		*(name[8] == 'w' ? &c->status.replica_warn
		                 : &c->status.replica_crit) = secs;
		return 1;
	}
	if (!strcmp(name, "capacity_warn") || !strcmp(name, "capacity_crit")) {
		long v = strtol(value, &end, 10);
		if (*end == '%')
			end++;
		if (*end || end == value || v < 1 || v > 100)
			return config_fail_at(
			        x, "%s: expected a percentage, got '%s'", name,
			        value);
		*(name[9] == 'w' ? &c->status.capacity_warn
		                 : &c->status.capacity_crit) = (int)v;
		return 1;
	}
	if (!strcmp(name, "scrub_warn") || !strcmp(name, "hold_stale")) {
		long long secs = 0;
		if (strcmp(value, "0") &&
		    (!ztime_parse_duration(value, &secs) || secs <= 0))
			return config_fail_at(
			        x,
			        "%s: expected a duration (e.g. 40d) or 0, "
			        "got '%s'",
			        name, value);
		*(name[0] == 's' ? &c->status.scrub_warn
		                 : &c->status.hold_stale) = secs;
		return 1;
	}
	return config_fail_at(x,
	                      "unknown key '%s' in [status] (warn, crit, "
	                      "replica_warn, replica_crit, capacity_warn, "
	                      "capacity_crit, scrub_warn, hold_stale)",
	                      name);
}

/* [adopt]: how the adopted schemes' names were written here.
 * zfs-auto-snap.timezone, autosnap.timezone: local, UTC or a TZ name;
 * zfs-auto-snap.prefix and zfs-auto-snap.sep: its --prefix and --sep. */
static int adopt_key(struct load_ctx *x, const char *name, const char *value)
{
	struct snapname_rules *r = &x->c->names;
	if (!strcmp(name, "zfs-auto-snap.timezone") ||
	    !strcmp(name, "autosnap.timezone")) {
		const char *zone = strcmp(value, "local") ? value : "";
		char *dst = name[0] == 'z' ? r->auto_zone : r->sanoid_zone;
		if (strlen(zone) >= sizeof(r->auto_zone) ||
		    !ztime_zone_valid(zone))
			return config_fail_at(
			        x,
			        "%s: expected local, UTC or a time "
			        "zone such as Europe/Berlin, got '%s'",
			        name, value);
		snprintf(dst, sizeof(r->auto_zone), "%s", zone);
		return 1;
	}
	if (!strcmp(name, "zfs-auto-snap.prefix")) {
		/* zfs-auto-snapshot allows letters, digits and _.: - */
		if (!*value || strlen(value) >= sizeof(r->auto_prefix) ||
		    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		                  "qrstuvwxyz0123456789_.: -") != strlen(value))
			return config_fail_at(
			        x,
			        "%s: not a zfs-auto-snapshot prefix: "
			        "'%s'",
			        name, value);
		snprintf(r->auto_prefix, sizeof(r->auto_prefix), "%s", value);
		return 1;
	}
	if (!strcmp(name, "zfs-auto-snap.sep")) {
		if (strlen(value) != 1 || !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZab"
		                                  "cdefghijklmnopqrstuvwxyz"
		                                  "0123456789_.:-",
		                                  value[0]))
			return config_fail_at(
			        x, "%s: expected one character, got '%s'", name,
			        value);
		r->auto_sep = value[0];
		return 1;
	}
	return config_fail_at(
	        x,
	        "unknown key '%s' in [adopt] (zfs-auto-snap.timezone, "
	        "autosnap.timezone, zfs-auto-snap.prefix, "
	        "zfs-auto-snap.sep)",
	        name);
}

/* [pkg]: the dataset package transactions snapshot, and how close the
 * runs of one parent must follow each other to be one pair. */
static int pkg_key(struct load_ctx *x, const char *name, const char *value)
{
	struct zeit_config *c = x->c;
	if (!strcmp(name, "dataset")) {
		struct zeit scratch;
		zeit_init(&scratch);
		if (c->pkg_dataset ||
		    zfs_name_check(&scratch, value, ZFS_NAME_DATASET) < 0)
			return config_fail_at(
			        x,
			        "[pkg] dataset: '%s' is no dataset "
			        "name, or given twice",
			        value);
		c->pkg_dataset = xstrdup(value);
		return 1;
	}
	if (!strcmp(name, "burst")) {
		unsigned long long n;
		long long secs;
		if (parse_u64(value, &n) && n <= 86400)
			c->pkg_burst = (long)n;
		else if (ztime_parse_duration(value, &secs) && secs <= 86400)
			c->pkg_burst = (long)secs;
		else
			return config_fail_at(
			        x,
			        "[pkg] burst: expected seconds (0 to "
			        "86400) or an age such as 1m, got '%s'",
			        value);
		return 1;
	}
	return config_fail_at(x, "unknown key '%s' in [pkg] (dataset, burst)",
	                      name);
}

/* A keep policy, checked now so a bad one is an error at its line. */
static int keep_value(struct load_ctx *x, const char *value, char **out)
{
	struct policy p;
	policy_default(&p);
	if (policy_apply_spec(x->z, &p, value, "keep") < 0) {
		x->failed = 1; /* the message is on z already */
		return 0;
	}
	*out = xstrdup(value);
	return 1;
}

/* [defaults] adopt = the schemes' prefixes prune may take. */
static int adopt_prefixes(struct load_ctx *x, const char *value)
{
	struct zeit_config *c = x->c;
	if (x->seen_adopt)
		return config_fail_at(x, "adopt is given twice");
	x->seen_adopt = true;
	char *copy = xstrdup(value), *save = NULL;
	int rc = 1;
	c->adopt = SNAP_ORIGIN_ZEIT;
	for (char *w = strtok_r(copy, ", ", &save); w && rc;
	     w = strtok_r(NULL, ", ", &save)) {
		unsigned o = snap_origin_from_prefix(w);
		if (!o)
			rc = config_fail_at(x,
			                    "adopt: unknown prefix '%s' (zeit, "
			                    "zfs-auto-snap, autosnap)",
			                    w);
		c->adopt |= o;
	}
	free(copy);
	return rc;
}

static int defaults_key(struct load_ctx *x, const char *name, const char *value)
{
	struct zeit_config *c = x->c;
	if (!strcmp(name, "keep")) {
		if (c->default_keep)
			return config_fail_at(
			        x, "keep is given twice in [defaults]");
		return keep_value(x, value, &c->default_keep);
	}
	if (!strcmp(name, "adopt"))
		return adopt_prefixes(x, value);
	int hook = config_hook_key(x, &c->run_hooks, "snapshot", name, value);
	if (hook >= 0)
		return hook;
	if (!strcmp(name, "channel_program")) {
		int b = config_bool_value(value);
		if (b < 0 || x->seen_mode)
			return config_fail_at(
			        x,
			        "channel_program: expected yes or no, "
			        "got '%s'",
			        value);
		x->seen_mode = true;
		c->prune_mode = b ? PRUNE_MODE_AUTO : PRUNE_MODE_BATCH;
		return 1;
	}
	return config_fail_at(x,
	                      "unknown key '%s' in [defaults] (keep, adopt, "
	                      "channel_program, pre_snapshot, post_snapshot, "
	                      "on_snapshot_failure, hook_timeout, "
	                      "pre_snapshot_failure, post_snapshot_always)",
	                      name);
}

/* [DATASET]: keep and snap. */
static int dataset_key(struct load_ctx *x, const char *section,
                       const char *name, const char *value)
{
	struct zeit scratch; /* the message goes into the line's own */
	zeit_init(&scratch);
	if (zfs_name_check(&scratch, section, ZFS_NAME_DATASET) < 0)
		return config_fail_at(
		        x,
		        "section [%s] is neither [defaults] nor a dataset: %s",
		        section, zeit_error(&scratch));
	struct config_section *s = section_get(x->c, section);
	if (!strcmp(name, "keep")) {
		if (s->keep)
			return config_fail_at(x, "keep is given twice for [%s]",
			                      section);
		return keep_value(x, value, &s->keep);
	}
	if (!strcmp(name, "snap")) {
		int b = config_bool_value(value);
		if (b < 0)
			return config_fail_at(
			        x, "snap: expected on or off, got '%s'", value);
		if (s->snap != -1)
			return config_fail_at(x, "snap is given twice for [%s]",
			                      section);
		s->snap = b;
		return 1;
	}
	int hook = config_hook_key(x, &s->hooks, "snapshot", name, value);
	if (hook >= 0)
		return hook;
	return config_fail_at(x,
	                      "unknown key '%s' in [%s] (keep, snap, "
	                      "pre_snapshot, post_snapshot, "
	                      "on_snapshot_failure, hook_timeout, "
	                      "pre_snapshot_failure, post_snapshot_always)",
	                      name, section);
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
	struct load_ctx *x = user;
	if (!strcmp(section, "defaults"))
		return defaults_key(x, name, value);
	if (!strcmp(section, "status"))
		return status_key(x, name, value);
	if (!strcmp(section, "adopt"))
		return adopt_key(x, name, value);
	if (!strcmp(section, "pkg"))
		return pkg_key(x, name, value);
	if (!strcmp(section, "send"))
		return config_send_defaults_key(x, name, value);
	if (!strncmp(section, "send ", 5))
		return config_send_key(x, section + 5, name, value);
	return dataset_key(x, section, name, value);
}

int config_load(struct zeit *z, const char *path, bool must_exist,
                struct zeit_config *c)
{
	struct load_ctx x = {.z = z, .c = c, .path = path};
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return zeit_fail(z, errno, "cannot read %s: %s", path,
		                 strerror(errno));
	}
	int line = ini_parse_file(f, handler, &x);
	if (line == 0 && config_hooks_file_check(&x, fileno(f)) < 0) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if (line != 0) {
		if (x.failed)
			return zeit_fail_ctx(z, "%s:%d", path, line);
		if (line < 0)
			return zeit_fail(z, EIO, "cannot read %s", path);
		return zeit_fail(z, EINVAL,
		                 "%s:%d: not KEY = VALUE or [SECTION]", path,
		                 line);
	}
	if (config_send_jobs_check(&x) < 0)
		return -1;
	c->path = xstrdup(path);
	/* Keep "where" strings for policy errors found later. */
	for (size_t i = 0; i < c->nsections; i++)
		if (!c->sections[i].where)
			c->sections[i].where = xasprintf(
			        "%s [%s] keep", path, c->sections[i].dataset);
	if (c->default_keep)
		c->default_where = xasprintf("%s [defaults] keep", path);
	return 0;
}

const struct config_section *config_section_for(const struct zeit_config *c,
                                                const char *dataset,
                                                enum config_want want)
{
	const struct config_section *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < c->nsections; i++) {
		const char *d = c->sections[i].dataset;
		size_t l = strlen(d);
		if ((want == CONFIG_WANT_KEEP && !c->sections[i].keep) ||
		    (want == CONFIG_WANT_SNAP && c->sections[i].snap < 0) ||
		    (want == CONFIG_WANT_HOOKS &&
		     !config_hooks_set(&c->sections[i].hooks)))
			continue;
		if (zfs_name_under(dataset, d) && l >= best_len) {
			best = &c->sections[i];
			best_len = l;
		}
	}
	return best;
}

int config_policy(struct zeit *z, const struct zeit_config *c,
                  const char *dataset, const char *prop_keep,
                  struct policy *out)
{
	policy_default(out);
	if (c->default_keep &&
	    policy_apply_spec(z, out, c->default_keep, c->default_where) < 0)
		return -1;
	const struct config_section *s =
	        config_section_for(c, dataset, CONFIG_WANT_KEEP);
	if (s && s->keep && policy_apply_spec(z, out, s->keep, s->where) < 0)
		return -1;
	if (prop_keep && *prop_keep && strcmp(prop_keep, "-") != 0) {
		char where[512];
		snprintf(where, sizeof(where), "%s: property org.zeit:keep",
		         dataset);
		if (policy_apply_spec(z, out, prop_keep, where) < 0)
			return -1;
	}
	return 0;
}
