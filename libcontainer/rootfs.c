#include "rootfs.h"
#include "lsm.h"
#include "mount.h"
#include "mount_api.h"
#include "paths.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

/* ---- propagation ---- */

static int propagation_flags(const char *name, unsigned long *out)
{
	static const struct { const char *name; unsigned long flags; } t[] = {
		{ "shared", MS_SHARED }, { "slave", MS_SLAVE }, { "private", MS_PRIVATE },
		{ "unbindable", MS_UNBINDABLE },
		/* runc also takes the recursive spellings */
		{ "rshared", MS_SHARED | MS_REC }, { "rslave", MS_SLAVE | MS_REC },
		{ "rprivate", MS_PRIVATE | MS_REC }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i].flags;
			return 0;
		}
	}
	return -1;
}

static const char *rootfs_propagation(const struct spec *s)
{
	return s->linux_ && s->linux_->rootfs_propagation && s->linux_->rootfs_propagation[0]
		? s->linux_->rootfs_propagation : NULL;
}

/* Cut the container's mounts off from the host before touching anything: rslave
 * by default (host mounts still reach the container, nothing goes back), rprivate
 * when the config asks for private/unbindable. The requested propagation of "/"
 * itself is applied at the end, once "/" is the rootfs (config-linux.md: a
 * shared rootfs is "a new peer group", not shared with the host). */
static int rootfs_isolate(const struct spec *s, struct hutch_error **err)
{
	unsigned long want = 0;
	const char *p = rootfs_propagation(s);
	if (p && propagation_flags(p, &want) < 0)
		return hutch_error_set(err, EINVAL, "linux.rootfsPropagation: unknown value %s", p);
	unsigned long f = (want & (MS_PRIVATE | MS_UNBINDABLE)) ? MS_PRIVATE : MS_SLAVE;
	if (mount(NULL, "/", NULL, f | MS_REC, NULL) < 0)
		return hutch_error_errno(err, "make / %s", f == MS_PRIVATE ? "rprivate" : "rslave");
	return 0;
}

/* ---- devices ---- */

struct device_req {
	const char *path;
	mode_t type;        /* S_IFCHR, S_IFBLK, S_IFIFO */
	dev_t rdev;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool is_default;
};

