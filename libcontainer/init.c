#include "init.h"
#include "caps.h"
#include "cgroup.h"
#include "exe.h"
#include "hooks.h"
#include "intelrdt.h"
#include "lsm.h"
#include "mount.h"
#include "namespaces.h"
#include "net.h"
#include "procfs.h"
#include "process.h"
#include "rootfs.h"
#include "sched.h"
#include "seccomp.h"
#include "sync.h"
#include "sysctl.h"
#include "terminal.h"
#include "utils.h"
#include "../spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct init_ctx {
	int sock;
	int start_sock;   /* create mode: listening; `start` connects */
	int report;       /* where errors go once the parent is gone: start's connection, or exec's sync socket */
	struct spec *spec;
	json_object *boot;
	const char *id, *bundle, *rootfs, *cgroup_path;
	bool no_pivot, no_new_keyring;
	int preserve_fds;
	bool exec_mode;   /* `hutch exec`: join a running container instead of building one */
	int pidfd;        /* exec mode: the container's init */
	bool join_cgroupns; /* exec mode: join its cgroup namespace once placed */
	struct ns_plan plan;
	int *idmap_fds;   /* id-mapped mounts, made before entering the user namespace */
	char *state;      /* state JSON for the container-namespace hooks (pid as seen inside) */
	char *runtime_state; /* the same with the host pid, for the seccomp listener */
	char *exe_path;   /* the resolved process.args[0] */
	struct seccomp_ctx *seccomp;
	pid_t host_pid;   /* exec mode: this process as the runtime sees it (seccomp listener) */
	int console;      /* process.terminal: where the pty master goes (terminal.c) */
	int cgroup_fd;    /* cgroup v2: the container's cgroup, for clone3(CLONE_INTO_CGROUP) */
	bool placed;      /* this process was born in the container's cgroup */
	int proc;         /* hutch's own procfs (procfs.h), closed before the container can run */
	int waiter;       /* forked init stage: the start waiter's image (exe.c), exec'd after READY */
	const int *tasks; /* cgroup v1: the `tasks` files stage two joins by itself */
	size_t n_tasks;
	int mem_own, mem_ctr; /* cgroup v1 memory: where it steps out to for the waiter's exec, and back */
};

