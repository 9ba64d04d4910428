/* seccomp (config-linux.md "Seccomp") with libseccomp. The filter is built
 * and checked during create (so errors reach the caller), and loaded as late
 * as the kernel allows: right before exec with noNewPrivileges, else before
 * the capability drop (loading needs CAP_SYS_ADMIN without no_new_privs). */
#ifndef HUTCH_SECCOMP_H
#define HUTCH_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "../spec/spec.h"

struct seccomp_ctx;

struct seccomp_name { const char *name; unsigned long value; };
/* The tables `features` prints: actions, architectures, operators, flags. */
extern const struct seccomp_name seccomp_actions[], seccomp_arches[], seccomp_operators[], seccomp_flags[];
extern const size_t seccomp_actions_len, seccomp_arches_len, seccomp_operators_len, seccomp_flags_len;

/* In create, before anything exists: names of actions, arches, operators, flags. */
int seccomp_validate(const struct spec_seccomp *s, struct hutch_error **err);
/* In the init stage before it enters any namespace of the container: build
 * the filter; connect to listenerPath if set (a path of the runtime's mount
 * namespace, reached with the runtime's credentials). */
int seccomp_prepare(const struct spec_seccomp *s, struct seccomp_ctx **out, struct hutch_error **err);
/* Whether the filter sends a state to a listener (seccomp_apply then needs one). */
bool seccomp_wants_state(const struct seccomp_ctx *c);
/* Load it; with SCMP_ACT_NOTIFY send the container process state (pid: the
 * filtered process as the runtime sees it, state_json: the container's
 * state) and the notify fd to the listener. */
int seccomp_apply(struct seccomp_ctx *c, const char *state_json, pid_t pid, struct hutch_error **err);
void seccomp_ctx_free(struct seccomp_ctx *c);
/* The filter in a sealed memfd (O_CLOEXEC), for the start waiter to load
 * after start; its flags and length in instructions. Not with a listener. */
int seccomp_export_sealed(const struct seccomp_ctx *c, unsigned long *flags, size_t *len,
			  struct hutch_error **err);
/* Whether the filter lets the syscall `name` through whatever its arguments
 * (its rules, else the default action). */
bool seccomp_allows_always(const struct spec_seccomp *s, const char *name);
/* Whether the running kernel accepts a SECCOMP_FILTER_FLAG_* value (for
 * `features` supportedFlags). */
bool seccomp_flag_supported(unsigned long flag);

#endif
