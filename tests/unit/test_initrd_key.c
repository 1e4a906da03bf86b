/* initrd_key.h and secret.h: the key's cpio archive read back entry by
 * entry as the kernel would, hostile encryption root names, a buffer too
 * small, the memfd image (archive, then the initramfs byte for byte) and
 * its wipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/initrd_key.h"
#include "zeit/secret.h"

struct ent {
	char name[128];
	unsigned mode;
	const char *data;
	size_t size;
};

static unsigned hex8(const char *p)
{
	char b[9];
	memcpy(b, p, 8);
	b[8] = '\0';
	return (unsigned)strtoul(b, NULL, 16);
}

/* Reads the newc archive at a: up to max entries, the trailer last. */
static size_t parse(const char *a, size_t len, struct ent *e, size_t max)
{
	size_t off = 0, n = 0;
	while (n < max) {
		assert_true(off + 110 <= len);
		assert_memory_equal(a + off, "070701", 6);
		const char *h = a + off;
		unsigned mode = hex8(h + 14), size = hex8(h + 54),
		         nsize = hex8(h + 94);
		off += 110;
		assert_true(off + nsize <= len);
		assert_int_equal(a[off + nsize - 1], '\0');
		snprintf(e[n].name, sizeof(e[n].name), "%s", a + off);
		off = (off + nsize + 3) & ~(size_t)3;
		e[n].mode = mode;
		e[n].data = a + off;
		e[n].size = size;
		off = (off + size + 3) & ~(size_t)3;
		if (!strcmp(e[n++].name, "TRAILER!!!"))
			break;
	}
	return n;
}

