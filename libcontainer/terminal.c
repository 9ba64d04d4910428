#include "terminal.h"
#include "utils.h"
#include "../spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "paths.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* ---- parent side ---- */

int terminal_connect_socket(const char *path, struct hutch_error **err)
{
	return unix_connect(path, "--console-socket", err);
}

int terminal_socketpair(int *ours, int *theirs, struct hutch_error **err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return hutch_error_errno(err, "console socketpair");
	*ours = sv[0];
	*theirs = sv[1];
	return 0;
}

static void close_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

int terminal_recv_master(int sock, struct hutch_error **err)
{
	char name[4096];
	struct iovec iov = { name, sizeof(name) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t r;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hutch_error_errno(err, "console socket: receive the terminal master");
	int fds[4];
	size_t n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && n < ARRAY_SIZE(fds); i++)
			memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	if (n != 1 || (msg.msg_flags & MSG_CTRUNC)) {
		close_fds(fds, n);
		return hutch_error_set(err, EPROTO, "console socket: expected one terminal master fd, got %zu", n);
	}
	return fds[0];
}

/* ---- init side ---- */

/* The slave is opened from the master itself (TIOCGPTPEER, Linux 4.13) so
 * that nothing mounted over /dev/pts can hand us another file; by name when
 * the kernel is older. */
static int pty_open_slave(int master, const char *name, struct hutch_error **err)
{
	int s = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s >= 0)
		return s;
	if (errno != EINVAL && errno != ENOTTY)
		return hutch_error_errno(err, "open the terminal slave %s", name);
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return hutch_error_errno(err, "open the terminal slave %s", name);
	return s;
}

static int pty_open(int *master, int *slave, char **name, struct hutch_error **err)
{
	/* runtime-linux.md: /dev/ptmx is a symlink to pts/ptmx, the container's devpts. */
	cleanup_close int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return hutch_error_errno(err, "open /dev/ptmx");
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return hutch_error_errno(err, "unlock the terminal");
	unsigned int n;
	if (ioctl(m, TIOCGPTN, &n) < 0)
		return hutch_error_errno(err, "get the terminal number");
	cleanup_free char *path = xasprintf("/dev/pts/%u", n);
	int s = pty_open_slave(m, path, err);
	if (s < 0)
		return -1;
	*slave = s;
	*master = take_fd(&m);
	*name = take_ptr(&path);
	return 0;
}

/* runc's fixStdioPermissions: a non-root process must be able to reopen its
 * terminal (/dev/tty, /proc/self/fd/0). EINVAL/EPERM: the ids are not mapped
 * in the user namespace, keep the owner. */
static int pty_give_to_user(int slave, const struct spec_process *p, struct hutch_error **err)
{
	struct stat st;
	if (fstat(slave, &st) < 0)
		return hutch_error_errno(err, "stat the terminal slave");
	if (st.st_uid == p->user.uid)
		return 0;
	if (fchown(slave, p->user.uid, p->user.gid) < 0 && errno != EINVAL && errno != EPERM)
		return hutch_error_errno(err, "chown the terminal to %u:%u", p->user.uid, p->user.gid);
	return 0;
}

/* runtime-linux.md: "/dev/console ... MUST be set up ... by bind mounting the
 * pseudoterminal pty to /dev/console". rootfs.c made the mount point; a /dev
 * bound from the host may lack it. */
static int pty_bind_console(const char *name, struct hutch_error **err)
{
	cleanup_close int target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0 && errno == ENOENT) {
		cleanup_close int f = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f < 0)
			return hutch_error_errno(err, "create /dev/console");
		target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (target < 0)
		return hutch_error_errno(err, "open /dev/console");
	struct fd_path tp = fd_path(target);
	if (mount(name, tp.s, NULL, MS_BIND, NULL) == 0)
		return 0;
	/* No /proc in the container: nothing of it runs yet, the plain path is safe. */
	if (errno != ENOENT || mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return hutch_error_errno(err, "bind %s onto /dev/console", name);
	return 0;
}

