/* `exec`: run another process in a container, with runc's flags. */
#include "cmd.h"
#include "../libcontainer/cgroup_sub.h"
#include "../libcontainer/container.h"
#include "../libcontainer/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/prctl.h>

struct exec_flags {
	const char *process_file, *cwd, *user, *pid_file, *console_socket, *pidfd_socket;
	json_object *env, *gids, *caps, *cgroups;  /* arrays collected from repeated flags */
	bool tty, detach, no_new_privs, ignore_paused;
	const char *apparmor, *label;
	int preserve_fds;
};

static void exec_flags_release(struct exec_flags *f)
{
	json_putp(&f->env);
	json_putp(&f->gids);
	json_putp(&f->caps);
	json_putp(&f->cgroups);
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
		{ "pidfd-socket", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
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
		case 'G': push(&f->cgroups, optarg); break;
		case 'S': f->pidfd_socket = optarg; break;
		case 'F':
			if (cli_parse_preserve_fds("exec", optarg, &f->preserve_fds) != 0)
				return 1;
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

static bool parse_id(const char *s, int64_t *out)
{
	unsigned long long v;
	/* (uint32_t)-1 means "unchanged" to setresuid(2): not an id. */
	if (parse_uint64(s, &v) < 0 || v >= UINT32_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

static json_object *object_member(json_object *o, const char *key, json_type type)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type)) {
		v = type == json_type_array ? json_object_new_array() : json_object_new_object();
		json_object_object_add(o, key, v);
	}
	return v;
}

/* -u UID[:GID] replaces the ids (a bare UID keeps the config's gid, as in
 * runc); -g GID adds to process.user.additionalGids. */
static int apply_user(json_object *p, const struct exec_flags *f, struct hutch_error **err)
{
	json_object *user = object_member(p, "user", json_type_object);
	if (f->user) {
		int64_t uid, gid;
		cleanup_free char *u = xstrdup(f->user);
		char *colon = strchr(u, ':');
		if (colon)
			*colon = '\0';
		if (!parse_id(u, &uid) || (colon && !parse_id(colon + 1, &gid)))
			return hutch_error_set(err, EINVAL, "exec --user: expected UID[:GID], got \"%s\"", f->user);
		json_object_object_add(user, "uid", json_object_new_int64(uid));
		if (colon)
			json_object_object_add(user, "gid", json_object_new_int64(gid));
	}
	json_object *arr = f->gids ? object_member(user, "additionalGids", json_type_array) : NULL;
	for (size_t i = 0; f->gids && i < json_object_array_length(f->gids); i++) {
		int64_t g;
		const char *s = json_object_get_string(json_object_array_get_idx(f->gids, i));
		if (!parse_id(s, &g))
			return hutch_error_set(err, EINVAL, "exec --additional-gids: not a gid: \"%s\"", s);
		json_object_array_add(arr, json_object_new_int64(g));
	}
	return 0;
}

/* runc's --cap adds the capability to the bounding, effective and permitted
 * sets, and to the ambient set only when the config has an inheritable set
 * (an ambient capability must also be inheritable). */
static void apply_caps(json_object *p, json_object *caps)
{
	if (caps == NULL)
		return;
	json_object *c = object_member(p, "capabilities", json_type_object);
	bool ambient = json_object_object_get_ex(c, "inheritable", NULL);
	static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
	for (size_t s = 0; s < ARRAY_SIZE(sets) - (ambient ? 0 : 1); s++) {
		json_object *arr = object_member(c, sets[s], json_type_array);
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
		size_t len;
		if (read_regular_file_at(AT_FDCWD, f->process_file, &raw, &len, err) < 0)
			return hutch_error_wrap(err, "--process");
		/* It travels as a C string: a NUL byte would cut it short unseen. */
		if (strlen(raw) != len)
			return hutch_error_set(err, EINVAL, "--process: %s: invalid JSON: NUL byte", f->process_file);
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
	/* As runc: the config's terminal setting is not inherited, only -t gives one. */
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
	if (apply_user(p, f, err) < 0)
		return -1;
	*out = xstrdup(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
	return 0;
}

struct cgroup_subs {
	struct cgroup_sub *v;
	size_t n;
};

static void cgroup_subs_freep(struct cgroup_subs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].controller);
		free(s->v[i].path);
	}
	free(s->v);
}

