/* ddmin, as in the paper: split into n parts; a failing part is the new
 * set (n = 2); else a failing complement (n - 1); else twice the parts,
 * until each part is one change. Subsets already tested are answered from
 * memory, so a test never runs twice on the same changes. */
#include "zeit/ddmin.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/util.h"

struct memo {
	size_t **sets;
	size_t *lens;
	enum ddmin_outcome *outs;
	size_t n;
};

static bool memo_find(const struct memo *m, const size_t *u, size_t n,
                      enum ddmin_outcome *out)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->lens[i] == n &&
		    (n == 0 || !memcmp(m->sets[i], u, n * sizeof(*u)))) {
			*out = m->outs[i];
			return true;
		}
	return false;
}

static void memo_add(struct memo *m, const size_t *u, size_t n,
                     enum ddmin_outcome o)
{
	m->sets = xrealloc(m->sets, (m->n + 1) * sizeof(*m->sets));
	m->lens = xrealloc(m->lens, (m->n + 1) * sizeof(*m->lens));
	m->outs = xrealloc(m->outs, (m->n + 1) * sizeof(*m->outs));
	m->sets[m->n] = xmalloc((n + 1) * sizeof(*u));
	if (n)
		memcpy(m->sets[m->n], u, n * sizeof(*u));
	m->lens[m->n] = n;
	m->outs[m->n++] = o;
}

static void memo_free(struct memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->sets[i]);
	free(m->sets);
	free(m->lens);
	free(m->outs);
}

static int run_test(struct memo *m, const size_t *u, size_t n, ddmin_test test,
                    void *arg, struct ddmin_result *r, enum ddmin_outcome *out)
{
	if (memo_find(m, u, n, out)) {
		r->reused++;
		return 0;
	}
	if (test(u, n, out, arg) < 0)
		return -1;
	r->tests++;
	memo_add(m, u, n, *out);
	return 0;
}

/* Part i of k over c[0..n): [lo, hi). */
static void part(size_t n, size_t k, size_t i, size_t *lo, size_t *hi)
{
	*lo = n * i / k;
	*hi = n * (i + 1) / k;
}

int ddmin(const size_t *units, size_t n, ddmin_test test, void *arg,
          struct ddmin_result *out)
{
	struct memo m = {0};
	size_t *c = xmalloc((n + 1) * sizeof(*c));
	size_t *tmp = xmalloc((n + 1) * sizeof(*tmp));
	size_t k = 2;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memcpy(c, units, n * sizeof(*c));
	/* The whole set is known to fail. */
	memo_add(&m, c, n, DDMIN_FAIL);
	while (n >= 2) {
		bool reduced = false;
		if (k > n)
			k = n;
		/* A part that fails alone. */
		for (size_t i = 0; i < k && !reduced; i++) {
			size_t lo, hi;
			enum ddmin_outcome o;
			part(n, k, i, &lo, &hi);
			rc = run_test(&m, c + lo, hi - lo, test, arg, out, &o);
			if (rc < 0)
				goto out;
			if (o == DDMIN_FAIL) {
				memmove(c, c + lo, (hi - lo) * sizeof(*c));
				n = hi - lo;
				k = 2;
				reduced = true;
			}
		}
		/* A complement that fails (with two parts, the complements
		 * are the parts). */
		for (size_t i = 0; i < k && !reduced && k > 2; i++) {
			size_t lo, hi, t = 0;
			enum ddmin_outcome o;
			part(n, k, i, &lo, &hi);
			for (size_t j = 0; j < n; j++)
				if (j < lo || j >= hi)
					tmp[t++] = c[j];
			rc = run_test(&m, tmp, t, test, arg, out, &o);
			if (rc < 0)
				goto out;
			if (o == DDMIN_FAIL) {
				memcpy(c, tmp, t * sizeof(*c));
				n = t;
				k = k - 1 > 2 ? k - 1 : 2;
				reduced = true;
			}
		}
		if (reduced)
			continue;
		if (k >= n)
			break; /* every change alone was tried: 1-minimal */
		k = 2 * k < n ? 2 * k : n;
	}
	out->v = xmalloc((n + 1) * sizeof(*out->v));
	memcpy(out->v, c, n * sizeof(*c));
	out->n = n;
out:
	free(c);
	free(tmp);
	memo_free(&m);
	return rc;
}

void ddmin_result_free(struct ddmin_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

unsigned long long ddmin_worst_case(size_t n)
{
	return (unsigned long long)n * n + 3ull * n;
}
