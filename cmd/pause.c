#include "cmd.h"
#include "../libcontainer/control.h"

#include <getopt.h>
#include <stdio.h>

static int pause_main(const struct global_opts *g, int argc, char **argv)
{
	if (getopt_long(argc, argv, "+", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return cli_usage_error("pause", "bad option");
	if (cli_want_args("pause", argc, argv, 1, "container id") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	if (container_pause(g->root, argv[optind], &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void pause_usage(void)
{
	printf("Usage: hutch pause <container-id>\n\n"
	       "Suspend every process of a container (cgroup freezer); it stays paused until\n"
	       "'hutch resume'.\n");
}

const struct command cmd_pause = { "pause", "suspend all processes of a container", pause_main, pause_usage };
