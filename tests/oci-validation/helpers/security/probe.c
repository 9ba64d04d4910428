/* probe: reads back, from inside a container, what the runtime set up for the
 * process, and makes the syscalls the seccomp tests need. Linked statically:
 * it runs in the busybox rootfs of the e2e tests.
 *
 *   probe sched                 sched_getattr(2) of the calling thread
 *   probe ioprio                ioprio_get(2)
 *   probe mempolicy             get_mempolicy(2): mode, flags, nodes
 *   probe personality           personality(0xffffffff)
 *   probe syscall NR [ARG...]   the raw syscall; prints "ret=R errno=E"
 *   probe thread NR [ARG...]    the syscall in a second thread; prints
 *                               "thread-done" and "alive" when the process
 *                               survives it
 *   probe trap NR [ARG...]      the syscall with a SIGSYS handler; prints
 *                               "trapped nr=N" or "ret=R errno=E"
 *   probe trace NR [ARG...]     the syscall in a child traced with
 *                               PTRACE_O_TRACESECCOMP; prints "traced msg=M"
 *                               (the filter's SECCOMP_RET_DATA) or "ret=R errno=E"
 *   probe signalled NR [ARG...] the syscall with a SIGUSR1 handler (SA_RESTART);
 *                               prints "ret=R errno=E signals=N"
 *   probe fds                   every open fd and what it points to
 *   probe openfds               the open fds below 4096, found with fcntl (no /proc needed)
 *
 * Numbers take C syntax (0x..). Exit status 0, or 2 on a usage error. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>

struct sched_attr_v1 {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

struct call {
	long nr;
	long args[6];
};

static int usage(void)
{
	fprintf(stderr, "usage: probe sched|ioprio|mempolicy|personality|fds|openfds|"
		"{syscall,thread,trap,trace} NR [ARG...]\n");
	return 2;
}

static int parse_call(int argc, char **argv, struct call *c)
{
	if (argc < 1 || argc > 7)
		return -1;
	memset(c, 0, sizeof(*c));
	c->nr = strtol(argv[0], NULL, 0);
	for (int i = 1; i < argc; i++)
		c->args[i - 1] = (long)strtoul(argv[i], NULL, 0);
	return 0;
}

static long do_call(const struct call *c)
{
	return syscall(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4], c->args[5]);
}

static void print_result(long r)
{
	printf("ret=%ld errno=%d\n", r, r < 0 ? errno : 0);
}

static int probe_sched(void)
{
	struct sched_attr_v1 a = { 0 };
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) < 0) {
		perror("sched_getattr");
		return 1;
	}
	printf("policy=%u nice=%d priority=%u flags=0x%llx runtime=%llu deadline=%llu period=%llu\n",
	       a.policy, a.nice, a.priority, (unsigned long long)a.flags,
	       (unsigned long long)a.runtime, (unsigned long long)a.deadline,
	       (unsigned long long)a.period);
	return 0;
}

static int probe_ioprio(void)
{
	long r = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	if (r < 0) {
		perror("ioprio_get");
		return 1;
	}
	printf("class=%ld level=%ld\n", r >> 13, r & 0x1fff);
	return 0;
}

static int probe_mempolicy(void)
{
	int mode = 0;
	unsigned long nodes[16] = { 0 };
	const unsigned long maxnode = sizeof(nodes) * CHAR_BIT;
	if (syscall(SYS_get_mempolicy, &mode, nodes, maxnode, NULL, 0UL) < 0) {
		perror("get_mempolicy");
		return 1;
	}
	/* The mode flags come back in the high bits of mode. */
	printf("mode=%d flags=0x%x nodes=", mode & 0xff, (unsigned)mode & ~0xffU);
	const char *sep = "";
	for (unsigned long i = 0; i < maxnode; i++) {
		if (nodes[i / (sizeof(long) * CHAR_BIT)] & (1UL << (i % (sizeof(long) * CHAR_BIT)))) {
			printf("%s%lu", sep, i);
			sep = ",";
		}
	}
	printf("\n");
	return 0;
}

static int probe_personality(void)
{
	long r = syscall(SYS_personality, 0xffffffffUL);
	printf("personality=0x%lx\n", r);
	return 0;
}

static void *thread_main(void *arg)
{
	do_call(arg);
	return NULL;
}

static int probe_thread(const struct call *c)
{
	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, (void *)c) != 0) {
		perror("pthread_create");
		return 1;
	}
	/* A thread killed by SECCOMP_RET_KILL_THREAD still clears its tid,
	 * so the join returns. */
	pthread_join(t, NULL);
	printf("thread-done\nalive\n");
	return 0;
}

static volatile sig_atomic_t trapped_nr = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped_nr = si->si_syscall;
}

static int probe_trap(const struct call *c)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);
	long r = do_call(c);
	if (trapped_nr >= 0)
		printf("trapped nr=%d\n", (int)trapped_nr);
	else
		print_result(r);
	return 0;
}

static volatile sig_atomic_t signals;

static void on_sigusr1(int sig)
{
	(void)sig;
	signals++;
}

static int probe_signalled(const struct call *c)
{
	struct sigaction sa = { .sa_handler = on_sigusr1, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	long r = do_call(c);
	printf("ret=%ld errno=%d signals=%d\n", r, r < 0 ? errno : 0, (int)signals);
	return 0;
}

static int trace_child(const struct call *c)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(3);
	raise(SIGSTOP);
	long r = do_call(c);
	print_result(r);
	fflush(stdout);
	_exit(0);
}

static int probe_trace(const struct call *c)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0)
		trace_child(c);
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st))
		return fprintf(stderr, "probe: the child did not stop\n"), 1;
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)PTRACE_O_TRACESECCOMP);
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	while (waitpid(pid, &st, 0) == pid && WIFSTOPPED(st)) {
		if ((st >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			unsigned long msg = 0;
			ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg);
			printf("traced msg=%lu\n", msg);
			fflush(stdout);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 0;
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)(WSTOPSIG(st) == SIGSTOP ? 0 : WSTOPSIG(st)));
	}
	return 0;
}

static int probe_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return perror("opendir /proc/self/fd"), 1;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		char link[300], target[PATH_MAX];
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("%s %s\n", de->d_name, target);
	}
	closedir(d);
	return 0;
}

static int probe_openfds(void)
{
	const char *sep = "";
	for (int fd = 0; fd < 4096; fd++) {
		if (fcntl(fd, F_GETFD) >= 0) {
			printf("%s%d", sep, fd);
			sep = " ";
		}
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (strcmp(cmd, "sched") == 0)
		return probe_sched();
	if (strcmp(cmd, "ioprio") == 0)
		return probe_ioprio();
	if (strcmp(cmd, "mempolicy") == 0)
		return probe_mempolicy();
	if (strcmp(cmd, "personality") == 0)
		return probe_personality();
	if (strcmp(cmd, "fds") == 0)
		return probe_fds();
	if (strcmp(cmd, "openfds") == 0)
		return probe_openfds();
	struct call c;
	if (parse_call(argc - 2, argv + 2, &c) < 0)
		return usage();
	if (strcmp(cmd, "syscall") == 0) {
		print_result(do_call(&c));
		return 0;
	}
	if (strcmp(cmd, "thread") == 0)
		return probe_thread(&c);
	if (strcmp(cmd, "trap") == 0)
		return probe_trap(&c);
	if (strcmp(cmd, "trace") == 0)
		return probe_trace(&c);
	if (strcmp(cmd, "signalled") == 0)
		return probe_signalled(&c);
	return usage();
}
