#include "cmd.h"
#include "../libcontainer/container.h"
#include "../libcontainer/signals.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

static int kill_main(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool all = false;
	int c;
	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return cli_usage_error("kill", "bad option");
		all = true;
	}
	int left = argc - optind;
	if (left < 1 || left > 2)
		return cli_usage_error("kill", left < 1 ? "missing container id" : "too many arguments");
	int sig = SIGTERM;
	if (left == 2 && (sig = signal_parse(argv[optind + 1])) < 0)
		return cli_usage_error("kill", "unknown signal \"%s\"", argv[optind + 1]);
	cleanup_error struct hutch_error *err = NULL;
	if (container_kill(g->root, argv[optind], sig, all, &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void kill_usage(void)
{
	printf("Usage: hutch kill [--all] <container-id> [signal]\n\n"
	       "Send a signal (default SIGTERM; a name with or without SIG, or a number) to the\n"
	       "container's init.\n\nOptions:\n  -a, --all   signal every process of the container\n");
}

const struct command cmd_kill = { "kill", "send a signal to a container", kill_main, kill_usage };
