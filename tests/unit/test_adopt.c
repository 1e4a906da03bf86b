/* zeit adopt's planner over the old tools' files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/adopt.h"
#include "zeit/config.h"

static bool listed(const struct strv *l, const char *text)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], text))
			return true;
	return false;
}

#define HAS(plan_part, text)                                                   \
	do {                                                                   \
		if (!listed(plan_part, text))                                  \
			fail_msg("'%s' missing", text);                        \
	} while (0)

/* The config the planner writes must load as zeit's own. */
static void loads(const struct adopt_plan *p, struct zeit_config *c)
{
	struct zeit z;
	char path[] = "/tmp/zeit-test-adopt-XXXXXX";
	zeit_init(&z);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p->config.data, p->config.len),
	                 (ssize_t)p->config.len);
	close(fd);
	config_init(c);
	if (config_load(&z, path, true, c) < 0)
		fail_msg("%s\n%s", zeit_error(&z), p->config.data);
	unlink(path);
}

static void test_auto_snapshot_debian(void **state)
{
	(void)state;
	/* The lines Debian's zfs-auto-snapshot 1.2.4 installs. */
	const struct adopt_file sched[] = {
	        {"/etc/cron.d/zfs-auto-snapshot",
	         "PATH=\"/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin\"\n\n"
	         "*/15 * * * * root which zfs-auto-snapshot > /dev/null || "
	         "exit 0 ; zfs-auto-snapshot --quiet --syslog --label=frequent "
	         "--keep=4 //\n"},
	        {"/etc/cron.daily/zfs-auto-snapshot",
	         "#!/bin/sh\n\n# Only call zfs-auto-snapshot if it's "
	         "available\n"
	         "which zfs-auto-snapshot > /dev/null || exit 0\n\n"
	         "exec zfs-auto-snapshot --quiet --syslog --label=daily "
	         "--keep=31 //\n"},
	        {"/etc/cron.weekly/zfs-auto-snapshot",
	         "which zfs-auto-snapshot > /dev/null || exit 0\n"
	         "exec zfs-auto-snapshot -l weekly -k 8 //\n"},
	};
	const struct adopt_mark marks[] = {
	        {"tank/tmp", "com.sun:auto-snapshot", "false"}};
	const char *const pools[] = {"tank", "rpool", NULL};
	struct adopt_input in = {.tool = ADOPT_AUTO_SNAPSHOT,
	                         .sched = sched,
	                         .nsched = 3,
	                         .script = "DATE=$(date --utc +%F-%H%M)\n",
	                         .marks = marks,
	                         .nmarks = 1,
	                         .pools = pools};
	struct adopt_plan p;
	struct zeit_config c;

	adopt_plan_make(&in, &p);
	assert_true(p.found);
	HAS(&p.read, "/etc/cron.d/zfs-auto-snapshot (*/15 * * * *): "
	             "zfs-auto-snapshot --quiet --syslog --label=frequent "
	             "--keep=4 //");
	HAS(&p.read, "(weekly): zfs-auto-snapshot -l weekly -k 8 //");
	HAS(&p.read, "tank/tmp: com.sun:auto-snapshot=false");
	HAS(&p.steps, "chmod -x /etc/cron.daily/zfs-auto-snapshot");
	HAS(&p.steps, "apt-get remove zfs-auto-snapshot");
	loads(&p, &c);
	assert_int_equal(c.adopt, SNAP_ORIGIN_ZEIT | SNAP_ORIGIN_AUTO_SNAPSHOT);
	assert_string_equal(c.names.auto_zone, "UTC");
	assert_string_equal(c.default_keep, "frequent=4,hourly=0,daily=31,"
	                                    "weekly=8,monthly=0,yearly=0");
	/* // without --default-exclude: every pool is taken. */
	assert_non_null(config_section_for(&c, "rpool/home", CONFIG_WANT_SNAP));
	assert_non_null(config_section_for(&c, "tank", CONFIG_WANT_SNAP));
	config_free(&c);
	adopt_plan_free(&p);
}

static void test_auto_snapshot_options(void **state)
{
	(void)state;
	const struct adopt_file sched[] = {
	        {"/etc/cron.d/zfs-auto-snapshot",
	         "# a comment: zfs-auto-snapshot --label=yearly --keep=9 //\n"
	         "0 * * * * root zfs-auto-snapshot --default-exclude "
	         "--prefix=backup --sep=. --utc --label=hourly tank/home\n"
	         "0 0 * * * root zfs-auto-snapshot --label=pre-upgrade "
	         "--keep=3 tank/home\n"},
	};
	struct adopt_input in = {.tool = ADOPT_AUTO_SNAPSHOT,
	                         .sched = sched,
	                         .nsched = 1,
	                         /* a version that stamps local time */
	                         .script = "if [ -n \"$opt_utc\" ]; then "
	                                   "DATE=$(date --utc +%F-%H%M)\n"};
	struct adopt_plan p;
	struct zeit_config c;

	adopt_plan_make(&in, &p);
	HAS(&p.notes, "hourly has no --keep");
	HAS(&p.notes, "label 'pre-upgrade' is no zeit tier");
	assert_false(listed(&p.read, "yearly"));
	HAS(&p.steps, "sed -i '/zfs-auto-snapshot/s/^[^#]/# &/' "
	              "/etc/cron.d/zfs-auto-snapshot");
	assert_false(listed(&p.steps, "apt-get remove"));
	loads(&p, &c);
	assert_string_equal(c.names.auto_prefix, "backup");
	assert_int_equal(c.names.auto_sep, '.');
	assert_string_equal(c.names.auto_zone, "UTC"); /* --utc */
	assert_non_null(strstr(c.default_keep, "hourly=1000000"));
	assert_non_null(config_section_for(&c, "tank/home", CONFIG_WANT_SNAP));
	assert_null(config_section_for(&c, "tank/tmp", CONFIG_WANT_SNAP));
	config_free(&c);
	adopt_plan_free(&p);
}

