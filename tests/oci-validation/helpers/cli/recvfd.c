/* recvfd: the receiving end of a runtime's --console-socket or --pidfd-socket,
 * as containerd, conmon and runc's own recvtty are: listen on a unix stream
 * socket, accept one connection, receive one message carrying exactly one fd
 * by SCM_RIGHTS.
 *
 *   recvfd [-i INPUT] [-t SECONDS] SOCKET     console mode (the pty master)
 *   recvfd -P [-t SECONDS] SOCKET             pidfd mode
 *
 * Lines on stderr, for the tests to parse:
 *   recvfd: listening              the socket is bound (written once it is)
 *   recvfd: payload TEXT           the message's bytes (runc: the master's name,
 *                                  "/dev/ptmx"; "standard"/"setns" for a pidfd)
 * console mode:
 *   recvfd: pts N                  TIOCGPTN of the master: its slave is /dev/pts/N
 *   recvfd: winsize ROWS COLS      TIOCGWINSZ of the master as received
 *   then writes INPUT and a newline into the master, and copies what the
 *   container writes to stdout until no slave is open any more (EIO).
 * pidfd mode:
 *   recvfd: pid PID                the "Pid:" of the fd's fdinfo (a pidfd)
 *   recvfd: exited                 poll() said the process exited
 *
 * Exit status: 0 done, 1 an error, 2 the timeout (default 20 s) passed. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sock_path;

static void unlink_socket(void)
{
	if (sock_path)
		unlink(sock_path);
}

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "recvfd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "recvfd: %s: path too long\n", path);
		exit(1);
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(path);
	sock_path = path;
	atexit(unlink_socket);
	if (listen(fd, 1) < 0)
		die("listen");
	fprintf(stderr, "recvfd: listening\n");
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll one fd until `events` or the deadline; 0 ready, 2 timed out */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return 2;
		struct pollfd p = { .fd = fd, .events = events };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("poll");
		if (r > 0)
			return 0;
	}
}

/* One message, exactly one fd in it; the payload goes to stderr. */
static int recv_one_fd(int conn)
{
	char payload[4096];
	struct iovec iov = { payload, sizeof(payload) - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	payload[n] = '\0';
	int fds[4], nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k && nfds < 4; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + (size_t)i * sizeof(int), sizeof(int));
	}
	if (nfds != 1 || (msg.msg_flags & MSG_CTRUNC)) {
		fprintf(stderr, "recvfd: expected exactly 1 fd, got %d\n", nfds);
		exit(1);
	}
	fprintf(stderr, "recvfd: payload %s\n", payload);
	return fds[0];
}

static int console_mode(int master, const char *input, long long deadline)
{
	unsigned int ptn;
	if (ioctl(master, TIOCGPTN, &ptn) < 0)
		die("TIOCGPTN on the received fd (not a pty master?)");
	fprintf(stderr, "recvfd: pts %u\n", ptn);
	struct winsize ws;
	if (ioctl(master, TIOCGWINSZ, &ws) < 0)
		die("TIOCGWINSZ on the received fd");
	fprintf(stderr, "recvfd: winsize %u %u\n", ws.ws_row, ws.ws_col);
	if (input) {
		size_t len = strlen(input);
		if (write(master, input, len) != (ssize_t)len || write(master, "\n", 1) != 1)
			die("write into the master");
	}
	char buf[4096];
	for (;;) {
		if (wait_fd(master, POLLIN, deadline) != 0)
			return 2;
		ssize_t n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0; /* EIO: every slave is closed */
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			die("write stdout");
		fflush(stdout);
	}
}

static int pidfd_mode(int pidfd, long long deadline)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		die(path);
	long pid = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	if (pid == 0) {
		fprintf(stderr, "recvfd: the fd has no Pid: line in its fdinfo (not a pidfd)\n");
		return 1;
	}
	fprintf(stderr, "recvfd: pid %ld\n", pid);
	/* A pidfd polls readable once its process has exited. */
	if (wait_fd(pidfd, POLLIN, deadline) != 0)
		return 2;
	fprintf(stderr, "recvfd: exited\n");
	return 0;
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: recvfd [-P] [-i INPUT] [-t SECONDS] SOCKET\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *input = NULL;
	int timeout_s = 20, c;
	int pidfd = 0;
	while ((c = getopt(argc, argv, "Pi:t:")) != -1) {
		switch (c) {
		case 'P': pidfd = 1; break;
		case 'i': input = optarg; break;
		case 't': timeout_s = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	int lfd = listen_on(argv[optind]);
	if (wait_fd(lfd, POLLIN, deadline) != 0) {
		fprintf(stderr, "recvfd: nobody connected\n");
		return 2;
	}
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	if (wait_fd(conn, POLLIN, deadline) != 0) {
		fprintf(stderr, "recvfd: nothing received\n");
		return 2;
	}
	int fd = recv_one_fd(conn);
	close(conn);
	close(lfd);
	return pidfd ? pidfd_mode(fd, deadline) : console_mode(fd, input, deadline);
}
