/* The container process: limits, identity, cwd, executable lookup, exec. */
#include "process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "caps.h"
#include "paths.h"
#include "procfs.h"
#include "utils.h"

#define PROCESS_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* What runc gives a process without process.user.umask. */
#define PROCESS_DEFAULT_UMASK 0022
/* setresuid/setresgid read (uid_t)-1 as "leave unchanged". */
#define ID_UNCHANGED ((uint32_t)-1)

/* Podman and CRI tools classify failures by matching the lower-case phrases
 * "no such file or directory" and "permission denied": the kernel's text,
 * lower-cased, goes at the end of every exec error. */
static int exec_error(struct hutch_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int exec_error(struct hutch_error **err, int errnum, const char *fmt, ...)
{
	cleanup_free char *why = xstrdup(strerror(errnum));
	for (char *s = why; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *what = xvasprintf(fmt, ap);
	va_end(ap);
	if (err == NULL || *err != NULL)
		return -1;
	hutch_error_set(err, 0, "%s: %s", what, why);
	(*err)->errnum = errnum;
	return -1;
}

int process_apply_rlimits(const struct spec_process *p, struct hutch_error **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };
		/* Raising a hard limit needs CAP_SYS_RESOURCE: must run before the uid change. */
		if (prlimit(0, r->resource, &rl, NULL) < 0)
			return hutch_error_errno(err, "setrlimit %s", r->type);
	}
	return 0;
}

int process_apply_oom_score_adj(const struct spec_process *p, int proc, struct hutch_error **err)
{
	if (!p->has_oom_score_adj)
		return 0;
	char v[16];
	int n = snprintf(v, sizeof(v), "%d", p->oom_score_adj);
	if (procfs_write(proc, "self/oom_score_adj", v, (size_t)n, err) < 0)
		return hutch_error_wrap(err, "process.oomScoreAdj %d", p->oom_score_adj);
	return 0;
}

/* /proc/self/setgroups says "deny" in a user namespace whose gid_map was
 * written without CAP_SETGID in the parent (user_namespaces(7)). Read from
 * hutch's procfs: a "deny" faked by the container would keep the runtime's
 * own groups. */
static bool setgroups_denied(int proc)
{
	cleanup_free char *buf = NULL;
	if (procfs_read(proc, "self/setgroups", &buf, NULL) < 0)
		return false;
	return strncmp(buf, "deny", 4) == 0;
}

static int process_set_groups(const struct spec_user *u, int proc, struct hutch_error **err)
{
	if (setgroups_denied(proc)) {
		if (u->n_additional_gids == 0)
			return 0;
		return hutch_error_set(err, EPERM,
				       "process.user.additionalGids: setgroups is denied in this user namespace");
	}
	gid_t *gids = xcalloc(u->n_additional_gids, sizeof(gid_t));
	for (size_t i = 0; i < u->n_additional_gids; i++)
		gids[i] = u->additional_gids[i];
	/* Always called, even with no gids: the runtime's own groups must not leak in. */
	int r = setgroups(u->n_additional_gids, gids);
	free(gids);
	if (r < 0)
		return hutch_error_errno(err, "process.user.additionalGids: setgroups");
	return 0;
}

