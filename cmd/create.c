#include "create_opts.h"

static int create_main(const struct global_opts *g, int argc, char **argv)
{
	struct create_opts o = { .root = g->root, .bundle = ".", .systemd_cgroup = g->systemd_cgroup,
				  .no_cgroup = g->no_cgroup };
	int rc = create_opts_parse("create", argc, argv, &o, NULL);
	if (rc != 0)
		return rc;
	cleanup_error struct hutch_error *err = NULL;
	if (container_create(&o, NULL, &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void create_usage(void)
{
	create_opts_usage("create", "Create a container from a bundle; `start` runs its process.", false);
}

const struct command cmd_create = { "create", "create a container", create_main, create_usage };
