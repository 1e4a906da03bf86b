/* Connection sharing: which user arguments already decide it, and the
 * private socket directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zeit/ssh_share.h"

static bool decide(const char *a, const char *b, const char *c)
{
	const char *v[] = {a, b, c, NULL};
	return ssh_opts_decide_sharing(v);
}

static void test_user_choices_are_seen(void **state)
{
	(void)state;
	assert_true(decide("-oControlMaster=no", NULL, NULL));
	assert_true(decide("-ocontrolpath=/run/x-%C", NULL, NULL));
	assert_true(decide("-o", "ControlPath /run/x", NULL));
	assert_true(decide("-o", "  controlpersist=60", NULL));
	assert_true(decide("-p2222", "-o", "ControlMaster=auto"));
	assert_true(decide("-S", "/run/sock", NULL));
	assert_true(decide("-CS/run/sock", NULL, NULL));
	assert_true(decide("-M", NULL, NULL));
	assert_true(decide("-Co", "ControlMaster=no", NULL));
}

static void test_other_options_are_not_choices(void **state)
{
	(void)state;
	const char *none[] = {NULL};
	assert_false(ssh_opts_decide_sharing(none));
	assert_false(ssh_opts_decide_sharing(NULL));
	assert_false(decide("-p2222", "-i/root/.ssh/backup", "-C"));
	assert_false(decide("-oStrictHostKeyChecking=no", NULL, NULL));
	/* An argument that happens to hold the letters is not a flag. */
	assert_false(decide("-i", "-SM", NULL));
	assert_false(decide("-p", "2222", "ControlMaster=no"));
	assert_false(decide("-iSM/key", NULL, NULL));
	/* A longer option that only starts with the key. */
	assert_false(decide("-oControlPathX=1", NULL, NULL));
}

static void test_options_added_once(void **state)
{
	(void)state;
	char dir[] = "/tmp/zst.XXXXXX";
	assert_non_null(mkdtemp(dir));
	setenv("XDG_RUNTIME_DIR", dir, 1);

	struct strv o;
	strv_init(&o);
	strv_push(&o, "-p2222");
	ssh_share_add(&o, "backup");
	assert_int_equal(o.n, 4);
	assert_string_equal(o.v[1], "-oControlMaster=auto");
	char want[128];
	snprintf(want, sizeof(want), "-oControlPath=%s/zeit-ssh/%%C-", dir);
	assert_true(!strncmp(o.v[2], want, strlen(want)));
	assert_int_equal(strlen(o.v[2]), strlen(want) + 16);
	char *first = strdup(o.v[2]);
	assert_true(ssh_opts_decide_sharing((const char *const *)o.v));
	/* Options that decide already are left as they are. */
	ssh_share_add(&o, "backup");
	assert_int_equal(o.n, 4);
	strv_free(&o);

	/* Another key to the same host gets a connection of its own. */
	strv_init(&o);
	strv_push(&o, "-p2222");
	strv_push(&o, "-i/root/.ssh/other");
	ssh_share_add(&o, "backup");
	assert_int_equal(o.n, 5);
	assert_string_not_equal(o.v[3], first);
	strv_free(&o);
	/* The same arguments: the same connection. */
	strv_init(&o);
	strv_push(&o, "-p2222");
	ssh_share_add(&o, "backup");
	assert_string_equal(o.v[2], first);
	strv_free(&o);
	/* Another alias of what may be the same host (ssh_config gives each
	 * its own key): a connection of its own too. */
	strv_init(&o);
	strv_push(&o, "-p2222");
	ssh_share_add(&o, "backup-other-key");
	assert_string_not_equal(o.v[2], first);
	strv_free(&o);
	free(first);

	char sub[160];
	snprintf(sub, sizeof(sub), "%s/zeit-ssh", dir);
	struct stat st;
	assert_int_equal(lstat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	rmdir(sub);
	rmdir(dir);
}

static void test_unsafe_directory_refused(void **state)
{
	(void)state;
	char dir[] = "/tmp/zst.XXXXXX";
	char buf[128], sub[160], target[160], tmp[64];
	assert_non_null(mkdtemp(dir));
	setenv("XDG_RUNTIME_DIR", dir, 1);
	snprintf(sub, sizeof(sub), "%s/zeit-ssh", dir);
	snprintf(tmp, sizeof(tmp), "/tmp/zeit-ssh-%u", (unsigned)geteuid());

	/* Open to others: not used; the one in /tmp is. */
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_true(ssh_share_dir(buf, sizeof(buf)));
	assert_string_equal(buf, tmp);
	rmdir(sub);

	/* A link, even to a private directory: not used. */
	snprintf(target, sizeof(target), "%s/real", dir);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, sub), 0);
	assert_true(ssh_share_dir(buf, sizeof(buf)));
	assert_string_equal(buf, tmp);
	unlink(sub);
	rmdir(target);

	/* A runtime directory others can enter is not trusted. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_true(ssh_share_dir(buf, sizeof(buf)));
	assert_string_equal(buf, tmp);
	assert_int_equal(chmod(dir, 0700), 0);

	/* A runtime directory too long for a socket path. */
	char deep[200];
	snprintf(deep, sizeof(deep), "%s/%s", dir,
	         "a-directory-name-long-enough-to-overflow-a-socket-path");
	assert_int_equal(mkdir(deep, 0700), 0);
	setenv("XDG_RUNTIME_DIR", deep, 1);
	assert_true(ssh_share_dir(buf, sizeof(buf)));
	assert_string_equal(buf, tmp);
	rmdir(deep);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_user_choices_are_seen),
	        cmocka_unit_test(test_other_options_are_not_choices),
	        cmocka_unit_test(test_options_added_once),
	        cmocka_unit_test(test_unsafe_directory_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
