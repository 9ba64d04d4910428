/* `list`: every container under --root, as runc's table or JSON. */
#include "cmd.h"
#include "../libcontainer/container.h"
#include "../libcontainer/utils.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

static const char *field(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

/* runc's list names the owner of the container's state directory ("#UID"
 * when the uid has no name); `state` leaves it empty. */
static void set_owner(json_object *st, const char *root, const char *id)
{
	cleanup_free char *path = xasprintf("%s/%s", root, id);
	struct stat sb;
	if (stat(path, &sb) < 0)
		return;
	struct passwd pw, *res = NULL;
	char buf[1024];
	cleanup_free char *owner = NULL;
	if (getpwuid_r(sb.st_uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		owner = xstrdup(res->pw_name);
	else
		owner = xasprintf("#%u", (unsigned)sb.st_uid);
	json_object_object_add(st, "owner", json_object_new_string(owner));
}

/* States of all containers, sorted by id; unreadable ones are skipped. */
static json_object *collect(const char *root)
{
	json_object *all = json_object_new_array();
	struct dirent **names = NULL;
	int n = scandir(root, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		json_object *st = NULL;
		if (names[i]->d_name[0] != '.' && container_state(root, names[i]->d_name, &st, NULL) == 0) {
			set_owner(st, root, names[i]->d_name);
			json_object_array_add(all, st);
		}
		free(names[i]);
	}
	free(names);
	return all;
}

/* runc formats with a tabwriter: cells padded by 3, at least 12 wide. */
static void print_table(json_object *all)
{
	static const char *const cols[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	static const char *const keys[] = { "id", "pid", "status", "bundle", "created", "owner" };
	size_t n = json_object_array_length(all), width[6];
	for (size_t c = 0; c < 6; c++) {
		width[c] = strlen(cols[c]);
		for (size_t i = 0; i < n; i++) {
			size_t w = strlen(field(json_object_array_get_idx(all, i), keys[c]));
			width[c] = w > width[c] ? w : width[c];
		}
		width[c] = width[c] + 3 < 12 ? 12 : width[c] + 3;
	}
	for (size_t c = 0; c < 5; c++)
		printf("%-*s", (int)width[c], cols[c]);
	printf("%s\n", cols[5]);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(all, i);
		for (size_t c = 0; c < 5; c++)
			printf("%-*s", (int)width[c], field(o, keys[c]));
		printf("%s\n", field(o, keys[5]));
	}
}

static int list_main(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table";
	bool quiet = false;
	int c;
	while ((c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = true;
		else
			return cli_usage_error("list", "bad option");
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("list", "--format: \"%s\" is neither table nor json", format);
	if (cli_want_args("list", argc, argv, 0, "") != 0)
		return 1;
	cleanup_json json_object *all = collect(g->root);
	if (quiet) {
		for (size_t i = 0; i < json_object_array_length(all); i++)
			printf("%s\n", field(json_object_array_get_idx(all, i), "id"));
	} else if (strcmp(format, "json") == 0) {
		/* runc prints null when there is no container. */
		puts(json_object_array_length(all) ? json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN |
			JSON_C_TO_STRING_NOSLASHESCAPE) : "null");
	} else {
		print_table(all);
	}
	return 0;
}

static void list_usage(void)
{
	printf("Usage: hutch list [--format table|json] [--quiet]\n\n"
	       "List the containers under --root.\n\nOptions:\n"
	       "  -f, --format FORMAT   table (default) or json\n  -q, --quiet           print only the ids\n");
}

const struct command cmd_list = { "list", "list containers", list_main, list_usage };