static void test_sanoid(void **state)
{
	(void)state;
	const struct adopt_file sched[] = {
	        {"/lib/systemd/system/sanoid.service",
	         "[Service]\nType=oneshot\nEnvironment=TZ=UTC\n"
	         "ExecStart=/usr/sbin/sanoid --take-snapshots --verbose\n"},
	        {"/lib/systemd/system/sanoid.timer",
	         "[Timer]\nOnCalendar=*:0/15\nPersistent=true\n"},
	};
	/* As sanoid's example writes it: indented keys, templates. */
	const char *conf = "[tank/home]\n\tuse_template = production,demo\n"
	                   "\thourly = 12\n\n[tank/vm]\n\tuse_template = "
	                   "production\n\trecursive = zfs\n"
	                   "\tfrequent_period = 5\n\n"
	                   "[tank/backup]\n\tuse_template = backup\n\n"
	                   "[template_demo]\n\tdaily = 60\n\n"
	                   "[template_production]\n\tfrequently = 0\n"
	                   "\thourly = 36\n\tdaily = 30\n\tmonthly = 3\n"
	                   "\tyearly = 0\n\tautosnap = yes\n\tautoprune = yes\n"
	                   "\n[template_backup]\n\tautoprune = no\n"
	                   "\tautosnap = no\n";
	const char *defaults = "[template_default]\nfrequently = 0\n"
	                       "hourly = 48\ndaily = 90\nweekly = 0\n"
	                       "monthly = 6\nyearly = 0\nautosnap = 1\n"
	                       "autoprune = yes\nfrequent_period = 15\n";
	struct adopt_input in = {
	        .tool = ADOPT_SANOID,
	        .sched = sched,
	        .nsched = 2,
	        .sanoid_conf = {"/etc/sanoid/sanoid.conf", conf},
	        .sanoid_defaults = {"sanoid.defaults.conf", defaults}};
	struct adopt_plan p;
	struct zeit_config c;

	adopt_plan_make(&in, &p);
	assert_true(p.found);
	HAS(&p.read, "sanoid.service: runs sanoid with TZ=UTC");
	/* Its own hourly, demo's daily over production's, defaults' weekly. */
	HAS(&p.read, "[tank/home]: autosnap=yes autoprune=yes recursive=no -> "
	             "keep frequent=0,hourly=12,daily=60,weekly=0,monthly=3,"
	             "yearly=0");
	HAS(&p.notes, "[tank/home] is not recursive");
	HAS(&p.notes, "[tank/vm] frequent_period=5");
	HAS(&p.notes, "[tank/backup] autoprune=no");
	assert_false(listed(&p.notes, "[tank/vm] is not recursive"));
	HAS(&p.steps, "systemctl disable --now sanoid.timer");
	loads(&p, &c);
	assert_int_equal(c.adopt, SNAP_ORIGIN_ZEIT | SNAP_ORIGIN_SANOID);
	assert_string_equal(c.names.sanoid_zone, "UTC");
	const struct config_section *s =
	        config_section_for(&c, "tank/home", CONFIG_WANT_KEEP);
	assert_non_null(s);
	assert_string_equal(s->keep, "frequent=0,hourly=12,daily=60,weekly=0,"
	                             "monthly=3,yearly=0");
	assert_int_equal(
	        config_section_for(&c, "tank/backup", CONFIG_WANT_SNAP)->snap,
	        0);
	assert_null(config_section_for(&c, "tank/backup", CONFIG_WANT_KEEP));
	config_free(&c);
	adopt_plan_free(&p);
}

static void test_not_scheduled(void **state)
{
	(void)state;
	struct adopt_input in = {.tool = ADOPT_SANOID};
	struct adopt_plan p;
	adopt_plan_make(&in, &p);
	assert_false(p.found);
	HAS(&p.notes, "nothing to adopt");
	adopt_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_auto_snapshot_debian),
	        cmocka_unit_test(test_auto_snapshot_options),
	        cmocka_unit_test(test_sanoid),
	        cmocka_unit_test(test_not_scheduled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
