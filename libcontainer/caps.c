/* Capabilities: the name table, validation, and the five sets.
 *
 * Order (process.c drives it): bounding is dropped while still root (it needs
 * CAP_SETPCAP), then the uid/gid change under PR_SET_KEEPCAPS, then
 * effective/permitted/inheritable with one capset, then ambient, which the
 * kernel only accepts for caps already permitted and inheritable. */
#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "procfs.h"
#include "utils.h"

#define CAP_ENTRY(c) { #c, c }
const struct cap_name caps_table[] = {
	CAP_ENTRY(CAP_CHOWN),
	CAP_ENTRY(CAP_DAC_OVERRIDE),
	CAP_ENTRY(CAP_DAC_READ_SEARCH),
	CAP_ENTRY(CAP_FOWNER),
	CAP_ENTRY(CAP_FSETID),
	CAP_ENTRY(CAP_KILL),
	CAP_ENTRY(CAP_SETGID),
	CAP_ENTRY(CAP_SETUID),
	CAP_ENTRY(CAP_SETPCAP),
	CAP_ENTRY(CAP_LINUX_IMMUTABLE),
	CAP_ENTRY(CAP_NET_BIND_SERVICE),
	CAP_ENTRY(CAP_NET_BROADCAST),
	CAP_ENTRY(CAP_NET_ADMIN),
	CAP_ENTRY(CAP_NET_RAW),
	CAP_ENTRY(CAP_IPC_LOCK),
	CAP_ENTRY(CAP_IPC_OWNER),
	CAP_ENTRY(CAP_SYS_MODULE),
	CAP_ENTRY(CAP_SYS_RAWIO),
	CAP_ENTRY(CAP_SYS_CHROOT),
	CAP_ENTRY(CAP_SYS_PTRACE),
	CAP_ENTRY(CAP_SYS_PACCT),
	CAP_ENTRY(CAP_SYS_ADMIN),
	CAP_ENTRY(CAP_SYS_BOOT),
	CAP_ENTRY(CAP_SYS_NICE),
	CAP_ENTRY(CAP_SYS_RESOURCE),
	CAP_ENTRY(CAP_SYS_TIME),
	CAP_ENTRY(CAP_SYS_TTY_CONFIG),
	CAP_ENTRY(CAP_MKNOD),
	CAP_ENTRY(CAP_LEASE),
	CAP_ENTRY(CAP_AUDIT_WRITE),
	CAP_ENTRY(CAP_AUDIT_CONTROL),
	CAP_ENTRY(CAP_SETFCAP),
	CAP_ENTRY(CAP_MAC_OVERRIDE),
	CAP_ENTRY(CAP_MAC_ADMIN),
	CAP_ENTRY(CAP_SYSLOG),
	CAP_ENTRY(CAP_WAKE_ALARM),
	CAP_ENTRY(CAP_BLOCK_SUSPEND),
	CAP_ENTRY(CAP_AUDIT_READ),
	/* Linux 5.8 / 5.9: spelled as numbers so older headers still build. */
	{ "CAP_PERFMON", 38 },
	{ "CAP_BPF", 39 },
	{ "CAP_CHECKPOINT_RESTORE", 40 },
};
const size_t caps_table_len = ARRAY_SIZE(caps_table);

int caps_from_name(const char *name)
{
	for (size_t i = 0; i < caps_table_len; i++)
		if (strcmp(caps_table[i].name, name) == 0)
			return caps_table[i].value;
	return -1;
}

static const char *caps_name(int cap)
{
	for (size_t i = 0; i < caps_table_len; i++)
		if (caps_table[i].value == cap)
			return caps_table[i].name;
	return "unknown";
}

int caps_last_cap(int proc)
{
	cleanup_free char *buf = NULL;
	long long v;
	int r = proc >= 0 ? procfs_read(proc, "sys/kernel/cap_last_cap", &buf, NULL)
			  : read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &buf, NULL, NULL);
	if (r == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (parse_int64(buf, &v) == 0 && v >= 0 && v < 64)
			return (int)v;
	}
	/* No procfs (a container without /proc): PR_CAPBSET_READ fails with
	 * EINVAL past the last cap the kernel knows. */
	int cap = 0;
	while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
		cap++;
	return cap;
}

struct caps_set_desc {
	const char *name;
	char *const *caps;
	size_t n;
};

