/* Planning cost grows linearly with the history: every pure planner and
 * reader on the path of a command (the listings' parsers, prune's, snap's,
 * status's and send's planners, the destroy program's source and result)
 * is timed in-process over a synthetic tree of 500 datasets holding 10,000
 * and then 100,000 snapshots, and fails if the larger grows superlinearly
 * (MAX_GROWTH says by how much). A quadratic step (a linear lookup per
 * snapshot) makes it a hundred times. Best of a few runs each, in this
 * thread's CPU time (a monotonic clock that other processes on a loaded
 * machine do not advance). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zeit/props.h"
#include "zeit/prune.h"
#include "zeit/select.h"
#include "zeit/send.h"
#include "zeit/snap.h"
#include "zeit/status.h"

#define SMALL  10000
#define LARGE  100000
#define NSMALL (LARGE / SMALL)
#define RUNS   2
/* For 10x the snapshots a linear planner grows by 10 (measured 9 to 15,
 * with sorts within a dataset and the allocator's share), a quadratic one
 * by 100 (measured 94 to 330 before the fixes this test came with). Ten
 * itself would fail linear code on every other run; the bound lies
 * between the two on a log scale. */
#define MAX_GROWTH 30.0

static struct zeit z;
static const time_t NOW = 1795737600; /* 2026-11-27T00:00:00Z */

/* A tree as the listings would give it: tank/dNNN with zeit's tiers, and
 * its replica backup/dNNN (org.zeit:source names tank/dNNN) holding the
 * same snapshots (same guids) but each dataset's newest. */
struct tree {
	size_t ndatasets;           /* per side */
	size_t nsnaps;              /* per side */
	struct zfs_dataset_list ds; /* both sides, select_props + status */
	struct zfs_snap_list all;   /* both sides, createtxg order */
	struct zfs_snap_list src;   /* tank's part */
	struct zfs_snap_list dst;   /* backup's part */
	char *text;                 /* src as `zfs list -H -p` prints it */
	char *tree_json;            /* src as the tree-listing program */
	struct strv doomed;         /* what prune destroys */
	char *destroy_json;         /* the destroying program's answer */
	struct zeit_config cfg;
};

static void add_ds(struct zfs_dataset_list *l, const char *name,
                   const char *source)
{
	size_t np = DSP_COUNT + STP_COUNT;
	struct zfs_dataset *d = &l->v[l->n++];
	d->name = xstrdup(name);
	d->type = ZFS_TYPE_FILESYSTEM;
	d->values = xcalloc(np, sizeof(char *));
	for (size_t i = 0; i < np; i++)
		d->values[i] = xstrdup("-");
	free(d->values[DSP_SNAP]);
	d->values[DSP_SNAP] = xstrdup("on");
	free(d->values[DSP_COUNT + STP_SOURCE]);
	d->values[DSP_COUNT + STP_SOURCE] = xstrdup(source);
	l->nprops = np;
}

