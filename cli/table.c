/* One table, three renderings: aligned columns for people, -H for scripts
 * (as zfs -H: no header, tab-separated), -j as JSON through json-c. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/escape.h"

void table_init(struct table *t, const char *const *cols)
{
	t->cols = cols;
	for (t->ncols = 0; cols[t->ncols]; t->ncols++)
		;
	strv_init(&t->cells);
	strv_init(&t->paint);
}

void table_add(struct table *t, const char *const *row)
{
	for (size_t i = 0; i < t->ncols; i++) {
		strv_push(&t->cells, row[i] ? row[i] : "-");
		strv_push(&t->paint, "");
	}
}

void table_paint(struct table *t, size_t col, const char *sgr)
{
	size_t i = t->paint.n - t->ncols + col;
	if (t->paint.n < t->ncols || col >= t->ncols)
		return;
	free(t->paint.v[i]);
	t->paint.v[i] = xstrdup(sgr);
}

void table_free(struct table *t)
{
	strv_free(&t->cells);
	strv_free(&t->paint);
}

static const char *col_name(const char *c)
{
	return c[0] == '#' ? c + 1 : c;
}

static void lower_key(char *dst, const char *src, size_t len)
{
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? src[i] - 'A' + 'a'
		                                          : src[i];
	dst[i] = '\0';
}

static json_object *json_cell(const char *col, const char *v)
{
	if (col[0] == '#' && strcmp(v, "-") != 0) {
		char *end;
		long long n = strtoll(v, &end, 10);
		if (!*end && *v) {
			if (v[0] != '-' && strlen(v) > 18)
				return json_object_new_uint64(
				        strtoull(v, NULL, 10));
			return json_object_new_int64(n);
		}
	}
	if (strcmp(v, "-") == 0)
		return NULL; /* json null */
	return json_object_new_string(v);
}

void table_print(struct cli *cli, struct table *t, const char *json_key)
{
	size_t nrows = t->ncols ? t->cells.n / t->ncols : 0;

	if (cli->json) {
		json_object *root = json_object_new_object();
		json_object *arr = json_object_new_array();
		for (size_t r = 0; r < nrows; r++) {
			json_object *o = json_object_new_object();
			for (size_t c = 0; c < t->ncols; c++) {
				char key[64];
				lower_key(key, col_name(t->cols[c]),
				          sizeof(key));
				json_object_object_add(
				        o, key,
				        json_cell(
				                t->cols[c],
				                t->cells.v[r * t->ncols + c]));
			}
			json_object_array_add(arr, o);
		}
		json_object_object_add(root, json_key, arr);
		puts(json_object_to_json_string_ext(
		        root, JSON_C_TO_STRING_PRETTY |
		                      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
		return;
	}
	/* What people and scripts see: no byte of a cell reaches the
	 * terminal as a control, no tab or newline splits a field. */
	struct strv shown;
	strv_init(&shown);
	for (size_t i = 0; i < t->cells.n; i++) {
		char *e = escape_dup(t->cells.v[i]);
		strv_push(&shown, e);
		free(e);
	}
	if (cli->scripted) {
		for (size_t r = 0; r < nrows; r++)
			for (size_t c = 0; c < t->ncols; c++)
				printf("%s%c", shown.v[r * t->ncols + c],
				       c + 1 == t->ncols ? '\n' : '\t');
		strv_free(&shown);
		return;
	}
	size_t *w = xcalloc(t->ncols, sizeof(size_t));
	for (size_t c = 0; c < t->ncols; c++)
		w[c] = strlen(col_name(t->cols[c]));
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t l = strlen(shown.v[r * t->ncols + c]);
			if (l > w[c])
				w[c] = l;
		}
	for (size_t c = 0; c < t->ncols; c++)
		printf("%-*s%s", c + 1 == t->ncols ? 0 : (int)w[c],
		       col_name(t->cols[c]), c + 1 == t->ncols ? "\n" : "  ");
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t i = r * t->ncols + c;
			const char *sgr = t->paint.v[i];
			int pad = c + 1 == t->ncols
			                  ? 0
			                  : (int)(w[c] - strlen(shown.v[i]));
			if (*sgr)
				printf("\033[%sm%s\033[0m", sgr, shown.v[i]);
			else
				fputs(shown.v[i], stdout);
			printf("%*s%s", pad, "",
			       c + 1 == t->ncols ? "\n" : "  ");
		}
	free(w);
	strv_free(&shown);
}

void cli_human_bytes(uint64_t b, bool terse, char *out, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int i = 0;
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	/* terse: zfs list's style, 1.5G; else 1.5 GiB. */
	if (terse)
		snprintf(out, len, i ? "%.1f%c" : "%.0f%c", v,
		         i ? units[i][0] : 'B');
	else
		snprintf(out, len, i ? "%.1f %s" : "%.0f %s", v, units[i]);
}
