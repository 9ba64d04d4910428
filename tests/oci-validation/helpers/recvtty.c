/* recvtty: the receiving end of a runtime's --console-socket, for the tests.
 *
 *   recvtty [-c COMMAND] [-t SECONDS] SOCKET
 *
 * Listens on the unix socket SOCKET (created; removed at exit), accepts one
 * connection and receives one message carrying exactly one fd: the pty master
 * (the payload, the pty's name, goes to stderr as "recvtty: pty NAME"). Writes
 * COMMAND and a newline into the master, then copies everything the
 * container writes to stdout until no slave is open any more (EIO), or the
 * timeout (default 10 s) passes.
 *
 * Exit status: 0 the terminal was closed, 1 an error, 2 the timeout.
 * Build: cc -O2 -o recvtty recvtty.c */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "recvtty: %s: path too long\n", path);
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
	return fd;
}

/* One message, exactly one fd in it. */
static int recv_master(int conn)
{
	char name[4096];
	struct iovec iov = { name, sizeof(name) - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	name[n] = '\0';
	int fds[4], nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < k && nfds < 4; i++)
			memcpy(&fds[nfds++], CMSG_DATA(c) + (size_t)i * sizeof(int), sizeof(int));
	}
	if (nfds != 1) {
		fprintf(stderr, "recvtty: expected 1 fd, got %d\n", nfds);
		exit(1);
	}
	fprintf(stderr, "recvtty: pty %s\n", name);
	return fds[0];
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int copy_out(int master, int timeout_s)
{
	long long end = now_ms() + (long long)timeout_s * 1000;
	char buf[4096];
	for (;;) {
		long long left = end - now_ms();
		if (left <= 0)
			return 2;
		struct pollfd p = { .fd = master, .events = POLLIN };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("poll");
		if (r == 0)
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

int main(int argc, char **argv)
{
	const char *command = NULL;
	int timeout_s = 10, c;
	while ((c = getopt(argc, argv, "c:t:")) != -1) {
		switch (c) {
		case 'c': command = optarg; break;
		case 't': timeout_s = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: recvtty [-c COMMAND] [-t SECONDS] SOCKET\n");
			return 1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: recvtty [-c COMMAND] [-t SECONDS] SOCKET\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	int lfd = listen_on(argv[optind]);
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	int master = recv_master(conn);
	close(conn);
	close(lfd);
	if (command) {
		size_t len = strlen(command);
		if (write(master, command, len) != (ssize_t)len || write(master, "\n", 1) != 1)
			die("write the command");
	}
	return copy_out(master, timeout_s);
}