static const char *boot_str(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static bool boot_bool(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

/* KEY=VALUE replaces KEY in process.env (getenv(3) finds the first one), or
 * is appended. */
static void env_set(struct spec_process *p, const char *key, const char *value)
{
	size_t klen = strlen(key);
	char *kv = xasprintf("%s=%s", key, value);
	for (size_t i = 0; i < p->n_env; i++) {
		if (strncmp(p->env[i], key, klen) == 0 && p->env[i][klen] == '=') {
			free(p->env[i]);
			p->env[i] = kv;
			return;
		}
	}
	p->env = xrealloc(p->env, sizeof(char *) * (p->n_env + 2));
	p->env[p->n_env++] = kv;
	p->env[p->n_env] = NULL;
}

/* sd_listen_fds(3): the passed sockets are fds 3.., for this pid, which the
 * exec keeps (1 in a new pid namespace, what runc always writes). */
static void init_listen_env(const struct init_ctx *c)
{
	json_object *v;
	if (!json_object_object_get_ex(c->boot, "listenFds", &v))
		return;
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", json_object_get_int(v));
	env_set(c->spec->process, "LISTEN_FDS", buf);
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	env_set(c->spec->process, "LISTEN_PID", buf);
	const char *names = boot_str(c->boot, "listenFdNames");
	if (names)
		env_set(c->spec->process, "LISTEN_FDNAMES", names);
}

#define INHERIT_PTR(p, from, field) \
	do { \
		if ((p)->field == NULL) \
			(p)->field = take_ptr(&(from)->field); \
	} while (0)

/* What a process.json leaves out comes from the container's process, as in
 * runc (newInitConfig): capabilities, rlimits, LSM labels, scheduling; and, as
 * the container's init has them, oomScoreAdj and umask. Not execCPUAffinity:
 * without one the kernel decides (config.md; test 212). */
static void exec_process_inherit(struct spec_process *p, struct spec_process *ctr)
{
	INHERIT_PTR(p, ctr, capabilities);
	INHERIT_PTR(p, ctr, apparmor_profile);
	INHERIT_PTR(p, ctr, selinux_label);
	INHERIT_PTR(p, ctr, scheduler);
	INHERIT_PTR(p, ctr, io_priority);
	if (p->n_rlimits == 0) {
		free(p->rlimits);
		p->rlimits = take_ptr(&ctr->rlimits);
		p->n_rlimits = ctr->n_rlimits;
		ctr->n_rlimits = 0;
	}
	if (!p->has_oom_score_adj) {
		p->has_oom_score_adj = ctr->has_oom_score_adj;
		p->oom_score_adj = ctr->oom_score_adj;
	}
	if (!p->user.has_umask) {
		p->user.has_umask = ctr->user.has_umask;
		p->user.umask = ctr->user.umask;
	}
}

/* exec mode: the process comes from process.json (or the flags), not config.json. */
static int init_exec_process(struct init_ctx *c, int fd, struct hutch_error **err)
{
	cleanup_free char *raw = NULL;
	size_t len;
	if (lseek(fd, 0, SEEK_SET) < 0 || read_all_fd(fd, "process", &raw, &len, err) < 0)
		return -1;
	struct spec_process *p;
	if (spec_parse_process(raw, len, "process.json", &p, err) < 0)
		return -1;
	if (c->spec->process)
		exec_process_inherit(p, c->spec->process);
	spec_process_free(c->spec->process);
	c->spec->process = p;
	return 0;
}

/* The bootstrap options but the fds and the config. */
static void init_boot_options(struct init_ctx *c)
{
	c->id = boot_str(c->boot, "id");
	c->bundle = boot_str(c->boot, "bundle");
	c->rootfs = boot_str(c->boot, "rootfs");
	c->cgroup_path = boot_str(c->boot, "cgroupPath");
	c->no_pivot = boot_bool(c->boot, "noPivot");
	c->no_new_keyring = boot_bool(c->boot, "noNewKeyring");
	json_object *v;
	if (json_object_object_get_ex(c->boot, "preserveFds", &v))
		c->preserve_fds = json_object_get_int(v);
}

static int init_bootstrap(struct init_ctx *c, struct hutch_error **err)
{
	cleanup_sync_msg struct sync_msg m = { 0 };
	if (sync_expect(c->sock, SYNC_BOOTSTRAP, &m, err) < 0)
		return -1;
	c->boot = json_tokener_parse(m.data);
	if (c->boot == NULL)
		return hutch_error_set(err, EPROTO, "sync: bad bootstrap options");
	c->exec_mode = boot_bool(c->boot, "exec");
	/* Then the cgroup fd and the console socket, when there are. */
	size_t base = c->exec_mode ? 3 : 2;
	bool has_cgroup = boot_bool(c->boot, "cgroupFd");
	size_t nfds = base + (has_cgroup ? 1 : 0) + (boot_bool(c->boot, "console") ? 1 : 0);
	if (m.nfds != nfds)
		return hutch_error_set(err, EPROTO, "sync: bootstrap without its fds");
	if (boot_bool(c->boot, "console"))
		c->console = take_fd(&m.fds[nfds - 1]);
	if (has_cgroup)
		c->cgroup_fd = take_fd(&m.fds[base]);
	init_boot_options(c);
	cleanup_free char *raw = NULL;
	size_t len;
	if (lseek(m.fds[0], 0, SEEK_SET) < 0 || read_all_fd(m.fds[0], "config", &raw, &len, err) < 0)
		return -1;
	if (spec_parse(raw, len, "config.json", &c->spec, err) < 0)
		return -1;
	if (c->exec_mode) {
		if (init_exec_process(c, m.fds[1], err) < 0)
			return -1;
		c->pidfd = take_fd(&m.fds[2]);
	} else {
		c->start_sock = take_fd(&m.fds[1]);
	}
	return 0;
}

static int init_user_namespace(struct init_ctx *c, struct hutch_error **err)
{
	if (unshare(CLONE_NEWUSER) < 0)
		return hutch_error_errno(err, "create user namespace");
	cleanup_sync_msg struct sync_msg m = { 0 };
	if (sync_send(c->sock, SYNC_USERMAP_PLS, NULL, 0, NULL, 0, err) < 0 ||
	    sync_expect(c->sock, SYNC_USERMAP_ACK, &m, err) < 0)
		return -1;
	/* Become root of the new namespace, when the maps give it a root. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return hutch_error_errno(err, "become root in the user namespace (is 0 mapped?)");
	return 0;
}

static int init_namespaces(struct init_ctx *c, struct hutch_error **err)
{
	if (spec_find_namespace(c->spec, SPEC_NS_MOUNT) &&
	    mount_idmap_prepare(c->spec, c->bundle, &c->idmap_fds, err) < 0)
		return -1;
	if (ns_plan_open(c->spec, &c->plan, err) < 0 || ns_join_all(&c->plan, err) < 0)
		return -1;
	if (c->plan.new_user && init_user_namespace(c, err) < 0)
		return -1;
	/* The cgroup namespace comes later (init_enter_cgroup): its root is the
	 * cgroup of the unsharing process, which must be the container's. */
	int flags = c->plan.unshare_flags & ~CLONE_NEWCGROUP;
	if (flags && unshare(flags) < 0)
		return hutch_error_errno(err, "create namespaces");
	if ((c->plan.unshare_flags & CLONE_NEWTIME) && ns_write_time_offsets(c->spec->linux_, err) < 0)
		return -1;
	return 0;
}

/* One setns(pidfd, flags) enters every namespace of the container at once;
 * the kernel orders them (user first). */
static int init_exec_join(struct init_ctx *c, struct hutch_error **err)
{
	const struct spec_linux *l = c->spec->linux_;
	int flags = 0;
	memset(&c->plan, 0, sizeof(c->plan));
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		c->plan.join_fds[t] = -1;
	for (size_t i = 0; l && i < l->n_namespaces; i++) {
		flags |= ns_clone_flag(l->namespaces[i].type);
		if (l->namespaces[i].type == SPEC_NS_PID || l->namespaces[i].type == SPEC_NS_TIME)
			c->plan.need_fork = true;
	}
	/* The cgroup namespace waits until the process is in the container's cgroup:
	 * with nsdelegate, clone3(CLONE_INTO_CGROUP) from inside it into a cgroup
	 * that our own cgroup is not below is refused. */
	c->join_cgroupns = (flags & CLONE_NEWCGROUP) != 0;
	flags &= ~CLONE_NEWCGROUP;
	if (flags && setns(c->pidfd, flags) < 0)
		return hutch_error_errno(err, "join the namespaces of container %s", c->id);
	return 0;
}

static int init_exec_join_cgroupns(struct init_ctx *c, struct hutch_error **err)
{
	if (c->join_cgroupns && setns(c->pidfd, CLONE_NEWCGROUP) < 0)
		return hutch_error_errno(err, "join the cgroup namespace of container %s", c->id);
	closep(&c->pidfd);
	return 0;
}

/* "<pid> <placed>": placed 1 when the process was born in the container's
 * cgroup, 0 when the parent must move it there (and ack). */
static int send_pid(int sock, pid_t pid, bool placed, struct hutch_error **err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d %d", (int)pid, placed ? 1 : 0);
	return sync_send(sock, SYNC_PID, buf, (size_t)n, NULL, 0, err);
}

/* clone3(CLONE_INTO_CGROUP) (Linux 5.7): the container's process starts in its
 * cgroup, so nothing of it runs or is charged anywhere else and no cgroup.procs
 * write is needed. It fails where the caller may not write the cgroup (a new
 * user namespace), at pids.max, or on an old kernel: then a plain clone, and
 * the parent moves the child. CLONE_PARENT: the child is the runtime's, so that
 * `run` can wait for it; clone3 wants exit_signal 0 with it. */
static pid_t clone_into_cgroup(int cgroup_fd, bool *placed)
{
	*placed = false;
	if (cgroup_fd >= 0) {
		struct clone_args a;
		memset(&a, 0, sizeof(a));
		a.flags = CLONE_PARENT | CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)cgroup_fd;
		pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
		if (pid >= 0) {
			*placed = true;
			return pid;
		}
	}
	return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* Stage two shares the sync socket with stage one, and when born in its
 * cgroup it waits for no SYNC_PID_ACK: it first waits on `order` until stage
 * one has sent SYNC_PID, else the parent could read its messages (READY even)
 * before the pid and save a state without it. */
static void init_wait_pid_sent(int order[2])
{
	close(order[1]);
	char b;
	ssize_t n;
	do
		n = read(order[0], &b, 1);
	while (n < 0 && errno == EINTR);
	close(order[0]);
	if (n != 1)
		_exit(1);
}

/* Returns 0 in the process that goes on as the container's process. With a
 * cgroup fd (cgroup v2, or the unified hierarchy of a hybrid host) it is always
 * a new child, born in the cgroup; with `tasks` fds it joins the v1
 * hierarchies itself (init_wait_placed). Either way the parent does not move
 * it. */
static int init_fork_if_needed(struct init_ctx *c, struct hutch_error **err)
{
	if (!c->plan.need_fork && c->cgroup_fd < 0) {
		c->placed = c->n_tasks > 0;
		return send_pid(c->sock, getpid(), c->placed, err);
	}
	int order[2];
	if (pipe2(order, O_CLOEXEC) < 0)
		return hutch_error_errno(err, "pipe");
	bool placed;
	pid_t pid = clone_into_cgroup(c->cgroup_fd, &placed);
	if (c->n_tasks > 0 && c->cgroup_fd < 0)
		placed = true;
	if (pid < 0) {
		if (c->cgroup_fd >= 0 && errno == ENOMEM)
			hutch_error_errno(err, "fork the container's process: clone3 into its cgroup failed, "
					  "and a new pid namespace takes no other first process");
		else
			hutch_error_errno(err, "fork the container's process");
		close(order[0]);
		close(order[1]);
		return -1;
	}
	if (pid > 0) {
		int rc = send_pid(c->sock, pid, placed, err);
		if (rc == 0 && write(order[1], "p", 1) != 1)
			rc = -1;
		_exit(rc < 0 ? 1 : 0);
	}
	init_wait_pid_sent(order);
	closep(&c->cgroup_fd);
	c->placed = placed;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	return 0;
}

/* Unless born there, wait until the parent has put this process in the
 * container's cgroup; in create, also until it has moved linux.netDevices
 * into this process's network namespace (container.c on_pid). */
static int init_wait_placed(struct init_ctx *c, struct hutch_error **err)
{
	cleanup_sync_msg struct sync_msg m = { 0 };
	int rc = cgroup_join_self(c->tasks, c->n_tasks, err);
	for (size_t i = 0; i < c->n_tasks; i++)
		close(c->tasks[i]);
	c->n_tasks = 0;
	if (rc < 0)
		return -1;
	if (c->placed && (c->exec_mode || !net_devices_wanted(c->spec)))
		return 0;
	return sync_expect(c->sock, SYNC_PID_ACK, &m, err);
}

static int init_enter_cgroup(struct init_ctx *c, struct hutch_error **err)
{
	if (init_wait_placed(c, err) < 0)
		return -1;
	if ((c->plan.unshare_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return hutch_error_errno(err, "create cgroup namespace");
	return 0;
}

static int init_uts(const struct spec *s, struct hutch_error **err)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return hutch_error_errno(err, "set hostname %s", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return hutch_error_errno(err, "set domainname %s", s->domainname);
	return 0;
}

/* runtime.md: for hooks in the container namespace, pid is "the pid as seen by
 * the container"; status is what the container is while the hook runs. */
static char *state_for_hook(const char *state, const char *status)
{
	cleanup_json json_object *o = json_tokener_parse(state);
	if (o == NULL)
		return xstrdup(state);
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "status", json_object_new_string(status));
	return xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

static int init_hooks_phase(struct init_ctx *c, struct hutch_error **err)
{
	cleanup_sync_msg struct sync_msg m = { 0 };
	if (sync_send(c->sock, SYNC_HOOKS_PLS, NULL, 0, NULL, 0, err) < 0 ||
	    sync_expect(c->sock, SYNC_HOOKS_ACK, &m, err) < 0)
		return -1;
	c->state = state_for_hook(m.data, "created");
	c->runtime_state = take_ptr(&m.data);
	const struct spec_hooks *h = c->spec->hooks;
	if (h && hooks_run(h->create_container, h->n_create_container, "createContainer", c->state, err) < 0)
		return -1;
	return 0;
}

/* Without a mount namespace every mount would land on the host: like runc,
 * hutch then applies no mount of the config and only chroots into root.path. */
static int init_filesystem_shared(struct init_ctx *c, struct hutch_error **err)
{
	if (init_hooks_phase(c, err) < 0)
		return -1;
	if (chroot(c->rootfs) < 0 || chdir("/") < 0)
		return hutch_error_errno(err, "chroot %s", c->rootfs);
	if (c->console >= 0 && c->spec->process)
		return terminal_setup(take_fd(&c->console), c->spec->process, false, err);
	return 0;
}

static int init_filesystem(struct init_ctx *c, struct hutch_error **err)
{
	if (spec_find_namespace(c->spec, SPEC_NS_MOUNT) == NULL)
		return init_filesystem_shared(c, err);
	struct rootfs_ctx rc = {
		.spec = c->spec, .rootfs = c->rootfs, .no_pivot = c->no_pivot,
		.userns = c->plan.new_user || c->plan.join_fds[SPEC_NS_USER] >= 0 ||
			  spec_find_namespace(c->spec, SPEC_NS_USER) != NULL,
		.new_cgroupns = (c->plan.unshare_flags & CLONE_NEWCGROUP) != 0,
		.cgroup_path = c->cgroup_path, .bundle = c->bundle, .rootfs_fd = -1,
		.idmap_fds = c->idmap_fds,
	};
	int r = rootfs_prepare(&rc, err);
	mount_fds_free(take_ptr(&c->idmap_fds), c->spec->n_mounts);
	if (r == 0)
		r = init_hooks_phase(c, err);
	/* Masked and read-only paths before the pivot, while every magic link
	 * (/proc/self/fd/N mount targets) still resolves in the runtime's /proc,
	 * which the container cannot have shaped. */
	if (r == 0)
		r = rootfs_finalize(&rc, err);
	if (r == 0)
		r = rootfs_pivot(&rc, err);
	/* After the pivot: /dev/ptmx is the container's devpts; after finalize:
	 * the console bind cannot expose a path that was to be masked or
	 * read-only (CVE-2025-52565). */
	if (r == 0 && c->console >= 0 && c->spec->process)
		r = terminal_setup(take_fd(&c->console), c->spec->process, true, err);
	if (r == 0)
		r = rootfs_propagate(&rc, err);
	rootfs_ctx_release(&rc);
	return r;
}

static int init_session_keyring(const struct init_ctx *c, struct hutch_error **err)
{
	if (c->no_new_keyring)
		return 0;
	cleanup_free char *name = xasprintf("_ses.%s", c->id);
	const char *label = c->spec->process ? c->spec->process->selinux_label : NULL;
	if (label && label[0] && lsm_set_keyring_label(c->proc, label, err) < 0)
		return -1;
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS)
		return hutch_error_errno(err, "join a new session keyring");
	if (label && label[0] && lsm_set_keyring_label(c->proc, NULL, err) < 0)
		return -1;
	return 0;
}

/* Loading a filter needs no_new_privs or CAP_SYS_ADMIN: without
 * noNewPrivileges it goes in before the capability drop, else right before exec. */
static bool seccomp_late(const struct init_ctx *c)
{
	return c->spec->process && c->spec->process->no_new_privileges;
}

/* What a seccomp listener gets (config-linux.md "The Container Process
 * State"): create: the init, and the state with the status it has while the
 * filter is loaded; exec: this process and the state the parent sent. */
static int listener_state(const struct init_ctx *c, char **state, pid_t *pid, struct hutch_error **err)
{
	cleanup_json json_object *o = NULL;
	json_object *v;
	if (c->exec_mode) {
		if (!json_object_object_get_ex(c->boot, "state", &v))
			return hutch_error_set(err, EPROTO, "sync: exec without the container state");
		o = json_object_get(v);
		*pid = c->host_pid;
	} else {
		o = json_tokener_parse(c->runtime_state ? c->runtime_state : "");
		if (o == NULL || !json_object_object_get_ex(o, "pid", &v))
			return hutch_error_set(err, EPROTO, "sync: no container state for the seccomp listener");
		*pid = (pid_t)json_object_get_int(v);
		json_object_object_add(o, "status", json_object_new_string(seccomp_late(c) ? "created" : "creating"));
	}
	*state = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	return 0;
}

static int init_seccomp_load(const struct init_ctx *c, struct hutch_error **err)
{
	cleanup_free char *state = NULL;
	pid_t pid = 0;
	if (c->seccomp == NULL)
		return 0;
	if (seccomp_wants_state(c->seccomp) && listener_state(c, &state, &pid, err) < 0)
		return -1;
	return seccomp_apply(c->seccomp, state, pid, err);
}

/* Before any namespace of the container: the listener socket is a path of
 * the runtime's mount namespace, to be reached with the runtime's creds. */
static int init_seccomp_prepare(struct init_ctx *c, struct hutch_error **err)
{
	const struct spec_seccomp *sc = c->spec->linux_ ? c->spec->linux_->seccomp : NULL;
	if (sc && seccomp_prepare(sc, &c->seccomp, err) < 0)
		return hutch_error_wrap(err, "seccomp");
	return 0;
}

static int init_process(struct init_ctx *c, struct hutch_error **err)
{
	const struct spec_process *p = c->spec->process;
	if (p == NULL)
		return 0;
	if (process_apply_rlimits(p, err) < 0 || sched_apply(c->spec, err) < 0)
		return -1;
	/* exec mode wrote it before joining the container (init_exec_main) */
	if (!c->exec_mode && process_apply_oom_score_adj(p, c->proc, err) < 0)
		return -1;
	/* Before no_new_privs, which limits the transitions the LSMs allow. */
	if (lsm_apply_exec_labels(c->proc, p, err) < 0)
		return -1;
	if (!seccomp_late(c) && init_seccomp_load(c, err) < 0)
		return -1;
	if (process_apply_identity(p, c->proc, err) < 0)
		return -1;
	if (process_chdir(p, err) < 0)
		return -1;
	return process_find_executable(p, &c->exe_path, err);
}

static int init_container(struct init_ctx *c, struct hutch_error **err)
{
	const struct spec *s = c->spec;
	if ((c->plan.unshare_flags & CLONE_NEWNET) && net_loopback_up(err) < 0)
		return hutch_error_wrap(err, "loopback");
	if (spec_find_namespace(s, SPEC_NS_UTS) && init_uts(s, err) < 0)
		return -1;
	/* Before any mount of the container: "/proc" is still the runtime's. */
	c->proc = procfs_open(err);
	if (c->proc < 0)
		return -1;
	if (init_filesystem(c, err) < 0)
		return -1;
	if (s->linux_ && sysctl_apply(s->linux_, c->proc, err) < 0)
		return -1;
	if (init_session_keyring(c, err) < 0)
		return -1;
	return init_process(c, err);
}

/* After READY the parent is gone: errors go to whoever waits for the exec
 * (`start`, or the parent in exec mode), else to the container's stderr. */
static _Noreturn void init_die(const struct init_ctx *c, struct hutch_error *e)
{
	if (c->report >= 0)
		sync_send_error(c->report, e);
	else
		fprintf(stderr, "hutch init: %s\n", e && e->msg ? e->msg : "unknown error");
	_exit(127);
}

/* A `start` killed (or any process that connects and goes away) before its
 * SYNC_START must not end the container: it stays created for the next start. */
static int wait_for_start(struct init_ctx *c, struct hutch_error **err)
{
	for (;;) {
		int conn = accept4(c->start_sock, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0 && errno == EINTR)
			continue;
		if (conn < 0)
			return hutch_error_errno(err, "wait for start");
		cleanup_sync_msg struct sync_msg m = { 0 };
		if (sync_recv_or_eof(conn, &m, NULL) == 0 && m.type == SYNC_START) {
			closep(&c->start_sock);
			c->report = conn;
			return 0;
		}
		close(conn);
	}
}

static _Noreturn void init_exec_now(struct init_ctx *c)
{
	cleanup_error struct hutch_error *err = NULL;
	init_listen_env(c);
	/* Before a late filter, which may not allow sched_setaffinity. */
	if (c->exec_mode && sched_apply_final(c->spec, &err) < 0)
		init_die(c, err);
	if (seccomp_late(c) && init_seccomp_load(c, &err) < 0)
		init_die(c, err);
	/* CVE-2024-21626: nothing of hutch's reaches the container past the
	 * preserved fds, but the close-on-exec socket that reports a failed exec. */
	close_fds_except(3 + c->preserve_fds, c->report);
	process_exec(c->spec->process, c->exe_path, &err);
	init_die(c, err);
}

/* The forked init stage is hutch's binary: it waits for start as the sealed
 * start waiter (waiter.c), which loads a late filter itself. */
static int init_exec_waiter(struct init_ctx *c, struct hutch_error **err)
{
	static char *const empty_env[] = { NULL };
	/* LISTEN_PID: this pid, which the waiter and the process keep. */
	init_listen_env(c);
	const struct spec_process *p = c->spec->process;
	struct exe_waiter w = { .image = c->waiter, .ready = c->sock, .listen = c->start_sock, .filter = -1, .path = c->exe_path,
				.argv = p->args, .envp = p->env ? p->env : empty_env,
				.preserve_fds = c->preserve_fds, .cgroup_out = c->mem_own, .cgroup_in = c->mem_ctr };
	cleanup_close int filter = -1;
	if (c->seccomp && seccomp_late(c)) {
		filter = seccomp_export_sealed(c->seccomp, &w.filter_flags, &w.filter_len, err);
		if (filter < 0)
			return -1;
		w.filter = filter;
	}
	return exe_exec_waiter(&w, err);
}

static _Noreturn void init_run(struct init_ctx *c)
{
	cleanup_error struct hutch_error *err = NULL;
	if (c->spec->process == NULL)
		init_die(c, NULL);
	if (c->waiter >= 0) {
		/* create waits for the waiter's READY: it gets the error. */
		c->report = c->sock;
		init_exec_waiter(c, &err);
		init_die(c, err);
	}
	if (wait_for_start(c, &err) < 0)
		init_die(c, err);
	const struct spec_hooks *h = c->spec->hooks;
	if (h && h->n_start_container) {
		cleanup_free char *state = state_for_hook(c->state, "created");
		if (hooks_run(h->start_container, h->n_start_container, "startContainer", state, &err) < 0)
			init_die(c, err);
	}
	init_exec_now(c);
}

/* The container's resctrl group: "0" is the writer itself, and the process
 * forked into the container inherits it. */
static int init_exec_intelrdt(const struct init_ctx *c, struct hutch_error **err)
{
	const struct spec_intel_rdt *rdt = c->spec->linux_ ? c->spec->linux_->intel_rdt : NULL;
	cleanup_close int tasks = -1;
	if (rdt == NULL)
		return 0;
	if (intelrdt_open_tasks(rdt, c->id, &tasks, err) < 0 || intelrdt_enter(tasks, 0, err) < 0)
		return -1;
	return 0;
}

/* exec mode, in the runtime's namespaces: the seccomp listener, hutch's
 * procfs (the host's, the only one at hand), and oomScoreAdj with the
 * runtime's credentials (the process is not dumpable: its /proc files belong
 * to the host's root, which a user namespace of the container cannot write). */
static int init_exec_host_side(struct init_ctx *c, struct hutch_error **err)
{
	/* The container's processes share our pid namespace from setns on; not
	 * dumpable, they can neither ptrace us nor reach our fds (the host's
	 * /proc) through /proc/<pid>/fd. execve makes the process dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return hutch_error_errno(err, "prctl PR_SET_DUMPABLE");
	c->proc = procfs_open_mounted(err);
	if (c->proc < 0 || init_seccomp_prepare(c, err) < 0)
		return -1;
	if (process_apply_oom_score_adj(c->spec->process, c->proc, err) < 0)
		return -1;
	if (init_exec_intelrdt(c, err) < 0)
		return -1;
	return sched_apply_affinity_initial(c->spec, err);
}

/* exec mode: namespaces, then the process; the sync socket closes on exec,
 * which tells the parent that it worked. */
static _Noreturn void init_exec_main(struct init_ctx *c)
{
	cleanup_error struct hutch_error *err = NULL;
	if (init_exec_host_side(c, &err) < 0 || init_exec_join(c, &err) < 0 || init_fork_if_needed(c, &err) < 0 ||
	    init_wait_placed(c, &err) < 0 || init_exec_join_cgroupns(c, &err) < 0 ||
	    (seccomp_wants_state(c->seccomp) && procfs_self_pid(c->proc, &c->host_pid, &err) < 0) ||
	    (c->console >= 0 && terminal_setup(take_fd(&c->console), c->spec->process, false, &err) < 0) ||
	    init_process(c, &err) < 0) {
		sync_send_error(c->sock, err);
		_exit(1);
	}
	closep(&c->proc);
	prctl(PR_SET_PDEATHSIG, 0);
	c->report = c->sock;
	init_exec_now(c);
}

/* create: stage one (namespaces), then stage two builds the container. */
static _Noreturn void init_create_main(struct init_ctx *c)
{
	cleanup_error struct hutch_error *err = NULL;
	if (init_seccomp_prepare(c, &err) < 0 || init_namespaces(c, &err) < 0 ||
	    init_fork_if_needed(c, &err) < 0 || init_enter_cgroup(c, &err) < 0 || init_container(c, &err) < 0) {
		sync_send_error(c->sock, err);
		_exit(1);
	}
	/* Nothing of hutch's procfs is left once the container can run. */
	closep(&c->proc);
	prctl(PR_SET_PDEATHSIG, 0);
	/* The forked init: READY comes from the start waiter (init_exec_waiter). */
	if (c->waiter < 0) {
		if (sync_send(c->sock, SYNC_READY, NULL, 0, NULL, 0, &err) < 0)
			_exit(1);
		closep(&c->sock);
	}
	init_run(c);
}

static int init_parent_check(void)
{
	long long parent;
	const char *p = getenv("_HUTCH_PARENT");
	if (p == NULL || parse_int64(p, &parent) < 0)
		return -1;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The parent may have died before PDEATHSIG was armed. */
	return getppid() == (pid_t)parent ? 0 : -1;
}

int init_stage_main(void)
{
	long long fd;
	const char *s = getenv("_HUTCH_SYNC_FD");
	if (s == NULL || parse_int64(s, &fd) < 0 || fd < 3) {
		fprintf(stderr, "hutch init: not to be run by hand\n");
		return 1;
	}
	if (init_parent_check() < 0)
		_exit(1);
	unsetenv("_HUTCH_SYNC_FD");
	unsetenv("_HUTCH_PARENT");
	fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	struct init_ctx c = { .sock = (int)fd, .start_sock = -1, .report = -1, .pidfd = -1, .console = -1,
				.cgroup_fd = -1, .proc = -1, .waiter = -1, .mem_own = -1, .mem_ctr = -1 };
	cleanup_error struct hutch_error *err = NULL;
	if (init_bootstrap(&c, &err) < 0) {
		sync_send_error(c.sock, err);
		_exit(1);
	}
	if (c.exec_mode)
		init_exec_main(&c);
	init_create_main(&c);
}

_Noreturn void init_stage_forked(const struct init_fork *f)
{
	struct init_ctx c = { .sock = f->sock, .start_sock = f->start_sock, .report = -1, .pidfd = -1,
			      .console = f->console, .cgroup_fd = f->cgroup_fd, .proc = -1, .waiter = f->waiter,
			      .tasks = f->tasks, .n_tasks = f->n_tasks, .mem_own = f->mem_own,
			      .mem_ctr = f->mem_ctr, .spec = f->spec, .boot = json_tokener_parse(f->boot) };
	if (c.boot == NULL)
		_exit(1);
	init_boot_options(&c);
	init_create_main(&c);
}
