/* cgroups: one handle whatever the host has. cgroup.c picks the backend
 * (cgroup_v2.c on a pure cgroup2 host, cgroup_v1.c on hybrid and legacy hosts
 * where v1 controllers hold the resources and the unified hierarchy gets the
 * container too). Device rules: cgroup_devices.c. */
#ifndef HUTCH_CGROUP_H
#define HUTCH_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>
#include "../spec/spec.h"

struct cgroup;

enum cgroup_mode { CGROUP_MODE_V2, CGROUP_MODE_HYBRID, CGROUP_MODE_V1 };

enum cgroup_mode cgroup_host_mode(void);

/* The path of the container's cgroup inside each hierarchy, from
 * linux.cgroupsPath: absolute as given, relative under hutch's own cgroup,
 * unset: "/hutch/<id>" (runc uses a similar default). Allocated. */
char *cgroup_resolve_path(const char *cgroups_path, const char *id);
/* The same, with an error for a path that cannot be used ("..", the root). An
 * invalid path returned by cgroup_resolve_path() is refused by cgroup_create(). */
int cgroup_resolve_path_checked(const char *cgroups_path, const char *id, char **out,
				struct hutch_error **err);

/* Create the cgroup(s) at `path` and apply `res` (may be NULL). An error for a
 * resource that the host cannot apply. On failure nothing is left behind. */
int cgroup_create(const char *path, const struct spec_resources *res, struct cgroup **out,
		  struct hutch_error **err);
/* How many processes of the cgroup the OOM killer killed (0 when unknown). */
unsigned long long cgroup_oom_kills(struct cgroup *cg);
/* Whether cgroup_create() made the container's directory in every hierarchy; false
 * when the cgroupsPath existed before (possibly holding other processes). */
bool cgroup_created(const struct cgroup *cg);
/* Re-open an existing container's cgroup from its saved path (delete, kill --all). */
int cgroup_open(const char *path, struct cgroup **out, struct hutch_error **err);
/* cgroup v2: when `pid` (the container's init) sits in a sub-cgroup of *cg
 * (systemd inside the container moves itself to init.scope), *cg becomes that
 * one: the container's own cgroup then holds no process, and cannot take any
 * ("no internal processes"). runc's exec goes there too. */
int cgroup_follow_process(struct cgroup **cg, pid_t pid, struct hutch_error **err);
/* Move `pid` into the container's cgroup(s). */
int cgroup_enter(struct cgroup *cg, pid_t pid, struct hutch_error **err);
/* On a cgroup v2 host, the container's cgroup directory for
 * clone3(CLONE_INTO_CGROUP); -1 elsewhere (v1 hierarchies need cgroup.procs
 * writes anyway) or when HUTCH_TEST_NO_CLONE_INTO_CGROUP=1 forces the fallback
 * (a cgroup.procs write by the parent). */
int cgroup_clone_fd(const struct cgroup *cg);
/* Hybrid and v1 hosts: how the container's init joins its cgroup by itself, so
 * that the parent's cgroup_enter (cgroup.procs writes) is not needed: it is born
 * in the unified hierarchy (*clone_fd for clone3, -1 on a v1 host) and writes "0"
 * into each v1 hierarchy's `tasks` (*tasks, cgroup_join_self). A thread that
 * moves itself takes no cgroup_threadgroup_rwsem, whose write side, for any
 * cgroup.procs write, waits for an RCU grace period: 5 to 13 ms per create on
 * this project's VMs. The fds are opened here, so that the kernel checks our
 * credentials (it uses the opener's), not those of an init in a user namespace.
 * Nothing (*n 0, *clone_fd -1) on a v2 host (cgroup_clone_fd) and when
 * HUTCH_TEST_NO_SELF_JOIN=1 forces the parent's move. */
int cgroup_self_join_fds(const struct cgroup *cg, int *clone_fd, int **tasks, size_t *n,
			 struct hutch_error **err);
/* cgroup v1 memory: the `tasks` of this process's own memory cgroup (*own) and
 * of the container's (*ctr), so that the init can step out of the container's
 * memory cgroup for the exec of the start waiter (exe_exec_waiter): the new
 * image's page tables and mm are then charged outside the container, as the
 * forked init's were, and not twice while the container's process execs. -1 and
 * -1 without a v1 memory hierarchy, or when our own memory cgroup cannot be
 * opened. */
