/* The typed protocol between `create` (parent) and the init stage, over a
 * SOCK_SEQPACKET socketpair: one message per datagram, a header with type and
 * explicit length, fds by SCM_RIGHTS. Each side asserts the type it expects;
 * SYNC_ERROR carries the peer's real error text. */
#ifndef HUTCH_SYNC_H
#define HUTCH_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include "error.h"

enum sync_type {
	SYNC_BOOTSTRAP = 1, /* parent -> init: options JSON + [config memfd, start socket] */
	SYNC_USERMAP_PLS,   /* init -> parent: write my uid/gid maps */
	SYNC_USERMAP_ACK,
	SYNC_PID,           /* init -> parent: pid of the container init (int32) */
	SYNC_HOOKS_PLS,     /* init -> parent: run prestart + createRuntime hooks now */
	SYNC_HOOKS_ACK,     /* parent -> init: state JSON for createContainer hooks */
	SYNC_READY,         /* init -> parent: set up, waiting for start */
	SYNC_ERROR,         /* either way: message text */
	SYNC_START,         /* start -> init, on the start socket: go */
	SYNC_PID_ACK,       /* parent -> init: you are in the container's cgroup now */
};

#define SYNC_MAX_PAYLOAD (1024 * 1024)
#define SYNC_MAX_FDS 8

struct sync_msg {
	enum sync_type type;
	char *data;          /* NUL-terminated for convenience, len excludes the NUL */
	size_t len;
	int fds[SYNC_MAX_FDS];
	size_t nfds;
};

int sync_send(int sock, enum sync_type type, const void *data, size_t len, const int *fds,
	      size_t nfds, struct hutch_error **err);
/* Receive the next message; it must be of type `want`. A SYNC_ERROR from the
 * peer becomes *err with the peer's text; EOF is "init stage exited". */
int sync_expect(int sock, enum sync_type want, struct sync_msg *m, struct hutch_error **err);
/* Receive any message (the parent's event loop). */
int sync_recv(int sock, struct sync_msg *m, struct hutch_error **err);
/* Like sync_recv, but the peer closing the socket returns 1 instead of an
 * error: exec mode reads a clean EOF as "the process was exec'd". */
int sync_recv_or_eof(int sock, struct sync_msg *m, struct hutch_error **err);
/* Send an error's text to the peer (best effort). */
void sync_send_error(int sock, const struct hutch_error *e);
void sync_msg_release(struct sync_msg *m);
#define cleanup_sync_msg __attribute__((cleanup(sync_msg_release)))
const char *sync_type_name(enum sync_type t);
/* SYNC_PID's payload "<pid> <placed>": placed when the process was born in the
 * container's cgroup (else the parent moves it and sends SYNC_PID_ACK). */
int sync_parse_pid(const struct sync_msg *m, pid_t *pid, bool *placed, struct hutch_error **err);

#endif
