#ifndef HUTCH_SYSCTL_H
#define HUTCH_SYSCTL_H

#include "../spec/spec.h"

/* Write linux.sysctl for the container's namespaces (the caller is in them)
 * through the procfs `proc` (procfs.h); a key naming a path outside
 * /proc/sys or with ".." is an error. */
int sysctl_apply(const struct spec_linux *l, int proc, struct hutch_error **err);
int sysctl_validate(const struct spec_linux *l, struct hutch_error **err);

#endif
