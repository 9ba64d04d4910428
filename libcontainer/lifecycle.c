/* start, kill, delete and state of an existing container, each under the
 * container's lock. */
#include "container.h"
#include "cgroup.h"
#include "hooks.h"
#include "intelrdt.h"
#include "state.h"
#include "sync.h"
#include "utils.h"
#include "../spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

struct opened {
	struct state_dir *dir;
	struct container_state *st;
	enum container_status status;
};

static void opened_release(struct opened *o)
{
	container_state_free(o->st);
	state_dir_free(o->dir);
}
#define cleanup_opened __attribute__((cleanup(opened_release)))

/* Keep `e` in *err, or drop it when the caller does not want it. */
static int pass_error(struct hutch_error **err, struct hutch_error **e)
{
	if (err && *err == NULL)
		*err = take_ptr(e);
	hutch_error_freep(e);
	return -1;
}

static int open_container(const char *root, const char *id, bool exclusive, struct opened *o,
			  struct hutch_error **err)
{
	if (state_dir_open(root, id, exclusive, &o->dir, err) < 0)
		return -1;
	if (state_load(o->dir, &o->st, err) < 0)
		return -1;
	o->status = state_status(o->dir, o->st);
	return 0;
}

static int load_saved_spec(const struct opened *o, struct spec **out, struct hutch_error **err)
{
	cleanup_free char *raw = NULL;
	size_t len;
	if (read_file_at(o->dir->fd, STATE_CONFIG, &raw, &len, err) < 0)
		return -1;
	return spec_parse(raw, len, "config.json", out, err);
}

static char *state_text(const struct container_state *st, enum container_status status)
{
	cleanup_json json_object *j = state_to_oci_json(st, status);
	return xstrdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
}

/* A pidfd pins the process: a signal can no longer reach a recycled pid. */
static int pidfd_for(const struct container_state *st, struct hutch_error **err)
{
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return hutch_error_errno(err, "container %s: open its init (pid %d)", st->id, (int)st->pid);
	if (proc_start_time(st->pid) != st->start_time) {
		close(fd);
		return hutch_error_set(err, ESRCH, "container %s is not running", st->id);
	}
	return fd;
}

static int signal_init(const struct container_state *st, int sig, struct hutch_error **err)
{
	cleanup_close int pfd = pidfd_for(st, err);
	if (pfd < 0)
		return -1;
	if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0)
		return hutch_error_errno(err, "container %s: send signal %d", st->id, sig);
	return 0;
}

/* A task frozen by the v1 freezer keeps a SIGKILL pending until it thaws: a
 * paused container that is killed is thawed (runc does the same). */
static int thaw_if_paused(const struct opened *o, struct hutch_error **err)
{
	if (o->status != STATUS_PAUSED)
		return 0;
	cleanup_cgroup struct cgroup *cg = NULL;
	if (cgroup_open(o->st->cgroup_path, &cg, err) < 0)
		return -1;
	return cgroup_freeze(cg, false, err);
}

static int stop_container(struct opened *o, struct hutch_error **err)
{
	cleanup_close int pfd = pidfd_for(o->st, NULL);
	if (pfd >= 0 && syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return hutch_error_errno(err, "container %s: kill", o->st->id);
	if (thaw_if_paused(o, err) < 0)
		return -1;
	/* Wait until it is gone (reaped by whoever is its parent, or a zombie). */
	for (int i = 0; pfd >= 0 && i < 1000; i++) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		if (poll(&p, 1, 10) > 0)
			break;
	}
	return 0;
}

static void run_poststop(const struct opened *o, struct spec *s)
{
	if (s == NULL || s->hooks == NULL || s->hooks->n_poststop == 0)
		return;
	cleanup_free char *state = state_text(o->st, STATUS_STOPPED);
	hooks_run_warn(s->hooks->poststop, s->hooks->n_poststop, "poststop", state);
}

/* runtime.md lifecycle step 12 and 13: undo create, then poststop hooks. */
static int destroy(struct opened *o, struct hutch_error **err)
{
	cleanup_spec struct spec *s = NULL;
	cleanup_error struct hutch_error *spec_err = NULL;
	load_saved_spec(o, &s, &spec_err);
	if (o->st->cgroup_path && *o->st->cgroup_path) {
		cleanup_cgroup struct cgroup *cg = NULL;
		if (cgroup_open(o->st->cgroup_path, &cg, NULL) == 0 && cgroup_destroy(cg, err) < 0)
			return -1;
	}
	const struct spec_intel_rdt *rdt = s && s->linux_ ? s->linux_->intel_rdt : NULL;
	if (rdt && intelrdt_remove(rdt, o->st->id, err) < 0)
		return -1;
	if (o->st->systemd_unit && cgroup_systemd_stop(o->st->systemd_unit, o->st->cgroup_path, err) < 0)
		return -1;
	if (state_dir_remove(o->dir, err) < 0)
		return -1;
	run_poststop(o, s);
	return 0;
}