static int by_txg(const void *a, const void *b)
{
	const struct zfs_snap *x = a, *y = b;
	if (x->createtxg != y->createtxg)
		return x->createtxg < y->createtxg ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Snapshot k of a dataset: a fifth frequent, two fifths hourly, two
 * fifths daily, going back from NOW, each tier at its own minute. */
static time_t snap_time(size_t k, enum zeit_tier *tier)
{
	time_t i = (time_t)(k / 5);
	switch (k % 5) {
	case 0: *tier = ZEIT_TIER_FREQUENT; return NOW - (i + 1) * 900 + 60;
	case 1:
	case 2:
		*tier = ZEIT_TIER_HOURLY;
		return NOW - (2 * i + (time_t)(k % 5)) * 3600 + 120;
	default:
		*tier = ZEIT_TIER_DAILY;
		return NOW - (2 * i + (time_t)(k % 5) - 2) * 86400 + 180;
	}
}

static void tree_build(struct tree *t, size_t ndatasets, size_t nsnaps)
{
	size_t per = nsnaps / ndatasets;
	struct buf text, js;

	memset(t, 0, sizeof(*t));
	t->ndatasets = ndatasets;
	t->nsnaps = nsnaps;
	config_init(&t->cfg);
	t->ds.v = xcalloc(2 * ndatasets, sizeof(*t->ds.v));
	t->all.v = xcalloc(2 * nsnaps + 1, sizeof(*t->all.v));
	for (size_t d = 0; d < ndatasets; d++) {
		char src[64], dst[64];
		snprintf(src, sizeof(src), "tank/d%03zu", d);
		snprintf(dst, sizeof(dst), "backup/d%03zu", d);
		add_ds(&t->ds, src, "-");
		add_ds(&t->ds, dst, src);
		for (size_t k = 0; k < per; k++) {
			enum zeit_tier tier;
			char shortname[ZEIT_SNAPNAME_MAX];
			time_t when = snap_time(k, &tier);
			zeit_snapname_format(tier, when, shortname,
			                     sizeof(shortname));
			/* Older first in txg order, as they were taken. */
			uint64_t txg =
			        (uint64_t)(when - (NOW - 20000LL * 86400));
			uint64_t guid = 1000003ULL * (d + 1) + k;
			t->all.v[t->all.n++] = (struct zfs_snap){
			        xasprintf("%s@%s", src, shortname), false, guid,
			        txg};
			if (k) /* k 0 is the newest: not sent yet */
				t->all.v[t->all.n++] = (struct zfs_snap){
				        xasprintf("%s@%s", dst, shortname),
				        false, guid, txg};
		}
	}
	qsort(t->all.v, t->all.n, sizeof(*t->all.v), by_txg);
	t->src.v = xcalloc(nsnaps + 1, sizeof(*t->src.v));
	t->dst.v = xcalloc(nsnaps + 1, sizeof(*t->dst.v));
	buf_init(&text);
	for (size_t i = 0; i < t->all.n; i++) {
		const struct zfs_snap *s = &t->all.v[i];
		bool src = !strncmp(s->name, "tank/", 5);
		struct zfs_snap_list *side = src ? &t->src : &t->dst;
		side->v[side->n++] = *s;
		if (src)
			buf_addf(&text, "%s\t%" PRIu64 "\t%" PRIu64 "\n",
			         s->name, s->guid, s->createtxg);
	}
	t->text = buf_detach(&text);

	/* The tree program's answer for tank: each dataset's row with its
	 * snapshots' names joined by newlines. */
	buf_init(&js);
	buf_adds(&js, "{\"return\": {\"datasets\": {");
	struct zfs_snap_index ix;
	zfs_snap_index_build(&ix, &t->src);
	for (size_t d = 0; d < ndatasets; d++) {
		const char *name = t->ds.v[2 * d].name;
		size_t n;
		const struct zfs_snap *const *mine =
		        zfs_snap_index_of(&ix, name, &n);
		buf_addf(&js,
		         "%s\"%s\": {\"type\": \"filesystem\", "
		         "\"org.zeit:snap\": \"on\", \" snapshots\": \"",
		         d ? ", " : "", name);
		for (size_t k = 0; k < n; k++)
			buf_addf(&js, "%s%s", k ? "\\n" : "", mine[k]->name);
		buf_adds(&js, "\"}");
	}
	buf_adds(&js, "}}}");
	zfs_snap_index_free(&ix);
	t->tree_json = buf_detach(&js);
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->all.n; i++)
		free(t->all.v[i].name);
	free(t->all.v);
	free(t->src.v);
	free(t->dst.v);
	zfs_dataset_list_free(&t->ds);
	free(t->text);
	free(t->tree_json);
	strv_free(&t->doomed);
	free(t->destroy_json);
	config_free(&t->cfg);
}

/* ---- The planners, each over the whole tree ---- */

static void plan_prune(struct tree *t, struct prune_plan *plan)
{
	struct policy pol;
	struct zfs_snap_index ix;
	const char **names = xcalloc(t->src.n + 1, sizeof(*names));

	/* Short enough that half of even the small history goes. */
	policy_default(&pol);
	assert_int_equal(
	        policy_apply_spec(&z, &pol, "frequent=2,hourly=4,daily=4", "t"),
	        0);
	prune_plan_init(plan);
	zfs_snap_index_build(&ix, &t->src);
	for (size_t d = 0; d < t->ds.n; d += 2) {
		size_t n;
		const struct zfs_snap *const *mine =
		        zfs_snap_index_of(&ix, t->ds.v[d].name, &n);
		for (size_t k = 0; k < n; k++)
			names[k] = mine[k]->name;
		prune_plan_dataset(&pol, NULL, SNAP_ORIGIN_ZEIT, names, n, NOW,
		                   plan);
	}
	zfs_snap_index_free(&ix);
	free(names);
}

static void run_prune(struct tree *t)
{
	struct prune_plan plan;
	plan_prune(t, &plan);
	assert_true(prune_plan_count(&plan, PRUNE_DESTROY) >= t->nsnaps / 2);
	prune_plan_free(&plan);
}

/* The doomed list and the destroying program's answer: one in twenty
 * held (another tool's holds), so keeping them is part of the cost. */
