/* The passphrase prompt: read by the menu itself into locked memory
 * (secret.h), fed to zfs on a pipe, wiped after. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "passphrase.h"
#include "zeit/secret.h"

enum read_result { READ_LINE, READ_TOO_LONG, READ_END };

/* One line of standard input into pass, without its newline. */
static enum read_result read_line(struct secret *pass)
{
	size_t n = 0;
	bool too_long = false;
	char c = 0;
	ssize_t r;
	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if (n < SECRET_MAX)
			pass->p[n++] = c;
		else
			too_long = true;
	}
	c = 0;
	pass->len = n;
	pass->p[n] = '\0';
	if (r <= 0 && n == 0)
		return READ_END;
	return too_long ? READ_TOO_LONG : READ_LINE;
}

/* With echo off on a terminal; the terminal's mode comes back after. */
static enum read_result read_quietly(struct secret *pass)
{
	struct termios old, quiet;
	bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	enum read_result r = read_line(pass);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		putchar('\n');
	}
	return r;
}

int passphrase_unlock(struct menu *m, const char *encroot)
{
	struct secret pass = {0};
	if (secret_init(&pass) < 0)
		return zeit_fail(m->z, errno,
		                 "cannot lock memory for the passphrase of %s: "
		                 "%s",
		                 encroot, strerror(errno));
	int rc = -1;
	printf("\n%s is encrypted.\n", encroot);
	for (int t = 1; t <= PASSPHRASE_TRIES; t++) {
		if (t == 1)
			printf("Passphrase for %s: ", encroot);
		else
			printf("Passphrase for %s (try %d of %d): ", encroot, t,
			       PASSPHRASE_TRIES);
		fflush(stdout);
		enum read_result r = read_quietly(&pass);
		if (r == READ_END) {
			zeit_fail(m->z, ENOKEY,
			          "%s stays locked: no passphrase was given "
			          "(the input ended)",
			          encroot);
			break;
		}
		if (r == READ_TOO_LONG) {
			printf("zeit-menu: that passphrase is longer than the "
			       "%d bytes zfs takes\n",
			       SECRET_MAX);
			continue;
		}
		if (menu_load_key(m, encroot, &pass) == 0) {
			rc = 0;
			break;
		}
		printf("zeit-menu: the passphrase did not unlock %s: %s\n",
		       encroot, zeit_error(m->z));
		zeit_clear_error(m->z);
		if (t == PASSPHRASE_TRIES)
			zeit_fail(m->z, EACCES,
			          "%s stays locked after %d wrong passphrases",
			          encroot, PASSPHRASE_TRIES);
	}
	fflush(stdout);
	secret_free(&pass);
	return rc;
}