static void caps_sets(const struct spec_capabilities *c, struct caps_set_desc out[5])
{
	out[0] = (struct caps_set_desc){ "bounding", c->bounding, c->n_bounding };
	out[1] = (struct caps_set_desc){ "effective", c->effective, c->n_effective };
	out[2] = (struct caps_set_desc){ "inheritable", c->inheritable, c->n_inheritable };
	out[3] = (struct caps_set_desc){ "permitted", c->permitted, c->n_permitted };
	out[4] = (struct caps_set_desc){ "ambient", c->ambient, c->n_ambient };
}

int caps_runtime_bounding(int proc, uint64_t *mask)
{
	cleanup_free char *buf = NULL;
	*mask = UINT64_MAX;
	int r = proc >= 0 ? procfs_read(proc, "self/status", &buf, NULL)
			  : read_file_at(AT_FDCWD, "/proc/self/status", &buf, NULL, NULL);
	const char *line = r == 0 ? strstr(buf, "\nCapBnd:") : NULL;
	if (line == NULL)
		return -1;
	unsigned long long v;
	if (sscanf(line + 8, "%llx", &v) != 1)
		return -1;
	*mask = v;
	return 0;
}

static bool mask_has(uint64_t mask, int cap)
{
	return cap >= 0 && cap < 64 && (mask & (1ULL << cap));
}

/* config.md: "Any value which cannot be mapped to a relevant kernel
 * interface, or cannot be granted otherwise MUST be logged as a warning by
 * the runtime. Runtimes SHOULD NOT fail if the container configuration
 * requests capabilities that cannot be granted" (runtime-spec 1.1). A name
 * hutch does not know is an error all the same (a typo would otherwise drop
 * a capability unnoticed; runtime-tools' process_capabilities_fail asks for
 * it). A known one the kernel lacks (newer than cap_last_cap), or that the
 * runtime itself cannot hold (not in its bounding set: a restricted
 * environment), is a warning; the setters skip it. This is the one place that
 * prints. */
int caps_validate(const struct spec_capabilities *c, struct hutch_error **err)
{
	if (c == NULL)
		return 0;
	int last = caps_last_cap(-1);
	uint64_t held;
	caps_runtime_bounding(-1, &held);
	struct caps_set_desc sets[5];
	caps_sets(c, sets);
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		for (size_t i = 0; i < sets[s].n; i++) {
			int v = caps_from_name(sets[s].caps[i]);
			if (v < 0)
				return hutch_error_set(err, 0, "process.capabilities.%s: unknown capability \"%s\"",
						       sets[s].name, sets[s].caps[i]);
			if (v > last)
				fprintf(stderr, "hutch: warning: process.capabilities.%s: %s is not supported by the running kernel, ignored\n",
					sets[s].name, sets[s].caps[i]);
			else if (!mask_has(held, v))
				fprintf(stderr, "hutch: warning: process.capabilities.%s: %s cannot be granted (not in the runtime's bounding set), ignored\n",
					sets[s].name, sets[s].caps[i]);
		}
	}
	return 0;
}

static bool caps_list_has(char *const *caps, size_t n, int cap)
{
	for (size_t i = 0; i < n; i++)
		if (caps_from_name(caps[i]) == cap)
			return true;
	return false;
}

int caps_apply_bounding(const struct spec_capabilities *c, int last, struct hutch_error **err)
{
	if (c == NULL)
		return 0;
	for (int cap = 0; cap <= last; cap++) {
		if (caps_list_has(c->bounding, c->n_bounding, cap))
			continue;
		/* Dropping a cap that is already out of the bounding set succeeds;
		 * EINVAL is a cap the kernel does not know. */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			return hutch_error_errno(err, "drop %s from the bounding set", caps_name(cap));
		}
	}
	return 0;
}

/* Add every cap of a list the kernel knows and the runtime can grant
 * (`held`) to one flag of `caps`. */
static int caps_fill(cap_t caps, cap_flag_t flag, char *const *names, size_t n, int last, uint64_t held,
		     struct hutch_error **err)
{
	for (size_t i = 0; i < n; i++) {
		int v = caps_from_name(names[i]);
		if (v < 0)
			return hutch_error_set(err, 0, "unknown capability \"%s\"", names[i]);
		if (v > last || !mask_has(held, v))
			continue;
		cap_value_t cv = v;
		if (cap_set_flag(caps, flag, 1, &cv, CAP_SET) < 0)
			return hutch_error_errno(err, "cap_set_flag %s", names[i]);
	}
	return 0;
}

