#ifndef HUTCH_SYSCTL_H
#define HUTCH_SYSCTL_H

#include "../spec/spec.h"

/* Write linux.sysctl through /proc/sys of the container's namespaces; a key
 * naming a path outside /proc/sys or with ".." is an error. Runs after pivot. */
int sysctl_apply(const struct spec_linux *l, struct hutch_error **err);
int sysctl_validate(const struct spec_linux *l, struct hutch_error **err);

#endif
