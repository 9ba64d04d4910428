/* `exec`, the parent side: spawn the init stage in exec mode, place it in the
 * container's cgroup, hand it the config, the process and a pidfd of the
 * container's init; EOF on the sync socket means the process was exec'd. */
#include "container.h"
#include "cgroup.h"
#include "cgroup_sub.h"
#include "exe.h"
#include "lsm.h"
#include "process.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "utils.h"
#include "../spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct exec_run {
	const struct exec_opts *o;
	struct state_dir *dir;
	struct container_state *st;
	char *config;
	size_t config_len;
	int pidfd;
	int sock;
	pid_t child;
	pid_t pid;
	bool terminal;
	int console_ours;   /* foreground terminal: our end of the console socketpair */
	struct cgroup *cg;  /* the container's, NULL when it has none */
	int pidfd_sock;     /* --pidfd-socket, connected */
	enum container_status status; /* as read under the lock */
};

static void exec_run_release(struct exec_run *r)
{
	cgroup_free(r->cg);
	container_state_free(r->st);
	state_dir_free(r->dir);
	free(r->config);
	closep(&r->pidfd);
	closep(&r->sock);
	closep(&r->console_ours);
	closep(&r->pidfd_sock);
}

static int exec_check(struct exec_run *r, struct hutch_error **err)
{
	const struct exec_opts *o = r->o;
	if (state_dir_open(o->root, o->id, false, &r->dir, err) < 0 || state_load(r->dir, &r->st, err) < 0)
		return -1;
	enum container_status st = r->status = state_status(r->dir, r->st);
	if (st == STATUS_PAUSED && !o->ignore_paused)
		return hutch_error_set(err, EINVAL, "cannot exec in container %s: it is paused", o->id);
	if (st != STATUS_CREATED && st != STATUS_RUNNING && st != STATUS_PAUSED)
		return hutch_error_set(err, EINVAL, "cannot exec in container %s: status is %s", o->id,
				       state_status_name(st));
	/* Validate the process here, so that its errors name process.json. */
	cleanup_spec_process struct spec_process *p = NULL;
	if (spec_parse_process(o->process_json, strlen(o->process_json), "process.json", &p, err) < 0)
		return -1;
	r->terminal = p->terminal;
	if (lsm_validate_process(p, err) < 0 || process_validate(p, err) < 0)
		return -1;
	if (r->terminal && o->console_socket == NULL && o->terminal_master == NULL)
		return hutch_error_set(err, 0, "exec: process.terminal: cannot allocate a terminal "
				       "without --console-socket");
	if (!r->terminal && o->console_socket)
		return hutch_error_set(err, 0, "exec --console-socket: process.terminal is false: "
				       "there is no terminal to send");
	if (read_file_at(r->dir->fd, STATE_CONFIG, &r->config, &r->config_len, err) < 0)
		return -1;
	r->pidfd = (int)syscall(SYS_pidfd_open, r->st->pid, 0);
	if (r->pidfd < 0 || proc_start_time(r->st->pid) != r->st->start_time)
		return hutch_error_set(err, ESRCH, "cannot exec in container %s: its init is gone", o->id);
	if (r->st->cgroup_path && *r->st->cgroup_path &&
	    (cgroup_open(r->st->cgroup_path, &r->cg, err) < 0 ||
	     /* --cgroup names sub-cgroups of the container's own cgroup */
	     (o->n_cgroup_subs == 0 && cgroup_follow_process(&r->cg, r->st->pid, err) < 0)))
		return -1;
	if (o->pidfd_socket) {
		r->pidfd_sock = unix_connect(o->pidfd_socket, "--pidfd-socket", err);
		if (r->pidfd_sock < 0)
			return -1;
	}
	/* Held until the process runs, so that a delete or kill waits for it, but
	 * not in a paused container (--ignore-paused): there the init stage freezes
	 * as it enters the cgroup, until a `resume` that needs the lock. */
	if (st == STATUS_PAUSED)
		state_dir_free(take_ptr(&r->dir));
	return 0;
}

static int exec_spawn(struct exec_run *r, struct hutch_error **err)
{
	cleanup_close int cfg = memfd_with_data("config.json", r->config, r->config_len, err);
	cleanup_close int proc = cfg < 0 ? -1 : memfd_with_data("process.json", r->o->process_json,
							    strlen(r->o->process_json), err);
	cleanup_close int exe = proc < 0 ? -1 : exe_sealed_copy(err);
	if (exe < 0)
		return -1;
	cleanup_close int console = -1;
	if (r->terminal && r->o->console_socket)
		console = terminal_connect_socket(r->o->console_socket, err);
	else if (r->terminal && terminal_socketpair(&r->console_ours, &console, err) < 0)
		return -1;
	if (r->terminal && console < 0)
		return -1;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return hutch_error_errno(err, "socketpair");
	r->sock = sv[0];
	cleanup_close int child_sock = sv[1];
	if (exe_spawn_init(exe, child_sock, r->o->preserve_fds, &r->child, err) < 0)
		return -1;
	/* Only the process itself enters the cgroup (born there on cgroup v2, but
	 * for --cgroup: exec_place writes the sub-cgroups). */
	int cgfd = r->o->n_cgroup_subs ? -1 : cgroup_clone_fd(r->cg);
	cleanup_json json_object *boot = json_object_new_object();
	json_object_object_add(boot, "exec", json_object_new_boolean(true));
	json_object_object_add(boot, "id", json_object_new_string(r->o->id));
	json_object_object_add(boot, "preserveFds", json_object_new_int(r->o->preserve_fds));
	if (r->o->listen_fds > 0)
		json_object_object_add(boot, "listenFds", json_object_new_int(r->o->listen_fds));
	if (r->o->listen_fdnames)
		json_object_object_add(boot, "listenFdNames", json_object_new_string(r->o->listen_fdnames));
	json_object_object_add(boot, "console", json_object_new_boolean(r->terminal));
	json_object_object_add(boot, "cgroupFd", json_object_new_boolean(cgfd >= 0));
	/* For a seccomp listener: "the state of the container" (config-linux.md). */
	json_object_object_add(boot, "state", state_to_oci_json(r->st, r->status));
	const char *txt = json_object_to_json_string_ext(boot, JSON_C_TO_STRING_PLAIN);
	int fds[5] = { cfg, proc, r->pidfd };
	size_t n = 3;
	if (cgfd >= 0)
		fds[n++] = cgfd;
	if (r->terminal)
		fds[n++] = console;
	return sync_send(r->sock, SYNC_BOOTSTRAP, txt, strlen(txt), fds, n, err);
}

