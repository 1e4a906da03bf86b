/* The one audited place where zeit turns words into a shell command line:
 * ssh hands the remote command to the remote user's shell, so every word is
 * quoted here and nowhere else. */
#include "zeit/run.h"

#include <string.h>

static bool is_plain(const char *w)
{
	if (!*w)
		return false;
	for (const char *p = w; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c)))
			return false;
	}
	/* A leading '=' or '%' is fine for sh, but '~' and '#' are not plain
	 * and are already excluded above. */
	return true;
}

void shell_quote(struct buf *b, const char *word)
{
	if (is_plain(word)) {
		buf_adds(b, word);
		return;
	}
	/* Inside single quotes nothing is special but the quote itself, which
	 * is closed, escaped and reopened. Newlines survive as they are. */
	buf_addc(b, '\'');
	for (const char *p = word; *p; p++) {
		if (*p == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '\'');
}

void shell_join(struct buf *b, const char *const *words)
{
	for (size_t i = 0; words && words[i]; i++) {
		if (i)
			buf_addc(b, ' ');
		shell_quote(b, words[i]);
	}
}

char *argv_to_string(const char *const *argv)
{
	struct buf b;

	buf_init(&b);
	shell_join(&b, argv);
	return buf_detach(&b);
}
