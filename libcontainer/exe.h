/* The binary that the init stage runs from (CVE-2019-5736): a sealed memfd
 * copy of hutch, so that a container reaching /proc/<init>/exe can neither
 * write to hutch on the host nor to the copy. */
#ifndef HUTCH_EXE_H
#define HUTCH_EXE_H

#include <sys/types.h>
#include "error.h"

/* An fd (O_CLOEXEC) of a sealed, read-only copy of /proc/self/exe. */
int exe_sealed_copy(struct hutch_error **err);
/* Spawn `hutch init` from exe_fd with posix_spawn (vfork-fast). Fds 3 ..
 * 3+preserve_fds-1 are inherited; the sync socket goes above them and its
 * number is passed in _HUTCH_SYNC_FD. Signal dispositions and mask are reset. */
int exe_spawn_init(int exe_fd, int sync_fd, int preserve_fds, pid_t *pid, struct hutch_error **err);

#endif
