/* Locked, undumpable memory for passphrases. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zeit/secret.h"

static size_t page_len(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t n = ps > 0 ? (size_t)ps : 4096;
	return ((SECRET_MAX + 2) + n - 1) / n * n;
}

int secret_init(struct secret *s)
{
	size_t n = page_len();
	s->len = 0;
	s->p = mmap(NULL, n, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->p == MAP_FAILED) {
		s->p = NULL;
		return -1;
	}
	/* Never on a swap device, never in a core file. */
	if (mlock(s->p, n) < 0) {
		int e = errno;
		munmap(s->p, n);
		s->p = NULL;
		errno = e;
		return -1;
	}
	madvise(s->p, n, MADV_DONTDUMP);
	return 0;
}

int secret_set(struct secret *s, const char *data, size_t len)
{
	if (len > SECRET_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	explicit_bzero(s->p, SECRET_MAX + 2);
	memcpy(s->p, data, len);
	s->len = len;
	return 0;
}

void secret_free(struct secret *s)
{
	if (!s->p)
		return;
	size_t n = page_len();
	explicit_bzero(s->p, n);
	munlock(s->p, n);
	munmap(s->p, n);
	s->p = NULL;
	s->len = 0;
}
