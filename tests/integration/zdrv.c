/* zdrv: every ZFS driver call behind a small command line, so the VM
 * tests can drive libzeit's driver against real OpenZFS and compare what
 * it returns with what zfs itself reports. Test tool only; not installed.
 *
 *   zdrv [--host DEST] [--ssh-opt ARG]... [--escape] [-v] CALL ARGS...
 *
 * Output is tab-separated, one record a line; byte strings that may hold
 * anything (diff paths) are printed as hex. Failures print the driver's
 * message on stderr and exit 1. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zeit/zfs.h"

static struct zeit z;
static struct zfs zh, dst;
static struct run_host host, dst_host;
static struct strv ssh_opts;
static size_t destroy_limit = ZFS_DESTROY_ARG_LIMIT;
static bool escape; /* --escape: values with control bytes as \ooo */

/* A property value as zfs stored it, or with --escape each byte below
 * 0x20, 0x7f and '\\' as \ooo, so a value with newlines stays on its
 * line. */
static const char *shown(const char *v)
{
	static struct buf b;
	if (!escape)
		return v;
	buf_free(&b);
	buf_init(&b);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			buf_addf(&b, "\\%03o", *p);
		else
			buf_addc(&b, (char)*p);
	return b.data ? b.data : "";
}

static int die(void)
{
	fprintf(stderr, "zdrv: %s\n", zeit_error(&z));
	return 1;
}

static int usage(const char *msg)
{
	fprintf(stderr, "zdrv: %s\n", msg);
	return 2;
}

static const char *source_name(enum zfs_prop_source s)
{
	switch (s) {
	case ZFS_SRC_DEFAULT: return "default";
	case ZFS_SRC_LOCAL: return "local";
	case ZFS_SRC_INHERITED: return "inherited";
	case ZFS_SRC_RECEIVED: return "received";
	case ZFS_SRC_TEMPORARY: return "temporary";
	default: return "none";
	}
}

static const char *type_name(enum zfs_type t)
{
	switch (t) {
	case ZFS_TYPE_FILESYSTEM: return "filesystem";
	case ZFS_TYPE_VOLUME: return "volume";
	case ZFS_TYPE_SNAPSHOT: return "snapshot";
	case ZFS_TYPE_BOOKMARK: return "bookmark";
	}
	return "?";
}

/* Splits "a,b,c" into a strv; "" gives an empty list. */
static void split_commas(const char *s, struct strv *out)
{
	strv_init(out);
	while (s && *s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		char *w = xstrndup(s, n);
		strv_push(out, w);
		free(w);
		s = c ? c + 1 : NULL;
	}
}

static void print_props(const struct zfs_prop_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		printf("%s\t%s\t%s\t%s%s%s\n", l->v[i].dataset, l->v[i].name,
		       shown(l->v[i].value), source_name(l->v[i].source),
		       l->v[i].inherited_from ? "\t" : "",
		       l->v[i].inherited_from ? l->v[i].inherited_from : "");
}

static void print_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)p[i]);
}

/* Leading "-x" flags of a call, as a string of letters. */
static int flags_of(int *argc, char ***argv, const char *allowed, char *seen)
{
	size_t n = 0;
	while (*argc > 0 && (*argv)[0][0] == '-' && (*argv)[0][1] &&
	       strcmp((*argv)[0], "--") != 0) {
		for (const char *f = (*argv)[0] + 1; *f; f++) {
			if (!strchr(allowed, *f))
				return -1;
			seen[n++] = *f;
		}
		(*argc)--;
		(*argv)++;
	}
	seen[n] = '\0';
	return 0;
}

/* --cut-bytes N abandons a transfer (SIGKILL to both sides, as a crash
 * would) once N bytes have crossed: a partial receive to resume. */
static uint64_t cut_bytes;

static bool progress(uint64_t bytes, void *arg)
{
	(void)arg;
	fprintf(stderr, "progress\t%" PRIu64 "\n", bytes);
	return !cut_bytes || bytes < cut_bytes;
}

