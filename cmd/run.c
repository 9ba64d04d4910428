#include "create_opts.h"
#include "../libcontainer/terminal.h"
#include "../libcontainer/utils.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

static int exit_status_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

void cli_block_signals(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGFPE);
	sigdelset(set, SIGILL);
	sigprocmask(SIG_BLOCK, set, NULL);
}

/* One signal: forward it to `init`, or reap. Returns 1 once `init` has
 * exited, with its exit status in *status. */
static int on_signal(int sig, pid_t init, const struct terminal_relay *tty, int *status)
{
	/* With a pty, SIGWINCH is a resize: the kernel then signals the pty's
	 * foreground process group itself. */
	if (sig == SIGWINCH && tty->master >= 0) {
		terminal_relay_resize(tty);
		return 0;
	}
	if (sig != SIGCHLD) {
		kill(init, sig);
		return 0;
	}
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == init) {
			*status = exit_status_of(st);
			return 1;
		}
	}
	if (p < 0 && errno == ECHILD) {
		*status = 1;
		return 1;
	}
	return 0;
}

static int next_signal(int sfd)
{
	struct signalfd_siginfo si;
	if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

/* Forward every signal to the container's init until it exits; reap others.
 * With a pty master (process.terminal in the foreground), copy it to and
 * from our stdio meanwhile (terminal.h). */
int cli_wait_forwarding(pid_t init, const sigset_t *set, int pty_master)
{
	struct terminal_relay tty;
	terminal_relay_start(&tty, pty_master);
	cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC);
	int status = 1;
	for (bool done = false; !done;) {
		if (sfd < 0) {
			siginfo_t si;
			int sig = sigwaitinfo(set, &si);
			done = sig > 0 && on_signal(sig, init, &tty, &status);
			continue;
		}
		struct pollfd p[1 + TERMINAL_RELAY_MAX_POLLFDS] = { { .fd = sfd, .events = POLLIN } };
		size_t n = 1 + terminal_relay_pollfds(&tty, p + 1);
		if (poll(p, n, -1) < 0)
			continue;
		/* Signals first: a resize that came with the keys typed after it
		 * reaches the pty before them. */
		int sig = (p[0].revents & POLLIN) ? next_signal(sfd) : 0;
		done = sig > 0 && on_signal(sig, init, &tty, &status);
		if (!done)
			terminal_relay_io(&tty, p + 1, n - 1);
	}
	terminal_relay_finish(&tty);
	return status;
}

static int run_main(const struct global_opts *g, int argc, char **argv)
{
	struct create_opts o = { .root = g->root, .bundle = ".", .systemd_cgroup = g->systemd_cgroup,
				  .no_cgroup = g->no_cgroup };
	struct run_flags f = { 0 };
	int rc = create_opts_parse("run", argc, argv, &o, &f);
	if (rc != 0)
		return rc;
	/* As runc: in the foreground the terminal is hutch's to relay, not a client's. */
	if (!f.detach && o.console_socket)
		return cli_usage_error("run", "--console-socket: only with --detach (in the foreground "
				       "hutch relays the terminal itself)");
	sigset_t all;
	cleanup_close int master = -1;
	if (!f.detach) {
		/* Orphans of the container's init stage (and, without a pid
		 * namespace, of its processes) come back to us, not to pid 1. */
		if (!f.no_subreaper)
			prctl(PR_SET_CHILD_SUBREAPER, 1);
		cli_block_signals(&all);
		o.terminal_master = &master;
	}
	cleanup_error struct hutch_error *err = NULL;
	pid_t pid;
	if (container_create(&o, &pid, &err) < 0)
		return cli_fail(g, err);
	if (container_start(g->root, o.id, &err) < 0) {
		container_delete(g->root, o.id, true, NULL);
		return cli_fail(g, err);
	}
	if (f.detach)
		return 0;
	int status = cli_wait_forwarding(pid, &all, take_fd(&master));
	if (!f.keep && container_delete(g->root, o.id, true, &err) < 0)
		cli_fail(g, err);
	return status;
}

static void run_usage(void)
{
	create_opts_usage("run", "Create and start a container; without --detach wait for it,\n"
			  "delete it and exit with its exit status.", true);
}

const struct command cmd_run = { "run", "create and start a container", run_main, run_usage };
