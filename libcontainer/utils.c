#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void oom(void)
{
	static const char msg[] = "hutch: out of memory\n";
	ssize_t r UNUSED = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *xmalloc0(size_t n) { return xcalloc(1, n ? n : 1); }

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s);
	if (r == NULL)
		oom();
	return r;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (r == NULL)
		oom();
	return r;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *r;
	if (vasprintf(&r, fmt, ap) < 0)
		oom();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *r = xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int read_all_fd(int fd, const char *what, char **out, size_t *len, struct hutch_error **err)
{
	size_t cap = 4096, n = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hutch_error_errno(err, "read %s", what);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = take_ptr(&buf);
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct hutch_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "open %s", path);
	return read_all_fd(fd, path, out, len, err);
}

int read_regular_file_at(int dirfd, const char *path, char **out, size_t *len, struct hutch_error **err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return hutch_error_errno(err, "stat %s", path);
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return hutch_error_set(err, EINVAL, "%s: not a regular file", path);
	/* A pipe (--process /dev/stdin, <(...)) is read to its end; one that no
	 * writer ever opened reads as empty. */
	if (S_ISFIFO(st.st_mode) && fcntl(fd, F_SETFL, 0) < 0)
		return hutch_error_errno(err, "fcntl %s", path);
	return read_all_fd(fd, path, out, len, err);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct hutch_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "open %s", path);
	if (write_all(fd, data, len) < 0)
		return hutch_error_errno(err, "write %s", path);
	return 0;
}

int write_file_atomic_at(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
			 struct hutch_error **err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp", path);
	cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return hutch_error_errno(err, "create %s", tmp);
	/* No fsync: the state lives on /run (tmpfs) and does not outlive a reboot;
	 * the rename alone makes readers see the old or the new file, never a mix. */
	if (write_all(fd, data, len) < 0) {
		hutch_error_errno(err, "write %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		hutch_error_errno(err, "rename %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int parse_int64(const char *s, long long *out)
{
	if (s == NULL || *s == '\0')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int parse_uint64(const char *s, unsigned long long *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct hutch_error **err)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
			return hutch_error_errno(err, "mkdir %s", p);
		*s = c;
		if (c == '\0')
			break;
	}
	return 0;
}

/* Without close_range (old kernel, or denied by seccomp): walk /proc/self/fd. */
static bool fd_kept(long long fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

static int close_range_fallback(int from, const int *keep, size_t n, bool cloexec)
{
	cleanup_dir DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		long long fd;
		if (parse_int64(de->d_name, &fd) < 0 || fd < from || fd == self || fd_kept(fd, keep, n))
			continue;
		if (cloexec)
			fcntl((int)fd, F_SETFD, FD_CLOEXEC);
		else
			close((int)fd);
	}
	return 0;
}

int close_fds_from(int from)
{
	if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
		return 0;
	return close_range_fallback(from, NULL, 0, false);
}

int close_fds_except(int from, int keep)
{
	if (keep < from)
		return close_fds_from(from);
	/* close_range may be missing, or denied by the container's seccomp profile. */
	if ((keep == from || syscall(SYS_close_range, (unsigned)from, (unsigned)keep - 1, 0) == 0) &&
	    syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0)
		return 0;
	return close_range_fallback(from, &keep, 1, false);
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int close_fds_keep(int from, const int *keep, size_t n)
{
	int sorted[16];
	if (n > ARRAY_SIZE(sorted))
		return close_range_fallback(from, keep, n, false);
	memcpy(sorted, keep, n * sizeof(int));
	qsort(sorted, n, sizeof(int), int_cmp);
	int lo = from;
	for (size_t i = 0; i < n; i++) {
		if (sorted[i] < lo)
			continue;
		if (sorted[i] > lo && syscall(SYS_close_range, (unsigned)lo, (unsigned)sorted[i] - 1, 0) < 0)
			return close_range_fallback(from, keep, n, false);
		lo = sorted[i] + 1;
	}
	if (syscall(SYS_close_range, (unsigned)lo, ~0U, 0) < 0)
		return close_range_fallback(from, keep, n, false);
	return 0;
}

int cloexec_fds_from(int from)
{
	if (syscall(SYS_close_range, (unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	return close_range_fallback(from, NULL, 0, true);
}

unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

int memfd_with_data(const char *name, const char *data, size_t len, struct hutch_error **err)
{
	cleanup_close int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "memfd_create %s", name);
	if (write_all(fd, data, len) < 0)
		return hutch_error_errno(err, "write %s", name);
	return take_fd(&fd);
}

char *now_rfc3339(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char buf[32];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

int unix_connect(const char *path, const char *what, struct hutch_error **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return hutch_error_set(err, ENAMETOOLONG, "%s %s: path too long for a unix socket", what, path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hutch_error_errno(err, "%s %s: socket", what, path);
	int r;
	do
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hutch_error_errno(err, "%s %s: connect", what, path);
	return take_fd(&fd);
}

int unix_send_fd(int sock, const char *payload, int fd, struct hutch_error **err)
{
	struct iovec iov = { (void *)payload, strlen(payload) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t r;
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hutch_error_errno(err, "send an fd over a unix socket");
	return 0;
}