static int call(int argc, char **argv)
{
	const char *cmd = argv[0];
	char f[32] = "";
	argc--;
	argv++;
#define NEED(n)                                                                \
	do {                                                                   \
		if (argc < (n))                                                \
			return usage("missing arguments");                     \
	} while (0)
#define ARGS ((const char *const *)argv)

	if (strcmp(cmd, "pools") == 0) {
		struct strv p;
		if (zpool_list(&zh, &p) < 0)
			return die();
		for (size_t i = 0; i < p.n; i++)
			printf("%s\n", p.v[i]);
		strv_free(&p);
		return 0;
	}
	if (strcmp(cmd, "list-datasets") == 0) {
		/* list-datasets [-s] [-b] ROOT|- DEPTH [PROP...] */
		struct zfs_dataset_list l;
		unsigned types = 0;
		if (flags_of(&argc, &argv, "sbfV", f) < 0)
			return usage("bad flag");
		if (strchr(f, 'f'))
			types |= ZFS_TYPE_FILESYSTEM;
		if (strchr(f, 'V'))
			types |= ZFS_TYPE_VOLUME;
		if (strchr(f, 's'))
			types |= ZFS_TYPE_SNAPSHOT;
		if (strchr(f, 'b'))
			types |= ZFS_TYPE_BOOKMARK;
		NEED(2);
		if (zfs_list_datasets(&zh,
		                      strcmp(argv[0], "-") ? argv[0] : NULL,
		                      atoi(argv[1]), types, ARGS + 2, &l) < 0)
			return die();
		for (size_t i = 0; i < l.n; i++) {
			printf("%s\t%s", l.v[i].name, type_name(l.v[i].type));
			for (size_t k = 0; k < l.nprops; k++)
				printf("\t%s", shown(l.v[i].values[k]));
			printf("\n");
		}
		zfs_dataset_list_free(&l);
		return 0;
	}
	if (strcmp(cmd, "list-snapshots") == 0) {
		/* list-snapshots [-r] [-b] [-B] ROOT */
		struct zfs_snap_list l;
		unsigned fl = 0;
		if (flags_of(&argc, &argv, "rbB", f) < 0)
			return usage("bad flag");
		NEED(1);
		if (strchr(f, 'r'))
			fl |= ZFS_SNAP_RECURSIVE;
		if (strchr(f, 'b'))
			fl |= ZFS_SNAP_BOOKMARKS;
		if (strchr(f, 'B'))
			fl |= ZFS_SNAP_NO_SNAPSHOTS;
		if (zfs_list_snapshots(&zh, argv[0], fl, &l) < 0)
			return die();
		for (size_t i = 0; i < l.n; i++)
			printf("%s\t%" PRIu64 "\t%" PRIu64 "\t%s\n",
			       l.v[i].name, l.v[i].guid, l.v[i].createtxg,
			       l.v[i].bookmark ? "bookmark" : "snapshot");
		zfs_snap_list_free(&l);
		return 0;
	}
	if (strcmp(cmd, "get") == 0) {
		/* get DEPTH PROPS|all DATASET... */
		struct zfs_prop_list l;
		struct strv props;
		NEED(3);
		split_commas(strcmp(argv[1], "all") ? argv[1] : "", &props);
		int rc = zfs_get_props(&zh, ARGS + 2, atoi(argv[0]),
		                       (const char *const *)props.v, &l);
		strv_free(&props);
		if (rc < 0)
			return die();
		print_props(&l);
		zfs_prop_list_free(&l);
		return 0;
	}
	if (strcmp(cmd, "pool-get") == 0) {
		struct zfs_prop_list l;
		struct strv props;
		NEED(2);
		/* "all", as zpool says it: no property named. */
		split_commas(strcmp(argv[1], "all") ? argv[1] : "", &props);
		int rc = zpool_get_props(&zh, argv[0],
		                         (const char *const *)props.v, &l);
		strv_free(&props);
		if (rc < 0)
			return die();
		print_props(&l);
		zfs_prop_list_free(&l);
		return 0;
	}
	if (strcmp(cmd, "pool-values") == 0) {
		/* POOL ("-": every pool) PROPS: values, sources not read. */
		struct zfs_prop_list l;
		struct strv props;
		NEED(2);
		split_commas(argv[1], &props);
		int rc = zpool_get_values(&zh,
		                          strcmp(argv[0], "-") ? argv[0] : NULL,
		                          (const char *const *)props.v, &l);
		strv_free(&props);
		if (rc < 0)
			return die();
		print_props(&l);
		zfs_prop_list_free(&l);
		return 0;
	}
	if (strcmp(cmd, "set") == 0) {
		NEED(2);
		return zfs_set_props(&zh, argv[0], ARGS + 1) < 0 ? die() : 0;
	}
	if (strcmp(cmd, "inherit") == 0) {
		if (flags_of(&argc, &argv, "r", f) < 0)
			return usage("bad flag");
		NEED(2);
		return zfs_inherit_prop(&zh, argv[0], argv[1], strchr(f, 'r')) <
		                       0
		               ? die()
		               : 0;
	}
	if (strcmp(cmd, "pool-set") == 0) {
		NEED(3);
		return zpool_set_prop(&zh, argv[0], argv[1], argv[2]) < 0
		               ? die()
		               : 0;
	}
	if (strcmp(cmd, "snapshot") == 0) {
		/* snapshot [PROP=V,...|-] SNAP... */
		struct strv props;
		NEED(2);
		split_commas(strcmp(argv[0], "-") ? argv[0] : "", &props);
		int rc = zfs_snapshot(&zh, ARGS + 1,
		                      props.n ? (const char *const *)props.v
		                              : NULL);
		strv_free(&props);
		return rc < 0 ? die() : 0;
	}
	if (strcmp(cmd, "destroy") == 0) {
		if (flags_of(&argc, &argv, "d", f) < 0)
			return usage("bad flag");
		NEED(1);
		return zfs_destroy_snapshots_limit(&zh, ARGS, strchr(f, 'd'),
		                                   destroy_limit) < 0
		               ? die()
		               : 0;
	}
	if (strcmp(cmd, "create") == 0) {
		if (flags_of(&argc, &argv, "p", f) < 0)
			return usage("bad flag");
		NEED(1);
		return zfs_create(&zh, argv[0], strchr(f, 'p'), ARGS + 1) < 0
		               ? die()
		               : 0;
	}
	if (strcmp(cmd, "destroy-dataset") == 0) {
		if (flags_of(&argc, &argv, "r", f) < 0)
			return usage("bad flag");
		NEED(1);
		return zfs_destroy_dataset(&zh, argv[0], strchr(f, 'r')) < 0
		               ? die()
		               : 0;
	}
	if (strcmp(cmd, "destroy-bookmark") == 0) {
		NEED(1);
		return zfs_destroy_bookmark(&zh, argv[0]) < 0 ? die() : 0;
	}
	if (strcmp(cmd, "clone") == 0) {
		NEED(2);
		return zfs_clone(&zh, argv[0], argv[1], ARGS + 2) < 0 ? die()
		                                                      : 0;
	}
	if (strcmp(cmd, "promote") == 0) {
		NEED(1);
		return zfs_promote(&zh, argv[0]) < 0 ? die() : 0;
	}
	if (strcmp(cmd, "rollback") == 0) {
		unsigned fl = 0;
		if (flags_of(&argc, &argv, "rRf", f) < 0)
			return usage("bad flag");
		NEED(1);
		if (strchr(f, 'r'))
			fl |= ZFS_ROLLBACK_LATER;
		if (strchr(f, 'R'))
			fl |= ZFS_ROLLBACK_CLONES;
		if (strchr(f, 'f'))
			fl |= ZFS_ROLLBACK_FORCE;
		return zfs_rollback(&zh, argv[0], fl) < 0 ? die() : 0;
	}
	if (strcmp(cmd, "rename") == 0) {
		unsigned fl = 0;
		if (flags_of(&argc, &argv, "rup", f) < 0)
			return usage("bad flag");
		NEED(2);
		if (strchr(f, 'r'))
			fl |= ZFS_RENAME_RECURSIVE;
		if (strchr(f, 'u'))
			fl |= ZFS_RENAME_NOMOUNT;
		if (strchr(f, 'p'))
			fl |= ZFS_RENAME_PARENTS;
		return zfs_rename(&zh, argv[0], argv[1], fl) < 0 ? die() : 0;
	}
	if (strcmp(cmd, "hold") == 0 || strcmp(cmd, "release") == 0) {
		if (flags_of(&argc, &argv, "r", f) < 0)
			return usage("bad flag");
		NEED(2);
		int rc = cmd[0] == 'h' ? zfs_hold(&zh, argv[0], ARGS + 1,
		                                  strchr(f, 'r'))
		                       : zfs_release(&zh, argv[0], ARGS + 1,
		                                     strchr(f, 'r'));
		return rc < 0 ? die() : 0;
	}
	if (strcmp(cmd, "holds") == 0) {
		struct zfs_hold_list l;
		if (flags_of(&argc, &argv, "r", f) < 0)
			return usage("bad flag");
		NEED(1);
		if (zfs_holds(&zh, ARGS, strchr(f, 'r'), &l) < 0)
			return die();
		for (size_t i = 0; i < l.n; i++)
			printf("%s\t%s\t%" PRId64 "\n", l.v[i].snapshot,
			       shown(l.v[i].tag), l.v[i].timestamp);
		zfs_hold_list_free(&l);
		return 0;
	}
	if (strcmp(cmd, "bookmark") == 0) {
		NEED(2);
		return zfs_bookmark(&zh, argv[0], argv[1]) < 0 ? die() : 0;
	}
	if (strcmp(cmd, "send-estimate") == 0 ||
	    strcmp(cmd, "send-recv") == 0) {
		/* send-estimate [-w] [-p] [-R] [-i FROM|-I FROM|-t TOKEN] SNAP
		 * send-recv [send flags] SNAP TARGET [s][F][u] */
		struct zfs_send_opts so = {0};
		struct zfs_recv_opts ro = {0};
		while (argc > 0 && argv[0][0] == '-') {
			const char *o = argv[0];
			if (strcmp(o, "-w") == 0)
				so.raw = true;
			else if (strcmp(o, "-p") == 0)
				so.props = true;
			else if (strcmp(o, "-R") == 0)
				so.replicate = true;
			else if (strcmp(o, "-c") == 0)
				so.compressed = true;
			else if ((strcmp(o, "-i") == 0 ||
			          strcmp(o, "-I") == 0) &&
			         argc > 1) {
				so.from = argv[1];
				so.intermediates = o[1] == 'I';
				argc--;
				argv++;
			} else if (strcmp(o, "-t") == 0 && argc > 1) {
				so.resume_token = argv[1];
				argc--;
				argv++;
			} else
				return usage("bad send flag");
			argc--;
			argv++;
		}
		if (!so.resume_token) {
			NEED(1);
			so.snap = argv[0];
			argc--;
			argv++;
		}
		if (cmd[5] == 'e') {
			uint64_t bytes;
			if (zfs_send_estimate(&zh, &so, &bytes) < 0)
				return die();
			printf("%" PRIu64 "\n", bytes);
			return 0;
		}
		NEED(1);
		ro.target = argv[0];
		if (argc > 1) {
			ro.resumable = strchr(argv[1], 's');
			ro.force = strchr(argv[1], 'F');
			ro.nomount = strchr(argv[1], 'u');
		}
		struct run_progress pr = {progress, NULL, cut_bytes ? 2 : 200};
		uint64_t bytes = 0;
		if (zfs_send_recv(&zh, &so, &dst, &ro, &pr, &bytes) < 0) {
			fprintf(stderr, "bytes\t%" PRIu64 "\n", bytes);
			return die();
		}
		printf("%" PRIu64 "\n", bytes);
		return 0;
	}
	if (strcmp(cmd, "recv-abort") == 0) {
		NEED(1);
		return zfs_recv_abort(&zh, argv[0]) < 0 ? die() : 0;
	}
	if (strcmp(cmd, "diff") == 0) {
		/* diff FROM [TO]: time change type hex(path) [hex(new)] */
		struct zfs_diff_list l;
		NEED(1);
		if (zfs_diff(&zh, argv[0], argc > 1 ? argv[1] : NULL, &l) < 0)
			return die();
		for (size_t i = 0; i < l.n; i++) {
			printf("%" PRId64 "\t%c\t%c\t", l.v[i].sec,
			       l.v[i].change, l.v[i].type);
			print_hex(l.v[i].path, l.v[i].path_len);
			if (l.v[i].new_path) {
				printf("\t");
				print_hex(l.v[i].new_path, l.v[i].new_path_len);
			}
			printf("\n");
		}
		zfs_diff_list_free(&l);
		return 0;
	}
	if (strcmp(cmd, "program") == 0) {
		/* program [-n] [-t N] [-m N] POOL SCRIPTFILE [ARG...] */
		struct zfs_program_opts o = {0};
		while (argc > 0 && argv[0][0] == '-') {
			if (strcmp(argv[0], "-n") == 0) {
				o.no_sync = true;
			} else if (strcmp(argv[0], "-t") == 0 && argc > 1) {
				o.instr_limit = strtoull(argv[1], NULL, 10);
				argc--;
				argv++;
			} else if (strcmp(argv[0], "-m") == 0 && argc > 1) {
				o.mem_limit = strtoull(argv[1], NULL, 10);
				argc--;
				argv++;
			} else
				return usage("bad program flag");
			argc--;
			argv++;
		}
		NEED(2);
		FILE *fp = fopen(argv[1], "r");
		if (!fp)
			return usage("cannot open script");
		struct buf script;
		char tmp[4096];
		size_t n;
		buf_init(&script);
		while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
			buf_add(&script, tmp, n);
		fclose(fp);
		o.pool = argv[0];
		o.script = script.data ? script.data : "";
		o.args = ARGS + 2;
		char *json;
		int rc = zfs_program(&zh, &o, &json);
		buf_free(&script);
		if (rc < 0)
			return die();
		fputs(json, stdout);
		free(json);
		return 0;
	}
	if (strcmp(cmd, "destroy-batches") == 0) {
		/* Pure planner, for comparing with what ran. */
		struct strv b;
		NEED(2);
		zfs_destroy_batches(ARGS + 1, strtoul(argv[0], NULL, 10), &b);
		for (size_t i = 0; i < b.n; i++)
			printf("%s\n", b.v[i]);
		strv_free(&b);
		return 0;
	}
	return usage("unknown call");
}

