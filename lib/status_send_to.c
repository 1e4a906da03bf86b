/* zeit status: the jobs org.zeit:send-to declares (send_to.h), found in
 * status's one listing (its last column), their outcomes read in one more
 * call when there are any. They join the file's jobs, their outcome
 * columns laid out as status_job_props lays out those. */
#include <stdlib.h>
#include <string.h>

#include "status_priv.h"
#include "zeit/send_auto.h"
#include "zeit/send_to.h"

void status_send_to_free(struct zeit_config *merged, size_t nconf)
{
	for (size_t i = nconf; i < merged->njobs; i++) {
		struct config_send_job *j = &merged->jobs[i];
		free(j->name);
		free(j->source);
		free(j->target);
		free(j->where);
		for (size_t k = 0; j->exclude && j->exclude[k]; k++)
			free(j->exclude[k]);
		free(j->exclude);
	}
	free(merged->jobs);
	merged->jobs = NULL;
	merged->njobs = 0;
}

/* Reads the property jobs' outcomes on their sources. */
static int read_outcomes(struct zfs *zh, const struct zeit_config *m,
                         size_t nconf, struct zfs_prop_list *vals,
                         struct strv *props)
{
	struct strv names;
	strv_init(&names);
	for (size_t i = nconf; i < m->njobs; i++) {
		if (!strv_contains(&names, m->jobs[i].source))
			strv_push(&names, m->jobs[i].source);
		strv_push(props, "");
		strv_push(props, "");
		free(props->v[props->n - 2]);
		free(props->v[props->n - 1]);
		props->v[props->n - 2] = send_job_prop(m->jobs[i].name, "ok");
		props->v[props->n - 1] =
		        send_job_prop(m->jobs[i].name, "error");
	}
	int rc = zfs_get_props(zh, (const char *const *)names.v, 0,
	                       (const char *const *)props->v, vals);
	strv_free(&names);
	return rc;
}

/* Each row: the columns before the property's, the property jobs' two
 * each, then the property's. */
static void widen(struct zfs_dataset_list *ds, const struct zeit_config *m,
                  size_t nconf, const struct zfs_prop_list *vals,
                  const struct strv *props)
{
	size_t col = ds->nprops - 1, add = 2 * (m->njobs - nconf);
	for (size_t r = 0; r < ds->n; r++) {
		struct zfs_dataset *d = &ds->v[r];
		char **v = xcalloc(ds->nprops + add, sizeof(char *));
		memcpy(v, d->values, col * sizeof(char *));
		for (size_t k = 0; k < add; k++) {
			const struct config_send_job *j =
			        &m->jobs[nconf + k / 2];
			const struct zfs_prop *p =
			        strcmp(j->source, d->name)
			                ? NULL
			                : zfs_prop_find(vals, d->name,
			                                props->v[k]);
			v[col + k] = xstrdup(p && p->value ? p->value : "-");
		}
		v[col + add] = d->values[col];
		free(d->values);
		d->values = v;
	}
	ds->nprops += add;
}

int status_send_to_jobs(struct zfs *zh, const struct zeit_config *cfg,
                        struct zfs_dataset_list *ds, struct zeit_config *m)
{
	struct send_to_refusals refused = {0};
	*m = *cfg;
	m->jobs = xcalloc(cfg->njobs + 1, sizeof(*m->jobs));
	memcpy(m->jobs, cfg->jobs, cfg->njobs * sizeof(*m->jobs));
	send_to_add_jobs(m, ds, ds->nprops - 1, &refused);
	/* The runs of send --auto say what did not read. */
	send_to_refusals_free(&refused);
	if (m->njobs == cfg->njobs)
		return 0;
	struct zfs_prop_list vals = {0};
	struct strv props;
	strv_init(&props);
	int rc = read_outcomes(zh, m, cfg->njobs, &vals, &props);
	if (rc == 0)
		widen(ds, m, cfg->njobs, &vals, &props);
	zfs_prop_list_free(&vals);
	strv_free(&props);
	return rc;
}
