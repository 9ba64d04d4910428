/* The container's init stage: `hutch init`, spawned by create from a sealed
 * copy of hutch. Stage one joins and creates namespaces; when a pid or time
 * namespace needs it, it forks stage two (with CLONE_PARENT, so that the
 * container init is the runtime's child) and exits. Stage two builds the
 * container and waits on the exec fifo for `start`. */
#ifndef HUTCH_INIT_H
#define HUTCH_INIT_H

/* Never returns on success: it execs the container process. */
int init_stage_main(void);

#endif
