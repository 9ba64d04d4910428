/* The device allow list: written to devices.allow/deny on cgroup v1, compiled to a
 * BPF_PROG_TYPE_CGROUP_DEVICE program on cgroup v2. */
#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#define ANY (-1)
#define RWM (CGROUP_DEV_READ | CGROUP_DEV_WRITE | CGROUP_DEV_MKNOD)

/* runtime-spec "Default Devices" must stay usable whatever the list says, and a
 * container may mknod any node (opening it is what the list decides). runc
 * appends the same set after the configured rules. */
static const struct cgroup_dev_rule default_rules[] = {
	{ true, 'c', ANY, ANY, CGROUP_DEV_MKNOD },
	{ true, 'b', ANY, ANY, CGROUP_DEV_MKNOD },
	{ true, 'c', 1, 3, RWM },       /* null */
	{ true, 'c', 1, 5, RWM },       /* zero */
	{ true, 'c', 1, 7, RWM },       /* full */
	{ true, 'c', 1, 8, RWM },       /* random */
	{ true, 'c', 1, 9, RWM },       /* urandom */
	{ true, 'c', 5, 0, RWM },       /* tty */
	{ true, 'c', 5, 2, RWM },       /* ptmx */
	{ true, 'c', 136, ANY, RWM },   /* pts */
	{ true, 'c', 10, 200, RWM },    /* net/tun */
};

static int parse_access(const char *s, unsigned *out)
{
	unsigned a = 0;
	if (s == NULL || *s == '\0') {
		*out = RWM;
		return 0;
	}
	for (; *s; s++) {
		switch (*s) {
		case 'r': a |= CGROUP_DEV_READ; break;
		case 'w': a |= CGROUP_DEV_WRITE; break;
		case 'm': a |= CGROUP_DEV_MKNOD; break;
		default: return -1;
		}
	}
	*out = a;
	return 0;
}

static int rule_from_spec(const struct spec_device_cgroup *d, size_t i, struct cgroup_dev_rule *r,
			  struct hutch_error **err)
{
	r->allow = d->allow;
	if (d->type == NULL || strcmp(d->type, "a") == 0)
		r->type = 'a';
	else if (strcmp(d->type, "c") == 0 || strcmp(d->type, "b") == 0)
		r->type = d->type[0];
	else
		return hutch_error_set(err, EINVAL, "linux.resources.devices[%zu].type: invalid \"%s\"", i, d->type);
	r->major = d->has_major && d->major >= 0 ? d->major : ANY;
	r->minor = d->has_minor && d->minor >= 0 ? d->minor : ANY;
	if (parse_access(d->access, &r->access) < 0)
		return hutch_error_set(err, EINVAL, "linux.resources.devices[%zu].access: invalid \"%s\"", i, d->access);
	return 0;
}

int cgroup_dev_rules(const struct spec_resources *res, struct cgroup_dev_rule **out, size_t *n,
		     struct hutch_error **err)
{
	size_t ns = res ? res->n_devices : 0;
	cleanup_free struct cgroup_dev_rule *r = xcalloc(ns + ARRAY_SIZE(default_rules), sizeof(*r));
	for (size_t i = 0; i < ns; i++)
		if (rule_from_spec(&res->devices[i], i, &r[i], err) < 0)
			return -1;
	memcpy(r + ns, default_rules, sizeof(default_rules));
	*n = ns + ARRAY_SIZE(default_rules);
	*out = take_ptr(&r);
	return 0;
}

static char *v1_line(const struct cgroup_dev_rule *r)
{
	/* The v1 kernel treats any "a" entry as "everything". */
	if (r->type == 'a')
		return xstrdup("a");
	char maj[24] = "*", min[24] = "*", acc[4];
	size_t k = 0;
	if (r->major != ANY)
		snprintf(maj, sizeof(maj), "%" PRId64, r->major);
	if (r->minor != ANY)
		snprintf(min, sizeof(min), "%" PRId64, r->minor);
	if (r->access & CGROUP_DEV_READ)
		acc[k++] = 'r';
	if (r->access & CGROUP_DEV_WRITE)
		acc[k++] = 'w';
	if (r->access & CGROUP_DEV_MKNOD)
		acc[k++] = 'm';
	acc[k] = '\0';
	return xasprintf("%c %s:%s %s", r->type, maj, min, acc);
}

int cgroup_devices_v1_apply(int dirfd, const struct cgroup_dev_rule *r, size_t n,
			    struct hutch_error **err)
{
	/* Start from "deny everything" so the list means the same as on v2. */
	bool first_is_deny_all = n > 0 && !r[0].allow && r[0].type == 'a';
	if (!first_is_deny_all && cgroup_write(dirfd, "devices.deny", "a", err) < 0)
		return hutch_error_wrap(err, "linux.resources.devices");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *line = v1_line(&r[i]);
		if (cgroup_write(dirfd, r[i].allow ? "devices.allow" : "devices.deny", line, err) < 0)
			return hutch_error_wrap(err, "linux.resources.devices: \"%s\"", line);
	}
	return 0;
}

