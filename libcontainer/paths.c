#include "paths.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Linux's own limit on symlinks followed in one lookup. */
#define PATH_MAX_SYMLINKS 40

struct fd_path fd_path(int fd)
{
	struct fd_path p;
	snprintf(p.s, sizeof(p.s), "/proc/self/fd/%d", fd);
	return p;
}

char *path_clean(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t n = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t clen = (size_t)(end - p);
		if (clen == 0 || (clen == 1 && p[0] == '.')) {
			/* nothing */
		} else if (clen == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			out[n++] = '/';
			memcpy(out + n, p, clen);
			n += clen;
		}
		p = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

bool path_openat2_disabled(void)
{
	const char *v = getenv("HUTCH_TEST_NO_OPENAT2");
	return v && strcmp(v, "1") == 0;
}

/* A stack of O_PATH directory fds from the root down to the current one, so
 * that ".." pops and never climbs above the root. */
struct walk {
	int *fds;
	size_t n, cap;
	char *rest;     /* components still to resolve */
	size_t pos;
	int links;
};

static void walk_release(struct walk *w)
{
	for (size_t i = 1; i < w->n; i++)
		close(w->fds[i]);
	free(w->fds);
	free(w->rest);
}

static void walk_push(struct walk *w, int fd)
{
	if (w->n == w->cap)
		w->fds = xrealloc(w->fds, sizeof(int) * (w->cap = w->cap ? w->cap * 2 : 16));
	w->fds[w->n++] = fd;
}

static void walk_to_root(struct walk *w)
{
	while (w->n > 1)
		close(w->fds[--w->n]);
}

/* The target of a symlink, whatever st_size says: procfs links report 0. */
static char *read_link_at(int dirfd, const char *name)
{
	for (size_t sz = 256; sz <= 65536; sz *= 2) {
		cleanup_free char *buf = xmalloc(sz);
		ssize_t n = readlinkat(dirfd, name, buf, sz);
		if (n < 0)
			return NULL;
		if ((size_t)n < sz) {
			buf[n] = '\0';
			return take_ptr(&buf);
		}
	}
	errno = ENAMETOOLONG;
	return NULL;
}

/* Replace the consumed part of the path by the symlink's target. */
static int walk_follow(struct walk *w, int linkfd)
{
	if (++w->links > PATH_MAX_SYMLINKS)
		return errno = ELOOP, -1;
	cleanup_free char *target = read_link_at(linkfd, "");
	if (target == NULL)
		return -1;
	if (target[0] == '/')
		walk_to_root(w);
	char *rest = xasprintf("%s/%s", target, w->rest + w->pos);
	free(w->rest);
	w->rest = rest;
	w->pos = 0;
	return 0;
}

/* One component: returns 1 when the walk is complete, 0 to go on, -1 on error. */
static int walk_step(struct walk *w, bool nofollow_last)
{
	char *p = w->rest + w->pos;
	while (*p == '/')
		p++;
	if (*p == '\0')
		return 1;
	char *end = strchrnul(p, '/');
	cleanup_free char *comp = xstrndup(p, (size_t)(end - p));
	w->pos = (size_t)(end - w->rest);
	const char *q = end;
	while (*q == '/')
		q++;
	bool last = *q == '\0';
	if (strcmp(comp, ".") == 0)
		return 0;
	if (strcmp(comp, "..") == 0) {
		if (w->n > 1)
			close(w->fds[--w->n]);
		return 0;
	}
	int fd = openat(w->fds[w->n - 1], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (S_ISLNK(st.st_mode) && !(last && nofollow_last)) {
		int r = walk_follow(w, fd);
		close(fd);
		return r;
	}
	walk_push(w, fd);
	return 0;
}

static int resolve_userspace(int rootfd, const char *path, int flags)
{
	struct walk w = { .rest = xstrdup(path) };
	walk_push(&w, rootfd);
	int r;
	while ((r = walk_step(&w, (flags & O_NOFOLLOW) != 0)) == 0)
		;
	if (r < 0) {
		int e = errno;
		walk_release(&w);
		return errno = e, -1;
	}
	int top = w.fds[w.n - 1];
	int fd;
	if ((flags & O_PATH) && !(flags & O_DIRECTORY)) {
		fd = fcntl(top, F_DUPFD_CLOEXEC, 3);
	} else {
		/* Re-open through the fd: same inode, now with the flags asked for. */
		struct fd_path fp = fd_path(top);
		fd = open(fp.s, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
	}
	int e = errno;
	walk_release(&w);
	errno = e;
	return fd;
}

int path_open_in_root(int rootfd, const char *path, int flags)
{
	if (path[0] == '\0')
		path = ".";
	if (!path_openat2_disabled()) {
		struct open_how how = {
			.flags = (unsigned long long)(flags | O_CLOEXEC),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		for (int i = 0; i < 16; i++) {
			long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
			if (fd >= 0)
				return (int)fd;
			/* EAGAIN: a concurrent rename; ENOSYS/EPERM: no openat2 (old
			 * kernel, seccomp): fall through to the userspace walk. */
			if (errno != EAGAIN)
				break;
		}
		if (errno != ENOSYS && errno != EPERM && errno != EAGAIN)
			return -1;
	}
	return resolve_userspace(rootfd, path, flags);
}

static int mkdir_all(int rootfd, const char *path, mode_t mode, int depth, int *out,
		     struct hutch_error **err);

/* A dangling symlink on the way ("evil" -> "/etc" with no /etc in the rootfs):
 * create its target, resolved inside the root like the kernel would. */
static int mkdir_symlink_target(int rootfd, int dirfd, const char *prefix, const char *name,
				mode_t mode, int depth, struct hutch_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
		return hutch_error_set(err, ENOENT, "open %s", prefix);
	if (depth >= PATH_MAX_SYMLINKS)
		return hutch_error_set(err, ELOOP, "mkdir %s: too many symlinks", prefix);
	cleanup_free char *target = read_link_at(dirfd, name);
	if (target == NULL)
		return hutch_error_errno(err, "readlink %s", prefix);
	size_t plen = strlen(prefix) - strlen(name);
	cleanup_free char *full = target[0] == '/' ? xstrdup(target)
		: xasprintf("%.*s%s", (int)plen, prefix, target);
	cleanup_close int fd = -1;
	return mkdir_all(rootfd, full, mode, depth + 1, &fd, err);
}

int path_mkdir_all_in_root(int rootfd, const char *path, mode_t mode, int *out,
			   struct hutch_error **err)
{
	return mkdir_all(rootfd, path, mode, 0, out, err);
}

static int mkdir_all(int rootfd, const char *path, mode_t mode, int depth, int *out,
		     struct hutch_error **err)
{
	cleanup_free char *clean = path_clean(path);
	cleanup_close int cur = path_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
	if (cur < 0)
		return hutch_error_errno(err, "open the rootfs");
	for (char *s = clean + 1; *s; ) {
		char *end = strchrnul(s, '/');
		char c = *end;
		*end = '\0';
		int fd = path_open_in_root(rootfd, clean, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOENT) {
			/* Created under an fd resolved inside the root: cannot escape. */
			if (mkdirat(cur, s, mode) < 0 && errno != EEXIST)
				return hutch_error_errno(err, "mkdir %s", clean);
			fd = path_open_in_root(rootfd, clean, O_PATH | O_DIRECTORY);
			if (fd < 0 && errno == ENOENT) {
				if (mkdir_symlink_target(rootfd, cur, clean, s, mode, depth, err) < 0)
					return -1;
				fd = path_open_in_root(rootfd, clean, O_PATH | O_DIRECTORY);
			}
		}
		if (fd < 0)
			return hutch_error_errno(err, "open %s", clean);
		closep(&cur);
		cur = fd;
		*end = c;
		s = c ? end + 1 : end;
	}
	*out = take_fd(&cur);
	return 0;
}

int path_open_parent_in_root(int rootfd, const char *path, int *parent_fd, char **base,
			     struct hutch_error **err)
{
	cleanup_free char *clean = path_clean(path);
	char *slash = strrchr(clean, '/');
	if (slash[1] == '\0')
		return hutch_error_set(err, EINVAL, "%s: not a file path", path);
	*base = xstrdup(slash + 1);
	*slash = '\0';
	if (path_mkdir_all_in_root(rootfd, clean[0] ? clean : "/", 0755, parent_fd, err) < 0) {
		free(take_ptr(base));
		return -1;
	}
	return 0;
}

int path_mkfile_in_root(int rootfd, const char *path, mode_t mode, int *out,
			struct hutch_error **err)
{
	int fd = path_open_in_root(rootfd, path, O_PATH);
	if (fd >= 0) {
		*out = fd;
		return 0;
	}
	if (errno != ENOENT)
		return hutch_error_errno(err, "open %s", path);
	cleanup_close int parent = -1;
	cleanup_free char *base = NULL;
	if (path_open_parent_in_root(rootfd, path, &parent, &base, err) < 0)
		return -1;
	cleanup_close int f = openat(parent, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
	if (f < 0 && errno != EEXIST)
		return hutch_error_errno(err, "create %s", path);
	fd = path_open_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return hutch_error_errno(err, "open %s", path);
	*out = fd;
	return 0;
}
