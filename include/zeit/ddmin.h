/* Delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
 * Failure-Inducing Input", 2002): from a set of changes whose whole makes a
 * test fail, a 1-minimal subset that still does (removing any one change
 * makes it pass or leaves it undecided). Pure: the test is a callback. */
#ifndef ZEIT_DDMIN_H
#define ZEIT_DDMIN_H

#include <stddef.h>

enum ddmin_outcome {
	DDMIN_PASS,       /* the test passes with these changes */
	DDMIN_FAIL,       /* it fails: the failure is among them */
	DDMIN_UNRESOLVED, /* it cannot tell (exit 125) */
};

/* Tests the subset units[0..n) (in the order given); returns 0 with *out
 * set, or -1 to stop the search (the error is the caller's). */
typedef int (*ddmin_test)(const size_t *units, size_t n,
                          enum ddmin_outcome *out, void *arg);

struct ddmin_result {
	size_t *v; /* the minimal failing subset, in the input's order */
	size_t n;
	unsigned tests;  /* test runs made */
	unsigned reused; /* subsets met again and answered from memory */
};

/* units[0..n) must fail as a whole (the caller checks). Returns 0, or -1
 * when test stopped it. */
int ddmin(const size_t *units, size_t n, ddmin_test test, void *arg,
          struct ddmin_result *out);
void ddmin_result_free(struct ddmin_result *r);

/* Zeller's worst case for n changes: n^2 + 3n test runs. */
unsigned long long ddmin_worst_case(size_t n);

#endif
