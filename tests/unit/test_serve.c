/* zeit serve's grammar, its stream header check and the resume-token
 * decoder, with what a hostile peer would send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/run.h"
#include "zeit/serve.h"

static struct zeit z;
static const char *const roots[] = {"backup/laptop", NULL};

static struct serve_opts recv_opts(bool prune, bool rollback)
{
	return (struct serve_opts){.roots = roots,
	                           .allow_prune = prune,
	                           .allow_rollback = rollback};
}

static const struct serve_opts send_opts = {.roots = roots, .send_side = true};

/* The checked argv as one line, or NULL when refused. */
static char *checked(const char *line, const struct serve_opts *o)
{
	struct serve_cmd c;
	zeit_clear_error(&z);
	if (serve_check(&z, line, o, &c) < 0)
		return NULL;
	char *s = argv_to_string((const char *const *)c.argv.v);
	serve_cmd_free(&c);
	return s;
}

static void accepts(const char *line, const struct serve_opts *o,
                    const char *want)
{
	char *got = checked(line, o);
	if (!got)
		fail_msg("refused '%s': %s", line, zeit_error(&z));
	if (want)
		assert_string_equal(got, want);
	free(got);
}

static void refuses(const char *line, const struct serve_opts *o,
                    const char *why)
{
	char *got = checked(line, o);
	if (got)
		fail_msg("accepted '%s' as '%s'", line, got);
	assert_non_null(strstr(zeit_error(&z), "permission denied"));
	if (why && !strstr(zeit_error(&z), why))
		fail_msg("'%s' refused without '%s': %s", line, why,
		         zeit_error(&z));
}

static void test_split(void **state)
{
	struct strv w;
	(void)state;
	assert_int_equal(
	        serve_split(&z, "zfs list -o 'a b' \"c\\\"d\" e\\ f", &w), 0);
	assert_int_equal(w.n, 6);
	assert_string_equal(w.v[3], "a b");
	assert_string_equal(w.v[4], "c\"d");
	assert_string_equal(w.v[5], "e f");
	strv_free(&w);
	/* What shell_quote writes splits back to the same words. */
	const char *words[] = {"zfs", "set", "org.zeit:x=it's", "a#b", NULL};
	struct buf b;
	buf_init(&b);
	shell_join(&b, words);
	assert_int_equal(serve_split(&z, b.data, &w), 0);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.v[2], "org.zeit:x=it's");
	assert_string_equal(w.v[3], "a#b");
	strv_free(&w);
	buf_free(&b);
	assert_int_equal(serve_split(&z, "zfs list; rm -rf /", &w), -1);
	assert_int_equal(serve_split(&z, "zfs list $(id)", &w), -1);
	assert_int_equal(serve_split(&z, "zfs list \"$HOME\"", &w), -1);
	assert_int_equal(serve_split(&z, "zfs list 'open", &w), -1);
	assert_int_equal(serve_split(&z, "zfs recv x > /etc/passwd", &w), -1);
	/* Control bytes, quoted or not: no value of zeit's holds one. */
	assert_int_equal(serve_split(&z, "zfs set 'a=x\ny' b", &w), -1);
	assert_int_equal(serve_split(&z, "zfs set \"a=\x1b[2J\" b", &w), -1);
	assert_int_equal(serve_split(&z, "zfs set a=\x7f b", &w), -1);
	assert_int_equal(serve_split(&z, "zfs list a\\\nb", &w), -1);
}

