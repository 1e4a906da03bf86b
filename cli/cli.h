/* What every zeit command shares: the library handle, the global flags and
 * the three output forms (table, -H scripted, -j JSON). */
#ifndef ZEIT_CLI_H
#define ZEIT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "zeit/util.h"
#include "zeit/zeit.h"

struct cli {
	struct zeit z;
	bool json;     /* -j */
	bool scripted; /* -H */
	const char *prog;
	const char *cmd;         /* the command's name once it is known */
	const char *config_path; /* --config, else $ZEIT_CONFIG, else default */
	int lock_wait;           /* seconds to wait for another run's lock */
};

struct zeit_config;
/* Loads the configuration file (a missing default file is fine). */
int cli_load_config(struct cli *cli, struct zeit_config *cfg);

struct cli_cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary; /* one line for `zeit --help` */
	const char *usage;   /* the synopsis after "zeit " */
	const char *help;    /* the rest of `zeit help CMD` */
};

extern const struct cli_cmd cli_cmds[];
const struct cli_cmd *cli_find(const char *name);

/* getopt_long over the command's own options plus the global ones, which
 * are applied to cli as they are met. Returns the next command option, -1
 * at the end, or '?' after printing a usage error. */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
               const struct option *longopts);

/* Prints "zeit CMD: message" and a hint; returns ZEIT_EXIT_USAGE. */
int cli_usage_error(struct cli *cli, const char *cmd, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prints a library note to stderr: "zeit: TEXT" (the handle's note_to). */
void cli_print_note(void *arg, int level, const char *text);
/* Prints the handle's error once and returns ZEIT_EXIT_ERROR. */
int cli_error(struct cli *cli);
/* Keeps snap's or prune's outcome (rc, the datasets skipped): a failure
 * on the pools touched, a good run on those with a failure recorded
 * (erred), unless -n; see cli/outcome.c. */
void cli_record_outcome(struct cli *cli, const char *kind,
                        const struct strv *touched, const struct strv *erred,
                        time_t started, int rc, const struct strv *skipped);
/* Prints the library's notes ("zeit: note") when -v was given level
 * times or more: the library returns them, the command prints them. */
void cli_notes(const struct cli *cli, int level, const struct strv *notes);

/* A table: header names, then rows of string cells. Columns whose name
 * starts with '#' are numbers in JSON (the '#' is not shown). Cells are
 * escaped when printed for people and -H (escape.h): values come from
 * whoever set a property. */
struct table {
	const char *const *cols;
	size_t ncols;
	struct strv cells;
	struct strv paint; /* per cell: an SGR colour for people, or "" */
};

void table_init(struct table *t, const char *const *cols);
void table_add(struct table *t, const char *const *row);
/* Colours cell col of the last row (SGR parameters, e.g. "31") when
 * printed for people; the escape sequence is zeit's own, not the cell's. */
void table_paint(struct table *t, size_t col, const char *sgr);
/* Prints as aligned columns, -H tab-separated, or -j {"key": [rows]}. */
void table_print(struct cli *cli, struct table *t, const char *json_key);
void table_free(struct table *t);

/* A byte count for people: "1.5 GiB", or terse as zfs list: "1.5G". */
void cli_human_bytes(uint64_t b, bool terse, char *out, size_t len);

struct zfs_diff_list;
struct pkg_list;
struct pkg_changes;
/* zeit diff's renderings, shared with zeit bisect's report. */
int cli_print_files(struct cli *cli, const struct zfs_diff_list *l);
int cli_print_packages(struct cli *cli, const struct pkg_list *a,
                       const struct pkg_changes *ch);

int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_snap(struct cli *cli, int argc, char **argv);
int cmd_destroy(struct cli *cli, int argc, char **argv);
int cmd_prune(struct cli *cli, int argc, char **argv);
int cmd_diff(struct cli *cli, int argc, char **argv);
int cmd_send(struct cli *cli, int argc, char **argv);
int cmd_be(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_bisect(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_adopt(struct cli *cli, int argc, char **argv);
int cmd_log(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
/* zeit bisect isolate: root (--root) and good and bad may be NULL; paths
 * NULL for all; argv the test. */
int cli_bisect_isolate(struct cli *cli, const char *root, const char *good,
                       const char *bad, const char *const *paths,
                       const char *const *argv);
/* zeit bisect run --boot and step (cmd_bisect_boot.c); root may be NULL. */
int cli_bisect_boot(struct cli *cli, const char *root, const char *check,
                    const char *timeout, bool no_reboot);
int cli_bisect_step(struct cli *cli, const char *root, bool no_reboot);
/* Prints the answer the last boot bisection kept; false when none. */
struct be_ctx;
bool cli_bisect_boot_result(struct cli *cli, struct be_ctx *c);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_hook(struct cli *cli, int argc, char **argv);

#endif
