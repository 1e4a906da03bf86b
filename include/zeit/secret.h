/* A passphrase in memory that is never swapped out or dumped (mlock,
 * MADV_DONTDUMP) and is wiped when freed. */
#ifndef ZEIT_SECRET_H
#define ZEIT_SECRET_H

#include <stddef.h>

/* The longest passphrase zfs takes is 512 bytes. */
#define SECRET_MAX 512

struct secret {
	/* SECRET_MAX + 2 bytes of locked memory (room for a newline and a
	 * NUL after the longest), or NULL */
	char *p;
	size_t len;
};

/* Allocates the locked page; returns 0, or -1 (errno) when the memory
 * cannot be had or locked: the caller says no key was kept. */
int secret_init(struct secret *s);
/* Copies len bytes in (at most SECRET_MAX); -1 with EOVERFLOW beyond. */
int secret_set(struct secret *s, const char *data, size_t len);
/* Wipes and unmaps; safe on a secret never initialised (zeroed). */
void secret_free(struct secret *s);

#endif
