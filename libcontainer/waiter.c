/* The start waiter: what the container's init is between create and start
 * when create did not re-exec hutch (see container.c, init_can_fork).
 *
 * CVE-2019-5736: a process of the container that can see the waiting init
 * (one started by `exec`, or by a container sharing the pid namespace) must
 * not reach hutch's binary on the host through /proc/1/exe. The init stage
 * is a fork of hutch, so once it has built the container it execs this
 * program from a sealed memfd (exe.c); /proc/1/exe is then that copy, which
 * nobody can write, and the init's own pages are given back to the
 * container's memory cgroup.
 *
 * It waits for `start` on the start socket, loads the seccomp filter that
 * goes in right before exec (noNewPrivileges), and execs the process. A
 * failure goes back to `start` as SYNC_ERROR, in the words the init stage
 * would use. Freestanding: no libc, raw syscalls, so that the image is a few
 * KiB (built for x86_64 only; elsewhere create re-execs hutch). */
#include "waiter.h"

#include <asm/errno.h>
#include <asm/unistd.h>
#include <linux/filter.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* The wire header of sync.c. */
struct wire_hdr {
	uint32_t type;
	uint32_t len;
};

__asm__(".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	"\txor %ebp, %ebp\n"
	"\tmov %rsp, %rdi\n"
	"\tand $-16, %rsp\n"
	"\tcall waiter_main\n"
	"\thlt\n");

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static __attribute__((noreturn)) void die(void)
{
	for (;;)
		sys3(__NR_exit_group, 127, 0, 0);
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int parse_long(const char *s, long *out)
{
	int neg = *s == '-';
	long v = 0;
	s += neg;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1000000000L)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* strerror(3), lower-cased as process.c writes it, for what execve(2) and
 * seccomp(2) return; others as their number. */
/* e is below 4096: at most 4 digits after "errno ". */
static const char *errno_text(long e, char num[static 24])
{
	/* Texts inline, not pointers: the image has no relocations (see meson.build). */
	static const struct { int e; char text[40]; } t[] = {
		{ E2BIG, "argument list too long" }, { EACCES, "permission denied" },
		{ EAGAIN, "resource temporarily unavailable" }, { EFAULT, "bad address" },
		{ EINVAL, "invalid argument" }, { EIO, "input/output error" },
		{ EISDIR, "is a directory" }, { ELIBBAD, "accessing a corrupted shared library" },
		{ ELOOP, "too many levels of symbolic links" }, { EMFILE, "too many open files" },
		{ ENAMETOOLONG, "file name too long" }, { ENFILE, "too many open files in system" },
		{ ENOENT, "no such file or directory" }, { ENOEXEC, "exec format error" },
		{ ENOMEM, "cannot allocate memory" }, { ENOTDIR, "not a directory" },
		{ EPERM, "operation not permitted" }, { ETXTBSY, "text file busy" },
		{ ENOSYS, "function not implemented" }, { EBADF, "bad file descriptor" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].text;
	char *p = num + 23;
	*p = '\0';
	do
		*--p = (char)('0' + e % 10);
	while ((e /= 10) > 0);
	p -= 6;
	for (int i = 0; i < 6; i++)
		p[i] = "errno "[i];
	return p;
}

struct buf {
	char data[4096 + 256];
	size_t len;
};

static void put(struct buf *b, const char *s)
{
	while (*s && b->len < sizeof(b->data))
		b->data[b->len++] = *s++;
}

/* "<what>[ <path>]: <error>" to `create` or `start` (best effort), else to
 * stderr as the init stage writes it; then exit. */
static __attribute__((noreturn)) void fail(long conn, const char *what, const char *path, long err)
{
	struct buf b = { .len = sizeof(struct wire_hdr) };
	char num[24];
	if (conn < 0)
		put(&b, "hutch init: ");
	put(&b, what);
	if (path) {
		put(&b, " ");
		put(&b, path);
	}
	put(&b, ": ");
	put(&b, errno_text(err, num));
	if (conn < 0)
		put(&b, "\n");
	struct wire_hdr h = { WAITER_SYNC_ERROR, (uint32_t)(b.len - sizeof(h)) };
	for (size_t i = 0; i < sizeof(h); i++)
		b.data[i] = ((const char *)&h)[i];
	if (conn >= 0)
		sys6(__NR_sendto, conn, (long)b.data, (long)b.len, 0x4000 /* MSG_NOSIGNAL */, 0, 0);
	else
		sys3(__NR_write, 2, b.data + sizeof(h), b.len - sizeof(h));
	die();
}

/* A `start` that connects and goes away without SYNC_START (killed, say)
 * leaves the container created for the next one. */
static long wait_for_start(long listen)
{
	for (;;) {
		long conn = sys6(__NR_accept4, listen, 0, 0, WAITER_SOCK_CLOEXEC, 0, 0);
		if (conn == -EINTR)
			continue;
		if (conn < 0)
			fail(-1, "wait for start", NULL, -conn);
		struct wire_hdr h;
		long n;
		do
			n = sys6(__NR_recvfrom, conn, (long)&h, sizeof(h), 0, 0, 0);
		while (n == -EINTR);
		if (n == (long)sizeof(h) && h.type == WAITER_SYNC_START)
			return conn;
		sys3(__NR_close, conn, 0, 0);
	}
}

static struct sock_filter filter[BPF_MAXINSNS];

static void load_filter(long conn, long fd, long flags, long len)
{
	if (fd < 0)
		return;
	if (len <= 0 || len > BPF_MAXINSNS)
		fail(conn, "load the seccomp filter", NULL, EINVAL);
	size_t want = (size_t)len * sizeof(filter[0]), got = 0;
	while (got < want) {
		long n = sys6(__NR_pread64, fd, (long)filter + (long)got, (long)(want - got), (long)got, 0, 0);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			fail(conn, "read the seccomp filter", NULL, n < 0 ? -n : EIO);
		got += (size_t)n;
	}
	sys3(__NR_close, fd, 0, 0);
	struct sock_fprog prog = { .len = (unsigned short)len, .filter = filter };
	long r = sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0)
		fail(conn, "load the seccomp filter", NULL, -r);
}

__attribute__((used, noreturn)) void waiter_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	long ready, cgroup, listen, fd, flags, len;
	/* The exec made this process dumpable again, also when the init had
	 * switched to the container's user: a process `exec`ed into the created
	 * container could then ptrace it, and run code before its seccomp filter
	 * (and with its start socket). The container's own exec resets it. */
	sys3(__NR_prctl, PR_SET_DUMPABLE, 0, 0);
	if (argc <= WAITER_ARG_ARGV || !streq(argv[0], WAITER_ARGV0) ||
	    parse_long(argv[WAITER_ARG_READY], &ready) < 0 || parse_long(argv[WAITER_ARG_CGROUP], &cgroup) < 0 ||
	    parse_long(argv[WAITER_ARG_LISTEN], &listen) < 0 || parse_long(argv[WAITER_ARG_FILTER_FD], &fd) < 0 ||
	    parse_long(argv[WAITER_ARG_FILTER_FLAGS], &flags) < 0 || parse_long(argv[WAITER_ARG_FILTER_LEN], &len) < 0)
		fail(-1, "start waiter: not to be run by hand", NULL, EINVAL);
	/* The init stepped out of the container's memory cgroup for this exec. */
	if (cgroup >= 0) {
		long r = sys3(__NR_write, cgroup, "0", 1);
		if (r != 1)
			fail(ready, "go back into the container's memory cgroup", NULL, r < 0 ? -r : EIO);
		sys3(__NR_close, cgroup, 0, 0);
	}
	/* READY only now: create returns (and `exec` may enter the container) once
	 * pid 1 is this sealed copy, not dumpable, in all of its cgroups. */
	struct wire_hdr h = { WAITER_SYNC_READY, 0 };
	long sent = sys6(__NR_sendto, ready, (long)&h, sizeof(h), 0x4000 /* MSG_NOSIGNAL */, 0, 0);
	if (sent != (long)sizeof(h))
		fail(-1, "sync: send ready", NULL, sent < 0 ? -sent : EIO);
	sys3(__NR_close, ready, 0, 0);
	long conn = wait_for_start(listen);
	sys3(__NR_close, listen, 0, 0);
	load_filter(conn, fd, flags, len);
	long r = sys3(__NR_execve, argv[WAITER_ARG_PATH], argv + WAITER_ARG_ARGV, envp);
	fail(conn, "exec", argv[WAITER_ARG_PATH], -r);
}

/* The compiler may emit calls to these for struct copies and zeroing. */
void *memset(void *d, int c, size_t n);
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
