/* cgroup v2: one hierarchy; controllers must be enabled in every ancestor's
 * cgroup.subtree_control before their files appear in the container's cgroup. */
#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#define CGROUP_V2_FREEZE_TIMEOUT_NS 2000000000ULL

static int put(int fd, const char *file, const char *field, const char *value, struct hutch_error **err)
{
	if (cgroup_write(fd, file, value, err) < 0)
		return hutch_error_wrap(err, "linux.resources.%s", field);
	return 0;
}

static int put_i64_or_max(int fd, const char *file, const char *field, int64_t v, struct hutch_error **err)
{
	char b[32] = "max";
	if (v >= 0)
		snprintf(b, sizeof(b), "%" PRId64, v);
	return put(fd, file, field, b, err);
}

static bool word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *s = list; *s;) {
		s += strspn(s, " \n");
		size_t l = strcspn(s, " \n");
		if (l == wl && strncmp(s, word, l) == 0)
			return true;
		s += l;
	}
	return false;
}

/* The first controller of `ctrls` ("+memory +pids") that `avail` (a
 * cgroup.controllers) lacks, or NULL when it has them all. */
static char *first_missing(const char *avail, const char *ctrls)
{
	for (const char *s = ctrls; *s;) {
		s += strspn(s, " +");
		size_t l = strcspn(s, " ");
		if (l == 0)
			break;
		char *name = xstrndup(s, l);
		if (!word_in(avail, name))
			return name;
		free(name);
		s += l;
	}
	return NULL;
}

/* Name the controller that the parent does not offer, or fall back to the errno. */
static int explain_enable_failure(int fd, const char *where, const char *ctrls, struct hutch_error **err)
{
	int saved = errno;
	cleanup_free char *avail = NULL;
	if (read_file_at(fd, "cgroup.controllers", &avail, NULL, NULL) == 0) {
		cleanup_free char *name = first_missing(avail, ctrls);
		if (name)
			return hutch_error_set(err, ENOTSUP, "the %s cgroup controller is not available in %s",
					       name, where);
	}
	errno = saved;
	return hutch_error_errno(err, "enable controllers \"%s\" in %s/cgroup.subtree_control", ctrls, where);
}