/* The slave becomes the controlling terminal of a new session and stdio. */
static int pty_become_stdio(int slave, struct hutch_error **err)
{
	if (setsid() < 0)
		return hutch_error_errno(err, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return hutch_error_errno(err, "make the terminal the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return hutch_error_errno(err, "dup the terminal onto fd %d", fd);
	return 0;
}

int terminal_setup(int console_sock, const struct spec_process *p, bool bind_console,
		   struct hutch_error **err)
{
	cleanup_close int sock = console_sock;
	cleanup_close int master = -1, slave = -1;
	cleanup_free char *name = NULL;
	if (pty_open(&master, &slave, &name, err) < 0)
		return hutch_error_wrap(err, "process.terminal");
	if (pty_give_to_user(slave, p, err) < 0)
		return hutch_error_wrap(err, "process.terminal");
	if (bind_console && pty_bind_console(name, err) < 0)
		return hutch_error_wrap(err, "process.terminal");
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return hutch_error_errno(err, "process.consoleSize: set the window size");
	}
	/* The payload is the master's name, as runc sends it; clients ignore it. */
	if (unix_send_fd(sock, "/dev/ptmx", master, err) < 0)
		return hutch_error_wrap(err, "console socket: the terminal master");
	closep(&master);
	closep(&sock);
	if (pty_become_stdio(slave, err) < 0)
		return hutch_error_wrap(err, "process.terminal");
	if (slave <= 2)
		slave = -1;
	return 0;
}

/* ---- foreground relay ---- */

static void relay_copy_winsize(const struct terminal_relay *r)
{
	struct winsize ws;
	if (ioctl(r->in, TIOCGWINSZ, &ws) < 0 && ioctl(r->out, TIOCGWINSZ, &ws) < 0)
		return;
	ioctl(r->master, TIOCSWINSZ, &ws);
}

void terminal_relay_start(struct terminal_relay *r, int master)
{
	memset(r, 0, sizeof(*r));
	r->master = master;
	r->in = STDIN_FILENO;
	r->out = STDOUT_FILENO;
	if (master < 0)
		return;
	r->in_open = r->master_open = true;
	/* Only the master is ours: our stdin/stdout file descriptions are shared
	 * with the calling shell and stay blocking. */
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	if (isatty(r->in) && tcgetattr(r->in, &r->saved) == 0) {
		struct termios raw = r->saved;
		cfmakeraw(&raw);
		r->raw = tcsetattr(r->in, TCSANOW, &raw) == 0;
	}
	relay_copy_winsize(r);
}

size_t terminal_relay_pollfds(const struct terminal_relay *r, struct pollfd *p)
{
	size_t n = 0;
	if (r->master < 0)
		return 0;
	if (r->in_open && r->len == 0)
		p[n++] = (struct pollfd){ .fd = r->in, .events = POLLIN };
	if (r->master_open) {
		short ev = POLLIN;
		if (r->len > 0)
			ev |= POLLOUT;
		p[n++] = (struct pollfd){ .fd = r->master, .events = ev };
	}
	return n;
}

/* End of our stdin: the pty's EOF character, so that a shell reading a
 * piped script sees the end of it. A tty in raw mode forwards ^D itself. */
static void relay_stdin_eof(struct terminal_relay *r)
{
	r->in_open = false;
	if (r->raw)
		return;
	struct termios t;
	if (tcgetattr(r->master, &t) == 0 && t.c_cc[VEOF] != _POSIX_VDISABLE) {
		r->buf[0] = (char)t.c_cc[VEOF];
		r->off = 0;
		r->len = 1;
	}
}

static void relay_read_stdin(struct terminal_relay *r)
{
	ssize_t n = read(r->in, r->buf, sizeof(r->buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		relay_stdin_eof(r);
		return;
	}
	r->off = 0;
	r->len = (size_t)n;
}

static void relay_write_master(struct terminal_relay *r)
{
	ssize_t n = write(r->master, r->buf + r->off, r->len - r->off);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		r->len = r->off = 0;
		r->in_open = false;
		return;
	}
	r->off += (size_t)n;
	if (r->off == r->len)
		r->len = r->off = 0;
}

/* Copy what the pty has (one chunk, or all of it when draining at the end,
 * so that a chatty process cannot starve the signal loop); EIO means no slave
 * is open any more. */
static void relay_read_master(struct terminal_relay *r, bool drain)
{
	char buf[TERMINAL_RELAY_BUF];
	for (bool first = true; first || drain; first = false) {
		ssize_t n = read(r->master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			r->master_open = false;
			return;
		}
		/* A closed stdout (EPIPE, SIGPIPE is blocked) just drops the output. */
		write_all(r->out, buf, (size_t)n);
	}
}

void terminal_relay_io(struct terminal_relay *r, const struct pollfd *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i].revents == 0)
			continue;
		if (p[i].fd == r->in) {
			if (r->in_open && r->len == 0)
				relay_read_stdin(r);
			continue;
		}
		if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
			relay_read_master(r, false);
		if ((p[i].revents & POLLOUT) && r->len > 0)
			relay_write_master(r);
	}
}

void terminal_relay_resize(const struct terminal_relay *r)
{
	if (r->master >= 0)
		relay_copy_winsize(r);
}

void terminal_relay_finish(struct terminal_relay *r)
{
	if (r->master < 0)
		return;
	if (r->master_open)
		relay_read_master(r, true);
	if (r->raw)
		tcsetattr(r->in, TCSADRAIN, &r->saved);
	r->raw = false;
	closep(&r->master);
}
