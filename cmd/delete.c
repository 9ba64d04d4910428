#include "cmd.h"
#include "../libcontainer/container.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

static int delete_main(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	int c;
	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage_error("delete", "bad option");
		force = true;
	}
	if (cli_want_args("delete", argc, argv, 1, "container id") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	if (container_delete(g->root, argv[optind], force, &err) < 0) {
		/* runc: delete --force of a container that is already gone succeeds. */
		if (force && err->errnum == ENOENT)
			return 0;
		return cli_fail(g, err);
	}
	return 0;
}

static void delete_usage(void)
{
	printf("Usage: hutch delete [--force] <container-id>\n\n"
	       "Delete a stopped container and everything create made for it.\n\nOptions:\n"
	       "  -f, --force   kill the container first if it is not stopped\n");
}

const struct command cmd_delete = { "delete", "delete a container", delete_main, delete_usage };
