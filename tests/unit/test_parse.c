#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs.h"

static struct zeit z;

static void test_snapshots(void **state)
{
	struct zfs_snap_list l;
	char text[] = "tank/a@s1\t123456789012345678\t10\n"
	              "tank/a#b1\t42\t11\n"
	              "tank/a b@x y\t7\t12\n";
	(void)state;
	assert_int_equal(zfs_parse_snapshots(&z, text, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "tank/a@s1");
	assert_true(l.v[0].guid == 123456789012345678ULL);
	assert_int_equal(l.v[0].createtxg, 10);
	assert_false(l.v[0].bookmark);
	assert_true(l.v[1].bookmark);
	assert_string_equal(l.v[2].name, "tank/a b@x y");
	zfs_snap_list_free(&l);

	char empty[] = "";
	assert_int_equal(zfs_parse_snapshots(&z, empty, &l), 0);
	assert_int_equal(l.n, 0);

	/* Every row strictly: numbers, a valid name, nothing twice. */
	static const char *const bad[] = {
	        "tank/a@s1\tabc\t10\n",
	        "tank/a@s1\t1\n",
	        "tank/a\t1\t2\n",
	        "tank/a@s1\t1\t2\t3\n",
	        "tank/a@s1\t1\t2\ntank/a@s1\t1\t2\n",
	        "tank/a@s\x1b[1m\t1\t2\n",
	        "tank/a@s1\t1\t2\ntank/../b@s\t1\t2\n",
	        "tank/a@s1\t-1\t2\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = strdup(bad[i]);
		assert_int_equal(zfs_parse_snapshots(&z, t, &l), -1);
		assert_non_null(strstr(zeit_error(&z), "zfs list printed"));
		free(t);
	}
}

static void test_datasets(void **state)
{
	struct zfs_dataset_list l;
	char text[] = "tank\tfilesystem\t/tank\t-\ttank\n"
	              "tank/vol\tvolume\t-\tvalue with spaces\ttank/vol\n";
	(void)state;
	assert_int_equal(zfs_parse_datasets(&z, text, 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "tank");
	assert_int_equal(l.v[0].type, ZFS_TYPE_FILESYSTEM);
	assert_string_equal(l.v[0].values[0], "/tank");
	assert_string_equal(l.v[0].values[1], "-");
	assert_int_equal(l.v[1].type, ZFS_TYPE_VOLUME);
	assert_string_equal(l.v[1].values[1], "value with spaces");
	zfs_dataset_list_free(&l);

	char bad_type[] = "tank\tpool\ttank\n";
	assert_int_equal(zfs_parse_datasets(&z, bad_type, 0, &l), -1);
	char too_few[] = "tank\tfilesystem\ttank\n";
	assert_int_equal(zfs_parse_datasets(&z, too_few, 1, &l), -1);
	char no_last[] = "tank\tfilesystem\t-\n";
	assert_int_equal(zfs_parse_datasets(&z, no_last, 1, &l), -1);
}

/* Values crafted to forge rows, as `zfs list -H -o name,type,P1,P2,name`
 * prints them: whatever the value, the listing fails, naming the
 * dataset, and no row is returned. */
static void test_datasets_forged(void **state)
{
	static const char *const forged[] = {
	        /* A newline in P2 with a whole row behind it. */
	        "tank/c\tfilesystem\t-\tx\tpad\ttank/c\n"
	        "tank/other\tfilesystem\ton\tdaily=0\ttank/other\n"
	        "rest\ttank/c\n",
	        /* The first piece padded to look whole, the last piece
	         * claiming the same name: a duplicate. */
	        "tank/c\tfilesystem\t-\tx\ttank/c\n"
	        "tank/c\tfilesystem\ton\tdaily=0\ttank/c\n",
	        /* First and last names differ. */
	        "tank/c\tfilesystem\t-\tx\ttank/d\n",
	        /* An invalid name in both places. */
	        "tank/c\x1b\tfilesystem\t-\tx\ttank/c\x1b\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		struct zfs_dataset_list l;
		char *t = strdup(forged[i]);
		assert_int_equal(zfs_parse_datasets(&z, t, 2, &l), -1);
		assert_int_equal(l.n, 0);
		assert_null(l.v);
		assert_non_null(strstr(zeit_error(&z), "zfs list printed"));
		assert_null(strchr(zeit_error(&z), '\x1b'));
		free(t);
	}
	/* The message names the dataset whose row was bad. */
	char t[] = "tank/c\tfilesystem\t-\tx\ttank/d\n";
	struct zfs_dataset_list l;
	assert_int_equal(zfs_parse_datasets(&z, t, 2, &l), -1);
	assert_non_null(strstr(zeit_error(&z), "for tank/c"));
}

/* A tab in a value (zfs -H prints it raw) is the value's own: it cannot
 * end a row. With one value a row it is read as it is; with several,
 * which value holds it is unknown, so the row comes back unread (the
 * driver asks zfs get). Other control bytes end nothing: they pass as
 * they are, as JSON passes them. A newline still fails. */
static void test_datasets_tab_in_value(void **state)
{
	struct zfs_dataset_list l;
	(void)state;
	char one[] = "tank/c\tfilesystem\ta\tb\t\ttank/c\n"
	             "tank/d\tvolume\tplain\ttank/d\n";
	assert_int_equal(zfs_parse_datasets(&z, one, 1, &l), 0);
	assert_int_equal(l.n, 2);
	assert_false(l.v[0].unread);
	assert_string_equal(l.v[0].values[0], "a\tb\t");
	assert_string_equal(l.v[1].values[0], "plain");
	zfs_dataset_list_free(&l);

	char two[] = "tank/c\tfilesystem\t-\ta\tb\ttank/c\n"
	             "tank/d\tfilesystem\ton\tx\ttank/d\n";
	assert_int_equal(zfs_parse_datasets(&z, two, 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.v[0].unread);
	assert_null(l.v[0].values[0]);
	assert_null(l.v[0].values[1]);
	assert_false(l.v[1].unread);
	assert_string_equal(l.v[1].values[1], "x");
	zfs_dataset_list_free(&l);

	char esc[] = "tank/c\tfilesystem\t\x1b]0;x\x07\tb\ry\ttank/c\n";
	assert_int_equal(zfs_parse_datasets(&z, esc, 2, &l), 0);
	assert_string_equal(l.v[0].values[0], "\x1b]0;x\x07");
	assert_string_equal(l.v[0].values[1], "b\ry");
	zfs_dataset_list_free(&l);

	static const char *const bad[] = {
	        /* A newline, a wrong last name, a duplicate made of a
	         * tabbed row, a bad type. */
	        "tank/c\tfilesystem\ta\tb\ttank/c\nrest\ttank/c\n",
	        "tank/c\tfilesystem\ta\tb\ttank/d\n",
	        "tank/c\tfilesystem\ta\tb\ttank/c\n"
	        "tank/c\tfilesystem\ton\ttank/c\n",
	        "tank/c\tpool\ta\tb\ttank/c\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = strdup(bad[i]);
		assert_int_equal(zfs_parse_datasets(&z, t, 1, &l), -1);
		assert_int_equal(l.n, 0);
		free(t);
	}
	/* No value asked for: no field may hold a tab. */
	char none[] = "tank/c\tfilesystem\tx\ttank/c\n";
	assert_int_equal(zfs_parse_datasets(&z, none, 0, &l), -1);
}

static void test_props_tab_in_value(void **state)
{
	struct zfs_prop_list l;
	(void)state;
	/* The value itself ends as a source and a name would: the fields
	 * are split off from the right, so the row is what zfs stored. */
	char text[] = "tank/c\torg.zeit:note\ta\tb\tlocal\ttank/c\n"
	              "tank/c\torg.zeit:x\tv\tinherited from tank\tlocal\t"
	              "tank/c\n"
	              "tank/c\torg.zeit:y\t\t\tinherited from tank\ttank/c\n";
	assert_int_equal(zfs_parse_props(&z, text, "zfs get", "npvsn", &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].value, "a\tb");
	assert_int_equal(l.v[0].source, ZFS_SRC_LOCAL);
	assert_string_equal(l.v[1].value, "v\tinherited from tank");
	assert_int_equal(l.v[1].source, ZFS_SRC_LOCAL);
	assert_string_equal(l.v[2].value, "\t");
	assert_int_equal(l.v[2].source, ZFS_SRC_INHERITED);
	assert_string_equal(l.v[2].inherited_from, "tank");
	zfs_prop_list_free(&l);
	char esc[] = "tank/c\torg.zeit:note\ta\tb\x1b[2Jc\tlocal\ttank/c\n";
	assert_int_equal(zfs_parse_props(&z, esc, "zfs get", "npvsn", &l), 0);
	assert_string_equal(l.v[0].value, "a\tb\x1b[2Jc");
	zfs_prop_list_free(&l);
	char pool[] = "tank\torg.zeit:x\ta\tb\ttank\n";
	assert_int_equal(zfs_parse_props(&z, pool, "zpool get", "npvn", &l), 0);
	assert_string_equal(l.v[0].value, "a\tb");
	zfs_prop_list_free(&l);
	/* No value column: a tab is a field too many. */
	char srcs[] = "tank\torg.zeit:x\tlocal\tx\n";
	assert_int_equal(zfs_parse_props(&z, srcs, "zpool get", "nps", &l), -1);
}

static void test_props(void **state)
{
	struct zfs_prop_list l;
	char text[] = "tank/a\torg.zeit:snap\ton\tlocal\ttank/a\n"
	              "tank/a/b\torg.zeit:snap\ton\tinherited from "
	              "tank/a\ttank/a/b\n"
	              "tank/a\tcompression\tlz4\tdefault\ttank/a\n"
	              "tank/a\torg.zeit:note\ta b\treceived\ttank/a\n"
	              "tank/a\torg.zeit:none\t-\t-\ttank/a\n"
	              "tank\tbootfs\ttank/ROOT/void\tlocal\ttank\n";
	(void)state;
	assert_int_equal(zfs_parse_props(&z, text, "zfs get", "npvsn", &l), 0);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.v[0].source, ZFS_SRC_LOCAL);
	assert_int_equal(l.v[1].source, ZFS_SRC_INHERITED);
	assert_string_equal(l.v[1].inherited_from, "tank/a");
	assert_int_equal(l.v[2].source, ZFS_SRC_DEFAULT);
	assert_string_equal(l.v[3].value, "a b");
	assert_int_equal(l.v[3].source, ZFS_SRC_RECEIVED);
	assert_int_equal(l.v[4].source, ZFS_SRC_NONE);
	const struct zfs_prop *p = zfs_prop_find(&l, "tank", "bootfs");
	assert_non_null(p);
	assert_string_equal(p->value, "tank/ROOT/void");
	assert_null(zfs_prop_find(&l, "tank", "nothing"));
	zfs_prop_list_free(&l);

	/* zpool get's two listings. */
	char vals[] = "tank\tbootfs\t-\ttank\ntank\torg.zeit:x\tb\ttank\n";
	assert_int_equal(zfs_parse_props(&z, vals, "zfs get", "npvn", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].value, "b");
	zfs_prop_list_free(&l);
	char srcs[] = "tank\tbootfs\tdefault\ntank\torg.zeit:x\tlocal\n";
	assert_int_equal(zfs_parse_props(&z, srcs, "zfs get", "nps", &l), 0);
	assert_int_equal(l.v[1].source, ZFS_SRC_LOCAL);
	assert_null(l.v[1].value);
	zfs_prop_list_free(&l);

	char bad_src[] = "tank\tx:y\tv\tsomewhere\ttank\n";
	assert_int_equal(zfs_parse_props(&z, bad_src, "zfs get", "npvsn", &l),
	                 -1);
	char too_few[] = "tank\tx:y\n";
	assert_int_equal(zfs_parse_props(&z, too_few, "zfs get", "npvsn", &l),
	                 -1);
}

static void test_props_forged(void **state)
{
	static const char *const forged[] = {
	        /* The value of org.zeit:note ends its row early and adds
	         * one for org.zeit:keep, which zfs prints too. */
	        "tank/c\torg.zeit:note\tx\tlocal\ttank/c\n"
	        "tank/c\torg.zeit:keep\tfrequent=0\tlocal\ttank/c\n"
	        "tank/c\torg.zeit:keep\t-\t-\ttank/c\n",
	        /* A middle line for another dataset; the last piece is a
	         * duplicate of the first. */
	        "tank/c\torg.zeit:note\tx\tlocal\ttank/c\n"
	        "tank/other\torg.zeit:keep\tfrequent=0\tlocal\ttank/other\n"
	        "tank/c\torg.zeit:note\ty\tlocal\ttank/c\n",
	        "tank/c\torg.zeit:note\tx\tinherited from a\nb\ttank/c\n",
	        "tank/c\torg.zeit:note\tx\tlocal\ttank/d\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		struct zfs_prop_list l;
		char *t = strdup(forged[i]);
		assert_int_equal(zfs_parse_props(&z, t, "zfs get", "npvsn", &l),
		                 -1);
		assert_int_equal(l.n, 0);
		assert_non_null(strstr(zeit_error(&z), "zfs get printed"));
		free(t);
	}
}

static void test_holds(void **state)
{
	struct zfs_hold_list l;
	char text[] = "tank/a@s1\tzeit:send:backup\t1764288000\n"
	              "tank/a@s1\tkeep\t1764288001\n";
	(void)state;
	assert_int_equal(zfs_parse_holds(&z, text, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].tag, "zeit:send:backup");
	assert_int_equal(l.v[1].timestamp, 1764288001);
	zfs_hold_list_free(&l);
	static const char *const bad[] = {
	        "tank/a@s1\tkeep\tThu Nov 27\n",
	        "tank/a@s1\ttag\twith tab\t1764288000\n",
	        "tank/a@s1\t\x1b[1m\t1764288000\n",
	        "tank/a@s1\tkeep\t1\ntank/a@s1\tkeep\t2\n",
	        "tank/a\tkeep\t1\n",
	        "tank/a@s1\t\t1\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = strdup(bad[i]);
		assert_int_equal(zfs_parse_holds(&z, t, &l), -1);
		assert_non_null(strstr(zeit_error(&z), "zfs holds printed"));
		free(t);
	}
	/* OpenZFS 2.1 (no -p): a date for people, kept as 0; the rest is
	 * checked the same. */
	char old[] = "tank/a@s1\tkeep\tTue Dec  1 14:00 2026\n";
	assert_int_equal(zfs_parse_holds_undated(&z, old, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].timestamp, 0);
	zfs_hold_list_free(&l);
	char forged[] = "tank/a@s1\tkeep\tTue \x1b[2J\n";
	assert_int_equal(zfs_parse_holds_undated(&z, forged, &l), -1);
	char tabbed[] = "tank/a@s1\tta\tg\tTue Dec  1 14:00 2026\n";
	assert_int_equal(zfs_parse_holds_undated(&z, tabbed, &l), -1);
}

/* ---- JSON, as OpenZFS 2.3 prints it ---- */

static void test_json_datasets(void **state)
{
	static const char text[] =
	        "{\"output_version\":{\"command\":\"zfs list\",\"vers_major\":"
	        "0,\"vers_minor\":1},\"datasets\":{\"tank\":{\"name\":\"tank\","
	        "\"type\":\"FILESYSTEM\",\"pool\":\"tank\",\"createtxg\":\"1\","
	        "\"properties\":{\"org.zeit:snap\":{\"value\":\"-\",\"source\":"
	        "{\"type\":\"NONE\",\"data\":\"-\"}},\"org.zeit:note\":{"
	        "\"value\":\"x\\ntank/other\\tfilesystem\\u001b\",\"source\":{"
	        "\"type\":\"LOCAL\",\"data\":\"-\"}}}},\"tank/vol\":{\"name\":"
	        "\"tank/vol\",\"type\":\"VOLUME\",\"properties\":{}}}}\n";
	const char *const props[] = {"org.zeit:snap", "org.zeit:note", NULL};
	struct zfs_dataset_list l;
	(void)state;
	assert_int_equal(zfs_parse_json_datasets(&z, text, props, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "tank");
	assert_string_equal(l.v[0].values[0], "-");
	/* The value is the value, newline and all; no row comes of it. */
	assert_string_equal(l.v[0].values[1], "x\ntank/other\tfilesystem\x1b");
	assert_int_equal(l.v[1].type, ZFS_TYPE_VOLUME);
	assert_string_equal(l.v[1].values[1], "-");
	zfs_dataset_list_free(&l);

	char empty[] = "{\"output_version\":{},\"datasets\":{}}\n";
	assert_int_equal(zfs_parse_json_datasets(&z, empty, props, &l), 0);
	assert_int_equal(l.n, 0);
	zfs_dataset_list_free(&l);

	static const char *const bad[] = {
	        "",
	        "{\"datasets\":",
	        /* zfs stops at a value that is not UTF-8 */
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"FILESYSTEM\",\"properties\":{\"a:b\":{\"value\":\"a\n",
	        "{\"datasets\":{}} trailing",
	        "{\"datasets\":[]}",
	        "{\"datasets\":{\"tank\":{\"name\":\"other\",\"type\":"
	        "\"FILESYSTEM\"}}}",
	        "{\"datasets\":{\"tank\\n\":{\"name\":\"tank\\n\",\"type\":"
	        "\"FILESYSTEM\"}}}",
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"POOL\"}}}",
	        "{\"datasets\":{\"tank@s\":{\"name\":\"tank@s\",\"type\":"
	        "\"FILESYSTEM\"}}}",
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"FILESYSTEM\",\"properties\":{\"org.zeit:snap\":{\"value\":"
	        "7}}}}}",
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\\u0000x\",\"type\":"
	        "\"FILESYSTEM\"}}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(zfs_parse_json_datasets(&z, bad[i], props, &l),
		                 -1);
		assert_int_equal(l.n, 0);
	}
}

static void test_json_props(void **state)
{
	static const char text[] =
	        "{\"output_version\":{\"command\":\"zfs get\"},\"datasets\":{"
	        "\"tank/a\":{\"name\":\"tank/a\",\"type\":\"FILESYSTEM\","
	        "\"properties\":{\"org.zeit:snap\":{\"value\":\"on\","
	        "\"source\":"
	        "{\"type\":\"LOCAL\",\"data\":\"-\"}},\"mountpoint\":{"
	        "\"value\":"
	        "\"/m/"
	        "a\",\"source\":{\"type\":\"INHERITED\",\"data\":\"tank\"}},"
	        "\"org.zeit:rr\":{\"value\":\"a\\nb\\tc\",\"source\":{\"type\":"
	        "\"RECEIVED\",\"data\":\"-\"}}}},\"tank/a@s\":{\"name\":"
	        "\"tank/a@s\",\"type\":\"SNAPSHOT\",\"properties\":{\"used\":{"
	        "\"value\":\"0\",\"source\":{\"type\":\"NONE\",\"data\":\"-\"}}"
	        ","
	        "\"readonly\":{\"value\":\"on\",\"source\":{\"type\":"
	        "\"TEMPORARY\",\"data\":\"-\"}},\"compression\":{\"value\":"
	        "\"on\",\"source\":{\"type\":\"DEFAULT\",\"data\":\"-\"}}}}}}";
	struct zfs_prop_list l;
	(void)state;
	assert_int_equal(zfs_parse_json_props(&z, text, &l), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.v[0].dataset, "tank/a");
	assert_string_equal(l.v[0].name, "org.zeit:snap");
	assert_int_equal(l.v[0].source, ZFS_SRC_LOCAL);
	assert_int_equal(l.v[1].source, ZFS_SRC_INHERITED);
	assert_string_equal(l.v[1].inherited_from, "tank");
	assert_string_equal(l.v[2].value, "a\nb\tc");
	assert_int_equal(l.v[2].source, ZFS_SRC_RECEIVED);
	assert_string_equal(l.v[3].dataset, "tank/a@s");
	assert_int_equal(l.v[3].source, ZFS_SRC_NONE);
	assert_int_equal(l.v[4].source, ZFS_SRC_TEMPORARY);
	assert_int_equal(l.v[5].source, ZFS_SRC_DEFAULT);
	zfs_prop_list_free(&l);

	static const char pool[] =
	        "{\"output_version\":{\"command\":\"zpool get\"},\"pools\":{"
	        "\"tank\":{\"name\":\"tank\",\"type\":\"POOL\",\"properties\":{"
	        "\"bootfs\":{\"value\":\"tank/ROOT/a\",\"source\":{\"type\":"
	        "\"LOCAL\",\"data\":\"-\"}}}}}}";
	assert_int_equal(zfs_parse_json_props(&z, pool, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].value, "tank/ROOT/a");
	zfs_prop_list_free(&l);

	static const char *const bad[] = {
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"FILESYSTEM\",\"properties\":{\"a:b\":{\"value\":\"v\","
	        "\"source\":{\"type\":\"ELSEWHERE\"}}}}}}",
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"FILESYSTEM\",\"properties\":{\"a:b\":{\"value\":\"v\","
	        "\"source\":{\"type\":\"INHERITED\",\"data\":\"x\\ny\"}}}}}}",
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"FILESYSTEM\",\"properties\":{\"a\\nb\":{\"value\":\"v\","
	        "\"source\":{\"type\":\"LOCAL\"}}}}}}",
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"FILESYSTEM\",\"properties\":{\"a:b\":{\"source\":{"
	        "\"type\":\"LOCAL\"}}}}}}",
	        "{\"datasets\":{\"tank\":{\"name\":\"tank\",\"type\":"
	        "\"FILESYSTEM\"}}}",
	        "{\"pools\":{\"tank/x\":{\"name\":\"tank/"
	        "x\",\"properties\":{}}}}",
	        "{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(zfs_parse_json_props(&z, bad[i], &l), -1);
		assert_int_equal(l.n, 0);
	}
}

static void test_name_within(void **state)
{
	(void)state;
	assert_true(zfs_name_within("tank/a", "tank/a", 0));
	assert_false(zfs_name_within("tank/a/b", "tank/a", 0));
	assert_true(zfs_name_within("tank/a/b", "tank/a", 1));
	assert_true(zfs_name_within("tank/a@s", "tank/a", 1));
	assert_false(zfs_name_within("tank/a/b@s", "tank/a", 1));
	assert_true(zfs_name_within("tank/a/b/c@s", "tank/a", -1));
	assert_false(zfs_name_within("tank/ab", "tank/a", -1));
	assert_false(zfs_name_within("tank/other", "tank/a", -1));
	assert_true(zfs_name_within("tank/a@s", "tank/a@s", -1));
	assert_false(zfs_name_within("tank/a@s/x", "tank/a@s", -1));
	assert_false(zfs_name_within("tank/a#b", "tank/a@s", -1));
}

static void test_name_under(void **state)
{
	(void)state;
	assert_true(zfs_name_under("tank/a", "tank/a"));
	assert_true(zfs_name_under("tank/a/b", "tank/a"));
	assert_true(zfs_name_under("tank/a/b/c@s", "tank/a"));
	assert_true(zfs_name_under("tank/a@x", "tank/a"));
	assert_true(zfs_name_under("tank/a#x", "tank/a"));
	assert_false(zfs_name_under("tank/ab", "tank/a"));
	assert_false(zfs_name_under("tank/ab@x", "tank/a"));
	assert_false(zfs_name_under("tank/a-b", "tank/a"));
	assert_false(zfs_name_under("tank", "tank/a"));
	assert_false(zfs_name_under("tank/", "tank/a"));
	/* Empty and odd roots hold nothing but themselves. */
	assert_false(zfs_name_under("", ""));
	assert_false(zfs_name_under("tank", ""));
	assert_false(zfs_name_under("/tank", ""));
	assert_false(zfs_name_under("", "tank"));
	assert_true(zfs_name_under("tank/a/", "tank/a/"));
	assert_false(zfs_name_under("tank/a/b", "tank/a/"));
	assert_false(zfs_name_under("tank/a//b", "tank/a/"));
	assert_true(zfs_name_under("tank/a@x", "tank/a@x"));
	assert_false(zfs_name_under("tank/a@x/y", "tank/a@x"));
	assert_false(zfs_name_under("tank/a@x@y", "tank/a@x"));
	assert_false(zfs_name_under("tank/a@xy", "tank/a@x"));
	assert_false(zfs_name_under("tank/a#x", "tank/a@x"));

	assert_true(zfs_name_of("tank/a", "tank/a"));
	assert_true(zfs_name_of("tank/a@x", "tank/a"));
	assert_true(zfs_name_of("tank/a#x", "tank/a"));
	assert_false(zfs_name_of("tank/a/b", "tank/a"));
	assert_false(zfs_name_of("tank/a/b@x", "tank/a"));
	assert_false(zfs_name_of("tank/ab@x", "tank/a"));
	assert_false(zfs_name_of("tank@x", "tank/a"));
	assert_false(zfs_name_of("tank/a@x", ""));
	assert_false(zfs_name_of("", ""));
}

static void test_snap_index(void **state)
{
	(void)state;
	struct zfs_snap v[] = {
	        {"tank/a@1", false, 1, 1},   {"tank/ab@1", false, 2, 2},
	        {"tank/a/b@1", false, 3, 3}, {"tank/a#m", true, 4, 4},
	        {"tank/a@2", false, 5, 5},   {NULL, false, 6, 6},
	        {"tank@1", false, 7, 7},     {"tank/a/b@2", false, 8, 8},
	};
	struct zfs_snap_list l = {v, sizeof(v) / sizeof(v[0])};
	struct zfs_snap_index ix;
	size_t n;

	zfs_snap_index_build(&ix, &l);
	const struct zfs_snap *const *a = zfs_snap_index_of(&ix, "tank/a", &n);
	assert_int_equal(n, 3);
	assert_string_equal(a[0]->name, "tank/a@1");
	assert_string_equal(a[1]->name, "tank/a#m");
	assert_string_equal(a[2]->name, "tank/a@2");
	a = zfs_snap_index_of(&ix, "tank/a/b", &n);
	assert_int_equal(n, 2);
	assert_int_equal(a[0]->guid, 3);
	assert_int_equal(a[1]->guid, 8);
	a = zfs_snap_index_of(&ix, "tank/ab", &n);
	assert_int_equal(n, 1);
	assert_int_equal(a[0]->guid, 2);
	zfs_snap_index_of(&ix, "tank", &n);
	assert_int_equal(n, 1);
	/* Names that are no dataset of the listing find nothing. */
	assert_null(zfs_snap_index_of(&ix, "tank/", &n));
	assert_int_equal(n, 0);
	assert_null(zfs_snap_index_of(&ix, "", &n));
	assert_null(zfs_snap_index_of(&ix, "tank/a@1", &n));
	assert_null(zfs_snap_index_of(&ix, "tank/a/b/c", &n));
	zfs_snap_index_free(&ix);

	/* An empty listing, and a large one that fills many slots. */
	struct zfs_snap_list e = {NULL, 0};
	zfs_snap_index_build(&ix, &e);
	assert_null(zfs_snap_index_of(&ix, "tank", &n));
	zfs_snap_index_free(&ix);
	enum { N = 3000 };
	struct zfs_snap *big = calloc(N, sizeof(*big));
	char(*names)[32] = calloc(N, 32);
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], 32, "p/d%zu@s%zu", i % 1000, i);
		big[i] = (struct zfs_snap){names[i], false, i, i};
	}
	struct zfs_snap_list bl = {big, N};
	zfs_snap_index_build(&ix, &bl);
	for (size_t d = 0; d < 1000; d++) {
		char ds[16];
		snprintf(ds, sizeof(ds), "p/d%zu", d);
		a = zfs_snap_index_of(&ix, ds, &n);
		assert_int_equal(n, 3);
		assert_int_equal(a[0]->guid, d);
		assert_int_equal(a[2]->guid, d + 2000);
	}
	zfs_snap_index_free(&ix);
	free(names);
	free(big);
}

