/* The rest of process and linux that shapes how the process runs: scheduler
 * (sched_setattr), ioPriority (ioprio_set), execCPUAffinity, personality,
 * memoryPolicy (set_mempolicy). */
#ifndef HUTCH_SCHED_H
#define HUTCH_SCHED_H

#include "../spec/spec.h"

/* In create, before anything exists: names, ranges, the host's support. */
int sched_validate(const struct spec *s, struct hutch_error **err);
/* In the init stage while still privileged: scheduler, ioPriority,
 * personality, memoryPolicy. */
int sched_apply(const struct spec *s, struct hutch_error **err);
/* config.md: execCPUAffinity "is not applicable to the container's init
 * process": exec only. initial as early as possible, final right before exec. */
int sched_apply_affinity_initial(const struct spec *s, struct hutch_error **err);
int sched_apply_final(const struct spec *s, struct hutch_error **err);

#endif
