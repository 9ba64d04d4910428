#include "mount.h"
#include "mount_api.h"
#include "namespaces.h"
#include "paths.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <sys/sendfile.h>

#define FLAG(n, f) { .name = n, .kind = MOUNT_OPT_FLAG, .flags = f }
#define CLEAR(n, f) { .name = n, .kind = MOUNT_OPT_FLAG, .flags = f, .clear = true }
#define PROP(n, f, r) { .name = n, .kind = MOUNT_OPT_PROPAGATION, .flags = f, .recursive = r }
#define RATTR(n, set, clr) { .name = n, .kind = MOUNT_OPT_RECURSIVE, .attr_set = set, .attr_clr = clr }
#define RATIME(n, mode) RATTR(n, mode, MOUNT_ATTR__ATIME)

const struct mount_option mount_options_table[] = {
	CLEAR("async", MS_SYNCHRONOUS),
	CLEAR("atime", MS_NOATIME),
	FLAG("bind", MS_BIND),
	FLAG("defaults", 0),
	CLEAR("dev", MS_NODEV),
	CLEAR("diratime", MS_NODIRATIME),
	FLAG("dirsync", MS_DIRSYNC),
	CLEAR("exec", MS_NOEXEC),
	FLAG("iversion", MS_I_VERSION),
	FLAG("lazytime", MS_LAZYTIME),
	CLEAR("loud", MS_SILENT),
	FLAG("mand", MS_MANDLOCK),
	FLAG("noatime", MS_NOATIME),
	FLAG("nodev", MS_NODEV),
	FLAG("nodiratime", MS_NODIRATIME),
	FLAG("noexec", MS_NOEXEC),
	CLEAR("noiversion", MS_I_VERSION),
	CLEAR("nolazytime", MS_LAZYTIME),
	CLEAR("nomand", MS_MANDLOCK),
	CLEAR("norelatime", MS_RELATIME),
	CLEAR("nostrictatime", MS_STRICTATIME),
	FLAG("nosuid", MS_NOSUID),
	FLAG("nosymfollow", MS_NOSYMFOLLOW),
	FLAG("rbind", MS_BIND | MS_REC),
	FLAG("relatime", MS_RELATIME),
	FLAG("remount", MS_REMOUNT),
	FLAG("ro", MS_RDONLY),
	CLEAR("rw", MS_RDONLY),
	FLAG("silent", MS_SILENT),
	FLAG("strictatime", MS_STRICTATIME),
	FLAG("sync", MS_SYNCHRONOUS),
	CLEAR("suid", MS_NOSUID),
	CLEAR("symfollow", MS_NOSYMFOLLOW),
	PROP("private", MS_PRIVATE, false),
	PROP("rprivate", MS_PRIVATE, true),
	PROP("shared", MS_SHARED, false),
	PROP("rshared", MS_SHARED, true),
	PROP("slave", MS_SLAVE, false),
	PROP("rslave", MS_SLAVE, true),
	PROP("unbindable", MS_UNBINDABLE, false),
	PROP("runbindable", MS_UNBINDABLE, true),
	RATIME("ratime", MOUNT_ATTR_RELATIME),
	RATTR("rdev", 0, MOUNT_ATTR_NODEV),
	RATTR("rdiratime", 0, MOUNT_ATTR_NODIRATIME),
	RATTR("rexec", 0, MOUNT_ATTR_NOEXEC),
	RATIME("rnoatime", MOUNT_ATTR_NOATIME),
	RATTR("rnodev", MOUNT_ATTR_NODEV, 0),
	RATTR("rnodiratime", MOUNT_ATTR_NODIRATIME, 0),
	RATTR("rnoexec", MOUNT_ATTR_NOEXEC, 0),
	RATIME("rnorelatime", MOUNT_ATTR_STRICTATIME),
	RATIME("rnostrictatime", MOUNT_ATTR_RELATIME),
	RATTR("rnosuid", MOUNT_ATTR_NOSUID, 0),
	RATTR("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0),
	RATIME("rrelatime", MOUNT_ATTR_RELATIME),
	RATTR("rro", MOUNT_ATTR_RDONLY, 0),
	RATTR("rrw", 0, MOUNT_ATTR_RDONLY),
	RATIME("rstrictatime", MOUNT_ATTR_STRICTATIME),
	RATTR("rsuid", 0, MOUNT_ATTR_NOSUID),
	RATTR("rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW),
	{ .name = "tmpcopyup", .kind = MOUNT_OPT_TMPCOPYUP },
	{ .name = "idmap", .kind = MOUNT_OPT_IDMAP },
	{ .name = "ridmap", .kind = MOUNT_OPT_IDMAP, .recursive = true },
};
const size_t mount_options_table_len = ARRAY_SIZE(mount_options_table);

/* Per-mount flags that a bind remount can change. */
#define MOUNT_PER_MOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | \
			       MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW)
#define MOUNT_ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

const struct mount_option *mount_option_find(const char *name)
{
	for (size_t i = 0; i < mount_options_table_len; i++)
		if (strcmp(mount_options_table[i].name, name) == 0)
			return &mount_options_table[i];
	return NULL;
}

static void plan_add_data(struct mount_plan *p, const char *opt)
{
	if (p->data == NULL) {
		p->data = xstrdup(opt);
		return;
	}
	char *d = xasprintf("%s,%s", p->data, opt);
	free(p->data);
	p->data = d;
}

static void plan_add_option(struct mount_plan *p, const struct mount_option *o)
{
	switch (o->kind) {
	case MOUNT_OPT_FLAG:
		if (o->clear)
			p->flags &= ~o->flags;
		else
			p->flags |= o->flags;
		/* The last atime option wins (mount(8) behaviour). */
		if (!o->clear && (o->flags & MOUNT_ATIME_FLAGS))
			p->flags = (p->flags & ~MOUNT_ATIME_FLAGS) | o->flags;
		break;
	case MOUNT_OPT_PROPAGATION:
		p->propagation = xrealloc(p->propagation, sizeof(unsigned long) * (p->n_propagation + 1));
		p->propagation[p->n_propagation++] = o->flags | (o->recursive ? MS_REC : 0);
		break;
	case MOUNT_OPT_RECURSIVE:
		p->has_attr = true;
		if (o->attr_clr & MOUNT_ATTR__ATIME)
			p->attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
		p->attr_set = (p->attr_set & ~o->attr_clr) | o->attr_set;
		p->attr_clr = (p->attr_clr & ~o->attr_set) | o->attr_clr;
		break;
	case MOUNT_OPT_TMPCOPYUP:
		p->tmpcopyup = true;
		break;
	case MOUNT_OPT_IDMAP:
		if (o->recursive)
			p->ridmap = true;
		else
			p->idmap = true;
		break;
	}
}

bool mount_entry_is_bind(const struct spec_mount *m)
{
	if (m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0))
		return true;
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
			return true;
	return false;
}