static void test_receive_side_accepts_replication(void **state)
{
	struct serve_opts o = recv_opts(false, false);
	(void)state;
	accepts("zfs list -H -p -o name,guid,createtxg -s createtxg -t "
	        "snapshot -r backup/laptop",
	        &o, NULL);
	accepts("zfs list -j --json-int -p -o name,guid -t snapshot -d1 "
	        "backup/laptop/home",
	        &o, NULL);
	accepts("zfs get -j -H -p -o name,value all backup/laptop", &o, NULL);
	/* Every receive: never mounted; the pins come once the stream's
	 * header is read. */
	accepts("zfs receive -s -o readonly=on backup/laptop/home", &o,
	        "zfs receive -s -u -o readonly=on backup/laptop/home");
	accepts("zfs receive -su -o 'org.zeit:last-sent=2026-11-01T00:00:00Z' "
	        "-o org.zeit:last-guid=123 -o "
	        "org.zeit:last-snapshot=zeit_daily_20261101T000000Z -o "
	        "org.zeit:source=laptop:tank/home backup/laptop/home",
	        &o, NULL);
	accepts("zfs receive -A backup/laptop/home", &o,
	        "zfs receive -A backup/laptop/home");
	accepts("zfs set org.zeit:last-guid=1 "
	        "'org.zeit:source=root@h:tank/home' backup/laptop",
	        &o, NULL);
	accepts("zfs create -o org.zeit:placeholder=backup/laptop/a -o "
	        "readonly=on backup/laptop/a",
	        &o,
	        "zfs create -u -o org.zeit:placeholder=backup/laptop/a -o "
	        "readonly=on -o canmount=off backup/laptop/a");
	struct serve_opts prune = recv_opts(true, false);
	accepts("zfs destroy backup/laptop/a@zeit_daily_20261101T000000Z,"
	        "zeit_daily_20261102T000000Z",
	        &prune, NULL);
	struct serve_opts rb = recv_opts(false, true);
	accepts("zfs rollback -r -f backup/laptop@zeit_daily_20261101T000000Z",
	        &rb, NULL);
	accepts("zfs receive -s -F backup/laptop/a", &rb,
	        "zfs receive -s -u -F backup/laptop/a");
}

static void test_receive_side_refuses(void **state)
{
	struct serve_opts o = recv_opts(false, false);
	struct serve_opts prune = recv_opts(true, false);
	(void)state;
	/* Other datasets, by prefix trickery too. */
	refuses("zfs receive -s -u backup/other", &o, "outside");
	refuses("zfs receive -s -u backup/laptopX", &o, "outside");
	refuses("zfs receive -s backup", &o, "outside");
	refuses("zfs list -H -o name", &o, NULL);
	refuses("zfs list -H backup/laptop -r backup/other", &o, NULL);
	/* Not replication at all. */
	refuses("sh -c id", &o, NULL);
	refuses("/sbin/zfs list backup/laptop", &o, NULL);
	refuses("zfs program backup /dev/stdin", &o, NULL);
	refuses("zpool destroy backup", &o, NULL);
	refuses("zfs send backup/laptop@a", &o, NULL);
	refuses("zfs hold keep backup/laptop@a", &o, NULL);
	/* Nothing destroys without the key saying so. */
	refuses("zfs destroy backup/laptop@zeit_daily_20261101T000000Z", &o,
	        "--allow-prune");
	refuses("zfs rollback -r backup/laptop@zeit_daily_20261101T000000Z", &o,
	        "--allow-rollback");
	refuses("zfs rollback backup/laptop@a", &o, "--allow-rollback");
	refuses("zfs receive -F backup/laptop/a", &o, "--allow-rollback");
	refuses("zfs receive -sF backup/laptop/a", &o, "--allow-rollback");
	/* And with it, only zeit's snapshots under the roots. */
	refuses("zfs destroy -r backup/laptop", &prune, NULL);
	refuses("zfs destroy backup/laptop", &prune, "only snapshots");
	refuses("zfs destroy backup/laptop@a%b", &prune, NULL);
	refuses("zfs destroy backup/laptop@manual", &prune, "zeit made");
	refuses("zfs destroy otherpool/x@", &prune, "outside");
	refuses("zfs destroy backup/laptop@", &prune, NULL);
	refuses("zfs destroy backup/laptop@zeit_daily_20261101T000000Z,",
	        &prune, NULL);
	refuses("zfs destroy backup/other@zeit_daily_20261101T000000Z", &prune,
	        "outside");
	refuses("zfs destroy backup/laptop#zeitsend-1-x", &prune, NULL);
	/* Properties: zeit's bookkeeping only, each in its format. */
	refuses("zfs receive -o mountpoint=/ backup/laptop/a", &o, NULL);
	refuses("zfs receive -o canmount=on backup/laptop/a", &o, NULL);
	refuses("zfs receive -x canmount backup/laptop/a", &o, NULL);
	refuses("zfs receive -d backup/laptop", &o, NULL);
	refuses("zfs receive -e backup/laptop", &o, NULL);
	refuses("zfs set mountpoint=/ backup/laptop", &o, NULL);
	refuses("zfs set org.zeit:keep=frequent=0 backup/laptop", &o, NULL);
	refuses("zfs set org.zeit:snap=off backup/laptop", &o, NULL);
	refuses("zfs set org.zeit:placeholder=backup/laptop backup/laptop", &o,
	        NULL);
	refuses("zfs set org.zeit:last-guid=12x backup/laptop", &o, NULL);
	refuses("zfs set org.zeit:last-sent=yesterday backup/laptop", &o, NULL);
	refuses("zfs set org.zeit:last-snapshot=a/b backup/laptop", &o, NULL);
	refuses("zfs set org.zeit:source=nohost backup/laptop", &o, NULL);
	refuses("zfs set readonly=off backup/laptop", &o, NULL);
	refuses("zfs create -o org.zeit:placeholder=backup/laptop/b "
	        "backup/laptop/a",
	        &o, NULL);
	refuses("zfs create -o mountpoint=/usr/local/sbin backup/laptop/a", &o,
	        NULL);
	refuses("zfs create -p backup/laptop/a/b", &o, NULL);
	/* Options after names (zfs's getopt would still read them). */
	refuses("zfs receive backup/laptop/a -F", &o, NULL);
	refuses("zfs list backup/laptop --json-int", &o, NULL);
	refuses("zfs list --json backup/laptop", &o, NULL);
}

