#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* rmdir of a cgroup whose last task is still exiting gives EBUSY for a moment. */
#define CGROUP_RMDIR_TIMEOUT_NS 1000000000ULL
#define CGROUP_RETRY_SLEEP_US 10000

static bool is_cgroup2(const char *path)
{
	struct statfs st;
	return statfs(path, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

enum cgroup_mode cgroup_host_mode(void)
{
	if (is_cgroup2(CGROUP_ROOT))
		return CGROUP_MODE_V2;
	if (is_cgroup2(CGROUP_UNIFIED))
		return CGROUP_MODE_HYBRID;
	return CGROUP_MODE_V1;
}

/* "/a//b/" -> "/a/b". "." and ".." components are refused so that a hostile
 * cgroupsPath ("/../../etc") cannot leave the hierarchy; the root itself is refused
 * because the container must not share (and later remove) it. */
static int path_normalize(const char *in, char **out, size_t *depth, struct hutch_error **err)
{
	size_t len = strlen(in), n = 0, d = 0;
	cleanup_free char *p = xmalloc(len + 2);
	for (const char *s = in; *s;) {
		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		size_t l = strcspn(s, "/");
		if ((l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.'))
			return hutch_error_set(err, EINVAL, "invalid cgroup path %s: \".\" and \"..\" are not allowed", in);
		p[n++] = '/';
		memcpy(p + n, s, l);
		n += l;
		s += l;
		d++;
	}
	if (d == 0)
		return hutch_error_set(err, EINVAL, "invalid cgroup path \"%s\": the root cgroup cannot be used", in);
	p[n] = '\0';
	*out = take_ptr(&p);
	*depth = d;
	return 0;
}

static bool list_has(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *s = list; *s;) {
		size_t l = strcspn(s, ",");
		if (l == wl && strncmp(s, word, l) == 0)
			return true;
		s += l;
		if (*s == ',')
			s++;
	}
	return false;
}

bool cgroup_hier_has(const struct cgroup_hier *h, const char *controller)
{
	return list_has(h->controllers, controller);
}

char *cgroup_own_path(const char *controller)
{
	cleanup_free char *buf = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &buf, NULL, NULL) < 0)
		return NULL;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *ctrls = strchr(line, ':');
		char *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (path == NULL)
			continue;
		*path++ = '\0';
		ctrls++;
		if (*controller == '\0' ? (*ctrls == '\0' && strncmp(line, "0:", 2) == 0)
					: list_has(ctrls, controller))
			return xstrdup(path);
	}
	return NULL;
}

/* Relative cgroupsPath: under the cgroup hutch itself runs in (the pids one on v1,
 * where every controller usually shares it). */
static char *own_base(void)
{
	static const char *const order[] = { "pids", "memory", "" };
	if (cgroup_host_mode() == CGROUP_MODE_V2)
		return cgroup_own_path("");
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		char *p = cgroup_own_path(order[i]);
		if (p)
			return p;
	}
	return xstrdup("/");
}

int cgroup_resolve_path_checked(const char *cgroups_path, const char *id, char **out,
				struct hutch_error **err)
{
	cleanup_free char *raw = NULL;
	if (cgroups_path == NULL || *cgroups_path == '\0') {
		if (id == NULL || *id == '\0' || strchr(id, '/'))
			return hutch_error_set(err, EINVAL, "invalid container id for a cgroup path");
		raw = xasprintf("/hutch/%s", id);
	} else if (cgroups_path[0] == '/') {
		raw = xstrdup(cgroups_path);
	} else {
		cleanup_free char *base = own_base();
		raw = xasprintf("%s/%s", base, cgroups_path);
	}
	size_t depth;
	return path_normalize(raw, out, &depth, err);
}

