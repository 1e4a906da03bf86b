/* ddmin over pure tests (a failure needing two changes among 12, one
 * among 40, undecided subsets, a test that stops the search) and the
 * hunks it works on (textdiff: separate hunks, applying some lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/ddmin.h"
#include "zeit/textdiff.h"

struct need {
	size_t a, b;         /* fails when both are in (b == a: one) */
	bool undecided_half; /* a without b: cannot tell */
	int stop_after;      /* stop at this test (0: never) */
	int runs;
};

static bool in(const size_t *u, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++)
		if (u[i] == x)
			return true;
	return false;
}

static int needs(const size_t *u, size_t n, enum ddmin_outcome *out, void *arg)
{
	struct need *nd = arg;
	if (nd->stop_after && ++nd->runs >= nd->stop_after)
		return -1;
	bool a = in(u, n, nd->a), b = in(u, n, nd->b);
	*out = a && b                    ? DDMIN_FAIL
	       : nd->undecided_half && a ? DDMIN_UNRESOLVED
	                                 : DDMIN_PASS;
	return 0;
}

static void seq(size_t *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u[i] = 100 + i; /* units are the caller's numbers */
}

static void test_two_among_twelve(void **state)
{
	(void)state;
	size_t u[12];
	struct need nd = {103, 107, false, 0, 0};
	struct ddmin_result r;
	seq(u, 12);
	assert_int_equal(ddmin(u, 12, needs, &nd, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0], 103);
	assert_int_equal(r.v[1], 107);
	/* Far fewer than every subset (4096), within Zeller's bound. */
	printf("two among 12: %u tests (%u from memory)\n", r.tests, r.reused);
	assert_true(r.tests < 40);
	assert_true(r.tests <= ddmin_worst_case(12));
	ddmin_result_free(&r);
}

static void test_one_among_forty(void **state)
{
	(void)state;
	size_t u[40];
	struct need nd = {117, 117, false, 0, 0};
	struct ddmin_result r;
	seq(u, 40);
	assert_int_equal(ddmin(u, 40, needs, &nd, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0], 117);
	printf("one among 40: %u tests\n", r.tests);
	assert_true(r.tests <= 2 * 6 + 2);
	ddmin_result_free(&r);
}

static void test_undecided_subsets_and_edges(void **state)
{
	(void)state;
	size_t u[9];
	struct need nd = {102, 105, true, 0, 0};
	struct ddmin_result r;
	seq(u, 9);
	assert_int_equal(ddmin(u, 9, needs, &nd, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0], 102);
	assert_int_equal(r.v[1], 105);
	ddmin_result_free(&r);
	/* One change: that one, no test run. */
	struct need one = {100, 100, false, 0, 0};
	assert_int_equal(ddmin(u, 1, needs, &one, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.tests, 0);
	ddmin_result_free(&r);
	/* Every change needed: all of them come back. */
	size_t two[2] = {100, 101};
	struct need both = {100, 101, false, 0, 0};
	assert_int_equal(ddmin(two, 2, needs, &both, &r), 0);
	assert_int_equal(r.n, 2);
	ddmin_result_free(&r);
}

static void test_stop(void **state)
{
	(void)state;
	size_t u[12];
	struct need nd = {103, 107, false, 3, 0};
	struct ddmin_result r;
	seq(u, 12);
	assert_int_equal(ddmin(u, 12, needs, &nd, &r), -1);
	ddmin_result_free(&r);
}

/* 40 lines; the new text adds a feature line after lines 3, 6, ... 36. */
static void feature_texts(struct buf *a, struct buf *b)
{
	buf_init(a);
	buf_init(b);
	for (int i = 1; i <= 40; i++) {
		buf_addf(a, "  <feature name='old%d'/>\n", i);
		buf_addf(b, "  <feature name='old%d'/>\n", i);
		if (i % 3 == 0 && i <= 36)
			buf_addf(b, "  <feature name='new%d'/>\n", i / 3);
	}
}

static void test_hunks_and_partial_apply(void **state)
{
	(void)state;
	struct buf a, b, out;
	struct textdiff d;
	struct zeit z;
	zeit_init(&z);
	feature_texts(&a, &b);
	buf_init(&out);
	assert_int_equal(textdiff_hunks(&z, a.data, a.len, b.data, b.len, &d),
	                 0);
	assert_int_equal(d.n, 12);
	bool *pick[12];
	for (size_t h = 0; h < d.n; h++) {
		assert_int_equal(d.v[h].nlines, 1);
		pick[h] = calloc(d.v[h].nlines, sizeof(bool));
		pick[h][0] = true;
	}
	textdiff_apply(a.data, a.len, &d, pick, &out);
	assert_int_equal(out.len, b.len);
	assert_memory_equal(out.data, b.data, b.len);
	for (size_t h = 0; h < d.n; h++)
		pick[h][0] = h == 2 || h == 6;
	textdiff_apply(a.data, a.len, &d, pick, &out);
	assert_non_null(strstr(out.data, "'old9'/>\n  <feature name='new3'"));
	assert_non_null(strstr(out.data, "'old21'/>\n  <feature name='new7'"));
	assert_null(strstr(out.data, "new1'"));
	assert_int_equal(out.len,
	                 a.len + 2 * strlen("  <feature name='new3'/>\n"));
	for (size_t h = 0; h < d.n; h++)
		free(pick[h]);
	textdiff_free(&d);
	/* A replaced line: the deletion and the addition apart. */
	const char *o = "a\nb\nc\n", *n = "a\nB\nc\n";
	assert_int_equal(textdiff_hunks(&z, o, 6, n, 6, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].nlines, 2);
	bool only_del[2] = {d.v[0].lines[0].origin == '-',
	                    d.v[0].lines[1].origin == '-'};
	bool *p1[1] = {only_del};
	textdiff_apply(o, 6, &d, p1, &out);
	assert_string_equal(out.data, "a\nc\n");
	textdiff_free(&d);
	/* Unified, with labels. */
	assert_int_equal(textdiff_unified(&z, o, 6, n, 6, "x@1", "x@2", &out),
	                 0);
	assert_non_null(strstr(out.data, "--- x@1\n+++ x@2\n@@ -1,3 +1,3 @@"));
	assert_non_null(strstr(out.data, "-b\n+B\n"));
	buf_free(&a);
	buf_free(&b);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_two_among_twelve),
	        cmocka_unit_test(test_one_among_forty),
	        cmocka_unit_test(test_undecided_subsets_and_edges),
	        cmocka_unit_test(test_stop),
	        cmocka_unit_test(test_hunks_and_partial_apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
