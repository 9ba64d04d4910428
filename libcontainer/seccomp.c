#include "seccomp.h"
#include "utils.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The errno-carrying actions are stored with a zero errno. */
const struct seccomp_name seccomp_actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
};
const size_t seccomp_actions_len = ARRAY_SIZE(seccomp_actions);

/* Only what the libseccomp we build against knows: `features` must not
 * promise an architecture that seccomp_arch_add would refuse. */
const struct seccomp_name seccomp_arches[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
	{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
#ifdef SCMP_ARCH_LOONGARCH64
	{ "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
#endif
#ifdef SCMP_ARCH_M68K
	{ "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
#endif
#ifdef SCMP_ARCH_SH
	{ "SCMP_ARCH_SH", SCMP_ARCH_SH },
	{ "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB },
#endif
};
const size_t seccomp_arches_len = ARRAY_SIZE(seccomp_arches);

const struct seccomp_name seccomp_operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};
const size_t seccomp_operators_len = ARRAY_SIZE(seccomp_operators);

/* We load the exported program with seccomp(2) ourselves, so every kernel
 * flag is usable whatever libseccomp's attributes cover (2.5.4 has no
 * WAIT_KILLABLE_RECV), and libseccomp does not force no_new_privs on us. */
const struct seccomp_name seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};
const size_t seccomp_flags_len = ARRAY_SIZE(seccomp_flags);

/* Spec names libseccomp 2.5.4 does not know: a clearer error than "unknown". */
static const char *const later_arches[] = {
	"SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

#define SECCOMP_MAX_ARGS 6
/* Numbers past the highest one a profile names that we still look up. */
#define ENOSYS_SCAN_SPAN 1024
#define X32_SYSCALL_BIT 0x40000000U

struct seccomp_ctx {
	struct sock_filter *prog;
	size_t prog_len;
	unsigned long flags;    /* SECCOMP_FILTER_FLAG_* */
	bool notify;            /* SCMP_ACT_NOTIFY is used: send the listener fd */
	int listener;           /* connected listenerPath socket, or -1 */
	char *metadata;
};

static bool name_lookup(const struct seccomp_name *t, size_t n, const char *name,
			unsigned long *out)
{
	for (size_t i = 0; name && i < n; i++) {
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i].value;
			return true;
		}
	}
	return false;
}

/* `what` names the field ("linux.seccomp.syscalls[3]"); `errno_field` the
 * errno's own key. The result is the full libseccomp action value. */
static int action_resolve(const char *name, bool has_errno, unsigned int errno_ret,
			  const char *what, const char *action_field, const char *errno_field,
			  uint32_t *out, struct hutch_error **err)
{
	unsigned long base;
	if (name == NULL)
		return hutch_error_set(err, EINVAL, "%s.%s: missing", what, action_field);
	if (!name_lookup(seccomp_actions, seccomp_actions_len, name, &base))
		return hutch_error_set(err, EINVAL, "%s.%s: unknown action \"%s\"", what,
				       action_field, name);
	bool takes_errno = base == SCMP_ACT_ERRNO(0) || base == SCMP_ACT_TRACE(0);
	/* config-linux.md: "When the action doesn't support an errno, the
	 * runtime MUST print and error and fail." */
	if (has_errno && !takes_errno)
		return hutch_error_set(err, EINVAL, "%s.%s: not valid with action \"%s\"", what,
				       errno_field, name);
	/* SECCOMP_RET_DATA is 16 bits: refuse what would be truncated. */
	if (has_errno && errno_ret > 0xffff)
		return hutch_error_set(err, ERANGE, "%s.%s: %u is out of range", what,
				       errno_field, errno_ret);
	unsigned int e = has_errno ? errno_ret : EPERM;
	if (base == SCMP_ACT_ERRNO(0))
		*out = SCMP_ACT_ERRNO(e);
	else if (base == SCMP_ACT_TRACE(0))
		*out = SCMP_ACT_TRACE(e);
	else
		*out = base;
	return 0;
}

static int syscall_action(const struct spec_syscall *sc, size_t i, uint32_t *out,
			  struct hutch_error **err)
{
	cleanup_free char *what = xasprintf("linux.seccomp.syscalls[%zu]", i);
	return action_resolve(sc->action, sc->has_errno_ret, sc->errno_ret, what, "action",
			      "errnoRet", out, err);
}

static int default_action(const struct spec_seccomp *s, uint32_t *out, struct hutch_error **err)
{
	return action_resolve(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
			      "linux.seccomp", "defaultAction", "defaultErrnoRet", out, err);
}

static int arch_resolve(const char *name, size_t i, uint32_t *out, struct hutch_error **err)
{
	unsigned long v;
	if (name_lookup(seccomp_arches, seccomp_arches_len, name, &v)) {
		*out = v;
		return 0;
	}
	for (size_t k = 0; name && k < ARRAY_SIZE(later_arches); k++)
		if (strcmp(name, later_arches[k]) == 0)
			return hutch_error_set(err, ENOTSUP,
					       "linux.seccomp.architectures[%zu]: \"%s\" is not supported by libseccomp %d.%d.%d",
					       i, name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
	return hutch_error_set(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"",
			       i, name ? name : "");
}

/* A filter-less seccomp(SET_MODE_FILTER) fails with EFAULT once the flags
 * passed the kernel's check, and with EINVAL when it does not know one. */
bool seccomp_flag_supported(unsigned long flag)
{
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static int flags_resolve(const struct spec_seccomp *s, unsigned long *out, struct hutch_error **err)
{
	*out = 0;
	for (size_t i = 0; i < s->n_flags; i++) {
		unsigned long v;
		if (!name_lookup(seccomp_flags, seccomp_flags_len, s->flags[i], &v))
			return hutch_error_set(err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag \"%s\"",
					       i, s->flags[i] ? s->flags[i] : "");
		if (!seccomp_flag_supported(v))
			return hutch_error_set(err, ENOTSUP,
					       "linux.seccomp.flags[%zu]: \"%s\" is not supported by the kernel",
					       i, s->flags[i]);
		*out |= v;
	}
	return 0;
}

static int args_validate(const struct spec_syscall *sc, size_t i, struct hutch_error **err)
{
	for (size_t k = 0; k < sc->n_args; k++) {
		const struct spec_seccomp_arg *a = &sc->args[k];
		unsigned long op;
		if (a->index >= SECCOMP_MAX_ARGS)
			return hutch_error_set(err, ERANGE,
					       "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0-%d)",
					       i, k, a->index, SECCOMP_MAX_ARGS - 1);
		if (!name_lookup(seccomp_operators, seccomp_operators_len, a->op, &op))
			return hutch_error_set(err, EINVAL,
					       "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"",
					       i, k, a->op ? a->op : "");
	}
	return 0;
}

/* The listener fd is sent with sendmsg after the filter is loaded: a
 * notification on sendmsg would wait for an agent that has no fd yet. */
static int notify_validate(const struct spec_syscall *sc, size_t i, struct hutch_error **err)
{
	for (size_t k = 0; k < sc->n_names; k++)
		if (sc->names[k] && strcmp(sc->names[k], "sendmsg") == 0)
			return hutch_error_set(err, EINVAL,
					       "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for \"sendmsg\"",
					       i);
	return 0;
}

static int syscalls_validate(const struct spec_seccomp *s, bool *uses_notify, struct hutch_error **err)
{
	*uses_notify = false;
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_syscall *sc = &s->syscalls[i];
		uint32_t act;
		if (sc->n_names == 0)
			return hutch_error_set(err, EINVAL,
					       "linux.seccomp.syscalls[%zu].names: must contain at least one entry", i);
		for (size_t k = 0; k < sc->n_names; k++)
			if (sc->names[k] == NULL || sc->names[k][0] == '\0')
				return hutch_error_set(err, EINVAL,
						       "linux.seccomp.syscalls[%zu].names[%zu]: empty name", i, k);
		if (syscall_action(sc, i, &act, err) < 0 || args_validate(sc, i, err) < 0)
			return -1;
		if (act == SCMP_ACT_NOTIFY) {
			if (notify_validate(sc, i, err) < 0)
				return -1;
			*uses_notify = true;
		}
	}
	return 0;
}

static int seccomp_check(const struct spec_seccomp *s, uint32_t *def, unsigned long *flags,
			 bool *uses_notify, struct hutch_error **err)
{
	if (default_action(s, def, err) < 0)
		return -1;
	if (*def == SCMP_ACT_NOTIFY)
		return hutch_error_set(err, EINVAL,
				       "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t arch;
		if (arch_resolve(s->architectures[i], i, &arch, err) < 0)
			return -1;
	}
	if (flags_resolve(s, flags, err) < 0 || syscalls_validate(s, uses_notify, err) < 0)
		return -1;
	/* config-linux.md: listenerMetadata "MUST NOT be set if listenerPath is not set". */
	if (s->listener_metadata && s->listener_path == NULL)
		return hutch_error_set(err, EINVAL, "linux.seccomp.listenerMetadata: set without listenerPath");
	if (*uses_notify && (s->listener_path == NULL || s->listener_path[0] == '\0'))
		return hutch_error_set(err, EINVAL,
				       "linux.seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set");
	if (s->listener_path && s->listener_path[0] != '/')
		return hutch_error_set(err, EINVAL, "linux.seccomp.listenerPath: \"%s\" is not absolute",
				       s->listener_path);
	return 0;
}

int seccomp_validate(const struct spec_seccomp *s, struct hutch_error **err)
{
	uint32_t def;
	unsigned long flags;
	bool uses_notify;
	if (s == NULL)
		return 0;
	return seccomp_check(s, &def, &flags, &uses_notify, err);
}

/* ---- building the filter ---- */

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define cleanup_seccomp __attribute__((cleanup(seccomp_releasep)))

static int rule_add(scmp_filter_ctx ctx, uint32_t act, int nr, const char *name, size_t i,
		    unsigned int n, const struct scmp_arg_cmp *cmp, struct hutch_error **err)
{
	int r = seccomp_rule_add_array(ctx, act, nr, n, cmp);
	if (r < 0) {
		errno = -r;
		return hutch_error_errno(err, "linux.seccomp.syscalls[%zu]: add rule for \"%s\"", i, name);
	}
	return 0;
}

/* libseccomp refuses two comparisons of the same argument in one rule
 * (EINVAL). Comparisons of different arguments must all hold (AND); several
 * on one argument are alternatives (OR), which is what a profile listing
 * e.g. two EQ values for one argument means. So we add one rule per
 * combination that picks one comparison for each argument used. */
static int rule_add_args(scmp_filter_ctx ctx, uint32_t act, int nr, const char *name, size_t i,
			 const struct spec_syscall *sc, struct hutch_error **err)
{
	size_t by_index[SECCOMP_MAX_ARGS][sc->n_args ? sc->n_args : 1];
	size_t count[SECCOMP_MAX_ARGS] = { 0 }, pick[SECCOMP_MAX_ARGS] = { 0 };
	if (sc->n_args == 0)
		return rule_add(ctx, act, nr, name, i, 0, NULL, err);
	for (size_t k = 0; k < sc->n_args; k++) {
		unsigned int idx = sc->args[k].index;
		by_index[idx][count[idx]++] = k;
	}
	for (;;) {
		struct scmp_arg_cmp cmp[SECCOMP_MAX_ARGS];
		unsigned int n = 0;
		for (unsigned int idx = 0; idx < SECCOMP_MAX_ARGS; idx++) {
			if (count[idx] == 0)
				continue;
			const struct spec_seccomp_arg *a = &sc->args[by_index[idx][pick[idx]]];
			unsigned long op = 0;
			name_lookup(seccomp_operators, seccomp_operators_len, a->op, &op);
			/* MASKED_EQ: value is the mask, valueTwo the datum. */
			cmp[n++] = (struct scmp_arg_cmp){ .arg = idx, .op = op,
							  .datum_a = a->value, .datum_b = a->value_two };
		}
		if (rule_add(ctx, act, nr, name, i, n, cmp, err) < 0)
			return -1;
		unsigned int idx = 0;
		for (; idx < SECCOMP_MAX_ARGS; idx++) {
			if (count[idx] == 0)
				continue;
			if (++pick[idx] < count[idx])
				break;
			pick[idx] = 0;
		}
		if (idx == SECCOMP_MAX_ARGS)
			return 0;
	}
}

/* Names libseccomp does not know are skipped: profiles list syscalls of
 * newer kernels and other architectures. */
static int syscalls_add(scmp_filter_ctx ctx, const struct spec_seccomp *s, uint32_t def,
			int *max_nr, struct hutch_error **err)
{
	*max_nr = -1;
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_syscall *sc = &s->syscalls[i];
		uint32_t act;
		if (syscall_action(sc, i, &act, err) < 0)
			return -1;
		for (size_t k = 0; k < sc->n_names; k++) {
			int nr = seccomp_syscall_resolve_name(sc->names[k]);
			if (nr == __NR_SCMP_ERROR)
				continue;
			if (nr > *max_nr)
				*max_nr = nr;
			/* libseccomp refuses a rule whose action is the default (EACCES). */
			if (act == def)
				continue;
			if (rule_add_args(ctx, act, nr, sc->names[k], i, sc, err) < 0)
				return -1;
		}
	}
	return 0;
}

static bool enosys_wanted(uint32_t def, int max_nr)
{
	return max_nr >= 0 && def != SCMP_ACT_ALLOW && def != SCMP_ACT_LOG &&
	       def != SCMP_ACT_NOTIFY && def != SCMP_ACT_ERRNO(ENOSYS);
}

/* Syscalls newer than the profile must fail with ENOSYS, not with the
 * default action: callers such as glibc fall back from clone3 to clone only
 * on ENOSYS, and an EPERM would break them. "Newer" means: a syscall whose
 * native number is above the highest native number the profile names.
 * Those libseccomp knows get an explicit ERRNO(ENOSYS) rule here (it
 * translates them by name to the profile's other architectures); those
 * newer than libseccomp itself are caught by enosys_prologue().
 * Returns in *table_max the highest native number libseccomp knows. */
static int enosys_rules_add(scmp_filter_ctx ctx, int max_nr, int *table_max, struct hutch_error **err)
{
	*table_max = max_nr;
	for (int nr = max_nr + 1; nr <= max_nr + ENOSYS_SCAN_SPAN; nr++) {
		cleanup_free char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name == NULL)
			continue;
		*table_max = nr;
		int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0) {
			errno = -r;
			return hutch_error_errno(err, "linux.seccomp: add ENOSYS rule for \"%s\"", name);
		}
	}
	return 0;
}

