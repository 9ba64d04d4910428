/* The binary that the init stage runs from (CVE-2019-5736): a sealed memfd
 * copy of hutch, so that a container reaching /proc/<init>/exe can neither
 * write to hutch on the host nor to the copy. */
#ifndef HUTCH_EXE_H
#define HUTCH_EXE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/* An fd (O_CLOEXEC) of a sealed, read-only copy of /proc/self/exe. */
int exe_sealed_copy(struct hutch_error **err);
/* Spawn `hutch init` from exe_fd with posix_spawn (vfork-fast). Fds 3 ..
 * 3+preserve_fds-1 are inherited; the sync socket goes above them and its
 * number is passed in _HUTCH_SYNC_FD. Signal dispositions and mask are reset. */
int exe_spawn_init(int exe_fd, int sync_fd, int preserve_fds, pid_t *pid, struct hutch_error **err);

/* Whether this build has the start waiter (waiter.c). */
bool exe_have_waiter(void);
/* An fd (O_CLOEXEC) of a sealed memfd holding the start waiter. */
int exe_waiter_copy(struct hutch_error **err);
/* Fork the init stage off this process (create without a re-exec). In the
 * child (*pid 0): signal dispositions and mask reset as for the spawn, parent
 * death signal armed, and every fd closed but stdio, the preserved ones
 * (inherited even when close-on-exec) and keep[] (negative entries ignored). */
int exe_fork_init(int preserve_fds, const int *keep, size_t n_keep, pid_t *pid, struct hutch_error **err);

struct exe_waiter {
	int image;                  /* exe_waiter_copy() */
	int ready;                  /* the sync socket: the waiter sends READY on it */
	int listen;                 /* the start socket */
	int filter;                 /* sealed memfd of a seccomp filter to load after start, or -1 */
	unsigned long filter_flags;
	size_t filter_len;          /* instructions */
	const char *path;           /* the resolved process.args[0] */
	char *const *argv, *const *envp;
	int preserve_fds;
	int cgroup_out, cgroup_in;  /* cgroup_v1_memory_fds (-1: none): out for the exec, back in after it */
};
/* Turn the init stage into the start waiter: close every fd but the
 * preserved ones and what the waiter needs, and exec it. Returns only on
 * failure. */
int exe_exec_waiter(const struct exe_waiter *w, struct hutch_error **err);

#endif