/* Would capset accept `v` in set `flag`?  Permitted (and effective) may only
 * shrink; inheritable must stay within bounding and what we hold. */
static bool caps_grantable(cap_t cur, cap_flag_t flag, const struct spec_capabilities *c, cap_value_t v)
{
	cap_flag_value_t prm = CAP_CLEAR, inh = CAP_CLEAR;
	cap_get_flag(cur, v, CAP_PERMITTED, &prm);
	cap_get_flag(cur, v, CAP_INHERITABLE, &inh);
	if (flag == CAP_EFFECTIVE)
		return caps_list_has(c->permitted, c->n_permitted, v);
	if (flag == CAP_PERMITTED)
		return prm == CAP_SET;
	return cap_get_bound(v) == 1 && (prm == CAP_SET || inh == CAP_SET);
}

/* capset only says EPERM: find the cap it refused so that the message names it. */
static int caps_explain_eperm(const struct spec_capabilities *c, int last, struct hutch_error **err)
{
	static const struct { const char *set; cap_flag_t flag; const char *why; } checks[] = {
		{ "permitted", CAP_PERMITTED, "the runtime does not hold it (bounding set of the host?)" },
		{ "inheritable", CAP_INHERITABLE, "it is not in process.capabilities.bounding, or the runtime does not hold it" },
		{ "effective", CAP_EFFECTIVE, "it is not in process.capabilities.permitted" },
	};
	cap_t cur = cap_get_proc();
	if (cur == NULL)
		return hutch_error_set(err, EPERM, "set capabilities (capset): Operation not permitted");
	for (size_t k = 0; k < ARRAY_SIZE(checks); k++) {
		char *const *names = k == 0 ? c->permitted : k == 1 ? c->inheritable : c->effective;
		size_t n = k == 0 ? c->n_permitted : k == 1 ? c->n_inheritable : c->n_effective;
		for (size_t i = 0; i < n; i++) {
			int v = caps_from_name(names[i]);
			if (v < 0 || v > last || caps_grantable(cur, checks[k].flag, c, v))
				continue;
			cap_free(cur);
			return hutch_error_set(err, EPERM, "process.capabilities.%s: cannot grant %s: %s",
					       checks[k].set, names[i], checks[k].why);
		}
	}
	cap_free(cur);
	return hutch_error_set(err, EPERM, "set capabilities (capset): Operation not permitted");
}

static int caps_apply_ambient(const struct spec_capabilities *c, int last, uint64_t held, struct hutch_error **err)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		/* Before Linux 4.3 there is no ambient set: fine unless one is asked for. */
		if (errno == EINVAL && c->n_ambient == 0)
			return 0;
		return hutch_error_errno(err, "clear the ambient capabilities");
	}
	for (size_t i = 0; i < c->n_ambient; i++) {
		int v = caps_from_name(c->ambient[i]);
		if (v < 0 || v > last || !mask_has(held, v))
			continue;
		/* The kernel cannot hold an ambient cap that is not both permitted and
		 * inheritable. `runc spec` lists ambient caps with no inheritable set, and
		 * runc skips them: so do we (EPERM only), rather than fail such bundles. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0 && errno != EPERM)
			return hutch_error_errno(err, "process.capabilities.ambient: raise %s", c->ambient[i]);
	}
	return 0;
}

int caps_apply_sets(const struct spec_capabilities *c, int last, uint64_t held, struct hutch_error **err)
{
	if (c == NULL)
		return 0;
	cap_t caps = cap_init();
	if (caps == NULL)
		return hutch_error_errno(err, "cap_init");
	int r = caps_fill(caps, CAP_EFFECTIVE, c->effective, c->n_effective, last, held, err);
	if (r == 0)
		r = caps_fill(caps, CAP_PERMITTED, c->permitted, c->n_permitted, last, held, err);
	if (r == 0)
		r = caps_fill(caps, CAP_INHERITABLE, c->inheritable, c->n_inheritable, last, held, err);
	if (r == 0 && cap_set_proc(caps) < 0) {
		if (errno == EPERM)
			r = caps_explain_eperm(c, last, err);
		else
			r = hutch_error_errno(err, "set capabilities (capset): Operation not permitted");
	}
	cap_free(caps);
	if (r < 0)
		return -1;
	return caps_apply_ambient(c, last, held, err);
}
