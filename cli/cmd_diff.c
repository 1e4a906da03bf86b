#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "zeit/diff.h"

static const char *change_word(char c)
{
	switch (c) {
	case '+': return "created";
	case '-': return "removed";
	case 'M': return "modified";
	case 'R': return "renamed";
	default: return "?";
	}
}

static const char *type_word(char t)
{
	switch (t) {
	case 'F': return "file";
	case '/': return "directory";
	case '@': return "symlink";
	case 'B': return "block device";
	case 'C': return "character device";
	case '|': return "fifo";
	case '=': return "socket";
	case '>': return "door";
	case 'P': return "event port";
	default: return "?";
	}
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k = c < 0x80         ? 0
		           : (c >> 5) == 6  ? 1
		           : (c >> 4) == 14 ? 2
		           : (c >> 3) == 30 ? 3
		                            : 9;
		if (k == 9 || (k && c < 0xc2 && k == 1) ||
		    i + k >= n + (k ? 0 : 1))
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

/* People: control bytes and backslashes escaped, bytes that are not
 * UTF-8 as \xHH. Scripts (-H): zfs's own \0ooo escapes for every byte
 * <= 0x20, backslash and >= 0x7f, so fields never hold a tab or newline. */
static void show_name(struct buf *b, const char *s, size_t n, bool scripted)
{
	bool utf8 = valid_utf8((const unsigned char *)s, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (scripted) {
			if (c <= 0x20 || c == '\\' || c >= 0x7f)
				buf_addf(b, "\\%04o", c);
			else
				buf_addc(b, (char)c);
		} else if (c == '\\') {
			buf_adds(b, "\\\\");
		} else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
			buf_addf(b, "\\x%02x", c);
		} else {
			buf_addc(b, (char)c);
		}
	}
}

static void json_name(json_object *o, const char *key, const char *s, size_t n)
{
	if (valid_utf8((const unsigned char *)s, n)) {
		json_object_object_add(o, key,
		                       json_object_new_string_len(s, (int)n));
		return;
	}
	/* Not UTF-8: the exact bytes, as hex, under KEY_hex. */
	struct buf h;
	char k[32];
	buf_init(&h);
	for (size_t i = 0; i < n; i++)
		buf_addf(&h, "%02x", (unsigned char)s[i]);
	snprintf(k, sizeof(k), "%s_hex", key);
	json_object_object_add(o, k, json_object_new_string(h.data));
	buf_free(&h);
}

