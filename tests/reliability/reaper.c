/* hutch-reaper: run a command as a child subreaper and report every process it
 * leaves behind.
 *
 * Usage: hutch-reaper [-g GRACE_MS] [-l FILE] -- COMMAND [ARG...]
 *
 * A runtime's processes that outlive it (a container init, an init stage, a hook)
 * are reparented to the nearest subreaper: this one. Once COMMAND has exited,
 * the reaper waits up to GRACE_MS (default 2000) for its remaining descendants to
 * exit (a SIGKILLed init takes a moment to die), then writes one line per process
 * still alive ("PID COMM STATE") to FILE (default stderr), kills it and reaps it.
 * Zombies are reaped as they come: a zombie left by COMMAND is not a leak of the
 * host, a live process is. Exit status: COMMAND's (128 + signal if killed). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* Reap whatever is a zombie now; note COMMAND's status when it comes. */
static void reap_some(pid_t cmd, int *cmd_status, int *cmd_done)
{
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == cmd) {
			*cmd_status = st;
			*cmd_done = 1;
		}
	}
}

/* The live children of this process: "PID COMM STATE" lines from /proc/<pid>/stat. */
static int live_children(pid_t *pids, int max, char lines[][300])
{
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *de;
	pid_t self = getpid();
	while (d && (de = readdir(d)) != NULL && n < max) {
		char path[300], buf[512];
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		char *close_paren = strrchr(buf, ')');
		char *open_paren = strchr(buf, '(');
		if (close_paren == NULL || open_paren == NULL || close_paren[1] == '\0')
			continue;
		char state = close_paren[2];
		long ppid = strtol(close_paren + 4, NULL, 10);
		if (ppid != self || state == 'Z' || state == 'X')
			continue;
		*close_paren = '\0';
		pids[n] = (pid_t)atoi(de->d_name);
		snprintf(lines[n], sizeof(lines[n]), "%.16s %.64s %c", de->d_name, open_paren + 1, state);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static int exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 125;
}

int main(int argc, char **argv)
{
	long grace = 2000;
	const char *leak_file = NULL;
	int c;
	while ((c = getopt(argc, argv, "+g:l:")) != -1) {
		if (c == 'g')
			grace = atol(optarg);
		else if (c == 'l')
			leak_file = optarg;
		else
			return 125;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: hutch-reaper [-g GRACE_MS] [-l FILE] -- COMMAND [ARG...]\n");
		return 125;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("hutch-reaper: PR_SET_CHILD_SUBREAPER");
		return 125;
	}
	pid_t cmd = fork();
	if (cmd < 0) {
		perror("hutch-reaper: fork");
		return 125;
	}
	if (cmd == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "hutch-reaper: exec %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	int cmd_status = 0, cmd_done = 0;
	while (!cmd_done) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (p == cmd) {
			cmd_status = st;
			cmd_done = 1;
		} else if (p < 0 && errno != EINTR) {
			break;
		}
	}
	FILE *out = leak_file ? fopen(leak_file, "a") : stderr;
	if (out == NULL)
		out = stderr;
	enum { MAX = 256 };
	static pid_t pids[MAX];
	static char lines[MAX][300];
	unsigned long long deadline = now_ms() + (unsigned long long)grace;
	int rounds = 0;
	for (;;) {
		reap_some(cmd, &cmd_status, &cmd_done);
		int n = live_children(pids, MAX, lines);
		if (n == 0)
			break;
		if (now_ms() < deadline) {
			usleep(20000);
			continue;
		}
		/* Killing a child reparents its own children to us: go round again. */
		for (int i = 0; i < n; i++) {
			fprintf(out, "%s\n", lines[i]);
			kill(pids[i], SIGKILL);
		}
		if (++rounds > 50)
			break;
		deadline = now_ms() + 100;
	}
	if (out != stderr)
		fclose(out);
	return exit_code(cmd_status);
}
