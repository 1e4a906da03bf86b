/* The one reader of snapshot names: zeit's, zfs-auto-snapshot's and
 * sanoid's, each in its own time zone, DST's repeated hour included. */
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
#include "zeit/snapname.h"
#include "zeit/ztime.h"

static time_t utc(const char *iso)
{
	time_t t;
	if (!ztime_parse(iso, &t))
		fail_msg("bad test time %s", iso);
	return t;
}

static struct snapname read_ok(const struct snapname_rules *r, const char *name,
                               unsigned origin, enum zeit_tier tier,
                               const char *when)
{
	struct snapname sn;
	if (!snapname_read(r, name, SNAP_ORIGIN_ALL, &sn))
		fail_msg("'%s' should read", name);
	assert_int_equal(sn.origin, origin);
	assert_int_equal(sn.tier, tier);
	if (when && sn.when != utc(when)) {
		char got[32];
		ztime_format(sn.when, got, sizeof(got));
		fail_msg("'%s' read as %s, not %s", name, got, when);
	}
	return sn;
}

static void test_auto_snapshot_labels(void **state)
{
	(void)state;
	/* zfs-auto-snapshot 1.2.4 stamps `date --utc`: UTC by default. */
	read_ok(NULL, "zfs-auto-snap_frequent-2020-07-04-0015",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_FREQUENT,
	        "2020-07-04T00:15:00Z");
	read_ok(NULL, "tank/a@zfs-auto-snap_hourly-2020-07-04-0100",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_HOURLY,
	        "2020-07-04T01:00:00Z");
	read_ok(NULL, "zfs-auto-snap_daily-2020-07-04-0000",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_DAILY,
	        "2020-07-04T00:00:00Z");
	read_ok(NULL, "zfs-auto-snap_weekly-2020-07-05-0000",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_WEEKLY, NULL);
	read_ok(NULL, "zfs-auto-snap_monthly-2020-07-01-0000",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_MONTHLY, NULL);
	/* Any --label is its scheme's, without a tier unless it names one;
	 * a label may hold dashes; no label at all is allowed too. */
	struct snapname sn =
	        read_ok(NULL, "zfs-auto-snap_pre-upgrade-2020-07-04-1230",
	                SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_NONE,
	                "2020-07-04T12:30:00Z");
	assert_string_equal(sn.label, "pre-upgrade");
	sn = read_ok(NULL, "zfs-auto-snap-2020-07-04-1230",
	             SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_NONE, NULL);
	assert_string_equal(sn.label, "");
}

static void test_auto_snapshot_prefix_sep(void **state)
{
	struct snapname_rules r;
	struct snapname sn;
	(void)state;
	snapname_rules_default(&r);
	snprintf(r.auto_prefix, sizeof(r.auto_prefix), "backup");
	r.auto_sep = '.';
	read_ok(&r, "backup.daily-2020-07-04-0000", SNAP_ORIGIN_AUTO_SNAPSHOT,
	        ZEIT_TIER_DAILY, "2020-07-04T00:00:00Z");
	/* The default prefix is not read when another is configured, and the
	 * separator must be the configured one. */
	assert_false(snapname_read(&r, "zfs-auto-snap_daily-2020-07-04-0000",
	                           SNAP_ORIGIN_AUTO_SNAPSHOT, &sn));
	assert_false(snapname_read(&r, "backup_daily-2020-07-04-0000",
	                           SNAP_ORIGIN_AUTO_SNAPSHOT, &sn));
}

static void test_sanoid_types(void **state)
{
	struct snapname_rules r;
	(void)state;
	snapname_rules_default(&r);
	snprintf(r.sanoid_zone, sizeof(r.sanoid_zone), "UTC");
	static const struct {
		const char *type;
		enum zeit_tier tier;
	} types[] = {
	        {"frequently", ZEIT_TIER_FREQUENT},
	        {"hourly", ZEIT_TIER_HOURLY},
	        {"daily", ZEIT_TIER_DAILY},
	        {"weekly", ZEIT_TIER_WEEKLY},
	        {"monthly", ZEIT_TIER_MONTHLY},
	        {"yearly", ZEIT_TIER_YEARLY},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "autosnap_2020-07-04_00:00:00_%s",
		         types[i].type);
		read_ok(&r, name, SNAP_ORIGIN_SANOID, types[i].tier,
		        "2020-07-04T00:00:00Z");
	}
}