/* runtime-linux.md "Default devices"; config-linux.md "Default Devices". */
static const struct { const char *path; unsigned major, minor; } default_devices[] = {
	{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

static const struct { const char *target, *link; } default_symlinks[] = {
	{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
	{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	{ "pts/ptmx", "/dev/ptmx" },
};

static mode_t device_type(const char *t)
{
	if (t == NULL || t[0] == '\0' || t[1] != '\0')
		return 0;
	switch (t[0]) {
	case 'c':
	case 'u':
		return S_IFCHR;
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	}
	return 0;
}

/* In a user namespace mknod of char/block devices is refused: bind the host's
 * node onto an empty file instead. */
static int device_bind(int parent, const char *base, const struct device_req *d,
		       struct hutch_error **err)
{
	cleanup_close int f = openat(parent, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0);
	if (f < 0 && errno != EEXIST)
		return hutch_error_errno(err, "create %s", d->path);
	cleanup_close int target = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return hutch_error_errno(err, "open %s", d->path);
	cleanup_close int src = open(d->path, O_PATH | O_CLOEXEC);
	if (src < 0)
		return hutch_error_errno(err, "open host %s", d->path);
	struct fd_path sp = fd_path(src), tp = fd_path(target);
	if (mount(sp.s, tp.s, NULL, MS_BIND, NULL) < 0)
		return hutch_error_errno(err, "bind host %s", d->path);
	return 0;
}

/* config-linux.md: "If a file already exists at path that does not match the
 * requested device, the runtime MUST generate an error." Default devices are
 * simply replaced. */
static int device_check_existing(int parent, const char *base, const struct device_req *d,
				 bool *exists, struct hutch_error **err)
{
	struct stat st;
	*exists = false;
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hutch_error_errno(err, "stat %s", d->path);
	bool same = (st.st_mode & S_IFMT) == d->type && (d->type == S_IFIFO || st.st_rdev == d->rdev);
	if (same) {
		*exists = true;
		return 0;
	}
	if (!d->is_default)
		return hutch_error_set(err, EEXIST, "%s exists and is not the requested device", d->path);
	if (unlinkat(parent, base, 0) < 0)
		return hutch_error_errno(err, "remove %s", d->path);
	return 0;
}

static int device_create(int rootfd, const struct device_req *d, bool userns,
			 struct hutch_error **err)
{
	cleanup_close int parent = -1;
	cleanup_free char *base = NULL;
	if (path_open_parent_in_root(rootfd, d->path, &parent, &base, err) < 0)
		return -1;
	if (userns && d->type != S_IFIFO)
		return device_bind(parent, base, d, err);
	bool exists;
	if (device_check_existing(parent, base, d, &exists, err) < 0)
		return -1;
	if (!exists && mknodat(parent, base, d->type | (d->mode & 07777), d->rdev) < 0)
		return hutch_error_errno(err, "mknod %s", d->path);
	/* mknod honours the umask: set the exact mode afterwards. */
	if (fchmodat(parent, base, d->mode & 07777, 0) < 0)
		return hutch_error_errno(err, "chmod %s", d->path);
	if (fchownat(parent, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hutch_error_errno(err, "chown %s", d->path);
	return 0;
}

static bool config_has_device(const struct spec *s, const char *path)
{
	const struct spec_linux *l = s->linux_;
	for (size_t i = 0; l && i < l->n_devices; i++) {
		cleanup_free char *c = path_clean(l->devices[i].path);
		if (strcmp(c, path) == 0)
			return true;
	}
	return false;
}

static int devices_default(const struct rootfs_ctx *ctx, struct hutch_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		/* config-linux.md: a linux.devices entry for the same path replaces it. */
		if (config_has_device(ctx->spec, default_devices[i].path))
			continue;
		struct device_req d = {
			.path = default_devices[i].path, .type = S_IFCHR,
			.rdev = makedev(default_devices[i].major, default_devices[i].minor),
			.mode = 0666, .is_default = true,
		};
		if (device_create(ctx->rootfs_fd, &d, ctx->userns, err) < 0)
			return hutch_error_wrap(err, "default device %s", d.path);
	}
	return 0;
}

static int devices_config(const struct rootfs_ctx *ctx, struct hutch_error **err)
{
	const struct spec_linux *l = ctx->spec->linux_;
	for (size_t i = 0; l && i < l->n_devices; i++) {
		const struct spec_device *sd = &l->devices[i];
		struct device_req d = {
			.path = sd->path, .type = device_type(sd->type),
			.rdev = makedev((unsigned)sd->major, (unsigned)sd->minor),
			.mode = sd->has_file_mode ? sd->file_mode : 0666,
			.uid = sd->has_uid ? sd->uid : 0, .gid = sd->has_gid ? sd->gid : 0,
		};
		if (d.type == 0)
			return hutch_error_set(err, EINVAL, "linux.devices[%zu].type: invalid %s", i,
					       sd->type ? sd->type : "(none)");
		if (device_create(ctx->rootfs_fd, &d, ctx->userns, err) < 0)
			return hutch_error_wrap(err, "linux.devices[%zu]", i);
	}
	return 0;
}

static int devices_symlinks(const struct rootfs_ctx *ctx, struct hutch_error **err)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_symlinks); i++) {
		const char *link = default_symlinks[i].link;
		if (config_has_device(ctx->spec, link))
			continue;
		cleanup_close int parent = -1;
		cleanup_free char *base = NULL;
		if (path_open_parent_in_root(ctx->rootfs_fd, link, &parent, &base, err) < 0)
			return -1;
		/* /dev/ptmx must be the devpts one (devpts(4) with newinstance). */
		if (strcmp(base, "ptmx") == 0 && unlinkat(parent, base, 0) < 0 && errno != ENOENT)
			return hutch_error_errno(err, "remove %s", link);
		if (symlinkat(default_symlinks[i].target, parent, base) < 0 && errno != EEXIST)
			return hutch_error_errno(err, "symlink %s", link);
	}
	return 0;
}

/* runtime-linux.md: /dev/console is bind-mounted from the pty when terminal is
 * set; the mount point must exist before the pivot. */
static int devices_console(const struct rootfs_ctx *ctx, struct hutch_error **err)
{
	if (ctx->spec->process == NULL || !ctx->spec->process->terminal)
		return 0;
	cleanup_close int fd = -1;
	return path_mkfile_in_root(ctx->rootfs_fd, "/dev/console", 0600, &fd, err);
}

static bool dev_is_bind_mounted(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		cleanup_free char *d = path_clean(s->mounts[i].destination);
		if (strcmp(d, "/dev") == 0 && mount_entry_is_bind(&s->mounts[i]))
			return true;
	}
	return false;
}

static int rootfs_devices(const struct rootfs_ctx *ctx, struct hutch_error **err)
{
	/* A /dev bound from the host already has its nodes; creating ours there
	 * would write to the host (runc skips it too). */
	if (dev_is_bind_mounted(ctx->spec))
		return 0;
	if (devices_default(ctx, err) < 0 || devices_config(ctx, err) < 0 ||
	    devices_symlinks(ctx, err) < 0 || devices_console(ctx, err) < 0)
		return -1;
	return 0;
}

/* ---- prepare ---- */

int rootfs_prepare(struct rootfs_ctx *ctx, struct hutch_error **err)
{
	const struct spec *s = ctx->spec;
	if (rootfs_isolate(s, err) < 0)
		return -1;
	/* pivot_root needs the new root to be a mount point. */
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hutch_error_errno(err, "bind rootfs %s", ctx->rootfs);
	closep(&ctx->rootfs_fd);
	ctx->rootfs_fd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->rootfs_fd < 0)
		return hutch_error_errno(err, "open rootfs %s", ctx->rootfs);
	cleanup_free char *context = lsm_mount_context(s->linux_);
	struct mount_env env = {
		.rootfs_fd = ctx->rootfs_fd, .idmap_fds = ctx->idmap_fds,
		.bundle = ctx->bundle, .userns = ctx->userns,
		.new_cgroupns = ctx->new_cgroupns, .cgroup_path = ctx->cgroup_path,
		.mount_context = context,
	};
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_entry_apply(&env, &s->mounts[i], i, err) < 0)
			return -1;
	return rootfs_devices(ctx, err);
}

