#include "procfs.h"
#include "mount_api.h"
#include "paths.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

/* The inode number of every procfs root (fs/proc/root.c). */
#define PROC_ROOT_INO 1

static int check_is_procfs(int fd, const char *what, struct hutch_error **err)
{
	struct statfs sfs;
	if (fstatfs(fd, &sfs) < 0)
		return hutch_error_errno(err, "statfs %s", what);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return hutch_error_set(err, EXDEV, "%s is not on a procfs", what);
	return 0;
}

/* The root of a procfs mount: inode 1 of a procfs, and a mount root (a bind
 * of a procfs subdirectory onto /proc would show other files). */
static int check_root(int fd, const char *what, struct hutch_error **err)
{
	if (check_is_procfs(fd, what, err) < 0)
		return -1;
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO, &stx) < 0)
		return hutch_error_errno(err, "statx %s", what);
	bool root_known = stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT;
	if (stx.stx_ino != PROC_ROOT_INO || (root_known && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)))
		return hutch_error_set(err, EXDEV, "%s is not the root of a procfs mount", what);
	return 0;
}

int procfs_open_mounted(struct hutch_error **err)
{
	cleanup_close int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "open /proc");
	if (check_root(fd, "/proc", err) < 0)
		return -1;
	return take_fd(&fd);
}

static int open_private(void)
{
	cleanup_close int fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

int procfs_open_private(struct hutch_error **err)
{
	if (!mount_api_wanted())
		return hutch_error_set(err, ENOSYS, "a private procfs: HUTCH_TEST_OLD_MOUNT_API=1");
	int fd = open_private();
	if (fd < 0)
		return hutch_error_errno(err, "mount a private procfs");
	return fd;
}

/* The runtime's /proc first: a private instance costs a superblock, and its
 * unmount when the fd is closed waits for an RCU grace period (~0.4 ms on
 * the create path). */
int procfs_open(struct hutch_error **err)
{
	cleanup_error struct hutch_error *mounted = NULL;
	int fd = procfs_open_mounted(&mounted);
	if (fd >= 0)
		return fd;
	fd = procfs_open_private(NULL);
	if (fd >= 0)
		return fd;
	return hutch_error_set(err, mounted->errnum, "%s", mounted->msg);
}

static int mount_id(int fd, uint64_t *out)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return errno = ENOSYS, -1;
	*out = stx.stx_mnt_id;
	return 0;
}

/* Without openat2: open, then prove the file is on the root's mount. A kernel
 * this old may lack STATX_MNT_ID (5.8); the filesystem check still holds. */
static int open_checked(int proc, const char *path, int flags, const char *what, struct hutch_error **err)
{
	cleanup_close int fd = openat(proc, path, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "open %s", what);
	if (check_is_procfs(fd, what, err) < 0)
		return -1;
	uint64_t a, b;
	if (mount_id(proc, &a) == 0 && mount_id(fd, &b) == 0 && a != b)
		return hutch_error_set(err, EXDEV, "%s: another mount covers it", what);
	return take_fd(&fd);
}

int procfs_open_file(int proc, const char *path, int flags, struct hutch_error **err)
{
	cleanup_free char *what = xasprintf("/proc/%s", path);
	if (!path_openat2_disabled()) {
		struct open_how how = {
			.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, proc, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno == EXDEV)
			return hutch_error_set(err, EXDEV, "%s: another mount covers it", what);
		/* ENOSYS: no openat2; EPERM: a seccomp profile loaded early denies it. */
		if (errno != ENOSYS && errno != EPERM)
			return hutch_error_errno(err, "open %s", what);
	}
	return open_checked(proc, path, flags, what, err);
}

int procfs_write(int proc, const char *path, const char *data, size_t len, struct hutch_error **err)
{
	cleanup_close int fd = procfs_open_file(proc, path, O_WRONLY, err);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0)
		return hutch_error_errno(err, "write /proc/%s", path);
	return 0;
}

int procfs_read(int proc, const char *path, char **out, struct hutch_error **err)
{
	cleanup_close int fd = procfs_open_file(proc, path, O_RDONLY, err);
	if (fd < 0)
		return -1;
	cleanup_free char *what = xasprintf("/proc/%s", path);
	return read_all_fd(fd, what, out, NULL, err);
}

int procfs_self_pid(int proc, pid_t *out, struct hutch_error **err)
{
	char buf[32];
	ssize_t n = readlinkat(proc, "self", buf, sizeof(buf) - 1);
	if (n < 0)
		return hutch_error_errno(err, "readlink /proc/self");
	buf[n] = '\0';
	long long v;
	if (parse_int64(buf, &v) < 0 || v <= 0)
		return hutch_error_set(err, EINVAL, "/proc/self: unexpected link \"%s\"", buf);
	*out = (pid_t)v;
	return 0;
}
