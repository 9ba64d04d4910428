#ifndef HUTCH_CMD_CREATE_OPTS_H
#define HUTCH_CMD_CREATE_OPTS_H

#include "cmd.h"
#include "../libcontainer/container.h"

/* Parse create/run flags and the id; `detach` is NULL for create. Returns a
 * non-zero exit status on a usage error. */
int create_opts_parse(const char *cmd, int argc, char **argv, struct create_opts *o, bool *detach);
void create_opts_usage(const char *cmd, const char *what, bool run);

#endif