static void prepare_destroy(struct tree *t)
{
	struct prune_plan plan;
	struct buf destroyed, held;

	plan_prune(t, &plan);
	strv_init(&t->doomed);
	buf_init(&destroyed);
	buf_init(&held);
	for (size_t i = 0; i < plan.n; i++) {
		if (plan.v[i].action != PRUNE_DESTROY)
			continue;
		struct buf *b = t->doomed.n % 20 ? &destroyed : &held;
		buf_addf(b, "%s%s", b->len ? "\\n" : "", plan.v[i].name);
		strv_push(&t->doomed, plan.v[i].name);
	}
	t->destroy_json = xasprintf("{\"return\": {\"destroyed\": \"%s\", "
	                            "\"held\": \"%s\", \"cloned\": \"\", "
	                            "\"gone\": \"\", \"count\": 1}}",
	                            destroyed.data, held.data);
	buf_free(&destroyed);
	buf_free(&held);
	prune_plan_free(&plan);
}

static void run_prune_result(struct tree *t)
{
	struct prune_plan plan;
	struct prune_exec_stats st = {0};
	plan_prune(t, &plan);
	assert_int_equal(
	        prune_result_parse(&z, "tank", t->destroy_json, &plan, &st), 0);
	assert_int_equal(st.held, (t->doomed.n + 19) / 20);
	prune_plan_free(&plan);
}

static void run_destroy_source(struct tree *t)
{
	char *src = zfs_destroy_checked_source((const char *const *)t->doomed.v,
	                                       t->doomed.n);
	assert_non_null(strstr(src, t->doomed.v[t->doomed.n - 1]));
	free(src);
}

static void run_parse_text(struct tree *t)
{
	struct zfs_snap_list l;
	char *text = xstrdup(t->text);
	assert_int_equal(zfs_parse_snapshots(&z, text, &l), 0);
	assert_int_equal(l.n, t->nsnaps);
	zfs_snap_list_free(&l);
	free(text);
}

static void run_parse_tree(struct tree *t)
{
	static const char *const props[] = {ZEIT_PROP_SNAP, NULL};
	struct zfs_dataset_list all = {.nprops = 1};
	struct zfs_snap_list snaps = {0};
	assert_int_equal(
	        zfs_list_tree_parse(&z, t->tree_json, props, &all, &snaps), 0);
	assert_int_equal(snaps.n, t->nsnaps);
	zfs_dataset_list_free(&all);
	zfs_snap_list_free(&snaps);
}

static void run_status(struct tree *t)
{
	struct status_report r;
	struct status_input in = {.datasets = &t->ds,
	                          .snaps = &t->all,
	                          .hostname = "h",
	                          .now = NOW};
	assert_int_equal(status_evaluate(&z, &t->cfg, &in, &r), 0);
	assert_true(r.n >= 2 * t->ndatasets);
	status_report_free(&r);
}

/* The snapshots zfs would print for status' listings given roots: the
 * trees whole, the sources' own. */
static size_t status_listed(struct tree *t, const char *const *roots,
                            size_t *nsources)
{
	struct strv trees, sources;
	struct zfs_snap_index ix;
	size_t n = 0;

	status_snap_scope(&t->ds, roots, "h", &trees, &sources);
	for (size_t i = 0; i < t->all.n; i++)
		for (size_t k = 0; k < trees.n; k++)
			if (zfs_name_under(t->all.v[i].name, trees.v[k])) {
				n++;
				break;
			}
	zfs_snap_index_build(&ix, &t->all);
	for (size_t k = 0; k < sources.n; k++) {
		size_t m;
		zfs_snap_index_of(&ix, sources.v[k], &m);
		n += m;
	}
	zfs_snap_index_free(&ix);
	*nsources = sources.n;
	strv_free(&trees);
	strv_free(&sources);
	return n;
}

/* Choosing them: a replica's sources are found once each. */
static void run_status_scope(struct tree *t)
{
	const char *const roots[] = {"backup", "backup/d001", NULL};
	struct strv trees, sources;
	status_snap_scope(&t->ds, roots, "h", &trees, &sources);
	assert_int_equal(trees.n, 1);
	assert_int_equal(sources.n, t->ndatasets);
	strv_free(&trees);
	strv_free(&sources);
}

