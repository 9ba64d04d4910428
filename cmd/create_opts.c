/* The flags that create and run share. */
#include "create_opts.h"
#include "../libcontainer/utils.h"

#include <getopt.h>
#include <string.h>

static const char *run_flag_name(int c)
{
	return c == 'd' ? "detach" : c == 'k' ? "keep" : "no-subreaper";
}

int create_opts_parse(const char *cmd, int argc, char **argv, struct create_opts *o, struct run_flags *run)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "pidfd-socket", required_argument, NULL, 'F' },
		{ "no-pivot", no_argument, NULL, 'P' },
		{ "no-new-keyring", no_argument, NULL, 'K' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-subreaper", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int c, preserve = 0;
	while ((c = getopt_long(argc, argv, run ? "+b:d" : "+b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'c': o->console_socket = optarg; break;
		case 'F': o->pidfd_socket = optarg; break;
		case 'P': o->no_pivot = true; break;
		case 'K': o->no_new_keyring = true; break;
		case 'f':
			if (cli_parse_preserve_fds(cmd, optarg, &preserve) != 0)
				return 1;
			break;
		case 'd': case 'k': case 'S':
			if (run == NULL)
				return cli_usage_error(cmd, "unknown option --%s", run_flag_name(c));
			run->detach |= c == 'd';
			run->keep |= c == 'k';
			run->no_subreaper |= c == 'S';
			break;
		default: return cli_usage_error(cmd, "bad option");
		}
	}
	if (cli_want_args(cmd, argc, argv, 1, "container id") != 0)
		return 1;
	o->id = argv[optind];
	if (cli_passed_fds(cmd, preserve, &o->preserve_fds, &o->listen_fds) != 0)
		return 1;
	o->listen_fdnames = o->listen_fds ? getenv("LISTEN_FDNAMES") : NULL;
	return 0;
}

void create_opts_usage(const char *cmd, const char *what, bool run)
{
	printf("Usage: hutch %s [options] <container-id>\n\n%s\n\nOptions:\n"
	       "  -b, --bundle DIR          the bundle directory (default: current directory)\n"
	       "      --pid-file FILE       write the container process's pid to FILE\n"
	       "      --console-socket SOCK unix socket that receives the terminal master\n"
	       "      --pidfd-socket SOCK   unix socket that receives a pidfd of the container's process\n"
	       "      --no-pivot            do not use pivot_root (for ramdisk roots)\n"
	       "      --no-new-keyring      keep the caller's session keyring\n"
	       "      --preserve-fds N      pass N more fds (from 3) to the container\n",
	       cmd, what);
	if (run)
		printf("  -d, --detach              do not wait for the container to exit\n"
		       "      --keep                do not delete the container after it exits\n"
		       "      --no-subreaper        do not reap the processes reparented to hutch\n");
}