/* The process was not born in the cgroup: move it there (or into the
 * --cgroup sub-cgroups), then let it go on. */
static int exec_place(struct exec_run *r, struct hutch_error **err)
{
	const struct exec_opts *o = r->o;
	if (r->cg && o->n_cgroup_subs && cgroup_enter_sub(r->cg, o->cgroup_subs, o->n_cgroup_subs, r->pid, err) < 0)
		return -1;
	if (r->cg && !o->n_cgroup_subs && cgroup_enter(r->cg, r->pid, err) < 0)
		return -1;
	return sync_send(r->sock, SYNC_PID_ACK, NULL, 0, NULL, 0, err);
}

/* runc's --pidfd-socket: one message, payload "setns" for an exec'd process,
 * a pidfd of it by SCM_RIGHTS. */
static int exec_send_pidfd(struct exec_run *r, struct hutch_error **err)
{
	cleanup_close int fd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	if (fd < 0)
		return hutch_error_errno(err, "--pidfd-socket: pidfd_open %d", (int)r->pid);
	if (unix_send_fd(r->pidfd_sock, "setns", fd, err) < 0)
		return hutch_error_wrap(err, "--pidfd-socket %s", r->o->pidfd_socket);
	return 0;
}

static int exec_wait_started(struct exec_run *r, struct hutch_error **err)
{
	for (;;) {
		cleanup_sync_msg struct sync_msg m = { 0 };
		int rc = sync_recv_or_eof(r->sock, &m, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return r->pid > 0 ? 0 : hutch_error_set(err, 0, "exec: init stage exited before finishing");
		if (m.type == SYNC_ERROR)
			return hutch_error_set(err, 0, "%s", m.data);
		bool placed;
		if (m.type != SYNC_PID)
			return hutch_error_set(err, EPROTO, "sync: unexpected %s", sync_type_name(m.type));
		if (sync_parse_pid(&m, &r->pid, &placed, err) < 0)
			return -1;
		if (r->pid != r->child) {
			while (waitpid(r->child, NULL, 0) < 0 && errno == EINTR)
				;
			r->child = 0;
		}
		if (!placed && exec_place(r, err) < 0)
			return -1;
	}
}

static void exec_abort(struct exec_run *r)
{
	pid_t pids[2] = { r->pid, r->child };
	for (size_t i = 0; i < 2; i++) {
		if (pids[i] <= 0 || (i == 1 && pids[i] == pids[0]))
			continue;
		kill(pids[i], SIGKILL);
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
}

int container_exec(const struct exec_opts *o, pid_t *pid, struct hutch_error **err)
{
	struct exec_run r = { .o = o, .pidfd = -1, .sock = -1, .console_ours = -1, .pidfd_sock = -1 };
	int rc = exec_check(&r, err);
	if (rc == 0)
		rc = exec_spawn(&r, err);
	if (rc == 0)
		rc = exec_wait_started(&r, err);
	/* The init sent the master before exec'ing: it is waiting in the socket. */
	if (rc == 0 && r.console_ours >= 0) {
		int master = terminal_recv_master(r.console_ours, err);
		rc = master < 0 ? -1 : 0;
		if (rc == 0)
			*o->terminal_master = master;
	}
	if (rc == 0 && r.pidfd_sock >= 0)
		rc = exec_send_pidfd(&r, err);
	if (rc == 0 && o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d", (int)r.pid);
		rc = write_file_atomic_at(AT_FDCWD, o->pid_file, buf, (size_t)n, 0644, err);
	}
	if (rc < 0)
		exec_abort(&r);
	else
		*pid = r.pid;
	exec_run_release(&r);
	return rc;
}

int container_saved_process(const char *root, const char *id, json_object **out, struct hutch_error **err)
{
	cleanup_state_dir struct state_dir *d = NULL;
	if (state_dir_open(root, id, false, &d, err) < 0)
		return -1;
	cleanup_free char *raw = NULL;
	if (read_file_at(d->fd, STATE_CONFIG, &raw, NULL, err) < 0)
		return -1;
	cleanup_json json_object *cfg = json_tokener_parse(raw);
	json_object *p;
	if (cfg == NULL || !json_object_object_get_ex(cfg, "process", &p))
		return hutch_error_set(err, EINVAL, "container %s: saved config.json has no process", id);
	*out = json_object_get(p);
	return 0;
}
