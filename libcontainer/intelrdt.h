/* linux.intelRdt (config-linux.md "IntelRdt") on the kernel's resctrl
 * filesystem (Documentation/filesystems/resctrl.rst): the CTRL_MON group
 * named by closID ("/" the default one, absent: one named after the
 * container, made and removed by hutch), its schemata (l3CacheSchema, then
 * memBwSchema, then schemata, line by line; an existing closID group is
 * compared, never rewritten), a MON group mon_groups/<id> with
 * enableMonitoring, and every process of the container in their tasks file.
 * Runs in the runtime process, like the cgroups. */
#ifndef HUTCH_INTELRDT_H
#define HUTCH_INTELRDT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "../spec/spec.h"

/* In create, before anything exists: the fields, and a mounted resctrl
 * ("If no mounted resctrl pseudo-filesystem is available in the runtime mount
 * namespace, the runtime MUST generate an error"). */
int intelrdt_validate(const struct spec_intel_rdt *r, struct hutch_error **err);

/* create: the groups and schemata; *tasks is the tasks file the container's
 * processes go to (intelrdt_enter). On failure nothing hutch made is left. */
int intelrdt_setup(const struct spec_intel_rdt *r, const char *id, int *tasks, struct hutch_error **err);
/* exec: the same tasks file, of groups that must exist. */
int intelrdt_open_tasks(const struct spec_intel_rdt *r, const char *id, int *tasks, struct hutch_error **err);
int intelrdt_enter(int tasks, pid_t pid, struct hutch_error **err);
/* delete (and a failed create): the MON group, and the container's own
 * CTRL_MON group (never one named by closID). */
int intelrdt_remove(const struct spec_intel_rdt *r, const char *id, struct hutch_error **err);

/* The same on the resctrl root `root` (an fd), for tests. */
int intelrdt_setup_at(int root, const struct spec_intel_rdt *r, const char *id, int *tasks,
		      struct hutch_error **err);
int intelrdt_open_tasks_at(int root, const struct spec_intel_rdt *r, const char *id, int *tasks,
			   struct hutch_error **err);
int intelrdt_remove_at(int root, const struct spec_intel_rdt *r, const char *id, struct hutch_error **err);

/* The schemata lines to write, in order (l3CacheSchema, memBwSchema,
 * schemata; multi-line values split). */
int intelrdt_schema_lines(const struct spec_intel_rdt *r, char ***lines, size_t *n);
/* Whether every "id=value" of one line ("L3:0=7f0;1=1f") is in the schemata
 * file text `have` (values compared as the kernel prints them). */
bool intelrdt_schema_matches(const char *want, const char *have);

#endif