int cli_print_files(struct cli *cli, const struct zfs_diff_list *l)
{
	size_t counts[4] = {0};
	json_object *arr = cli->json ? json_object_new_array() : NULL;
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < l->n; i++) {
		const struct zfs_diff_entry *e = &l->v[i];
		counts[e->change == '+'   ? 0
		       : e->change == 'M' ? 1
		       : e->change == '-' ? 2
		                          : 3]++;
		if (arr) {
			json_object *o = json_object_new_object();
			json_object_object_add(
			        o, "change",
			        json_object_new_string(change_word(e->change)));
			json_object_object_add(
			        o, "type",
			        json_object_new_string(type_word(e->type)));
			json_name(o, "path", e->path, e->path_len);
			if (e->new_path)
				json_name(o, "new_path", e->new_path,
				          e->new_path_len);
			json_object_array_add(arr, o);
			continue;
		}
		buf_reset(&b);
		if (cli->scripted)
			buf_addf(&b, "%c\t%c\t", e->change, e->type);
		else
			buf_addf(&b, "%c  %c  ", e->change, e->type);
		show_name(&b, e->path, e->path_len, cli->scripted);
		if (e->new_path) {
			buf_adds(&b, cli->scripted ? "\t" : " -> ");
			show_name(&b, e->new_path, e->new_path_len,
			          cli->scripted);
		}
		puts(b.data);
	}
	buf_free(&b);
	if (arr) {
		json_object *root = json_object_new_object(),
		            *sum = json_object_new_object();
		json_object_object_add(root, "changes", arr);
		json_object_object_add(
		        sum, "created",
		        json_object_new_int64((int64_t)counts[0]));
		json_object_object_add(
		        sum, "modified",
		        json_object_new_int64((int64_t)counts[1]));
		json_object_object_add(
		        sum, "removed",
		        json_object_new_int64((int64_t)counts[2]));
		json_object_object_add(
		        sum, "renamed",
		        json_object_new_int64((int64_t)counts[3]));
		json_object_object_add(root, "summary", sum);
		puts(json_object_to_json_string_ext(
		        root, JSON_C_TO_STRING_PRETTY |
		                      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else if (!cli->scripted) {
		printf("%zu created, %zu modified, %zu removed, %zu renamed\n",
		       counts[0], counts[1], counts[2], counts[3]);
	}
	return ZEIT_EXIT_OK;
}

int cli_print_packages(struct cli *cli, const struct pkg_list *a,
                       const struct pkg_changes *ch)
{
	static const char *const cols[] = {"CHANGE", "PACKAGE", "OLD", "NEW",
	                                   NULL};
	struct table t;
	size_t n[4] = {0};

	table_init(&t, cols);
	for (size_t i = 0; i < ch->n; i++) {
		const char *row[] = {pkg_change_name(ch->v[i].kind),
		                     ch->v[i].name, ch->v[i].old_version,
		                     ch->v[i].new_version};
		n[ch->v[i].kind]++;
		table_add(&t, row);
	}
	if (!cli->json && !cli->scripted)
		printf("%s packages: %zu upgraded, %zu downgraded, %zu added, "
		       "%zu "
		       "removed\n",
		       pkg_format_name(a->format), n[PKG_UPGRADED],
		       n[PKG_DOWNGRADED], n[PKG_ADDED], n[PKG_REMOVED]);
	if (ch->n || cli->json)
		table_print(cli, &t, "packages");
	table_free(&t);
	return ZEIT_EXIT_OK;
}

/* --content's output, a file's diff at a time as the library makes it. */
static int write_out(void *arg, const char *text, size_t len)
{
	(void)arg;
	if (fwrite(text, 1, len, stdout) != len)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

struct diff_args {
	bool packages, content, absolute;
	unsigned long long max_bytes;
	const char *from, *to; /* to NULL: the live dataset */
	int npaths;
	char **paths;
};

static int diff_opts(struct cli *cli, int argc, char **argv,
                     struct diff_args *a)
{
	enum { OPT_ABS = 0x3000, OPT_MAX };
	static const struct option longopts[] = {
	        {"packages", no_argument, NULL, 'p'},
	        {"content", no_argument, NULL, 'c'},
	        {"absolute", no_argument, NULL, OPT_ABS},
	        {"max-size", required_argument, NULL, OPT_MAX},
	        {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = cli_getopt(cli, argc, argv, "pc", longopts)) != -1) {
		switch (c) {
		case 'p': a->packages = true; break;
		case 'c': a->content = true; break;
		case OPT_ABS: a->absolute = true; break;
		case OPT_MAX:
			if (!diff_parse_size(optarg, &a->max_bytes))
				return cli_usage_error(
				        cli, "diff",
				        "invalid --max-size '%s' (bytes, "
				        "or with K, M or G)",
				        optarg);
			break;
		default: return ZEIT_EXIT_USAGE;
		}
	}
	if (a->packages && a->content)
		return cli_usage_error(
		        cli, "diff",
		        "--packages and --content exclude each other");
	return ZEIT_EXIT_OK;
}

/* A, then B when it is a snapshot or the dataset itself; anything else
 * is a PATH. */
static int diff_operands(struct cli *cli, int argc, char **argv,
                         struct diff_args *a)
{
	if (optind >= argc)
		return cli_usage_error(cli, "diff", "no snapshot given");
	const char *from = argv[optind++];
	if (zfs_name_check(&cli->z, from, ZFS_NAME_SNAPSHOT) < 0)
		return cli_usage_error(cli, "diff", "%s", zeit_error(&cli->z));
	const char *to = NULL;
	size_t dl = strcspn(from, "@");
	if (optind < argc &&
	    (strchr(argv[optind], '@') ||
	     (strlen(argv[optind]) == dl && !strncmp(argv[optind], from, dl))))
		to = argv[optind++];
	char *ds;
	if (diff_check_pair(&cli->z, from, to, &ds) < 0)
		return cli_usage_error(cli, "diff", "%s", zeit_error(&cli->z));
	free(ds);
	a->from = from;
	a->to = to && strchr(to, '@') ? to : NULL;
	a->npaths = argc - optind;
	a->paths = argv + optind;
	return ZEIT_EXIT_OK;
}

static int diff_pkgs(struct cli *cli, struct zfs *zh, const struct diff_args *a)
{
	struct pkg_list pa, pb;
	struct pkg_changes ch;
	if (a->npaths)
		return cli_usage_error(cli, "diff", "--packages takes no PATH");
	int rc = diff_packages(zh, a->from, a->to, &pa, &pb, &ch) < 0
	                 ? cli_error(cli)
	                 : cli_print_packages(cli, &pa, &ch);
	pkg_changes_free(&ch);
	pkg_list_free(&pa);
	pkg_list_free(&pb);
	return rc;
}

static int diff_content(struct cli *cli, struct zfs *zh,
                        const struct diff_args *a)
{
	if (a->npaths != 1)
		return cli_usage_error(cli, "diff", "--content takes one PATH");
	struct diff_content_request req = {a->from, a->to, a->paths[0],
	                                   a->max_bytes};
	return diff_contents(zh, &req, write_out, NULL) < 0 ? cli_error(cli)
	                                                    : ZEIT_EXIT_OK;
}

static int diff_list(struct cli *cli, struct zfs *zh, const struct diff_args *a)
{
	struct diff_request req = {a->from, a->to,
	                           (const char *const *)a->paths, a->absolute};
	struct zfs_diff_list l;
	if (diff_files(zh, &req, &l) < 0)
		return cli_error(cli);
	int rc = cli_print_files(cli, &l);
	zfs_diff_list_free(&l);
	return rc;
}

int cmd_diff(struct cli *cli, int argc, char **argv)
{
	struct diff_args a = {.max_bytes = 1024 * 1024};
	int rc = diff_opts(cli, argc, argv, &a);
	if (rc == ZEIT_EXIT_OK)
		rc = diff_operands(cli, argc, argv, &a);
	if (rc != ZEIT_EXIT_OK)
		return rc;
	struct zfs zh;
	zfs_init(&zh, &cli->z, NULL);
	if (a.packages)
		return diff_pkgs(cli, &zh, &a);
	if (a.content)
		return diff_content(cli, &zh, &a);
	return diff_list(cli, &zh, &a);
}
