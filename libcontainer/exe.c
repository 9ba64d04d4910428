#include "exe.h"
#include "sync.h"
#include "utils.h"
#include "waiter.h"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define EXE_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int exe_sealed_copy(struct hutch_error **err)
{
	cleanup_close int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return hutch_error_errno(err, "open /proc/self/exe");
	struct stat st;
	if (fstat(src, &st) < 0)
		return hutch_error_errno(err, "stat /proc/self/exe");
	cleanup_close int fd = memfd_create("hutch", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return hutch_error_errno(err, "memfd_create");
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hutch_error_errno(err, "copy /proc/self/exe to memfd");
	}
	if (fcntl(fd, F_ADD_SEALS, EXE_SEALS) < 0)
		return hutch_error_errno(err, "seal the hutch copy");
	return take_fd(&fd);
}

static void reset_signals(posix_spawnattr_t *attr)
{
	sigset_t all, none;
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(attr, &all);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

/* The init stage's environment: the sync fd, the parent, and the tests'
 * switches (HUTCH_TEST_*, e.g. HUTCH_TEST_NO_OPENAT2), which only matter
 * there. Nothing else of the caller's environment. */
static char **init_env(char *sync_env, char *parent_env)
{
	size_t n = 0;
	for (char **e = environ; *e; e++)
		n += strncmp(*e, "HUTCH_TEST_", 11) == 0;
	char **envp = xcalloc(n + 3, sizeof(char *));
	size_t k = 0;
	envp[k++] = sync_env;
	envp[k++] = parent_env;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "HUTCH_TEST_", 11) == 0)
			envp[k++] = *e;
	return envp;
}