static void print_note(void *arg, int level, const char *text)
{
	(void)arg;
	(void)level;
	fprintf(stderr, "zeit: %s\n", text);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"host", required_argument, NULL, 'h'},
	        {"dst-host", required_argument, NULL, 'd'},
	        {"ssh-opt", required_argument, NULL, 'o'},
	        {"timeout", required_argument, NULL, 'T'},
	        {"destroy-limit", required_argument, NULL, 'L'},
	        {"cut-bytes", required_argument, NULL, 'C'},
	        {"escape", no_argument, NULL, 'E'},
	        {NULL, 0, NULL, 0},
	};
	int c, timeout = 0;

	zeit_init(&z);
	z.note_to = print_note;
	strv_init(&ssh_opts);
	while ((c = getopt_long(argc, argv, "+v", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': host.ssh = optarg; break;
		case 'd': dst_host.ssh = optarg; break;
		case 'o': strv_push(&ssh_opts, optarg); break;
		case 'T': timeout = atoi(optarg); break;
		case 'L': destroy_limit = strtoul(optarg, NULL, 10); break;
		case 'C': cut_bytes = strtoull(optarg, NULL, 10); break;
		case 'E': escape = true; break;
		case 'v': z.verbose++; break;
		default: return 2;
		}
	}
	if (optind >= argc)
		return usage("no call given");
	host.ssh_opts = (const char *const *)ssh_opts.v;
	dst_host.ssh_opts = (const char *const *)ssh_opts.v;
	zfs_init(&zh, &z, host.ssh ? &host : NULL);
	zfs_init(&dst, &z, dst_host.ssh ? &dst_host : NULL);
	zh.timeout_ms = dst.timeout_ms = timeout;
	int rc = call(argc - optind, argv + optind);
	if (z.verbose)
		fprintf(stderr, "calls\t%lu\n", zh.calls + dst.calls);
	strv_free(&ssh_opts);
	return rc;
}