static void test_send_side(void **state)
{
	(void)state;
	accepts("zfs list -H -p -o name,origin,encryption -t "
	        "filesystem,volume -r backup/laptop",
	        &send_opts, NULL);
	accepts("zfs send -w backup/laptop/a@zeit_daily_20261101T000000Z",
	        &send_opts, NULL);
	accepts("zfs send -Lce -I backup/laptop/a@x backup/laptop/a@y",
	        &send_opts,
	        "zfs send -L -c -e -I backup/laptop/a@x "
	        "backup/laptop/a@y");
	accepts("zfs send -n -v -P -w -i backup/laptop/a#zeitsend-1-x "
	        "backup/laptop/a@y",
	        &send_opts, NULL);
	accepts("zfs send -t 1-abc-10-789c", &send_opts, NULL);
	accepts("zfs hold zeit-send:host:backup/r backup/laptop/a@y",
	        &send_opts, NULL);
	accepts("zfs release zeit-send:host:backup/r backup/laptop/a@y "
	        "backup/laptop/b@y",
	        &send_opts, NULL);
	accepts("zfs holds -H -p backup/laptop/a@y", &send_opts, NULL);
	accepts("zfs bookmark backup/laptop/a@y "
	        "backup/laptop/a#zeitsend-0123456789abcdef-y",
	        &send_opts, NULL);
	accepts("zfs destroy backup/laptop/a#zeitsend-0123456789abcdef-y",
	        &send_opts, NULL);
	/* A pull's source destroys, receives and changes nothing. */
	refuses("zfs destroy backup/laptop/a@zeit_daily_20261101T000000Z",
	        &send_opts, NULL);
	refuses("zfs destroy backup/laptop/a#mine", &send_opts, NULL);
	refuses("zfs receive -s backup/laptop/a", &send_opts, NULL);
	refuses("zfs rollback backup/laptop/a@y", &send_opts, NULL);
	refuses("zfs set org.zeit:last-guid=1 backup/laptop", &send_opts, NULL);
	refuses("zfs create backup/laptop/n", &send_opts, NULL);
	refuses("zfs send backup/other@y", &send_opts, "outside");
	refuses("zfs send -R backup/laptop@y", &send_opts, NULL);
	refuses("zfs send -p backup/laptop@y", &send_opts, NULL);
	refuses("zfs send -i backup/other@x backup/laptop@y", &send_opts,
	        "outside");
	refuses("zfs send -t tok backup/laptop@y", &send_opts, NULL);
	refuses("zfs hold keep backup/laptop/a@y", &send_opts, "hold tags");
	refuses("zfs release keep backup/laptop/a@y", &send_opts, NULL);
	refuses("zfs hold zeit-send:x backup/other@y", &send_opts, "outside");
	refuses("zfs bookmark backup/laptop/a@y backup/laptop/a#mine",
	        &send_opts, NULL);
	refuses("zfs bookmark backup/laptop/a@y backup/other#zeitsend-1-y",
	        &send_opts, "outside");
}