static int filter_export(scmp_filter_ctx ctx, struct seccomp_ctx *c, struct hutch_error **err)
{
	cleanup_close int fd = memfd_create("hutch-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0) {
		errno = -r;
		return hutch_error_errno(err, "export the seccomp filter");
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return hutch_error_errno(err, "seek the seccomp filter");
	cleanup_free char *buf = NULL;
	size_t len;
	if (read_all_fd(fd, "seccomp filter", &buf, &len, err) < 0)
		return -1;
	if (len == 0 || len % sizeof(struct sock_filter) != 0)
		return hutch_error_set(err, EINVAL, "seccomp filter: unexpected size %zu", len);
	c->prog_len = len / sizeof(struct sock_filter);
	c->prog = xmalloc(len);
	memcpy(c->prog, buf, len);
	return 0;
}

/* Sends syscalls above what libseccomp knows to ENOSYS on the native
 * architecture, before libseccomp's program runs (it reloads the arch and
 * the number itself). x32 shares x86_64's audit arch with a number bit, so
 * numbers with that bit set go on to the program. */
static void enosys_prologue(struct seccomp_ctx *c, int table_max)
{
	uint32_t arch = seccomp_arch_native();
	bool x86_64 = arch == SCMP_ARCH_X86_64;
	uint32_t x32_limit = x86_64 ? X32_SYSCALL_BIT : UINT32_MAX;
	struct sock_filter pro[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, x32_limit, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)table_max, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_filter *p = xcalloc(c->prog_len + ARRAY_SIZE(pro), sizeof(*p));
	memcpy(p, pro, sizeof(pro));
	memcpy(p + ARRAY_SIZE(pro), c->prog, c->prog_len * sizeof(*p));
	free(c->prog);
	c->prog = p;
	c->prog_len += ARRAY_SIZE(pro);
}

static int filter_build(const struct spec_seccomp *s, uint32_t def, struct seccomp_ctx *c,
			struct hutch_error **err)
{
	cleanup_seccomp scmp_filter_ctx ctx = seccomp_init(def);
	if (ctx == NULL)
		return hutch_error_set(err, EINVAL, "linux.seccomp: seccomp_init failed");
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t arch;
		if (arch_resolve(s->architectures[i], i, &arch, err) < 0)
			return -1;
		int r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST) {
			errno = -r;
			return hutch_error_errno(err, "linux.seccomp.architectures[%zu]: add \"%s\"", i,
						 s->architectures[i]);
		}
	}
	int max_nr, table_max = -1;
	if (syscalls_add(ctx, s, def, &max_nr, err) < 0)
		return -1;
	bool enosys = enosys_wanted(def, max_nr);
	if (enosys && enosys_rules_add(ctx, max_nr, &table_max, err) < 0)
		return -1;
	if (filter_export(ctx, c, err) < 0)
		return -1;
	if (enosys)
		enosys_prologue(c, table_max);
	if (c->prog_len > BPF_MAXINSNS)
		return hutch_error_set(err, E2BIG, "linux.seccomp: the filter has %zu instructions, the kernel takes %d",
				       c->prog_len, BPF_MAXINSNS);
	return 0;
}