/* `ctrls`: "+memory +pids". */
static int enable_list(struct cgroup *cg, const char *ctrls, struct hutch_error **err)
{
	for (size_t level = 0; level < cg->depth; level++) {
		cleanup_free char *dir = cgroup_rel_prefix(cg->rel, level);
		cleanup_close int fd = openat(cg->v2.mount_fd, dir, O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return hutch_error_errno(err, "open cgroup %s", dir);
		if (cgroup_write(fd, "cgroup.subtree_control", ctrls, NULL) < 0)
			return explain_enable_failure(fd, level == 0 ? "/" : dir, ctrls, err);
	}
	return 0;
}

/* Every controller of `ctrls` is in the container's cgroup.controllers, i.e.
 * already enabled in its parent (then in every ancestor): the usual case on
 * the create path, one read instead of a write per level. */
static bool controllers_available(const struct cgroup *cg, const char *ctrls)
{
	cleanup_free char *avail = NULL;
	if (read_file_at(cg->v2.dir_fd, "cgroup.controllers", &avail, NULL, NULL) < 0)
		return false;
	cleanup_free char *missing = first_missing(avail, ctrls);
	return missing == NULL;
}

static int ensure_controllers(struct cgroup *cg, const char *ctrls, struct hutch_error **err)
{
	if (controllers_available(cg, ctrls))
		return 0;
	return enable_list(cg, ctrls, err);
}

int cgroup_v2_enable(struct cgroup *cg, const char *controller, struct hutch_error **err)
{
	cleanup_free char *c = xasprintf("+%s", controller);
	return ensure_controllers(cg, c, err);
}

static bool memory_used(const struct spec_memory *m)
{
	return m && (m->has_limit || m->has_reservation || (m->has_swap && m->swap != 0));
}

static bool cpu_used(const struct spec_cpu *c)
{
	return c && (c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_idle ||
		     c->has_realtime_period || c->has_realtime_runtime);
}

static bool io_used(const struct spec_block_io *b)
{
	return b && (b->has_weight || b->n_weight_device || b->n_throttle_read_bps || b->n_throttle_write_bps ||
		     b->n_throttle_read_iops || b->n_throttle_write_iops);
}

static void add(char **list, const char *ctrl)
{
	cleanup_free char *old = *list;
	*list = old ? xasprintf("%s +%s", old, ctrl) : xasprintf("+%s", ctrl);
}

static char *needed_controllers(const struct spec_resources *res)
{
	char *l = NULL;
	if (memory_used(res->memory))
		add(&l, "memory");
	if (cpu_used(res->cpu))
		add(&l, "cpu");
	if (res->cpu && ((res->cpu->cpus && *res->cpu->cpus) || (res->cpu->mems && *res->cpu->mems)))
		add(&l, "cpuset");
	if (io_used(res->block_io))
		add(&l, "io");
	if (res->n_hugepage_limits)
		add(&l, "hugetlb");
	if (res->has_pids_limit)
		add(&l, "pids");
	if (res->n_rdma)
		add(&l, "rdma");
	return l;
}

static int read_value(int fd, const char *file, char **out, struct hutch_error **err)
{
	if (read_file_at(fd, file, out, NULL, err) < 0)
		return -1;
	(*out)[strcspn(*out, "\n")] = '\0';
	return 0;
}

/* The memory limit the swap is relative to: the one being set, else the
 * cgroup's current memory.max (update --memory-swap alone). -1: max. */
static int memory_limit_for_swap(int fd, const struct spec_memory *m, int64_t *out, struct hutch_error **err)
{
	cleanup_free char *cur = NULL;
	long long v;
	if (m->has_limit) {
		*out = m->limit;
		return 0;
	}
	if (read_value(fd, "memory.max", &cur, err) < 0)
		return -1;
	*out = strcmp(cur, "max") == 0 ? -1 : parse_int64(cur, &v) == 0 ? (int64_t)v : 0;
	return 0;
}

/* memory.swap.max holds swap only, the spec's swap is memory+swap (v1 memsw):
 * runc's conversion. -1 and 0 stay as they are, unlimited memory keeps the
 * value as is, else swap - limit. *out -2: nothing to write. */
static int swap_v2(int fd, const struct spec_memory *m, int64_t *out, struct hutch_error **err)
{
	int64_t limit;
	if (memory_limit_for_swap(fd, m, &limit, err) < 0)
		return -1;
	if (limit == -1 && m->swap == 0) {
		*out = -1;
	} else if (m->swap == -1 || m->swap == 0 || limit == -1) {
		*out = m->swap == 0 ? -2 : m->swap;
	} else if (limit <= 0) {
		return hutch_error_set(err, EINVAL, "linux.resources.memory.swap: cannot be set without memory.limit");
	} else if (m->swap < limit) {
		return hutch_error_set(err, EINVAL, "linux.resources.memory.swap: %" PRId64
				       " is below memory.limit %" PRId64 " (swap is memory+swap)", m->swap, limit);
	} else {
		*out = m->swap - limit;
	}
	return 0;
}

/* config-linux.md checkBeforeUpdate: a limit below the current usage "MUST" be
 * rejected; v2 would run the OOM killer instead of refusing it as v1 does. */
static int check_before_update(int fd, const struct spec_memory *m, struct hutch_error **err)
{
	if (!m->has_check_before_update || !m->check_before_update || !m->has_limit || m->limit <= 0)
		return 0;
	cleanup_free char *cur = NULL;
	unsigned long long usage;
	if (read_value(fd, "memory.current", &cur, err) < 0)
		return hutch_error_wrap(err, "linux.resources.memory.checkBeforeUpdate");
	if (parse_uint64(cur, &usage) == 0 && usage >= (unsigned long long)m->limit)
		return hutch_error_set(err, EBUSY, "linux.resources.memory.limit: %" PRId64
				       " is below the current usage %llu (checkBeforeUpdate)", m->limit, usage);
	return 0;
}

static int set_swap(int fd, const struct spec_memory *m, struct hutch_error **err)
{
	int64_t s;
	if (!m->has_swap || swap_v2(fd, m, &s, err) < 0)
		return m->has_swap ? -1 : 0;
	if (s == -2)
		return 0;
	/* Without swap accounting there is no memory.swap.max: "no swap" and
	 * "unlimited" are then true anyway (runc skips them too). */
	if ((s == -1 || s == 0) && faccessat(fd, "memory.swap.max", F_OK, 0) < 0 && errno == ENOENT)
		return 0;
	return put_i64_or_max(fd, "memory.swap.max", "memory.swap", s, err);
}

/* kernel, kernelTCP, swappiness and disableOOMKiller have no v2 file: ignored,
 * as runc and crun do (the OOM killer cannot be disabled on cgroup v2). */
static int set_memory(int fd, const struct spec_memory *m, struct hutch_error **err)
{
	if (check_before_update(fd, m, err) < 0 || set_swap(fd, m, err) < 0)
		return -1;
	if (m->has_limit && put_i64_or_max(fd, "memory.max", "memory.limit", m->limit, err) < 0)
		return -1;
	if (m->has_reservation && put_i64_or_max(fd, "memory.low", "memory.reservation", m->reservation, err) < 0)
		return -1;
	return 0;
}

/* cpu.shares 2..262144 onto cpu.weight 1..10000 (runc's conversion). */
static uint64_t shares_to_weight(uint64_t shares)
{
	uint64_t s = shares < 2 ? 2 : shares > 262144 ? 262144 : shares;
	return 1 + ((s - 2) * 9999) / 262142;
}

/* cpu.max "<quota|max> <period>": a period alone keeps the current quota, a
 * quota alone keeps the kernel's period. */
static char *cpu_max_value(int fd, const struct spec_cpu *c, struct hutch_error **err)
{
	cleanup_free char *quota = NULL;
	if (c->has_quota) {
		quota = c->quota > 0 ? xasprintf("%" PRId64, c->quota) : xstrdup("max");
	} else {
		if (read_value(fd, "cpu.max", &quota, err) < 0)
			return NULL;
		quota[strcspn(quota, " ")] = '\0';
	}
	if (!c->has_period || c->period == 0)
		return take_ptr(&quota);
	return xasprintf("%s %" PRIu64, quota, c->period);
}

static int put_u64(int fd, const char *file, const char *field, uint64_t v, struct hutch_error **err)
{
	char b[24];
	snprintf(b, sizeof(b), "%" PRIu64, v);
	return put(fd, file, field, b, err);
}

/* cpu.max.burst must stay within the quota: when the new quota is below the
 * current burst, the burst goes first. */
static int set_cpu_max(int fd, const struct spec_cpu *c, struct hutch_error **err)
{
	bool max = c->has_quota || (c->has_period && c->period != 0);
	cleanup_free char *v = max ? cpu_max_value(fd, c, err) : NULL;
	if (max && v == NULL)
		return -1;
	cleanup_error struct hutch_error *first = NULL;
	if (max && put(fd, "cpu.max", "cpu.quota", v, &first) < 0) {
		if (!c->has_burst || first->errnum != EINVAL) {
			*err = take_ptr(&first);
			return -1;
		}
		if (put_u64(fd, "cpu.max.burst", "cpu.burst", c->burst, err) < 0)
			return -1;
		return put(fd, "cpu.max", "cpu.quota", v, err);
	}
	return c->has_burst ? put_u64(fd, "cpu.max.burst", "cpu.burst", c->burst, err) : 0;
}

static int set_cpu(int fd, const struct spec_cpu *c, struct hutch_error **err)
{
	if (c->has_realtime_period || c->has_realtime_runtime)
		return hutch_error_set(err, ENOTSUP, "linux.resources.cpu.realtime%s: cgroup v2 has no realtime "
				       "CPU controller", c->has_realtime_period ? "Period" : "Runtime");
	/* An idle group has no weight (the kernel refuses it): idle first. */
	if (c->has_idle) {
		char b[24];
		snprintf(b, sizeof(b), "%" PRId64, c->idle);
		if (put(fd, "cpu.idle", "cpu.idle", b, err) < 0)
			return -1;
	}
	if (c->has_shares && c->shares != 0 && !(c->has_idle && c->idle == 1) &&
	    put_u64(fd, "cpu.weight", "cpu.shares", shares_to_weight(c->shares), err) < 0)
		return -1;
	if (set_cpu_max(fd, c, err) < 0)
		return -1;
	if (c->cpus && *c->cpus && put(fd, "cpuset.cpus", "cpu.cpus", c->cpus, err) < 0)
		return -1;
	if (c->mems && *c->mems && put(fd, "cpuset.mems", "cpu.mems", c->mems, err) < 0)
		return -1;
	return 0;
}

static int set_io_max(int fd, const char *key, const char *field, const struct spec_throttle_device *t,
		      size_t n, struct hutch_error **err)
{
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *v = xasprintf("%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor,
						 key, t[i].rate);
		if (put(fd, "io.max", field, v, err) < 0)
			return -1;
	}
	return 0;
}

