/* `create`, the parent side: validate everything that can be validated before
 * anything exists, then state dir, cgroup, the init stage (a sealed copy of
 * hutch, see init.c) and the sync conversation with it. Any failure undoes
 * what was done (runtime.md "Errors"). */
#include "container.h"
#include "cgroup.h"
#include "exe.h"
#include "hooks.h"
#include "init.h"
#include "intelrdt.h"
#include "lsm.h"
#include "namespaces.h"
#include "net.h"
#include "process.h"
#include "rootfs.h"
#include "sched.h"
#include "seccomp.h"
#include "state.h"
#include "sync.h"
#include "sysctl.h"
#include "terminal.h"
#include "utils.h"
#include "../spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct create_run {
	const struct create_opts *o;
	struct spec *spec;
	char *raw;
	size_t raw_len;
	struct container_state st;   /* strings owned here */
	struct state_dir *dir;
	struct cgroup *cg;
	struct cgroup_systemd_unit unit; /* --systemd-cgroup */
	bool unit_started;
	pid_t child;                 /* the process we spawned (first init stage) */
	int sock;
	bool hooks_started;
	bool cg_existed;             /* cgroupsPath was there before: not ours to remove */
	int console_ours;            /* foreground terminal: our end of the console socketpair */
	int rdt_tasks;               /* linux.intelRdt: the tasks file of the container's group */
	int pidfd_sock;              /* --pidfd-socket, connected */
};

int container_check_supported(const struct spec *s, struct hutch_error **err)
{
	const struct spec_linux *l = s->linux_;
	if (lsm_validate(s, err) < 0)
		return -1;
	if (l == NULL)
		return 0;
	if (intelrdt_validate(l->intel_rdt, err) < 0)
		return -1;
	return 0;
}

/* --cgroup-manager disabled (crun's extension; Podman's --cgroups=disabled): a limit needs a
 * cgroup, so asking for one is an error. Device rules are left unapplied, as crun does:
 * Podman sends its deny-all rule with every container, cgroups or not. */
static int no_cgroup_validate(const struct spec_resources *res, struct hutch_error **err)
{
	if (res == NULL)
		return 0;
	const char *f = res->memory ? "memory" : res->cpu ? "cpu" : res->has_pids_limit ? "pids" :
		res->block_io ? "blockIO" : res->n_hugepage_limits ? "hugepageLimits" :
		res->network ? "network" : res->n_rdma ? "rdma" : res->n_unified ? "unified" : NULL;
	if (f == NULL)
		return 0;
	return hutch_error_set(err, EINVAL, "config.json: linux.resources.%s: cannot be applied "
			       "without a cgroup (--cgroup-manager disabled)", f);
}

/* sethostname(2) and setdomainname(2) take at most 64 bytes (__NEW_UTS_LEN). */
static int validate_uts(const struct spec *s, struct hutch_error **err)
{
	if ((s->hostname || s->domainname) && spec_find_namespace(s, SPEC_NS_UTS) == NULL)
		return hutch_error_set(err, EINVAL, "config.json: %s: set without a uts namespace",
				       s->hostname ? "hostname" : "domainname");
	if (s->hostname && strlen(s->hostname) > 64)
		return hutch_error_set(err, EINVAL, "config.json: hostname: longer than 64 bytes");
	if (s->domainname && strlen(s->domainname) > 64)
		return hutch_error_set(err, EINVAL, "config.json: domainname: longer than 64 bytes");
	return 0;
}

/* Before anything exists, so that the error names the field. */
static int validate_cgroups_path(const struct create_run *r, struct hutch_error **err)
{
	const struct spec_linux *l = r->spec->linux_;
	cleanup_free char *path = NULL;
	/* --systemd-cgroup: "slice:prefix:name", checked by check_systemd */
	if (r->o->no_cgroup || r->o->systemd_cgroup)
		return 0;
	if (cgroup_resolve_path_checked(l ? l->cgroups_path : NULL, r->o->id, &path, err) < 0)
		return hutch_error_wrap(err, "config.json: linux.cgroupsPath");
	return 0;
}

