/* Kernels in a boot environment's /boot, found the way zfsbootmenu looks:
 * by name, each paired with the initramfs built for it. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zeit/be.h"
#include "zeit/rootfile.h"
#include "zeit/vercmp.h"

static const char *const kernel_prefixes[] = {"vmlinuz-", "vmlinux-", "linux-",
                                              NULL};

static bool has(const char *const *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(files[i], name))
			return true;
	return false;
}

static char *find_initrd(const char *const *files, size_t n, const char *ver)
{
	static const char *const forms[] = {"initrd.img-%s",
	                                    "initramfs-%s.img",
	                                    "initramfs-%s",
	                                    "initrd-%s",
	                                    "initrd-%s.img",
	                                    "initramfs-%s.gz",
	                                    NULL};
	static const char *const bare[] = {"initrd.img", "initramfs.img",
	                                   "initrd", NULL};

	if (!*ver) {
		for (size_t i = 0; bare[i]; i++)
			if (has(files, n, bare[i]))
				return xstrdup(bare[i]);
		return NULL;
	}
	for (size_t i = 0; forms[i]; i++) {
		char *cand = xasprintf(forms[i], ver);
		if (has(files, n, cand))
			return cand;
		free(cand);
	}
	return NULL;
}

static int newest_first(const void *a, const void *b)
{
	const struct be_kernel *x = a, *y = b;
	int c = vercmp_dpkg(y->version, x->version);
	return c ? c : strcmp(x->kernel, y->kernel);
}

void be_find_kernels(const char *const *files, size_t n,
                     struct be_kernel_list *out)
{
	out->v = NULL;
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		const char *f = files[i], *ver = NULL;
		if (!strcmp(f, "vmlinuz") || !strcmp(f, "vmlinux"))
			ver = "";
		for (size_t p = 0; !ver && kernel_prefixes[p]; p++)
			if (str_starts(f, kernel_prefixes[p]) &&
			    f[strlen(kernel_prefixes[p])])
				ver = f + strlen(kernel_prefixes[p]);
		/* Not kernels: signatures, configs, maps and backups. */
		if (!ver || strstr(f, ".sig") || strstr(f, ".old") ||
		    strstr(f, ".bak") || strstr(f, ".dpkg-"))
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = (struct be_kernel){
		        xstrdup(f), find_initrd(files, n, ver), xstrdup(ver)};
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), newest_first);
}

int be_kernels_at(struct zeit *z, int root, struct be_kernel_list *out)
{
	struct strv files;
	struct dirent *e;

	out->v = NULL;
	out->n = 0;
	int fd = rootdir_open(z, root, "boot");
	if (fd < 0) {
		/* No /boot the environment could use itself (missing, not a
		 * directory, a symlink that loops inside it): no kernels,
		 * and the other environments still list. */
		if (z->err != ENOENT && z->err != ENOTDIR && z->err != ELOOP)
			return -1;
		zeit_clear_error(z);
		return 0;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return zeit_fail(z, errno, "cannot read /boot: %s",
		                 strerror(errno));
	}
	strv_init(&files);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			strv_push(&files, e->d_name);
	closedir(d);
	be_find_kernels((const char *const *)files.v, files.n, out);
	strv_free(&files);
	return 0;
}

void be_kernel_list_free(struct be_kernel_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].kernel);
		free(l->v[i].initrd);
		free(l->v[i].version);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