static void run_send(struct tree *t)
{
	struct zfs_snap_index six, tix;
	struct send_select sel = {false, SNAP_ORIGIN_ZEIT, NULL};
	size_t nd = t->ndatasets, streams = 0;
	const char **names = xcalloc(nd + 1, sizeof(*names));
	const char **origins = xcalloc(nd + 1, sizeof(*origins));
	size_t *order = xcalloc(nd + 1, sizeof(*order));

	zfs_snap_index_build(&six, &t->src);
	zfs_snap_index_build(&tix, &t->dst);
	for (size_t d = 0; d < nd; d++) {
		names[d] = t->ds.v[2 * d].name;
		origins[d] = "-";
	}
	send_order(names, origins, nd, order);
	for (size_t d = 0; d < nd; d++) {
		const char *ds = names[order[d]];
		char *tname = send_target_name("tank", "backup", ds);
		size_t ns, nt;
		const struct zfs_snap *const *sg =
		        zfs_snap_index_of(&six, ds, &ns);
		const struct zfs_snap *const *tg =
		        zfs_snap_index_of(&tix, tname, &nt);
		/* The executor's copies: each side's slice. */
		struct zfs_snap *sv = xcalloc(ns + 1, sizeof(*sv));
		struct zfs_snap *tv = xcalloc(nt + 1, sizeof(*tv));
		for (size_t i = 0; i < ns; i++)
			sv[i] = *sg[i];
		for (size_t i = 0; i < nt; i++)
			tv[i] = *tg[i];
		struct send_side s = {sv, ns, true, false, 0};
		struct send_side d2 = {tv, nt, true, false, 0};
		struct send_plan p;
		send_plan_dataset(&s, &d2, &sel, NULL, false, &p);
		assert_int_equal(p.verdict, SEND_INCREMENTAL);
		streams += p.nsteps;
		send_plan_free(&p);
		free(sv);
		free(tv);
		free(tname);
	}
	assert_int_equal(streams, nd);
	zfs_snap_index_free(&six);
	zfs_snap_index_free(&tix);
	free(names);
	free(origins);
	free(order);
}

/* snap --auto: each tier's newest per dataset from the listing (as the
 * executor reads it), then the planner. */
static void run_snap(struct tree *t)
{
	struct zfs_snap_index ix;
	time_t(*newest)[ZEIT_TIER_COUNT] =
	        xcalloc(t->ds.n + 1, sizeof(*newest));
	bool *named = xcalloc(t->ds.n + 1, sizeof(*named));

	zfs_snap_index_build(&ix, &t->all);
	for (size_t d = 0; d < t->ds.n; d++) {
		size_t n;
		const struct zfs_snap *const *mine =
		        zfs_snap_index_of(&ix, t->ds.v[d].name, &n);
		for (size_t i = 0; i < n; i++) {
			struct snapname sn;
			const char *at = strchr(mine[i]->name, '@');
			if (at &&
			    snapname_read(NULL, at + 1, SNAP_ORIGIN_ZEIT,
			                  &sn) &&
			    sn.tier != ZEIT_TIER_NONE && sn.when <= NOW &&
			    sn.when > newest[d][sn.tier])
				newest[d][sn.tier] = sn.when;
		}
	}
	zfs_snap_index_free(&ix);
	struct snap_plan_input in = {&t->ds, named,   false,  true,
	                             NULL,   &t->cfg, newest, NOW};
	struct snap_plan plan;
	snap_plan_init(&plan);
	snap_plan_datasets(&z, &in, &plan);
	/* frequent, hourly, daily, weekly and monthly are due on all. */
	assert_int_equal(plan.names.n, 5 * t->ds.n);
	snap_plan_free(&plan);
	free(newest);
	free(named);
}

/* ---- Timing ---- */

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The best of RUNS samples, per tree: a sample of the small size plans
 * NSMALL distinct trees, as much work and memory as one large tree, so
 * that neither a lost time slice on a loaded machine nor caches that hold
 * one small tree but not the large one weigh on one side only. */
static double best_of(void (*fn)(struct tree *), struct tree *t, size_t n)
{
	double best = 1e9;
	for (int r = 0; r < RUNS; r++) {
		double a = seconds();
		for (size_t i = 0; i < n; i++)
			fn(&t[i]);
		double e = (seconds() - a) / (double)n;
		if (e < best)
			best = e;
	}
	return best;
}

struct planner {
	const char *name;
	void (*fn)(struct tree *);
};

static const struct planner planners[] = {
        {"zfs list -H parse", run_parse_text},
        {"tree listing parse", run_parse_tree},
        {"snap --auto plan", run_snap},
        {"prune plan", run_prune},
        {"destroy program source", run_destroy_source},
        {"destroy result", run_prune_result},
        {"status", run_status},
        {"status scope", run_status_scope},
        {"send plan", run_send},
};
#define NPLANNERS (sizeof(planners) / sizeof(planners[0]))

