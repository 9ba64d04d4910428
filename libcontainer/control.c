/* pause, resume, update and events: the commands that act on a live
 * container's cgroup. Each takes the container's lock while it looks at the
 * state; events lets go of it before it starts streaming. */
#include "control.h"
#include "cgroup.h"
#include "state.h"
#include "utils.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

struct live {
	struct state_dir *dir;
	struct container_state *st;
	enum container_status status;
	struct cgroup *cg;
};

static void live_release(struct live *l)
{
	cgroup_free(l->cg);
	container_state_free(l->st);
	state_dir_free(l->dir);
}
#define cleanup_live __attribute__((cleanup(live_release)))

/* Lock the container, load its state and open its cgroup; `what` names the
 * command in the error for a stopped container. */
static int live_open(const char *root, const char *id, bool exclusive, const char *what,
		     struct live *l, struct hutch_error **err)
{
	if (state_dir_open(root, id, exclusive, &l->dir, err) < 0 || state_load(l->dir, &l->st, err) < 0)
		return -1;
	l->status = state_status(l->dir, l->st);
	if (l->status == STATUS_STOPPED || l->status == STATUS_CREATING)
		return hutch_error_set(err, EINVAL, "cannot %s container %s: status is %s", what, id,
				       state_status_name(l->status));
	if (l->st->cgroup_path == NULL || *l->st->cgroup_path == '\0')
		return hutch_error_set(err, ENOENT, "cannot %s container %s: it has no cgroup", what, id);
	if (cgroup_open(l->st->cgroup_path, &l->cg, err) < 0)
		return hutch_error_wrap(err, "container %s", id);
	return 0;
}

int container_pause(const char *root, const char *id, struct hutch_error **err)
{
	cleanup_live struct live l = { 0 };
	if (live_open(root, id, true, "pause", &l, err) < 0)
		return -1;
	/* runc: only a created or running container can be paused. */
	if (l.status == STATUS_PAUSED)
		return hutch_error_set(err, EINVAL, "cannot pause container %s: it is already paused", id);
	return cgroup_freeze(l.cg, true, err);
}

int container_resume(const char *root, const char *id, struct hutch_error **err)
{
	cleanup_live struct live l = { 0 };
	if (live_open(root, id, true, "resume", &l, err) < 0)
		return -1;
	if (l.status != STATUS_PAUSED)
		return hutch_error_set(err, EINVAL, "cannot resume container %s: it is not paused (status is %s)",
				       id, state_status_name(l.status));
	return cgroup_freeze(l.cg, false, err);
}

int container_update(const char *root, const char *id, const struct spec_resources *res,
		     struct hutch_error **err)
{
	cleanup_live struct live l = { 0 };
	if (live_open(root, id, true, "update", &l, err) < 0)
		return -1;
	/* runc tells systemd first: its unit's properties would otherwise win later. */
	if (l.st->systemd_unit && res && cgroup_systemd_update(l.st->systemd_unit, res, err) < 0)
		return -1;
	return cgroup_update(l.cg, res, err);
}

/* ---- events ---- */

static json_object *event_new(const char *type, const char *id, json_object *data)
{
	json_object *e = json_object_new_object();
	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "id", json_object_new_string(id));
	if (data)
		json_object_object_add(e, "data", data);
	return e;
}

static int emit_stats(struct cgroup *cg, const char *id, events_emit_fn emit, void *arg,
		      struct hutch_error **err)
{
	json_object *data = NULL;
	if (cgroup_stats(cg, &data, err) < 0)
		return -1;
	cleanup_json json_object *e = event_new("stats", id, data);
	return emit(e, arg, err);
}

/* Report pending OOM events; *gone when the cgroup went away. */
static int drain_oom(struct cgroup_oom *oom, const char *id, events_emit_fn emit, void *arg,
		     bool *gone, struct hutch_error **err)
{
	unsigned n = 0;
	if (oom == NULL)
		return 0;
	if (cgroup_oom_read(oom, &n, gone, err) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		cleanup_json json_object *e = event_new("oom", id, NULL);
		if (emit(e, arg, err) < 0)
			return -1;
	}
	return 0;
}

static int events_loop(struct cgroup *cg, const char *id, unsigned long interval_ms,
		       events_emit_fn emit, void *arg, struct hutch_error **err)
{
	cleanup_cgroup_oom struct cgroup_oom *oom = NULL;
	if (cgroup_oom_open(cg, &oom, err) < 0)
		return -1;
	unsigned long long interval = (unsigned long long)interval_ms * 1000000ULL;
	unsigned long long next = now_ns() + interval;
	for (bool gone = false; !gone;) {
		unsigned long long now = now_ns();
		struct pollfd p = { .fd = cgroup_oom_fd(oom), .events = POLLIN };
		int timeout = next > now ? (int)((next - now + 999999) / 1000000) : 0;
		int r = poll(&p, p.fd >= 0 ? 1 : 0, timeout);
		if (r < 0 && errno != EINTR)
			return hutch_error_errno(err, "poll");
		if (r > 0 && drain_oom(oom, id, emit, arg, &gone, err) < 0)
			return -1;
		if (gone || now_ns() < next)
			continue;
		next += interval;
		/* The container is over when its cgroup is removed or empty. */
		if (!cgroup_is_populated(cg))
			break;
		if (emit_stats(cg, id, emit, arg, err) < 0)
			return -1;
	}
	bool gone;
	return drain_oom(oom, id, emit, arg, &gone, err);
}

int container_events(const char *root, const char *id, const struct events_opts *o,
		     events_emit_fn emit, void *arg, struct hutch_error **err)
{
	if (!o->stats_once && o->interval_ms == 0)
		return hutch_error_set(err, EINVAL, "events --interval: must be greater than 0");
	cleanup_cgroup struct cgroup *cg = NULL;
	{
		cleanup_live struct live l = { 0 };
		if (live_open(root, id, false, "get events of", &l, err) < 0)
			return -1;
		cg = take_ptr(&l.cg);
	}
	if (o->stats_once)
		return emit_stats(cg, id, emit, arg, err);
	return events_loop(cg, id, o->interval_ms, emit, arg, err);
}