/* sun_path is short: a longer path is reached through its directory's fd. */
static int listener_connect(const char *path, struct hutch_error **err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int dirfd = -1;
	cleanup_free char *via = NULL;
	const char *target = path;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		cleanup_free char *dir = xstrdup(path);
		char *slash = strrchr(dir, '/');
		*slash = '\0';
		dirfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return hutch_error_errno(err, "linux.seccomp.listenerPath: open %s", dir);
		via = xasprintf("/proc/self/fd/%d/%s", dirfd, slash + 1);
		target = via;
		if (strlen(via) >= sizeof(addr.sun_path))
			return hutch_error_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath: %s: name too long", path);
	}
	memcpy(addr.sun_path, target, strlen(target) + 1);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hutch_error_errno(err, "socket");
	int r;
	do
		r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hutch_error_errno(err, "linux.seccomp.listenerPath: connect %s", path);
	return take_fd(&fd);
}

int seccomp_prepare(const struct spec_seccomp *s, struct seccomp_ctx **out, struct hutch_error **err)
{
	uint32_t def;
	bool uses_notify;
	*out = NULL;
	if (s == NULL)
		return 0;
	struct seccomp_ctx *c = xmalloc0(sizeof(*c));
	c->listener = -1;
	if (seccomp_check(s, &def, &c->flags, &uses_notify, err) < 0 || filter_build(s, def, c, err) < 0)
		goto fail;
	c->notify = uses_notify;
	/* The kernel takes WAIT_KILLABLE_RECV only with a listener; without
	 * SCMP_ACT_NOTIFY the flag has nothing to act on. */
	if (!uses_notify)
		c->flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	if (uses_notify) {
		c->listener = listener_connect(s->listener_path, err);
		if (c->listener < 0)
			goto fail;
		c->metadata = s->listener_metadata ? xstrdup(s->listener_metadata) : NULL;
	}
	*out = c;
	return 0;
fail:
	seccomp_ctx_free(c);
	return -1;
}

