/* `ps`: the processes of a container: a JSON array of host pids (what
 * containerd parses), or ps(1)'s output filtered to them. */
#include "cmd.h"
#include "../libcontainer/cgroup.h"
#include "../libcontainer/container.h"
#include "../libcontainer/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/wait.h>

static int container_pids(const struct global_opts *g, const char *id, pid_t **pids, size_t *n,
			  struct hutch_error **err)
{
	cleanup_free char *path = NULL;
	if (container_cgroup_path(g->root, id, &path, err) < 0)
		return -1;
	cleanup_cgroup struct cgroup *cg = NULL;
	if (cgroup_open(path, &cg, err) < 0)
		return -1;
	return cgroup_pids(cg, pids, n, err);
}

static bool pid_in(pid_t p, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* The index of the whitespace-separated "PID" column in ps's header. */
static int pid_field(const char *header)
{
	cleanup_free char *h = xstrdup(header);
	char *save;
	int i = 0;
	for (char *t = strtok_r(h, " \t", &save); t; t = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(t, "PID") == 0)
			return i;
	return -1;
}

static pid_t nth_field_pid(const char *line, int col)
{
	cleanup_free char *l = xstrdup(line);
	char *save, *t = strtok_r(l, " \t", &save);
	for (int i = 0; t && i < col; i++)
		t = strtok_r(NULL, " \t", &save);
	long long p;
	return t && parse_int64(t, &p) == 0 ? (pid_t)p : -1;
}

/* Run ps with the user's arguments and keep the header and our pids' lines. */
static int ps_table(char **ps_args, int n_args, const pid_t *pids, size_t n, struct hutch_error **err)
{
	cleanup_free char **argv = xcalloc((size_t)n_args + 2, sizeof(char *));
	argv[0] = "ps";
	for (int i = 0; i < n_args; i++)
		argv[i + 1] = ps_args[i];
	if (n_args == 0)
		argv[1] = "-ef";
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return hutch_error_errno(err, "pipe");
	pid_t child = fork();
	if (child == 0) {
		dup2(fds[1], 1);
		execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	cleanup_close int rd = fds[0];
	cleanup_free char *out = NULL;
	if (child < 0 || read_all_fd(rd, "ps output", &out, NULL, err) < 0)
		return child < 0 ? hutch_error_errno(err, "fork") : -1;
	int status;
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hutch_error_set(err, 0, "ps %s: exit status %d", argv[1], WEXITSTATUS(status));
	char *save, *line = strtok_r(out, "\n", &save);
	if (line == NULL)
		return 0;
	int col = pid_field(line);
	printf("%s\n", line);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL)
		if (col >= 0 && pid_in(nth_field_pid(line, col), pids, n))
			printf("%s\n", line);
	return 0;
}

static int ps_main(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table";
	int c;
	while ((c = getopt_long(argc, argv, "+f:", opts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage_error("ps", "bad option");
		format = optarg;
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("ps", "--format: \"%s\" is neither table nor json", format);
	if (optind >= argc)
		return cli_usage_error("ps", "missing container id");
	cleanup_error struct hutch_error *err = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	if (container_pids(g, argv[optind], &pids, &n, &err) < 0)
		return cli_fail(g, err);
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf(i ? ",%d" : "%d", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	/* `ps ID -- -o pid`: the "--" only ends hutch's options. */
	int first = optind + 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	if (ps_table(argv + first, argc - first, pids, n, &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void ps_usage(void)
{
	printf("Usage: hutch ps [--format table|json] <container-id> [ps options]\n\n"
	       "Show the processes of a container (ps -ef by default).\n\nOptions:\n"
	       "  -f, --format FORMAT   table (default) or json: an array of host pids\n");
}

const struct command cmd_ps = { "ps", "show the processes of a container", ps_main, ps_usage };
