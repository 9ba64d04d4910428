/* The lifecycle operations of runtime.md on one container: create (this file
 * and the init stage in init.c), start, kill, delete, state (lifecycle.c). */
#ifndef HUTCH_CONTAINER_H
#define HUTCH_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>
#include "error.h"

struct create_opts {
	const char *root;           /* state root, e.g. /run/hutch */
	const char *id;
	const char *bundle;         /* as given; made absolute */
	const char *pid_file;
	const char *console_socket;
	const char *pidfd_socket;   /* gets a pidfd of the init (payload "standard", as runc) */
	/* Foreground run: when process.terminal is set and there is no
	 * console_socket, create receives the pty master itself and stores it
	 * here (terminal.h); NULL: terminal needs --console-socket. */
	int *terminal_master;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;           /* fds 3 .. 3+n-1 go to the container */
	int listen_fds;             /* the first of them are sd_listen_fds(3) ones */
	const char *listen_fdnames; /* their LISTEN_FDNAMES, or NULL */
	bool systemd_cgroup;
	bool no_cgroup;             /* no cgroup at all: the init stays in the creator's */
};

/* Build the container and leave its init waiting for start. On error the
 * host is as before (runtime.md "Errors"). */
int container_create(const struct create_opts *o, pid_t *pid, struct hutch_error **err);
int container_start(const char *root, const char *id, struct hutch_error **err);
int container_kill(const char *root, const char *id, int sig, bool all, struct hutch_error **err);
int container_delete(const char *root, const char *id, bool force, struct hutch_error **err);
int container_state(const char *root, const char *id, json_object **out, struct hutch_error **err);
/* The cgroup path saved at create, for ps and the cgroup commands. */
int container_cgroup_path(const char *root, const char *id, char **out, struct hutch_error **err);

struct cgroup_sub;

struct exec_opts {
	const char *root;
	const char *id;
	const char *process_json;   /* the process to run, runtime-spec "process" object */
	const char *pid_file;
	bool detach;
	bool ignore_paused;
	int preserve_fds;           /* as in create_opts */
	int listen_fds;
	const char *listen_fdnames;
	const char *console_socket; /* process.terminal: where the pty master goes */
	int *terminal_master;       /* as in create_opts, for exec -t in the foreground */
	const char *pidfd_socket;   /* gets a pidfd of the process (payload "setns", as runc) */
	const struct cgroup_sub *cgroup_subs; /* exec --cgroup (cgroup_sub.h) */
	size_t n_cgroup_subs;
};

/* Run a process in a created or running container: every namespace and the
 * cgroup of its init. *pid is the new process (a child of the caller). */
int container_exec(const struct exec_opts *o, pid_t *pid, struct hutch_error **err);
/* The process of the container's saved config.json, as JSON (for exec's flags). */
int container_saved_process(const char *root, const char *id, json_object **out, struct hutch_error **err);

/* Config fields that hutch parses but cannot apply yet: an error rather than
 * silently ignoring them (runtime.md: "If the runtime cannot apply a property
 * ... it MUST generate an error"). */
struct spec;
int container_check_supported(const struct spec *s, struct hutch_error **err);


#endif
