/* cgroup v1 (legacy and hybrid hosts): one hierarchy per controller group. */
#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

/* kill --all: a short freeze; pause: as long as runc waits before giving up. */
#define FREEZE_KILL_TIMEOUT_NS 500000000ULL
#define FREEZE_TIMEOUT_NS 2000000000ULL

/* Hierarchies are found from /proc/self/cgroup and sit at the conventional
 * /sys/fs/cgroup/<controllers> (a co-mounted "cpu,cpuacct" also answers to its
 * first controller's symlink). */
static int open_hier_mount(const char *controllers)
{
	const char *name = strncmp(controllers, "name=", 5) == 0 ? controllers + 5 : controllers;
	cleanup_free char *p = xasprintf(CGROUP_ROOT "/%s", name);
	int fd = open(p, O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && strchr(name, ',')) {
		free(p);
		p = xasprintf(CGROUP_ROOT "/%.*s", (int)strcspn(name, ","), name);
		fd = open(p, O_DIRECTORY | O_CLOEXEC);
	}
	struct statfs st;
	if (fd >= 0 && (fstatfs(fd, &st) < 0 || st.f_type != CGROUP_SUPER_MAGIC)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int cgroup_v1_discover(struct cgroup *cg, struct hutch_error **err)
{
	cleanup_free char *buf = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &buf, NULL, err) < 0)
		return -1;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *ctrls = strchr(line, ':');
		char *end = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (end == NULL || end == ctrls + 1)
			continue;
		*end = '\0';
		ctrls++;
		int fd = open_hier_mount(ctrls);
		if (fd < 0)
			continue;
		cg->v1 = xrealloc(cg->v1, (cg->n_v1 + 1) * sizeof(*cg->v1));
		struct cgroup_hier *h = &cg->v1[cg->n_v1++];
		h->controllers = xstrdup(ctrls);
		h->mount_fd = fd;
		h->dir_fd = -1;
		h->created_from = CGROUP_NONE_CREATED;
	}
	return 0;
}

struct cgroup_hier *cgroup_v1_find(struct cgroup *cg, const char *controller)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg->v1[i].dir_fd >= 0 && cgroup_hier_has(&cg->v1[i], controller))
			return &cg->v1[i];
	return NULL;
}

/* config-linux.md: a resource the runtime cannot apply is an error. */
static int need(struct cgroup *cg, const char *controller, const char *field, int *fd,
		struct hutch_error **err)
{
	struct cgroup_hier *h = cgroup_v1_find(cg, controller);
	if (h == NULL)
		return hutch_error_set(err, ENOTSUP, "linux.resources.%s: the %s cgroup controller is not available",
				       field, controller);
	*fd = h->dir_fd;
	return 0;
}

static int put(int fd, const char *file, const char *field, const char *value, struct hutch_error **err)
{
	if (cgroup_write(fd, file, value, err) < 0)
		return hutch_error_wrap(err, "linux.resources.%s", field);
	return 0;
}

static int put_i64(int fd, const char *file, const char *field, int64_t v, struct hutch_error **err)
{
	char b[32];
	snprintf(b, sizeof(b), "%" PRId64, v);
	return put(fd, file, field, b, err);
}

static int put_u64(int fd, const char *file, const char *field, uint64_t v, struct hutch_error **err)
{
	char b[32];
	snprintf(b, sizeof(b), "%" PRIu64, v);
	return put(fd, file, field, b, err);
}

/* Write `a` then `b`; when the kernel refuses `a` against the current value of `b`
 * (limit above memsw, period against quota on a reused cgroup), the other order. */
static int put_pair(int fd, const char *fa, const char *fld_a, int64_t a, const char *fb,
		    const char *fld_b, int64_t b, struct hutch_error **err)
{
	cleanup_error struct hutch_error *first = NULL;
	if (put_i64(fd, fa, fld_a, a, &first) == 0)
		return put_i64(fd, fb, fld_b, b, err);
	if (first->errnum != EINVAL) {
		*err = take_ptr(&first);
		return -1;
	}
	if (put_i64(fd, fb, fld_b, b, err) < 0)
		return -1;
	return put_i64(fd, fa, fld_a, a, err);
}

