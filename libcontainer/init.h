/* The container's init stage: `hutch init`, spawned by create from a sealed
 * copy of hutch. Stage one joins and creates namespaces; when a pid or time
 * namespace needs it, it forks stage two (with CLONE_PARENT, so that the
 * container init is the runtime's child) and exits. Stage two builds the
 * container and waits on the exec fifo for `start`. */
#ifndef HUTCH_INIT_H
#define HUTCH_INIT_H

#include "../spec/spec.h"

/* Never returns on success: it execs the container process. */
int init_stage_main(void);

/* create without a re-exec (container.c, init_can_fork): the init stage is a
 * fork of create, handed what the bootstrap message would carry; it becomes
 * the start waiter after READY. */
struct init_fork {
	int sock;              /* its end of the sync socket */
	int start_sock, cgroup_fd, console, waiter;  /* -1 (console: < 0) when absent */
	const int *tasks;      /* cgroup v1: `tasks` to join by itself (cgroup_self_join_fds) */
	size_t n_tasks;
	int mem_own, mem_ctr;  /* cgroup_v1_memory_fds, -1 when absent */
	struct spec *spec;
	const char *boot;      /* the bootstrap options JSON */
};
_Noreturn void init_stage_forked(const struct init_fork *f);

#endif