/* ---- loading and the listener ---- */

/* config-linux.md "The Container Process State": pid is the process the
 * filter is for, "as seen by the runtime" (a host pid); state the container's. */
static int process_state_json(const struct seccomp_ctx *c, const char *state_json, pid_t pid, char **out,
			      struct hutch_error **err)
{
	cleanup_json json_object *state = state_json ? json_tokener_parse(state_json) : NULL;
	if (state == NULL || !json_object_is_type(state, json_type_object))
		return hutch_error_set(err, EINVAL, "seccomp listener: no container state to send");
	cleanup_json json_object *o = json_object_new_object();
	json_object *fds = json_object_new_array();
	json_object_array_add(fds, json_object_new_string("seccompFd"));
	json_object_object_add(o, "ociVersion", json_object_new_string(HUTCH_SPEC_VERSION));
	json_object_object_add(o, "fds", fds);
	json_object_object_add(o, "pid", json_object_new_int64(pid));
	if (c->metadata)
		json_object_object_add(o, "metadata", json_object_new_string(c->metadata));
	json_object_object_add(o, "state", take_ptr(&state));
	*out = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

/* The fd goes with the first sendmsg; a short send is completed without it
 * (the spec allows several sendmsg calls, fds only in the first). */
static int listener_send(int sock, int notify_fd, const char *msg, struct hutch_error **err)
{
	size_t len = strlen(msg);
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hutch_error_errno(err, "seccomp listener: send the container process state");
	if ((size_t)n < len && write_all(sock, msg + n, len - (size_t)n) < 0)
		return hutch_error_errno(err, "seccomp listener: send the container process state");
	return 0;
}

int seccomp_apply(struct seccomp_ctx *c, const char *state_json, pid_t pid, struct hutch_error **err)
{
	if (c == NULL)
		return 0;
	cleanup_free char *msg = NULL;
	/* Built before loading: the filter may forbid what json-c needs. */
	if (c->notify && process_state_json(c, state_json, pid, &msg, err) < 0)
		return -1;
	unsigned long flags = c->flags;
	if (c->notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* The kernel refuses TSYNC with a listener unless failures to
		 * sync are reported as ESRCH instead of a thread id. */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	struct sock_fprog prog = { .len = (unsigned short)c->prog_len, .filter = c->prog };
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0)
		return hutch_error_errno(err, "load the seccomp filter");
	if (!c->notify)
		return 0;
	cleanup_close int notify_fd = (int)r;
	cleanup_close int sock = take_fd(&c->listener);
	return listener_send(sock, notify_fd, msg, err);
}

int seccomp_export_sealed(const struct seccomp_ctx *c, unsigned long *flags, size_t *len,
			  struct hutch_error **err)
{
	if (c->notify)
		return hutch_error_set(err, EINVAL, "seccomp: a filter with a listener is loaded by the init stage");
	cleanup_close int fd = memfd_create("seccomp-filter", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return hutch_error_errno(err, "memfd_create");
	if (write_all(fd, c->prog, c->prog_len * sizeof(c->prog[0])) < 0)
		return hutch_error_errno(err, "write the seccomp filter");
	/* Sealed: a process of the container that reaches the waiter's fds
	 * (/proc/1/fd) must not rewrite the filter before it is loaded. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return hutch_error_errno(err, "seal the seccomp filter");
	*flags = c->flags;
	*len = c->prog_len;
	return take_fd(&fd);
}

static bool action_allows(const char *a)
{
	return a && (strcmp(a, "SCMP_ACT_ALLOW") == 0 || strcmp(a, "SCMP_ACT_LOG") == 0);
}

bool seccomp_allows_always(const struct spec_seccomp *s, const char *name)
{
	bool named = false;
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_syscall *sc = &s->syscalls[i];
		for (size_t k = 0; k < sc->n_names; k++) {
			if (sc->names[k] == NULL || strcmp(sc->names[k], name) != 0)
				continue;
			if (sc->n_args > 0 || !action_allows(sc->action))
				return false;
			named = true;
		}
	}
	return named || action_allows(s->default_action);
}

void seccomp_ctx_free(struct seccomp_ctx *c)
{
	if (c == NULL)
		return;
	closep(&c->listener);
	free(c->prog);
	free(c->metadata);
	free(c);
}

bool seccomp_wants_state(const struct seccomp_ctx *c)
{
	return c && c->notify;
}
