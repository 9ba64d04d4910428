#include "sync.h"
#include "utils.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

struct sync_hdr {
	uint32_t type;
	uint32_t len;
};

const char *sync_type_name(enum sync_type t)
{
	static const char *const names[] = {
		[SYNC_BOOTSTRAP] = "bootstrap", [SYNC_USERMAP_PLS] = "usermap request",
		[SYNC_USERMAP_ACK] = "usermap ack", [SYNC_PID] = "pid", [SYNC_HOOKS_PLS] = "hooks request",
		[SYNC_HOOKS_ACK] = "hooks ack", [SYNC_READY] = "ready", [SYNC_ERROR] = "error",
		[SYNC_START] = "start", [SYNC_PID_ACK] = "pid ack",
	};
	if ((size_t)t < ARRAY_SIZE(names) && names[t])
		return names[t];
	return "unknown";
}

int sync_send(int sock, enum sync_type type, const void *data, size_t len, const int *fds,
	      size_t nfds, struct hutch_error **err)
{
	if (len > SYNC_MAX_PAYLOAD || nfds > SYNC_MAX_FDS)
		return hutch_error_set(err, EMSGSIZE, "sync: %s message too large", sync_type_name(type));
	struct sync_hdr h = { .type = type, .len = (uint32_t)len };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, len } };
	union {
		char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t r;
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hutch_error_errno(err, "sync: send %s", sync_type_name(type));
	return 0;
}

static void sync_take_fds(struct msghdr *msg, struct sync_msg *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n && m->nfds < SYNC_MAX_FDS; i++)
			memcpy(&m->fds[m->nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
}

int sync_recv(int sock, struct sync_msg *m, struct hutch_error **err)
{
	int r = sync_recv_or_eof(sock, m, err);
	if (r == 1)
		return hutch_error_set(err, 0, "init stage exited before finishing");
	return r;
}

int sync_recv_or_eof(int sock, struct sync_msg *m, struct hutch_error **err)
{
	memset(m, 0, sizeof(*m));
	ssize_t size;
	do
		size = recv(sock, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (size < 0 && errno == EINTR);
	if (size < 0)
		return hutch_error_errno(err, "sync: receive");
	if (size == 0)
		return 1;
	if ((size_t)size < sizeof(struct sync_hdr) || (size_t)size > sizeof(struct sync_hdr) + SYNC_MAX_PAYLOAD)
		return hutch_error_set(err, EPROTO, "sync: message of bad size %zd", size);
	struct sync_hdr h;
	m->data = xmalloc((size_t)size - sizeof(h) + 1);
	struct iovec iov[2] = { { &h, sizeof(h) }, { m->data, (size_t)size - sizeof(h) } };
	union {
		char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t r;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hutch_error_errno(err, "sync: receive");
	sync_take_fds(&msg, m);
	if (r != size || h.len != (size_t)size - sizeof(h) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return hutch_error_set(err, EPROTO, "sync: truncated message");
	m->type = h.type;
	m->len = h.len;
	m->data[m->len] = '\0';
	return 0;
}

int sync_expect(int sock, enum sync_type want, struct sync_msg *m, struct hutch_error **err)
{
	if (sync_recv(sock, m, err) < 0)
		return -1;
	if (m->type == SYNC_ERROR)
		return hutch_error_set(err, 0, "%s", m->data);
	if (m->type != want)
		return hutch_error_set(err, EPROTO, "sync: expected %s, got %s", sync_type_name(want),
				       sync_type_name(m->type));
	return 0;
}

/* An error naming a huge value (a 64 MiB path) would not fit a message, and
 * the parent would only see the init stage exit: keep its head. */
#define SYNC_ERROR_MAX 4096

void sync_send_error(int sock, const struct hutch_error *e)
{
	const char *msg = e && e->msg ? e->msg : "unknown error";
	size_t len = strlen(msg);
	if (len <= SYNC_ERROR_MAX) {
		sync_send(sock, SYNC_ERROR, msg, len, NULL, 0, NULL);
		return;
	}
	cleanup_free char *cut = xasprintf("%.*s... (%zu bytes)", SYNC_ERROR_MAX, msg, len);
	sync_send(sock, SYNC_ERROR, cut, strlen(cut), NULL, 0, NULL);
}

void sync_msg_release(struct sync_msg *m)
{
	free(m->data);
	m->data = NULL;
	for (size_t i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

int sync_parse_pid(const struct sync_msg *m, pid_t *pid, bool *placed, struct hutch_error **err)
{
	char *end;
	errno = 0;
	long long v = m->data ? strtoll(m->data, &end, 10) : 0;
	if (m->data == NULL || errno != 0 || end == m->data || v <= 0 || v > INT32_MAX ||
	    (strcmp(end, " 0") != 0 && strcmp(end, " 1") != 0))
		return hutch_error_set(err, EPROTO, "sync: bad pid message \"%s\"", m->data ? m->data : "");
	*pid = (pid_t)v;
	*placed = end[1] == '1';
	return 0;
}