/* A stream's BEGIN record: type, magic, version info, objset type. */
static void begin_record(unsigned char *r, uint64_t versioninfo, uint32_t ost)
{
	memset(r, 0, 312);
	uint64_t magic = 0x2F5bacbacULL;
	memcpy(r + 8, &magic, 8);
	memcpy(r + 16, &versioninfo, 8);
	memcpy(r + 32, &ost, 4);
	memcpy(r + 56, "tank/a@s", 8);
}

static void test_stream_header_and_pins(void **state)
{
	unsigned char r[312];
	struct zfs_stream_head s;
	(void)state;
	begin_record(r, 0x11, 2);
	assert_int_equal(zfs_stream_head_parse(&z, r, sizeof(r), &s), 0);
	assert_false(s.props);
	assert_false(s.volume);
	assert_string_equal(s.toname, "tank/a@s");
	struct strv a;
	strv_init(&a);
	zfs_recv_pins(s.volume, &a);
	char *line = argv_to_string((const char *const *)a.v);
	assert_string_equal(line, "-o canmount=noauto -o setuid=off -o "
	                          "devices=off -o exec=off -x mountpoint -x "
	                          "sharenfs -x sharesmb");
	free(line);
	strv_free(&a);
	begin_record(r, 0x11, 3);
	assert_int_equal(zfs_stream_head_parse(&z, r, sizeof(r), &s), 0);
	assert_true(s.volume);
	strv_init(&a);
	zfs_recv_pins(s.volume, &a);
	line = argv_to_string((const char *const *)a.v);
	assert_string_equal(line, "-o volmode=none");
	free(line);
	strv_free(&a);
	/* send -p and -R: compound streams whose payload (an nvlist)
	 * carries properties. */
	begin_record(r, 0x2, 0);
	uint32_t payload = 0x20c;
	memcpy(r + 4, &payload, 4);
	assert_int_equal(zfs_stream_head_parse(&z, r, sizeof(r), &s), 0);
	assert_true(s.props);
	/* send -I: a package without payload, judged by its first
	 * substream, after an END record. */
	unsigned char pkg[3 * 312];
	begin_record(pkg, 0x2, 0);
	memset(pkg + 312, 0, 312);
	pkg[312] = 5;
	begin_record(pkg + 624, 0x11, 3);
	assert_int_equal(zfs_stream_head_parse(&z, pkg, sizeof(pkg), &s), 0);
	assert_false(s.props);
	assert_true(s.volume);
	assert_int_equal(zfs_stream_head_parse(&z, pkg, 312, &s), -1);
	pkg[312] = 0;
	assert_int_equal(zfs_stream_head_parse(&z, pkg, sizeof(pkg), &s), -1);
	pkg[312] = 5;
	begin_record(pkg + 624, 0x2, 0);
	memcpy(pkg + 628, &payload, 4);
	assert_int_equal(zfs_stream_head_parse(&z, pkg, sizeof(pkg), &s), -1);
	/* Not a stream, or a short one. */
	begin_record(r, 0x11, 2);
	r[8] ^= 1;
	assert_int_equal(zfs_stream_head_parse(&z, r, sizeof(r), &s), -1);
	begin_record(r, 0x11, 2);
	assert_int_equal(zfs_stream_head_parse(&z, r, 100, &s), -1);
	begin_record(r, 0x11, 9);
	assert_int_equal(zfs_stream_head_parse(&z, r, sizeof(r), &s), -1);
	begin_record(r, 0x11, 2);
	r[0] = 1;
	assert_int_equal(zfs_stream_head_parse(&z, r, sizeof(r), &s), -1);
}