/* ---- pivot ---- */

/* --no-pivot (runc's msMoveRoot, simplified): move the rootfs over "/" and
 * chroot. The old root stays reachable from below: this is why it is opt-in. */
static int rootfs_move_root(struct rootfs_ctx *ctx, struct hutch_error **err)
{
	if (fchdir(ctx->rootfs_fd) < 0)
		return hutch_error_errno(err, "chdir to rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return hutch_error_errno(err, "move rootfs to /");
	if (chroot(".") < 0)
		return hutch_error_errno(err, "chroot");
	return 0;
}

/* pivot_root(".", "."): the old root ends up stacked on the new one, so no
 * put_old directory is needed in the rootfs; it is then detached. */
static int rootfs_pivot_root(struct rootfs_ctx *ctx, struct hutch_error **err)
{
	cleanup_close int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return hutch_error_errno(err, "open /");
	if (fchdir(ctx->rootfs_fd) < 0)
		return hutch_error_errno(err, "chdir to rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return hutch_error_errno(err, "pivot_root");
	if (fchdir(oldroot) < 0)
		return hutch_error_errno(err, "chdir to the old root");
	/* Slave first: the detach must not propagate to the host's mounts. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return hutch_error_errno(err, "make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return hutch_error_errno(err, "detach the old root");
	return 0;
}

int rootfs_pivot(struct rootfs_ctx *ctx, struct hutch_error **err)
{
	int r = ctx->no_pivot ? rootfs_move_root(ctx, err) : rootfs_pivot_root(ctx, err);
	if (r < 0)
		return -1;
	if (chdir("/") < 0)
		return hutch_error_errno(err, "chdir /");
	closep(&ctx->rootfs_fd);
	ctx->rootfs_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->rootfs_fd < 0)
		return hutch_error_errno(err, "open /");
	return 0;
}

/* ---- finalize ---- */

static int open_or_missing(int rootfd, const char *path, int *fd, const char *field, size_t i,
			   struct hutch_error **err)
{
	*fd = path_open_in_root(rootfd, path, O_PATH);
	if (*fd >= 0 || errno == ENOENT)
		return 0;
	return hutch_error_errno(err, "%s[%zu]: open %s", field, i, path);
}

/* CVE-2025-31133: the masking source is the runtime's own /dev/null, checked
 * to be the null device; the container's /dev/null could be a symlink to a
 * file it wants exposed (bound writable over the masked path). */
static int open_null_device(struct hutch_error **err)
{
	cleanup_close int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "linux.maskedPaths: open the runtime's /dev/null");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return hutch_error_errno(err, "linux.maskedPaths: stat the runtime's /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return hutch_error_set(err, EINVAL, "linux.maskedPaths: the runtime's /dev/null is not the null device");
	return take_fd(&fd);
}

static int mask_path(int rootfd, int null, const char *context, const char *path, size_t i,
		     struct hutch_error **err)
{
	cleanup_close int fd = -1;
	if (open_or_missing(rootfd, path, &fd, "linux.maskedPaths", i, err) < 0)
		return -1;
	if (fd < 0)
		return 0; /* missing: nothing to hide (as runc) */
	struct stat st;
	if (fstat(fd, &st) < 0)
		return hutch_error_errno(err, "linux.maskedPaths[%zu]: stat %s", i, path);
	struct fd_path tp = fd_path(fd);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", tp.s, "tmpfs", MS_RDONLY, context) < 0)
			return hutch_error_errno(err, "linux.maskedPaths[%zu]: mount tmpfs on %s", i, path);
		return 0;
	}
	struct fd_path np = fd_path(null);
	if (mount(np.s, tp.s, NULL, MS_BIND, NULL) < 0)
		return hutch_error_errno(err, "linux.maskedPaths[%zu]: bind /dev/null on %s", i, path);
	return 0;
}

static int readonly_path(int rootfd, const char *path, size_t i, struct hutch_error **err)
{
	cleanup_close int fd = -1;
	if (open_or_missing(rootfd, path, &fd, "linux.readonlyPaths", i, err) < 0)
		return -1;
	if (fd < 0)
		return 0;
	struct fd_path tp = fd_path(fd);
	if (mount(tp.s, tp.s, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hutch_error_errno(err, "linux.readonlyPaths[%zu]: bind %s", i, path);
	cleanup_close int top = path_open_in_root(rootfd, path, O_PATH);
	if (top < 0)
		return hutch_error_errno(err, "linux.readonlyPaths[%zu]: open %s", i, path);
	if (mount_fd_set_flags(top, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, path, err) < 0)
		return hutch_error_wrap(err, "linux.readonlyPaths[%zu]", i);
	return 0;
}

static int rootfs_readonly_root(struct rootfs_ctx *ctx, struct hutch_error **err)
{
	if (ctx->spec->root == NULL || !ctx->spec->root->readonly)
		return 0;
	/* Keep the flags the rootfs mount already has (nosuid...): only add ro. */
	unsigned long flags;
	if (mount_locked_flags(ctx->rootfs_fd, &flags, err) < 0)
		return hutch_error_wrap(err, "root.readonly");
	if (mount_fd_set_flags(ctx->rootfs_fd, flags | MS_RDONLY, "/", err) < 0)
		return hutch_error_wrap(err, "root.readonly");
	return 0;
}

int rootfs_finalize(struct rootfs_ctx *ctx, struct hutch_error **err)
{
	const struct spec_linux *l = ctx->spec->linux_;
	for (size_t i = 0; l && i < l->n_readonly_paths; i++)
		if (readonly_path(ctx->rootfs_fd, l->readonly_paths[i], i, err) < 0)
			return -1;
	if (l && l->n_masked_paths) {
		cleanup_close int null = open_null_device(err);
		if (null < 0)
			return -1;
		cleanup_free char *context = lsm_mount_context(l);
		for (size_t i = 0; i < l->n_masked_paths; i++)
			if (mask_path(ctx->rootfs_fd, null, context, l->masked_paths[i], i, err) < 0)
				return -1;
	}
	return rootfs_readonly_root(ctx, err);
}

int rootfs_propagate(struct rootfs_ctx *ctx, struct hutch_error **err)
{
	const char *p = rootfs_propagation(ctx->spec);
	unsigned long f;
	if (p && propagation_flags(p, &f) == 0 && mount(NULL, "/", NULL, f, NULL) < 0)
		return hutch_error_errno(err, "linux.rootfsPropagation: make / %s", p);
	return 0;
}

void rootfs_ctx_release(struct rootfs_ctx *ctx)
{
	closep(&ctx->rootfs_fd);
}

/* ---- validation ---- */

/* config.md idmap/ridmap: without mappings of its own "and the container isn't
 * using user namespaces, an error MUST be returned". Only bind mounts, as runc. */
static int validate_idmap(const struct spec_mount *m, size_t i, bool userns, struct hutch_error **err)
{
	if (!mount_entry_is_idmapped(m))
		return 0;
	if (!mount_entry_is_bind(m))
		return hutch_error_set(err, 0, "mounts[%zu]: only bind mounts can be id-mapped", i);
	if (m->n_uid_mappings == 0 && !userns)
		return hutch_error_set(err, 0, "mounts[%zu]: idmap without uidMappings/gidMappings "
				       "needs a user namespace to take the mapping from", i);
	return 0;
}

static int validate_mount(const struct spec_mount *m, size_t i, bool userns, struct hutch_error **err)
{
	/* config.md (Linux): destination SHOULD be absolute; a relative one is
	 * deprecated and taken relative to "/". */
	if (m->destination == NULL || m->destination[0] == '\0')
		return hutch_error_set(err, 0, "mounts[%zu].destination: must not be empty", i);
	bool bind = mount_entry_is_bind(m);
	bool remount = false;
	for (size_t j = 0; j < m->n_options; j++) {
		const struct mount_option *o = mount_option_find(m->options[j]);
		remount |= o && o->kind == MOUNT_OPT_FLAG && (o->flags & MS_REMOUNT);
	}
	if (!bind && !remount && (m->type == NULL || m->type[0] == '\0'))
		return hutch_error_set(err, 0, "mounts[%zu].type: required for a non-bind mount", i);
	if (bind && !remount && (m->source == NULL || m->source[0] == '\0'))
		return hutch_error_set(err, 0, "mounts[%zu].source: required for a bind mount", i);
	if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
		return hutch_error_set(err, 0,
				       "mounts[%zu]: uidMappings and gidMappings go together", i);
	return validate_idmap(m, i, userns, err);
}

static int validate_abs_list(char **v, size_t n, const char *field, struct hutch_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == NULL || v[i][0] != '/')
			return hutch_error_set(err, 0, "%s[%zu]: must be an absolute path", field, i);
	return 0;
}

static int validate_linux(const struct spec_linux *l, struct hutch_error **err)
{
	unsigned long f;
	if (l->rootfs_propagation && l->rootfs_propagation[0] &&
	    propagation_flags(l->rootfs_propagation, &f) < 0)
		return hutch_error_set(err, 0, "linux.rootfsPropagation: unknown value %s",
				       l->rootfs_propagation);
	for (size_t i = 0; i < l->n_devices; i++) {
		const struct spec_device *d = &l->devices[i];
		if (device_type(d->type) == 0)
			return hutch_error_set(err, 0, "linux.devices[%zu].type: must be c, b, u or p", i);
		if (d->path == NULL || d->path[0] != '/')
			return hutch_error_set(err, 0, "linux.devices[%zu].path: must be an absolute path", i);
		if (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
			return hutch_error_set(err, 0, "linux.devices[%zu]: major/minor out of range", i);
	}
	if (validate_abs_list(l->masked_paths, l->n_masked_paths, "linux.maskedPaths", err) < 0)
		return -1;
	return validate_abs_list(l->readonly_paths, l->n_readonly_paths, "linux.readonlyPaths", err);
}

int rootfs_validate(const struct spec *s, struct hutch_error **err)
{
	bool userns = spec_find_namespace(s, SPEC_NS_USER) != NULL;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (validate_mount(&s->mounts[i], i, userns, err) < 0)
			return -1;
	return s->linux_ ? validate_linux(s->linux_, err) : 0;
}