static int cgroup_subs_add(struct cgroup_subs *s, const char *arg, const char *ctrl, const char *path,
			   struct hutch_error **err)
{
	for (size_t i = 0; ctrl && i < s->n; i++)
		if (strcmp(s->v[i].controller, ctrl) == 0)
			return hutch_error_set(err, EINVAL, "exec --cgroup %s: controller %s given twice", arg, ctrl);
	s->v = xrealloc(s->v, sizeof(*s->v) * (s->n + 1));
	s->v[s->n++] = (struct cgroup_sub){ ctrl ? xstrdup(ctrl) : NULL, xstrdup(path) };
	return 0;
}

/* --cgroup PATH (one, every hierarchy) or --cgroup CTRL[,CTRL...]:PATH
 * (repeatable, per v1 controller): a sub-cgroup of the container's. */
static int parse_cgroups(json_object *args, struct cgroup_subs *s, struct hutch_error **err)
{
	size_t nargs = args ? json_object_array_length(args) : 0;
	for (size_t i = 0; i < nargs; i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(args, i));
		const char *colon = strchr(a, ':');
		if (colon == NULL) {
			if (nargs > 1)
				return hutch_error_set(err, EINVAL, "exec --cgroup %s: with several --cgroup, "
						       "each needs a CONTROLLER: prefix", a);
			if (cgroup_subs_add(s, a, NULL, a, err) < 0)
				return -1;
			continue;
		}
		cleanup_free char *ctrls = xstrndup(a, (size_t)(colon - a));
		char *rest = ctrls;
		for (char *c; (c = strsep(&rest, ",")) != NULL;) {
			if (*c == '\0')
				return hutch_error_set(err, EINVAL, "exec --cgroup %s: empty controller name", a);
			if (cgroup_subs_add(s, a, c, colon + 1, err) < 0)
				return -1;
		}
	}
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
	struct exec_opts o = { .root = g->root, .id = argv[optind], .pid_file = f.pid_file,
			       .detach = f.detach, .ignore_paused = f.ignore_paused,
			       .console_socket = f.console_socket, .pidfd_socket = f.pidfd_socket };
	if (cli_passed_fds("exec", f.preserve_fds, &o.preserve_fds, &o.listen_fds) != 0)
		return 1;
	o.listen_fdnames = o.listen_fds ? getenv("LISTEN_FDNAMES") : NULL;
	cleanup_error struct hutch_error *err = NULL;
	cleanup_free char *process = NULL;
	__attribute__((cleanup(cgroup_subs_freep))) struct cgroup_subs subs = { 0 };
	if (build_process(g, &f, argc, argv, &process, &err) < 0 || parse_cgroups(f.cgroups, &subs, &err) < 0)
		return cli_fail(g, err);
	o.process_json = process;
	o.cgroup_subs = subs.v;
	o.n_cgroup_subs = subs.n;
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
	       "      --cgroup [CTRL[,CTRL]:]PATH  run in this sub-cgroup of the container's\n"
	       "                            (repeatable, one per v1 controller)\n"
	       "      --apparmor PROFILE    AppArmor profile of the process\n"
	       "      --process-label LABEL SELinux label of the process\n"
	       "  -t, --tty                 allocate a terminal (with --detach: needs --console-socket)\n"
	       "      --console-socket SOCK unix socket that receives the terminal master\n"
	       "      --pidfd-socket SOCK   unix socket that receives a pidfd of the process\n");
}

const struct command cmd_exec = { "exec", "run a process in a running container", exec_main, exec_usage };