int exe_spawn_init(int exe_fd, int sync_fd, int preserve_fds, pid_t *pid, struct hutch_error **err)
{
	int target = preserve_fds + 3;
	if (target <= exe_fd)
		target = exe_fd + 1;
	if (target <= sync_fd)
		target = sync_fd + 1;
	/* CVE-2024-21626: of the caller's fds only the preserved ones reach the
	 * init stage; closing them later, inside the container, could depend on a
	 * /proc the container shapes (close_range denied by an early filter). */
	if (cloexec_fds_from(3 + preserve_fds) < 0)
		return hutch_error_errno(err, "mark fds close-on-exec");
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* dup2(fd, fd) clears FD_CLOEXEC (glibc >= 2.29): the preserved fds stay open. */
	for (int fd = 3; fd < 3 + preserve_fds; fd++)
		posix_spawn_file_actions_adddup2(&fa, fd, fd);
	posix_spawn_file_actions_adddup2(&fa, sync_fd, target);
	reset_signals(&attr);
	char exe[64], sync_env[48], parent_env[48];
	snprintf(exe, sizeof(exe), "/proc/self/fd/%d", exe_fd);
	snprintf(sync_env, sizeof(sync_env), "_HUTCH_SYNC_FD=%d", target);
	snprintf(parent_env, sizeof(parent_env), "_HUTCH_PARENT=%d", (int)getpid());
	char *argv[] = { "hutch", "init", NULL };
	char **envp = init_env(sync_env, parent_env);
	int rc = posix_spawn(pid, exe, &fa, &attr, argv, envp);
	free(envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		return hutch_error_set(err, rc, "start the init stage: %s", strerror(rc));
	return 0;
}

#if HUTCH_HAVE_WAITER
extern const unsigned char exe_waiter_image[];
extern const size_t exe_waiter_image_len;
_Static_assert(WAITER_SOCK_CLOEXEC == SOCK_CLOEXEC, "the waiter's SOCK_CLOEXEC");
_Static_assert(WAITER_SYNC_READY == SYNC_READY && WAITER_SYNC_ERROR == SYNC_ERROR &&
	       WAITER_SYNC_START == SYNC_START, "the waiter's sync message types");
#endif

bool exe_have_waiter(void)
{
	return HUTCH_HAVE_WAITER;
}

int exe_waiter_copy(struct hutch_error **err)
{
#if HUTCH_HAVE_WAITER
	cleanup_close int fd = memfd_create("hutch-start-waiter", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return hutch_error_errno(err, "memfd_create");
	if (write_all(fd, exe_waiter_image, exe_waiter_image_len) < 0)
		return hutch_error_errno(err, "copy the start waiter to a memfd");
	if (fcntl(fd, F_ADD_SEALS, EXE_SEALS) < 0)
		return hutch_error_errno(err, "seal the start waiter");
	return take_fd(&fd);
#else
	return hutch_error_set(err, ENOTSUP, "this build of hutch has no start waiter");
#endif
}

/* What posix_spawn does for `hutch init` (reset_signals): the container's
 * process starts with every signal at its default and none blocked. */
static void reset_signals_now(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int exe_fork_init(int preserve_fds, const int *keep, size_t n_keep, pid_t *pid, struct hutch_error **err)
{
	pid_t parent = getpid();
	*pid = fork();
	if (*pid < 0)
		return hutch_error_errno(err, "fork the init stage");
	if (*pid > 0)
		return 0;
	reset_signals_now();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The parent may have died before PDEATHSIG was armed. */
	if (getppid() != parent)
		_exit(1);
	/* CVE-2024-21626: nothing of the parent's but what the init stage needs. */
	for (int fd = 3; fd < 3 + preserve_fds; fd++)
		fcntl(fd, F_SETFD, 0);
	close_fds_keep(3 + preserve_fds, keep, n_keep);
	return 0;
}

int exe_exec_waiter(const struct exe_waiter *w, struct hutch_error **err)
{
	size_t n = 0;
	while (w->argv[n])
		n++;
	cleanup_free char **argv = xcalloc(WAITER_ARG_ARGV + n + 1, sizeof(char *));
	char ready[16], listen[16], filter[16], flags[24], len[24], cgroup[16];
	snprintf(ready, sizeof(ready), "%d", w->ready);
	snprintf(cgroup, sizeof(cgroup), "%d", w->cgroup_out >= 0 ? w->cgroup_in : -1);
	snprintf(listen, sizeof(listen), "%d", w->listen);
	snprintf(filter, sizeof(filter), "%d", w->filter);
	snprintf(flags, sizeof(flags), "%lu", w->filter_flags);
	snprintf(len, sizeof(len), "%zu", w->filter_len);
	argv[0] = WAITER_ARGV0;
	argv[WAITER_ARG_READY] = ready;
	argv[WAITER_ARG_CGROUP] = cgroup;
	argv[WAITER_ARG_LISTEN] = listen;
	argv[WAITER_ARG_FILTER_FD] = filter;
	argv[WAITER_ARG_FILTER_FLAGS] = flags;
	argv[WAITER_ARG_FILTER_LEN] = len;
	argv[WAITER_ARG_PATH] = (char *)w->path;
	memcpy(argv + WAITER_ARG_ARGV, w->argv, n * sizeof(char *));
	/* The sync and start sockets and the filter outlive this exec (the
	 * waiter closes them before its own); the image goes with it (O_CLOEXEC). */
	if (fcntl(w->ready, F_SETFD, 0) < 0 || fcntl(w->listen, F_SETFD, 0) < 0 ||
	    (w->filter >= 0 && fcntl(w->filter, F_SETFD, 0) < 0) ||
	    (w->cgroup_out >= 0 && fcntl(w->cgroup_in, F_SETFD, 0) < 0))
		return hutch_error_errno(err, "hand the start socket to the start waiter");
	int keep[] = { w->image, w->ready, w->listen, w->filter, w->cgroup_out, w->cgroup_in };
	close_fds_keep(3 + w->preserve_fds, keep, ARRAY_SIZE(keep));
	if (w->cgroup_out >= 0 && write(w->cgroup_out, "0", 1) != 1)
		return hutch_error_errno(err, "step out of the container's memory cgroup");
	syscall(SYS_execveat, w->image, "", argv, w->envp, AT_EMPTY_PATH);
	int e = errno;
	if (w->cgroup_out >= 0 && write(w->cgroup_in, "0", 1) != 1)
		return hutch_error_errno(err, "go back into the container's memory cgroup");
	errno = e;
	return hutch_error_errno(err, "exec the start waiter");
}