static const struct ent *find(const struct ent *e, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

static void the_archive_carries_key_root_and_hook(void **state)
{
	(void)state;
	struct secret s = {0};
	assert_int_equal(secret_init(&s), 0);
	assert_int_equal(secret_set(&s, "correct horse", 13), 0);
	char a[8192];
	size_t n = initrd_key_archive(a, sizeof(a), "rpool/ROOT", &s);
	assert_true(n > 0);
	assert_int_equal(n % 512, 0);
	struct ent e[16];
	size_t ne = parse(a, n, e, 16);
	assert_string_equal(e[ne - 1].name, "TRAILER!!!");
	/* Directories come before what they hold. */
	assert_string_equal(e[0].name, "etc");
	assert_int_equal(e[0].mode, 0040755);
	assert_string_equal(e[1].name, "etc/zfs");
	assert_string_equal(e[2].name, "etc/zfs/initramfs-tools-load-key.d");
	assert_int_equal(e[2].mode, 0040755);
	assert_string_equal(e[3].name, INITRD_KEY_HOOK);
	const struct ent *k = find(e, ne, INITRD_KEY_DIR "/key");
	assert_non_null(k);
	assert_int_equal(k->mode, 0100600);
	assert_int_equal(k->size, 14);
	assert_memory_equal(k->data, "correct horse\n", 14);
	const struct ent *r = find(e, ne, INITRD_KEY_DIR "/encryptionroot");
	assert_non_null(r);
	assert_int_equal(r->size, 11);
	assert_memory_equal(r->data, "rpool/ROOT\n", 11);
	const struct ent *d = find(e, ne, INITRD_KEY_DIR);
	assert_non_null(d);
	assert_int_equal(d->mode, 0040700);
	const struct ent *h = find(e, ne, INITRD_KEY_HOOK);
	assert_non_null(h);
	char hook[4096];
	assert_true(h->size < sizeof(hook));
	memcpy(hook, h->data, h->size);
	hook[h->size] = '\0';
	assert_non_null(strstr(hook, "load-key -L prompt \"$ENCRYPTIONROOT\""));
	assert_non_null(strstr(hook, "1<>\"$zeit_dir/key\""));
	assert_non_null(strstr(hook, "rm -f \"$zeit_dir/key\""));
	assert_non_null(strstr(hook, "the key of $ENCRYPTIONROOT came from"));
	/* The key's page is as it was: no newline left after it. */
	assert_int_equal(s.len, 13);
	assert_int_equal(s.p[13], '\0');
	secret_free(&s);
	assert_null(s.p);
}

static void odd_roots_and_small_buffers_are_refused(void **state)
{
	(void)state;
	struct secret s = {0};
	assert_int_equal(secret_init(&s), 0);
	assert_int_equal(secret_set(&s, "pw", 2), 0);
	char a[8192];
	/* A newline would split the name the hook reads. */
	assert_int_equal(initrd_key_archive(a, sizeof(a), "rpool/RO\nOT", &s),
	                 0);
	assert_int_equal(initrd_key_archive(a, sizeof(a), "", &s), 0);
	char big[1100];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(initrd_key_archive(a, sizeof(a), big, &s), 0);
	/* Too small: nothing of the key is left behind in it. */
	char small[700];
	assert_int_equal(initrd_key_archive(small, sizeof(small), "r", &s), 0);
	for (size_t i = 0; i < sizeof(small); i++)
		assert_int_equal(small[i], 0);
	/* The longest passphrase fits; one byte more does not. */
	char pw[SECRET_MAX + 1];
	memset(pw, 'x', sizeof(pw));
	assert_int_equal(secret_set(&s, pw, SECRET_MAX), 0);
	assert_true(initrd_key_archive(a, sizeof(a), "r", &s) > 0);
	assert_int_equal(secret_set(&s, pw, SECRET_MAX + 1), -1);
	assert_int_equal(errno, EOVERFLOW);
	secret_free(&s);
	secret_free(&s);
}

static void the_image_is_archive_then_initramfs_and_wipes(void **state)
{
	(void)state;
	char path[] = "/tmp/zeit-initrd-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	/* Bigger than one read, not a multiple of it. */
	size_t len = 200000;
	char *body = malloc(len);
	for (size_t i = 0; i < len; i++)
		body[i] = (char)(i * 7 + 3);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	struct secret s = {0};
	assert_int_equal(secret_init(&s), 0);
	assert_int_equal(secret_set(&s, "hunter2", 7), 0);
	struct initrd_key k;
	assert_int_equal(initrd_key_build(&k, fd, "tank/enc", &s), 0);
	assert_true(k.prefix_len > 0 && k.prefix_len % 512 == 0);
	off_t total = lseek(k.fd, 0, SEEK_END);
	assert_int_equal(total, (off_t)(k.prefix_len + len));
	char *img = malloc((size_t)total);
	assert_int_equal(pread(k.fd, img, (size_t)total, 0), total);
	struct ent e[16];
	size_t ne = parse(img, k.prefix_len, e, 16);
	assert_non_null(find(e, ne, INITRD_KEY_DIR "/key"));
	assert_memory_equal(img + k.prefix_len, body, len);
	int keep = dup(k.fd);
	initrd_key_wipe(&k);
	assert_int_equal(k.fd, -1);
	size_t pre = (size_t)total - len;
	assert_int_equal(pread(keep, img, (size_t)total, 0), total);
	for (size_t i = 0; i < pre; i++)
		assert_int_equal(img[i], 0);
	assert_memory_equal(img + pre, body, len);
	assert_null(memmem(img, (size_t)total, "hunter2", 7));
	close(keep);
	/* An unreadable initramfs: an error, nothing left open. */
	assert_int_equal(initrd_key_build(&k, -1, "tank/enc", &s), -1);
	assert_int_equal(k.fd, -1);
	secret_free(&s);
	free(img);
	free(body);
	close(fd);
}

/* The hook as Debian's zfs script runs it (sourced in a subshell by sh,
 * ENCRYPTIONROOT and ZFS set), its directory moved into a temporary one
 * and zfs a script that keeps what it read: the key goes to load-key on
 * stdin, is overwritten and removed; another root's key is left alone. */
static void the_hook_loads_erases_and_says_so(void **state)
{
	(void)state;
	struct secret s = {0};
	assert_int_equal(secret_init(&s), 0);
	assert_int_equal(secret_set(&s, "open sesame", 11), 0);
	char a[8192];
	size_t n = initrd_key_archive(a, sizeof(a), "rpool/ROOT", &s);
	struct ent e[16];
	size_t ne = parse(a, n, e, 16);
	char dir[] = "/tmp/zeit-hook-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *names[] = {INITRD_KEY_HOOK, INITRD_KEY_DIR "/key",
	                       INITRD_KEY_DIR "/encryptionroot"};
	const char *files[] = {"hook", "key", "encryptionroot"};
	char p[256], cmd[1024];
	for (size_t i = 0; i < 3; i++) {
		const struct ent *f = find(e, ne, names[i]);
		assert_non_null(f);
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		FILE *fp = fopen(p, "w");
		assert_non_null(fp);
		assert_int_equal(fwrite(f->data, 1, f->size, fp), f->size);
		fclose(fp);
	}
	snprintf(p, sizeof(p), "%s/zfs", dir);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\necho \"$*\" >%s/args\ncat >%s/stdin\n", dir,
	        dir);
	fclose(fp);
	/* Another root's turn: nothing happens. */
	snprintf(cmd, sizeof(cmd),
	         "cd %s && chmod +x zfs && zeit_dir=%s ZFS=%s/zfs "
	         "ENCRYPTIONROOT=rpool/OTHER sh -c '(. ./hook)' >out 2>&1; "
	         "test ! -e args && test -s key",
	         dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(
	        cmd, sizeof(cmd),
	        "cd %s && zeit_dir=%s ZFS=%s/zfs ENCRYPTIONROOT=rpool/ROOT "
	        "sh -c '(. ./hook)' >out 2>&1 && "
	        "grep -qx 'load-key -L prompt rpool/ROOT' args && "
	        "printf 'open sesame\\n' | cmp -s - stdin && "
	        "test ! -e key && test ! -e encryptionroot && "
	        "grep -qx 'zeit-menu: the key of rpool/ROOT came from the boot "
	        "menu' out",
	        dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	secret_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(the_archive_carries_key_root_and_hook),
	        cmocka_unit_test(odd_roots_and_small_buffers_are_refused),
	        cmocka_unit_test(the_image_is_archive_then_initramfs_and_wipes),
	        cmocka_unit_test(the_hook_loads_erases_and_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
