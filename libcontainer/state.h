/* Per-container state under <root>/<id>/: state.json (written atomically),
 * config.json (the config as create saw it, for poststop hooks at delete),
 * exec.sock (present while the container is `created`: the init listens on it
 * and `start` connects). Every command holds
 * an flock on the directory while it works on the container. */
#ifndef HUTCH_STATE_H
#define HUTCH_STATE_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>
#include "error.h"

enum container_status {
	STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING, STATUS_PAUSED, STATUS_STOPPED,
};

struct container_state {
	char *id;
	char *bundle;
	char *rootfs;
	char *created;                 /* RFC 3339 with nanoseconds, UTC */
	char *owner;
	pid_t pid;                     /* container init, 0 until known */
	unsigned long long start_time; /* /proc/<pid>/stat starttime: tells a recycled pid apart */
	pid_t creator;                 /* the `create` process while status is creating */
	unsigned long long creator_start_time;
	char *cgroup_path;
	char *systemd_unit;            /* --systemd-cgroup: the scope systemd made, else NULL */
	json_object *annotations;      /* owned, may be NULL */
};

struct state_dir {
	int root_fd;
	int fd;      /* the container's directory, flocked */
	char *id;
	char *path;  /* <root>/<id> */
};

#define STATE_EXEC_SOCK "exec.sock"
#define STATE_CONFIG "config.json"

/* runc's rules: [A-Za-z0-9_+.-]+, not "." or "..", at most 255 bytes. */
int state_validate_id(const char *id, struct hutch_error **err);
/* mkdir <root>/<id> (an existing one is "container <id> already exists") and lock it. */
int state_dir_create(const char *root, const char *id, struct state_dir **out, struct hutch_error **err);
/* Open and lock an existing container; exclusive for commands that change it. */
int state_dir_open(const char *root, const char *id, bool exclusive, struct state_dir **out,
		   struct hutch_error **err);
/* For `state` and `list`, which must not wait for a create, start or delete in
 * progress (a hook may block it for minutes): the shared lock when it is free,
 * else no lock and *busy set. Reading unlocked is safe: state.json is only ever
 * replaced by rename, written first by create and removed first by delete. */
int state_dir_open_reader(const char *root, const char *id, struct state_dir **out, bool *busy,
			  struct hutch_error **err);
/* Remove every file of the container and its directory. */
int state_dir_remove(struct state_dir *d, struct hutch_error **err);
void state_dir_free(struct state_dir *d);
static inline void state_dir_freep(struct state_dir **d) { state_dir_free(*d); *d = NULL; }
#define cleanup_state_dir __attribute__((cleanup(state_dir_freep)))

int state_save(struct state_dir *d, const struct container_state *s, struct hutch_error **err);
int state_load(struct state_dir *d, struct container_state **out, struct hutch_error **err);
void container_state_free(struct container_state *s);
static inline void container_state_freep(struct container_state **s) { container_state_free(*s); *s = NULL; }
#define cleanup_container_state __attribute__((cleanup(container_state_freep)))

/* The start socket: a SOCK_SEQPACKET listener the init waits on; `start`
 * connects. Reached through /proc/self/fd/<dir> so that long --root paths fit
 * in sun_path. */
int state_exec_listen(struct state_dir *d, struct hutch_error **err);
int state_exec_connect(struct state_dir *d, struct hutch_error **err);

/* The live status: from the init's pid and start time, the start socket and the freezer. */
enum container_status state_status(struct state_dir *d, const struct container_state *s);
const char *state_status_name(enum container_status st);
/* The OCI state (runtime.md "State") plus runc's rootfs, created and owner. */
json_object *state_to_oci_json(const struct container_state *s, enum container_status st);

/* /proc/<pid>/stat starttime (field 22), 0 when the process is gone or a zombie. */
unsigned long long proc_start_time(pid_t pid);

#endif