/* Write to `fa`, or `fb` when the kernel only has that one (BFQ's blkio.bfq.*). */
static int put_alt(int fd, const char *fa, const char *fb, const char *field, const char *value,
		   struct hutch_error **err)
{
	if (faccessat(fd, fa, F_OK, 0) < 0 && errno == ENOENT && faccessat(fd, fb, F_OK, 0) == 0)
		return put(fd, fb, field, value, err);
	return put(fd, fa, field, value, err);
}

static int set_memory_limits(int fd, const struct spec_memory *m, struct hutch_error **err)
{
	if (m->has_limit && m->has_swap)
		return put_pair(fd, "memory.limit_in_bytes", "memory.limit", m->limit,
				"memory.memsw.limit_in_bytes", "memory.swap", m->swap, err);
	if (m->has_limit)
		return put_i64(fd, "memory.limit_in_bytes", "memory.limit", m->limit, err);
	if (m->has_swap)
		return put_i64(fd, "memory.memsw.limit_in_bytes", "memory.swap", m->swap, err);
	return 0;
}

static int set_memory(struct cgroup *cg, const struct spec_memory *m, struct hutch_error **err)
{
	int fd = -1;
	if (!(m->has_limit || m->has_reservation || m->has_swap || m->has_kernel || m->has_kernel_tcp ||
	      m->has_swappiness || (m->has_disable_oom_killer && m->disable_oom_killer)))
		return 0;
	if (need(cg, "memory", "memory", &fd, err) < 0)
		return -1;
	if (set_memory_limits(fd, m, err) < 0)
		return -1;
	if (m->has_reservation &&
	    put_i64(fd, "memory.soft_limit_in_bytes", "memory.reservation", m->reservation, err) < 0)
		return -1;
	/* Kernel memory limits are gone from recent kernels (5.16 stopped honouring
	 * them): best effort, as runc. */
	if (m->has_kernel) {
		char b[32];
		snprintf(b, sizeof(b), "%" PRId64, m->kernel);
		if (cgroup_write_optional(fd, "memory.kmem.limit_in_bytes", b, err) < 0)
			return hutch_error_wrap(err, "linux.resources.memory.kernel");
	}
	if (m->has_kernel_tcp &&
	    put_i64(fd, "memory.kmem.tcp.limit_in_bytes", "memory.kernelTCP", m->kernel_tcp, err) < 0)
		return -1;
	if (m->has_swappiness) {
		if (m->swappiness > 100)
			return hutch_error_set(err, EINVAL, "linux.resources.memory.swappiness: %" PRIu64
					       " is out of range 0-100", m->swappiness);
		if (put_u64(fd, "memory.swappiness", "memory.swappiness", m->swappiness, err) < 0)
			return -1;
	}
	if (m->has_disable_oom_killer && m->disable_oom_killer &&
	    put(fd, "memory.oom_control", "memory.disableOOMKiller", "1", err) < 0)
		return -1;
	return 0;
}

static int set_cpu_cfs(int fd, const struct spec_cpu *c, struct hutch_error **err)
{
	if (c->has_period && c->has_quota) {
		if (put_pair(fd, "cpu.cfs_period_us", "cpu.period", (int64_t)c->period,
			     "cpu.cfs_quota_us", "cpu.quota", c->quota, err) < 0)
			return -1;
	} else if (c->has_period) {
		if (put_u64(fd, "cpu.cfs_period_us", "cpu.period", c->period, err) < 0)
			return -1;
	} else if (c->has_quota) {
		if (put_i64(fd, "cpu.cfs_quota_us", "cpu.quota", c->quota, err) < 0)
			return -1;
	}
	if (c->has_burst && put_u64(fd, "cpu.cfs_burst_us", "cpu.burst", c->burst, err) < 0)
		return -1;
	return 0;
}

