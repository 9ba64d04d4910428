/* The commands that act on a live container's cgroup: pause, resume, update and
 * events (runc's pause.go, resume.go, update.go, events.go). */
#ifndef HUTCH_CONTROL_H
#define HUTCH_CONTROL_H

#include <stdbool.h>
#include <json-c/json.h>
#include "error.h"
#include "../spec/spec.h"

/* Freeze every process of a created or running container; it is "paused" until
 * resumed. */
int container_pause(const char *root, const char *id, struct hutch_error **err);
int container_resume(const char *root, const char *id, struct hutch_error **err);
/* Apply `res` to the live cgroup: only the fields `res` sets change. Device rules
 * are left as create made them (runc update does not change them either). */
int container_update(const char *root, const char *id, const struct spec_resources *res,
		     struct hutch_error **err);

struct events_opts {
	bool stats_once;          /* --stats: one "stats" event, then return */
	unsigned long interval_ms;
};
/* runc's events: {"type":"stats","id":...,"data":{...}} every interval and
 * {"type":"oom","id":...} when the OOM killer acts, until the container's
 * cgroup is removed. `emit` gets each event (it must not keep it); a negative
 * return from it ends the stream with that error. */
typedef int (*events_emit_fn)(json_object *event, void *arg, struct hutch_error **err);
int container_events(const char *root, const char *id, const struct events_opts *o,
		     events_emit_fn emit, void *arg, struct hutch_error **err);

#endif
