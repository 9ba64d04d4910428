/* Shared between cgroup.c, cgroup_v1.c, cgroup_v2.c and cgroup_devices.c. */
#ifndef HUTCH_CGROUP_INTERNAL_H
#define HUTCH_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_UNIFIED CGROUP_ROOT "/unified"
/* No component created by this handle (or unknown). */
#define CGROUP_NONE_CREATED SIZE_MAX

/* One mounted hierarchy and the container's directory in it. */
struct cgroup_hier {
	char *controllers;      /* "cpu", "cpu,cpuacct", "name=systemd", "" for cgroup2 */
	int mount_fd;           /* the hierarchy's root */
	int dir_fd;             /* the container's cgroup, -1 when absent */
	size_t created_from;    /* first path component that this handle created */
};

struct cgroup {
	enum cgroup_mode mode;
	char *path;             /* normalized: "/a/b", never "/" */
	char *rel;              /* path without the leading "/", for *at() calls */
	size_t depth;           /* number of components in path */
	struct cgroup_hier *v1; /* v1 hierarchies (hybrid and legacy hosts) */
	size_t n_v1;
	struct cgroup_hier v2;  /* cgroup2 (or the hybrid unified one); mount_fd -1 when none */
};

/* cgroup.c */
int cgroup_write(int dirfd, const char *file, const char *value, struct hutch_error **err);
int cgroup_writef(int dirfd, const char *file, struct hutch_error **err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Like cgroup_write but ENOENT / EOPNOTSUPP are not errors: returns 0 without writing. */
int cgroup_write_optional(int dirfd, const char *file, const char *value, struct hutch_error **err);
/* mkdir -p cg->rel in the hierarchy, open it into h->dir_fd; cpuset hierarchies get
 * cpus/mems copied from the parent into empty levels. */
int cgroup_hier_create(struct cgroup *cg, struct cgroup_hier *h, bool cpuset, struct hutch_error **err);
/* The first `k` components of rel ("a/b/c", 2 -> "a/b"); k == 0 gives ".". */
char *cgroup_rel_prefix(const char *rel, size_t k);
bool cgroup_hier_has(const struct cgroup_hier *h, const char *controller);
/* Own cgroup of this process for the given controller ("" = the cgroup2 line). */
char *cgroup_own_path(const char *controller);
/* Signal every process found in cgroup.procs (recursively). */
int cgroup_kill_pids(struct cgroup *cg, int sig, struct hutch_error **err);

/* cgroup_v1.c */
int cgroup_v1_discover(struct cgroup *cg, struct hutch_error **err);
struct cgroup_hier *cgroup_v1_find(struct cgroup *cg, const char *controller);
int cgroup_v1_apply(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err);
int cgroup_v1_kill_all(struct cgroup *cg, int sig, struct hutch_error **err);
/* Resources without the device rules (update keeps the rules of create). */
int cgroup_v1_set(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err);
/* freezer.state FROZEN (waiting until every task is frozen) or THAWED. */
int cgroup_v1_freeze(struct cgroup_hier *freezer, bool freeze, struct hutch_error **err);
bool cgroup_v1_frozen(int freezer_dirfd);

/* cgroup_v2.c */
int cgroup_v2_apply(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err);
int cgroup_v2_set(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err);
/* cgroup.freeze, waiting for cgroup.events "frozen 1" when freezing. */
int cgroup_v2_freeze(int dirfd, bool freeze, struct hutch_error **err);
bool cgroup_v2_frozen(int dirfd);
/* Enable `controller` in cgroup.subtree_control of every ancestor of the container's
 * cgroup2 directory. */
int cgroup_v2_enable(struct cgroup *cg, const char *controller, struct hutch_error **err);
int cgroup_v2_set_unified(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err);

/* cgroup_devices.c */
struct cgroup_dev_rule {
	bool allow;
	char type;              /* 'a', 'c', 'b' */
	int64_t major, minor;   /* -1: any */
	unsigned access;        /* CGROUP_DEV_* bits */
};
#define CGROUP_DEV_MKNOD 1u
#define CGROUP_DEV_READ 2u
#define CGROUP_DEV_WRITE 4u

/* The config's rules followed by the devices every container gets (runtime-spec
 * "Default Devices"), as runc does. */
int cgroup_dev_rules(const struct spec_resources *res, struct cgroup_dev_rule **out, size_t *n,
		     struct hutch_error **err);
int cgroup_devices_v1_apply(int dirfd, const struct cgroup_dev_rule *r, size_t n,
			    struct hutch_error **err);
/* Load a BPF_PROG_TYPE_CGROUP_DEVICE program for the rules; returns its fd. */
int cgroup_devices_bpf_load(const struct cgroup_dev_rule *r, size_t n, struct hutch_error **err);
int cgroup_devices_bpf_attach(int cgroup_fd, int prog_fd, struct hutch_error **err);
int cgroup_devices_bpf_detach(int cgroup_fd, int prog_fd, struct hutch_error **err);

#endif
