/* Switching from zfs-auto-snapshot or sanoid to zeit: what the old tool
 * was told (its cron lines and systemd units, sanoid.conf), the zeit
 * configuration that does the same, and the steps that switch it off.
 * The planner is pure code over the files' contents; the CLI reads them
 * and writes the configuration only when asked. */
#ifndef ZEIT_ADOPT_H
#define ZEIT_ADOPT_H

#include <stdbool.h>

#include "zeit/util.h"

enum adopt_tool {
	ADOPT_AUTO_SNAPSHOT, /* zfs-auto-snapshot */
	ADOPT_SANOID,
};

/* A file the old tool is run or configured by, with its contents. */
struct adopt_file {
	const char *path;
	const char *text;
};

/* A dataset's com.sun:auto-snapshot marks, as zfs reports them. */
struct adopt_mark {
	const char *dataset;
	const char *prop; /* com.sun:auto-snapshot or ...:LABEL */
	const char *value;
};

struct adopt_input {
	enum adopt_tool tool;
	/* Cron files, systemd units: whatever mentions the tool. */
	const struct adopt_file *sched;
	size_t nsched;
	/* zfs-auto-snapshot: its script (to see how it stamps names). */
	const char *script;
	/* sanoid: sanoid.conf and the packaged defaults. */
	struct adopt_file sanoid_conf, sanoid_defaults;
	const struct adopt_mark *marks;
	size_t nmarks;
	const char *const *pools; /* NULL-terminated */
};

struct adopt_plan {
	struct strv read;  /* what zeit read, one line each */
	struct strv notes; /* what does not map, and why */
	struct strv steps; /* commands that switch the old tool off */
	struct buf config; /* the zeit.conf that does the same */
	bool found;        /* the tool is scheduled at all */
};

/* "zfs-auto-snapshot" or "sanoid" to a tool; false if neither. */
bool adopt_tool_from(const char *name, enum adopt_tool *out);
const char *adopt_tool_name(enum adopt_tool t);

/* The files Debian's packages install to run the tool. */
const char *const *adopt_sched_paths(enum adopt_tool t);

void adopt_plan_make(const struct adopt_input *in, struct adopt_plan *out);
void adopt_plan_free(struct adopt_plan *p);

/* What adopt_read gathered: the input and the storage behind it. */
struct adopt_source {
	struct adopt_input in;
	struct adopt_file *files;
	struct adopt_mark *marks;
	struct strv owned; /* every string the input points at */
	struct strv pools;
};

struct zfs;
/* Reads the tool's files where Debian's packages put them (the ones that
 * exist), sanoid.conf from sanoid_conf (NULL: /etc/sanoid/sanoid.conf),
 * and the pools' local com.sun:auto-snapshot* marks: one zpool list and
 * one zfs get. Changes nothing. */
int adopt_read(struct zfs *zh, enum adopt_tool tool, const char *sanoid_conf,
               struct adopt_source *out);
void adopt_source_free(struct adopt_source *s);

#endif