/* One shape: small trees of ds_small datasets, a large one of ds_large,
 * SMALL and LARGE snapshots. */
static void check_growth(const char *shape, size_t ds_small, size_t ds_large)
{
	struct tree small[NSMALL], large;
	double ts[NPLANNERS], tl[NPLANNERS];
	bool ok = true;

	for (size_t k = 0; k < NSMALL; k++) {
		tree_build(&small[k], ds_small, SMALL);
		prepare_destroy(&small[k]);
	}
	tree_build(&large, ds_large, LARGE);
	prepare_destroy(&large);
	for (size_t i = 0; i < NPLANNERS; i++) {
		ts[i] = best_of(planners[i].fn, small, NSMALL);
		tl[i] = best_of(planners[i].fn, &large, 1);
	}
	printf("%s: %zu datasets x %zu snapshots, then %zu x %zu\n", shape,
	       ds_small, SMALL / ds_small, ds_large, LARGE / ds_large);
	for (size_t i = 0; i < NPLANNERS; i++) {
		/* A tenth of a millisecond's floor on the small run keeps a
		 * step too quick to time from failing on noise. */
		double base = ts[i] > 1e-4 ? ts[i] : 1e-4;
		double g = tl[i] / base;
		printf("  %-24s %8.4f s  %8.4f s  growth %5.1fx%s\n",
		       planners[i].name, ts[i], tl[i], g,
		       g > MAX_GROWTH ? "  SUPERLINEAR" : "");
		ok &= g <= MAX_GROWTH;
	}
	for (size_t k = 0; k < NSMALL; k++)
		tree_free(&small[k]);
	tree_free(&large);
	assert_true(ok);
}

/* A few datasets with long histories (a target that was down for
 * months): a lookup per snapshot within a dataset shows here. */
static void test_long_histories(void **state)
{
	(void)state;
	check_growth("long", 5, 5);
}

/* More datasets of the same depth, up to 500 as users have them: a
 * lookup per dataset over the whole listing shows here. */
static void test_more_datasets(void **state)
{
	(void)state;
	check_growth("wider", 50, 500);
}

/* status with roots lists their trees and their replicas' sources, not
 * the machine's every pool: status tank must not read backup's history
 * (at 10,000 snapshots a machine's other pools made status take 172 s,
 * growing with snapshots it never reports on). */
static void test_status_lists_only_its_roots(void **state)
{
	struct tree t;
	size_t ns;
	(void)state;

	tree_build(&t, 50, SMALL);
	const char *const tank[] = {"tank", NULL};
	assert_int_equal(status_listed(&t, tank, &ns), t.src.n);
	assert_int_equal(ns, 0);
	/* A replica's tree, and each source's own snapshots once. */
	const char *const backup[] = {"backup/d007", "backup", NULL};
	assert_int_equal(status_listed(&t, backup, &ns), t.all.n);
	assert_int_equal(ns, 50);
	/* One dataset's replica: its source alone, not its pool. */
	const char *const one[] = {"backup/d007", NULL};
	size_t src7 = 0, dst7 = 0;
	for (size_t i = 0; i < t.all.n; i++) {
		src7 += zfs_name_of(t.all.v[i].name, "tank/d007");
		dst7 += zfs_name_of(t.all.v[i].name, "backup/d007");
	}
	assert_int_equal(status_listed(&t, one, &ns), src7 + dst7);
	assert_int_equal(ns, 1);
	/* Sources that a sender wrote: another host's, a name that is no
	 * dataset here, one inside the roots. None is listed. */
	free(t.ds.v[3].values[DSP_COUNT + STP_SOURCE]);
	t.ds.v[3].values[DSP_COUNT + STP_SOURCE] = xstrdup("other:tank/d001");
	free(t.ds.v[5].values[DSP_COUNT + STP_SOURCE]);
	t.ds.v[5].values[DSP_COUNT + STP_SOURCE] = xstrdup("tank/x\n,-r");
	free(t.ds.v[7].values[DSP_COUNT + STP_SOURCE]);
	t.ds.v[7].values[DSP_COUNT + STP_SOURCE] = xstrdup("h:backup/d000");
	const char *const all[] = {"backup", NULL};
	status_listed(&t, all, &ns);
	assert_int_equal(ns, 47);
	tree_free(&t);
}

int main(void)
{
	zeit_init(&z);
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_long_histories),
	        cmocka_unit_test(test_more_datasets),
	        cmocka_unit_test(test_status_lists_only_its_roots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
