#include "cgroup_sub.h"
#include "cgroup_internal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

/* Below the container's cgroup and nowhere else: no ".." component (a
 * leading "/" is relative to the container's cgroup, as in runc). */
static int sub_path_check(const char *path, struct hutch_error **err)
{
	cleanup_free char *p = xstrdup(path);
	char *rest = p;
	bool any = false;
	for (char *c; (c = strsep(&rest, "/")) != NULL;) {
		if (strcmp(c, "..") == 0)
			return hutch_error_set(err, EINVAL, "exec --cgroup %s: \"..\" leaves the container's cgroup",
					       path);
		any |= *c != '\0' && strcmp(c, ".") != 0;
	}
	if (!any)
		return hutch_error_set(err, EINVAL, "exec --cgroup \"%s\": an empty sub-cgroup path", path);
	return 0;
}

static int subs_check(struct cgroup *cg, const struct cgroup_sub *subs, size_t n, struct hutch_error **err)
{
	for (size_t i = 0; i < n; i++) {
		if (sub_path_check(subs[i].path, err) < 0)
			return -1;
		if (subs[i].controller == NULL)
			continue;
		if (cg->mode == CGROUP_MODE_V2)
			return hutch_error_set(err, EINVAL, "exec --cgroup %s:%s: cgroup v2 has one hierarchy, "
					       "give the path without a controller", subs[i].controller, subs[i].path);
		if (cgroup_v1_find(cg, subs[i].controller) == NULL)
			return hutch_error_set(err, EINVAL, "exec --cgroup %s:%s: no cgroup v1 hierarchy has "
					       "the %s controller", subs[i].controller, subs[i].path,
					       subs[i].controller);
	}
	return 0;
}

static const struct cgroup_sub *sub_of(const struct cgroup_hier *h, const struct cgroup_sub *subs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (subs[i].controller == NULL || (*h->controllers && cgroup_hier_has(h, subs[i].controller)))
			return &subs[i];
	return NULL;
}

static int enter_one(struct cgroup *cg, const struct cgroup_hier *h, const struct cgroup_sub *sub,
		     const char *pid, struct hutch_error **err)
{
	const char *what = *h->controllers ? h->controllers : "cgroup2";
	if (sub == NULL) {
		if (cgroup_write(h->dir_fd, "cgroup.procs", pid, err) < 0)
			return hutch_error_wrap(err, "enter cgroup %s (%s)", cg->path, what);
		return 0;
	}
	const char *rel = sub->path + strspn(sub->path, "/");
	cleanup_close int fd = openat(h->dir_fd, rel, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return hutch_error_set(err, ENOENT, "exec --cgroup: %s/%s does not exist (%s)", cg->path, rel, what);
	if (fd < 0)
		return hutch_error_errno(err, "exec --cgroup: open %s/%s (%s)", cg->path, rel, what);
	if (cgroup_write(fd, "cgroup.procs", pid, err) < 0)
		return hutch_error_wrap(err, "exec --cgroup: enter %s/%s (%s)", cg->path, rel, what);
	return 0;
}

int cgroup_enter_sub(struct cgroup *cg, const struct cgroup_sub *subs, size_t n, pid_t pid,
		     struct hutch_error **err)
{
	if (subs_check(cg, subs, n, err) < 0)
		return -1;
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i <= cg->n_v1; i++) {
		const struct cgroup_hier *h = i < cg->n_v1 ? &cg->v1[i] : &cg->v2;
		if (h->dir_fd >= 0 && enter_one(cg, h, sub_of(h, subs, n), buf, err) < 0)
			return -1;
	}
	return 0;
}