int mount_plan_build(const struct spec_mount *m, struct mount_plan *p, struct hutch_error **err)
{
	(void)err;
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < m->n_options; i++) {
		const struct mount_option *o = mount_option_find(m->options[i]);
		if (o)
			plan_add_option(p, o);
		else if (m->options[i][0] != '\0')
			plan_add_data(p, m->options[i]);
	}
	if (m->type && strcmp(m->type, "rbind") == 0)
		p->flags |= MS_BIND | MS_REC;
	else if (m->type && strcmp(m->type, "bind") == 0)
		p->flags |= MS_BIND;
	p->bind = (p->flags & MS_BIND) != 0;
	/* As runc: mappings without idmap/ridmap (config.md only says SHOULD) map the top mount. */
	if (m->n_uid_mappings > 0 && !p->ridmap)
		p->idmap = true;
	return 0;
}

void mount_plan_release(struct mount_plan *p)
{
	free(p->propagation);
	free(p->data);
	p->propagation = NULL;
	p->data = NULL;
}

/* ---- tmpcopyup ---- */

static int copy_tree(int from, int to, const char *what, struct hutch_error **err);

static int copy_file(int from, int to, const char *name, const struct stat *st,
		     struct hutch_error **err)
{
	cleanup_close int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return hutch_error_errno(err, "tmpcopyup: open %s", name);
	cleanup_close int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				       st->st_mode & 07777);
	if (out < 0)
		return hutch_error_errno(err, "tmpcopyup: create %s", name);
	for (off_t left = st->st_size; left > 0; ) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n < 0)
			return hutch_error_errno(err, "tmpcopyup: copy %s", name);
		if (n == 0)
			break;
		left -= n;
	}
	return 0;
}

static int copy_entry(int from, int to, const char *name, struct hutch_error **err)
{
	struct stat st;
	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return hutch_error_errno(err, "tmpcopyup: stat %s", name);
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(to, name, st.st_mode & 07777) < 0)
			return hutch_error_errno(err, "tmpcopyup: mkdir %s", name);
		cleanup_close int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_from < 0 || sub_to < 0)
			return hutch_error_errno(err, "tmpcopyup: open %s", name);
		if (copy_tree(sub_from, sub_to, name, err) < 0)
			return -1;
	} else if (S_ISREG(st.st_mode)) {
		if (copy_file(from, to, name, &st, err) < 0)
			return -1;
	} else if (S_ISLNK(st.st_mode)) {
		cleanup_free char *target = xmalloc((size_t)st.st_size + 1);
		ssize_t n = readlinkat(from, name, target, (size_t)st.st_size + 1);
		if (n < 0)
			return hutch_error_errno(err, "tmpcopyup: readlink %s", name);
		target[n < st.st_size ? n : st.st_size] = '\0';
		if (symlinkat(target, to, name) < 0)
			return hutch_error_errno(err, "tmpcopyup: symlink %s", name);
	} else if (mknodat(to, name, st.st_mode, st.st_rdev) < 0) {
		return hutch_error_errno(err, "tmpcopyup: mknod %s", name);
	}
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hutch_error_errno(err, "tmpcopyup: chown %s", name);
	if (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) < 0)
		return hutch_error_errno(err, "tmpcopyup: chmod %s", name);
	return 0;
}