char *cgroup_resolve_path(const char *cgroups_path, const char *id)
{
	char *out = NULL;
	if (cgroup_resolve_path_checked(cgroups_path, id, &out, NULL) == 0)
		return out;
	/* Kept as given: cgroup_create() refuses it with the reason. */
	if (cgroups_path && *cgroups_path)
		return xstrdup(cgroups_path);
	return xasprintf("/hutch/%s", id ? id : "");
}

int cgroup_write(int dirfd, const char *file, const char *value, struct hutch_error **err)
{
	return write_file_at(dirfd, file, value, strlen(value), err);
}

int cgroup_writef(int dirfd, const char *file, struct hutch_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *v = xvasprintf(fmt, ap);
	va_end(ap);
	return cgroup_write(dirfd, file, v, err);
}

int cgroup_write_optional(int dirfd, const char *file, const char *value, struct hutch_error **err)
{
	cleanup_close int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return hutch_error_errno(err, "open %s", file);
	if (write_all(fd, value, strlen(value)) < 0 && errno != EOPNOTSUPP && errno != ENOTSUP)
		return hutch_error_errno(err, "write %s", file);
	return 0;
}

char *cgroup_rel_prefix(const char *rel, size_t k)
{
	if (k == 0)
		return xstrdup(".");
	const char *s = rel;
	for (size_t i = 0; i < k && s; i++) {
		s = strchr(s, '/');
		if (s && i + 1 < k)
			s++;
	}
	return s ? xstrndup(rel, (size_t)(s - rel)) : xstrdup(rel);
}

