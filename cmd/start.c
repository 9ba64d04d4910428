#include "cmd.h"
#include "../libcontainer/container.h"

#include <getopt.h>
#include <stdio.h>

static int start_main(const struct global_opts *g, int argc, char **argv)
{
	if (getopt_long(argc, argv, "+", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return cli_usage_error("start", "bad option");
	if (cli_want_args("start", argc, argv, 1, "container id") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	if (container_start(g->root, argv[optind], &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void start_usage(void)
{
	printf("Usage: hutch start <container-id>\n\nRun the process of a created container.\n");
}

const struct command cmd_start = { "start", "run the process of a created container", start_main, start_usage };
