#include "mount_api.h"
#include "paths.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

/* fs/fsopen.c: fsconfig(FSCONFIG_SET_STRING) copies at most 256 bytes of a value. */
#define FSCONFIG_VALUE_MAX 256

/* Per-mount flags a bind remount (or mount_setattr) can change. */
#define PER_MOUNT_MS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOSYMFOLLOW)
#define ATIME_MS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
#define PER_MOUNT_ATTR (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | \
			MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW)

bool mount_api_wanted(void)
{
	const char *v = getenv("HUTCH_TEST_OLD_MOUNT_API");
	return v == NULL || strcmp(v, "1") != 0;
}

bool mount_api_missing(struct hutch_error **err)
{
	if (err == NULL || *err == NULL || (*err)->errnum != ENOSYS)
		return false;
	hutch_error_freep(err);
	return true;
}

static uint64_t attr_of(unsigned long ms)
{
	static const struct { unsigned long ms; uint64_t attr; } map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY }, { MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV }, { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW }, { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
	};
	uint64_t a = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (ms & map[i].ms)
			a |= map[i].attr;
	return a;
}

/* mount(2)'s atime rule: noatime, else strictatime, else relatime (the default). */
static uint64_t atime_attr_of(unsigned long ms)
{
	if (ms & MS_NOATIME)
		return MOUNT_ATTR_NOATIME;
	if (ms & MS_STRICTATIME)
		return MOUNT_ATTR_STRICTATIME;
	return MOUNT_ATTR_RELATIME;
}

int mount_locked_flags(int fd, unsigned long *out, struct hutch_error **err)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return hutch_error_errno(err, "statfs");
	unsigned long f = 0;
	static const unsigned long map[][2] = {
		{ ST_RDONLY, MS_RDONLY }, { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i][0])
			f |= map[i][1];
	*out = f;
	return 0;
}

static int set_flags_remount(int fd, unsigned long flags, const char *what, struct hutch_error **err)
{
	struct fd_path fp = fd_path(fd);
	unsigned long f = MS_REMOUNT | MS_BIND | (flags & (PER_MOUNT_MS | ATIME_MS));
	if (mount(NULL, fp.s, NULL, f, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return hutch_error_errno(err, "remount %s", what);
	/* In a user namespace the flags of a mount inherited from the host are
	 * locked: keep them, else the kernel refuses the whole remount. */
	unsigned long locked = 0;
	if (mount_locked_flags(fd, &locked, err) < 0)
		return hutch_error_wrap(err, "remount %s", what);
	f |= locked & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	if (!(flags & ATIME_MS))
		f |= locked & (MS_NOATIME | MS_RELATIME | MS_NODIRATIME);
	if (mount(NULL, fp.s, NULL, f, NULL) < 0)
		return hutch_error_errno(err, "remount %s", what);
	return 0;
}

/* As MS_REMOUNT|MS_BIND: a remount without any atime flag keeps the atime
 * mode (and nodiratime); with one, the mode is set afresh. */
int mount_tree_set_flags(int fd, unsigned long flags, const char *what, struct hutch_error **err)
{
	struct mount_attr a = { .attr_set = attr_of(flags & PER_MOUNT_MS) };
	a.attr_clr = PER_MOUNT_ATTR & ~a.attr_set;
	if (flags & ATIME_MS) {
		a.attr_set |= atime_attr_of(flags) | attr_of(flags & MS_NODIRATIME);
		a.attr_clr |= MOUNT_ATTR__ATIME | (MOUNT_ATTR_NODIRATIME & ~a.attr_set);
	}
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &a, sizeof(a)) == 0)
		return 0;
	if (errno != EPERM)
		return hutch_error_errno(err, "set the flags of %s", what);
	unsigned long locked = 0;
	if (mount_locked_flags(fd, &locked, err) < 0)
		return hutch_error_wrap(err, "set the flags of %s", what);
	a.attr_set |= attr_of(locked & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
	a.attr_clr &= ~a.attr_set;
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return hutch_error_errno(err, "set the flags of %s", what);
	return 0;
}

int mount_fd_set_flags(int fd, unsigned long flags, const char *what, struct hutch_error **err)
{
	if (mount_api_wanted()) {
		int r = mount_tree_set_flags(fd, flags, what, err);
		if (r == 0 || !mount_api_missing(err))
			return r;
	}
	return set_flags_remount(fd, flags, what, err);
}

int mount_fd_set_attr(int fd, uint64_t attr_set, uint64_t attr_clr, const char *what,
		      struct hutch_error **err)
{
	struct mount_attr a = { .attr_set = attr_set, .attr_clr = attr_clr };
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return hutch_error_errno(err, "set recursive attributes on %s", what);
	return 0;
}

int mount_fd_set_propagation(int fd, unsigned long propagation, const char *what,
			     struct hutch_error **err)
{
	if (mount_api_wanted()) {
		struct mount_attr a = { .propagation = propagation & ~(unsigned long)MS_REC };
		unsigned int at = AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0);
		if (mount_setattr(fd, "", at, &a, sizeof(a)) == 0)
			return 0;
		if (errno != ENOSYS)
			return hutch_error_errno(err, "set propagation of %s", what);
	}
	struct fd_path fp = fd_path(fd);
	if (mount(NULL, fp.s, NULL, propagation, NULL) < 0)
		return hutch_error_errno(err, "set propagation of %s", what);
	return 0;
}

