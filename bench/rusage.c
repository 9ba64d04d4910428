/* bench/rusage.c: run a command, report "<wall ns> <ru_maxrss KiB> <wait status> <cpu ns>" into a
 * file. Built static by bench/run.sh so that its own footprint is small: at execve the
 * kernel folds the old image's peak RSS into the child's ru_maxrss, so a spawn straight
 * from python would report python's RSS for every runtime. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rusage RESULT-FILE COMMAND [ARG...]\n");
		return 2;
	}
	struct timespec a, b;
	struct rusage ru;
	pid_t pid;
	int status;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int e = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ);
	if (e != 0) {
		fprintf(stderr, "rusage: spawn %s: error %d\n", argv[2], e);
		return 127;
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("rusage: wait4");
		return 127;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	FILE *f = fopen(argv[1], "we");
	if (f == NULL) {
		perror(argv[1]);
		return 127;
	}
	long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
	/* CPU time (user + system) of the command and every descendant it reaped: on a
	 * loaded machine it varies far less than the wall time. */
	long long cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	fprintf(f, "%lld %ld %d %lld\n", ns, ru.ru_maxrss, status, cpu);
	return fclose(f) == 0 ? 0 : 127;
}
