#include "namespaces.h"
#include "procfs.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/nsfs.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int ns_flags[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = CLONE_NEWPID,   [SPEC_NS_NETWORK] = CLONE_NEWNET,
	[SPEC_NS_MOUNT] = CLONE_NEWNS,  [SPEC_NS_IPC] = CLONE_NEWIPC,
	[SPEC_NS_UTS] = CLONE_NEWUTS,   [SPEC_NS_USER] = CLONE_NEWUSER,
	[SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = CLONE_NEWTIME,
};

int ns_clone_flag(enum spec_ns_type t) { return ns_flags[t]; }

/* Open a namespace path and check its type (config-linux.md: "the runtime MUST
 * generate an error" when the path is not a namespace of the given type). */
static int ns_open_checked(const struct spec_namespace *ns, size_t i, struct hutch_error **err)
{
	cleanup_close int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "linux.namespaces[%zu].path: open %s", i, ns->path);
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return hutch_error_errno(err, "linux.namespaces[%zu].path: %s is not a namespace", i, ns->path);
	if (type != ns_flags[ns->type])
		return hutch_error_set(err, EINVAL, "linux.namespaces[%zu].path: %s is not a %s namespace", i,
				       ns->path, spec_ns_type_name(ns->type));
	return take_fd(&fd);
}

int ns_validate(const struct spec *s, struct hutch_error **err)
{
	const struct spec_linux *l = s->linux_;
	if (l == NULL)
		return 0;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		if (l->namespaces[i].path == NULL)
			continue;
		cleanup_close int fd = ns_open_checked(&l->namespaces[i], i, err);
		if (fd < 0)
			return -1;
	}
	bool userns = spec_find_namespace(s, SPEC_NS_USER) != NULL;
	if (!userns && (l->n_uid_mappings || l->n_gid_mappings))
		return hutch_error_set(err, EINVAL, "linux.uidMappings: set without a user namespace");
	if (l->n_time_offsets && spec_find_namespace(s, SPEC_NS_TIME) == NULL)
		return hutch_error_set(err, EINVAL, "linux.timeOffsets: set without a time namespace");
	return 0;
}

int ns_plan_open(const struct spec *s, struct ns_plan *p, struct hutch_error **err)
{
	memset(p, 0, sizeof(*p));
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		p->join_fds[t] = -1;
	const struct spec_linux *l = s->linux_;
	for (size_t i = 0; l && i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		if (ns->path) {
			p->join_fds[ns->type] = ns_open_checked(ns, i, err);
			if (p->join_fds[ns->type] < 0)
				return -1;
		} else if (ns->type == SPEC_NS_USER) {
			p->new_user = true;
		} else {
			p->unshare_flags |= ns_flags[ns->type];
		}
		if (ns->type == SPEC_NS_PID || ns->type == SPEC_NS_TIME)
			p->need_fork = true;
	}
	return 0;
}

void ns_plan_release(struct ns_plan *p)
{
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		closep(&p->join_fds[t]);
}

int ns_join_all(struct ns_plan *p, struct hutch_error **err)
{
	static const enum spec_ns_type order[] = {
		SPEC_NS_USER, SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_IPC, SPEC_NS_UTS,
		SPEC_NS_CGROUP, SPEC_NS_TIME, SPEC_NS_MOUNT,
	};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum spec_ns_type t = order[i];
		if (p->join_fds[t] < 0)
			continue;
		if (setns(p->join_fds[t], ns_flags[t]) < 0)
			return hutch_error_errno(err, "join %s namespace", spec_ns_type_name(t));
		closep(&p->join_fds[t]);
		/* The host ids mean nothing in the joined user namespace (what this
		 * process creates would be refused, EOVERFLOW): be its root, as in
		 * one created (init_user_namespace). */
		if (t == SPEC_NS_USER && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
			return hutch_error_errno(err, "become root in the joined user namespace (is 0 mapped?)");
	}
	return 0;
}

static char *id_map_text(const struct spec_id_mapping *m, size_t n)
{
	size_t cap = n * 36 + 1, len = 0;
	char *buf = xmalloc(cap);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	return buf;
}

static int write_id_map(int proc, pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n,
			struct hutch_error **err)
{
	if (n == 0)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "%d/%s", (int)pid, file);
	cleanup_free char *txt = id_map_text(m, n);
	return procfs_write(proc, path, txt, strlen(txt), err);
}

/* The host's /proc, verified: the child's pid is a host pid. */
int ns_write_id_maps(pid_t pid, const struct spec_linux *l, struct hutch_error **err)
{
	if (l == NULL || (l->n_uid_mappings == 0 && l->n_gid_mappings == 0))
		return 0;
	cleanup_close int proc = procfs_open_mounted(err);
	if (proc < 0)
		return -1;
	if (write_id_map(proc, pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0)
		return hutch_error_wrap(err, "linux.uidMappings");
	if (write_id_map(proc, pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err) < 0)
		return hutch_error_wrap(err, "linux.gidMappings");
	return 0;
}

static int userns_maps_and_fd(pid_t pid, const struct spec_id_mapping *uids, size_t n_uids,
			      const struct spec_id_mapping *gids, size_t n_gids,
			      struct hutch_error **err)
{
	cleanup_close int proc = procfs_open_mounted(err);
	if (proc < 0)
		return -1;
	if (write_id_map(proc, pid, "uid_map", uids, n_uids, err) < 0)
		return hutch_error_wrap(err, "uidMappings");
	if (write_id_map(proc, pid, "gid_map", gids, n_gids, err) < 0)
		return hutch_error_wrap(err, "gidMappings");
	/* The nsfs link of our own child, under the procfs root checked above. */
	char path[32];
	snprintf(path, sizeof(path), "%d/ns/user", (int)pid);
	int fd = openat(proc, path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? hutch_error_errno(err, "open /proc/%s", path) : fd;
}

int ns_userns_with_maps(const struct spec_id_mapping *uids, size_t n_uids,
			const struct spec_id_mapping *gids, size_t n_gids, struct hutch_error **err)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		return hutch_error_errno(err, "create a user namespace for an id-mapped mount");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	int fd = userns_maps_and_fd(pid, uids, n_uids, gids, n_gids, err);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

int ns_write_time_offsets(const struct spec_linux *l, struct hutch_error **err)
{
	if (l == NULL || l->n_time_offsets == 0)
		return 0;
	cleanup_free char *txt = xstrdup("");
	for (size_t i = 0; i < l->n_time_offsets; i++) {
		const struct spec_time_offset *o = &l->time_offsets[i];
		char *next = xasprintf("%s%s %lld %u\n", txt, o->clock, (long long)o->secs, o->nanosecs);
		free(txt);
		txt = next;
	}
	/* Stage one, before any mount namespace of the container: "/proc" is the host's. */
	cleanup_close int proc = procfs_open_mounted(err);
	if (proc < 0 || procfs_write(proc, "self/timens_offsets", txt, strlen(txt), err) < 0)
		return hutch_error_wrap(err, "linux.timeOffsets");
	return 0;
}
