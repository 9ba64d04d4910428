/* AppArmor and SELinux labels: process.apparmorProfile, process.selinuxLabel,
 * linux.mountLabel. Applied through the LSM's attributes in hutch's procfs
 * (procfs.h: never the container's /proc, CVE-2025-52881) when that LSM is
 * enabled on the host; asking for one the host does not have is an error
 * naming the field (as runc does for SELinux: a label silently dropped would
 * run the container unconfined). */
#ifndef HUTCH_LSM_H
#define HUTCH_LSM_H

#include <stdbool.h>
#include "../spec/spec.h"

/* AppArmor: /sys/module/apparmor/parameters/enabled says Y. */
bool lsm_apparmor_enabled(void);
/* SELinux: selinuxfs is mounted at /sys/fs/selinux. */
bool lsm_selinux_enabled(void);

/* In create (the whole config) and exec (its process), before anything exists. */
int lsm_validate(const struct spec *s, struct hutch_error **err);
int lsm_validate_process(const struct spec_process *p, struct hutch_error **err);

/* In the init stage, before no_new_privs and the identity switch: the labels
 * the next execve takes (AppArmor "exec <profile>", the SELinux exec context). */
int lsm_apply_exec_labels(int proc, const struct spec_process *p, struct hutch_error **err);
/* Around the session keyring's creation: its SELinux label (the process's),
 * then back to the default (label NULL). */
int lsm_set_keyring_label(int proc, const char *label, struct hutch_error **err);

/* The mount option that gives a new filesystem the SELinux context
 * linux.mountLabel asks for, or NULL when there is none. */
char *lsm_mount_context(const struct spec_linux *l);

#endif
