/* The container process's identity and limits: user and groups, umask,
 * rlimits, oom_score_adj, no_new_privs, capabilities (caps.c), the lookup of
 * the executable, and the final exec. Runs in the init stage. */
#ifndef HUTCH_PROCESS_H
#define HUTCH_PROCESS_H

#include "../spec/spec.h"

/* Rlimits: applied while still privileged (before setuid). */
int process_apply_rlimits(const struct spec_process *p, struct hutch_error **err);
/* oomScoreAdj, through the procfs `proc` (procfs.h). */
int process_apply_oom_score_adj(const struct spec_process *p, int proc, struct hutch_error **err);
/* The whole identity switch, in this order: the bounding set (caps.c; needs
 * CAP_SETPCAP, so before the uid change; callers do not drop it themselves),
 * setgroups (skipped when /proc/self/setgroups says "deny" and there are no
 * additionalGids), setresgid/setresuid under PR_SET_KEEPCAPS, umask (0022
 * when absent), the effective/permitted/inheritable/ambient sets, then
 * no_new_privs.  No capabilities object means five empty sets, as in runc
 * (`exec` with a process.json lacking one should pass the container's). */
int process_apply_identity(const struct spec_process *p, int proc, struct hutch_error **err);
/* chdir to p->cwd, resolved inside "/" (the container's root by now) with no
 * magic link followed. */
int process_chdir(const struct spec_process *p, struct hutch_error **err);
/* Resolve args[0] like execvp with PATH from p->env (not hutch's env), so that a
 * missing or non-executable program fails at create. Allocated absolute path. */
int process_find_executable(const struct spec_process *p, char **out, struct hutch_error **err);
/* execve(path, args, env). Returns only on failure, with the kernel's words
 * lower-cased, which is what Podman matches: "exec /bin/foo: no such file or
 * directory".  process_find_executable's messages follow the same rule:
 * `exec "foo": executable file not found in $PATH: no such file or directory`,
 * `exec "/bin/x": permission denied`. */
int process_exec(const struct spec_process *p, const char *path, struct hutch_error **err);
/* Validation before anything is created: rlimit numbers and soft <= hard,
 * capability names (caps_validate, which warns on stderr about names the
 * running kernel lacks), oomScoreAdj range, uid/gid/additionalGids that
 * are not (uint32)-1, umask range. */
int process_validate(const struct spec_process *p, struct hutch_error **err);

#endif