/* Both tools name by wall clock unless told otherwise: at UTC+2 midnight
 * is 22:00 UTC the day before. */
static void test_zones(void **state)
{
	struct snapname_rules r;
	(void)state;
	snapname_rules_default(&r);
	snprintf(r.auto_zone, sizeof(r.auto_zone), "Europe/Berlin");
	read_ok(&r, "zfs-auto-snap_daily-2020-07-04-0000",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_DAILY,
	        "2020-07-03T22:00:00Z");
	read_ok(&r, "zfs-auto-snap_daily-2020-01-04-0000",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_DAILY,
	        "2020-01-03T23:00:00Z");
	/* sanoid's default is the local zone, $TZ. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	read_ok(NULL, "autosnap_2020-07-04_00:00:00_daily", SNAP_ORIGIN_SANOID,
	        ZEIT_TIER_DAILY, "2020-07-03T22:00:00Z");
	setenv("TZ", "America/New_York", 1);
	tzset();
	read_ok(NULL, "autosnap_2020-07-04_00:00:00_daily", SNAP_ORIGIN_SANOID,
	        ZEIT_TIER_DAILY, "2020-07-04T04:00:00Z");
	/* A named zone leaves $TZ as it was. */
	read_ok(&r, "zfs-auto-snap_daily-2020-07-04-0000",
	        SNAP_ORIGIN_AUTO_SNAPSHOT, ZEIT_TIER_DAILY,
	        "2020-07-03T22:00:00Z");
	assert_string_equal(getenv("TZ"), "America/New_York");
	/* zeit's own names are UTC whatever the zone. */
	read_ok(&r, "zeit_daily_20200704T000000Z", SNAP_ORIGIN_ZEIT,
	        ZEIT_TIER_DAILY, "2020-07-04T00:00:00Z");
	unsetenv("TZ");
	tzset();
}

/* 2026-10-25 in Berlin shows 02:00-02:59 twice (CEST, then CET). */
static void test_dst_fold(void **state)
{
	struct snapname_rules r;
	struct snapname sn;
	(void)state;
	snapname_rules_default(&r);
	snprintf(r.sanoid_zone, sizeof(r.sanoid_zone), "Europe/Berlin");
	assert_true(snapname_read(&r, "autosnap_2026-10-25_02:30:00_frequently",
	                          SNAP_ORIGIN_SANOID, &sn));
	assert_int_equal(sn.when, utc("2026-10-25T00:30:00Z"));
	assert_int_equal(sn.when_late, utc("2026-10-25T01:30:00Z"));
	/* Outside the fold one reading. */
	assert_true(snapname_read(&r, "autosnap_2026-10-25_03:30:00_frequently",
	                          SNAP_ORIGIN_SANOID, &sn));
	assert_int_equal(sn.when, sn.when_late);
	assert_int_equal(sn.when, utc("2026-10-25T02:30:00Z"));

	/* Creation order decides: 02:15 made after zeit's 01:00Z snapshot is
	 * the second 02:15 (CET); 02:30 made before it is the first (CEST). */
	const char *names[] = {
	        "tank/a@autosnap_2026-10-25_02:15:00_frequently",
	        "tank/a@zeit_frequent_20261025T010000Z",
	        "tank/a@autosnap_2026-10-25_02:30:00_frequently",
	        "tank/a@manual",
	};
	const uint64_t txg[] = {30, 20, 10, 5};
	struct snapname out[4];
	snapname_read_dataset(&r, SNAP_ORIGIN_ALL, names, txg, 4, out);
	assert_int_equal(out[0].when, utc("2026-10-25T01:15:00Z"));
	assert_int_equal(out[1].when, utc("2026-10-25T01:00:00Z"));
	assert_int_equal(out[2].when, utc("2026-10-25T00:30:00Z"));
	assert_int_equal(out[3].origin, 0);
	assert_int_equal(out[3].tier, ZEIT_TIER_NONE);
}

