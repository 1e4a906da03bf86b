#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/escape.h"

static void expect(const char *in, const char *out)
{
	char *e = escape_dup(in);
	assert_string_equal(e, out);
	free(e);
}

/* What a property value may hold, as a person sees it. */
static void test_escape(void **state)
{
	(void)state;
	expect("tank/a b@zeit_daily_20261127T000000Z",
	       "tank/a b@zeit_daily_20261127T000000Z");
	/* Escape sequences: retitle, clear, colour. */
	expect("x\033]0;owned\a\033[2J", "x\\x1b]0;owned\\x07\\x1b[2J");
	expect("a\tb\nc\rd\x7f", "a\\x09b\\x0ac\\x0dd\\x7f");
	expect("back\\slash", "back\\\\slash");
	/* UTF-8 stays, C1 controls (CSI as U+009B) do not. */
	expect("Zürich €", "Zürich €");
	expect("\xc2\x9b"
	       "31m",
	       "\\xc2\\x9b31m");
	/* Not UTF-8: the bytes, as hex. */
	expect("\x9b"
	       "31m",
	       "\\x9b31m");
	expect("\xff\xfe", "\\xff\\xfe");
	expect("\xe2\x82", "\\xe2\\x82");          /* cut short */
	expect("\xc0\xaf", "\\xc0\\xaf");          /* overlong */
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
	expect("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
