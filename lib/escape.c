/* Escaping for people: a property value is whatever its setter wrote,
 * including ESC sequences that retitle or clear a terminal. */
#include "zeit/escape.h"

#include <string.h>

/* Length of the UTF-8 sequence starting at s[i] (at most n - i bytes), or
 * 0 when it is not one (overlong, surrogate, out of range, cut short). */
static size_t utf8_len(const unsigned char *s, size_t i, size_t n)
{
	unsigned char c = s[i];
	size_t k = c < 0x80                 ? 1
	           : c >= 0xc2 && c <= 0xdf ? 2
	           : (c & 0xf0) == 0xe0     ? 3
	           : c >= 0xf0 && c <= 0xf4 ? 4
	                                    : 0;
	if (!k || i + k > n)
		return 0;
	for (size_t j = 1; j < k; j++)
		if ((s[i + j] & 0xc0) != 0x80)
			return 0;
	if (k == 3 &&
	    ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0)))
		return 0;
	if (k == 4 &&
	    ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
		return 0;
	return k;
}

void escape_printable(struct buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(s, i, n);
		/* C1 controls (U+0080..U+009F) are CSI and friends too. */
		bool c1 = k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0;
		if (k == 1 && s[i] == '\\') {
			buf_adds(b, "\\\\");
		} else if (k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			buf_addf(b, "\\x%02x", s[i]);
		} else if (!k || c1) {
			for (size_t j = 0; j < (k ? k : 1); j++)
				buf_addf(b, "\\x%02x", s[i + j]);
			k = k ? k : 1;
		} else {
			buf_add(b, s + i, k);
		}
		i += k ? k : 1;
	}
}

char *escape_dup(const char *s)
{
	struct buf b;
	buf_init(&b);
	escape_printable(&b, s, strlen(s));
	return buf_detach(&b);
}