int cgroup_v1_memory_fds(const struct cgroup *cg, int *own, int *ctr, struct hutch_error **err);
/* Move the calling (single-threaded) process into each `tasks` fd's cgroup. */
int cgroup_join_self(const int *tasks, size_t n, struct hutch_error **err);
/* The pids in the cgroup (v2 cgroup.procs, or the v1 pids/freezer/devices hierarchy). */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct hutch_error **err);
/* Send `sig` to every process in the cgroup. */
int cgroup_kill_all(struct cgroup *cg, int sig, struct hutch_error **err);
/* Pause (freeze, returning once every process is frozen) or resume (thaw). */
int cgroup_freeze(struct cgroup *cg, bool freeze, struct hutch_error **err);
/* Whether any process is left in the cgroup (false once it is removed). */
bool cgroup_is_populated(struct cgroup *cg);
/* Whether the container's cgroup at `path` is frozen (paused); cheap: a few reads. */
bool cgroup_path_is_frozen(const char *path);
/* Apply `res` to a live cgroup (update). Device rules are left as create set them
 * (runc update does not change them either). */
int cgroup_update(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err);
/* runc's stats object (`events`' "data"): cpu, memory, pids, blkio, hugetlb. */
int cgroup_stats(struct cgroup *cg, json_object **out, struct hutch_error **err);

/* OOM notifications: a fd that polls readable when something happened. */
struct cgroup_oom;
/* *out is NULL (not an error) when the cgroup has no memory controller. */
int cgroup_oom_open(struct cgroup *cg, struct cgroup_oom **out, struct hutch_error **err);
int cgroup_oom_fd(const struct cgroup_oom *o);
/* After the fd polled readable: the number of OOM events since the last call
 * (0: a spurious wakeup); *gone when the cgroup was removed. */
int cgroup_oom_read(struct cgroup_oom *o, unsigned *n, bool *gone, struct hutch_error **err);
void cgroup_oom_free(struct cgroup_oom *o);
static inline void cgroup_oom_freep(struct cgroup_oom **o) { cgroup_oom_free(*o); *o = NULL; }
#define cleanup_cgroup_oom __attribute__((cleanup(cgroup_oom_freep)))

/* Remove the cgroup(s); kills what is left with SIGKILL first and waits for the cgroup to empty. */
int cgroup_destroy(struct cgroup *cg, struct hutch_error **err);
const char *cgroup_path(const struct cgroup *cg);

/* --systemd-cgroup (cgroup_systemd.c): the container's cgroup is a transient
 * scope that systemd creates. */
struct cgroup_systemd_unit {
	char *unit;   /* "prefix-name.scope" */
	char *slice;  /* "system.slice" */
	char *path;   /* its cgroup: "/system.slice/prefix-name.scope" */
};
/* Is systemd the init system here (sd_booted(3))? */
bool cgroup_systemd_running(void);
/* linux.cgroupsPath "slice:prefix:name" (empty: "system.slice:hutch:<id>"). */
int cgroup_systemd_parse(const char *cgroups_path, const char *id, struct cgroup_systemd_unit *u,
			 struct hutch_error **err);
void cgroup_systemd_unit_release(struct cgroup_systemd_unit *u);
/* StartTransientUnit with `pid` in it (Delegate=yes, the limits as properties),
 * then wait until systemd has moved the pid there. */
int cgroup_systemd_start(const struct cgroup_systemd_unit *u, const char *id, pid_t pid,
			 const struct spec_resources *res, struct hutch_error **err);
/* SetUnitProperties with the limits of `res` that systemd has properties for
 * (so that systemd does not put back the old ones on its next reload). */
int cgroup_systemd_update(const char *unit, const struct spec_resources *res, struct hutch_error **err);
/* StopUnit; a unit systemd collected already (or is collecting: its scope
 * `path` holds no process) is not an error. */
int cgroup_systemd_stop(const char *unit, const char *path, struct hutch_error **err);
void cgroup_free(struct cgroup *cg);
static inline void cgroup_freep(struct cgroup **c) { cgroup_free(*c); *c = NULL; }
#define cleanup_cgroup __attribute__((cleanup(cgroup_freep)))

#endif
