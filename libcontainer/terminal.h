/* Terminals (process.terminal): the init stage makes a pty inside the
 * container and sends its master over a "console socket" with SCM_RIGHTS
 * (one message, the master's name "/dev/ptmx" as payload, as runc sends it);
 * the slave becomes the process's controlling terminal and stdio. The socket
 * is --console-socket (create, run -d, exec -d -t) or, for `run`/`exec -t` in
 * the foreground, a socketpair of hutch's own, whose master the relay below
 * copies to and from hutch's own stdio. */
#ifndef HUTCH_TERMINAL_H
#define HUTCH_TERMINAL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "error.h"

struct spec_process;

/* ---- parent side ---- */

/* Connect a SOCK_STREAM unix socket to `path` (errors name --console-socket). */
int terminal_connect_socket(const char *path, struct hutch_error **err);
/* A connected pair for a foreground session: *ours keeps the end that
 * receives the master, *theirs goes to the init stage. */
int terminal_socketpair(int *ours, int *theirs, struct hutch_error **err);
/* Receive one message carrying exactly one fd (the master). */
int terminal_recv_master(int sock, struct hutch_error **err);

/* ---- init side ---- */

/* In the container (after pivot_root in create mode, after joining the
 * namespaces in exec mode): open /dev/ptmx, unlock, open the slave, give it to
 * the process's uid, bind it onto /dev/console when `bind_console`, apply
 * consoleSize, send the master over `console_sock`, then setsid, make the
 * slave the controlling terminal and dup it onto 0, 1, 2. Closes console_sock. */
int terminal_setup(int console_sock, const struct spec_process *p, bool bind_console,
		   struct hutch_error **err);

/* ---- foreground relay ---- */

#define TERMINAL_RELAY_BUF 4096

struct terminal_relay {
	int master;              /* -1: no terminal, the relay does nothing */
	int in, out;             /* our stdin and stdout */
	bool in_open, master_open;
	bool raw;                /* `in` was put in raw mode: restore `saved` */
	struct termios saved;
	char buf[TERMINAL_RELAY_BUF]; /* stdin -> master, not yet written */
	size_t len, off;
};

#define TERMINAL_RELAY_MAX_POLLFDS 2

/* Take ownership of `master` (or -1): raw mode on our stdin when it is a tty,
 * the window size copied to the pty. */
void terminal_relay_start(struct terminal_relay *r, int master);
/* Fill up to TERMINAL_RELAY_MAX_POLLFDS entries; returns how many. */
size_t terminal_relay_pollfds(const struct terminal_relay *r, struct pollfd *p);
/* Move data for the entries that terminal_relay_pollfds filled. */
void terminal_relay_io(struct terminal_relay *r, const struct pollfd *p, size_t n);
/* SIGWINCH: copy our window size to the pty. */
void terminal_relay_resize(const struct terminal_relay *r);
/* The process exited: copy what it left in the pty, restore our terminal,
 * close the master. Safe to call twice. */
void terminal_relay_finish(struct terminal_relay *r);

#endif
