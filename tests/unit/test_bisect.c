#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/bisect.h"

static struct zeit z;

static int ceil_log2(size_t n)
{
	int k = 0;
	while (((size_t)1 << k) < n)
		k++;
	return k;
}

/* Bisects n candidates (0 good, n-1 bad) whose first bad is f, with the
 * candidates in skip[] untestable; returns the steps taken. */
static int simulate(size_t n, size_t f, const bool *skip, long *found,
                    bool *ambiguous)
{
	enum bisect_mark *m = calloc(n, sizeof(*m));
	struct bisect_next nx;
	int steps = 0;
	m[0] = BISECT_GOOD;
	m[n - 1] = BISECT_BAD;
	for (;;) {
		assert_int_equal(bisect_next(&z, m, n, &nx), 0);
		if (nx.done)
			break;
		steps++;
		size_t p = (size_t)nx.pick;
		assert_int_equal(m[p], BISECT_UNKNOWN);
		m[p] = skip && skip[p] ? BISECT_SKIP
		       : p >= f        ? BISECT_BAD
		                       : BISECT_GOOD;
		assert_true(steps <= (int)n);
	}
	*found = nx.first_bad;
	*ambiguous = nx.ambiguous;
	free(m);
	return steps;
}

static void test_every_first_bad_within_log2(void **state)
{
	static const size_t sizes[] = {2, 3, 30, 100, 1000};
	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		for (size_t f = 1; f < n; f++) {
			long found;
			bool amb;
			int steps = simulate(n, f, NULL, &found, &amb);
			assert_int_equal(found, (long)f);
			assert_false(amb);
			assert_true(steps <= ceil_log2(n));
		}
	}
}

static void test_skips_cost_at_most_one_step_each(void **state)
{
	(void)state;
	static const size_t sizes[] = {30, 100, 1000};
	for (size_t s = 0; s < 3; s++) {
		size_t n = sizes[s];
		bool *skip = calloc(n, sizeof(bool));
		srand(7);
		for (size_t i = 1; i + 1 < n; i++)
			skip[i] = rand() % 10 == 0;
		for (size_t f = 1; f < n; f++) {
			long found;
			bool amb;
			int steps = simulate(n, f, skip, &found, &amb);
			size_t nskips = 0;
			for (size_t i = 1; i + 1 < n; i++)
				nskips += skip[i];
			/* The answer is f, or, when skipped candidates sit
			 * just before it, a range ending at f. */
			if (!amb) {
				assert_int_equal(found, (long)f);
			} else {
				assert_true(found >= (long)f);
				for (long i = (long)f; i < found; i++)
					assert_true(skip[i]);
			}
			assert_true(steps <= ceil_log2(n) + (int)nskips);
		}
		free(skip);
	}
}

static void test_contradiction_and_missing_marks(void **state)
{
	enum bisect_mark m[5] = {BISECT_GOOD, BISECT_BAD, BISECT_UNKNOWN,
	                         BISECT_GOOD, BISECT_BAD};
	struct bisect_next nx;
	(void)state;
	assert_int_equal(bisect_next(&z, m, 5, &nx), -1);
	assert_non_null(strstr(zeit_error(&z), "contradict"));
	enum bisect_mark only_good[3] = {BISECT_GOOD};
	assert_int_equal(bisect_next(&z, only_good, 3, &nx), -1);
	assert_non_null(strstr(zeit_error(&z), "bad"));
	/* All between skipped: done, and ambiguous. */
	enum bisect_mark sk[4] = {BISECT_GOOD, BISECT_SKIP, BISECT_SKIP,
	                          BISECT_BAD};
	assert_int_equal(bisect_next(&z, sk, 4, &nx), 0);
	assert_true(nx.done);
	assert_true(nx.ambiguous);
	assert_int_equal(nx.last_good, 0);
	assert_int_equal(nx.first_bad, 3);
}

static void test_run_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(bisect_mark_from_status(0), BISECT_GOOD);
	assert_int_equal(bisect_mark_from_status(1), BISECT_BAD);
	assert_int_equal(bisect_mark_from_status(124), BISECT_BAD);
	assert_int_equal(bisect_mark_from_status(125), BISECT_SKIP);
	assert_int_equal(bisect_mark_from_status(126), BISECT_BAD);
	assert_int_equal(bisect_mark_from_status(127), BISECT_BAD);
	assert_int_equal(bisect_mark_from_status(128), BISECT_UNKNOWN);
	assert_int_equal(bisect_mark_from_status(137), BISECT_UNKNOWN);
	assert_int_equal(bisect_mark_from_status(-1), BISECT_UNKNOWN);
	assert_int_equal(bisect_mark_from("new"), BISECT_BAD);
	assert_int_equal(bisect_mark_from("old"), BISECT_GOOD);
	assert_int_equal(bisect_mark_from("maybe"), BISECT_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_first_bad_within_log2),
	        cmocka_unit_test(test_skips_cost_at_most_one_step_each),
	        cmocka_unit_test(test_contradiction_and_missing_marks),
	        cmocka_unit_test(test_run_exit_codes),
	};
	zeit_init(&z);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