static char *read_trimmed(int dirfd, const char *file, struct hutch_error **err)
{
	char *buf = NULL;
	if (read_file_at(dirfd, file, &buf, NULL, err) < 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* A new cpuset cgroup starts with empty cpus/mems and refuses tasks until both are
 * set; give it the parent's. `parent` caches the values of the level above. */
static int cpuset_fill(int mount_fd, const char *rel, size_t level, bool created, char **parent,
		       struct hutch_error **err)
{
	static const char *const files[2] = { "cpuset.cpus", "cpuset.mems" };
	cleanup_free char *path = cgroup_rel_prefix(rel, level + 1);
	cleanup_close int fd = openat(mount_fd, path, O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "open %s", path);
	for (int i = 0; i < 2; i++) {
		cleanup_free char *own = created ? xstrdup("") : read_trimmed(fd, files[i], err);
		if (own == NULL)
			return -1;
		if (*own == '\0') {
			if (parent[i] == NULL) {
				cleanup_free char *pp = cgroup_rel_prefix(rel, level);
				cleanup_close int pfd = openat(mount_fd, pp, O_DIRECTORY | O_CLOEXEC);
				if (pfd < 0)
					return hutch_error_errno(err, "open %s", pp);
				if ((parent[i] = read_trimmed(pfd, files[i], err)) == NULL)
					return -1;
			}
			if (cgroup_write(fd, files[i], parent[i], err) < 0)
				return hutch_error_wrap(err, "cgroup %s", path);
			free(own);
			own = xstrdup(parent[i]);
		}
		free(parent[i]);
		parent[i] = take_ptr(&own);
	}
	return 0;
}

/* A level that a concurrent destroy removed: its files give ENODEV once it is gone, an
 * open gives ENOENT. The caller starts again from the top (cgroup_hier_create). */
static bool dir_vanished(struct hutch_error **err)
{
	if (*err == NULL || ((*err)->errnum != ENOENT && (*err)->errnum != ENODEV))
		return false;
	hutch_error_free(*err);
	*err = NULL;
	return true;
}

static int hier_mkdirs(struct cgroup *cg, struct cgroup_hier *h, bool cpuset, struct hutch_error **err)
{
	char *parent[2] = { NULL, NULL };
	int ret = 0;
	for (size_t level = 0; level < cg->depth && ret == 0; level++) {
		cleanup_free char *p = cgroup_rel_prefix(cg->rel, level + 1);
		bool created = mkdirat(h->mount_fd, p, 0755) == 0;
		if (!created && errno != EEXIST) {
			ret = errno == ENOENT ? -ENOENT : hutch_error_errno(err, "mkdir %s", p);
			break;
		}
		if (created && h->created_from == CGROUP_NONE_CREATED)
			h->created_from = level;
		if (cpuset && cpuset_fill(h->mount_fd, cg->rel, level, created, parent, err) < 0)
			ret = dir_vanished(err) ? -ENOENT : -1;
	}
	free(parent[0]);
	free(parent[1]);
	return ret;
}

/* Remove the levels this handle created, deepest first. */
static void hier_undo(struct cgroup *cg, struct cgroup_hier *h, size_t from_level)
{
	for (size_t level = from_level; h->created_from != CGROUP_NONE_CREATED &&
	     level > h->created_from; level--) {
		cleanup_free char *p = cgroup_rel_prefix(cg->rel, level);
		if (unlinkat(h->mount_fd, p, AT_REMOVEDIR) < 0 && errno != ENOENT)
			break;
	}
}

int cgroup_hier_create(struct cgroup *cg, struct cgroup_hier *h, bool cpuset, struct hutch_error **err)
{
	/* ENOENT: a concurrent destroy removed a shared parent ("/hutch") under us. */
	int r = -ENOENT;
	for (int tries = 0; tries < 5 && r == -ENOENT; tries++)
		r = hier_mkdirs(cg, h, cpuset, err);
	if (r == 0) {
		h->dir_fd = openat(h->mount_fd, cg->rel, O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (h->dir_fd >= 0)
			return 0;
		hutch_error_errno(err, "open %s", cg->path);
	} else if (r == -ENOENT) {
		hutch_error_set(err, ENOENT, "mkdir %s", cg->path);
	}
	hier_undo(cg, h, cg->depth);
	h->created_from = CGROUP_NONE_CREATED;
	return -1;
}

static void hier_init(struct cgroup_hier *h)
{
	h->controllers = NULL;
	h->mount_fd = h->dir_fd = -1;
	h->created_from = CGROUP_NONE_CREATED;
}

static int cgroup_new(const char *path, struct cgroup **out, struct hutch_error **err)
{
	struct cgroup *cg = xmalloc0(sizeof(*cg));
	hier_init(&cg->v2);
	if (path_normalize(path, &cg->path, &cg->depth, err) < 0) {
		cgroup_free(cg);
		return -1;
	}
	cg->rel = xstrdup(cg->path + 1);
	cg->mode = cgroup_host_mode();
	if (cg->mode != CGROUP_MODE_V1) {
		const char *root = cg->mode == CGROUP_MODE_V2 ? CGROUP_ROOT : CGROUP_UNIFIED;
		cg->v2.controllers = xstrdup("");
		cg->v2.mount_fd = open(root, O_DIRECTORY | O_CLOEXEC);
		if (cg->v2.mount_fd < 0) {
			hutch_error_errno(err, "open %s", root);
			cgroup_free(cg);
			return -1;
		}
	}
	if (cg->mode != CGROUP_MODE_V2 && cgroup_v1_discover(cg, err) < 0) {
		cgroup_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

static int create_dirs(struct cgroup *cg, struct hutch_error **err)
{
	for (size_t i = 0; i < cg->n_v1; i++) {
		struct cgroup_hier *h = &cg->v1[i];
		if (cgroup_hier_create(cg, h, cgroup_hier_has(h, "cpuset"), err) < 0)
			return hutch_error_wrap(err, "cgroup %s", h->controllers);
	}
	if (cg->v2.mount_fd >= 0 && cgroup_hier_create(cg, &cg->v2, false, err) < 0)
		return hutch_error_wrap(err, "cgroup2");
	return 0;
}

int cgroup_create(const char *path, const struct spec_resources *res, struct cgroup **out,
		  struct hutch_error **err)
{
	cleanup_cgroup struct cgroup *cg = NULL;
	if (cgroup_new(path, &cg, err) < 0)
		return -1;
	int r = create_dirs(cg, err);
	if (r == 0)
		r = cg->mode == CGROUP_MODE_V2 ? cgroup_v2_apply(cg, res, err) : cgroup_v1_apply(cg, res, err);
	if (r < 0) {
		/* Nothing of ours is in it yet: remove only the levels made here. A
		 * cgroupsPath that existed, maybe populated, is left as it was. */
		for (size_t i = 0; i <= cg->n_v1; i++) {
			struct cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->v2;
			if (h->mount_fd >= 0)
				hier_undo(cg, h, cg->depth);
		}
		return -1;
	}
	*out = take_ptr(&cg);
	return 0;
}

/* The "oom_kill N" line of v1's memory.oom_control or v2's memory.events. */
unsigned long long cgroup_oom_kills(struct cgroup *cg)
{
	struct cgroup_hier *h = cg->mode == CGROUP_MODE_V2 ? &cg->v2 : cgroup_v1_find(cg, "memory");
	cleanup_free char *txt = NULL;
	if (h == NULL || h->dir_fd < 0 ||
	    read_file_at(h->dir_fd, cg->mode == CGROUP_MODE_V2 ? "memory.events" : "memory.oom_control",
			 &txt, NULL, NULL) < 0)
		return 0;
	const char *p = strstr(txt, "oom_kill ");
	return p ? strtoull(p + 9, NULL, 10) : 0;
}

bool cgroup_created(const struct cgroup *cg)
{
	for (size_t i = 0; i <= cg->n_v1; i++) {
		const struct cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->v2;
		if (h->dir_fd >= 0 && h->created_from == CGROUP_NONE_CREATED)
			return false;
	}
	return true;
}

int cgroup_open(const char *path, struct cgroup **out, struct hutch_error **err)
{
	cleanup_cgroup struct cgroup *cg = NULL;
	if (cgroup_new(path, &cg, err) < 0)
		return -1;
	/* Parents under "/hutch" are hutch's own (the default path): remove them with
	 * the container when they become empty. */
	size_t from = strncmp(cg->path, "/hutch/", 7) == 0 ? 0 : CGROUP_NONE_CREATED;
	bool any = false;
	for (size_t i = 0; i <= cg->n_v1; i++) {
		struct cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->v2;
		if (h->mount_fd < 0)
			continue;
		h->dir_fd = openat(h->mount_fd, cg->rel, O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (h->dir_fd < 0 && errno != ENOENT)
			return hutch_error_errno(err, "open cgroup %s", cg->path);
		h->created_from = from;
		any |= h->dir_fd >= 0;
	}
	if (!any)
		return hutch_error_set(err, ENOENT, "cgroup %s does not exist", cg->path);
	*out = take_ptr(&cg);
	return 0;
}

int cgroup_enter(struct cgroup *cg, pid_t pid, struct hutch_error **err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i <= cg->n_v1; i++) {
		struct cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->v2;
		if (h->dir_fd < 0)
			continue;
		if (cgroup_write(h->dir_fd, "cgroup.procs", buf, err) < 0)
			return hutch_error_wrap(err, "enter cgroup %s (%s)", cg->path,
						*h->controllers ? h->controllers : "cgroup2");
	}
	return 0;
}

int cgroup_clone_fd(const struct cgroup *cg)
{
	const char *off = getenv("HUTCH_TEST_NO_CLONE_INTO_CGROUP");
	if (cg == NULL || cg->mode != CGROUP_MODE_V2 || cg->n_v1 > 0 || (off && strcmp(off, "1") == 0))
		return -1;
	return cg->v2.dir_fd;
}

int cgroup_self_join_fds(const struct cgroup *cg, int *clone_fd, int **tasks, size_t *n,
			 struct hutch_error **err)
{
	const char *off = getenv("HUTCH_TEST_NO_SELF_JOIN");
	*clone_fd = -1;
	*tasks = NULL;
	*n = 0;
	if (cg == NULL || cg->n_v1 == 0 || (off && strcmp(off, "1") == 0))
		return 0;
	int *fds = xcalloc(cg->n_v1, sizeof(int));
	size_t k = 0;
	for (size_t i = 0; i < cg->n_v1; i++) {
		if (cg->v1[i].dir_fd < 0)
			continue;
		fds[k] = openat(cg->v1[i].dir_fd, "tasks", O_WRONLY | O_CLOEXEC);
		if (fds[k] < 0) {
			hutch_error_errno(err, "open the tasks of cgroup %s (%s)", cg->path, cg->v1[i].controllers);
			while (k > 0)
				close(fds[--k]);
			free(fds);
			return -1;
		}
		k++;
	}
	*clone_fd = cg->v2.dir_fd;
	*tasks = fds;
	*n = k;
	return 0;
}

int cgroup_v1_memory_fds(const struct cgroup *cg, int *own, int *ctr, struct hutch_error **err)
{
	*own = *ctr = -1;
	const struct cgroup_hier *h = NULL;
	for (size_t i = 0; cg && i < cg->n_v1; i++)
		if (cg->v1[i].dir_fd >= 0 && cgroup_hier_has(&cg->v1[i], "memory"))
			h = &cg->v1[i];
	if (h == NULL)
		return 0;
	cleanup_free char *path = cgroup_own_path("memory");
	if (path == NULL)
		return 0;
	cleanup_free char *rel = xasprintf("%s/tasks", strcmp(path, "/") == 0 ? "." : path + 1);
	/* Only a saving: where our own memory cgroup is out of reach (not under
	 * this mount, say), the waiter's exec is charged to the container. */
	cleanup_close int o = openat(h->mount_fd, rel, O_WRONLY | O_CLOEXEC);
	if (o < 0)
		return 0;
	*ctr = openat(h->dir_fd, "tasks", O_WRONLY | O_CLOEXEC);
	if (*ctr < 0)
		return hutch_error_errno(err, "open the tasks of cgroup %s (memory)", cg->path);
	*own = take_fd(&o);
	return 0;
}

int cgroup_join_self(const int *tasks, size_t n, struct hutch_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (write(tasks[i], "0", 1) != 1)
			return hutch_error_errno(err, "join the container's cgroup");
	return 0;
}

const char *cgroup_path(const struct cgroup *cg)
{
	return cg->path;
}

static int parse_procs(const char *buf, pid_t **pids, size_t *n)
{
	for (const char *s = buf; *s;) {
		size_t l = strcspn(s, "\n");
		char num[24];
		if (l > 0 && l < sizeof(num)) {
			memcpy(num, s, l);
			num[l] = '\0';
			long long v;
			if (parse_int64(num, &v) == 0 && v > 0) {
				*pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
				(*pids)[(*n)++] = (pid_t)v;
			}
		}
		s += l;
		if (*s == '\n')
			s++;
	}
	return 0;
}

/* Processes of the cgroup and of the sub-cgroups a container may have made. */
static int procs_tree(int dirfd, pid_t **pids, size_t *n, struct hutch_error **err)
{
	cleanup_free char *buf = NULL;
	if (read_file_at(dirfd, "cgroup.procs", &buf, NULL, err) < 0)
		return -1;
	parse_procs(buf, pids, n);
	int dfd = openat(dirfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return hutch_error_errno(err, "open cgroup directory");
	cleanup_dir DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return hutch_error_errno(err, "opendir cgroup");
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_close int sub = openat(dirfd, de->d_name, O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub >= 0 && procs_tree(sub, pids, n, err) < 0)
			return -1;
	}
	return 0;
}

static const struct cgroup_hier *procs_hier(const struct cgroup *cg)
{
	static const char *const order[] = { "pids", "freezer", "devices", "memory", "cpu" };
	for (size_t k = 0; k < ARRAY_SIZE(order); k++)
		for (size_t i = 0; i < cg->n_v1; i++)
			if (cg->v1[i].dir_fd >= 0 && cgroup_hier_has(&cg->v1[i], order[k]))
				return &cg->v1[i];
	if (cg->v2.dir_fd >= 0)
		return &cg->v2;
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg->v1[i].dir_fd >= 0)
			return &cg->v1[i];
	return NULL;
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct hutch_error **err)
{
	*pids = NULL;
	*n = 0;
	const struct cgroup_hier *h = procs_hier(cg);
	if (h == NULL)
		return 0;
	if (procs_tree(h->dir_fd, pids, n, err) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return hutch_error_wrap(err, "cgroup %s", cg->path);
	}
	return 0;
}

int cgroup_kill_pids(struct cgroup *cg, int sig, struct hutch_error **err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n;
	if (cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return hutch_error_errno(err, "kill %d", (int)pids[i]);
	return 0;
}

int cgroup_kill_all(struct cgroup *cg, int sig, struct hutch_error **err)
{
	/* cgroup.kill (5.14+) reaches every process, forks in flight included. */
	if (sig == SIGKILL && cg->v2.dir_fd >= 0 && cg->n_v1 == 0) {
		cleanup_close int fd = openat(cg->v2.dir_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write_all(fd, "1", 1) == 0)
			return 0;
	}
	if (cg->n_v1 > 0)
		return cgroup_v1_kill_all(cg, sig, err);
	return cgroup_kill_pids(cg, sig, err);
}

/* rmdir `name` below `parent_fd` after its sub-cgroups (depth first). */
static int rmdir_tree(int parent_fd, const char *name)
{
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY)
		return -1;
	int saved = errno;
	int dfd = openat(parent_fd, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return -1;
	cleanup_dir DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	bool had_children = false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		had_children = true;
		if (rmdir_tree(dirfd(d), de->d_name) < 0)
			return -1;
	}
	if (!had_children) {
		errno = saved;
		return -1;
	}
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	return -1;
}

static int hier_remove(struct cgroup *cg, struct cgroup_hier *h, struct hutch_error **err)
{
	if (h->dir_fd < 0)
		return 0;
	unsigned long long deadline = now_ns() + CGROUP_RMDIR_TIMEOUT_NS;
	while (rmdir_tree(h->mount_fd, cg->rel) < 0) {
		if (errno != EBUSY || now_ns() > deadline)
			return hutch_error_errno(err, "rmdir cgroup %s", cg->path);
		usleep(CGROUP_RETRY_SLEEP_US);
	}
	close(h->dir_fd);
	h->dir_fd = -1;
	/* Parents this handle created; another container may still use them. */
	hier_undo(cg, h, cg->depth - 1);
	return 0;
}

int cgroup_destroy(struct cgroup *cg, struct hutch_error **err)
{
	cleanup_error struct hutch_error *kerr = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	/* Usually empty already (the container exited): no freeze/kill round trip. */
	if (cgroup_pids(cg, &pids, &n, &kerr) < 0 || n > 0)
		cgroup_kill_all(cg, SIGKILL, &kerr);
	int ret = 0;
	for (size_t i = 0; i <= cg->n_v1; i++) {
		struct cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->v2;
		if (hier_remove(cg, h, err) < 0)
			ret = -1;
	}
	return ret;
}

void cgroup_free(struct cgroup *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i <= cg->n_v1; i++) {
		struct cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->v2;
		if (h->dir_fd >= 0)
			close(h->dir_fd);
		if (h->mount_fd >= 0)
			close(h->mount_fd);
		free(h->controllers);
	}
	free(cg->v1);
	free(cg->path);
	free(cg->rel);
	free(cg);
}

int cgroup_update(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	if (res == NULL)
		return 0;
	int r = cg->mode == CGROUP_MODE_V2 ? cgroup_v2_set(cg, res, err) : cgroup_v1_set(cg, res, err);
	return r < 0 ? hutch_error_wrap(err, "update cgroup %s", cg->path) : 0;
}

/* The v1 freezer where there is one (hybrid hosts: where runc freezes too), else
 * cgroup.freeze of the unified hierarchy (kernel 5.2+). */
int cgroup_freeze(struct cgroup *cg, bool freeze, struct hutch_error **err)
{
	struct cgroup_hier *f = cgroup_v1_find(cg, "freezer");
	int r;
	if (f)
		r = cgroup_v1_freeze(f, freeze, err);
	else if (cg->v2.dir_fd >= 0 && faccessat(cg->v2.dir_fd, "cgroup.freeze", F_OK, 0) == 0)
		r = cgroup_v2_freeze(cg->v2.dir_fd, freeze, err);
	else
		return hutch_error_set(err, ENOTSUP, "cgroup %s: no freezer (neither the v1 freezer "
				       "controller nor cgroup.freeze)", cg->path);
	return r < 0 ? hutch_error_wrap(err, "%s cgroup %s", freeze ? "freeze" : "thaw", cg->path) : 0;
}

/* Without cgroup_open(): `state` and `list` ask this for every live container. */
bool cgroup_path_is_frozen(const char *path)
{
	cleanup_free char *norm = NULL;
	size_t depth;
	if (path == NULL || path_normalize(path, &norm, &depth, NULL) < 0)
		return false;
	enum cgroup_mode mode = cgroup_host_mode();
	if (mode != CGROUP_MODE_V2) {
		cleanup_free char *p = xasprintf(CGROUP_ROOT "/freezer%s", norm);
		cleanup_close int fd = open(p, O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return cgroup_v1_frozen(fd);
		if (mode == CGROUP_MODE_V1)
			return false;
	}
	cleanup_free char *p = xasprintf("%s%s", mode == CGROUP_MODE_V2 ? CGROUP_ROOT : CGROUP_UNIFIED, norm);
	cleanup_close int fd = open(p, O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 && cgroup_v2_frozen(fd);
}

/* cgroup2's cgroup.events says it without a walk (hybrid hosts have it too). */
bool cgroup_is_populated(struct cgroup *cg)
{
	if (cg->v2.dir_fd >= 0) {
		cleanup_free char *ev = NULL;
		if (read_file_at(cg->v2.dir_fd, "cgroup.events", &ev, NULL, NULL) < 0)
			return false;
		const char *p = strstr(ev, "populated ");
		return p && (p == ev || p[-1] == '\n') && p[10] == '1';
	}
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	return cgroup_pids(cg, &pids, &n, NULL) == 0 && n > 0;
}

/* /proc/<pid>/cgroup's cgroup2 line, as this process sees it. */
static char *process_cgroup2(pid_t pid)
{
	char p[48];
	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)pid);
	cleanup_free char *buf = NULL;
	if (read_file_at(AT_FDCWD, p, &buf, NULL, NULL) < 0)
		return NULL;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "0::", 3) == 0)
			return xstrndup(l + 3, strcspn(l + 3, "\n"));
	return NULL;
}

int cgroup_follow_process(struct cgroup **cg, pid_t pid, struct hutch_error **err)
{
	if ((*cg)->mode != CGROUP_MODE_V2)
		return 0;
	cleanup_free char *at = process_cgroup2(pid);
	size_t l = strlen((*cg)->path);
	if (at == NULL || strncmp(at, (*cg)->path, l) != 0 || at[l] != '/')
		return 0;
	struct cgroup *sub = NULL;
	if (cgroup_open(at, &sub, err) < 0)
		return -1;
	cgroup_free(*cg);
	*cg = sub;
	return 0;
}
