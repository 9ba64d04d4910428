/* Netlink (libmnl): loopback up in a new network namespace; linux.netDevices. */
#ifndef HUTCH_NET_H
#define HUTCH_NET_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "../spec/spec.h"

/* Set `lo` up in the calling process's network namespace. */
int net_loopback_up(struct hutch_error **err);

/* linux.netDevices is implemented here (for `features`). */
extern const bool net_devices_supported;

static inline bool net_devices_wanted(const struct spec *s)
{
	return s->linux_ && s->linux_->n_net_devices > 0;
}

/* In create, before anything exists: the config's netDevices can be moved
 * (a network namespace of the container's own, valid names, devices that exist
 * on the host, no two with the same name in the container). */
int net_devices_validate(const struct spec *s, struct hutch_error **err);
/* The runtime's side, once `pid` (the init stage) is in the container's
 * network namespace: move each device there under its new name, give it back
 * its permanent global addresses, set it up. */
int net_devices_move(const struct spec_linux *l, pid_t pid, struct hutch_error **err);

#endif
