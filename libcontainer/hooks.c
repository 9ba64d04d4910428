/* OCI hooks: fork + execve, the state JSON on stdin, `timeout` by SIGKILL.
 *
 * The parent feeds stdin and waits in one poll loop on a pidfd (or short
 * sleeps where pidfd_open is missing), so a hook that never reads its stdin
 * cannot block us past its timeout. */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "signals.h"
#include "utils.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct hook_run {
	pid_t pid;
	int pidfd;          /* -1 without pidfd_open */
	int in_fd;          /* write end of the hook's stdin, -1 once done */
	int exec_fd;        /* read end: the child's execve errno, EOF on success */
	const char *data;
	size_t left;
};

/* Child side: only async-signal-safe calls between fork and execve. */
static _Noreturn void hook_child(int stdin_fd, int exec_fd, const char *path, char *const *argv,
				 char *const *envp, pid_t parent)
{
	/* A hook lives no longer than the runtime that waits for it: if hutch is
	 * SIGKILLed, nobody would enforce its timeout. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	/* Its own process group: a timeout kills what the hook started too. */
	setpgid(0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* SIG_IGN survives execve: a hook starts with every disposition at default. */
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	/* dup2 onto itself keeps FD_CLOEXEC: clear it by hand then. */
	if (stdin_fd == STDIN_FILENO ? fcntl(stdin_fd, F_SETFD, 0) < 0 : dup2(stdin_fd, STDIN_FILENO) < 0)
		goto fail;
	/* pipe2 gave exec_fd >= 3 (four fds were open); keep it, cloexec, at 3 and
	 * close everything else of ours. */
	if (exec_fd != 3 && dup3(exec_fd, 3, O_CLOEXEC) < 0)
		goto fail;
	exec_fd = 3;
	close_fds_from(4);
	execve(path, argv, envp);
fail:;
	int e = errno;
	ssize_t r UNUSED = write(exec_fd, &e, sizeof(e));
	_exit(127);
}

static int hook_spawn(const struct spec_hook *h, struct hook_run *run, struct hutch_error **err)
{
	int in[2], ex[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return hutch_error_errno(err, "pipe");
	if (pipe2(ex, O_CLOEXEC) < 0) {
		hutch_error_errno(err, "pipe");
		close(in[0]);
		close(in[1]);
		return -1;
	}
	char *self_argv[] = { h->path, NULL };
	static char *const empty_env[] = { NULL };
	char *const *argv = h->args && h->args[0] ? h->args : self_argv;
	char *const *envp = h->env ? h->env : empty_env;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		hook_child(in[0], ex[1], h->path, argv, envp, parent);
	int fork_errno = errno;
	close(in[0]);
	close(ex[1]);
	if (pid < 0) {
		close(in[1]);
		close(ex[0]);
		errno = fork_errno;
		return hutch_error_errno(err, "fork");
	}
	run->pid = pid;
	run->in_fd = in[1];
	run->exec_fd = ex[0];
	run->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	fcntl(run->in_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Feed what the pipe takes now; a hook that closed its stdin is not an error. */
static void hook_feed(struct hook_run *run)
{
	while (run->left > 0) {
		ssize_t n = write(run->in_fd, run->data, run->left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			break;  /* EPIPE: the hook does not read stdin */
		run->data += n;
		run->left -= (size_t)n;
	}
	closep(&run->in_fd);
}

/* Poll until the hook exits or the deadline (0 = none) passes: 1 exited, 0 timed out. */
static int hook_wait(struct hook_run *run, unsigned long long deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(run->pid, status, WNOHANG);
		if (r == run->pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1;  /* reaped elsewhere: nothing left to wait for */
		unsigned long long now = now_ns();
		if (deadline && now >= deadline)
			return 0;
		int ms = deadline ? (int)((deadline - now + 999999) / 1000000) : -1;
		if (run->pidfd < 0 && (ms < 0 || ms > 10))
			ms = 10;
		struct pollfd pf[2] = {
			{ .fd = run->pidfd, .events = POLLIN },
			{ .fd = run->in_fd, .events = POLLOUT },
		};
		if (poll(pf, 2, ms) > 0 && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP)))
			hook_feed(run);
	}
}

/* EPIPE raises SIGPIPE at us: keep it blocked while feeding and swallow one we caused. */
static int hook_wait_nosigpipe(struct hook_run *run, unsigned long long deadline, int *status)
{
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	hook_feed(run);
	int r = hook_wait(run, deadline, status);
	sigpending(&pending);
	if (!was_pending && sigismember(&pending, SIGPIPE)) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

static int hook_status_error(const struct spec_hook *h, const char *phase, int status, int exec_errno,
			     struct hutch_error **err)
{
	if (exec_errno != 0)
		return hutch_error_set(err, exec_errno, "%s hook %s: exec: %s", phase, h->path, strerror(exec_errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return hutch_error_set(err, 0, "%s hook %s: exit status %d", phase, h->path, WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		const char *name = signal_name(WTERMSIG(status));
		if (name)
			return hutch_error_set(err, 0, "%s hook %s: killed by signal %s", phase, h->path, name);
		return hutch_error_set(err, 0, "%s hook %s: killed by signal %d", phase, h->path, WTERMSIG(status));
	}
	return hutch_error_set(err, 0, "%s hook %s: wait status %#x", phase, h->path, status);
}

static int hook_run_one(const struct spec_hook *h, const char *phase, const char *state_json,
			struct hutch_error **err)
{
	struct hook_run run = { .pidfd = -1, .in_fd = -1, .exec_fd = -1, .data = state_json ? state_json : "",
				.left = state_json ? strlen(state_json) : 0 };
	if (hook_spawn(h, &run, err) < 0)
		return hutch_error_wrap(err, "%s hook %s", phase, h->path);
	unsigned long long deadline = h->has_timeout && h->timeout > 0
		? now_ns() + (unsigned long long)h->timeout * 1000000000ULL : 0;
	int status = 0;
	int exited = hook_wait_nosigpipe(&run, deadline, &status);
	if (!exited) {
		kill(-run.pid, SIGKILL);
		kill(run.pid, SIGKILL);
		while (waitpid(run.pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	closep(&run.in_fd);
	closep(&run.pidfd);
	int exec_errno = 0;
	ssize_t n;
	do
		n = read(run.exec_fd, &exec_errno, sizeof(exec_errno));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(exec_errno))
		exec_errno = 0;
	closep(&run.exec_fd);
	if (!exited)
		return hutch_error_set(err, 0, "%s hook %s: timed out after %ds", phase, h->path, h->timeout);
	return hook_status_error(h, phase, status, exec_errno, err);
}

int hooks_run(const struct spec_hook *hooks, size_t n, const char *phase, const char *state_json,
	      struct hutch_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (hook_run_one(&hooks[i], phase, state_json, err) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const struct spec_hook *hooks, size_t n, const char *phase, const char *state_json)
{
	for (size_t i = 0; i < n; i++) {
		cleanup_error struct hutch_error *err = NULL;
		if (hook_run_one(&hooks[i], phase, state_json, &err) < 0)
			fprintf(stderr, "hutch: warning: %s\n", err ? err->msg : "hook failed");
	}
}