int mount_tree_clone(int dirfd, const char *path, bool recursive, const char *what,
		     struct hutch_error **err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) |
			     (path[0] == '\0' ? AT_EMPTY_PATH : 0);
	int fd = open_tree(dirfd, path, flags);
	if (fd < 0)
		return hutch_error_errno(err, "open %s", what);
	return fd;
}

int mount_tree_idmap(int tree, int userns, bool recursive, const char *what,
		     struct hutch_error **err)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	unsigned int at = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
	if (mount_setattr(tree, "", at, &a, sizeof(a)) == 0)
		return 0;
	if (errno == EINVAL)
		return hutch_error_errno(err, "id-map %s (does its filesystem support id-mapped mounts?)", what);
	return hutch_error_errno(err, "id-map %s", what);
}

int mount_tree_attach(int tree, int target, const char *what, struct hutch_error **err)
{
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hutch_error_errno(err, "attach the mount on %s", what);
	return 0;
}

/* ---- new filesystems: fsopen, fsconfig, fsmount ---- */

/* The superblock flags fsconfig takes by name (fs_context.c common_set_sb_flag). */
static const struct { unsigned long ms; const char *key; } sb_flags[] = {
	{ MS_RDONLY, "ro" }, { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
	{ MS_LAZYTIME, "lazytime" }, { MS_MANDLOCK, "mand" },
};
/* SB_SILENT, SB_I_VERSION and SB_POSIXACL: only mount(2) can pass them. */
#define SB_ONLY_MOUNT2 (MS_SILENT | MS_I_VERSION | MS_POSIXACL)

bool mount_tree_new_fs_can(unsigned long flags, const char *data)
{
	if (flags & SB_ONLY_MOUNT2)
		return false;
	if (data == NULL)
		return true;
	/* A quoted value (an LSM context "a,b") is not ours to split on commas. */
	if (strchr(data, '"'))
		return false;
	for (const char *p = data; *p; ) {
		const char *end = strchrnul(p, ',');
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq && (size_t)(end - eq - 1) >= FSCONFIG_VALUE_MAX)
			return false;
		p = *end ? end + 1 : end;
	}
	return true;
}

/* errno of the failed fsconfig, with the filesystem's own words (its log). */
static int fsconfig_error(int fs, const char *what, struct hutch_error **err)
{
	int e = errno;
	char log[256];
	ssize_t n = read(fs, log, sizeof(log) - 1);
	if (n > 2 && log[1] == ' ') {
		log[n] = '\0';
		log[strcspn(log, "\n")] = '\0';
		return hutch_error_set(err, e, "%s: %s (%s)", what, strerror(e), log + 2);
	}
	return hutch_error_set(err, e, "%s: %s", what, strerror(e));
}

static int fsconfig_data(int fs, const char *data, struct hutch_error **err)
{
	cleanup_free char *copy = xstrdup(data);
	for (char *save = NULL, *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = fsconfig(fs, FSCONFIG_SET_STRING, opt, eq + 1, 0);
			*eq = '=';
		} else {
			r = fsconfig(fs, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0)
			return fsconfig_error(fs, opt, err);
	}
	return 0;
}

int mount_tree_new_fs(const char *type, const char *source, unsigned long flags,
		      const char *data, struct hutch_error **err)
{
	cleanup_close int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return hutch_error_errno(err, "fsopen %s", type);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return fsconfig_error(fs, "source", err);
	for (size_t i = 0; i < ARRAY_SIZE(sb_flags); i++)
		if ((flags & sb_flags[i].ms) && fsconfig(fs, FSCONFIG_SET_FLAG, sb_flags[i].key, NULL, 0) < 0)
			return fsconfig_error(fs, sb_flags[i].key, err);
	if (data && fsconfig_data(fs, data, err) < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fsconfig_error(fs, "create", err);
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned int)(attr_of(flags) | atime_attr_of(flags)));
	if (mnt < 0)
		return hutch_error_errno(err, "fsmount %s", type);
	return mnt;
}
