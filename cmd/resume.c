#include "cmd.h"
#include "../libcontainer/control.h"

#include <getopt.h>
#include <stdio.h>

static int resume_main(const struct global_opts *g, int argc, char **argv)
{
	if (getopt_long(argc, argv, "+", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return cli_usage_error("resume", "bad option");
	if (cli_want_args("resume", argc, argv, 1, "container id") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	if (container_resume(g->root, argv[optind], &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void resume_usage(void)
{
	printf("Usage: hutch resume <container-id>\n\nResume the processes of a paused container.\n");
}

const struct command cmd_resume = { "resume", "resume all processes of a paused container", resume_main,
				    resume_usage };