static int process_set_ids(const struct spec_user *u, struct hutch_error **err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hutch_error_errno(err, "prctl PR_SET_KEEPCAPS");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return hutch_error_errno(err, "setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return hutch_error_errno(err, "setresuid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hutch_error_errno(err, "prctl PR_SET_KEEPCAPS");
	return 0;
}

/* Bounding first (needs CAP_SETPCAP, still root), then groups and ids, then
 * the other capability sets, no_new_privs last.  No capabilities object means
 * five empty sets, as in runc: the process gets no capability at all. */
int process_apply_identity(const struct spec_process *p, int proc, struct hutch_error **err)
{
	static const struct spec_capabilities no_caps;
	const struct spec_capabilities *c = p->capabilities ? p->capabilities : &no_caps;
	int last = caps_last_cap(proc);
	uint64_t held;
	caps_runtime_bounding(proc, &held);
	if (caps_apply_bounding(c, last, err) < 0)
		return -1;
	if (process_set_groups(&p->user, proc, err) < 0)
		return -1;
	if (process_set_ids(&p->user, err) < 0)
		return hutch_error_wrap(err, "process.user");
	umask(p->user.has_umask ? p->user.umask : PROCESS_DEFAULT_UMASK);
	if (caps_apply_sets(c, last, held, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hutch_error_errno(err, "prctl PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* CVE-2024-21626: resolved inside the container's root ("/" here), so that
 * neither ".." nor a symlink leaves it, and without magic links: a cwd of
 * /proc/self/fd/N would be a directory fd hutch still holds (its procfs). */
int process_chdir(const struct spec_process *p, struct hutch_error **err)
{
	if (p->cwd == NULL || p->cwd[0] != '/')
		return hutch_error_set(err, 0, "process.cwd: \"%s\" is not an absolute path",
				       p->cwd ? p->cwd : "");
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return hutch_error_errno(err, "process.cwd: open /");
	cleanup_close int fd = path_open_in_root(root, p->cwd, O_PATH | O_DIRECTORY);
	if (fd < 0 && errno == ELOOP)
		return hutch_error_set(err, ELOOP, "process.cwd: %s: a magic link or too many symlinks", p->cwd);
	if (fd < 0)
		return hutch_error_errno(err, "process.cwd: chdir %s", p->cwd);
	if (fchdir(fd) < 0)
		return hutch_error_errno(err, "process.cwd: chdir %s", p->cwd);
	return 0;
}

static const char *process_env_path(const struct spec_process *p)
{
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			return p->env[i] + 5;
	return PROCESS_DEFAULT_PATH;
}

/* 0 when `path` is an executable regular file, else the errno execve would give. */
static int check_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	/* The old faccessat syscall, not glibc's faccessat(): that one tries
	 * faccessat2 first, which a seccomp profile loaded before this point may
	 * deny with EPERM. Real and effective ids are equal here (setresuid). */
	if (syscall(SYS_faccessat, AT_FDCWD, path, X_OK) < 0)
		return errno;
	return 0;
}

static char *absolute_of(const struct spec_process *p, const char *path)
{
	if (path[0] == '/' || p->cwd == NULL)
		return xstrdup(path);
	return xasprintf("%s%s%s", p->cwd, strcmp(p->cwd, "/") == 0 ? "" : "/", path);
}

/* execvp(3) semantics: an empty PATH entry is the cwd; an entry that exists
 * but cannot be run is remembered, the search goes on, and EACCES is
 * reported only when nothing better was found. */
static int search_path(const struct spec_process *p, const char *name, char **out, struct hutch_error **err)
{
	const char *s = process_env_path(p);
	bool denied = false;
	for (;;) {
		size_t len = strcspn(s, ":");
		cleanup_free char *cand = len == 0 ? xstrdup(name) : xasprintf("%.*s/%s", (int)len, s, name);
		int e = check_executable(cand);
		if (e == 0) {
			*out = absolute_of(p, cand);
			return 0;
		}
		if (e == EACCES)
			denied = true;
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (denied)
		return exec_error(err, EACCES, "exec \"%s\"", name);
	return exec_error(err, ENOENT, "exec \"%s\": executable file not found in $PATH", name);
}

static int find_executable(const struct spec_process *p, char **out, struct hutch_error **err)
{
	const char *name = p->args[0];
	if (strchr(name, '/') == NULL)
		return search_path(p, name, out, err);
	int e = check_executable(name);
	if (e != 0)
		return exec_error(err, e, "exec \"%s\"", name);
	*out = absolute_of(p, name);
	return 0;
}

int process_find_executable(const struct spec_process *p, char **out, struct hutch_error **err)
{
	if (p->args == NULL || p->args[0] == NULL || p->args[0][0] == '\0')
		return hutch_error_set(err, 0, "process.args: empty");
	/* The kernel's words stay at the end: Podman maps them to exit codes 126/127. */
	if (find_executable(p, out, err) < 0)
		return hutch_error_wrap(err, "process.args[0]");
	return 0;
}

int process_exec(const struct spec_process *p, const char *path, struct hutch_error **err)
{
	static char *const empty_env[] = { NULL };
	execve(path, p->args, p->env ? p->env : empty_env);
	return exec_error(err, errno, "exec %s", path);
}

static int validate_user(const struct spec_user *u, struct hutch_error **err)
{
	if (u->uid == ID_UNCHANGED)
		return hutch_error_set(err, 0, "process.user.uid: %u is not a valid uid", u->uid);
	if (u->gid == ID_UNCHANGED)
		return hutch_error_set(err, 0, "process.user.gid: %u is not a valid gid", u->gid);
	if (u->has_umask && u->umask > 07777)
		return hutch_error_set(err, 0, "process.user.umask: %#o is out of range", u->umask);
	long max = sysconf(_SC_NGROUPS_MAX);
	if (max > 0 && u->n_additional_gids > (size_t)max)
		return hutch_error_set(err, 0, "process.user.additionalGids: %zu groups, the kernel allows %ld",
				       u->n_additional_gids, max);
	for (size_t i = 0; i < u->n_additional_gids; i++)
		if (u->additional_gids[i] == ID_UNCHANGED)
			return hutch_error_set(err, 0, "process.user.additionalGids[%zu]: %u is not a valid gid",
					       i, u->additional_gids[i]);
	return 0;
}

/* config.md: env entries are "in the form VARIABLE=VALUE"; runc refuses the others too. */
static int validate_env(const struct spec_process *p, struct hutch_error **err)
{
	for (size_t i = 0; i < p->n_env; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (eq == NULL || eq == p->env[i])
			return hutch_error_set(err, 0, "process.env[%zu]: \"%s\" is not VARIABLE=VALUE",
					       i, p->env[i]);
	}
	return 0;
}

int process_validate(const struct spec_process *p, struct hutch_error **err)
{
	if (validate_env(p, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		if (r->resource < 0 || r->resource >= RLIM_NLIMITS)
			return hutch_error_set(err, 0, "process.rlimits[%zu]: unknown rlimit \"%s\"", i,
					       r->type ? r->type : "");
		/* setrlimit(2) refuses it with EINVAL: say so before anything is created. */
		if (r->soft > r->hard)
			return hutch_error_set(err, 0, "process.rlimits[%zu]: %s soft limit %llu exceeds hard limit %llu",
					       i, r->type, (unsigned long long)r->soft, (unsigned long long)r->hard);
	}
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return hutch_error_set(err, 0, "process.oomScoreAdj: %d is out of range [-1000, 1000]",
				       p->oom_score_adj);
	if (validate_user(&p->user, err) < 0)
		return -1;
	return caps_validate(p->capabilities, err);
}
