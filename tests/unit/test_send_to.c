/* org.zeit:send-to: values anyone who may set a property wrote, read into
 * targets or refused with a reason; job names that fit a property's name;
 * which datasets of a listing start a job, which are part of one, and
 * which a job leaves out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/send_to.h"

static int parse(const char *src, const char *value, struct send_to_value *v,
                 char *why)
{
	return send_to_parse(src, value, v, why, 256);
}

static void test_values_read(void **state)
{
	(void)state;
	struct send_to_value v;
	char why[256];
	assert_int_equal(parse("tank/data", "backup/m1", &v, why), 0);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0].target, "backup/m1");
	assert_int_equal(v.v[0].interval, 0);
	send_to_value_free(&v);
	assert_int_equal(parse("tank/data",
	                       "3h@nas:tank/m1, 1d@root@far-1.lan:vault/m1 "
	                       "backup/m1",
	                       &v, why),
	                 0);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[0].target, "nas:tank/m1");
	assert_int_equal(v.v[0].interval, 3 * 3600);
	assert_string_equal(v.v[1].target, "root@far-1.lan:vault/m1");
	assert_int_equal(v.v[1].interval, 86400);
	assert_string_equal(v.v[2].target, "backup/m1");
	send_to_value_free(&v);
	assert_int_equal(parse("tank/data", "none", &v, why), 0);
	assert_true(v.none);
	assert_int_equal(v.n, 0);
	assert_int_equal(parse("tank/data", "off", &v, why), 0);
	assert_true(v.none);
	/* A target on another host may carry the source's own name. */
	assert_int_equal(parse("tank/data", "nas:tank/data", &v, why), 0);
	send_to_value_free(&v);
}

/* Each of these makes no job, with a reason. */
static void test_hostile_values_refused(void **state)
{
	(void)state;
	char big[SEND_TO_MAX_LEN + 16];
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "backup/", 7);
	big[sizeof(big) - 1] = '\0';
	static const struct {
		const char *value, *why;
	} bad[] = {
	        {"-o", "looks like an option"},
	        {"-oProxyCommand=touch /tmp/x", "looks like an option"},
	        {"host -oProxyCommand=sh:backup/m1", "looks like an option"},
	        {"-host:backup/m1", "looks like an option"},
	        {"h$(reboot):backup/m1", "no host name"},
	        {"h;reboot:backup/m1", "no host name"},
	        {"h`id`:backup/m1", "no host name"},
	        {"a@b@c:backup/m1", "no host name"},
	        {"@h:backup/m1", "no host name"},
	        {"root@-oX:backup/m1", "no host name"},
	        {":backup/m1", "no host name"},
	        {"backup/m1\nnas:x/y", "control byte"},
	        {"backup/m1\x1b[2J", "control byte"},
	        {"backup/m1;reboot", "backup/m1;reboot"},
	        {"backup/$(id)", "backup/$(id)"},
	        {"backup", "is a pool"},
	        {"nas:", "names no dataset"},
	        {"tank/data/copy", "inside source"},
	        {"tank/data", "inside source"},
	        {"tank", "is a pool"},
	        {"tank/x, tank", "is a pool"},
	        {"3x@backup/m1", "an interval is a duration"},
	        {"0h@backup/m1", "an interval is a duration"},
	        {"none, backup/m1", "stands alone"},
	        {"backup/m1 backup/m1", "named twice"},
	        {", ,", "names no target"},
	        {"", "names no target"},
	        {"a/1 a/2 a/3 a/4 a/5 a/6 a/7 a/8 a/9", "more than 8"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct send_to_value v;
		char why[256] = "";
		if (parse("tank/data", bad[i].value, &v, why) == 0)
			fail_msg("took '%s'", bad[i].value);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': '%s' does not say '%s'", bad[i].value,
			         why, bad[i].why);
		assert_int_equal(v.n, 0);
	}
	struct send_to_value v;
	char why[256];
	assert_int_equal(parse("tank/data", big, &v, why), -1);
	assert_non_null(strstr(why, "bytes, over"));
	/* A target above the source would take the source into itself. */
	assert_int_equal(parse("tank/data/sub", "tank/data", &v, why), -1);
	assert_non_null(strstr(why, "above source"));
}

static void assert_prop_name(const char *n)
{
	assert_true(strlen(n) <= 64);
	for (const char *p = n; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') ||
		            (*p >= '0' && *p <= '9') || *p == '-' ||
		            *p == '_' || *p == '.');
}

