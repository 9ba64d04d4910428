/* The start waiter's command line, shared by the init stage that execs it
 * (exe.c) and the waiter itself (waiter.c, built freestanding: this header
 * includes nothing). */
#ifndef HUTCH_WAITER_H
#define HUTCH_WAITER_H

/* argv[0]; anything else (a `#!/proc/self/exe` script in the image that
 * re-runs the waiter, say) is refused. */
#define WAITER_ARGV0 "hutch-start-waiter"

/* argv[1..7]: the sync socket to send READY on, the `tasks` of the
 * container's v1 memory cgroup to go back into (-1: none), the start socket,
 * the sealed memfd holding a seccomp filter to load after start (-1: none), its
 * SECCOMP_FILTER_FLAG_* and its length in instructions, the program to exec;
 * argv[8..]: the process's own argv. The environment is the process's. */
enum {
	WAITER_ARG_READY = 1,
	WAITER_ARG_CGROUP,
	WAITER_ARG_LISTEN,
	WAITER_ARG_FILTER_FD,
	WAITER_ARG_FILTER_FLAGS,
	WAITER_ARG_FILTER_LEN,
	WAITER_ARG_PATH,
	WAITER_ARG_ARGV,
};

/* sync.h's message types it sends and reads (exe.c checks them). */
#define WAITER_SYNC_READY 7
#define WAITER_SYNC_ERROR 8
#define WAITER_SYNC_START 9

/* socket(2): SOCK_CLOEXEC is O_CLOEXEC; exe.c checks it against libc's. */
#define WAITER_SOCK_CLOEXEC 02000000

#endif
