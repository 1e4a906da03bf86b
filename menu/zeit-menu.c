/* zeit-menu: the boot menu. Run from an initramfs it imports the pools
 * read-only, shows the boot environments, counts down to the default and
 * boots the choice with kexec_file_load. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screens.h"
#include "zeit/menu.h"
#include "zeit/rootfile.h"

static void usage(FILE *f)
{
	fputs("usage: zeit-menu [-nv] [--auto] [-t SECONDS] [--keys FILE] "
	      "[--root ROOT]...\n"
	      "                 [--no-import] [--force-import] [--cmdline] "
	      "[--zeit PATH] [--shell PATH]\n"
	      "\n"
	      "  -t, --timeout S   count S seconds down to the default (0: at "
	      "once; -1: wait)\n"
	      "      --auto        boot the default without drawing a menu\n"
	      "      --keys FILE   read keys from FILE first (see "
	      "zeit-menu(8))\n"
	      "      --root ROOT   boot environments under ROOT (repeatable; "
	      "default: found)\n"
	      "      --no-import   use the pools already imported\n"
	      "      --force-import  import pools last used by another host "
	      "(-f)\n"
	      "      --cmdline     also read zeit.* settings from "
	      "/proc/cmdline\n"
	      "  -n, --dry-run     print what would boot; write and boot "
	      "nothing\n"
	      "  -v, --verbose     say what is done and how long it took\n",
	      f);
}

struct opts {
	int timeout;
	bool auto_boot, import, force_import, read_cmdline;
	const char *keys;
	struct strv roots;
	const char *zeit_path, *shell;
};

/* zeit.timeout=N zeit.auto zeit.import=force|none zeit.root=R
 * zeit.verbose: the menu's settings from the kernel command line, as
 * zfsbootmenu reads zbm.*. */
static void read_proc_cmdline(struct zeit *z, struct opts *o)
{
	FILE *f = fopen("/proc/cmdline", "re");
	char line[4096];
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	for (char *save = NULL, *w = strtok_r(line, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		if (str_starts(w, "zeit.timeout="))
			o->timeout = atoi(w + strlen("zeit.timeout="));
		else if (!strcmp(w, "zeit.auto"))
			o->auto_boot = true;
		else if (!strcmp(w, "zeit.import=force"))
			o->force_import = true;
		else if (!strcmp(w, "zeit.import=none"))
			o->import = false;
		else if (str_starts(w, "zeit.root="))
			strv_push(&o->roots, w + strlen("zeit.root="));
		else if (!strcmp(w, "zeit.verbose"))
			z->verbose++;
	}
}

/* The library's notes, as the command's: "zeit: TEXT" on stderr. */
static void print_note(void *arg, int level, const char *text)
{
	(void)arg;
	(void)level;
	fprintf(stderr, "zeit: %s\n", text);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"timeout", required_argument, NULL, 't'},
	        {"auto", no_argument, NULL, 'A'},
	        {"keys", required_argument, NULL, 'K'},
	        {"root", required_argument, NULL, 'R'},
	        {"no-import", no_argument, NULL, 'N'},
	        {"force-import", no_argument, NULL, 'F'},
	        {"cmdline", no_argument, NULL, 'C'},
	        {"zeit", required_argument, NULL, 'Z'},
	        {"shell", required_argument, NULL, 'S'},
	        {"dry-run", no_argument, NULL, 'n'},
	        {"verbose", no_argument, NULL, 'v'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	struct zeit z;
	struct opts o = {.timeout = 10,
	                 .import = true,
	                 .zeit_path = "zeit",
	                 .shell = "/bin/sh"};
	int c;

	zeit_init(&z);
	z.note_to = print_note;
	strv_init(&o.roots);
	while ((c = getopt_long(argc, argv, "t:nvh", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 't':
			errno = 0;
			o.timeout = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o.timeout < -1) {
				fprintf(stderr,
				        "zeit-menu: --timeout takes whole "
				        "seconds, -1 or more, not '%s'\n",
				        optarg);
				return 2;
			}
			break;
		case 'A': o.auto_boot = true; break;
		case 'K': o.keys = optarg; break;
		case 'R': strv_push(&o.roots, optarg); break;
		case 'N': o.import = false; break;
		case 'F': o.force_import = true; break;
		case 'C': o.read_cmdline = true; break;
		case 'Z': o.zeit_path = optarg; break;
		case 'S': o.shell = optarg; break;
		case 'n': z.dry_run = true; break;
		case 'v': z.verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("zeit-menu " ZEIT_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "zeit-menu: unexpected argument '%s'\n",
		        argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o.read_cmdline)
		read_proc_cmdline(&z, &o);

	struct ui u = {0};
	if (o.keys) {
		char err[256];
		/* A cap no script comes near. */
		char *text = rootfile_read_host(&z, o.keys, 1 << 20, NULL);
		if (!text) {
			fprintf(stderr,
			        "zeit-menu: cannot read key script %s: %s\n",
			        o.keys, zeit_error(&z));
			return 2;
		}
		int rc = menu_keys_parse(text, &u.script, err, sizeof(err));
		free(text);
		if (rc < 0) {
			fprintf(stderr, "zeit-menu: %s: %s\n", o.keys, err);
			return 2;
		}
	}
	if (!o.auto_boot && !o.keys && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "zeit-menu: no terminal; booting the default "
		                "(--auto)\n");
		o.auto_boot = true;
	}

	double t0 = ui_uptime();
	struct menu m;
	struct menu_opts mo = {
	        .roots = o.roots.n ? (const char *const *)o.roots.v : NULL,
	        .import = o.import,
	        .force_import = o.force_import,
	};
	if (o.import)
		printf("zeit-menu: importing pools read-only\n");
	fflush(stdout);
	if (menu_open(&m, &z, &mo) < 0) {
		fprintf(stderr, "zeit-menu: %s\n", zeit_error(&z));
		strv_free(&o.roots);
		menu_keys_free(&u.script);
		return 1;
	}
	zeit_note(&z, 1,
	          "started %.2f s after the kernel; found %zu boot "
	          "environments in %.2f s (%lu zfs calls); default %s%s",
	          t0, m.nenv, ui_uptime() - t0, m.zh.calls,
	          m.env[m.def].info.dataset, m.def_is_once ? " (once)" : "");

	struct screens s = {
	        .m = &m,
	        .u = &u,
	        .timeout = o.timeout,
	        .zeit_path = o.zeit_path,
	        .shell = o.shell,
	};
	screens_attach(&s);
	int rc;
	if (o.auto_boot) {
		rc = screens_boot(&s, m.def, NULL, NULL);
		fprintf(stderr, "zeit-menu: %s\n", zeit_error(&z));
	} else if (ui_start(&u) < 0) {
		fprintf(stderr,
		        "zeit-menu: cannot start the terminal (TERM=%s)\n",
		        getenv("TERM") ? getenv("TERM") : "");
		rc = -1;
	} else {
		rc = screens_run(&s);
		ui_stop(&u);
		if (rc > 0)
			fprintf(stderr,
			        "zeit-menu: the key script ended without "
			        "a boot\n");
	}
	if (!z.dry_run && menu_release(&m) < 0)
		fprintf(stderr, "zeit-menu: %s\n", zeit_error(&z));
	menu_close(&m);
	strv_free(&o.roots);
	menu_keys_free(&u.script);
	return rc == 0 ? 0 : 1;
}
