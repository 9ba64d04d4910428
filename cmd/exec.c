/* `exec`: run another process in a container, with runc's flags. */
#include "cmd.h"
#include "../libcontainer/container.h"
#include "../libcontainer/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/prctl.h>

struct exec_flags {
	const char *process_file, *cwd, *user, *pid_file, *console_socket;
	json_object *env, *gids, *caps;  /* arrays collected from repeated flags */
	bool tty, detach, no_new_privs, ignore_paused;
	const char *apparmor, *label, *cgroup;
	int preserve_fds;
};

static void exec_flags_release(struct exec_flags *f)
{
	json_putp(&f->env);
	json_putp(&f->gids);
	json_putp(&f->caps);
}

static void push(json_object **arr, const char *v)
{
	if (*arr == NULL)
		*arr = json_object_new_array();
	json_object_array_add(*arr, json_object_new_string(v));
}

static int parse_flags(int argc, char **argv, struct exec_flags *f)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' }, { "tty", no_argument, NULL, 't' },
		{ "detach", no_argument, NULL, 'd' },        { "pid-file", required_argument, NULL, 'P' },
		{ "console-socket", required_argument, NULL, 'C' }, { "env", required_argument, NULL, 'e' },
		{ "cwd", required_argument, NULL, 'w' },     { "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' }, { "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, 'N' },  { "apparmor", required_argument, NULL, 'A' },
		{ "process-label", required_argument, NULL, 'L' }, { "preserve-fds", required_argument, NULL, 'F' },
		{ "ignore-paused", no_argument, NULL, 'I' }, { "cgroup", required_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	long long n;
	while ((c = getopt_long(argc, argv, "+p:tde:u:g:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': f->process_file = optarg; break;
		case 't': f->tty = true; break;
		case 'd': f->detach = true; break;
		case 'P': f->pid_file = optarg; break;
		case 'C': f->console_socket = optarg; break;
		case 'e': push(&f->env, optarg); break;
		case 'w': f->cwd = optarg; break;
		case 'u': f->user = optarg; break;
		case 'g': push(&f->gids, optarg); break;
		case 'c': push(&f->caps, optarg); break;
		case 'N': f->no_new_privs = true; break;
		case 'A': f->apparmor = optarg; break;
		case 'L': f->label = optarg; break;
		case 'I': f->ignore_paused = true; break;
		case 'G': f->cgroup = optarg; break;
		case 'F':
			if (parse_int64(optarg, &n) < 0 || n < 0 || n > 65536)
				return cli_usage_error("exec", "--preserve-fds: not a count: \"%s\"", optarg);
			f->preserve_fds = (int)n;
			break;
		default: return cli_usage_error("exec", "bad option");
		}
	}
	return 0;
}

/* -e KEY=VALUE replaces an existing KEY, else is appended. */
static void apply_env(json_object *p, json_object *add)
{
	json_object *env;
	if (!json_object_object_get_ex(p, "env", &env) || !json_object_is_type(env, json_type_array)) {
		env = json_object_new_array();
		json_object_object_add(p, "env", env);
	}
	for (size_t i = 0; add && i < json_object_array_length(add); i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(add, i));
		size_t klen = strcspn(kv, "=");
		size_t j, n = json_object_array_length(env);
		for (j = 0; j < n; j++) {
			const char *old = json_object_get_string(json_object_array_get_idx(env, j));
			if (strncmp(old, kv, klen) == 0 && (old[klen] == '=' || old[klen] == '\0'))
				break;
		}
		if (j < n)
			json_object_array_put_idx(env, j, json_object_new_string(kv));
		else
			json_object_array_add(env, json_object_new_string(kv));
	}
}

static int apply_user(json_object *p, const struct exec_flags *f)
{
	json_object *user;
	if (!json_object_object_get_ex(p, "user", &user)) {
		user = json_object_new_object();
		json_object_object_add(p, "user", user);
	}
	if (f->user) {
		unsigned long long uid, gid = 0;
		cleanup_free char *u = xstrdup(f->user);
		char *colon = strchr(u, ':');
		if (colon)
			*colon = '\0';
		if (parse_uint64(u, &uid) < 0 || uid > UINT32_MAX || (colon && (parse_uint64(colon + 1, &gid) < 0 || gid > UINT32_MAX)))
			return cli_usage_error("exec", "--user: expected uid[:gid], got \"%s\"", f->user);
		json_object_object_add(user, "uid", json_object_new_int64((int64_t)uid));
		json_object_object_add(user, "gid", json_object_new_int64((int64_t)gid));
	}
	if (f->gids) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(f->gids); i++) {
			unsigned long long g;
			const char *s = json_object_get_string(json_object_array_get_idx(f->gids, i));
			if (parse_uint64(s, &g) < 0 || g > UINT32_MAX) {
				json_object_put(arr);
				return cli_usage_error("exec", "--additional-gids: not a gid: \"%s\"", s);
			}
			json_object_array_add(arr, json_object_new_int64((int64_t)g));
		}
		json_object_object_add(user, "additionalGids", arr);
	}
	return 0;
}

