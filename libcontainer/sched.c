#include "sched.h"
#include "utils.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>

/* glibc 2.36 has no sched_setattr: the kernel's layout, VER1 (with util clamps). */
struct hutch_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

struct sched_name {
	const char *name;
	long value;
};

/* SCHED_ISO is in the spec but was never merged into Linux. */
#define POLICY_UNSUPPORTED -1
static const struct sched_name sched_policies[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
	{ "SCHED_ISO", POLICY_UNSUPPORTED }, { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};

static const struct sched_name sched_flag_names[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1
static const struct sched_name ioprio_classes[] = {
	{ "IOPRIO_CLASS_RT", 1 }, { "IOPRIO_CLASS_BE", 2 }, { "IOPRIO_CLASS_IDLE", 3 },
};

static const struct sched_name personality_domains[] = {
	{ "LINUX", PER_LINUX }, { "LINUX32", PER_LINUX32 },
};

/* Kernel values; the uapi headers of this libc lack the newer modes. */
enum { MPOL_DEFAULT_ = 0, MPOL_PREFERRED_ = 1, MPOL_BIND_ = 2, MPOL_INTERLEAVE_ = 3,
       MPOL_LOCAL_ = 4, MPOL_PREFERRED_MANY_ = 5, MPOL_WEIGHTED_INTERLEAVE_ = 6 };
static const struct sched_name mpol_modes[] = {
	{ "MPOL_DEFAULT", MPOL_DEFAULT_ }, { "MPOL_BIND", MPOL_BIND_ },
	{ "MPOL_INTERLEAVE", MPOL_INTERLEAVE_ }, { "MPOL_WEIGHTED_INTERLEAVE", MPOL_WEIGHTED_INTERLEAVE_ },
	{ "MPOL_PREFERRED", MPOL_PREFERRED_ }, { "MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY_ },
	{ "MPOL_LOCAL", MPOL_LOCAL_ },
};
#define MPOL_F_STATIC_NODES_ (1 << 15)
#define MPOL_F_RELATIVE_NODES_ (1 << 14)
#define MPOL_F_NUMA_BALANCING_ (1 << 13)
static const struct sched_name mpol_flags[] = {
	{ "MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING_ },
	{ "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES_ },
	{ "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES_ },
};

/* Far above any real machine; keeps a typo from allocating gigabytes. */
#define ID_LIST_MAX 65536

static int name_find(const struct sched_name *t, size_t n, const char *name, const char *field,
		     const char *kind, long *out, struct hutch_error **err)
{
	for (size_t i = 0; name && i < n; i++) {
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i].value;
			return 0;
		}
	}
	return hutch_error_set(err, EINVAL, "%s: unknown %s \"%s\"", field, kind, name ? name : "");
}

/* ---- "0-3,7" lists ---- */

static bool list_number(const char **p, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= ID_LIST_MAX)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

static void bit_set(unsigned long **bits, size_t *nbits, unsigned long i)
{
	const size_t w = CHAR_BIT * sizeof(unsigned long);
	size_t need = (i / w + 1) * w;
	if (need > *nbits) {
		*bits = xrealloc(*bits, need / CHAR_BIT);
		memset((char *)*bits + *nbits / CHAR_BIT, 0, (need - *nbits) / CHAR_BIT);
		*nbits = need;
	}
	(*bits)[i / w] |= 1UL << (i % w);
}

/* A comma-separated list of ids and ranges, strictly: no spaces, no empty
 * items, ranges low-high. *bits holds *nbits bits, a multiple of a long. */
static int id_list_parse(const char *s, const char *field, unsigned long **bits, size_t *nbits,
			 struct hutch_error **err)
{
	cleanup_free unsigned long *b = NULL;
	size_t n = 0;
	const char *p = s;
	for (;;) {
		unsigned long lo, hi;
		if (!list_number(&p, &lo))
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (!list_number(&p, &hi) || hi < lo)
				goto bad;
		}
		for (unsigned long i = lo; i <= hi; i++)
			bit_set(&b, &n, i);
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	*bits = take_ptr(&b);
	*nbits = n;
	return 0;
bad:
	return hutch_error_set(err, EINVAL, "%s: invalid list \"%s\" (expected e.g. \"0-3,7\", ids below %d)",
			       field, s, ID_LIST_MAX);
}

/* ---- validation ---- */

static int scheduler_resolve(const struct spec_scheduler *sc, struct hutch_sched_attr *a,
			     struct hutch_error **err)
{
	long policy = 0, flag = 0;
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	if (name_find(sched_policies, ARRAY_SIZE(sched_policies), sc->policy, "process.scheduler.policy",
		      "policy", &policy, err) < 0)
		return -1;
	if (policy == POLICY_UNSUPPORTED)
		return hutch_error_set(err, ENOTSUP, "process.scheduler.policy: \"%s\" is not supported by Linux",
				       sc->policy);
	for (size_t i = 0; i < sc->n_flags; i++) {
		cleanup_free char *field = xasprintf("process.scheduler.flags[%zu]", i);
		if (name_find(sched_flag_names, ARRAY_SIZE(sched_flag_names), sc->flags[i], field, "flag",
			      &flag, err) < 0)
			return -1;
		a->sched_flags |= (uint64_t)flag;
	}
	if (sc->nice < -20 || sc->nice > 19)
		return hutch_error_set(err, ERANGE, "process.scheduler.nice: %d is out of range (-20..19)", sc->nice);
	int min = sched_get_priority_min((int)policy), max = sched_get_priority_max((int)policy);
	if (min >= 0 && max >= 0 && (sc->priority < min || sc->priority > max))
		return hutch_error_set(err, ERANGE, "process.scheduler.priority: %d is out of range (%d..%d) for %s",
				       sc->priority, min, max, sc->policy);
	a->sched_policy = (uint32_t)policy;
	a->sched_nice = sc->nice;
	a->sched_priority = (uint32_t)sc->priority;
	a->sched_runtime = sc->runtime;
	a->sched_deadline = sc->deadline;
	a->sched_period = sc->period;
	/* The clamps keep the full range: the spec gives no values for them. */
	a->sched_util_min = 0;
	a->sched_util_max = 1024;
	return 0;
}

static int ioprio_resolve(const struct spec_io_priority *io, int *out, struct hutch_error **err)
{
	long cls = 0;
	if (name_find(ioprio_classes, ARRAY_SIZE(ioprio_classes), io->class, "process.ioPriority.class",
		      "class", &cls, err) < 0)
		return -1;
	if (io->priority < 0 || io->priority > 7)
		return hutch_error_set(err, ERANGE, "process.ioPriority.priority: %d is out of range (0..7)",
				       io->priority);
	*out = (int)(cls << IOPRIO_CLASS_SHIFT) | io->priority;
	return 0;
}

static int affinity_validate(const struct spec_cpu_affinity *a, struct hutch_error **err)
{
	cleanup_free unsigned long *b1 = NULL, *b2 = NULL;
	size_t n;
	if (a->initial && a->initial[0] &&
	    id_list_parse(a->initial, "process.execCPUAffinity.initial", &b1, &n, err) < 0)
		return -1;
	if (a->final && a->final[0] && id_list_parse(a->final, "process.execCPUAffinity.final", &b2, &n, err) < 0)
		return -1;
	return 0;
}

static int personality_resolve(const struct spec_personality *p, unsigned long *out, struct hutch_error **err)
{
	long dom = 0;
	if (name_find(personality_domains, ARRAY_SIZE(personality_domains), p->domain,
		      "linux.personality.domain", "domain", &dom, err) < 0)
		return -1;
	/* config-linux.md: "Currently no flag values are supported." */
	if (p->n_flags > 0)
		return hutch_error_set(err, EINVAL, "linux.personality.flags[0]: unsupported flag \"%s\"",
				       p->flags[0] ? p->flags[0] : "");
	*out = (unsigned long)dom;
	return 0;
}

struct mempolicy {
	int mode;
	unsigned long *nodes;
	size_t nbits;
};

static void mempolicy_freep(struct mempolicy *m)
{
	free(m->nodes);
}
#define cleanup_mempolicy __attribute__((cleanup(mempolicy_freep)))

static int mempolicy_resolve(const struct spec_memory_policy *m, struct mempolicy *out,
			     struct hutch_error **err)
{
	long mode = 0, flag = 0, flags = 0;
	if (name_find(mpol_modes, ARRAY_SIZE(mpol_modes), m->mode, "linux.memoryPolicy.mode", "mode", &mode,
		      err) < 0)
		return -1;
	for (size_t i = 0; i < m->n_flags; i++) {
		cleanup_free char *field = xasprintf("linux.memoryPolicy.flags[%zu]", i);
		if (name_find(mpol_flags, ARRAY_SIZE(mpol_flags), m->flags[i], field, "flag", &flag, err) < 0)
			return -1;
		flags |= flag;
	}
	if ((flags & MPOL_F_STATIC_NODES_) && (flags & MPOL_F_RELATIVE_NODES_))
		return hutch_error_set(err, EINVAL,
				       "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
	bool has_nodes = m->nodes && m->nodes[0];
	if (has_nodes && id_list_parse(m->nodes, "linux.memoryPolicy.nodes", &out->nodes, &out->nbits, err) < 0)
		return -1;
	/* set_mempolicy(2): DEFAULT and LOCAL take no nodes; PREFERRED takes
	 * none (local) or some; the others need at least one. */
	if ((mode == MPOL_DEFAULT_ || mode == MPOL_LOCAL_) && has_nodes)
		return hutch_error_set(err, EINVAL, "linux.memoryPolicy.nodes: must be empty with %s", m->mode);
	if (mode != MPOL_DEFAULT_ && mode != MPOL_LOCAL_ && mode != MPOL_PREFERRED_ && !has_nodes)
		return hutch_error_set(err, EINVAL, "linux.memoryPolicy.nodes: %s needs at least one node", m->mode);
	out->mode = (int)(mode | flags);
	return 0;
}

int sched_validate(const struct spec *s, struct hutch_error **err)
{
	const struct spec_process *p = s->process;
	const struct spec_linux *l = s->linux_;
	struct hutch_sched_attr attr = { 0 };
	int prio = 0;
	unsigned long pers = 0;
	if (p && p->scheduler && scheduler_resolve(p->scheduler, &attr, err) < 0)
		return -1;
	if (p && p->io_priority && ioprio_resolve(p->io_priority, &prio, err) < 0)
		return -1;
	if (p && p->exec_cpu_affinity && affinity_validate(p->exec_cpu_affinity, err) < 0)
		return -1;
	if (l && l->personality && personality_resolve(l->personality, &pers, err) < 0)
		return -1;
	if (l && l->memory_policy) {
		cleanup_mempolicy struct mempolicy mp = { 0 };
		if (mempolicy_resolve(l->memory_policy, &mp, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- applying ---- */

static int scheduler_apply(const struct spec_scheduler *sc, struct hutch_error **err)
{
	struct hutch_sched_attr attr = { 0 };
	if (scheduler_resolve(sc, &attr, err) < 0)
		return -1;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return hutch_error_errno(err, "process.scheduler: sched_setattr %s", sc->policy);
	return 0;
}

static int ioprio_apply(const struct spec_io_priority *io, struct hutch_error **err)
{
	int prio = 0;
	if (ioprio_resolve(io, &prio, err) < 0)
		return -1;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
		return hutch_error_errno(err, "process.ioPriority: ioprio_set %s %d", io->class, io->priority);
	return 0;
}

static int personality_apply(const struct spec_personality *p, struct hutch_error **err)
{
	unsigned long pers = 0;
	if (personality_resolve(p, &pers, err) < 0)
		return -1;
	if (personality(pers) < 0)
		return hutch_error_errno(err, "linux.personality: personality %s", p->domain);
	return 0;
}

static int mempolicy_apply(const struct spec_memory_policy *m, struct hutch_error **err)
{
	cleanup_mempolicy struct mempolicy mp = { 0 };
	if (mempolicy_resolve(m, &mp, err) < 0)
		return -1;
	/* The kernel reads maxnode - 1 bits. */
	unsigned long maxnode = mp.nodes ? mp.nbits + 1 : 0;
	if (syscall(SYS_set_mempolicy, mp.mode, mp.nodes, maxnode) < 0)
		return hutch_error_errno(err, "linux.memoryPolicy: set_mempolicy %s", m->mode);
	return 0;
}

static int affinity_apply(const char *list, const char *field, struct hutch_error **err)
{
	cleanup_free unsigned long *bits = NULL;
	size_t nbits = 0;
	/* config.md: an omitted or empty final list leaves the affinity alone. */
	if (list == NULL || list[0] == '\0')
		return 0;
	if (id_list_parse(list, field, &bits, &nbits, err) < 0)
		return -1;
	if (sched_setaffinity(0, nbits / CHAR_BIT, (cpu_set_t *)bits) < 0)
		return hutch_error_errno(err, "%s: sched_setaffinity \"%s\"", field, list);
	return 0;
}

int sched_apply(const struct spec *s, struct hutch_error **err)
{
	const struct spec_process *p = s->process;
	const struct spec_linux *l = s->linux_;
	if (p && p->scheduler && scheduler_apply(p->scheduler, err) < 0)
		return -1;
	if (p && p->io_priority && ioprio_apply(p->io_priority, err) < 0)
		return -1;
	if (l && l->memory_policy && mempolicy_apply(l->memory_policy, err) < 0)
		return -1;
	if (l && l->personality && personality_apply(l->personality, err) < 0)
		return -1;
	return 0;
}

int sched_apply_affinity_initial(const struct spec *s, struct hutch_error **err)
{
	const struct spec_process *p = s->process;
	if (p == NULL || p->exec_cpu_affinity == NULL)
		return 0;
	return affinity_apply(p->exec_cpu_affinity->initial, "process.execCPUAffinity.initial", err);
}

int sched_apply_final(const struct spec *s, struct hutch_error **err)
{
	const struct spec_process *p = s->process;
	if (p == NULL || p->exec_cpu_affinity == NULL)
		return 0;
	return affinity_apply(p->exec_cpu_affinity->final, "process.execCPUAffinity.final", err);
}