static int set_cpu_rt(int fd, const struct spec_cpu *c, struct hutch_error **err)
{
	if (c->has_realtime_period && c->has_realtime_runtime)
		return put_pair(fd, "cpu.rt_period_us", "cpu.realtimePeriod", (int64_t)c->realtime_period,
				"cpu.rt_runtime_us", "cpu.realtimeRuntime", c->realtime_runtime, err);
	if (c->has_realtime_period)
		return put_u64(fd, "cpu.rt_period_us", "cpu.realtimePeriod", c->realtime_period, err);
	if (c->has_realtime_runtime)
		return put_i64(fd, "cpu.rt_runtime_us", "cpu.realtimeRuntime", c->realtime_runtime, err);
	return 0;
}

static int set_cpu(struct cgroup *cg, const struct spec_cpu *c, struct hutch_error **err)
{
	int fd = -1;
	if (c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_realtime_period ||
	    c->has_realtime_runtime || c->has_idle) {
		if (need(cg, "cpu", "cpu", &fd, err) < 0)
			return -1;
		if (c->has_shares && put_u64(fd, "cpu.shares", "cpu.shares", c->shares, err) < 0)
			return -1;
		if (set_cpu_cfs(fd, c, err) < 0 || set_cpu_rt(fd, c, err) < 0)
			return -1;
		if (c->has_idle && put_i64(fd, "cpu.idle", "cpu.idle", c->idle, err) < 0)
			return -1;
	}
	if (c->cpus == NULL && c->mems == NULL)
		return 0;
	if (need(cg, "cpuset", "cpu", &fd, err) < 0)
		return -1;
	if (c->cpus && *c->cpus && put(fd, "cpuset.cpus", "cpu.cpus", c->cpus, err) < 0)
		return -1;
	if (c->mems && *c->mems && put(fd, "cpuset.mems", "cpu.mems", c->mems, err) < 0)
		return -1;
	return 0;
}

static int set_throttle(int fd, const char *file, const char *field,
			const struct spec_throttle_device *t, size_t n, struct hutch_error **err)
{
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *v = xasprintf("%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major,
						 t[i].minor, t[i].rate);
		if (put(fd, file, field, v, err) < 0)
			return -1;
	}
	return 0;
}