/* runc's --cap adds the capability to every set but inheritable. */
static void apply_caps(json_object *p, json_object *caps)
{
	if (caps == NULL)
		return;
	json_object *c;
	if (!json_object_object_get_ex(p, "capabilities", &c)) {
		c = json_object_new_object();
		json_object_object_add(p, "capabilities", c);
	}
	static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		json_object *arr;
		if (!json_object_object_get_ex(c, sets[s], &arr)) {
			arr = json_object_new_array();
			json_object_object_add(c, sets[s], arr);
		}
		for (size_t i = 0; i < json_object_array_length(caps); i++)
			json_object_array_add(arr, json_object_get(json_object_array_get_idx(caps, i)));
	}
}

static int build_process(const struct global_opts *g, const struct exec_flags *f, int argc, char **argv,
			 char **out, struct hutch_error **err)
{
	cleanup_json json_object *p = NULL;
	if (f->process_file) {
		cleanup_free char *raw = NULL;
		if (read_file_at(AT_FDCWD, f->process_file, &raw, NULL, err) < 0)
			return -1;
		*out = take_ptr(&raw);
		return 0;
	}
	if (argc - optind < 2)
		return hutch_error_set(err, EINVAL, "exec: a command or --process is required");
	if (container_saved_process(g->root, argv[optind], &p, err) < 0)
		return -1;
	json_object *args = json_object_new_array();
	for (int i = optind + 1; i < argc; i++)
		json_object_array_add(args, json_object_new_string(argv[i]));
	json_object_object_add(p, "args", args);
	json_object_object_add(p, "terminal", json_object_new_boolean(f->tty));
	if (f->cwd)
		json_object_object_add(p, "cwd", json_object_new_string(f->cwd));
	if (f->no_new_privs)
		json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(true));
	/* Checked against the host's LSMs with the rest of the process (lsm.c). */
	if (f->apparmor)
		json_object_object_add(p, "apparmorProfile", json_object_new_string(f->apparmor));
	if (f->label)
		json_object_object_add(p, "selinuxLabel", json_object_new_string(f->label));
	apply_env(p, f->env);
	apply_caps(p, f->caps);
	if (apply_user(p, f) != 0)
		return hutch_error_set(err, EINVAL, "exec: bad --user or --additional-gids");
	*out = xstrdup(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
	return 0;
}

static int check_unsupported(const struct exec_flags *f, struct hutch_error **err)
{
	if (f->cgroup)
		return hutch_error_set(err, ENOTSUP, "exec --cgroup: not supported by this version of hutch");
	return 0;
}

static int exec_main(const struct global_opts *g, int argc, char **argv)
{
	__attribute__((cleanup(exec_flags_release))) struct exec_flags f = { 0 };
	int rc = parse_flags(argc, argv, &f);
	if (rc != 0)
		return rc;
	if (optind >= argc)
		return cli_usage_error("exec", "missing container id");
	/* As runc: in the foreground the terminal is hutch's to relay, not a client's. */
	if (!f.detach && f.console_socket)
		return cli_usage_error("exec", "--console-socket: only with --detach (in the foreground "
				       "hutch relays the terminal itself)");
	cleanup_error struct hutch_error *err = NULL;
	cleanup_free char *process = NULL;
	if (check_unsupported(&f, &err) < 0 || build_process(g, &f, argc, argv, &process, &err) < 0)
		return cli_fail(g, err);
	struct exec_opts o = { .root = g->root, .id = argv[optind], .process_json = process,
			       .pid_file = f.pid_file, .detach = f.detach, .ignore_paused = f.ignore_paused,
			       .preserve_fds = f.preserve_fds, .console_socket = f.console_socket };
	sigset_t all;
	cleanup_close int master = -1;
	if (!f.detach) {
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		cli_block_signals(&all);
		o.terminal_master = &master;
	}
	pid_t pid;
	if (container_exec(&o, &pid, &err) < 0)
		return cli_fail(g, err);
	return f.detach ? 0 : cli_wait_forwarding(pid, &all, take_fd(&master));
}

static void exec_usage(void)
{
	printf("Usage: hutch exec [options] <container-id> <command> [args...]\n"
	       "       hutch exec [options] --process process.json <container-id>\n\n"
	       "Run a process in a running container.\n\nOptions:\n"
	       "  -p, --process FILE        the process as a runtime-spec process object\n"
	       "  -d, --detach              do not wait for the process\n"
	       "      --pid-file FILE       write the process's pid to FILE\n"
	       "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
	       "      --cwd DIR             working directory in the container\n"
	       "  -u, --user UID[:GID]      user and group ids\n"
	       "  -g, --additional-gids GID more groups (repeatable)\n"
	       "  -c, --cap CAP             add a capability (repeatable)\n"
	       "      --no-new-privs        set no_new_privs\n"
	       "      --preserve-fds N      pass N more fds (from 3) to the process\n"
	       "      --ignore-paused       exec even into a paused container\n"
	       "  -t, --tty                 allocate a terminal (with --detach: needs --console-socket)\n"
	       "      --console-socket SOCK unix socket that receives the terminal master\n");
}

const struct command cmd_exec = { "exec", "run a process in a running container", exec_main, exec_usage };
