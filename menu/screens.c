/* The screens of the boot menu and what their keys do. Every write goes
 * through the library (be_*, menu_*), which re-imports a pool read-write
 * only when a write needs it. */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "passphrase.h"
#include "screens.h"
#include "zeit/run.h"
#include "zeit/ztime.h"

static void fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !gmtime_r(&tt, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static void fmt_bytes(uint64_t b, char *buf, size_t len)
{
	const char *unit = "KMGTP";
	double v = (double)b;
	if (b < 1024) {
		snprintf(buf, len, "%lluB", (unsigned long long)b);
		return;
	}
	int i = -1;
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f%c", v, unit[i]);
}

/* Shows the library's last error and clears it. */
static void show_error(struct screens *s, const char *what)
{
	char text[sizeof(s->m->z->errmsg) + 64];
	snprintf(text, sizeof(text), "%s", zeit_error(s->m->z));
	zeit_clear_error(s->m->z);
	ui_message(s->u, what, text);
}

/* ---- Booting ---- */

int screens_boot(struct screens *s, size_t i, const char *kernel,
                 const char *args)
{
	struct menu_boot b;
	if (menu_boot_plan(s->m, i, kernel, args, true, &b) < 0)
		return -1;
	ui_stop(s->u);
	printf("zeit-menu: booting %s from %s\n", b.kernel, b.dataset);
	printf("zeit-menu: command line: %s\n", b.cmdline);
	if (b.key_root)
		printf("zeit-menu: the key of %s goes to its initramfs, in "
		       "memory\n",
		       b.key_root);
	if (s->u->drawn_once && s->m->z->verbose)
		printf("zeit-menu: menu drawn %.2f s after the kernel "
		       "started\n",
		       s->u->drawn_at);
	if (s->m->z->verbose)
		printf("zeit-menu: booting at %.2f s after the kernel "
		       "started\n",
		       ui_uptime());
	fflush(stdout);
	menu_boot_free(&b);
	if (s->m->z->dry_run)
		exit(0);
	return menu_boot_exec(s->m);
}

/* ---- Kernels of one environment ---- */

struct kernels_ctx {
	struct be_info *b;
	const char *def;
};

static void kernel_row(void *ctx, size_t i, int y, int width, bool sel)
{
	struct kernels_ctx *k = ctx;
	const struct be_kernel *e = &k->b->kernels.v[i];
	(void)sel;
	mvprintw(y, 1, "%c %-40.40s %s",
	         k->def && !strcmp(k->def, e->kernel) ? '*' : ' ', e->kernel,
	         e->initrd ? e->initrd : "(no initramfs)");
	(void)width;
}

static void kernels_screen(struct screens *s, size_t ei)
{
	struct menu *m = s->m;
	struct be_info *b = &m->env[ei].info;
	char title[512];

	if (menu_kernels(m, ei) < 0) {
		show_error(s, "Reading kernels failed");
		return;
	}
	/* Which one boots by default: the plan knows. */
	struct menu_boot plan;
	char *def = NULL;
	if (menu_boot_plan(m, ei, NULL, NULL, false, &plan) == 0) {
		def = xstrdup(plan.kernel);
		menu_boot_free(&plan);
	} else {
		zeit_clear_error(m->z);
	}
	struct kernels_ctx kc = {b, def};
	snprintf(title, sizeof(title), " Kernels of %s", b->dataset);
	struct ui_list l = {
	        .title = title,
	        .help = " Enter boot  d make default  Esc back",
	        .n = b->kernels.n,
	        .draw_row = kernel_row,
	        .ctx = &kc,
	};
	for (;;) {
		ui_draw_list(s->u, &l);
		int k = ui_key(s->u, -1);
		if (ui_list_nav(&l, k))
			continue;
		if (k == MK_ESC || k == MK_LEFT || k == 'q' || k == MK_EOF)
			break;
		if (l.n == 0)
			continue;
		const char *kern = b->kernels.v[l.sel].kernel;
		if (k == MK_ENTER) {
			char *name = xstrdup(kern);
			if (screens_boot(s, ei, name, NULL) < 0)
				show_error(s, "Boot failed");
			free(name);
			/* The list may have been reread. */
			b = &m->env[ei].info;
			kc.b = b;
			l.n = b->kernels.n;
		} else if (k == 'd') {
			if (menu_set_kernel(m, ei, kern) < 0) {
				show_error(s,
				           "Setting the default kernel failed");
			} else {
				free(def);
				def = xstrdup(kern);
				kc.def = def;
				snprintf(l.status, sizeof(l.status),
				         "org.zfsbootmenu:kernel=%s set", kern);
			}
		}
	}
	free(def);
}

/* ---- Snapshots of one environment ---- */

struct snaps_ctx {
	struct be_snap_list *l;
};

static void snap_row(void *ctx, size_t i, int y, int width, bool sel)
{
	struct snaps_ctx *c = ctx;
	char when[32];
	(void)sel;
	(void)width;
	fmt_time(c->l->v[i].creation, when, sizeof(when));
	mvprintw(y, 1, "  %-44.44s %-9s %s", c->l->v[i].name,
	         c->l->v[i].tier ? c->l->v[i].tier : "-", when);
}

/* A default name for a new environment made from ENV@SNAP. */
static void new_env_name(const char *env, const char *snap, char *out,
                         size_t len)
{
	snprintf(out, len, "%s_%s", env, snap);
	for (char *p = out; *p; p++)
		if (*p == '@' || *p == '/' || *p == ' ' || *p == '%')
			*p = '_';
}

static void select_env(struct menu *m, const char *ds, size_t *sel)
{
	long k = menu_find(m, ds);
	if (k >= 0)
		*sel = (size_t)k;
}

/* Runs `zeit diff SNAP` and pages its output. */
static void diff_snapshot(struct screens *s, const char *snap)
{
	const char *argv[] = {s->zeit_path, "diff", snap, NULL};
	struct run_cmd c;
	run_cmd_init(&c, argv);
	if (run(s->m->z, &c) < 0) {
		run_cmd_free(&c);
		show_error(s, "zeit diff could not run");
		return;
	}
	struct buf text;
	buf_init(&text);
	buf_adds(&text, c.out.data ? c.out.data : "");
	if (c.status != 0)
		buf_addf(&text, "\nzeit diff exited %d:\n%s", c.status,
		         c.err.data ? c.err.data : "");
	else if (!text.len)
		buf_adds(&text, "no changes");
	char title[600];
	snprintf(title, sizeof(title), " Changes since %.500s", snap);
	ui_pager(s->u, title, text.data);
	buf_free(&text);
	run_cmd_free(&c);
}

/* Returns true when the environment list changed (and *sel names the
 * environment to highlight). */
static bool snapshots_screen(struct screens *s, size_t ei, size_t *sel)
{
	struct menu *m = s->m;
	struct be_ctx *c = m->env[ei].ctx;
	char *env = xstrdup(m->env[ei].info.name);
	char *ds = xstrdup(m->env[ei].info.dataset);
	struct be_snap_list sl;
	bool changed = false;
	char title[600], name[256], full[768], q[900];

	if (be_snapshots(c, env, &sl) < 0) {
		show_error(s, "Listing snapshots failed");
		free(env);
		free(ds);
		return false;
	}
	struct snaps_ctx sc = {&sl};
	snprintf(title, sizeof(title), " Snapshots of %s", ds);
	struct ui_list l = {
	        .title = title,
	        .help = " c clone  p clone+promote  u duplicate  r rollback  "
	                "D diff  n new snapshot  Esc back",
	        .n = sl.n,
	        .draw_row = snap_row,
	        .ctx = &sc,
	};
	for (;;) {
		ui_draw_list(s->u, &l);
		int k = ui_key(s->u, -1);
		if (ui_list_nav(&l, k))
			continue;
		if (k == MK_ESC || k == MK_LEFT || k == 'q' || k == MK_EOF)
			break;
		if (k == 'n') {
			char stamp[32];
			ztime_format(time(NULL), stamp, sizeof(stamp));
			snprintf(name, sizeof(name), "menu_%s", stamp);
			if (!ui_prompt(s->u, "Name of the new snapshot", name,
			               name, sizeof(name)))
				continue;
			snprintf(full, sizeof(full), "%s@%s", ds, name);
			const char *snaps[] = {full, NULL};
			if (menu_writable(m, c->pool) < 0 ||
			    (!m->z->dry_run &&
			     zfs_snapshot(&m->zh, snaps, NULL) < 0)) {
				show_error(s, "Snapshot failed");
				continue;
			}
			be_snap_list_free(&sl);
			if (be_snapshots(c, env, &sl) < 0) {
				show_error(s, "Listing snapshots failed");
				break;
			}
			l.n = sl.n;
			l.sel = 0;
			snprintf(l.status, sizeof(l.status), "made %.200s",
			         full);
			continue;
		}
		if (l.n == 0)
			continue;
		const char *snap = sl.v[l.sel].name;
		snprintf(full, sizeof(full), "%s@%s", env, snap);
		if (k == 'c' || k == 'p' || k == 'u') {
			char def[256];
			new_env_name(env, snap, def, sizeof(def));
			const char *what = k == 'c'   ? "Clone"
			                   : k == 'p' ? "Clone and promote"
			                              : "Duplicate";
			snprintf(q, sizeof(q),
			         "%s %s@%s as the new environment", what, ds,
			         snap);
			if (!ui_prompt(s->u, q, def, name, sizeof(name)))
				continue;
			struct be_create_opts o = {
			        .name = name,
			        .source = full,
			        .mode = k == 'c'   ? BE_CLONE
			                : k == 'p' ? BE_PROMOTE
			                           : BE_DUPLICATE,
			};
			if (menu_writable(m, c->pool) < 0 ||
			    be_create(c, &o) < 0) {
				show_error(s,
				           "Creating the environment failed");
				continue;
			}
			char *nds = be_dataset(c, name);
			if (menu_refresh(m) < 0) {
				free(nds);
				show_error(s, "Listing environments failed");
				break;
			}
			select_env(m, nds, sel);
			free(nds);
			changed = true;
			break;
		}
		if (k == 'r') {
			snprintf(q, sizeof(q),
			         "Roll %s back to %s?\n\nEverything written to "
			         "it since then is lost, and so are the %zu "
			         "newer snapshots.",
			         ds, snap, l.sel);
			if (!ui_confirm(s->u, q))
				continue;
			struct be_rollback_opts o = {.target = full,
			                             .destroy_later = true};
			if (menu_writable(m, c->pool) < 0 ||
			    be_rollback(c, &o) < 0) {
				show_error(s, "Rollback failed");
				continue;
			}
			be_snap_list_free(&sl);
			if (be_snapshots(c, env, &sl) < 0) {
				show_error(s, "Listing snapshots failed");
				break;
			}
			l.n = sl.n;
			l.sel = 0;
			snprintf(l.status, sizeof(l.status),
			         "rolled back to %s", snap);
			continue;
		}
		if (k == 'D') {
			snprintf(full, sizeof(full), "%s@%s", ds, snap);
			diff_snapshot(s, full);
		}
	}
	be_snap_list_free(&sl);
	free(env);
	free(ds);
	return changed;
}

/* ---- Environments ---- */

static void env_row(void *ctx, size_t i, int y, int width, bool sel)
{
	struct menu *m = ctx;
	const struct be_info *b = &m->env[i].info;
	char when[32], used[16];
	(void)sel;
	(void)width;
	fmt_time(b->creation, when, sizeof(when));
	fmt_bytes(b->used, used, sizeof(used));
	const char *mark = i == m->def && m->def_is_once ? "once"
	                   : b->active_reboot            ? "bootfs"
	                                                 : "";
	mvprintw(y, 1, "%c %-36.36s %-6s %-16s %7s", i == m->def ? '*' : ' ',
	         b->dataset, mark, when, used);
}

static void run_shell(struct screens *s, const char *why)
{
	ui_suspend(s->u);
	printf("\n%s; `exit` returns to the menu.\n", why);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl(s->shell, s->shell, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	ui_resume(s->u);
}

/* Counts down to the default. Returns MK_TIMEOUT when it ran out, else
 * the key that stopped it, which the caller then handles as usual. */
static int countdown(struct screens *s, struct ui_list *l)
{
	for (int left = s->timeout; left > 0; left--) {
		snprintf(l->status, sizeof(l->status),
		         "Booting %s in %d s; any key stops",
		         s->m->env[s->m->def].info.dataset, left);
		ui_draw_list(s->u, l);
		int k = ui_key(s->u, 1000);
		if (k != MK_TIMEOUT) {
			l->status[0] = '\0';
			return k;
		}
	}
	return MK_TIMEOUT;
}

/* The passphrase is asked for on the terminal: leave curses while it is. */
static int ask_key(void *arg, struct menu *m, const char *encroot)
{
	struct screens *s = arg;
	ui_suspend(s->u);
	int rc = passphrase_unlock(m, encroot);
	ui_resume(s->u);
	return rc;
}

void screens_attach(struct screens *s)
{
	s->m->ask_key = ask_key;
	s->m->ask_key_arg = s;
}

int screens_run(struct screens *s)
{
	struct menu *m = s->m;
	char title[256], args[4096], q[1024];

	snprintf(title, sizeof(title), " zeit boot menu: %zu environment%s",
	         m->nenv, m->nenv == 1 ? "" : "s");
	struct ui_list l = {
	        .title = title,
	        .help = " Enter boot  K kernels  s snapshots  d set default  "
	                "e edit cmdline  c chroot  r shell",
	        .n = m->nenv,
	        .sel = m->def,
	        .draw_row = env_row,
	        .ctx = m,
	};
	int pending = s->timeout > 0 ? countdown(s, &l) : MK_NONE;
	if (s->timeout == 0 || pending == MK_TIMEOUT) {
		pending = MK_NONE;
		l.status[0] = '\0';
		if (screens_boot(s, m->def, NULL, NULL) < 0)
			show_error(s, "Boot failed");
	}
	for (;;) {
		snprintf(title, sizeof(title),
		         " zeit boot menu: %zu environment%s", m->nenv,
		         m->nenv == 1 ? "" : "s");
		l.n = m->nenv;
		int k = pending;
		pending = MK_NONE;
		if (k == MK_NONE) {
			ui_draw_list(s->u, &l);
			k = ui_key(s->u, -1);
		}
		if (ui_list_nav(&l, k))
			continue;
		l.status[0] = '\0';
		if (k == MK_EOF)
			return 1;
		if (l.n == 0)
			continue;
		struct menu_env *e = &m->env[l.sel];
		switch (k) {
		case MK_ENTER:
			if (screens_boot(s, l.sel, NULL, NULL) < 0)
				show_error(s, "Boot failed");
			break;
		case 'K':
		case MK_RIGHT: kernels_screen(s, l.sel); break;
		case 's': snapshots_screen(s, l.sel, &l.sel); break;
		case 'd':
			if (menu_writable(m, e->ctx->pool) < 0 ||
			    be_activate(e->ctx, e->info.name, false) < 0) {
				show_error(s, "Setting bootfs failed");
				break;
			}
			if (menu_refresh(m) < 0) {
				show_error(s, "Listing environments failed");
				break;
			}
			snprintf(l.status, sizeof(l.status), "bootfs is now %s",
			         m->env[l.sel].info.dataset);
			break;
		case 'e': {
			struct menu_boot plan;
			if (menu_boot_plan(m, l.sel, NULL, NULL, false, &plan) <
			    0) {
				show_error(s,
				           "Reading the command line failed");
				break;
			}
			snprintf(
			        q, sizeof(q),
			        "Kernel command line for this boot only (after "
			        "root=...%s)",
			        plan.dataset);
			bool ok = ui_prompt(s->u, q, plan.args, args,
			                    sizeof(args));
			menu_boot_free(&plan);
			if (ok && screens_boot(s, l.sel, NULL, args) < 0)
				show_error(s, "Boot failed");
			break;
		}
		case 'c': {
			bool rw = menu_pool_writable(m, e->ctx->pool);
			int status = 0;
			ui_suspend(s->u);
			printf("\nchroot into %s (%s); `exit` returns to the "
			       "menu.\n",
			       e->info.dataset,
			       rw ? "read-write" : "read-only");
			fflush(stdout);
			/* The environment's own shell: this one's $SHELL may
			 * not exist in there. */
			static const char *const sh[] = {"/bin/sh", NULL};
			int rc = be_chroot(e->ctx, e->info.name, !rw, sh,
			                   &status);
			ui_resume(s->u);
			if (rc < 0)
				show_error(s, "chroot failed");
			break;
		}
		case 'r': run_shell(s, "Recovery shell"); break;
		default: break;
		}
	}
}
