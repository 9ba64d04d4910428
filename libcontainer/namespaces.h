/* Namespaces: which to create and which to join, the order that makes both
 * work, uid/gid maps (written by the parent) and time offsets. */
#ifndef HUTCH_NAMESPACES_H
#define HUTCH_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>
#include "../spec/spec.h"

struct ns_plan {
	int join_fds[SPEC_NS_COUNT]; /* -1 unless joined by path */
	int unshare_flags;           /* CLONE_NEW* to create, CLONE_NEWUSER excluded */
	bool new_user;
	bool need_fork;              /* a new or joined pid/time namespace: only children enter it */
};

int ns_clone_flag(enum spec_ns_type t);
/* In create, before anything exists: each path names a namespace of its type. */
int ns_validate(const struct spec *s, struct hutch_error **err);
/* Open the namespaces to join and work out what to create. */
int ns_plan_open(const struct spec *s, struct ns_plan *p, struct hutch_error **err);
void ns_plan_release(struct ns_plan *p);
/* Join every namespace of the plan, user first (the others may belong to it), mount last. */
int ns_join_all(struct ns_plan *p, struct hutch_error **err);
/* Parent side: write /proc/<pid>/uid_map and gid_map from linux.uidMappings/gidMappings. */
int ns_write_id_maps(pid_t pid, const struct spec_linux *l, struct hutch_error **err);
/* An fd of a new user namespace with these maps (for MOUNT_ATTR_IDMAP): a
 * child made in it waits while they are written, then is killed. Needs the
 * privileges to write any map (root of the runtime's user namespace). */
int ns_userns_with_maps(const struct spec_id_mapping *uids, size_t n_uids,
			const struct spec_id_mapping *gids, size_t n_gids, struct hutch_error **err);
/* After unshare(CLONE_NEWTIME), before any process enters it. */
int ns_write_time_offsets(const struct spec_linux *l, struct hutch_error **err);

#endif