/* BFQ's io.bfq.weight takes the blkio weight (1..1000) as is; io.weight (the
 * io.cost controller) wants 1..10000: runc's conversion 1 + (w - 10) * 9999 / 990. */
static int io_weight(bool bfq, uint16_t w, const char *field, unsigned *out, struct hutch_error **err)
{
	if (bfq) {
		if (w < 1 || w > 1000)
			return hutch_error_set(err, EINVAL, "linux.resources.blockIO.%s: %u is out of range 1-1000",
					       field, (unsigned)w);
		*out = w;
		return 0;
	}
	if (w < 10 || w > 1000)
		return hutch_error_set(err, EINVAL, "linux.resources.blockIO.%s: %u is out of range 10-1000",
				       field, (unsigned)w);
	*out = 1 + ((unsigned)w - 10) * 9999 / 990;
	return 0;
}

/* leafWeight has no cgroup v2 counterpart (CFQ only): ignored, as runc does. */
static int set_io_weights(int fd, const struct spec_block_io *b, struct hutch_error **err)
{
	bool bfq = faccessat(fd, "io.bfq.weight", F_OK, 0) == 0;
	const char *file = bfq ? "io.bfq.weight" : "io.weight";
	unsigned w = 0;
	if (b->has_weight && b->weight != 0) {
		if (io_weight(bfq, b->weight, "weight", &w, err) < 0)
			return -1;
		cleanup_free char *v = xasprintf("default %u", w);
		if (put(fd, file, "blockIO.weight", v, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];
		if (!d->has_weight)
			continue;
		if (io_weight(bfq, d->weight, "weightDevice.weight", &w, err) < 0)
			return -1;
		cleanup_free char *v = xasprintf("%" PRId64 ":%" PRId64 " %u", d->major, d->minor, w);
		if (put(fd, file, "blockIO.weightDevice", v, err) < 0)
			return -1;
	}
	return 0;
}

static int set_io(int fd, const struct spec_block_io *b, struct hutch_error **err)
{
	if (set_io_weights(fd, b, err) < 0)
		return -1;
	if (set_io_max(fd, "rbps", "blockIO.throttleReadBpsDevice", b->throttle_read_bps,
		       b->n_throttle_read_bps, err) < 0 ||
	    set_io_max(fd, "wbps", "blockIO.throttleWriteBpsDevice", b->throttle_write_bps,
		       b->n_throttle_write_bps, err) < 0 ||
	    set_io_max(fd, "riops", "blockIO.throttleReadIOPSDevice", b->throttle_read_iops,
		       b->n_throttle_read_iops, err) < 0 ||
	    set_io_max(fd, "wiops", "blockIO.throttleWriteIOPSDevice", b->throttle_write_iops,
		       b->n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

/* hugetlb.<size>.max limits faults; config-linux.md wants the reservation
 * limit too where the kernel has it (5.7+): .rsvd.max gets the same value. */
static int write_hugetlb(int fd, const struct spec_resources *res, struct hutch_error **err)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &res->hugepage_limits[i];
		if (h->page_size == NULL || *h->page_size == '\0' || strchr(h->page_size, '/') || strstr(h->page_size, ".."))
			return hutch_error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: invalid \"%s\"",
					       i, h->page_size ? h->page_size : "");
		cleanup_free char *file = xasprintf("hugetlb.%s.max", h->page_size);
		if (faccessat(fd, file, F_OK, 0) < 0)
			return hutch_error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize: %s is not "
					       "a huge page size of this host", i, h->page_size);
		if (put_u64(fd, file, "hugepageLimits", h->limit, err) < 0)
			return -1;
		cleanup_free char *rsvd = xasprintf("hugetlb.%s.rsvd.max", h->page_size);
		if (faccessat(fd, rsvd, F_OK, 0) == 0 && put_u64(fd, rsvd, "hugepageLimits", h->limit, err) < 0)
			return -1;
	}
	return 0;
}

