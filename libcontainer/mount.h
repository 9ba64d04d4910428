/* The kernel side of the container's mounts: the mount option table (shared
 * with `features`), option parsing, and mounting one config entry onto a
 * target resolved inside the rootfs. */
#ifndef HUTCH_MOUNT_H
#define HUTCH_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "../spec/spec.h"

enum mount_option_kind {
	MOUNT_OPT_FLAG,         /* an MS_* flag set (or cleared) on mount(2) */
	MOUNT_OPT_PROPAGATION,  /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE after the mount */
	MOUNT_OPT_RECURSIVE,    /* mount_setattr(AT_RECURSIVE) after the mount */
	MOUNT_OPT_TMPCOPYUP,    /* copy the shadowed content into the new tmpfs */
	MOUNT_OPT_IDMAP,        /* idmap / ridmap: never passed to mount(2) */
};

struct mount_option {
	const char *name;
	enum mount_option_kind kind;
	unsigned long flags;    /* MS_* (FLAG, PROPAGATION) */
	bool clear;             /* FLAG: the option clears `flags` */
	bool recursive;         /* PROPAGATION: MS_REC; IDMAP: ridmap */
	uint64_t attr_set, attr_clr; /* RECURSIVE: struct mount_attr */
};

/* Every option of config.md "Linux mount options" the runtime knows. Unknown
 * options are filesystem data (config.md: "pass those as a comma-separated
 * string to the fifth argument of mount(2)"). */
extern const struct mount_option mount_options_table[];
extern const size_t mount_options_table_len;
const struct mount_option *mount_option_find(const char *name);

/* One config mount, its options folded. */
struct mount_plan {
	unsigned long flags;        /* MS_* for mount(2) (MS_BIND/MS_REC included) */
	unsigned long *propagation; /* applied in order after the mount */
	size_t n_propagation;
	uint64_t attr_set, attr_clr;/* recursive mount_setattr, when any */
	bool has_attr;
	bool bind;
	bool tmpcopyup;
	bool idmap, ridmap;
	char *data;                 /* comma-joined unknown options, NULL when none */
};

int mount_plan_build(const struct spec_mount *m, struct mount_plan *p, struct hutch_error **err);
void mount_plan_release(struct mount_plan *p);

struct mount_env {
	int rootfs_fd;            /* O_PATH fd of the rootfs */
	int *idmap_fds;           /* per entry: the tree of mount_idmap_prepare, taken; or NULL */
	const char *bundle;       /* relative bind sources resolve here (NULL: cwd) */
	bool userns, new_cgroupns;
	const char *cgroup_path;
	const char *mount_context; /* linux.mountLabel as a mount option (lsm.c), or NULL */
};

/* Mount config entry `m` (index `idx`, for messages) inside the rootfs. */
int mount_entry_apply(const struct mount_env *env, const struct spec_mount *m, size_t idx,
		      struct hutch_error **err);

/* Whether entry `m` is a bind mount (bind/rbind option or type). */
bool mount_entry_is_bind(const struct spec_mount *m);
/* Whether entry `m` is id-mapped (idmap/ridmap, or uidMappings/gidMappings). */
bool mount_entry_is_idmapped(const struct spec_mount *m);

/* Id-mapped mounts are made before the init stage enters the container's user
 * namespace: MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN over the filesystem's owner
 * (the host's user namespace), and so do the flags of that detached tree.
 * (*fds)[i] is the finished tree of mounts[i] (-1 for the other entries, and
 * *fds is NULL when no entry is id-mapped); mount_entry_apply attaches it. */
int mount_idmap_prepare(const struct spec *s, const char *bundle, int **fds, struct hutch_error **err);
void mount_fds_free(int *fds, size_t n);

#endif
