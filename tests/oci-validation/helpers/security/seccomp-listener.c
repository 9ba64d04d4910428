/* seccomp-listener: the agent at the other end of linux.seccomp.listenerPath,
 * for the tests (config-linux.md "Seccomp", listenerPath).
 *
 *   seccomp-listener [-e ERRNO | -v VALUE | -c] [-H N:FILE] SOCKET OUTDIR
 *
 * Listens on the unix socket SOCKET. Every connection carries one container
 * process state (JSON, possibly over several messages) and, with the first
 * message, the seccomp notify fd (SCM_RIGHTS); it ends with EOF. The state of
 * connection N goes to OUTDIR/state.N.json, the number of fds that came with
 * it to OUTDIR/fds.N. Every notification is answered: with -e the syscall
 * fails with ERRNO, with -v it returns VALUE without running, with -c
 * (default) it runs (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Each one is logged in
 * OUTDIR/notify.log as "conn=N pid=P nr=NR valid=1" (valid: the notification
 * id was still valid when answered). With -H N:FILE, notifications of
 * connection N and later are held until FILE exists (logged at once as
 * "held conn=N pid=P nr=NR").
 * OUTDIR/ready appears once the socket listens. Runs until killed. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/seccomp.h>

#define MAX_CONNS 64
#define MAX_HELD 64

struct opts {
	int mode;          /* 'e', 'v' or 'c' */
	long value;
	int hold_from;     /* 0: hold nothing */
	const char *hold_file;
	const char *outdir;
};

struct held {
	int fd, conn;
	struct seccomp_notif req;
};

static struct seccomp_notif_sizes sizes;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void write_out(const struct opts *o, const char *name, const char *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", o->outdir, name);
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		die(tmp);
	close(fd);
	if (rename(tmp, path) < 0)
		die(path);
}

static void log_line(const struct opts *o, const char *line)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/notify.log", o->outdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) < 0)
		die(path);
	close(fd);
}

/* One connection: the state, until EOF; fds only with the first message. */
static int take_state(const struct opts *o, int conn, int n)
{
	static char buf[1 << 16];
	size_t len = 0;
	int nfds = 0, notify = -1;
	for (;;) {
		union {
			char c[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} u;
		struct iovec iov = { buf + len, sizeof(buf) - 1 - len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.c,
				     .msg_controllen = sizeof(u.c) };
		ssize_t r = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("recvmsg");
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (notify < 0)
					notify = fd;
				else
					close(fd);
				nfds++;
			}
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len >= sizeof(buf) - 1)
			break;
	}
	close(conn);
	char name[64], count[16];
	snprintf(name, sizeof(name), "state.%d.json", n);
	write_out(o, name, buf, len);
	snprintf(name, sizeof(name), "fds.%d", n);
	snprintf(count, sizeof(count), "%d\n", nfds);
	write_out(o, name, count, strlen(count));
	return notify;
}

static void answer(const struct opts *o, int fd, int conn, const struct seccomp_notif *req)
{
	struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
	if (resp == NULL)
		die("calloc");
	resp->id = req->id;
	if (o->mode == 'e') {
		resp->error = -(int)o->value;
	} else if (o->mode == 'v') {
		resp->val = o->value;
	} else {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	__u64 id = req->id;
	int valid = ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
	char line[256];
	snprintf(line, sizeof(line), "conn=%d pid=%u nr=%d valid=%d\n", conn, req->pid, req->data.nr, valid);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		perror("SECCOMP_IOCTL_NOTIF_SEND");
	log_line(o, line);
	free(resp);
}

static int listen_on(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		fprintf(stderr, "socket path too long\n"), exit(2);
	strcpy(a.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0)
		die(path);
	return s;
}

static int parse_opts(int argc, char **argv, struct opts *o, const char **sock)
{
	int c;
	o->mode = 'c';
	while ((c = getopt(argc, argv, "e:v:cH:")) != -1) {
		switch (c) {
		case 'e':
		case 'v':
			o->mode = c;
			o->value = strtol(optarg, NULL, 0);
			break;
		case 'c':
			o->mode = 'c';
			break;
		case 'H':
			o->hold_from = atoi(optarg);
			o->hold_file = strchr(optarg, ':') ? strchr(optarg, ':') + 1 : NULL;
			if (o->hold_file == NULL)
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (argc - optind != 2)
		return -1;
	*sock = argv[optind];
	o->outdir = argv[optind + 1];
	return 0;
}

struct loop {
	struct pollfd pfd[MAX_CONNS + 1];
	int conn_of[MAX_CONNS + 1];
	int n;
	struct held held[MAX_HELD];
	int nheld;
	int conns;
};

static void on_notify(const struct opts *o, struct loop *l, int i)
{
	struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
	if (req == NULL)
		die("calloc");
	if (ioctl(l->pfd[i].fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		free(req);
		return; /* ENOENT: the task was interrupted */
	}
	if (o->hold_from && l->conn_of[i] >= o->hold_from && access(o->hold_file, F_OK) != 0 &&
	    l->nheld < MAX_HELD) {
		l->held[l->nheld++] = (struct held){ .fd = l->pfd[i].fd, .conn = l->conn_of[i], .req = *req };
		char line[128];
		snprintf(line, sizeof(line), "held conn=%d pid=%u nr=%d\n", l->conn_of[i], req->pid, req->data.nr);
		log_line(o, line);
	} else {
		answer(o, l->pfd[i].fd, l->conn_of[i], req);
	}
	free(req);
}

static void release_held(const struct opts *o, struct loop *l)
{
	if (l->nheld == 0 || access(o->hold_file, F_OK) != 0)
		return;
	for (int k = 0; k < l->nheld; k++)
		answer(o, l->held[k].fd, l->held[k].conn, &l->held[k].req);
	l->nheld = 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *sock;
	if (parse_opts(argc, argv, &o, &sock) < 0) {
		fprintf(stderr, "usage: seccomp-listener [-e ERRNO | -v VALUE | -c] [-H N:FILE] SOCKET OUTDIR\n");
		return 2;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		die("SECCOMP_GET_NOTIF_SIZES");
	static struct loop l;
	l.pfd[0] = (struct pollfd){ .fd = listen_on(sock), .events = POLLIN };
	l.n = 1;
	write_out(&o, "ready", "", 0);
	for (;;) {
		if (poll(l.pfd, (nfds_t)l.n, 50) < 0 && errno != EINTR)
			die("poll");
		release_held(&o, &l);
		if (l.pfd[0].revents & POLLIN) {
			int c = accept4(l.pfd[0].fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				int fd = take_state(&o, c, ++l.conns);
				if (fd >= 0 && l.n <= MAX_CONNS) {
					l.conn_of[l.n] = l.conns;
					l.pfd[l.n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
				}
			}
		}
		for (int i = 1; i < l.n; i++) {
			if (l.pfd[i].revents & POLLIN)
				on_notify(&o, &l, i);
			else if (l.pfd[i].revents & (POLLHUP | POLLERR))
				l.pfd[i].fd = -1; /* every filtered process is gone (poll skips it) */
		}
	}
}
