/* OCI hooks (config.md "POSIX-platform Hooks"): fork+exec path with args and
 * env, the container state JSON on stdin, `timeout` enforced with SIGKILL. */
#ifndef HUTCH_HOOKS_H
#define HUTCH_HOOKS_H

#include "../spec/spec.h"

/* Run hooks in order; stop at the first failure (non-zero exit, signal,
 * timeout, exec failure), reported as "<phase> hook <path>: ...". */
int hooks_run(const struct spec_hook *hooks, size_t n, const char *phase, const char *state_json,
	      struct hutch_error **err);
/* Run all hooks in order, ignoring failures but warning on stderr (poststart, poststop). */
void hooks_run_warn(const struct spec_hook *hooks, size_t n, const char *phase, const char *state_json);

#endif
