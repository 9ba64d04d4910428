/* The kernel's mount calls, everything by fd. The new mount API (open_tree,
 * fsopen/fsmount, mount_setattr, move_mount; Linux 5.12) builds a mount
 * detached, sets its flags and attributes, then attaches it onto a target fd
 * resolved inside the rootfs: no window where the container sees it half
 * made, no path looked up again, no procfs magic link. mount(2) on
 * /proc/self/fd/N is the fallback: when the kernel lacks the new calls
 * (ENOSYS), and always when HUTCH_TEST_OLD_MOUNT_API=1 (for tests). */
#ifndef HUTCH_MOUNT_API_H
#define HUTCH_MOUNT_API_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* False when HUTCH_TEST_OLD_MOUNT_API=1 asks for mount(2) everywhere. */
bool mount_api_wanted(void);
/* After a failure of one of the calls below: the kernel has no new mount
 * API. Drops the error, so that the caller can go on with mount(2). */
bool mount_api_missing(struct hutch_error **err);

/* A detached copy of the mount at `path` (from `dirfd`; "" for dirfd itself),
 * with its submounts when `recursive`; `what` names it in messages. */
int mount_tree_clone(int dirfd, const char *path, bool recursive, const char *what,
		     struct hutch_error **err);

/* Whether mount_tree_new_fs can express these MS_* flags and this data;
 * when not, mount(2) must make the mount (silent and iversion have no
 * fsconfig key, values over the kernel's fsconfig limit). */
bool mount_tree_new_fs_can(unsigned long flags, const char *data);
/* A detached new filesystem: fsopen(type), source, the data options one by
 * one, the superblock flags of `flags`; its per-mount flags are set too. */
int mount_tree_new_fs(const char *type, const char *source, unsigned long flags,
		      const char *data, struct hutch_error **err);

/* The MS_* flags the kernel locks on a mount from a more privileged user
 * namespace (nodev, nosuid, noexec, ro, atime), read from the mount at fd. */
int mount_locked_flags(int fd, unsigned long *out, struct hutch_error **err);

/* The per-mount flags of the mount at `fd` as a bind remount sets them: the
 * MS_* flags given are set, the others cleared, the atime mode kept when none
 * is given. Flags the kernel has locked (a mount inherited into a user
 * namespace) are kept when clearing them is refused. */
int mount_fd_set_flags(int fd, unsigned long flags, const char *what, struct hutch_error **err);
/* The same with mount_setattr only, the one way for a detached mount: ENOSYS
 * (see mount_api_missing) when the kernel lacks it. */
int mount_tree_set_flags(int fd, unsigned long flags, const char *what, struct hutch_error **err);
/* mount_setattr(AT_RECURSIVE) of struct mount_attr attributes (no mount(2)
 * equivalent: Linux 5.12 is needed for the r* options). */
int mount_fd_set_attr(int fd, uint64_t attr_set, uint64_t attr_clr, const char *what,
		      struct hutch_error **err);
/* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, with MS_REC for the whole tree. */
int mount_fd_set_propagation(int fd, unsigned long propagation, const char *what,
			     struct hutch_error **err);
/* MOUNT_ATTR_IDMAP: ids seen through the detached mount `tree` are mapped by
 * the user namespace `userns` (on the whole tree when `recursive`). */
int mount_tree_idmap(int tree, int userns, bool recursive, const char *what,
		     struct hutch_error **err);
/* Attach the detached mount `tree` onto `target`. */
int mount_tree_attach(int tree, int target, const char *what, struct hutch_error **err);

#endif
