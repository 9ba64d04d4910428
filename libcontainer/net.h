/* Netlink (libmnl): bring up loopback in a new network namespace. */
#ifndef HUTCH_NET_H
#define HUTCH_NET_H

#include "error.h"

/* Set `lo` up in the calling process's network namespace. */
int net_loopback_up(struct hutch_error **err);

#endif