static int set_rdma(int fd, const struct spec_resources *res, struct hutch_error **err)
{
	for (size_t i = 0; i < res->n_rdma; i++) {
		const struct spec_rdma *r = &res->rdma[i];
		char h[16] = "max", o[16] = "max";
		if (r->has_hca_handles)
			snprintf(h, sizeof(h), "%u", r->hca_handles);
		if (r->has_hca_objects)
			snprintf(o, sizeof(o), "%u", r->hca_objects);
		cleanup_free char *v = xasprintf("%s hca_handle=%s hca_object=%s", r->device, h, o);
		if (put(fd, "rdma.max", "rdma", v, err) < 0)
			return -1;
	}
	return 0;
}

/* Keys name files of the container's own cgroup: nothing that walks elsewhere. */
static int unified_key_ok(const char *k)
{
	return k && *k && *k != '.' && strchr(k, '/') == NULL && strchr(k, '.') != NULL &&
	       strstr(k, "..") == NULL;
}

int cgroup_v2_set_unified(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const struct spec_kv *kv = &res->unified[i];
		if (!unified_key_ok(kv->key))
			return hutch_error_set(err, EINVAL, "linux.resources.unified: invalid key \"%s\"",
					       kv->key ? kv->key : "");
		cleanup_free char *ctrl = xstrndup(kv->key, strcspn(kv->key, "."));
		if (strcmp(ctrl, "cgroup") != 0 && cgroup_v2_enable(cg, ctrl, err) < 0)
			return hutch_error_wrap(err, "linux.resources.unified.%s", kv->key);
		const char *v = kv->value ? kv->value : "";
		if (cgroup_write(cg->v2.dir_fd, kv->key, v, err) < 0)
			return hutch_error_wrap(err, "linux.resources.unified.%s", kv->key);
	}
	return 0;
}

