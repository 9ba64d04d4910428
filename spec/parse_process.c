/* The `process` object of config.json, also the whole of a process.json. */
#include "parse_internal.h"

#include <string.h>
#include <sys/resource.h>

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

/* config.md: "The runtime MUST generate an error for any values which cannot be
 * mapped to a relevant kernel interface." */
static int check_rlimit(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_rlimit *r = dst;
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++) {
		if (strcmp(rlimit_names[i].name, r->type) == 0) {
			r->resource = rlimit_names[i].resource;
			return 0;
		}
	}
	struct jpath tp = { p, JPATH_KEY, "type", 0 };
	return perr(c, &tp, "unknown rlimit \"%s\"", r->type);
}

static const struct field rlimit_fields[] = {
	FIELD("type", F_STR, true, struct spec_rlimit, type),
	FIELD("soft", F_U64, true, struct spec_rlimit, soft),
	FIELD("hard", F_U64, true, struct spec_rlimit, hard),
};
static const struct objdesc rlimit_desc = OBJDESC(struct spec_rlimit, rlimit_fields, check_rlimit);

#define CAPSET(k, m) \
	{ .key = k, .type = F_STRV, .off = offsetof(struct spec_capabilities, m), \
	  .has_off = offsetof(struct spec_capabilities, has_##m), \
	  .n_off = offsetof(struct spec_capabilities, n_##m) }
static const struct field caps_fields[] = {
	CAPSET("bounding", bounding),
	CAPSET("effective", effective),
	CAPSET("inheritable", inheritable),
	CAPSET("permitted", permitted),
	CAPSET("ambient", ambient),
};
static const struct objdesc caps_desc = OBJDESC(struct spec_capabilities, caps_fields, NULL);

static const struct field user_fields[] = {
	FIELD("uid", F_U32, true, struct spec_user, uid),
	FIELD("gid", F_U32, true, struct spec_user, gid),
	FIELD_HAS("umask", F_U32, struct spec_user, umask, has_umask),
	FIELD_N("additionalGids", F_U32V, false, struct spec_user, additional_gids,
		n_additional_gids, NULL),
	FIELD("username", F_STR, false, struct spec_user, username),
};
static const struct objdesc user_desc = OBJDESC(struct spec_user, user_fields, NULL);

/* Offsets are into struct spec_process: consoleSize is flattened into it. */
static const struct field console_fields[] = {
	FIELD("height", F_UINT, true, struct spec_process, console_height),
	FIELD("width", F_UINT, true, struct spec_process, console_width),
};
static const struct objdesc console_desc = OBJDESC(struct spec_process, console_fields, NULL);

static const struct field sched_fields[] = {
	FIELD("policy", F_STR, true, struct spec_scheduler, policy),
	FIELD("nice", F_I32, false, struct spec_scheduler, nice),
	FIELD("priority", F_I32, false, struct spec_scheduler, priority),
	FIELD_N("flags", F_STRV, false, struct spec_scheduler, flags, n_flags, NULL),
	FIELD("runtime", F_U64, false, struct spec_scheduler, runtime),
	FIELD("deadline", F_U64, false, struct spec_scheduler, deadline),
	FIELD("period", F_U64, false, struct spec_scheduler, period),
};
static const struct objdesc sched_desc = OBJDESC(struct spec_scheduler, sched_fields, NULL);

static const struct field ioprio_fields[] = {
	FIELD("class", F_STR, true, struct spec_io_priority, class),
	FIELD("priority", F_INT, true, struct spec_io_priority, priority),
};
static const struct objdesc ioprio_desc = OBJDESC(struct spec_io_priority, ioprio_fields, NULL);

static const struct field affinity_fields[] = {
	FIELD("initial", F_STR, false, struct spec_cpu_affinity, initial),
	FIELD("final", F_STR, false, struct spec_cpu_affinity, final),
};
static const struct objdesc affinity_desc =
	OBJDESC(struct spec_cpu_affinity, affinity_fields, NULL);

/* config.md: "If rlimits contains duplicated entries with same type, the
 * runtime MUST generate an error." */
static int check_rlimit_dups(struct pctx *c, const struct jpath *p, const struct spec_process *proc)
{
	struct jpath rp = { p, JPATH_KEY, "rlimits", 0 };
	for (size_t i = 1; i < proc->n_rlimits; i++) {
		for (size_t j = 0; j < i; j++) {
			if (proc->rlimits[i].resource != proc->rlimits[j].resource)
				continue;
			struct jpath ip = { &rp, JPATH_INDEX, NULL, i };
			struct jpath tp = { &ip, JPATH_KEY, "type", 0 };
			return perr(c, &tp, "duplicate rlimit \"%s\"", proc->rlimits[i].type);
		}
	}
	return 0;
}

static int check_process(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_process *proc = dst;
	/* config.md: args "at least one entry is REQUIRED (non-Windows)". */
	if (proc->args == NULL || proc->n_args == 0) {
		struct jpath ap = { p, JPATH_KEY, "args", 0 };
		return perr(c, &ap, proc->args ? "must not be empty" : "required");
	}
	/* config.md: cwd "This value MUST be an absolute path." */
	if (!path_is_absolute(proc->cwd)) {
		struct jpath cp = { p, JPATH_KEY, "cwd", 0 };
		return perr(c, &cp, "must be an absolute path");
	}
	return check_rlimit_dups(c, p, proc);
}

static const struct field process_fields[] = {
	FIELD("terminal", F_BOOL, false, struct spec_process, terminal),
	{ .key = "consoleSize", .type = F_INLINE, .off = 0,
	  .has_off = offsetof(struct spec_process, has_console_size), .n_off = NO_OFF,
	  .sub = &console_desc },
	FIELD_SUB("user", F_INLINE, false, struct spec_process, user, &user_desc),
	FIELD_N("args", F_STRV, false, struct spec_process, args, n_args, NULL),
	FIELD("commandLine", F_STR, false, struct spec_process, command_line),
	FIELD_N("env", F_STRV, false, struct spec_process, env, n_env, NULL),
	FIELD("cwd", F_STR, true, struct spec_process, cwd),
	FIELD_SUB("capabilities", F_OBJ, false, struct spec_process, capabilities, &caps_desc),
	FIELD_N("rlimits", F_OBJARR, false, struct spec_process, rlimits, n_rlimits, &rlimit_desc),
	FIELD("noNewPrivileges", F_BOOL, false, struct spec_process, no_new_privileges),
	FIELD("apparmorProfile", F_STR, false, struct spec_process, apparmor_profile),
	FIELD_HAS("oomScoreAdj", F_INT, struct spec_process, oom_score_adj, has_oom_score_adj),
	FIELD_SUB("scheduler", F_OBJ, false, struct spec_process, scheduler, &sched_desc),
	FIELD("selinuxLabel", F_STR, false, struct spec_process, selinux_label),
	FIELD_SUB("ioPriority", F_OBJ, false, struct spec_process, io_priority, &ioprio_desc),
	FIELD_SUB("execCPUAffinity", F_OBJ, false, struct spec_process, exec_cpu_affinity,
		  &affinity_desc),
};
const struct objdesc spec_process_desc =
	OBJDESC(struct spec_process, process_fields, check_process);