/* Tokens OpenZFS 2.3 wrote for interrupted receives: a plain full send
 * of tank/a@s1, and a raw one of the encrypted tank/e@s1. */
static const char plain_token[] =
        "1-922704a2d-b8-789c636064000310a500c4ec50360710e72765a52697303030"
        "419460caa7a515a7968064bce0f26c48f2499525a9c5403ac0c207abfe92fcf4d2"
        "cc1406862269b14bd72c25c43490e439c1f27989b9a9403a312f5b3fd1a1d89001"
        "0100c61b1424";
static const char raw_token[] =
        "1-e8ab1124a-f0-789c636064000310a500c4ec50360710e72765a52697303030"
        "419460caa7a515a7968064bce0f26c48f2499525a9c5405ac6ce07abfe92fcf4d2"
        "cc14a0fc4bce60f915d3043590e439c1f27989b9a9403a312f5b3fd5a1d810c91d"
        "dc0c087727e7e71614a51617e76743c424a0ee80c9172596c3a41800ec751acc";

static void test_resume_tokens(void **state)
{
	struct zfs_resume_token t;
	(void)state;
	assert_int_equal(zfs_resume_token_decode(&z, plain_token, &t), 0);
	assert_string_equal(t.toname, "tank/a@s1");
	assert_true(t.toguid == 0x161839d6d2161b72ULL);
	assert_false(t.raw);
	assert_false(t.incremental);
	assert_true(t.bytes == 0x4c3850);
	assert_int_equal(zfs_resume_token_decode(&z, raw_token, &t), 0);
	assert_string_equal(t.toname, "tank/e@s1");
	assert_true(t.toguid == 0x1196a81f5309e91cULL);
	assert_true(t.raw);
	assert_true(t.compressed);

	/* Anything else is corrupt: a changed byte, a changed checksum, a
	 * short one, junk. */
	char *bad = strdup(raw_token);
	bad[strlen(bad) - 3] ^= 1;
	assert_int_equal(zfs_resume_token_decode(&z, bad, &t), -1);
	assert_non_null(strstr(zeit_error(&z), "corrupt"));
	bad[strlen(bad) - 3] ^= 1;
	bad[2] = bad[2] == 'e' ? 'f' : 'e';
	assert_int_equal(zfs_resume_token_decode(&z, bad, &t), -1);
	free(bad);
	bad = strndup(raw_token, sizeof(raw_token) - 11);
	assert_int_equal(zfs_resume_token_decode(&z, bad, &t), -1);
	free(bad);
	const char *junk[] = {
	        "",        "1",         "1-",
	        "1-0-0-",  "2-1-1-00",  "1-x-1-00",
	        "-1-1-00", "1-0-f0-zz", "1-11111111111111111-1-00"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(zfs_resume_token_decode(&z, junk[i], &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_split),
	        cmocka_unit_test(test_receive_side_accepts_replication),
	        cmocka_unit_test(test_receive_side_refuses),
	        cmocka_unit_test(test_send_side),
	        cmocka_unit_test(test_stream_header_and_pins),
	        cmocka_unit_test(test_resume_tokens),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