static int set_devices(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	cleanup_free struct cgroup_dev_rule *rules = NULL;
	size_t n;
	if (cgroup_dev_rules(res, &rules, &n, err) < 0)
		return -1;
	cleanup_close int prog = cgroup_devices_bpf_load(rules, n, err);
	if (prog < 0 || cgroup_devices_bpf_attach(cg->v2.dir_fd, prog, err) < 0)
		return hutch_error_wrap(err, "linux.resources.devices");
	return 0;
}

int cgroup_v2_apply(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	if (set_devices(cg, res, err) < 0)
		return -1;
	return res ? cgroup_v2_set(cg, res, err) : 0;
}

int cgroup_v2_set(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	int fd = cg->v2.dir_fd;
	if (res->network && (res->network->has_class_id || res->network->n_priorities))
		return hutch_error_set(err, ENOTSUP, "linux.resources.network: cgroup v2 has no net_cls/net_prio "
				       "controllers");
	cleanup_free char *ctrls = needed_controllers(res);
	if (ctrls && ensure_controllers(cg, ctrls, err) < 0)
		return hutch_error_wrap(err, "linux.resources");
	if (memory_used(res->memory) && set_memory(fd, res->memory, err) < 0)
		return -1;
	if (res->cpu && set_cpu(fd, res->cpu, err) < 0)
		return -1;
	if (io_used(res->block_io) && set_io(fd, res->block_io, err) < 0)
		return -1;
	if (write_hugetlb(fd, res, err) < 0)
		return -1;
	if (res->has_pids_limit && put_i64_or_max(fd, "pids.max", "pids.limit", res->pids_limit, err) < 0)
		return -1;
	if (set_rdma(fd, res, err) < 0)
		return -1;
	return cgroup_v2_set_unified(cg, res, err);
}

/* cgroup.events "frozen 1": every process of the subtree is frozen (cgroup.freeze
 * only asks for it). */
static bool events_frozen(int dirfd)
{
	cleanup_free char *ev = NULL;
	if (read_file_at(dirfd, "cgroup.events", &ev, NULL, NULL) < 0)
		return false;
	for (char *l = ev; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "frozen ", 7) == 0)
			return l[7] == '1';
	return false;
}

int cgroup_v2_freeze(int dirfd, bool freeze, struct hutch_error **err)
{
	if (cgroup_write(dirfd, "cgroup.freeze", freeze ? "1" : "0", err) < 0)
		return -1;
	if (!freeze)
		return 0;
	unsigned long long deadline = now_ns() + CGROUP_V2_FREEZE_TIMEOUT_NS;
	while (!events_frozen(dirfd)) {
		if (now_ns() > deadline) {
			cgroup_write(dirfd, "cgroup.freeze", "0", NULL);
			return hutch_error_set(err, ETIMEDOUT, "cgroup.events: not frozen after %llu ms",
					       CGROUP_V2_FREEZE_TIMEOUT_NS / 1000000);
		}
		usleep(1000);
	}
	return 0;
}

bool cgroup_v2_frozen(int dirfd)
{
	cleanup_free char *v = NULL;
	return read_file_at(dirfd, "cgroup.freeze", &v, NULL, NULL) == 0 && v[0] == '1';
}
