/* The command line: runc's commands, flags and output shapes. */
#ifndef HUTCH_CMD_H
#define HUTCH_CMD_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include "../libcontainer/error.h"

struct global_opts {
	const char *root;        /* --root, default /run/hutch */
	const char *log;         /* --log FILE */
	bool log_json;           /* --log-format json */
	bool debug;
	bool systemd_cgroup;
	bool no_cgroup;          /* --cgroup-manager disabled */
};

struct command {
	const char *name;
	const char *summary;
	/* argv[0] is the command name; returns the process exit status. */
	int (*run)(const struct global_opts *g, int argc, char **argv);
	void (*usage)(void);
};

extern const struct command *const commands[];

/* Print an error once: to stderr, and as a log line with --log. Returns 1. */
int cli_fail(const struct global_opts *g, struct hutch_error *err);
/* A usage error: "hutch <cmd>: <msg>" plus a hint; returns 1. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Exactly `n` positional arguments left after the options, else a usage error. */
int cli_want_args(const char *cmd, int argc, char **argv, int n, const char *what);
bool cli_is_help(int argc, char **argv);
/* --preserve-fds N: a count, else a usage error (returns 1). */
int cli_parse_preserve_fds(const char *cmd, const char *arg, int *out);
/* The fds create/run/exec pass from 3 on: the sd_listen_fds(3) ones first
 * (LISTEN_FDS, when LISTEN_PID is this process), then the --preserve-fds ones.
 * Sets *total and *listen; returns non-zero (an exit status) on error. */
int cli_passed_fds(const char *cmd, int preserve, int *total, int *listen);
/* Block the signals that `run` and `exec` forward to the container. */
void cli_block_signals(sigset_t *set);
/* Forward signals in `set` to pid until it exits; its exit status (128+n for a signal).
 * pty_master (or -1) is relayed to our stdio meanwhile, and closed. */
int cli_wait_forwarding(pid_t pid, const sigset_t *set, int pty_master);

extern const struct command cmd_create, cmd_start, cmd_state, cmd_kill, cmd_delete, cmd_run, cmd_spec,
	cmd_list, cmd_ps, cmd_exec, cmd_features;
extern const struct command cmd_pause, cmd_resume, cmd_update, cmd_events;

#endif
