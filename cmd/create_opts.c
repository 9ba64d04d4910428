/* The flags that create and run share. */
#include "create_opts.h"
#include "../libcontainer/utils.h"

#include <getopt.h>
#include <string.h>

int create_opts_parse(const char *cmd, int argc, char **argv, struct create_opts *o, bool *detach)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'P' },
		{ "no-new-keyring", no_argument, NULL, 'K' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-subreaper", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	long long n;
	while ((c = getopt_long(argc, argv, detach ? "+b:d" : "+b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'c': o->console_socket = optarg; break;
		case 'P': o->no_pivot = true; break;
		case 'K': o->no_new_keyring = true; break;
		case 'f':
			if (parse_int64(optarg, &n) < 0 || n < 0 || n > 65536)
				return cli_usage_error(cmd, "--preserve-fds: not a count: \"%s\"", optarg);
			o->preserve_fds = (int)n;
			break;
		case 'd':
			if (detach == NULL)
				return cli_usage_error(cmd, "unknown option --detach");
			*detach = true;
			break;
		case 'k': case 'S': break;
		default: return cli_usage_error(cmd, "bad option");
		}
	}
	if (cli_want_args(cmd, argc, argv, 1, "container id") != 0)
		return 1;
	o->id = argv[optind];
	/* sd_listen_fds(3) fds are passed on like runc does. */
	const char *listen = getenv("LISTEN_FDS");
	if (listen && parse_int64(listen, &n) == 0 && n > 0 && n < 65536)
		o->preserve_fds += (int)n;
	return 0;
}

void create_opts_usage(const char *cmd, const char *what, bool run)
{
	printf("Usage: hutch %s [options] <container-id>\n\n%s\n\nOptions:\n"
	       "  -b, --bundle DIR          the bundle directory (default: current directory)\n"
	       "      --pid-file FILE       write the container process's pid to FILE\n"
	       "      --console-socket SOCK unix socket that receives the terminal master\n"
	       "      --no-pivot            do not use pivot_root (for ramdisk roots)\n"
	       "      --no-new-keyring      keep the caller's session keyring\n"
	       "      --preserve-fds N      pass N more fds (from 3) to the container\n",
	       cmd, what);
	if (run)
		printf("  -d, --detach              do not wait for the container to exit\n");
}
