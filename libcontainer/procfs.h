/* The procfs hutch reads and writes through: oom_score_adj, setgroups,
 * cap_last_cap, sysctl, timens_offsets, uid_map/gid_map, the LSM attributes.
 * Never the container's /proc, which its config or image shapes, and never a
 * path a mount can redirect to another procfs file (CVE-2025-52881: a write
 * meant for /proc/self/attr/exec landing on /proc/sys/kernel/core_pattern).
 *
 * procfs_open() gives the runtime's "/proc" (of the mount namespace it is
 * called in, before the container's mounts are made or entered), checked to
 * be the root of a procfs mount; where it is not, a private instance:
 * fsopen("proc") + fsmount, a detached mount that no path reaches and nothing
 * can be mounted on. Files are opened beneath the root without crossing a
 * mount or a magic link (openat2 RESOLVE_BENEATH | RESOLVE_NO_XDEV |
 * RESOLVE_NO_MAGICLINKS); without openat2, the file's filesystem and mount id
 * are compared with the root's. The fd must not outlive the setup: the init
 * stage closes it before the container can run.
 *
 * Test switches (the e2e tests set them; hutch forwards HUTCH_TEST_* to its
 * init stage): HUTCH_TEST_OLD_MOUNT_API=1 (no new mount API, mount_api.h)
 * rules out the private instance, HUTCH_TEST_NO_OPENAT2=1 forces the check
 * without openat2. */
#ifndef HUTCH_PROCFS_H
#define HUTCH_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* An O_PATH fd of a procfs root, close-on-exec. */
int procfs_open(struct hutch_error **err);
int procfs_open_mounted(struct hutch_error **err);
int procfs_open_private(struct hutch_error **err);

/* `path` is relative to the procfs root ("self/oom_score_adj",
 * "sys/net/ipv4/ip_forward"). Returns the fd, or -1 with *err naming
 * /proc/<path>. */
int procfs_open_file(int proc, const char *path, int flags, struct hutch_error **err);
int procfs_write(int proc, const char *path, const char *data, size_t len, struct hutch_error **err);
int procfs_read(int proc, const char *path, char **out, struct hutch_error **err);

/* This process's pid as the procfs instance sees it (its "self" link): the
 * host pid for the host's /proc. */
int procfs_self_pid(int proc, pid_t *out, struct hutch_error **err);

#endif