static int copy_tree(int from, int to, const char *what, struct hutch_error **err)
{
	int dfd = fcntl(from, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0)
		return hutch_error_errno(err, "tmpcopyup: %s", what);
	cleanup_dir DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return hutch_error_errno(err, "tmpcopyup: %s", what);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(from, to, de->d_name, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- cgroup ---- */

#define CGROUP_ROOT "/sys/fs/cgroup"

static bool is_cgroup_type(const char *t)
{
	return t && (strcmp(t, "cgroup") == 0 || strcmp(t, "cgroup2") == 0);
}

static bool host_is_cgroup2(void)
{
	struct statfs sf;
	return statfs(CGROUP_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static bool csv_contains(const char *csv, const char *item, size_t len)
{
	for (const char *p = csv; *p; ) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == len && strncmp(p, item, len) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* A /proc/self/cgroup line "N:<key>:<path>" matches a hierarchy whose super
 * options hold every controller of <key>; cgroup2 is the line with an empty key. */
static bool cgroup_key_matches(const char *key, const char *superopts, bool v2)
{
	if (v2 || key[0] == '\0')
		return v2 && key[0] == '\0';
	for (const char *p = key; *p; ) {
		const char *end = strchrnul(p, ',');
		if (!csv_contains(superopts, p, (size_t)(end - p)))
			return false;
		p = *end ? end + 1 : end;
	}
	return true;
}

/* This process's cgroup in the hierarchy (and its key, the v1 mount data). */
static int own_cgroup(const char *superopts, bool v2, char **path, char **key,
		      struct hutch_error **err)
{
	cleanup_free char *buf = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &buf, NULL, err) < 0)
		return -1;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *k = strchr(line, ':');
		char *p = k ? strchr(k + 1, ':') : NULL;
		if (p == NULL)
			continue;
		*p = '\0';
		if (cgroup_key_matches(k + 1, superopts, v2)) {
			*path = xstrdup(p + 1);
			*key = xstrdup(k + 1);
			return 0;
		}
	}
	return hutch_error_set(err, ENOENT, "no cgroup of this process matches %s", superopts);
}

struct cgroup_mnt {
	char *mountpoint, *root, *fstype, *superopts;
};

static void cgroup_mnt_release(struct cgroup_mnt *c)
{
	free(c->mountpoint);
	free(c->root);
	free(c->fstype);
	free(c->superopts);
}

/* "id parent maj:min root mountpoint opts [optional...] - fstype source superopts" */
static bool parse_mountinfo_line(char *line, struct cgroup_mnt *out)
{
	char *f[5], *save = NULL;
	char *tok = strtok_r(line, " ", &save);
	for (int i = 0; i < 5 && tok; i++, tok = strtok_r(NULL, " ", &save))
		f[i] = tok;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	char *fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
	char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
	char *superopts = source ? strtok_r(NULL, " ", &save) : NULL;
	if (superopts == NULL)
		return false;
	out->root = xstrdup(f[3]);
	out->mountpoint = xstrdup(f[4]);
	out->fstype = xstrdup(fstype);
	out->superopts = xstrdup(superopts);
	return true;
}

/* The host's cgroup hierarchies directly under /sys/fs/cgroup. */
static int host_cgroup_mounts(struct cgroup_mnt **out, size_t *n, struct hutch_error **err)
{
	cleanup_free char *buf = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &buf, NULL, err) < 0)
		return -1;
	struct cgroup_mnt *v = NULL;
	size_t cnt = 0;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct cgroup_mnt c = { 0 };
		if (!parse_mountinfo_line(line, &c))
			continue;
		const char *name = c.mountpoint + strlen(CGROUP_ROOT "/");
		if (!is_cgroup_type(c.fstype) || strncmp(c.mountpoint, CGROUP_ROOT "/", strlen(CGROUP_ROOT "/")) != 0 ||
		    strchr(name, '/') != NULL) {
			cgroup_mnt_release(&c);
			continue;
		}
		v = xrealloc(v, sizeof(*v) * (cnt + 1));
		v[cnt++] = c;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Bind `host` onto `target` (inside the rootfs at `dest`) with the per-mount
 * flags of `flags`: set on the detached copy with the new API, else by a
 * remount of the target found again after mount(2). */
static int bind_onto(const struct mount_env *env, const char *host, int target, const char *dest,
		     unsigned long flags, struct hutch_error **err)
{
	if (mount_api_wanted()) {
		cleanup_close int tree = mount_tree_clone(AT_FDCWD, host, true, host, err);
		int r = tree < 0 ? -1 : mount_tree_set_flags(tree, flags, dest, err);
		if (r == 0)
			return mount_tree_attach(tree, target, dest, err);
		if (!mount_api_missing(err))
			return -1;
	}
	cleanup_close int src = open(host, O_PATH | O_CLOEXEC);
	if (src < 0)
		return hutch_error_errno(err, "open %s", host);
	struct fd_path sp = fd_path(src), tp = fd_path(target);
	if (mount(sp.s, tp.s, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hutch_error_errno(err, "bind %s", host);
	/* Through the rootfs again: the magic link would name the covered directory. */
	cleanup_close int top = path_open_in_root(env->rootfs_fd, dest, O_PATH);
	if (top < 0)
		return hutch_error_errno(err, "open %s after mount", dest);
	return mount_fd_set_flags(top, flags, host, err);
}

/* Bind the container's own cgroup directory of a host hierarchy. */
static int cgroup_bind_own(const struct mount_env *env, int target, const char *dest,
			   const char *mountpoint, const char *root, const char *own,
			   unsigned long flags, struct hutch_error **err)
{
	size_t rl = strlen(root);
	const char *rel = (strcmp(root, "/") != 0 && strncmp(own, root, rl) == 0) ? own + rl : own;
	cleanup_free char *host = xasprintf("%s%s", mountpoint, rel);
	return bind_onto(env, host, target, dest, flags, err);
}

/* One hierarchy at `target`: a fresh mount in a new cgroup namespace (it shows
 * the namespace root, i.e. the container's cgroup), else a bind. */
static int cgroup_mount_one(const struct mount_env *env, int target, const char *dest,
			    const struct cgroup_mnt *c, unsigned long flags, struct hutch_error **err)
{
	bool v2 = strcmp(c->fstype, "cgroup2") == 0;
	cleanup_free char *own = NULL, *key = NULL;
	if (own_cgroup(c->superopts, v2, &own, &key, err) < 0)
		return -1;
	if (env->new_cgroupns) {
		struct fd_path tp = fd_path(target);
		if (mount(c->fstype, tp.s, c->fstype, flags & MOUNT_PER_MOUNT_FLAGS, v2 ? NULL : key) == 0)
			return 0;
		if (errno != EPERM && errno != EBUSY)
			return hutch_error_errno(err, "mount %s on %s", c->fstype, c->mountpoint);
	}
	return cgroup_bind_own(env, target, dest, c->mountpoint, c->root, own, flags, err);
}

/* cgroup v1 (runc's layout): a tmpfs at the destination, one directory per
 * host hierarchy, and symlinks for co-mounted controllers ("cpu" -> "cpu,cpuacct"). */
static int cgroup_v1_tree(const struct mount_env *env, int tmpfs, const struct mount_plan *plan,
			  const char *dest, struct hutch_error **err)
{
	struct cgroup_mnt *mnts = NULL;
	size_t n = 0;
	int r = host_cgroup_mounts(&mnts, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *name = mnts[i].mountpoint + strlen(CGROUP_ROOT "/");
		if (mkdirat(tmpfs, name, 0755) < 0 && errno != EEXIST) {
			r = hutch_error_errno(err, "mkdir %s/%s", dest, name);
			break;
		}
		cleanup_close int sub = openat(tmpfs, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_free char *subdest = xasprintf("%s/%s", dest, name);
		if (sub < 0)
			r = hutch_error_errno(err, "open %s", subdest);
		else
			r = cgroup_mount_one(env, sub, subdest, &mnts[i], plan->flags, err);
		for (const char *p = name; r == 0 && strchr(name, ',') && *p; ) {
			const char *end = strchrnul(p, ',');
			cleanup_free char *ctrl = xstrndup(p, (size_t)(end - p));
			if (symlinkat(name, tmpfs, ctrl) < 0 && errno != EEXIST)
				r = hutch_error_errno(err, "symlink %s/%s", dest, ctrl);
			p = *end ? end + 1 : end;
		}
	}
	for (size_t i = 0; i < n; i++)
		cgroup_mnt_release(&mnts[i]);
	free(mnts);
	return r;
}

static int cgroup_mount_v1(const struct mount_env *env, const struct mount_plan *plan,
			   const char *dest, int target, struct hutch_error **err)
{
	struct fd_path tp = fd_path(target);
	unsigned long flags = plan->flags & MOUNT_PER_MOUNT_FLAGS & ~MS_RDONLY;
	if (mount("tmpfs", tp.s, "tmpfs", flags, "mode=755") < 0)
		return hutch_error_errno(err, "mount tmpfs on %s", dest);
	cleanup_close int top = path_open_in_root(env->rootfs_fd, dest, O_PATH | O_DIRECTORY);
	if (top < 0)
		return hutch_error_errno(err, "open %s after mount", dest);
	if (cgroup_v1_tree(env, top, plan, dest, err) < 0)
		return -1;
	if (plan->flags & MS_RDONLY)
		return mount_fd_set_flags(top, plan->flags, dest, err);
	return 0;
}

static int mount_cgroup_apply(const struct mount_env *env, const struct spec_mount *m,
			      const struct mount_plan *plan, const char *dest, struct hutch_error **err)
{
	cleanup_close int target = -1;
	if (path_mkdir_all_in_root(env->rootfs_fd, dest, 0755, &target, err) < 0)
		return -1;
	bool v2host = host_is_cgroup2();
	if (strcmp(m->type, "cgroup") == 0 && !v2host)
		return cgroup_mount_v1(env, plan, dest, target, err);
	struct cgroup_mnt c = {
		.mountpoint = v2host ? CGROUP_ROOT : CGROUP_ROOT "/unified", .root = "/",
		.fstype = "cgroup2", .superopts = "",
	};
	if (cgroup_mount_one(env, target, dest, &c, plan->flags, err) < 0)
		return -1;
	if (plan->n_propagation == 0)
		return 0;
	cleanup_close int top = path_open_in_root(env->rootfs_fd, dest, O_PATH);
	if (top < 0)
		return hutch_error_errno(err, "open %s after mount", dest);
	for (size_t i = 0; i < plan->n_propagation; i++)
		if (mount_fd_set_propagation(top, plan->propagation[i], dest, err) < 0)
			return -1;
	return 0;
}

/* ---- one mount entry ---- */

struct entry {
	const struct mount_env *env;
	const struct spec_mount *m;
	struct mount_plan plan;
	char *dest;         /* cleaned, absolute inside the rootfs */
	int src_fd;         /* bind: the source, a detached copy (new API) or O_PATH */
	int target_fd;      /* O_PATH of the mount point before the mount */
	bool tree;          /* made with the new mount API, see mount_api.h */
	bool prepared;      /* src_fd is an id-mapped tree made by mount_idmap_prepare */
};

static const char *entry_name(const struct entry *e)
{
	const struct spec_mount *m = e->m;
	if (e->plan.bind)
		return m->source ? m->source : "(bind)";
	return m->type ? m->type : (m->source ? m->source : "none");
}

/* A plain new filesystem is one mount(2) onto the target fd and nothing after
 * it: the new API would only add calls. Everything else is built detached. */
static bool entry_wants_tree(const struct entry *e)
{
	const struct mount_plan *p = &e->plan;
	if (!mount_api_wanted() || (p->flags & MS_REMOUNT))
		return false;
	if (p->bind)
		return true;
	return (p->tmpcopyup || p->has_attr || p->n_propagation) &&
	       mount_tree_new_fs_can(p->flags, p->data);
}

/* config.md: bind sources are absolute or relative to the bundle. */
static char *bind_source_path(const struct spec_mount *m, const char *bundle, struct hutch_error **err)
{
	const char *src = m->source;
	if (src == NULL || src[0] == '\0') {
		hutch_error_set(err, EINVAL, "bind mount without a source");
		return NULL;
	}
	return src[0] == '/' || bundle == NULL ? xstrdup(src) : xasprintf("%s/%s", bundle, src);
}

static int entry_open_source(struct entry *e, struct hutch_error **err)
{
	cleanup_free char *path = bind_source_path(e->m, e->env->bundle, err);
	if (path == NULL)
		return -1;
	if (e->tree) {
		cleanup_free char *what = xasprintf("source %s", path);
		e->src_fd = mount_tree_clone(AT_FDCWD, path, (e->plan.flags & MS_REC) != 0, what, err);
		if (e->src_fd >= 0 || !mount_api_missing(err))
			return e->src_fd < 0 ? -1 : 0;
		e->tree = false;
	}
	e->src_fd = open(path, O_PATH | O_CLOEXEC);
	if (e->src_fd < 0)
		return hutch_error_errno(err, "open source %s", path);
	return 0;
}

static int entry_open_target(struct entry *e, struct hutch_error **err)
{
	int root = e->env->rootfs_fd;
	if (e->plan.flags & MS_REMOUNT) {
		e->target_fd = path_open_in_root(root, e->dest, O_PATH);
		return e->target_fd < 0 ? hutch_error_errno(err, "open %s", e->dest) : 0;
	}
	struct stat st;
	if (e->plan.bind) {
		if (fstat(e->src_fd, &st) < 0)
			return hutch_error_errno(err, "stat %s", e->m->source);
		if (!S_ISDIR(st.st_mode))
			return path_mkfile_in_root(root, e->dest, 0644, &e->target_fd, err);
	}
	return path_mkdir_all_in_root(root, e->dest, 0755, &e->target_fd, err);
}

/* sysfs and mqueue cannot be mounted fresh in a user namespace that does not
 * own the net/ipc namespace: bind the runtime's own instead. */
static const char *entry_bind_fallback(const struct entry *e, int errnum)
{
	const char *t = e->m->type;
	if (!e->env->userns || errnum != EPERM || t == NULL)
		return NULL;
	return strcmp(t, "sysfs") == 0 ? "/sys" : strcmp(t, "mqueue") == 0 ? "/dev/mqueue" : NULL;
}

static int entry_open_shadowed(const struct entry *e, struct hutch_error **err)
{
	if (!e->plan.tmpcopyup)
		return -2;
	int fd = path_open_in_root(e->env->rootfs_fd, e->dest, O_RDONLY | O_DIRECTORY);
	return fd < 0 ? hutch_error_errno(err, "open %s", e->dest) : fd;
}

/* ---- with the new mount API: built detached, attached once ---- */

/* Flags and recursive attributes of a detached tree, before it is attached. */
static int tree_configure(int tree, const struct mount_plan *p, bool set_flags, const char *dest,
			  struct hutch_error **err)
{
	if (set_flags && mount_tree_set_flags(tree, p->flags, dest, err) < 0)
		return -1;
	if (p->has_attr && mount_fd_set_attr(tree, p->attr_set, p->attr_clr, dest, err) < 0)
		return -1;
	return 0;
}

static int tree_finish(const struct entry *e, int tree, bool set_flags, struct hutch_error **err)
{
	const struct mount_plan *p = &e->plan;
	if (!e->prepared && tree_configure(tree, p, set_flags, e->dest, err) < 0)
		return -1;
	if (mount_tree_attach(tree, e->target_fd, e->dest, err) < 0)
		return -1;
	/* The tree's fd is the mount now attached: no second lookup of dest. */
	for (size_t i = 0; i < p->n_propagation; i++)
		if (mount_fd_set_propagation(tree, p->propagation[i], e->dest, err) < 0)
			return -1;
	return 0;
}

static int tree_mount_fs(struct entry *e, struct hutch_error **err)
{
	const struct spec_mount *m = e->m;
	cleanup_close int shadowed = entry_open_shadowed(e, err);
	if (shadowed == -1)
		return -1;
	unsigned long flags = e->plan.flags & ~(MS_BIND | MS_REC);
	cleanup_close int tree = mount_tree_new_fs(m->type, m->source ? m->source : "none", flags,
						   e->plan.data, err);
	const char *host = tree < 0 && err && *err ? entry_bind_fallback(e, (*err)->errnum) : NULL;
	bool set_flags = false;
	if (host) {
		hutch_error_freep(err);
		tree = mount_tree_clone(AT_FDCWD, host, true, host, err);
		set_flags = (flags & MOUNT_PER_MOUNT_FLAGS) != 0;
	}
	if (tree < 0)
		return hutch_error_wrap(err, "mount %s on %s", entry_name(e), e->dest);
	/* Filled before anyone can see it. */
	if (shadowed >= 0 && copy_tree(shadowed, tree, e->dest, err) < 0)
		return -1;
	return tree_finish(e, tree, set_flags, err);
}

static int tree_mount(struct entry *e, struct hutch_error **err)
{
	if (!e->plan.bind)
		return tree_mount_fs(e, err);
	bool set_flags = (e->plan.flags & MOUNT_PER_MOUNT_FLAGS) != 0;
	if (tree_finish(e, e->src_fd, set_flags, err) < 0)
		return hutch_error_wrap(err, "mount %s on %s", entry_name(e), e->dest);
	return 0;
}

/* ---- with mount(2) on /proc/self/fd targets ---- */

/* The mount point again: now it resolves to the new mount on top. */
static int entry_reopen(const struct entry *e, struct hutch_error **err)
{
	int fd = path_open_in_root(e->env->rootfs_fd, e->dest, O_PATH);
	if (fd < 0)
		return hutch_error_errno(err, "open %s after mount", e->dest);
	return fd;
}

static int legacy_after(const struct entry *e, struct hutch_error **err)
{
	const struct mount_plan *p = &e->plan;
	bool remount = p->bind && (p->flags & (MOUNT_PER_MOUNT_FLAGS | MS_REMOUNT));
	if (!remount && p->n_propagation == 0 && !p->has_attr)
		return 0;
	cleanup_close int fd = entry_reopen(e, err);
	if (fd < 0)
		return -1;
	if (remount && mount_fd_set_flags(fd, p->flags, e->dest, err) < 0)
		return -1;
	if (p->has_attr && mount_fd_set_attr(fd, p->attr_set, p->attr_clr, e->dest, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n_propagation; i++)
		if (mount_fd_set_propagation(fd, p->propagation[i], e->dest, err) < 0)
			return -1;
	return 0;
}

static int entry_tmpcopyup(const struct entry *e, int shadowed, struct hutch_error **err)
{
	cleanup_close int top = path_open_in_root(e->env->rootfs_fd, e->dest, O_RDONLY | O_DIRECTORY);
	if (top < 0)
		return hutch_error_errno(err, "open %s after mount", e->dest);
	return copy_tree(shadowed, top, e->dest, err);
}

static int legacy_mount_fs(struct entry *e, struct hutch_error **err)
{
	struct fd_path tp = fd_path(e->target_fd);
	const struct spec_mount *m = e->m;
	cleanup_close int shadowed = entry_open_shadowed(e, err);
	if (shadowed == -1)
		return -1;
	unsigned long flags = e->plan.flags & ~(MS_BIND | MS_REC);
	if (mount(m->source ? m->source : "none", tp.s, m->type, flags, e->plan.data) < 0) {
		const char *host = entry_bind_fallback(e, errno);
		if (host == NULL || mount(host, tp.s, NULL, MS_BIND | MS_REC, NULL) < 0)
			return hutch_error_errno(err, "mount %s on %s", entry_name(e), e->dest);
		e->plan.bind = true;
	}
	if (shadowed >= 0 && entry_tmpcopyup(e, shadowed, err) < 0)
		return -1;
	return 0;
}

static int legacy_mount(struct entry *e, struct hutch_error **err)
{
	if (!e->plan.bind) {
		if (legacy_mount_fs(e, err) < 0)
			return -1;
	} else if (!(e->plan.flags & MS_REMOUNT)) {
		struct fd_path sp = fd_path(e->src_fd), tp = fd_path(e->target_fd);
		if (mount(sp.s, tp.s, NULL, e->plan.flags & (MS_BIND | MS_REC), NULL) < 0)
			return hutch_error_errno(err, "mount %s on %s", entry_name(e), e->dest);
	}
	return legacy_after(e, err);
}

static int entry_mount(struct entry *e, struct hutch_error **err)
{
	if (e->prepared) {
		e->tree = true;
		return entry_open_target(e, err) < 0 ? -1 : tree_mount(e, err);
	}
	e->tree = entry_wants_tree(e);
	int r = (e->plan.bind && !(e->plan.flags & MS_REMOUNT)) ? entry_open_source(e, err) : 0;
	if (r == 0)
		r = entry_open_target(e, err);
	if (r < 0 || !e->tree)
		return r < 0 ? r : legacy_mount(e, err);
	r = tree_mount(e, err);
	if (r == 0 || !mount_api_missing(err))
		return r;
	/* A kernel with open_tree but no mount_setattr (before 5.12): nothing
	 * was attached, the target is still free. */
	closep(&e->src_fd);
	e->tree = false;
	if (e->plan.bind && entry_open_source(e, err) < 0)
		return -1;
	return legacy_mount(e, err);
}

/* linux.mountLabel labels the filesystems made for the container, as runc
 * does: not binds and remounts (their files keep their labels), nor proc,
 * sysfs, cgroup and mqueue, which take no context= option. */
static bool mount_takes_context(const struct spec_mount *m, const struct mount_plan *p)
{
	static const char *const none[] = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue" };
	if (p->bind || (p->flags & MS_REMOUNT) || m->type == NULL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(none); i++)
		if (strcmp(m->type, none[i]) == 0)
			return false;
	return true;
}

int mount_entry_apply(const struct mount_env *env, const struct spec_mount *m, size_t idx,
		      struct hutch_error **err)
{
	struct entry e = { .env = env, .m = m, .src_fd = -1, .target_fd = -1 };
	if (mount_plan_build(m, &e.plan, err) < 0)
		return hutch_error_wrap(err, "mounts[%zu]", idx);
	e.dest = path_clean(m->destination);
	if (env->idmap_fds && env->idmap_fds[idx] >= 0) {
		e.src_fd = take_fd(&env->idmap_fds[idx]);
		e.prepared = true;
	}
	if (env->mount_context && mount_takes_context(m, &e.plan))
		plan_add_data(&e.plan, env->mount_context);
	int r;
	if (is_cgroup_type(m->type) && !e.plan.bind)
		r = mount_cgroup_apply(env, m, &e.plan, e.dest, err);
	else
		r = entry_mount(&e, err);
	if (r < 0)
		hutch_error_wrap(err, "mounts[%zu]", idx);
	closep(&e.src_fd);
	closep(&e.target_fd);
	free(e.dest);
	mount_plan_release(&e.plan);
	return r;
}

/* ---- id-mapped mounts ---- */

bool mount_entry_is_idmapped(const struct spec_mount *m)
{
	if (m->n_uid_mappings > 0 || m->n_gid_mappings > 0)
		return true;
	for (size_t i = 0; i < m->n_options; i++) {
		const struct mount_option *o = mount_option_find(m->options[i]);
		if (o && o->kind == MOUNT_OPT_IDMAP)
			return true;
	}
	return false;
}

/* One user namespace per distinct mapping, made once. */
struct idmap_userns {
	const struct spec_id_mapping *uids, *gids;
	size_t n_uids, n_gids;
	int fd;
};

struct idmap_ctx {
	const struct spec *spec;
	const char *bundle;
	struct idmap_userns *ns;
	size_t n_ns;
};

static bool maps_equal(const struct spec_id_mapping *a, size_t na, const struct spec_id_mapping *b,
		       size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

static int idmap_userns_new(struct idmap_ctx *c, const struct spec_id_mapping *u, size_t nu,
			    const struct spec_id_mapping *g, size_t ng, struct hutch_error **err)
{
	for (size_t i = 0; i < c->n_ns; i++)
		if (maps_equal(c->ns[i].uids, c->ns[i].n_uids, u, nu) &&
		    maps_equal(c->ns[i].gids, c->ns[i].n_gids, g, ng))
			return c->ns[i].fd;
	int fd = ns_userns_with_maps(u, nu, g, ng, err);
	if (fd < 0)
		return -1;
	c->ns = xrealloc(c->ns, sizeof(*c->ns) * (c->n_ns + 1));
	c->ns[c->n_ns++] = (struct idmap_userns){ u, g, nu, ng, fd };
	return fd;
}

/* config.md idmap: "If uidMappings or gidMappings are specified for the mount,
 * the runtime MUST use those values for the mount's mapping. If they are not
 * specified, the runtime MAY use the container's user namespace mapping":
 * the one joined by path, or the maps of the one created. Returns an fd the
 * context owns. */
static int idmap_userns(struct idmap_ctx *c, const struct spec_mount *m, int *joined,
			struct hutch_error **err)
{
	if (m->n_uid_mappings > 0)
		return idmap_userns_new(c, m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
					m->n_gid_mappings, err);
	const struct spec_namespace *ns = spec_find_namespace(c->spec, SPEC_NS_USER);
	if (ns == NULL)
		return hutch_error_set(err, EINVAL, "idmap: no uidMappings/gidMappings and no user namespace to take them from");
	if (ns->path) {
		if (*joined < 0 && (*joined = open(ns->path, O_RDONLY | O_CLOEXEC)) < 0)
			return hutch_error_errno(err, "open user namespace %s", ns->path);
		return *joined;
	}
	const struct spec_linux *l = c->spec->linux_;
	return idmap_userns_new(c, l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
				l->n_gid_mappings, err);
}

static int idmap_tree(struct idmap_ctx *c, const struct spec_mount *m, int *joined,
		      struct hutch_error **err)
{
	struct mount_plan p;
	if (mount_plan_build(m, &p, err) < 0)
		return -1;
	cleanup_free char *dest = path_clean(m->destination);
	cleanup_free char *path = bind_source_path(m, c->bundle, err);
	cleanup_free char *what = path ? xasprintf("source %s", path) : NULL;
	cleanup_close int tree = path ? mount_tree_clone(AT_FDCWD, path, (p.flags & MS_REC) != 0, what, err) : -1;
	int userns = tree < 0 ? -1 : idmap_userns(c, m, joined, err);
	int r = userns < 0 ? -1 : mount_tree_idmap(tree, userns, p.ridmap, dest, err);
	if (r == 0)
		r = tree_configure(tree, &p, (p.flags & MOUNT_PER_MOUNT_FLAGS) != 0, dest, err);
	mount_plan_release(&p);
	return r < 0 ? -1 : take_fd(&tree);
}

int mount_idmap_prepare(const struct spec *s, const char *bundle, int **fds, struct hutch_error **err)
{
	*fds = NULL;
	size_t n = 0;
	for (size_t i = 0; i < s->n_mounts; i++)
		n += mount_entry_is_idmapped(&s->mounts[i]);
	if (n == 0)
		return 0;
	int *v = xmalloc(sizeof(int) * s->n_mounts);
	for (size_t i = 0; i < s->n_mounts; i++)
		v[i] = -1;
	struct idmap_ctx c = { .spec = s, .bundle = bundle };
	cleanup_close int joined = -1;
	int r = 0;
	for (size_t i = 0; r == 0 && i < s->n_mounts; i++) {
		if (!mount_entry_is_idmapped(&s->mounts[i]))
			continue;
		v[i] = idmap_tree(&c, &s->mounts[i], &joined, err);
		if (v[i] < 0)
			r = hutch_error_wrap(err, "mounts[%zu]", i);
	}
	for (size_t i = 0; i < c.n_ns; i++)
		close(c.ns[i].fd);
	free(c.ns);
	if (r < 0) {
		mount_fds_free(v, s->n_mounts);
		return -1;
	}
	*fds = v;
	return 0;
}

void mount_fds_free(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		closep(&fds[i]);
	free(fds);
}