static void test_send_size(void **state)
{
	uint64_t n = 0;
	(void)state;
	assert_int_equal(zfs_parse_send_size("incremental\ta\ttank/a@b\t1000\n"
	                                     "size\t123456\n",
	                                     &n),
	                 0);
	assert_int_equal(n, 123456);
	assert_int_equal(zfs_parse_send_size("full\ttank/a@b\t99\n", &n), -1);
	assert_int_equal(zfs_parse_send_size("size\tlots\n", &n), -1);
}

static void test_missing_roots(void **state)
{
	const char *roots[] = {"tank/src", "backup/src", NULL};
	static const struct {
		const char *err;
		int rc;
		bool m0, m1;
	} cases[] = {
	        {"", 0, false, false},
	        {"cannot open 'backup/src': dataset does not exist\n", 0, false,
	         true},
	        {"cannot open 'tank/src': dataset does not exist\n"
	         "cannot open 'backup/src': dataset does not exist\n",
	         0, true, true},
	        /* A name that is only a prefix of a root, or any other
	         * message, marks nothing: the caller reports zfs's error
	         * instead. */
	        {"cannot open 'backup/sr': dataset does not exist\n", -1, false,
	         false},
	        {"cannot open 'backup/src': dataset does not exist\n"
	         "cannot open 'tank/src': permission denied\n",
	         -1, false, false},
	        {"cannot open '': dataset does not exist\n", -1, false, false},
	        {"internal error: out of memory\n", -1, false, false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m[2] = {true, true};
		assert_int_equal(zfs_parse_missing(cases[i].err, roots, m),
		                 cases[i].rc);
		assert_int_equal(m[0], cases[i].m0);
		assert_int_equal(m[1], cases[i].m1);
	}
}

static void test_destroy_batches(void **state)
{
	const char *snaps[] = {"tank/a@1",   "tank/b@1", "tank/a@2",
	                       "tank/a b@3", "tank/a@3", NULL};
	struct strv b;
	(void)state;
	zfs_destroy_batches(snaps, 1000, &b);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.v[0], "tank/a@1,2,3");
	assert_string_equal(b.v[1], "tank/b@1");
	assert_string_equal(b.v[2], "tank/a b@3");
	strv_free(&b);

	/* Split to stay under the limit; nothing lost, nothing repeated. */
	const char *many[201];
	char names[200][32];
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "tank/ds@snap%03d", i);
		many[i] = names[i];
	}
	many[200] = NULL;
	zfs_destroy_batches(many, 100, &b);
	assert_true(b.n > 1);
	size_t total = 0;
	for (size_t i = 0; i < b.n; i++) {
		assert_true(strlen(b.v[i]) <= 100);
		assert_true(strncmp(b.v[i], "tank/ds@", 8) == 0);
		total++;
		for (const char *p = b.v[i]; *p; p++)
			total += *p == ',';
	}
	assert_int_equal(total, 200);
	strv_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_snapshots),
	        cmocka_unit_test(test_datasets),
	        cmocka_unit_test(test_datasets_forged),
	        cmocka_unit_test(test_datasets_tab_in_value),
	        cmocka_unit_test(test_props_tab_in_value),
	        cmocka_unit_test(test_props),
	        cmocka_unit_test(test_props_forged),
	        cmocka_unit_test(test_holds),
	        cmocka_unit_test(test_json_datasets),
	        cmocka_unit_test(test_json_props),
	        cmocka_unit_test(test_name_within),
	        cmocka_unit_test(test_name_under),
	        cmocka_unit_test(test_snap_index),
	        cmocka_unit_test(test_send_size),
	        cmocka_unit_test(test_missing_roots),
	        cmocka_unit_test(test_destroy_batches),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
