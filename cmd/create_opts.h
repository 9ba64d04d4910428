#ifndef HUTCH_CMD_CREATE_OPTS_H
#define HUTCH_CMD_CREATE_OPTS_H

#include "cmd.h"
#include "../libcontainer/container.h"

/* run's own flags, as runc's. */
struct run_flags {
	bool detach;
	bool keep;          /* foreground: leave the stopped container for `delete` */
	bool no_subreaper;  /* foreground: do not become the child subreaper */
};

/* Parse create/run flags and the id; `run` is NULL for create. Returns a
 * non-zero exit status on a usage error. */
int create_opts_parse(const char *cmd, int argc, char **argv, struct create_opts *o, struct run_flags *run);
void create_opts_usage(const char *cmd, const char *what, bool run);

#endif