static int start_poststart(struct opened *o, const struct spec *s, struct hutch_error **err)
{
	if (s->hooks == NULL || s->hooks->n_poststart == 0)
		return 0;
	cleanup_free char *state = state_text(o->st, STATUS_RUNNING);
	if (hooks_run(s->hooks->poststart, s->hooks->n_poststart, "poststart", state, err) == 0)
		return 0;
	/* runtime.md step 9: a failed poststart hook stops the container (step 12). */
	stop_container(o, NULL);
	destroy(o, NULL);
	return -1;
}


int container_start(const char *root, const char *id, struct hutch_error **err)
{
	cleanup_opened struct opened o = { 0 };
	if (open_container(root, id, true, &o, err) < 0)
		return -1;
	if (o.status != STATUS_CREATED)
		return hutch_error_set(err, EINVAL, "cannot start container %s: status is %s, not created", id,
				       state_status_name(o.status));
	cleanup_spec struct spec *s = NULL;
	if (load_saved_spec(&o, &s, err) < 0)
		return -1;
	if (s->process == NULL)
		return hutch_error_set(err, EINVAL, "container %s: cannot start: config.json has no process", id);
	cleanup_close int fd = state_exec_connect(o.dir, err);
	if (fd < 0 || sync_send(fd, SYNC_START, NULL, 0, NULL, 0, err) < 0)
		return -1;
	/* The init runs startContainer hooks and execs: EOF (the socket is
	 * close-on-exec) means the program runs, a message is the init's error. */
	cleanup_sync_msg struct sync_msg m = { 0 };
	int rc = sync_recv_or_eof(fd, &m, err);
	unlinkat(o.dir->fd, STATE_EXEC_SOCK, 0);
	if (rc == 0) {
		hutch_error_set(err, 0, "start container %s: %s", id, m.type == SYNC_ERROR ? m.data : "protocol error");
		/* runtime.md step 7: stop the container and continue at step 12. */
		stop_container(&o, NULL);
		destroy(&o, NULL);
		return -1;
	}
	if (rc < 0)
		return -1;
	return start_poststart(&o, s, err);
}

int container_kill(const char *root, const char *id, int sig, bool all, struct hutch_error **err)
{
	cleanup_opened struct opened o = { 0 };
	if (open_container(root, id, true, &o, err) < 0)
		return -1;
	if (o.status != STATUS_CREATED && o.status != STATUS_RUNNING && o.status != STATUS_PAUSED)
		return hutch_error_set(err, EINVAL, "cannot kill container %s: status is %s", id,
				       state_status_name(o.status));
	if (all && (o.st->cgroup_path == NULL || *o.st->cgroup_path == '\0'))
		return hutch_error_set(err, ENOTSUP, "kill --all: container %s has no cgroup to find its processes in", id);
	if (all) {
		cleanup_cgroup struct cgroup *cg = NULL;
		if (cgroup_open(o.st->cgroup_path, &cg, err) < 0 || cgroup_kill_all(cg, sig, err) < 0)
			return -1;
	} else if (signal_init(o.st, sig, err) < 0) {
		return -1;
	}
	return sig == SIGKILL ? thaw_if_paused(&o, err) : 0;
}

int container_delete(const char *root, const char *id, bool force, struct hutch_error **err)
{
	cleanup_opened struct opened o = { 0 };
	if (state_dir_open(root, id, true, &o.dir, err) < 0)
		return -1;
	cleanup_error struct hutch_error *e = NULL;
	if (state_load(o.dir, &o.st, &e) < 0) {
		/* A create killed before its first state.json (or a delete killed
		 * half way): nothing else exists yet, the cgroup comes after. */
		if (e->errnum == ENOENT)
			return state_dir_remove(o.dir, err);
		return pass_error(err, &e);
	}
	o.status = state_status(o.dir, o.st);
	if (o.status != STATUS_STOPPED) {
		if (!force)
			return hutch_error_set(err, EINVAL, "cannot delete container %s that is not stopped: "
					       "status is %s", id, state_status_name(o.status));
		if (stop_container(&o, err) < 0)
			return -1;
	}
	return destroy(&o, err);
}

int container_state(const char *root, const char *id, json_object **out, struct hutch_error **err)
{
	cleanup_opened struct opened o = { 0 };
	bool busy;
	if (state_dir_open_reader(root, id, &o.dir, &busy, err) < 0)
		return -1;
	cleanup_error struct hutch_error *e = NULL;
	if (state_load(o.dir, &o.st, &e) < 0) {
		/* Between a create's mkdir and its first state.json, or a delete
		 * removing the files: there is no container (yet, or any more). */
		if (e->errnum == ENOENT)
			return hutch_error_set(err, ENOENT, "container %s does not exist", id);
		return pass_error(err, &e);
	}
	*out = state_to_oci_json(o.st, state_status(o.dir, o.st));
	return 0;
}

int container_cgroup_path(const char *root, const char *id, char **out, struct hutch_error **err)
{
	cleanup_opened struct opened o = { 0 };
	if (open_container(root, id, false, &o, err) < 0)
		return -1;
	if (o.st->cgroup_path == NULL || *o.st->cgroup_path == '\0')
		return hutch_error_set(err, ENOENT, "container %s has no cgroup", id);
	*out = xstrdup(o.st->cgroup_path);
	return 0;
}
