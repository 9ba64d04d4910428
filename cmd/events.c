/* `events`: the container's stats and OOM notifications as JSON lines, in
 * runc's shape (what containerd's and podman's stats readers decode). */
#include "cmd.h"
#include "../libcontainer/control.h"
#include "../libcontainer/utils.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const struct { const char *unit; double ms; } duration_units[] = {
	{ "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1 }, { "s", 1e3 },
	{ "m", 60e3 }, { "h", 3600e3 },
};

/* One "<number><unit>" term of a Go duration; returns its length, 0 on error. */
static size_t duration_term(const char *s, double *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno != 0 || v < 0 || *s == '+' || *s == '-')
		return 0;
	size_t best = 0;
	for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
		size_t l = strlen(duration_units[i].unit);
		if (l > best && strncmp(end, duration_units[i].unit, l) == 0) {
			best = l;
			*ms = v * duration_units[i].ms;
		}
	}
	return best ? (size_t)(end - s) + best : 0;
}

/* A Go time.Duration as runc's --interval takes it: "5s", "100ms", "1m30s". */
static int parse_duration_ms(const char *s, unsigned long *out)
{
	double total = 0;
	if (*s == '\0')
		return -1;
	while (*s) {
		double ms;
		size_t n = duration_term(s, &ms);
		if (n == 0)
			return -1;
		total += ms;
		s += n;
	}
	if (total > 86400e3 * 365)
		return -1;
	/* Rounded up: a sub-millisecond interval is still an interval. */
	*out = (unsigned long)total + (total > (double)(unsigned long)total ? 1 : 0);
	return 0;
}

static int print_event(json_object *e, UNUSED void *arg, struct hutch_error **err)
{
	const char *line = json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (printf("%s\n", line) < 0 || fflush(stdout) != 0)
		return hutch_error_errno(err, "events: write to stdout");
	return 0;
}

static int events_main(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "stats", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct events_opts o = { .interval_ms = 5000 };
	int c;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 's') {
			o.stats_once = true;
		} else if (c == 'i') {
			if (parse_duration_ms(optarg, &o.interval_ms) < 0)
				return cli_usage_error("events", "--interval: invalid duration \"%s\" (e.g. 5s, 100ms)",
						       optarg);
		} else {
			return cli_usage_error("events", "bad option");
		}
	}
	if (cli_want_args("events", argc, argv, 1, "container id") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	if (container_events(g->root, argv[optind], &o, print_event, NULL, &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void events_usage(void)
{
	printf("Usage: hutch events [--stats] [--interval DURATION] <container-id>\n\n"
	       "Print the container's resource usage every DURATION (default 5s) and its OOM\n"
	       "events, one JSON object per line, until the container stops.\n\nOptions:\n"
	       "  --stats               print the usage once and exit\n"
	       "  --interval DURATION   time between two stats events (5s, 500ms, 1m...)\n");
}

const struct command cmd_events = { "events", "print container stats and OOM events", events_main, events_usage };
