#include "cmd.h"
#include "../libcontainer/init.h"
#include "../libcontainer/utils.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

const struct command *const commands[] = {
	&cmd_create,
	&cmd_delete,
	&cmd_events,
	&cmd_exec,
	&cmd_features,
	&cmd_kill,
	&cmd_list,
	&cmd_pause,
	&cmd_ps,
	&cmd_resume,
	&cmd_run,
	&cmd_spec,
	&cmd_start,
	&cmd_state,
	&cmd_update,
	NULL,
};

/* conmon and the containerd shim read errors back from these lines. */
static void log_line(const struct global_opts *g, const char *level, const char *msg)
{
	cleanup_close int fd = open(g->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	cleanup_free char *t = now_rfc3339();
	cleanup_free char *line = NULL;
	if (g->log_json) {
		cleanup_json json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string(level));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(t));
		line = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else {
		cleanup_json json_object *m = json_object_new_string(msg);
		line = xasprintf("time=\"%s\" level=%s msg=%s\n", t, level,
				 json_object_to_json_string_ext(m, JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	write_all(fd, line, strlen(line));
}

/* Errors quote what the user gave ("unknown namespace type \"a\nb\""): control
 * bytes go out as \xNN, so that the error stays one line. */
static void print_one_line(FILE *f, const char *msg)
{
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

int cli_fail(const struct global_opts *g, struct hutch_error *err)
{
	const char *msg = err && err->msg ? err->msg : "unknown error";
	fputs("hutch: ", stderr);
	print_one_line(stderr, msg);
	fputc('\n', stderr);
	if (g->log)
		log_line(g, "error", msg);
	return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "hutch %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nRun 'hutch %s --help' for usage.\n", cmd);
	va_end(ap);
	return 1;
}

int cli_want_args(const char *cmd, int argc, char **argv, int n, const char *what)
{
	if (argc - optind < n)
		return cli_usage_error(cmd, "missing %s", what);
	if (argc - optind > n)
		return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind + n]);
	return 0;
}

/* Only among the options before the first argument: `exec ID ls -h` runs
 * `ls -h`, `ps ID -h` passes -h to ps(1). */
bool cli_is_help(int argc, char **argv)
{
	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int cli_parse_preserve_fds(const char *cmd, const char *arg, int *out)
{
	long long n;
	if (parse_int64(arg, &n) < 0 || n < 0 || n > 65536)
		return cli_usage_error(cmd, "--preserve-fds: not a count: \"%s\"", arg);
	*out = (int)n;
	return 0;
}

/* go-systemd's activation.Files, which runc uses: the fds are for us only if
 * LISTEN_PID names this process. */
static int listen_fds(void)
{
	long long n, pid;
	if (parse_int64(getenv("LISTEN_PID"), &pid) < 0 || pid != getpid())
		return 0;
	if (parse_int64(getenv("LISTEN_FDS"), &n) < 0 || n <= 0 || n > 65536)
		return 0;
	return (int)n;
}

int cli_passed_fds(const char *cmd, int preserve, int *total, int *listen)
{
	*listen = listen_fds();
	*total = *listen + preserve;
	/* Checked before hutch opens any fd of its own: one of those could take a
	 * free number in the range and be passed into the container. */
	for (int fd = 3; fd < 3 + *total; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return cli_usage_error(cmd, "%s: fd %d is not open", fd < 3 + *listen ? "LISTEN_FDS" :
					       "--preserve-fds", fd);
	return 0;
}

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("hutch version %s\ncommit: %s\nspec: 1.3.0\nlibseccomp: %u.%u.%u\n", HUTCH_VERSION,
	       HUTCH_COMMIT, v->major, v->minor, v->micro);
}

static void print_usage(void)
{
	printf("hutch: an OCI runtime-spec compliant container runtime\n\n"
	       "Usage: hutch [global options] COMMAND [options] [arguments]\n\nCommands:\n");
	for (size_t i = 0; commands[i]; i++)
		printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nGlobal options:\n"
	       "  --root DIR            state directory (default /run/hutch)\n"
	       "  --log FILE            write errors to FILE as well as to stderr\n"
	       "  --log-format FORMAT   text (default) or json\n"
	       "  --debug               accepted for runc compatibility\n"
	       "  --systemd-cgroup      use systemd to manage cgroups\n"
	       "  --cgroup-manager M    cgroupfs (default), systemd, or disabled: no cgroup at all\n"
	       "  -v, --version         print the version\n"
	       "  -h, --help            print this help\n");
}

enum { OPT_ROOT = 1000, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_ROOTLESS, OPT_CRIU, OPT_CGROUP_MANAGER };

/* crun's --cgroup-manager: Podman passes "disabled" for --cgroups=disabled when the runtime
 * is listed in runtime_supports_nocgroup (containers.conf). */
static int parse_cgroup_manager(const char *v, struct global_opts *g)
{
	if (strcmp(v, "disabled") == 0)
		g->no_cgroup = true;
	else if (strcmp(v, "systemd") == 0)
		g->systemd_cgroup = true;
	else if (strcmp(v, "cgroupfs") != 0) {
		fprintf(stderr, "hutch: --cgroup-manager: unknown manager \"%s\" (cgroupfs, systemd or disabled)\n", v);
		return -1;
	}
	return 0;
}

static int parse_globals(int argc, char **argv, struct global_opts *g)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
		{ "rootless", required_argument, NULL, OPT_ROOTLESS },
		{ "criu", required_argument, NULL, OPT_CRIU },
		{ "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT: g->root = optarg; break;
		case OPT_LOG: g->log = optarg; break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				fprintf(stderr, "hutch: --log-format: unknown format \"%s\" (text or json)\n", optarg);
				return -1;
			}
			g->log_json = strcmp(optarg, "json") == 0;
			break;
		case OPT_DEBUG: g->debug = true; break;
		case OPT_SYSTEMD: g->systemd_cgroup = true; break;
		case OPT_ROOTLESS: case OPT_CRIU: break;
		case OPT_CGROUP_MANAGER:
			if (parse_cgroup_manager(optarg, g) < 0)
				return -1;
			break;
		case 'v': print_version(); exit(0);
		case 'h': print_usage(); exit(0);
		default: return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* The init stage comes first: nothing else of the CLI runs on that path. */
	if (argc == 2 && strcmp(argv[1], "init") == 0)
		return init_stage_main();
	struct global_opts g = { .root = "/run/hutch" };
	if (parse_globals(argc, argv, &g) < 0)
		return 1;
	/* As runc: no command, or `help [COMMAND]`, is a request for help. */
	if (optind >= argc) {
		print_usage();
		return 0;
	}
	bool help = strcmp(argv[optind], "help") == 0;
	if (help && optind + 1 == argc) {
		print_usage();
		return 0;
	}
	if (help)
		optind++;
	const char *name = argv[optind];
	for (size_t i = 0; commands[i]; i++) {
		if (strcmp(commands[i]->name, name) != 0)
			continue;
		if (help || cli_is_help(argc - optind, argv + optind)) {
			commands[i]->usage();
			return 0;
		}
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		optind = 0; /* glibc: full re-initialisation for the command's own options */
		return commands[i]->run(&g, sub_argc, sub_argv);
	}
	fprintf(stderr, "hutch: unknown command \"%s\"; run 'hutch --help'\n", name);
	return 1;
}
