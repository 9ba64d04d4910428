/* Capabilities: the one table of names (used by the parser's validation,
 * `features` and the setter), and applying the five sets with libcap. */
#ifndef HUTCH_CAPS_H
#define HUTCH_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../spec/spec.h"

struct cap_name {
	const char *name;  /* "CAP_CHOWN" */
	int value;
};
extern const struct cap_name caps_table[];
extern const size_t caps_table_len;

/* The number for a name, or -1. */
int caps_from_name(const char *name);
/* Highest capability the running kernel knows (sys/kernel/cap_last_cap of the
 * procfs `proc`, see procfs.h; -1: the caller's /proc, for the parent). */
int caps_last_cap(int proc);
/* The setters do nothing for c == NULL (process.c passes an empty object for an
 * absent one).  Names the running kernel lacks (> cap_last_cap) are skipped;
 * caps_validate warns about them on stderr, like runc. */
/* Drop from the bounding set what is not listed; must run before the uid change. */
int caps_apply_bounding(const struct spec_capabilities *c, int last, struct hutch_error **err);
/* Effective, permitted, inheritable, then ambient (last, it needs the others). */
int caps_apply_sets(const struct spec_capabilities *c, int last, uint64_t held, struct hutch_error **err);
/* The caps the runtime can grant: its bounding set (CapBnd of self/status in
 * the procfs `proc`; -1: the caller's /proc). All bits when unreadable. */
int caps_runtime_bounding(int proc, uint64_t *mask);
int caps_validate(const struct spec_capabilities *c, struct hutch_error **err);

#endif