/* ---- BPF ---- */

struct prog {
	struct bpf_insn *insn;
	size_t n, cap;
};

static size_t emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == p->cap)
		p->insn = xrealloc(p->insn, (p->cap = p->cap ? p->cap * 2 : 64) * sizeof(*p->insn));
	p->insn[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	return p->n++;
}

/* Point the jump at `at` to the next instruction to be emitted. */
static void patch_here(struct prog *p, size_t at)
{
	p->insn[at].off = (int16_t)(p->n - at - 1);
}

static void emit_exit(struct prog *p, int32_t ret)
{
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, ret);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Registers: r2 device type, r3 requested access, r4 major, r5 minor. */
static void emit_prologue(struct prog *p)
{
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	emit(p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	emit(p, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
}

/* One rule inside a pass; allow jumps go to the pass end (recorded in `ends`).
 * Returns true when the rule matches every device (nothing before it matters). */
static bool emit_rule(struct prog *p, const struct cgroup_dev_rule *r, size_t **ends, size_t *n_ends)
{
	size_t skip[3], ns = 0;
	if (r->type != 'a')
		skip[ns++] = emit(p, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
				  r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	if (r->major != ANY)
		skip[ns++] = emit(p, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)(uint32_t)r->major);
	if (r->minor != ANY)
		skip[ns++] = emit(p, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)(uint32_t)r->minor);
	if (r->allow) {
		*ends = xrealloc(*ends, (*n_ends + 1) * sizeof(**ends));
		(*ends)[(*n_ends)++] = emit(p, BPF_JMP | BPF_JA, 0, 0, 0, 0);
	} else {
		emit_exit(p, 0);
	}
	for (size_t i = 0; i < ns; i++)
		patch_here(p, skip[i]);
	return ns == 0;
}

/* Each access bit asked for is decided by the last rule that names that bit and
 * matches the device (v1 semantics: a later "deny w" takes w away from an
 * earlier "allow rwm"); with no such rule the access is denied. */
static void emit_pass(struct prog *p, const struct cgroup_dev_rule *r, size_t n, unsigned bit)
{
	cleanup_free size_t *ends = NULL;
	size_t n_ends = 0;
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_3, 0, 0);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_6, 0, 0, (int32_t)bit);
	size_t not_asked = emit(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_6, 0, 0, 0);
	bool catch_all = false;
	for (size_t i = n; i-- > 0 && !catch_all;) {
		if ((r[i].access & bit) && r[i].major <= UINT32_MAX && r[i].minor <= UINT32_MAX)
			catch_all = emit_rule(p, &r[i], &ends, &n_ends);
	}
	/* The verifier refuses unreachable code: no default after a catch-all rule. */
	if (!catch_all)
		emit_exit(p, 0);
	patch_here(p, not_asked);
	for (size_t i = 0; i < n_ends; i++)
		patch_here(p, ends[i]);
}

static int bpf_call(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct prog *p, char *log, size_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)p->insn;
	attr.insn_cnt = (uint32_t)p->n;
	attr.license = (uint64_t)(uintptr_t)"Apache";
	if (log) {
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	return bpf_call(BPF_PROG_LOAD, &attr);
}

int cgroup_devices_bpf_load(const struct cgroup_dev_rule *r, size_t n, struct hutch_error **err)
{
	static const unsigned bits[] = { CGROUP_DEV_MKNOD, CGROUP_DEV_READ, CGROUP_DEV_WRITE };
	struct prog p = { NULL, 0, 0 };
	emit_prologue(&p);
	for (size_t b = 0; b < ARRAY_SIZE(bits); b++)
		emit_pass(&p, r, n, bits[b]);
	emit_exit(&p, 1);
	int fd = prog_load(&p, NULL, 0);
	if (fd < 0) {
		int saved = errno;
		size_t log_size = 1 << 16;
		cleanup_free char *log = xmalloc0(log_size);
		if (saved == EACCES || saved == EINVAL)
			prog_load(&p, log, log_size);
		errno = saved;
		hutch_error_errno(err, "load the device cgroup BPF program (%zu instructions)%s%s", p.n,
				  *log ? ": " : "", log);
	}
	free(p.insn);
	return fd;
}

int cgroup_devices_bpf_attach(int cgroup_fd, int prog_fd, struct hutch_error **err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* Stack with what the parents have (systemd's own list): all must allow. */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf_call(BPF_PROG_ATTACH, &attr) < 0)
		return hutch_error_errno(err, "attach the device cgroup BPF program");
	return 0;
}

int cgroup_devices_bpf_detach(int cgroup_fd, int prog_fd, struct hutch_error **err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (bpf_call(BPF_PROG_DETACH, &attr) < 0)
		return hutch_error_errno(err, "detach the device cgroup BPF program");
	return 0;
}