static int validate_config(const struct create_run *r, struct hutch_error **err)
{
	const struct spec *s = r->spec;
	if (s->root == NULL || s->root->path == NULL)
		return hutch_error_set(err, EINVAL, "config.json: root.path: required");
	if (validate_uts(s, err) < 0 || validate_cgroups_path(r, err) < 0)
		return -1;
	bool terminal = s->process && s->process->terminal;
	if (terminal && r->o->console_socket == NULL && r->o->terminal_master == NULL)
		return hutch_error_set(err, EINVAL, "config.json: process.terminal: cannot allocate a "
				       "terminal without --console-socket");
	if (!terminal && r->o->console_socket)
		return hutch_error_set(err, 0, "--console-socket: process.terminal is false: "
				       "there is no terminal to send");
	if (container_check_supported(s, err) < 0 || ns_validate(s, err) < 0 || rootfs_validate(s, err) < 0)
		return -1;
	if (sched_validate(s, err) < 0)
		return -1;
	if (s->linux_ && s->linux_->seccomp && seccomp_validate(s->linux_->seccomp, err) < 0)
		return -1;
	if (s->process && process_validate(s->process, err) < 0)
		return -1;
	if (s->linux_ && sysctl_validate(s->linux_, err) < 0)
		return -1;
	if (r->o->no_cgroup && s->linux_ && no_cgroup_validate(s->linux_->resources, err) < 0)
		return -1;
	return net_devices_validate(s, err);
}