/* 2026-03-29 02:30 does not exist in Berlin: read, never a crash. */
static void test_dst_gap(void **state)
{
	struct snapname_rules r;
	struct snapname sn;
	(void)state;
	snapname_rules_default(&r);
	snprintf(r.sanoid_zone, sizeof(r.sanoid_zone), "Europe/Berlin");
	assert_true(snapname_read(&r, "autosnap_2026-03-29_02:30:00_hourly",
	                          SNAP_ORIGIN_SANOID, &sn));
	assert_true(sn.when >= utc("2026-03-29T00:30:00Z") &&
	            sn.when <= utc("2026-03-29T01:30:00Z"));
}

static void test_not_names(void **state)
{
	struct snapname sn;
	(void)state;
	const char *bad[] = {
	        "zfs-auto-snap_daily-2020-07-04-000",
	        "zfs-auto-snap_daily-2020-13-04-0000",
	        "zfs-auto-snap_daily-2020-02-30-0000",
	        "zfs-auto-snap_daily-2020-07-04-2400",
	        "zfs-auto-snap_daily_2020-07-04-0000",
	        "zfs-auto-snapdaily-2020-07-04-0000",
	        "zfs-auto-snap_-2020-07-04-0000",
	        "autosnap_2020-07-04_00:00:00_frequent",
	        "autosnap_2020-07-04_00:00:00_fortnightly",
	        "autosnap_2020-07-04_00:00:00",
	        "autosnap_2020-07-04_00:00:60_daily",
	        "autosnap_2020-07-04T00:00:00_daily",
	        "zeit_daily_20200704T000000",
	        "zeit_daily_20261127T000060Z", /* :60 is not what zeit writes */
	        "",
	        "@",
	        "tank/a@b@zeit_daily_20261127T000000Z",
	        "tank/a#zeit_daily_20261127T000000Z",
	        "zfs-auto-snap_da/ly-2020-07-04-0000",
	        NULL,
	};
	for (size_t i = 0; bad[i]; i++)
		if (snapname_read(NULL, bad[i], SNAP_ORIGIN_ALL, &sn))
			fail_msg("'%s' should not read", bad[i]);
	/* Only the schemes asked for. */
	assert_false(snapname_read(NULL, "zfs-auto-snap_daily-2020-07-04-0000",
	                           SNAP_ORIGIN_ZEIT | SNAP_ORIGIN_SANOID, &sn));
	assert_int_equal(sn.origin, 0);
}

static void test_config_adopt(void **state)
{
	struct zeit z;
	struct zeit_config c;
	char path[] = "/tmp/zeit-test-snapname-XXXXXX";
	(void)state;
	zeit_init(&z);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("[defaults]\nadopt = zfs-auto-snap, autosnap\n"
	      "[adopt]\nzfs-auto-snap.timezone = Europe/Berlin\n"
	      "autosnap.timezone = UTC\nzfs-auto-snap.prefix = snap\n"
	      "zfs-auto-snap.sep = .\n",
	      f);
	fclose(f);
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	assert_string_equal(c.names.auto_zone, "Europe/Berlin");
	assert_string_equal(c.names.sanoid_zone, "UTC");
	assert_string_equal(c.names.auto_prefix, "snap");
	assert_int_equal(c.names.auto_sep, '.');
	config_free(&c);

	f = fopen(path, "w");
	fputs("[adopt]\nautosnap.timezone = Mars/Olympus\n", f);
	fclose(f);
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), -1);
	assert_non_null(strstr(zeit_error(&z), "Mars/Olympus"));
	config_free(&c);

	f = fopen(path, "w");
	fputs("[adopt]\nautosnap.timezone = ../../etc/passwd\n", f);
	fclose(f);
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), -1);
	config_free(&c);
	/* "local" is the machine's zone. */
	f = fopen(path, "w");
	fputs("[adopt]\nzfs-auto-snap.timezone = local\n", f);
	fclose(f);
	config_init(&c);
	assert_int_equal(config_load(&z, path, true, &c), 0);
	assert_string_equal(c.names.auto_zone, "");
	config_free(&c);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_auto_snapshot_labels),
	        cmocka_unit_test(test_auto_snapshot_prefix_sep),
	        cmocka_unit_test(test_sanoid_types),
	        cmocka_unit_test(test_zones),
	        cmocka_unit_test(test_dst_fold),
	        cmocka_unit_test(test_dst_gap),
	        cmocka_unit_test(test_not_names),
	        cmocka_unit_test(test_config_adopt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
