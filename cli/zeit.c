/* zeit: the command table. Each command parses its flags, calls libzeit
 * and prints; all ZFS knowledge lives in the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/ztime.h"

static int cmd_help(struct cli *cli, int argc, char **argv);
static int cmd_version(struct cli *cli, int argc, char **argv);

const struct cli_cmd cli_cmds[] = {
        {"snap", cmd_snap,
         "take snapshots: the tiers due (--auto) or named ones",
         "snap --auto [DATASET...]\n       zeit snap -t TIER [-t TIER]... [-r] "
         "DATASET...",
         "--auto is what a timer runs every few minutes: for each selected "
         "dataset\n"
         "it takes the tiers whose period has begun since that tier's newest "
         "zeit\n"
         "snapshot (frequent: 15 minutes, hourly, daily, weekly from Monday,\n"
         "monthly, yearly; UTC). Selected: datasets with org.zeit:snap=on (or "
         "a\n"
         "configuration section snap = on, or com.sun:auto-snapshot=true), "
         "minus\n"
         "those with org.zeit:snap=off or com.sun:auto-snapshot=false; a tier "
         "is\n"
         "skipped where com.sun:auto-snapshot:TIER=false or the keep policy "
         "keeps 0.\n"
         "With DATASET arguments, --auto considers only those.\n"
         "\n"
         "-t takes the named tiers now on each DATASET (with -r, its tree, "
         "minus\n"
         "excluded datasets). Names are zeit_<tier>_<YYYYMMDDTHHMMSSZ> from "
         "the\n"
         "planning clock; every tier of a run shares it. Each tier is one "
         "atomic\n"
         "zfs snapshot call per pool (ZFS takes one snapshot per dataset a "
         "call).\n"
         "A second run waits for the first (see --lock-wait).\n"
         "\n"
         "  -a, --auto        the tiers that are due\n"
         "  -t, --tier TIER   take TIER now (repeatable)\n"
         "  -r, --recursive   the whole tree under each DATASET\n"},
        {"prune", cmd_prune,
         "destroy zeit's snapshots that the keep policy lets go",
         "prune [-r] [--batch | --channel-program] [DATASET...]",
         "Applies each dataset's keep policy to its snapshots (every imported "
         "pool\n"
         "when no DATASET is named). Only snapshots named by zeit are "
         "destroyed,\n"
         "plus zfs-auto-snapshot's or sanoid's when the configuration adopts "
         "them.\n"
         "Held snapshots and clone origins are always kept. Per pool, one "
         "channel\n"
         "program checks every doomed snapshot and destroys them all in one "
         "txg,\n"
         "or none; where channel programs are unavailable, one zfs destroy "
         "per\n"
         "dataset. Datasets with org.zeit:prune=off are left alone.\n"
         "\n"
         "Policy: keep = TIER=COUNT or TIER=AGE (units m h d w y), "
         "comma-separated,\n"
         "and xN to multiply (a replica keeping twice as long: x2). Defaults:\n"
         "frequent=4,hourly=24,daily=31,weekly=8,monthly=12,yearly=0. "
         "Precedence:\n"
         "defaults < config [defaults] < config [DATASET] < org.zeit:keep.\n"
         "\n"
         "With -n, every snapshot with what would happen and the rule that "
         "decided.\n"
         "\n"
         "  -r, --recursive      the whole tree under each DATASET\n"
         "      --batch          batched zfs destroy, no channel program\n"
         "      --channel-program  channel program only, no fallback\n"},
        {"diff", cmd_diff,
         "what changed between snapshots: files, packages, contents",
         "diff SNAPSHOT [SNAPSHOT|DATASET] [PATH...]\n"
         "       zeit diff --packages SNAPSHOT [SNAPSHOT|DATASET]\n"
         "       zeit diff --content [--max-size N] SNAPSHOT "
         "[SNAPSHOT|DATASET] PATH",
         "Compares a snapshot with a later snapshot of the same dataset, or "
         "with\n"
         "the dataset as it is now (the default). One zfs diff run; an "
         "unmounted\n"
         "dataset (a boot environment) is mounted read-only for it, then\n"
         "unmounted. Files: change (+ created, - removed, M modified, R\n"
         "renamed), type (F file, / directory, @ symlink, B C devices, | "
         "fifo,\n"
         "= socket) and the path inside the dataset (--absolute: under its\n"
         "mountpoint), only under the PATHs given; then the counts. -H "
         "escapes\n"
         "names as zfs does (\\0ooo); -j gives names that are not UTF-8 as\n"
         "path_hex.\n"
         "\n"
         "--packages reads each side's package database (dpkg, xbps, pacman,\n"
         "apk) and lists packages upgraded, downgraded, added and removed, "
         "with\n"
         "both versions compared by that ecosystem's rules.\n"
         "\n"
         "--content prints a unified diff of each regular file changed under\n"
         "PATH; binary files and files over --max-size (default 1M) are "
         "named.\n"
         "\n"
         "  -p, --packages      package changes\n"
         "  -c, --content       file contents under PATH\n"
         "      --absolute      paths under the dataset's mountpoint\n"
         "      --max-size N    content size limit (bytes, or with K or M)\n"},
        {"send", cmd_send,
         "replicate to another pool or host: incremental, resumable",
         "send [-r] [--raw | --no-raw] [--rollback] [--force] [--prune]\n"
         "       [--all-snapshots] [--compress] [--ssh-opt OPT]... "
         "[--limit RATE]\n"
         "       [HOST:]SOURCE [HOST:]TARGET\n"
         "       zeit send --auto [--job NAME]... [--parallel N] [--limit "
         "RATE]",
         "The first run sends the oldest selected snapshot in full, then "
         "every\n"
         "later one; later runs send incrementally (-I) from the newest "
         "snapshot\n"
         "both sides share, matched by guid. Selected: zeit's snapshots (and "
         "the\n"
         "schemes the configuration adopts), or all with --all-snapshots.\n"
         "The base is held on the source (tag zeit-send:[HOST:]TARGET) and\n"
         "bookmarked, so no prune can take it. Receives are resumable (-s): "
         "an\n"
         "interrupted one is finished on the next run, or discarded if its "
         "base\n"
         "is gone. A target with snapshots or writes after the base is "
         "refused\n"
         "(--rollback discards them); one sharing no snapshot is refused\n"
         "(--force replaces it). New targets are created read-only and not\n"
         "mounted. Encrypted sources go raw unless --no-raw. The target keeps\n"
         "org.zeit:source, last-guid, last-snapshot and last-sent.\n"
         "\n"
         "SOURCE or TARGET may be HOST:dataset over ssh (BatchMode; see zeit\n"
         "serve for a restricted key): HOST:SOURCE pulls. With -n, the plan\n"
         "only.\n"
         "\n"
         "  -r, --recursive    the tree: parents first, clones after origins\n"
         "      --raw, --no-raw  force raw (-w) streams, or decrypt\n"
         "      --rollback     discard target-only snapshots and writes\n"
         "      --force        replace a target that shares no snapshot\n"
         "      --prune        then prune the target with its own policy\n"
         "      --all-snapshots  every snapshot, not only zeit's\n"
         "      --compress     compress the ssh stream (ssh -C)\n"
         "      --ssh-opt OPT  pass OPT to ssh (repeatable)\n"
         "      --no-progress  no progress line on a terminal\n"
         "      --stall-timeout SECS  give up when no data moves for SECS "
         "(120)\n"
         "      --limit RATE   at most RATE bytes/s (K, M, G, T: powers of "
         "1024,\n"
         "                     as pv -L and mbuffer -r), e.g. 2M or 1.5G\n"
         "      --auto         zeit.conf's [send NAME] jobs that are due, "
         "each on its\n"
         "                     own; outcomes in org.zeit:job:NAME:ok and "
         ":error\n"
         "                     and the datasets whose org.zeit:send-to "
         "names\n"
         "                     targets (inherited: the tree, none: left "
         "out)\n"
         "      --job NAME     with --auto: only this job (repeatable)\n"
         "      --parallel N   with --auto: jobs to different hosts, N at "
         "once\n"
         "                     (2; one host's jobs one after another)\n"},
        {"serve", cmd_serve, "one side of replication as an ssh forced command",
         "serve [--allow-prune] [--allow-rollback] DATASET...\n"
         "       zeit serve --send [--allow-plaintext] DATASET...",
         "For authorized_keys, on a push's target or a pull's source:\n"
         "  command=\"zeit serve backup/laptop\",restrict ssh-ed25519 AAAA...\n"
         "  command=\"zeit serve --send tank/home\",restrict ssh-ed25519 "
         "AAAA...\n"
         "Each command is parsed and rebuilt, zfs runs by absolute path, "
         "and\n"
         "only DATASET and below are touched. Receiving (the default) is\n"
         "append-only: listings, receives that are never mounted and take "
         "no\n"
         "properties from the stream (send -p/-R refused; canmount=noauto,\n"
         "setuid, devices, exec off; volmode=none), receive -A, zeit's\n"
         "bookkeeping, empty parents. --send: listings, zfs send (raw for\n"
         "encrypted datasets), zeit's holds and bookmarks.\n"
         "\n"
         "      --allow-prune     also destroy zeit's snapshots under "
         "DATASET\n"
         "      --allow-rollback  also zfs rollback and receive -F\n"
         "      --send            serve a pull's source\n"
         "      --allow-plaintext with --send: decrypted sends when asked\n"},
        {"be", cmd_be, "boot environments: list, create, activate, destroy...",
         "be [--root DATASET] SUBCOMMAND ...",
         "Boot environments are the children of a BE root (the parent of the "
         "running\n"
         "root dataset, else of the pool's bootfs; --root or $ZEIT_BE_ROOT "
         "names it),\n"
         "each with mountpoint=/ and canmount=noauto, kernels in its own "
         "/boot.\n"
         "\n"
         "  list [--no-kernels]        N running, R bootfs, T next boot "
         "only; TRIAL\n"
         "  create NAME [-e BE|BE@SNAP] [--clone|--promote|--duplicate] [-r]\n"
         "  activate [--once|--trial] NAME   bootfs (promoting a clone), or "
         "next boot\n"
         "                             only; --trial: boots once, bootfs "
         "once it confirms\n"
         "  confirm                    this boot came up: a trial becomes "
         "bootfs\n"
         "                             (zeit-boot-ok.service runs it)\n"
         "  next-boot [--take]         the --once choice; --take clears it\n"
         "  destroy [-o] NAME          not the running or bootfs one; -o: its "
         "origin too\n"
         "  rename OLD NEW\n"
         "  mount [--read-only] NAME [DIR]   with its children; prints DIR\n"
         "  umount NAME\n"
         "  chroot [--read-only] NAME [CMD...]   /proc /sys /dev bound in\n"
         "  snapshots NAME             newest first, with tier and age\n"
         "  rollback [-r] [-y] [--force] NAME@SNAP\n"
         "\n"
         "create takes a fresh snapshot of the running (else bootfs) "
         "environment\n"
         "unless -e names a source; it carries local and received "
         "properties.\n"
         "See zeit-be(8).\n"},
        {"status", cmd_status,
         "is the history healthy: tiers, replicas, pools; for monitoring",
         "status [--nagios] [--prometheus FILE] [DATASET...]",
         "For each dataset zeit snapshots, the newest snapshot of each tier "
         "and its\n"
         "age (warning past 2 periods, critical past 4); for each replica "
         "here\n"
         "(org.zeit:source), the last common snapshot and the lag in time "
         "and\n"
         "snapshots (warning past 2 days, critical past 4) and any pending "
         "resume;\n"
         "each pool's capacity (80%, 90%), state and device errors "
         "(DEGRADED or\n"
         "errors warn; FAULTED, SUSPENDED or data errors are critical) and "
         "last\n"
         "scrub (warning past 40 days). Problems first. Thresholds: "
         "[status] in\n"
         "zeit.conf. One listing each of datasets, snapshots, pools and "
         "pool status.\n"
         "Exit status 1 when anything is not OK.\n"
         "\n"
         "      --nagios          one line; exit 0 OK, 1 WARNING, 2 CRITICAL, "
         "3 UNKNOWN\n"
         "      --prometheus FILE write a node_exporter textfile "
         "(atomically)\n"},
        {"bisect", cmd_bisect, "find the snapshot where a regression appeared",
         "bisect start [BE] --good SNAP [--bad SNAP] [--tier T]\n"
         "       zeit bisect good|bad|skip [SNAP]\n"
         "       zeit bisect run [--chroot] CMD [ARG...]\n"
         "       zeit bisect run --boot [--check CMD] [--timeout S] "
         "[--no-reboot]\n"
         "       zeit bisect step [--no-reboot]\n"
         "       zeit bisect isolate [--good S --bad S] [PATH...] -- CMD "
         "[ARG...]\n"
         "       zeit bisect status | log | replay FILE | reset",
         "As git bisect does for commits. Candidates are the environment's "
         "snapshots\n"
         "between good and bad (bad: the newest), in creation order; --tier "
         "keeps one\n"
         "tier. Manual mode clones the midpoint into a throwaway environment "
         "and sets\n"
         "it to boot once; after testing, mark it from any environment. "
         "run clones,\n"
         "mounts and runs CMD with ZEIT_BISECT_ROOT set (or inside it with "
         "--chroot),\n"
         "then destroys the clone: exit 0 good, 125 skip, 1-127 bad, 128 or "
         "more\n"
         "stops. State lives in user properties on the BE root and the "
         "snapshots,\n"
         "so it survives reboots. reset destroys the clones and restores "
         "bootfs and\n"
         "the next boot. The end shows the last good and first bad snapshot "
         "and the\n"
         "packages and files that changed between them. isolate applies "
         "subsets\n"
         "of those changes (files, then hunks, then lines) onto a clone of "
         "the last\n"
         "good snapshot and narrows them with ddmin to the ones that make "
         "CMD\n"
         "fail. run --boot, started on the default environment, boots each "
         "candidate\n"
         "once and runs CMD (sh -c) inside it from zeit-boot-ok.service's "
         "zeit bisect\n"
         "step, which marks it and reboots into the next; one that never "
         "comes up is\n"
         "marked bad by the next boot's step, and the default boots at the "
         "end with\n"
         "the answer kept for bisect status. See zeit-bisect(8).\n"},
        {"list", cmd_list,
         "list snapshots (and bookmarks) with their tier and time",
         "list [-r] [-b] [DATASET...]",
         "Lists the snapshots of each DATASET (every pool when none is named), "
         "on\n"
         "zfs's fast path: name, guid and createtxg only. Tier and time come "
         "from\n"
         "the names: zeit's, and zfs-auto-snapshot's and sanoid's read in "
         "their\n"
         "time zones ([adopt] in zeit.conf); other snapshots show '-'.\n"
         "\n"
         "  -r, --recursive   snapshots of the whole tree under each DATASET\n"
         "  -b, --bookmarks   bookmarks too\n"},
        {"destroy", cmd_destroy, "destroy named snapshots in batches",
         "destroy [-d] SNAPSHOT...",
         "Destroys the named snapshots (dataset@name) with one `zfs destroy\n"
         "dataset@a,b,c` per dataset. With -n it prints those calls and "
         "changes\n"
         "nothing.\n"
         "\n"
         "  -d, --defer       defer destruction of held or cloned snapshots\n"},
        {"adopt", cmd_adopt,
         "take over from zfs-auto-snapshot or sanoid: configuration and steps",
         "adopt --from zfs-auto-snapshot|sanoid [--write [--output FILE]] "
         "[--sanoid-conf FILE]",
         "Reads what the old tool runs by (its cron files and systemd units "
         "as\n"
         "Debian's packages install them, the pools' com.sun:auto-snapshot* "
         "marks,\n"
         "sanoid.conf's datasets and templates), prints the zeit.conf that "
         "does\n"
         "the same (tiers and counts, adopt = its names, the time zone its "
         "names\n"
         "are in, the datasets it takes) and the commands that switch the "
         "old\n"
         "tool off. Its snapshots stay and become zeit's history. Writes "
         "nothing\n"
         "unless --write (never over an existing file). See zeit-adopt(8).\n"
         "\n"
         "  -f, --from TOOL       zfs-auto-snapshot or sanoid\n"
         "      --write           write the configuration (a new file)\n"
         "      --output FILE     where (default: the configuration file)\n"
         "      --sanoid-conf FILE  sanoid's (default "
         "/etc/sanoid/sanoid.conf)\n"},
        {"log", cmd_log,
         "one file's or directory's versions across the snapshots",
         "log [-p] [--replica DATASET] [DATASET] PATH",
         "Lists each distinct version of PATH (inside DATASET, which may be "
         "an\n"
         "unmounted boot environment; without DATASET an absolute path on a "
         "mounted\n"
         "dataset) once, with the snapshots it lived in, its size and time; "
         "where\n"
         "PATH was missing, a 'deleted' row. Versions are found from inode, "
         "change\n"
         "time, size and mtime; contents are read only where those disagree "
         "and the\n"
         "size does not. --replica adds the snapshots a replica kept that "
         "the\n"
         "dataset no longer has. -v says how many lookups and reads it took. "
         "See\n"
         "zeit-log(8).\n"
         "\n"
         "  -p, --patch          the diff of each change\n"
         "      --replica DATASET  a replica's snapshots too\n"},
        {"restore", cmd_restore, "put a file or directory back from a snapshot",
         "restore [DATASET] PATH --from SNAPSHOT [--to DIR]",
         "Copies PATH (inside DATASET, or an absolute path on a mounted "
         "dataset)\n"
         "from SNAPSHOT back into the mounted dataset, or into DIR with "
         "--to, with\n"
         "owners, modes, times and extended attributes; a directory is "
         "merged into\n"
         "what is there (entries the snapshot lacks stay). First it takes a "
         "guard\n"
         "snapshot DATASET@zeit-restore_<time> of what it writes into, so "
         "the\n"
         "restore can be undone. -n lists what would be created or "
         "overwritten and\n"
         "changes nothing. See zeit-restore(8).\n"
         "\n"
         "      --from SNAPSHOT  the snapshot (short name or DATASET@NAME)\n"
         "      --to DIR         put it into DIR instead of in place\n"},
        {"run", cmd_run,
         "snapshots before and after a command that changes packages",
         "run [-d DATASET] [--note TEXT] [--keep] -- COMMAND...",
         "Takes a pre snapshot (tier pkgpre) of the running boot environment "
         "and\n"
         "its children, runs COMMAND, then a post snapshot (tier pkg) that "
         "holds\n"
         "the command line and the package delta in user properties. No "
         "package\n"
         "changed: the pair is destroyed (unless --keep). Exits with "
         "COMMAND's\n"
         "status; a failing snapshot only warns. See man zeit-run.\n"
         "\n"
         "  -d, --dataset DATASET  snapshot this tree (default: [pkg] "
         "dataset in\n"
         "                         zeit.conf, else the dataset / is)\n"
         "      --note TEXT        kept in org.zeit:pkg-note\n"
         "  -k, --keep             keep the pair even if no package "
         "changed\n"},
        {"hook", cmd_hook,
         "the pre or post half of a package manager's transaction",
         "hook pre|post --manager apt|pacman|apk|xbps [-d DATASET]",
         "What the package managers' hooks call (apt.conf.d, alpm hooks, "
         "apk\n"
         "commit hooks). Always exits 0: a failing snapshot warns, a "
         "read-only\n"
         "or non-ZFS root does nothing. See man zeit-run.\n"},
        {"help", cmd_help, "show help for zeit or one command",
         "help [COMMAND]", ""},
        {"version", cmd_version, "print zeit's version", "version", ""},
        {NULL, NULL, NULL, NULL, NULL},
};

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void print_main_help(FILE *f)
{
	fprintf(f, "usage: zeit [GLOBAL FLAGS] COMMAND [ARGS...]\n"
	           "\n"
	           "zeit keeps a ZFS machine's history: snapshots, "
	           "replication, boot\n"
	           "environments, diffs and bisection.\n"
	           "\n"
	           "Commands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
	        "\n"
	        "Global flags (before or after the command):\n"
	        "  -n, --dry-run     print what would be done, change nothing\n"
	        "  -j, --json        JSON output\n"
	        "  -H                scripted output: no header, "
	        "tab-separated\n"
	        "  -v, --verbose     say more (twice: every zfs command run)\n"
	        "      --now TIME    planning clock, ISO 8601 UTC (env "
	        "ZEIT_NOW)\n"
	        "      --config FILE configuration (env ZEIT_CONFIG; default\n"
	        "                    /etc/zeit/zeit.conf)\n"
	        "      --lock-wait S wait at most S seconds for another run "
	        "(600)\n"
	        "  -h, --help        this help;  -V, --version  the version\n"
	        "\n"
	        "Exit status: 0 success, 1 error, 2 usage error.\n"
	        "See 'zeit help COMMAND' and zeit(8).\n");
}

static void print_cmd_help(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: zeit %s\n\n%s", c->usage, c->help);
	if (c->help[0])
		fprintf(f, "\nGlobal flags -n -j -H -v --now apply; see 'zeit "
		           "help'.\n");
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	int c;
	while ((c = cli_getopt(cli, argc, argv, "", NULL)) != -1)
		return ZEIT_EXIT_USAGE;
	if (optind >= argc) {
		print_main_help(stdout);
		return ZEIT_EXIT_OK;
	}
	const struct cli_cmd *cmd = cli_find(argv[optind]);
	if (!cmd)
		return cli_usage_error(cli, "help", "unknown command '%s'",
		                       argv[optind]);
	print_cmd_help(stdout, cmd);
	return ZEIT_EXIT_OK;
}

static int cmd_version(struct cli *cli, int argc, char **argv)
{
	int c;
	while ((c = cli_getopt(cli, argc, argv, "", NULL)) != -1)
		return ZEIT_EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error(cli, "version",
		                       "unexpected argument '%s'",
		                       argv[optind]);
	printf("zeit %s\n", ZEIT_VERSION);
	return ZEIT_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option main_long[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	struct cli cli;
	const char *env_now;
	int c;

	memset(&cli, 0, sizeof(cli));
	zeit_init(&cli.z);
	cli.z.note_to = cli_print_note;
	cli.prog = "zeit";
	cli.lock_wait = 600;

	env_now = getenv("ZEIT_NOW");
	if (env_now && *env_now && !ztime_parse(env_now, &cli.z.now))
		return cli_usage_error(
		        &cli, NULL,
		        "invalid ZEIT_NOW '%s': expected ISO 8601 "
		        "UTC, e.g. 2026-11-27T22:15:00Z",
		        env_now);

	while ((c = cli_getopt(&cli, argc, argv, "+hV", main_long)) != -1) {
		switch (c) {
		case 'h': print_main_help(stdout); return ZEIT_EXIT_OK;
		case 'V':
			printf("zeit %s\n", ZEIT_VERSION);
			return ZEIT_EXIT_OK;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_main_help(stderr);
		return ZEIT_EXIT_USAGE;
	}
	const struct cli_cmd *cmd = cli_find(argv[optind]);
	if (!cmd)
		return cli_usage_error(&cli, NULL, "unknown command '%s'",
		                       argv[optind]);
	if (cli.json && cli.scripted)
		return cli_usage_error(&cli, NULL,
		                       "-j and -H exclude each other");

	/* The command sees argv from its own name on; restart getopt. */
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	optind = 0;
	for (int i = 1; i < sub_argc; i++)
		if (strcmp(sub_argv[i], "-h") == 0 ||
		    strcmp(sub_argv[i], "--help") == 0) {
			print_cmd_help(stdout, cmd);
			return ZEIT_EXIT_OK;
		} else if (strcmp(sub_argv[i], "--") == 0) {
			break;
		}
	cli.cmd = cmd->name;
	int rc = cmd->run(&cli, sub_argc, sub_argv);
	if (fflush(stdout) != 0 && rc == 0) {
		perror("zeit: writing output");
		rc = ZEIT_EXIT_ERROR;
	}
	return rc;
}
