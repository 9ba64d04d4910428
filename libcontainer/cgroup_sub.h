/* exec --cgroup: run the exec'd process in an existing sub-cgroup of the
 * container's, in every hierarchy or per v1 controller, as runc does. */
#ifndef HUTCH_CGROUP_SUB_H
#define HUTCH_CGROUP_SUB_H

#include <stddef.h>
#include <sys/types.h>
#include "error.h"

struct cgroup;

struct cgroup_sub {
	char *controller;   /* NULL: every hierarchy */
	char *path;         /* below the container's cgroup */
};

/* Move `pid` into the container's cgroup in every hierarchy, or into the
 * sub-cgroup of `subs` that names the hierarchy (or into the one sub with no
 * controller). A sub-cgroup that does not exist is an error: exec does not
 * create cgroups. */
int cgroup_enter_sub(struct cgroup *cg, const struct cgroup_sub *subs, size_t n, pid_t pid,
		     struct hutch_error **err);

#endif