static void test_job_names(void **state)
{
	(void)state;
	char *a = send_to_job_name("tank/data", "backup/m1", 0);
	assert_string_equal(a, "tank.data");
	char *b = send_to_job_name("tank/data", "nas:tank/m1", 1);
	assert_prop_name(b);
	assert_int_equal(strncmp(b, "tank.data.", 10), 0);
	assert_string_not_equal(a, b);
	char *c = send_to_job_name("Tank/Data", "backup/m1", 0);
	char *d = send_to_job_name("tank/data x", "backup/m1", 0);
	assert_prop_name(c);
	assert_prop_name(d);
	assert_string_not_equal(c, a);
	assert_string_not_equal(d, a);
	char longname[250];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longname[4] = '/';
	char *e = send_to_job_name(longname, "backup/m1", 3);
	assert_prop_name(e);
	free(a), free(b), free(c), free(d), free(e);
}

/* A listing as zfs list gives it: name and the property's value. */
static struct zfs_dataset_list listing(const char *const *rows)
{
	struct zfs_dataset_list l = {0};
	for (; rows[l.n]; l.n += 0) {
		l.v = realloc(l.v, (l.n + 1) * sizeof(*l.v));
		const char *tab = strchr(rows[l.n], '\t');
		struct zfs_dataset *d = &l.v[l.n];
		memset(d, 0, sizeof(*d));
		d->name = strndup(rows[l.n], (size_t)(tab - rows[l.n]));
		d->values = calloc(1, sizeof(char *));
		d->values[0] = strdup(tab + 1);
		l.n++;
	}
	l.nprops = 1;
	return l;
}

static const struct config_send_job *job(const struct zeit_config *c,
                                         const char *name)
{
	for (size_t i = 0; i < c->njobs; i++)
		if (!strcmp(c->jobs[i].name, name))
			return &c->jobs[i];
	fail_msg("no job %s", name);
	return NULL;
}

static void test_jobs_from_listing(void **state)
{
	(void)state;
	static const char *const rows[] = {
	        "tank\t-",
	        "tank/data\tbackup/m1",
	        "tank/data/a\tbackup/m1",       /* inherited: the job's */
	        "tank/data/scratch\tnone",      /* left out */
	        "tank/data/scratch/x\tnone",    /* with its parent */
	        "tank/data/vm\t1h@nas:pool/vm", /* a job of its own */
	        "tank/data/vm/d\t1h@nas:pool/vm",
	        "tank/data/evil\t-oProxyCommand=x", /* refused, left out */
	        "tank/other\tbackup/dup",           /* also in the file */
	        "tank/same\tbackup/m1",             /* no parent shares it */
	        NULL};
	struct zfs_dataset_list l = listing(rows);
	struct zeit_config c;
	config_init(&c);
	c.jobs = calloc(1, sizeof(*c.jobs));
	c.njobs = 1;
	c.jobs[0].name = strdup("dup");
	c.jobs[0].source = strdup("tank/other");
	c.jobs[0].target = strdup("backup/dup");
	struct send_to_refusals r = {0};
	assert_int_equal(send_to_add_jobs(&c, &l, 0, &r), 3);
	assert_int_equal(c.njobs, 4);
	const struct config_send_job *j = job(&c, "tank.data");
	assert_true(j->from_property);
	assert_string_equal(j->source, "tank/data");
	assert_string_equal(j->target, "backup/m1");
	assert_int_equal(j->recursive, 1);
	assert_int_equal(j->interval, 0);
	assert_non_null(j->exclude);
	assert_string_equal(j->exclude[0], "tank/data/scratch");
	assert_string_equal(j->exclude[1], "tank/data/vm");
	assert_string_equal(j->exclude[2], "tank/data/evil");
	assert_null(j->exclude[3]);
	j = job(&c, "tank.data.vm");
	assert_string_equal(j->target, "nas:pool/vm");
	assert_int_equal(j->interval, 3600);
	assert_null(j->exclude);
	job(&c, "tank.same");
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].dataset, "tank/data/evil");
	assert_non_null(strstr(r.v[0].message, "tank/data/evil: "
	                                       "org.zeit:send-to "
	                                       "'-oProxyCommand=x'"));
	send_to_refusals_free(&r);
	config_free(&c);
	zfs_dataset_list_free(&l);
}

/* An escape in a refused value never reaches the message raw. */
static void test_refusal_escaped(void **state)
{
	(void)state;
	static const char *const rows[] = {"tank/t\tx\x1b[2J;y", NULL};
	struct zfs_dataset_list l = listing(rows);
	struct zeit_config c;
	config_init(&c);
	struct send_to_refusals r = {0};
	assert_int_equal(send_to_add_jobs(&c, &l, 0, &r), 0);
	assert_int_equal(r.n, 1);
	assert_null(strchr(r.v[0].message, '\x1b'));
	send_to_refusals_free(&r);
	config_free(&c);
	zfs_dataset_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_values_read),
	        cmocka_unit_test(test_hostile_values_refused),
	        cmocka_unit_test(test_job_names),
	        cmocka_unit_test(test_jobs_from_listing),
	        cmocka_unit_test(test_refusal_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
