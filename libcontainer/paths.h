/* Path resolution inside a container's rootfs that never leaves it: symlinks
 * and ".." are clamped to the root, magic links are not followed. Uses
 * openat2(RESOLVE_IN_ROOT) and a userspace walk when openat2 is missing (or
 * when HUTCH_TEST_NO_OPENAT2=1, for tests). */
#ifndef HUTCH_PATHS_H
#define HUTCH_PATHS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Open `path` (absolute or relative, both taken from `rootfd`) inside the root.
 * `flags` are open(2) flags; O_NOFOLLOW leaves a final symlink unfollowed.
 * Returns the fd (O_CLOEXEC), or -1 with errno set. No error object: callers
 * decide whether ENOENT is an error. */
int path_open_in_root(int rootfd, const char *path, int flags);

/* HUTCH_TEST_NO_OPENAT2=1: the tests' switch that forces the userspace walk
 * (here and in procfs.c). */
bool path_openat2_disabled(void);

/* Lexical clean-up: "a//b/./c/../d" -> "/a/b/d"; ".." never goes above "/".
 * The result is always absolute. */
char *path_clean(const char *path);

/* mkdir -p inside the root; returns an O_PATH fd of the final directory in *out. */
int path_mkdir_all_in_root(int rootfd, const char *path, mode_t mode, int *out,
			   struct hutch_error **err);

/* Make sure a non-directory exists at `path` (an empty regular file is created
 * when nothing is there; parents are created); returns its O_PATH fd. */
int path_mkfile_in_root(int rootfd, const char *path, mode_t mode, int *out,
			struct hutch_error **err);

/* Open the parent directory of `path` inside the root (creating it) and return
 * it as an O_PATH fd plus the final component name (malloc'd). */
int path_open_parent_in_root(int rootfd, const char *path, int *parent_fd, char **base,
			     struct hutch_error **err);

/* "/proc/self/fd/N" for mount(2) targets: the kernel cannot be redirected by
 * a symlink swapped in after the resolution (CVE-2021-30465). */
struct fd_path {
	char s[32];
};
struct fd_path fd_path(int fd);

#endif
