#include "zeit/vercmp.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- dpkg ---- */

/* dpkg's character order: '~' before the end of a part, letters before
 * everything else. */
static int dpkg_order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int dpkg_part(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;
		while ((*a && !isdigit((unsigned char)*a)) ||
		       (*b && !isdigit((unsigned char)*b))) {
			int ac = dpkg_order((unsigned char)*a);
			int bc = dpkg_order((unsigned char)*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) &&
		       isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct evr {
	long long epoch;
	char *version; /* owned copy; release points into it */
	const char *release;
};

/* Splits [epoch:]version[-release] (release after the last '-'). */
static void split_evr(const char *s, struct evr *e)
{
	const char *colon = strchr(s, ':');
	e->epoch = 0;
	if (colon) {
		bool digits = colon > s;
		for (const char *p = s; p < colon; p++)
			digits &= isdigit((unsigned char)*p) != 0;
		if (digits) {
			e->epoch = strtoll(s, NULL, 10);
			s = colon + 1;
		}
	}
	e->version = strdup(s ? s : "");
	char *dash = e->version ? strrchr(e->version, '-') : NULL;
	if (dash) {
		*dash = '\0';
		e->release = dash + 1;
	} else {
		e->release = NULL;
	}
}

static int cmp_ll(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

static int sign(int v)
{
	return v < 0 ? -1 : v > 0;
}

int vercmp_dpkg(const char *a, const char *b)
{
	struct evr x, y;
	int rc;

	split_evr(a, &x);
	split_evr(b, &y);
	rc = cmp_ll(x.epoch, y.epoch);
	if (!rc)
		rc = dpkg_part(x.version, y.version);
	if (!rc)
		rc = dpkg_part(x.release ? x.release : "",
		               y.release ? y.release : "");
	free(x.version);
	free(y.version);
	return sign(rc);
}

/* ---- rpm segments, as pacman compares them ---- */

static int rpm_segments(const char *a, const char *b)
{
	const char *one = a, *two = b;
	bool isnum = false;

	if (strcmp(a, b) == 0)
		return 0;
	while (*one && *two) {
		const char *s1 = one, *s2 = two;
		while (*one && !isalnum((unsigned char)*one))
			one++;
		while (*two && !isalnum((unsigned char)*two))
			two++;
		if (!*one || !*two)
			break;
		/* More separators mean a newer version ("1..0" > "1.0"). */
		if (one - s1 != two - s2)
			return one - s1 < two - s2 ? -1 : 1;
		const char *p1 = one, *p2 = two;
		if (isdigit((unsigned char)*p1)) {
			isnum = true;
			while (isdigit((unsigned char)*p1))
				p1++;
			while (isdigit((unsigned char)*p2))
				p2++;
		} else {
			isnum = false;
			while (isalpha((unsigned char)*p1))
				p1++;
			while (isalpha((unsigned char)*p2))
				p2++;
		}
		/* A numeric segment is newer than an alphabetic one. */
		if (p2 == two)
			return isnum ? 1 : -1;
		size_t l1 = (size_t)(p1 - one), l2 = (size_t)(p2 - two);
		if (isnum) {
			while (l1 && *one == '0') {
				one++;
				l1--;
			}
			while (l2 && *two == '0') {
				two++;
				l2--;
			}
			if (l1 != l2)
				return l1 < l2 ? -1 : 1;
		}
		int rc = strncmp(one, two, l1 < l2 ? l1 : l2);
		if (rc)
			return sign(rc);
		if (l1 != l2)
			return l1 < l2 ? -1 : 1;
		one = p1;
		two = p2;
	}
	if (!*one && !*two)
		return 0;
	/* What is left decides: "1.0" < "1.0.1", but "1.0a" < "1.0". */
	if ((!*one && !isalpha((unsigned char)*two)) ||
	    isalpha((unsigned char)*one))
		return -1;
	return 1;
}

int vercmp_pacman(const char *a, const char *b)
{
	struct evr x, y;
	int rc;

	split_evr(a, &x);
	split_evr(b, &y);
	rc = cmp_ll(x.epoch, y.epoch);
	if (!rc)
		rc = rpm_segments(x.version, y.version);
	/* A release counts only when both sides have one. */
	if (!rc && x.release && y.release)
		rc = rpm_segments(x.release, y.release);
	free(x.version);
	free(y.version);
	return sign(rc);
}

/* ---- xbps (dewey) ---- */

enum { DEWEY_ALPHA = -3, DEWEY_BETA = -2, DEWEY_RC = -1, DEWEY_PL = 0 };

/* Reads the next component of a dewey version into *v; returns the rest. */
static const char *dewey_next(const char *s, long long *v, bool *ok)
{
	static const struct {
		const char *word;
		int value;
	} mods[] = {{"alpha", DEWEY_ALPHA}, {"beta", DEWEY_BETA},
	            {"pre", DEWEY_RC},      {"rc", DEWEY_RC},
	            {"pl", DEWEY_PL},       {"_", DEWEY_PL},
	            {".", DEWEY_PL}};
	*ok = true;
	if (isdigit((unsigned char)*s)) {
		*v = 0;
		while (isdigit((unsigned char)*s)) {
			if (*v < 100000000000000LL)
				*v = *v * 10 + (*s - '0');
			s++;
		}
		return s;
	}
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		size_t l = strlen(mods[i].word);
		if (strncmp(s, mods[i].word, l) == 0) {
			*v = mods[i].value;
			return s + l;
		}
	}
	if (isalpha((unsigned char)*s)) {
		/* "1.2a" is 1.2.0.1: a letter is a subversion. */
		*v = tolower((unsigned char)*s) - 'a' + 1;
		return s + 1;
	}
	*ok = false;
	return s + 1;
}

/* Splits into numbers so that "1.2" = [1, 0, 2] and "1.2rc1" =
 * [1, 0, 2, -1, 1]; separators are 0 (as "pl" is), so 1.2 < 1.2.1. */
static size_t dewey_parse(const char *s, long long *out, size_t max)
{
	size_t n = 0;
	bool letter_after_num = false;
	while (*s && n < max) {
		long long v;
		bool ok;
		bool was_digit = isdigit((unsigned char)*s);
		bool is_letter = isalpha((unsigned char)*s);
		const char *next = dewey_next(s, &v, &ok);
		if (!ok) {
			s = next;
			continue;
		}
		/* A bare letter after a number stands for ".letter". */
		if (is_letter && letter_after_num && next == s + 1 && n < max)
			out[n++] = DEWEY_PL;
		if (n < max)
			out[n++] = v;
		letter_after_num = was_digit;
		s = next;
	}
	return n;
}

static int dewey_cmp(const char *a, const char *b)
{
	long long x[64], y[64];
	size_t nx = dewey_parse(a, x, 64), ny = dewey_parse(b, y, 64);
	size_t n = nx > ny ? nx : ny;
	for (size_t i = 0; i < n; i++) {
		long long vx = i < nx ? x[i] : 0, vy = i < ny ? y[i] : 0;
		if (vx != vy)
			return vx < vy ? -1 : 1;
	}
	return 0;
}

int vercmp_xbps(const char *a, const char *b)
{
	/* version_revision: the revision after the last '_' is a number. */
	const char *ua = strrchr(a, '_'), *ub = strrchr(b, '_');
	char *va = strndup(a, ua ? (size_t)(ua - a) : strlen(a));
	char *vb = strndup(b, ub ? (size_t)(ub - b) : strlen(b));
	int rc = dewey_cmp(va, vb);
	if (!rc)
		rc = cmp_ll(ua ? strtoll(ua + 1, NULL, 10) : 0,
		            ub ? strtoll(ub + 1, NULL, 10) : 0);
	free(va);
	free(vb);
	return rc;
}

/* ---- apk ---- */

static int apk_suffix_rank(const char *s, size_t len)
{
	static const char *const order[] = {"alpha", "beta", "pre", "rc", "",
	                                    "cvs",   "svn",  "git", "hg", "p"};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strlen(order[i]) == len && strncmp(s, order[i], len) == 0)
			return (int)i - 4;
	return -10; /* unknown suffixes sort first */
}

/* Reads decimal digits, saturating far below overflow: a version part that
 * long compares as "very large", which is all that can be said of it. */
static const char *apk_number(const char *s, long long *out)
{
	long long v = 0;
	while (isdigit((unsigned char)*s)) {
		if (v < 100000000000000LL)
			v = v * 10 + (*s - '0');
		s++;
	}
	*out = v;
	return s;
}

struct apk_token {
	int kind; /* 0 number, 1 letter, 2 suffix, 3 revision, 4 end */
	long long num;
	int rank;
	char letter;
};

static const char *apk_next(const char *s, struct apk_token *t, bool first)
{
	memset(t, 0, sizeof(*t));
	if (!*s) {
		t->kind = 4;
		return s;
	}
	if (*s == '.' || first) {
		if (*s == '.')
			s++;
		t->kind = 0;
		s = apk_number(s, &t->num);
		return s;
	}
	if (*s == '_') {
		const char *w = ++s;
		while (isalpha((unsigned char)*s))
			s++;
		t->kind = 2;
		t->rank = apk_suffix_rank(w, (size_t)(s - w));
		s = apk_number(s, &t->num);
		return s;
	}
	if (s[0] == '-' && s[1] == 'r') {
		s += 2;
		t->kind = 3;
		s = apk_number(s, &t->num);
		return s;
	}
	if (isalpha((unsigned char)*s)) {
		t->kind = 1;
		t->letter = *s;
		return s + 1;
	}
	t->kind = 4; /* junk ends the comparison */
	return s + strlen(s);
}

int vercmp_apk(const char *a, const char *b)
{
	struct apk_token x, y;
	bool first = true;

	for (;;) {
		a = apk_next(a, &x, first);
		b = apk_next(b, &y, first);
		first = false;
		if (x.kind == 4 && y.kind == 4)
			return 0;
		if (x.kind != y.kind) {
			/* A suffix against the end: pre-release suffixes are
			 * older, post-release ones newer. */
			if (x.kind == 2 && y.kind != 0 && y.kind != 1)
				return x.rank < 0 ? -1 : 1;
			if (y.kind == 2 && x.kind != 0 && x.kind != 1)
				return y.rank < 0 ? 1 : -1;
			/* Another number is newer than a letter, and either is
			 * newer than a suffix, a revision or the end. */
			if (x.kind == 0)
				return 1;
			if (y.kind == 0)
				return -1;
			if (x.kind == 1)
				return 1;
			if (y.kind == 1)
				return -1;
			return x.kind < y.kind ? 1 : -1;
		}
		switch (x.kind) {
		case 0:
		case 3:
			if (x.num != y.num)
				return x.num < y.num ? -1 : 1;
			break;
		case 1:
			if (x.letter != y.letter)
				return x.letter < y.letter ? -1 : 1;
			break;
		case 2:
			if (x.rank != y.rank)
				return x.rank < y.rank ? -1 : 1;
			if (x.num != y.num)
				return x.num < y.num ? -1 : 1;
			break;
		}
	}
}
