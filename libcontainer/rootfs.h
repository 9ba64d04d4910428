/* The container's filesystem: rootfs, config mounts, devices, masked and
 * read-only paths, pivot_root. All kernel mount work lives in mount.c. Runs in
 * the init stage, inside the container's new mount namespace. */
#ifndef HUTCH_ROOTFS_H
#define HUTCH_ROOTFS_H

#include <stdbool.h>
#include "../spec/spec.h"

struct rootfs_ctx {
	const struct spec *spec;
	const char *rootfs;      /* absolute host path of root.path (resolved against the bundle) */
	const char *bundle;      /* relative bind-mount sources resolve here (NULL: the cwd) */
	bool no_pivot;           /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool userns;             /* the container has its own user namespace */
	bool new_cgroupns;       /* a new cgroup namespace was created */
	const char *cgroup_path; /* the container's cgroup path inside each hierarchy ("/hutch/id") */
	int rootfs_fd;           /* O_PATH fd of the rootfs after rootfs_prepare, owned by the ctx */
	int *idmap_fds;          /* mount_idmap_prepare's trees, attached by rootfs_prepare; or NULL */
};

/* Before createContainer hooks: make mounts private/slave as rootfsPropagation
 * says, bind the rootfs onto itself, then every entry of `mounts` in order,
 * the default devices and /dev symlinks of runtime-linux.md, and linux.devices.
 * Every destination is resolved inside the rootfs without leaving it. */
int rootfs_prepare(struct rootfs_ctx *ctx, struct hutch_error **err);
/* After createContainer hooks, before the pivot (mount targets are
 * /proc/self/fd/N of the runtime's /proc): readonlyPaths, maskedPaths (with
 * the runtime's own /dev/null), root.readonly. */
int rootfs_finalize(struct rootfs_ctx *ctx, struct hutch_error **err);
/* pivot_root (or chroot with no_pivot) into the rootfs; chdir("/"). */
int rootfs_pivot(struct rootfs_ctx *ctx, struct hutch_error **err);
/* After the pivot: the propagation of "/" (linux.rootfsPropagation). */
int rootfs_propagate(struct rootfs_ctx *ctx, struct hutch_error **err);
void rootfs_ctx_release(struct rootfs_ctx *ctx);

/* Validation that can be done before anything is created (in `create`):
 * mount option names, device types, paths absolute. */
int rootfs_validate(const struct spec *s, struct hutch_error **err);

#endif