static int resolve_rootfs(struct create_run *r, struct hutch_error **err)
{
	const char *p = r->spec->root->path;
	cleanup_free char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", r->st.bundle, p);
	char *real = realpath(joined, NULL);
	if (real == NULL)
		return hutch_error_errno(err, "config.json: root.path: %s", joined);
	r->st.rootfs = real;
	struct stat sb;
	if (stat(real, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return hutch_error_set(err, ENOTDIR, "config.json: root.path: %s is not a directory", real);
	return 0;
}

/* --systemd-cgroup: the scope is systemd's to create, once the init stage
 * exists to be put in it; everything that can be checked is checked now. */
static int check_systemd(struct create_run *r, struct hutch_error **err)
{
	const char *p = r->spec->linux_ ? r->spec->linux_->cgroups_path : NULL;
	if (cgroup_systemd_parse(p, r->o->id, &r->unit, err) < 0)
		return -1;
	if (!cgroup_systemd_running())
		return hutch_error_set(err, ENOTSUP, "--systemd-cgroup: systemd is not running on this host "
				       "(no /run/systemd/system); without the flag, hutch manages the cgroup itself");
	return 0;
}

static int load_config(struct create_run *r, struct hutch_error **err)
{
	r->st.bundle = realpath(r->o->bundle, NULL);
	if (r->st.bundle == NULL)
		return hutch_error_errno(err, "bundle %s", r->o->bundle);
	cleanup_close int fd = open(r->st.bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "bundle %s", r->st.bundle);
	if (spec_load_at(fd, &r->spec, &r->raw, &r->raw_len, err) < 0)
		return -1;
	if (resolve_rootfs(r, err) < 0 || validate_config(r, err) < 0)
		return -1;
	if (r->o->systemd_cgroup && check_systemd(r, err) < 0)
		return -1;
	if (r->o->pidfd_socket) {
		r->pidfd_sock = unix_connect(r->o->pidfd_socket, "--pidfd-socket", err);
		if (r->pidfd_sock < 0)
			return -1;
	}
	return 0;
}

static json_object *annotations_json(const struct spec *s)
{
	if (s->n_annotations == 0)
		return NULL;
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < s->n_annotations; i++)
		json_object_object_add(o, s->annotations[i].key,
				       json_object_new_string(s->annotations[i].value));
	return o;
}

static int make_state_dir(struct create_run *r, struct hutch_error **err)
{
	if (state_dir_create(r->o->root, r->o->id, &r->dir, err) < 0)
		return -1;
	r->st.id = xstrdup(r->o->id);
	r->st.created = now_rfc3339();
	r->st.owner = xstrdup("");
	r->st.annotations = annotations_json(r->spec);
	r->st.creator = getpid();
	r->st.creator_start_time = proc_start_time(r->st.creator);
	/* an empty cgroupPath in the state: no cgroup (delete, exec and ps know it) */
	if (r->o->no_cgroup) {
		r->st.cgroup_path = xstrdup("");
	} else if (r->o->systemd_cgroup) {
		r->st.cgroup_path = xstrdup(r->unit.path);
		r->st.systemd_unit = xstrdup(r->unit.unit);
	} else {
		r->st.cgroup_path = cgroup_resolve_path(r->spec->linux_ ? r->spec->linux_->cgroups_path : NULL,
							r->o->id);
	}
	/* state.json first: a directory without one is a create that did nothing yet
	 * or a delete almost done, and state and list say "does not exist". */
	if (state_save(r->dir, &r->st, err) < 0)
		return -1;
	return write_file_atomic_at(r->dir->fd, STATE_CONFIG, r->raw, r->raw_len, 0600, err);
}

/* The default cgroup is the container's own: processes in it belong to a
 * container of the same id that lost its state (--root wiped) or lives under
 * another --root, and sharing it would let one's delete kill the other. */
static int check_default_cgroup_unused(struct create_run *r, struct hutch_error **err)
{
	const struct spec_linux *l = r->spec->linux_;
	if ((l && l->cgroups_path && *l->cgroups_path) || cgroup_created(r->cg))
		return 0;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	if (cgroup_pids(r->cg, &pids, &n, NULL) < 0 || n == 0)
		return 0;
	return hutch_error_set(err, EBUSY, "config.json: linux.cgroupsPath: the default cgroup %s already holds "
			       "%zu processes (a container %s of another --root, or one whose state was lost)",
			       r->st.cgroup_path, n, r->o->id);
}

static int make_cgroup(struct create_run *r, struct hutch_error **err)
{
	const struct spec_resources *res = r->spec->linux_ ? r->spec->linux_->resources : NULL;
	if (r->o->no_cgroup)
		return 0;
	if (r->o->systemd_cgroup) {
		/* The scope needs a process: the init stage (start_init_stage). */
		if (cgroup_systemd_start(&r->unit, r->o->id, r->child, res, err) < 0)
			return -1;
		r->unit_started = true;
	}
	if (cgroup_create(r->st.cgroup_path, res, &r->cg, err) < 0)
		return hutch_error_wrap(err, "cgroup %s", r->st.cgroup_path);
	/* A scope is the unit this create asked systemd for: what is in it is ours. */
	if (r->o->systemd_cgroup)
		return 0;
	r->cg_existed = !cgroup_created(r->cg);
	return check_default_cgroup_unused(r, err);
}

static int make_intelrdt(struct create_run *r, struct hutch_error **err)
{
	const struct spec_intel_rdt *rdt = r->spec->linux_ ? r->spec->linux_->intel_rdt : NULL;
	return rdt ? intelrdt_setup(rdt, r->st.id, &r->rdt_tasks, err) : 0;
}

/* The bootstrap options the init stage needs besides config.json. */
static char *bootstrap_json(const struct create_run *r, bool cgroup_fd)
{
	cleanup_json json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(r->st.id));
	json_object_object_add(o, "bundle", json_object_new_string(r->st.bundle));
	json_object_object_add(o, "rootfs", json_object_new_string(r->st.rootfs));
	json_object_object_add(o, "cgroupPath", json_object_new_string(r->st.cgroup_path));
	json_object_object_add(o, "noPivot", json_object_new_boolean(r->o->no_pivot));
	json_object_object_add(o, "noNewKeyring", json_object_new_boolean(r->o->no_new_keyring));
	json_object_object_add(o, "preserveFds", json_object_new_int(r->o->preserve_fds));
	json_object_object_add(o, "console", json_object_new_boolean(r->spec->process && r->spec->process->terminal));
	json_object_object_add(o, "cgroupFd", json_object_new_boolean(cgroup_fd));
	if (r->o->listen_fds > 0)
		json_object_object_add(o, "listenFds", json_object_new_int(r->o->listen_fds));
	if (r->o->listen_fdnames)
		json_object_object_add(o, "listenFdNames", json_object_new_string(r->o->listen_fdnames));
	return xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

/* The init stage's end of the console socket: -2 when there is no terminal,
 * -1 on error. Connected before the init exists, so that a bad
 * --console-socket fails early. */
static int open_console(struct create_run *r, struct hutch_error **err)
{
	if (r->spec->process == NULL || !r->spec->process->terminal)
		return -2;
	if (r->o->console_socket)
		return terminal_connect_socket(r->o->console_socket, err);
	int theirs;
	if (terminal_socketpair(&r->console_ours, &theirs, err) < 0)
		return -1;
	return theirs;
}

static bool hooks_before_start(const struct spec_hooks *h)
{
	return h && (h->n_prestart || h->n_create_runtime || h->n_create_container || h->n_start_container);
}

/* The init stage can be a fork of this process instead of an exec of a
 * sealed copy of hutch (about a millisecond less per create, on this
 * project's VMs) when no process but ours can see it while it runs hutch's
 * binary (CVE-2019-5736): it is the first process of a new pid namespace, and
 * no hook runs before it turns into the sealed start waiter (prestart and
 * createRuntime hooks get its pid and may enter its namespaces; createContainer
 * hooks run in them; startContainer hooks run from the container's
 * filesystem). The waiter must also be able to do the rest: it runs no hooks,
 * sends no seccomp listener, takes no LSM exec label, and under a filter loaded
 * before the capability drop it needs the syscalls the re-exec'd init does
 * not make (execveat of the waiter, its prctl and its write to the memory
 * cgroup). HUTCH_TEST_INIT_REEXEC=1 forces the exec of hutch. */
static bool init_can_fork(const struct create_run *r)
{
	const struct spec *s = r->spec;
	const struct spec_process *p = s->process;
	const struct spec_namespace *pid = spec_find_namespace(s, SPEC_NS_PID);
	const struct spec_seccomp *sc = s->linux_ ? s->linux_->seccomp : NULL;
	const char *force = getenv("HUTCH_TEST_INIT_REEXEC");
	if (!exe_have_waiter() || (force && strcmp(force, "1") == 0) || p == NULL)
		return false;
	/* --systemd-cgroup: the scope is made around the spawned init stage (make_cgroup) */
	if (r->o->systemd_cgroup)
		return false;
	if (pid == NULL || (pid->path && *pid->path) || hooks_before_start(s->hooks))
		return false;
	if ((p->apparmor_profile && *p->apparmor_profile) || (p->selinux_label && *p->selinux_label))
		return false;
	if (sc == NULL)
		return true;
	if (p->no_new_privileges)
		return sc->listener_path == NULL || *sc->listener_path == '\0';
	return seccomp_allows_always(sc, "execveat") && seccomp_allows_always(sc, "prctl") &&
	       seccomp_allows_always(sc, "write");
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

/* clone3(CLONE_INTO_CGROUP) checks the cgroup after it has allocated the pid:
 * when that first process of a new pid namespace fails, the namespace takes no
 * other (alloc_pid: ENOMEM), so the plain clone fallback cannot follow. Where the
 * check is known to fail, do not try: in a user namespace the init stage may not
 * write the host's cgroup, and pids.max 0 refuses any fork into the cgroup. */
static bool clone_into_cgroup_ok(const struct spec *s)
{
	const struct spec_resources *res = s->linux_ ? s->linux_->resources : NULL;
	if (spec_find_namespace(s, SPEC_NS_USER))
		return false;
	if (res && res->has_pids_limit && res->pids_limit == 0)
		return false;
	for (size_t i = 0; res && i < res->n_unified; i++)
		if (strcmp(res->unified[i].key, "pids.max") == 0 && strcmp(res->unified[i].value, "0") == 0)
			return false;
	return true;
}

/* How the forked init gets into the container's cgroup without being moved by
 * on_pid: born there (clone3 on v2, and into the unified hierarchy of a hybrid
 * host) and joining the v1 hierarchies by itself (cgroup_self_join_fds). Where
 * clone3 is not to be tried, a hybrid host's init is moved as a whole. */
static int fork_cgroup_plan(struct create_run *r, int *clone_fd, int **tasks, size_t *n,
			    struct hutch_error **err)
{
	bool clone_ok = clone_into_cgroup_ok(r->spec);
	*clone_fd = clone_ok ? cgroup_clone_fd(r->cg) : -1;
	*tasks = NULL;
	*n = 0;
	if (*clone_fd >= 0 || r->cg == NULL)
		return 0;
	if (cgroup_self_join_fds(r->cg, clone_fd, tasks, n, err) < 0)
		return -1;
	if (*clone_fd >= 0 && !clone_ok) {
		close_all(take_ptr(tasks), *n);
		*n = 0;
		*clone_fd = -1;
	}
	return 0;
}

struct fork_fds {
	int clone_fd;       /* cgroup2 directory for clone3, or -1 */
	int *tasks;         /* cgroup v1 `tasks` the init joins by itself */
	size_t n_tasks;
	int mem_own, mem_ctr; /* cgroup_v1_memory_fds */
};

static void fork_fds_release(struct fork_fds *f)
{
	close_all(f->tasks, f->n_tasks);
	closep(&f->mem_own);
	closep(&f->mem_ctr);
}

static int fork_init_stage(struct create_run *r, int start_sock, int console, int child_sock,
			   struct hutch_error **err)
{
	cleanup_close int waiter = exe_waiter_copy(err);
	if (waiter < 0)
		return -1;
	__attribute__((cleanup(fork_fds_release))) struct fork_fds ff = { .mem_own = -1, .mem_ctr = -1 };
	if (fork_cgroup_plan(r, &ff.clone_fd, &ff.tasks, &ff.n_tasks, err) < 0)
		return -1;
	if (ff.n_tasks > 0 && cgroup_v1_memory_fds(r->cg, &ff.mem_own, &ff.mem_ctr, err) < 0)
		return -1;
	cleanup_free char *boot = bootstrap_json(r, ff.clone_fd >= 0);
	int base[] = { child_sock, start_sock, waiter, ff.clone_fd, console, ff.mem_own, ff.mem_ctr };
	size_t nkeep = ARRAY_SIZE(base) + ff.n_tasks;
	cleanup_free int *keep = xcalloc(nkeep, sizeof(int));
	memcpy(keep, base, sizeof(base));
	if (ff.n_tasks > 0)
		memcpy(keep + ARRAY_SIZE(base), ff.tasks, ff.n_tasks * sizeof(int));
	pid_t pid;
	if (exe_fork_init(r->o->preserve_fds, keep, nkeep, &pid, err) < 0)
		return -1;
	if (pid == 0) {
		struct init_fork f = { .sock = child_sock, .start_sock = start_sock, .cgroup_fd = ff.clone_fd,
				       .console = console, .waiter = waiter, .tasks = ff.tasks, .n_tasks = ff.n_tasks,
				       .mem_own = ff.mem_own, .mem_ctr = ff.mem_ctr, .spec = r->spec, .boot = boot };
		init_stage_forked(&f);
	}
	r->child = pid;
	return 0;
}

static int spawn_init_stage(struct create_run *r, int start_sock, int console, int child_sock,
			    struct hutch_error **err)
{
	cleanup_close int cfg = memfd_with_data("config.json", r->raw, r->raw_len, err);
	if (cfg < 0)
		return -1;
	cleanup_close int exe = exe_sealed_copy(err);
	if (exe < 0)
		return -1;
	if (exe_spawn_init(exe, child_sock, r->o->preserve_fds, &r->child, err) < 0)
		return -1;
	if (r->o->systemd_cgroup && make_cgroup(r, err) < 0)
		return -1;
	int cgfd = clone_into_cgroup_ok(r->spec) ? cgroup_clone_fd(r->cg) : -1;
	cleanup_free char *boot = bootstrap_json(r, cgfd >= 0);
	int fds[4] = { cfg, start_sock };
	size_t n = 2;
	if (cgfd >= 0)
		fds[n++] = cgfd;
	if (console >= 0)
		fds[n++] = console;
	return sync_send(r->sock, SYNC_BOOTSTRAP, boot, strlen(boot), fds, n, err);
}

static int start_init_stage(struct create_run *r, struct hutch_error **err)
{
	cleanup_close int start_sock = state_exec_listen(r->dir, err);
	if (start_sock < 0)
		return -1;
	cleanup_close int console = open_console(r, err);
	if (console == -1)
		return -1;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return hutch_error_errno(err, "socketpair");
	r->sock = sv[0];
	cleanup_close int child_sock = sv[1];
	if (init_can_fork(r))
		return fork_init_stage(r, start_sock, console, child_sock, err);
	return spawn_init_stage(r, start_sock, console, child_sock, err);
}

static char *hook_state(const struct create_run *r)
{
	/* The hooks of create run after lifecycle step 2, when the environment
	 * exists: runtime-tools' hooks_stdin checks for "created". */
	cleanup_json json_object *o = state_to_oci_json(&r->st, STATUS_CREATED);
	return xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

static int run_runtime_hooks(struct create_run *r, struct hutch_error **err)
{
	r->hooks_started = true;
	cleanup_free char *state = hook_state(r);
	const struct spec_hooks *h = r->spec->hooks;
	if (h && hooks_run(h->prestart, h->n_prestart, "prestart", state, err) < 0)
		return -1;
	if (h && hooks_run(h->create_runtime, h->n_create_runtime, "createRuntime", state, err) < 0)
		return -1;
	return sync_send(r->sock, SYNC_HOOKS_ACK, state, strlen(state), NULL, 0, err);
}

static int on_pid(struct create_run *r, const struct sync_msg *m, struct hutch_error **err)
{
	bool placed;
	if (sync_parse_pid(m, &r->st.pid, &placed, err) < 0)
		return -1;
	r->st.start_time = proc_start_time(r->st.pid);
	if (r->st.pid != r->child) {
		/* The first stage forked the init into the new pid namespace and exits. */
		int status;
		while (waitpid(r->child, &status, 0) < 0 && errno == EINTR)
			;
		r->child = 0;
	}
	/* Its resctrl group before anything of the user's runs (even when the
	 * init was born in its cgroup and goes on without waiting for us). */
	if (r->rdt_tasks >= 0 && intelrdt_enter(r->rdt_tasks, r->st.pid, err) < 0)
		return -1;
	/* Only the container's own init goes into its cgroup, once its stage one
	 * (exec, parse, namespaces) is done: none of that is charged to the
	 * container's memory. Born there (clone3) or moved now; in the latter case
	 * it does nothing of the user's before the ack. */
	if (!placed && r->cg && cgroup_enter(r->cg, r->st.pid, err) < 0)
		return -1;
	/* The init is in its network namespace now, and waits for the ack when
	 * there are devices to move (init_wait_placed). */
	if (net_devices_move(r->spec->linux_, r->st.pid, err) < 0)
		return -1;
	if (placed && !net_devices_wanted(r->spec))
		return 0;
	return sync_send(r->sock, SYNC_PID_ACK, NULL, 0, NULL, 0, err);
}

static int sync_loop(struct create_run *r, struct hutch_error **err)
{
	for (;;) {
		cleanup_sync_msg struct sync_msg m = { 0 };
		if (sync_recv(r->sock, &m, err) < 0)
			return -1;
		int rc = 0;
		switch (m.type) {
		case SYNC_USERMAP_PLS:
			rc = ns_write_id_maps(r->child, r->spec->linux_, err);
			if (rc == 0)
				rc = sync_send(r->sock, SYNC_USERMAP_ACK, NULL, 0, NULL, 0, err);
			break;
		case SYNC_PID:
			rc = on_pid(r, &m, err);
			break;
		case SYNC_HOOKS_PLS:
			rc = run_runtime_hooks(r, err);
			break;
		case SYNC_READY:
			return 0;
		case SYNC_ERROR:
			return hutch_error_set(err, 0, "%s", m.data);
		default:
			return hutch_error_set(err, EPROTO, "sync: unexpected %s", sync_type_name(m.type));
		}
		if (rc < 0) {
			sync_send_error(r->sock, err ? *err : NULL);
			return -1;
		}
	}
}

static int write_pid_file(const char *path, pid_t pid, struct hutch_error **err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write_file_atomic_at(AT_FDCWD, path, buf, (size_t)n, 0644, err) < 0)
		return hutch_error_wrap(err, "--pid-file");
	return 0;
}

/* runc's --pidfd-socket: one message, payload "standard" for a container's
 * init, a pidfd of it by SCM_RIGHTS. */
static int send_pidfd(struct create_run *r, struct hutch_error **err)
{
	cleanup_close int fd = (int)syscall(SYS_pidfd_open, r->st.pid, 0);
	if (fd < 0)
		return hutch_error_errno(err, "--pidfd-socket: pidfd_open %d", (int)r->st.pid);
	if (unix_send_fd(r->pidfd_sock, "standard", fd, err) < 0)
		return hutch_error_wrap(err, "--pidfd-socket %s", r->o->pidfd_socket);
	return 0;
}

static void reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Undo create: step 12 and 13 of runtime.md's lifecycle when hooks had run. */
static void create_abort(struct create_run *r)
{
	if (r->st.pid > 0 && r->st.pid != r->child && proc_start_time(r->st.pid) == r->st.start_time)
		reap(r->st.pid);
	reap(r->child);
	/* A cgroup made here holds only what this create started; one that existed
	 * may hold other processes: never kill those. */
	if (r->cg && !r->cg_existed)
		cgroup_destroy(r->cg, NULL);
	if (r->rdt_tasks >= 0)
		intelrdt_remove(r->spec->linux_->intel_rdt, r->st.id, NULL);
	if (r->unit_started)
		cgroup_systemd_stop(r->unit.unit, r->unit.path, NULL);
	if (r->dir)
		state_dir_remove(r->dir, NULL);
	const struct spec_hooks *h = r->spec ? r->spec->hooks : NULL;
	if (r->hooks_started && h && h->n_poststop) {
		cleanup_free char *state = hook_state(r);
		hooks_run_warn(h->poststop, h->n_poststop, "poststop", state);
	}
}

static void create_run_release(struct create_run *r)
{
	spec_free(r->spec);
	free(r->raw);
	free(r->st.id);
	free(r->st.bundle);
	free(r->st.rootfs);
	free(r->st.created);
	free(r->st.owner);
	free(r->st.cgroup_path);
	free(r->st.systemd_unit);
	cgroup_systemd_unit_release(&r->unit);
	if (r->st.annotations)
		json_object_put(r->st.annotations);
	cgroup_free(r->cg);
	state_dir_free(r->dir);
	closep(&r->sock);
	closep(&r->console_ours);
	closep(&r->rdt_tasks);
	closep(&r->pidfd_sock);
}

static int create_steps(struct create_run *r, struct hutch_error **err)
{
	if (load_config(r, err) < 0 || make_state_dir(r, err) < 0 ||
	    (!r->o->systemd_cgroup && make_cgroup(r, err) < 0) || make_intelrdt(r, err) < 0)
		return -1;
	if (start_init_stage(r, err) < 0)
		return -1;
	if (sync_loop(r, err) < 0) {
		/* The init stage killed without a word: say why when the cgroup knows. */
		if (r->cg && cgroup_oom_kills(r->cg) > 0)
			return hutch_error_wrap(err, "config.json: linux.resources.memory: the container "
						"ran out of memory while it was created");
		return -1;
	}
	r->st.creator = 0;
	r->st.creator_start_time = 0;
	if (state_save(r->dir, &r->st, err) < 0)
		return -1;
	if (r->pidfd_sock >= 0 && send_pidfd(r, err) < 0)
		return -1;
	if (r->o->pid_file && write_pid_file(r->o->pid_file, r->st.pid, err) < 0)
		return -1;
	/* The init sent the master before READY: it is waiting in the socket. */
	if (r->console_ours >= 0) {
		int master = terminal_recv_master(r->console_ours, err);
		if (master < 0)
			return -1;
		*r->o->terminal_master = master;
	}
	return 0;
}

int container_create(const struct create_opts *o, pid_t *pid, struct hutch_error **err)
{
	if (state_validate_id(o->id, err) < 0)
		return -1;
	struct create_run r = { .o = o, .sock = -1, .console_ours = -1, .rdt_tasks = -1, .pidfd_sock = -1 };
	int rc = create_steps(&r, err);
	if (rc < 0)
		create_abort(&r);
	else if (pid)
		*pid = r.st.pid;
	create_run_release(&r);
	return rc;
}
