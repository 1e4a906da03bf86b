#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/config.h"

static struct zeit z;
static char path[64];

static void write_conf(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/zeit-test-conf.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_full_file(void **state)
{
	struct zeit_config c;
	struct policy p;
	char buf[256];
	(void)state;
	write_conf("; zeit\n"
	           "[defaults]\n"
	           "keep = hourly=48\n"
	           "adopt = zfs-auto-snap, autosnap\n"
	           "channel_program = no\n"
	           "\n"
	           "[tank/home]\n"
	           "snap = on\n"
	           "keep = daily=90\n"
	           "[backup]\n"
	           "keep = x2\n"
	           "[tank/home/scratch]\n"
	           "snap = off\n");
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	assert_int_equal(c.adopt, SNAP_ORIGIN_ZEIT | SNAP_ORIGIN_AUTO_SNAPSHOT |
	                                  SNAP_ORIGIN_SANOID);
	assert_int_equal(c.prune_mode, PRUNE_MODE_BATCH);

	/* defaults < [defaults] < nearest section < property */
	assert_int_equal(config_policy(&z, &c, "tank/var", NULL, &p), 0);
	policy_format(&p, buf, sizeof(buf));
	assert_string_equal(
	        buf,
	        "frequent=4,hourly=48,daily=31,weekly=8,monthly=12,yearly=0");
	assert_int_equal(config_policy(&z, &c, "tank/home/alice", "-", &p), 0);
	assert_int_equal(p.tier[ZEIT_TIER_DAILY].n, 90);
	assert_int_equal(p.tier[ZEIT_TIER_HOURLY].n, 48);
	/* The scratch section sets only snap: keep comes from tank/home. */
	assert_int_equal(config_policy(&z, &c, "tank/home/scratch", NULL, &p),
	                 0);
	assert_int_equal(p.tier[ZEIT_TIER_DAILY].n, 90);
	assert_int_equal(config_policy(&z, &c, "tank/home", "daily=7", &p), 0);
	assert_int_equal(p.tier[ZEIT_TIER_DAILY].n, 7);
	assert_int_equal(config_policy(&z, &c, "backup/tank/home", NULL, &p),
	                 0);
	assert_int_equal(p.tier[ZEIT_TIER_HOURLY].n, 96);
	assert_int_equal(p.tier[ZEIT_TIER_MONTHLY].n, 24);
	/* "tank/homework" is not under [tank/home]. */
	assert_null(config_section_for(&c, "tank/homework", CONFIG_WANT_SNAP));
	assert_int_equal(
	        config_section_for(&c, "tank/home/scratch/x", CONFIG_WANT_SNAP)
	                ->snap,
	        0);
	assert_int_equal(
	        config_section_for(&c, "tank/home/alice", CONFIG_WANT_SNAP)
	                ->snap,
	        1);

	/* A bad property value names the dataset and the property. */
	assert_int_equal(config_policy(&z, &c, "tank/var", "daily=lots", &p),
	                 -1);
	assert_non_null(
	        strstr(zeit_error(&z), "tank/var: property org.zeit:keep"));
	config_free(&c);
	unlink(path);
}

static void bad(const char *text, const char *line, const char *why)
{
	struct zeit_config c;
	write_conf(text);
	config_init(&c);
	zeit_clear_error(&z);
	if (config_load(&z, path, true, &c) == 0)
		fail_msg("accepted: %s", text);
	char where[128];
	snprintf(where, sizeof(where), "%s:%s: ", path, line);
	if (!strstr(zeit_error(&z), where) || !strstr(zeit_error(&z), why))
		fail_msg("'%s' lacks '%s' or '%s'", zeit_error(&z), where, why);
	config_free(&c);
	unlink(path);
}

static void test_errors(void **state)
{
	(void)state;
	bad("[defaults]\nkepp = hourly=1\n", "2", "unknown key 'kepp'");
	bad("[defaults]\nkeep = hourly=1\n\nkeep = daily=2\n", "4",
	    "given twice");
	bad("[defaults]\nkeep = hourley=1\n", "2", "unknown tier 'hourley'");
	bad("[defaults]\nadopt = zfs-auto-snap, bob\n", "2",
	    "unknown prefix 'bob'");
	bad("[tank/a]\nsnap = maybe\n", "2", "expected on or off");
	bad("[tank/a]\nsnap = on\nsnap = off\n", "3", "snap is given twice");
	bad("[/tank/a]\nsnap = on\n", "2", "neither [defaults] nor a dataset");
	bad("[tank/a]\nthis line has no equals\n", "2", "not KEY = VALUE");
	bad("[tank/a]\nkeep = x2,x2\n", "2", "more than one multiplier");
	bad("[status]\nscrub_warn = monthly\n", "2",
	    "scrub_warn: expected a duration (e.g. 40d) or 0");
	bad("[status]\nscrub_warn = -5d\n", "2", "scrub_warn");
}

/* [status] scrub_warn: a duration, 0 for no check, 40 days unset. */
static void test_scrub_warn(void **state)
{
	struct zeit_config c;
	(void)state;
	config_init(&c);
	assert_int_equal(c.status.scrub_warn, 40 * 86400);
	config_free(&c);
	write_conf("[status]\nscrub_warn = 8w\n");
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	assert_int_equal(c.status.scrub_warn, 56 * 86400);
	config_free(&c);
	unlink(path);
	write_conf("[status]\nscrub_warn = 0\n");
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	assert_int_equal(c.status.scrub_warn, 0);
	config_free(&c);
	unlink(path);
}

static void test_missing(void **state)
{
	struct zeit_config c;
	(void)state;
	config_init(&c);
	assert_int_equal(config_load(&z, "/nonexistent/zeit.conf", false, &c),
	                 0);
	assert_null(c.path);
	assert_int_equal(config_load(&z, "/nonexistent/zeit.conf", true, &c),
	                 -1);
	assert_non_null(strstr(zeit_error(&z), "/nonexistent/zeit.conf"));
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_full_file),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_scrub_warn),
	        cmocka_unit_test(test_missing),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