static int set_weight_devices(int fd, const struct spec_block_io *b, struct hutch_error **err)
{
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *w = &b->weight_device[i];
		if (w->has_weight) {
			cleanup_free char *v = xasprintf("%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
							 (unsigned)w->weight);
			if (put_alt(fd, "blkio.weight_device", "blkio.bfq.weight_device",
				    "blockIO.weightDevice", v, err) < 0)
				return -1;
		}
		if (w->has_leaf_weight) {
			cleanup_free char *v = xasprintf("%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
							 (unsigned)w->leaf_weight);
			if (put(fd, "blkio.leaf_weight_device", "blockIO.weightDevice.leafWeight", v, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int set_blkio(struct cgroup *cg, const struct spec_block_io *b, struct hutch_error **err)
{
	int fd = -1;
	if (!(b->has_weight || b->has_leaf_weight || b->n_weight_device || b->n_throttle_read_bps ||
	      b->n_throttle_write_bps || b->n_throttle_read_iops || b->n_throttle_write_iops))
		return 0;
	if (need(cg, "blkio", "blockIO", &fd, err) < 0)
		return -1;
	if (b->has_weight) {
		char v[16];
		snprintf(v, sizeof(v), "%u", (unsigned)b->weight);
		if (put_alt(fd, "blkio.weight", "blkio.bfq.weight", "blockIO.weight", v, err) < 0)
			return -1;
	}
	if (b->has_leaf_weight &&
	    put_u64(fd, "blkio.leaf_weight", "blockIO.leafWeight", b->leaf_weight, err) < 0)
		return -1;
	if (set_weight_devices(fd, b, err) < 0)
		return -1;
	if (set_throttle(fd, "blkio.throttle.read_bps_device", "blockIO.throttleReadBpsDevice",
			 b->throttle_read_bps, b->n_throttle_read_bps, err) < 0 ||
	    set_throttle(fd, "blkio.throttle.write_bps_device", "blockIO.throttleWriteBpsDevice",
			 b->throttle_write_bps, b->n_throttle_write_bps, err) < 0 ||
	    set_throttle(fd, "blkio.throttle.read_iops_device", "blockIO.throttleReadIOPSDevice",
			 b->throttle_read_iops, b->n_throttle_read_iops, err) < 0 ||
	    set_throttle(fd, "blkio.throttle.write_iops_device", "blockIO.throttleWriteIOPSDevice",
			 b->throttle_write_iops, b->n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

static int check_page_size(const char *size, struct hutch_error **err)
{
	if (size == NULL || *size == '\0' || strchr(size, '/') || strstr(size, ".."))
		return hutch_error_set(err, EINVAL, "linux.resources.hugepageLimits: invalid pageSize \"%s\"",
				       size ? size : "");
	return 0;
}

static int set_hugetlb(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	if (res->n_hugepage_limits == 0)
		return 0;
	for (size_t i = 0; i < res->n_hugepage_limits; i++)
		if (check_page_size(res->hugepage_limits[i].page_size, err) < 0)
			return -1;
	/* A hybrid host may carry hugetlb on the unified hierarchy only, but enabling
	 * it there means writing the root's subtree_control, which belongs to the
	 * host's manager, not to a runtime: refuse instead, naming the field. */
	int fd = -1;
	if (need(cg, "hugetlb", "hugepageLimits", &fd, err) < 0)
		return -1;
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &res->hugepage_limits[i];
		cleanup_free char *file = xasprintf("hugetlb.%s.limit_in_bytes", h->page_size);
		if (put_u64(fd, file, "hugepageLimits", h->limit, err) < 0)
			return -1;
	}
	return 0;
}

static int set_network(struct cgroup *cg, const struct spec_network *n, struct hutch_error **err)
{
	int fd = -1;
	if (n->has_class_id) {
		if (need(cg, "net_cls", "network.classID", &fd, err) < 0 ||
		    put_u64(fd, "net_cls.classid", "network.classID", n->class_id, err) < 0)
			return -1;
	}
	if (n->n_priorities == 0)
		return 0;
	if (need(cg, "net_prio", "network.priorities", &fd, err) < 0)
		return -1;
	for (size_t i = 0; i < n->n_priorities; i++) {
		cleanup_free char *v = xasprintf("%s %u", n->priorities[i].name, n->priorities[i].priority);
		if (put(fd, "net_prio.ifpriomap", "network.priorities", v, err) < 0)
			return -1;
	}
	return 0;
}

static char *rdma_line(const struct spec_rdma *r)
{
	char h[16] = "max", o[16] = "max";
	if (r->has_hca_handles)
		snprintf(h, sizeof(h), "%u", r->hca_handles);
	if (r->has_hca_objects)
		snprintf(o, sizeof(o), "%u", r->hca_objects);
	return xasprintf("%s hca_handle=%s hca_object=%s", r->device, h, o);
}

static int set_rdma(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	int fd = -1;
	if (res->n_rdma == 0)
		return 0;
	if (need(cg, "rdma", "rdma", &fd, err) < 0)
		return -1;
	for (size_t i = 0; i < res->n_rdma; i++) {
		cleanup_free char *v = rdma_line(&res->rdma[i]);
		if (put(fd, "rdma.max", "rdma", v, err) < 0)
			return -1;
	}
	return 0;
}

static int set_devices(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	cleanup_free struct cgroup_dev_rule *rules = NULL;
	size_t n;
	if (cgroup_dev_rules(res, &rules, &n, err) < 0)
		return -1;
	struct cgroup_hier *h = cgroup_v1_find(cg, "devices");
	if (h)
		return cgroup_devices_v1_apply(h->dir_fd, rules, n, err);
	if (cg->v2.dir_fd >= 0) {
		cleanup_close int prog = cgroup_devices_bpf_load(rules, n, err);
		if (prog < 0 || cgroup_devices_bpf_attach(cg->v2.dir_fd, prog, err) < 0)
			return hutch_error_wrap(err, "linux.resources.devices");
		return 0;
	}
	if (res && res->n_devices > 0)
		return hutch_error_set(err, ENOTSUP, "linux.resources.devices: the devices cgroup controller is not available");
	return 0;
}

int cgroup_v1_apply(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	if (set_devices(cg, res, err) < 0)
		return -1;
	return res ? cgroup_v1_set(cg, res, err) : 0;
}

int cgroup_v1_set(struct cgroup *cg, const struct spec_resources *res, struct hutch_error **err)
{
	if (res->memory && set_memory(cg, res->memory, err) < 0)
		return -1;
	if (res->cpu && set_cpu(cg, res->cpu, err) < 0)
		return -1;
	if (res->has_pids_limit) {
		int fd = -1;
		if (need(cg, "pids", "pids", &fd, err) < 0)
			return -1;
		if (res->pids_limit < 0 ? put(fd, "pids.max", "pids.limit", "max", err) < 0
					: put_i64(fd, "pids.max", "pids.limit", res->pids_limit, err) < 0)
			return -1;
	}
	if (res->block_io && set_blkio(cg, res->block_io, err) < 0)
		return -1;
	if (set_hugetlb(cg, res, err) < 0)
		return -1;
	if (res->network && set_network(cg, res->network, err) < 0)
		return -1;
	if (set_rdma(cg, res, err) < 0)
		return -1;
	if (res->n_unified > 0) {
		if (cg->v2.dir_fd < 0)
			return hutch_error_set(err, ENOTSUP, "linux.resources.unified: needs cgroup v2 (this host has only cgroup v1)");
		return cgroup_v2_set_unified(cg, res, err);
	}
	return 0;
}

static bool freezer_state_is(int fd, const char *want)
{
	cleanup_free char *s = NULL;
	if (read_file_at(fd, "freezer.state", &s, NULL, NULL) < 0)
		return false;
	s[strcspn(s, "\n")] = '\0';
	return strcmp(s, want) == 0;
}

/* A task in uninterruptible sleep (NFS, FUSE) can hold freezer.state at FREEZING;
 * writing FROZEN again retries the tasks not frozen yet. */
static int freeze_wait(int fd, struct hutch_error **err)
{
	unsigned long long deadline = now_ns() + FREEZE_TIMEOUT_NS;
	for (unsigned i = 1; !freezer_state_is(fd, "FROZEN"); i++) {
		if (now_ns() > deadline)
			return hutch_error_set(err, ETIMEDOUT, "freezer.state: still FREEZING after %llu ms",
					       FREEZE_TIMEOUT_NS / 1000000);
		usleep(1000);
		if (i % 100 == 0 && cgroup_write(fd, "freezer.state", "FROZEN", err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_v1_freeze(struct cgroup_hier *f, bool freeze, struct hutch_error **err)
{
	if (!freeze)
		return cgroup_write(f->dir_fd, "freezer.state", "THAWED", err);
	if (cgroup_write(f->dir_fd, "freezer.state", "FROZEN", err) < 0)
		return -1;
	if (freeze_wait(f->dir_fd, err) == 0)
		return 0;
	/* Half frozen is neither paused nor running: undo. */
	cgroup_write(f->dir_fd, "freezer.state", "THAWED", NULL);
	return -1;
}

bool cgroup_v1_frozen(int dirfd)
{
	return freezer_state_is(dirfd, "FROZEN");
}

/* Freeze first so that no process can fork a child that the loop would miss.
 * A frozen task keeps a SIGKILL pending until it thaws, so SIGKILL always thaws
 * (a paused container is killed, as runc does); other signals leave it paused. */
int cgroup_v1_kill_all(struct cgroup *cg, int sig, struct hutch_error **err)
{
	struct cgroup_hier *f = cgroup_v1_find(cg, "freezer");
	if (f == NULL)
		return cgroup_kill_pids(cg, sig, err);
	bool was_frozen = freezer_state_is(f->dir_fd, "FROZEN");
	if (!was_frozen && cgroup_write(f->dir_fd, "freezer.state", "FROZEN", NULL) == 0) {
		unsigned long long deadline = now_ns() + FREEZE_KILL_TIMEOUT_NS;
		while (!freezer_state_is(f->dir_fd, "FROZEN") && now_ns() < deadline)
			usleep(1000);
	}
	int r = cgroup_kill_pids(cg, sig, err);
	if ((!was_frozen || sig == SIGKILL) &&
	    cgroup_write(f->dir_fd, "freezer.state", "THAWED", r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}
