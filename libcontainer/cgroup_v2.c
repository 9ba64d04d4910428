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

/* Name the controller that the parent does not offer, or fall back to the errno. */
static int explain_enable_failure(int fd, const char *where, const char *ctrls, struct hutch_error **err)
{
	int saved = errno;
	cleanup_free char *avail = NULL;
	if (read_file_at(fd, "cgroup.controllers", &avail, NULL, NULL) == 0) {
		for (const char *s = ctrls; *s;) {
			s += strspn(s, " +");
			size_t l = strcspn(s, " ");
			if (l == 0)
				break;
			cleanup_free char *name = xstrndup(s, l);
			if (!word_in(avail, name))
				return hutch_error_set(err, ENOTSUP, "the %s cgroup controller is not available in %s",
						       name, where);
			s += l;
		}
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

int cgroup_v2_enable(struct cgroup *cg, const char *controller, struct hutch_error **err)
{
	cleanup_free char *c = xasprintf("+%s", controller);
	return enable_list(cg, c, err);
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

/* memory.swap.max holds swap only; the spec's swap is memory+swap (v1 memsw). */
static int swap_v2(const struct spec_memory *m, int64_t *out, struct hutch_error **err)
{
	int64_t limit = m->has_limit ? m->limit : 0;
	if (m->swap == -1) {
		*out = -1;
		return 0;
	}
	if (limit <= 0)
		return hutch_error_set(err, EINVAL, "linux.resources.memory.swap: cannot be set without memory.limit");
	if (m->swap < limit)
		return hutch_error_set(err, EINVAL, "linux.resources.memory.swap: %" PRId64
				       " is below memory.limit %" PRId64 " (swap is memory+swap)", m->swap, limit);
	*out = m->swap - limit;
	return 0;
}

/* kernel, kernelTCP, swappiness and disableOOMKiller have no v2 file: ignored, as
 * runc and crun do. */
/* config-linux.md checkBeforeUpdate: a limit below the current usage "MUST" be
 * rejected; v2 would run the OOM killer instead of refusing it as v1 does. */
static int check_before_update(int fd, const struct spec_memory *m, struct hutch_error **err)
{
	if (!m->has_check_before_update || !m->check_before_update || !m->has_limit || m->limit <= 0)
		return 0;
	cleanup_free char *cur = NULL;
	unsigned long long usage;
	if (read_file_at(fd, "memory.current", &cur, NULL, err) < 0)
		return hutch_error_wrap(err, "linux.resources.memory.checkBeforeUpdate");
	cur[strcspn(cur, "\n")] = '\0';
	if (parse_uint64(cur, &usage) == 0 && usage >= (unsigned long long)m->limit)
		return hutch_error_set(err, EBUSY, "linux.resources.memory.limit: %" PRId64
				       " is below the current usage %llu (checkBeforeUpdate)", m->limit, usage);
	return 0;
}

static int set_memory(int fd, const struct spec_memory *m, struct hutch_error **err)
{
	if (check_before_update(fd, m, err) < 0)
		return -1;
	if (m->has_limit && put_i64_or_max(fd, "memory.max", "memory.limit", m->limit, err) < 0)
		return -1;
	if (m->has_reservation && put_i64_or_max(fd, "memory.low", "memory.reservation", m->reservation, err) < 0)
		return -1;
	if (m->has_swap && m->swap != 0) {
		int64_t s = -1;
		if (swap_v2(m, &s, err) < 0 || put_i64_or_max(fd, "memory.swap.max", "memory.swap", s, err) < 0)
			return -1;
	}
	return 0;
}

static int set_cpu(int fd, const struct spec_cpu *c, struct hutch_error **err)
{
	if (c->has_realtime_period || c->has_realtime_runtime)
		return hutch_error_set(err, ENOTSUP, "linux.resources.cpu.realtime*: not supported on cgroup v2");
	if (c->has_shares && c->shares != 0) {
		/* cpu.shares 2..262144 onto cpu.weight 1..10000 (runc's mapping). */
		uint64_t s = c->shares < 2 ? 2 : c->shares > 262144 ? 262144 : c->shares;
		char b[24];
		snprintf(b, sizeof(b), "%" PRIu64, 1 + ((s - 2) * 9999) / 262142);
		if (put(fd, "cpu.weight", "cpu.shares", b, err) < 0)
			return -1;
	}
	if (c->has_quota || c->has_period) {
		cleanup_free char *v = c->has_quota && c->quota > 0 ? xasprintf("%" PRId64, c->quota) : xstrdup("max");
		if (c->has_period) {
			char *w = xasprintf("%s %" PRIu64, v, c->period);
			free(v);
			v = w;
		}
		if (put(fd, "cpu.max", "cpu.quota", v, err) < 0)
			return -1;
	}
	if (c->has_burst) {
		char b[24];
		snprintf(b, sizeof(b), "%" PRIu64, c->burst);
		if (put(fd, "cpu.max.burst", "cpu.burst", b, err) < 0)
			return -1;
	}
	if (c->has_idle) {
		char b[24];
		snprintf(b, sizeof(b), "%" PRId64, c->idle);
		if (put(fd, "cpu.idle", "cpu.idle", b, err) < 0)
			return -1;
	}
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

/* BFQ takes the blkio weight (1..1000) as is; io.weight wants 1..10000. */
static int set_io_weights(int fd, const struct spec_block_io *b, struct hutch_error **err)
{
	bool bfq = faccessat(fd, "io.bfq.weight", F_OK, 0) == 0;
	const char *file = bfq ? "io.bfq.weight" : "io.weight";
#define CONV(w) (bfq ? (unsigned)(w) : 1 + ((unsigned)(w) - 10) * 9999 / 990)
	if (b->has_weight && b->weight != 0) {
		if (!bfq && (b->weight < 10 || b->weight > 1000))
			return hutch_error_set(err, EINVAL, "linux.resources.blockIO.weight: %u is out of range 10-1000",
					       (unsigned)b->weight);
		cleanup_free char *v = xasprintf("%s%u", bfq ? "" : "default ", CONV(b->weight));
		if (put(fd, file, "blockIO.weight", v, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *w = &b->weight_device[i];
		if (!w->has_weight || (!bfq && (w->weight < 10 || w->weight > 1000)))
			continue;
		cleanup_free char *v = xasprintf("%" PRId64 ":%" PRId64 " %u", w->major, w->minor, CONV(w->weight));
		if (put(fd, file, "blockIO.weightDevice", v, err) < 0)
			return -1;
	}
#undef CONV
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

static int write_hugetlb(int fd, const struct spec_resources *res, struct hutch_error **err)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &res->hugepage_limits[i];
		if (h->page_size == NULL || *h->page_size == '\0' || strchr(h->page_size, '/'))
			return hutch_error_set(err, EINVAL, "linux.resources.hugepageLimits: invalid pageSize");
		cleanup_free char *file = xasprintf("hugetlb.%s.max", h->page_size);
		char b[24];
		snprintf(b, sizeof(b), "%" PRIu64, h->limit);
		if (put(fd, file, "hugepageLimits", b, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_v2_set_hugetlb(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	if (cgroup_v2_enable(cg, "hugetlb", err) < 0)
		return hutch_error_wrap(err, "linux.resources.hugepageLimits");
	return write_hugetlb(cg->v2.dir_fd, res, err);
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
		return hutch_error_set(err, ENOTSUP, "linux.resources.network: net_cls/net_prio do not exist on cgroup v2");
	cleanup_free char *ctrls = needed_controllers(res);
	if (ctrls && enable_list(cg, ctrls, err) < 0)
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
