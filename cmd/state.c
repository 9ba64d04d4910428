#include "cmd.h"
#include "../libcontainer/container.h"
#include "../libcontainer/utils.h"

#include <getopt.h>

static int state_main(const struct global_opts *g, int argc, char **argv)
{
	if (getopt_long(argc, argv, "+", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return cli_usage_error("state", "bad option");
	if (cli_want_args("state", argc, argv, 1, "container id") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	cleanup_json json_object *st = NULL;
	if (container_state(g->root, argv[optind], &st, &err) < 0)
		return cli_fail(g, err);
	/* runc prints the state indented by two spaces. */
	puts(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static void state_usage(void)
{
	printf("Usage: hutch state <container-id>\n\nPrint the state of a container as JSON.\n");
}

const struct command cmd_state = { "state", "print the state of a container", state_main, state_usage };
