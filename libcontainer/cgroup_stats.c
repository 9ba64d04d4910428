/* `events`: the container's usage in runc's JSON shape (types.Stats: what
 * containerd and podman decode), and OOM notifications. */
#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

/* ---- file readers: a missing file is "no data", never an error ---- */

static char *read_opt(int dirfd, const char *file)
{
	char *buf = NULL;
	if (dirfd < 0 || read_file_at(dirfd, file, &buf, NULL, NULL) < 0)
		return NULL;
	return buf;
}

/* A single number; "max" (no limit) reads as UINT64_MAX. */
static bool read_u64(int dirfd, const char *file, uint64_t *out)
{
	cleanup_free char *s = read_opt(dirfd, file);
	if (s == NULL)
		return false;
	s[strcspn(s, "\n")] = '\0';
	unsigned long long v;
	if (strcmp(s, "max") == 0)
		v = UINT64_MAX;
	else if (parse_uint64(s, &v) < 0)
		return false;
	*out = v;
	return true;
}

static uint64_t u64_or_zero(int dirfd, const char *file)
{
	uint64_t v = 0;
	read_u64(dirfd, file, &v);
	return v;
}

/* "key value" lines (memory.stat, cpu.stat, memory.events): the value of `key`. */
static bool kv_get(const char *buf, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, kl) != 0 || l[kl] != ' ')
			continue;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(l + kl + 1, &end, 10);
		if (errno != 0 || end == l + kl + 1)
			return false;
		*out = v;
		return true;
	}
	return false;
}

static uint64_t kv_or_zero(const char *buf, const char *key)
{
	uint64_t v = 0;
	if (buf)
		kv_get(buf, key, &v);
	return v;
}

/* ---- JSON helpers: runc's `omitempty` drops zero values ---- */

static void put_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void put_u64_nz(json_object *o, const char *key, uint64_t v)
{
	if (v != 0)
		put_u64(o, key, v);
}

static json_object *child(json_object *o, const char *key)
{
	json_object *c = json_object_new_object();
	json_object_object_add(o, key, c);
	return c;
}

/* All "key value" lines as an object (memory.stat -> "raw"). */
static json_object *kv_object(const char *buf)
{
	json_object *o = json_object_new_object();
	for (const char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t kl = strcspn(l, " \n");
		if (l[kl] != ' ')
			continue;
		char *end;
		unsigned long long v = strtoull(l + kl + 1, &end, 10);
		if (end == l + kl + 1)
			continue;
		cleanup_free char *k = xstrndup(l, kl);
		put_u64(o, k, v);
	}
	return o;
}

/* Space-separated numbers (cpuacct.usage_percpu); NULL when the file is absent. */
static json_object *u64_list(int dirfd, const char *file)
{
	cleanup_free char *s = read_opt(dirfd, file);
	if (s == NULL)
		return NULL;
	json_object *a = json_object_new_array();
	for (char *p = s, *end;; p = end) {
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		json_object_array_add(a, json_object_new_uint64(v));
	}
	if (json_object_array_length(a) == 0) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static void put_list(json_object *o, const char *key, json_object *list)
{
	if (list)
		json_object_object_add(o, key, list);
}

/* "0-3,8" -> [0,1,2,3,8] (runc's cpuset "cpus"/"mems"). */
static void put_range_list(json_object *o, const char *key, int dirfd, const char *file)
{
	cleanup_free char *s = read_opt(dirfd, file);
	if (s == NULL)
		return;
	json_object *a = json_object_new_array();
	for (char *p = s, *end; *p && *p != '\n'; p = end + (*end == ',')) {
		unsigned long a0 = strtoul(p, &end, 10), a1 = a0;
		if (end == p)
			break;
		if (*end == '-')
			a1 = strtoul(end + 1, &end, 10);
		for (unsigned long i = a0; i <= a1 && i < 65536; i++)
			json_object_array_add(a, json_object_new_uint64(i));
	}
	if (json_object_array_length(a) > 0)
		json_object_object_add(o, key, a);
	else
		json_object_put(a);
}

/* ---- hugetlb page sizes: "2MB", "1GB" as in the file names ---- */

static char **huge_sizes(void)
{
	cleanup_dir DIR *d = opendir("/sys/kernel/mm/hugepages");
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		unsigned long long kb;
		char num[32];
		if (sscanf(de->d_name, "hugepages-%31[0-9]kB", num) != 1 || parse_uint64(num, &kb) < 0)
			continue;
		v = xrealloc(v, (n + 2) * sizeof(char *));
		if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
			v[n++] = xasprintf("%lluGB", kb / (1024 * 1024));
		else if (kb >= 1024 && kb % 1024 == 0)
			v[n++] = xasprintf("%lluMB", kb / 1024);
		else
			v[n++] = xasprintf("%lluKB", kb);
		v[n] = NULL;
	}
	return v;
}

/* ---- cgroup v1 ---- */

static int v1_dir(struct cgroup *cg, const char *controller)
{
	struct cgroup_hier *h = cgroup_v1_find(cg, controller);
	return h ? h->dir_fd : -1;
}

static void v1_cpu(struct cgroup *cg, json_object *cpu)
{
	int acct = v1_dir(cg, "cpuacct"), fd = v1_dir(cg, "cpu");
	json_object *u = child(cpu, "usage");
	put_u64_nz(u, "total", u64_or_zero(acct, "cpuacct.usage"));
	put_list(u, "percpu", u64_list(acct, "cpuacct.usage_percpu"));
	put_list(u, "percpu_kernel", u64_list(acct, "cpuacct.usage_percpu_sys"));
	put_list(u, "percpu_user", u64_list(acct, "cpuacct.usage_percpu_user"));
	/* cpuacct.stat counts USER_HZ ticks. */
	cleanup_free char *st = read_opt(acct, "cpuacct.stat");
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
	put_u64(u, "kernel", kv_or_zero(st, "system") * ns_per_tick);
	put_u64(u, "user", kv_or_zero(st, "user") * ns_per_tick);
	cleanup_free char *cs = read_opt(fd, "cpu.stat");
	json_object *t = child(cpu, "throttling");
	put_u64_nz(t, "periods", kv_or_zero(cs, "nr_periods"));
	put_u64_nz(t, "throttledPeriods", kv_or_zero(cs, "nr_throttled"));
	put_u64_nz(t, "throttledTime", kv_or_zero(cs, "throttled_time"));
}

static void v1_cpuset(struct cgroup *cg, json_object *o)
{
	static const char *const flags[][2] = {
		{ "cpu_exclusive", "cpuset.cpu_exclusive" },
		{ "mem_hardwall", "cpuset.mem_hardwall" },
		{ "mem_exclusive", "cpuset.mem_exclusive" },
		{ "memory_migrate", "cpuset.memory_migrate" },
		{ "memory_spread_page", "cpuset.memory_spread_page" },
		{ "memory_spread_slab", "cpuset.memory_spread_slab" },
		{ "memory_pressure", "cpuset.memory_pressure" },
		{ "sched_load_balance", "cpuset.sched_load_balance" },
	};
	int fd = v1_dir(cg, "cpuset");
	put_range_list(o, "cpus", fd, "cpuset.cpus");
	put_range_list(o, "mems", fd, "cpuset.mems");
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		put_u64(o, flags[i][0], u64_or_zero(fd, flags[i][1]));
	cleanup_free char *rl = read_opt(fd, "cpuset.sched_relax_domain_level");
	json_object_object_add(o, "sched_relax_domain_level", json_object_new_int64(rl ? strtoll(rl, NULL, 10) : 0));
}

/* prefix "memory", "memory.memsw", "memory.kmem", "memory.kmem.tcp". */
static void v1_mem_entry(int fd, const char *prefix, json_object *o)
{
	cleanup_free char *l = xasprintf("%s.limit_in_bytes", prefix);
	cleanup_free char *u = xasprintf("%s.usage_in_bytes", prefix);
	cleanup_free char *m = xasprintf("%s.max_usage_in_bytes", prefix);
	cleanup_free char *f = xasprintf("%s.failcnt", prefix);
	put_u64(o, "limit", u64_or_zero(fd, l));
	put_u64_nz(o, "usage", u64_or_zero(fd, u));
	put_u64_nz(o, "max", u64_or_zero(fd, m));
	put_u64(o, "failcnt", u64_or_zero(fd, f));
}

static void v1_memory(struct cgroup *cg, json_object *mem)
{
	int fd = v1_dir(cg, "memory");
	cleanup_free char *st = read_opt(fd, "memory.stat");
	put_u64_nz(mem, "cache", kv_or_zero(st, "cache"));
	v1_mem_entry(fd, "memory", child(mem, "usage"));
	v1_mem_entry(fd, "memory.memsw", child(mem, "swap"));
	v1_mem_entry(fd, "memory.kmem", child(mem, "kernel"));
	v1_mem_entry(fd, "memory.kmem.tcp", child(mem, "kernelTCP"));
	if (st)
		json_object_object_add(mem, "raw", kv_object(st));
}

static void pids_stats(int fd, json_object *p)
{
	put_u64_nz(p, "current", u64_or_zero(fd, "pids.current"));
	uint64_t max = u64_or_zero(fd, "pids.max");
	put_u64_nz(p, "limit", max == UINT64_MAX ? 0 : max);
}

/* "8:0 Read 4096" lines; the grand "Total N" line has no device. */
static json_object *blkio_entries(int fd, const char *file)
{
	cleanup_free char *s = read_opt(fd, file);
	if (s == NULL)
		return NULL;
	json_object *a = json_object_new_array();
	char *save;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned major, minor;
		char op[32];
		unsigned long long v;
		if (sscanf(l, "%u:%u %31s %llu", &major, &minor, op, &v) != 4)
			continue;
		json_object *e = json_object_new_object();
		put_u64_nz(e, "major", major);
		put_u64_nz(e, "minor", minor);
		json_object_object_add(e, "op", json_object_new_string(op));
		put_u64_nz(e, "value", v);
		json_object_array_add(a, e);
	}
	if (json_object_array_length(a) == 0) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

/* The CFQ files (old kernels), else BFQ's, else the throttle policy's (always there). */
static void v1_blkio(struct cgroup *cg, json_object *b)
{
	static const char *const families[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };
	int fd = v1_dir(cg, "blkio");
	for (size_t i = 0; fd >= 0 && i < ARRAY_SIZE(families); i++) {
		cleanup_free char *bytes = xasprintf("%sio_service_bytes_recursive", families[i]);
		cleanup_free char *ios = xasprintf("%sio_serviced_recursive", families[i]);
		if (faccessat(fd, ios, F_OK, 0) < 0)
			continue;
		put_list(b, "ioServiceBytesRecursive", blkio_entries(fd, bytes));
		put_list(b, "ioServicedRecursive", blkio_entries(fd, ios));
		return;
	}
}

static void hugetlb_stats(int fd, bool v2, json_object *h)
{
	cleanup_strv char **sizes = huge_sizes();
	for (size_t i = 0; fd >= 0 && sizes[i]; i++) {
		cleanup_free char *u = xasprintf(v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes", sizes[i]);
		if (faccessat(fd, u, F_OK, 0) < 0)
			continue;
		json_object *e = child(h, sizes[i]);
		put_u64_nz(e, "usage", u64_or_zero(fd, u));
		if (v2) {
			cleanup_free char *evf = xasprintf("hugetlb.%s.events", sizes[i]);
			cleanup_free char *ev = read_opt(fd, evf);
			put_u64(e, "failcnt", kv_or_zero(ev, "max"));
		} else {
			cleanup_free char *m = xasprintf("hugetlb.%s.max_usage_in_bytes", sizes[i]);
			cleanup_free char *f = xasprintf("hugetlb.%s.failcnt", sizes[i]);
			put_u64_nz(e, "max", u64_or_zero(fd, m));
			put_u64(e, "failcnt", u64_or_zero(fd, f));
		}
	}
}

static void v1_stats(struct cgroup *cg, json_object *d)
{
	v1_cpu(cg, child(d, "cpu"));
	v1_cpuset(cg, child(d, "cpuset"));
	v1_memory(cg, child(d, "memory"));
	pids_stats(v1_dir(cg, "pids"), child(d, "pids"));
	v1_blkio(cg, child(d, "blkio"));
	/* Hybrid hosts may have hugetlb on the unified hierarchy only. */
	int h = v1_dir(cg, "hugetlb");
	hugetlb_stats(h >= 0 ? h : cg->v2.dir_fd, h < 0, child(d, "hugetlb"));
}

/* ---- cgroup v2 ---- */

static void v2_cpu(int fd, json_object *cpu)
{
	cleanup_free char *st = read_opt(fd, "cpu.stat");
	json_object *u = child(cpu, "usage");
	put_u64_nz(u, "total", kv_or_zero(st, "usage_usec") * 1000);
	put_u64(u, "kernel", kv_or_zero(st, "system_usec") * 1000);
	put_u64(u, "user", kv_or_zero(st, "user_usec") * 1000);
	json_object *t = child(cpu, "throttling");
	put_u64_nz(t, "periods", kv_or_zero(st, "nr_periods"));
	put_u64_nz(t, "throttledPeriods", kv_or_zero(st, "nr_throttled"));
	put_u64_nz(t, "throttledTime", kv_or_zero(st, "throttled_usec") * 1000);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Swap is reported as memory+swap, the v1 memsw meaning that runc keeps on v2. */
static void v2_memory(int fd, json_object *mem)
{
	cleanup_free char *st = read_opt(fd, "memory.stat");
	cleanup_free char *ev = read_opt(fd, "memory.events");
	put_u64_nz(mem, "cache", kv_or_zero(st, "file"));
	uint64_t cur = u64_or_zero(fd, "memory.current"), max = u64_or_zero(fd, "memory.max");
	json_object *u = child(mem, "usage");
	put_u64(u, "limit", max);
	put_u64_nz(u, "usage", cur);
	put_u64_nz(u, "max", u64_or_zero(fd, "memory.peak"));
	put_u64(u, "failcnt", kv_or_zero(ev, "max"));
	json_object *s = child(mem, "swap");
	put_u64(s, "limit", sat_add(u64_or_zero(fd, "memory.swap.max"), max));
	put_u64_nz(s, "usage", sat_add(u64_or_zero(fd, "memory.swap.current"), cur));
	put_u64(s, "failcnt", 0);
	/* No kernel memory accounting files on v2: runc's empty entries. */
	for (int i = 0; i < 2; i++) {
		json_object *k = child(mem, i == 0 ? "kernel" : "kernelTCP");
		put_u64(k, "limit", 0);
		put_u64(k, "failcnt", 0);
	}
	if (st)
		json_object_object_add(mem, "raw", kv_object(st));
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
static void v2_io(int fd, json_object *b)
{
	static const char *const keys[][3] = {
		{ "rbytes", "ioServiceBytesRecursive", "Read" },
		{ "wbytes", "ioServiceBytesRecursive", "Write" },
		{ "rios", "ioServicedRecursive", "Read" },
		{ "wios", "ioServicedRecursive", "Write" },
	};
	cleanup_free char *s = read_opt(fd, "io.stat");
	char *save;
	for (char *l = s ? strtok_r(s, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		unsigned major, minor;
		if (sscanf(l, "%u:%u", &major, &minor) != 2)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			cleanup_free char *pat = xasprintf(" %s=", keys[k][0]);
			char *p = strstr(l, pat);
			if (p == NULL)
				continue;
			json_object *a = json_object_object_get(b, keys[k][1]);
			if (a == NULL) {
				a = json_object_new_array();
				json_object_object_add(b, keys[k][1], a);
			}
			json_object *e = json_object_new_object();
			put_u64_nz(e, "major", major);
			put_u64_nz(e, "minor", minor);
			json_object_object_add(e, "op", json_object_new_string(keys[k][2]));
			put_u64_nz(e, "value", strtoull(p + strlen(pat), NULL, 10));
			json_object_array_add(a, e);
		}
	}
}

static void v2_stats(struct cgroup *cg, json_object *d)
{
	int fd = cg->v2.dir_fd;
	v2_cpu(fd, child(d, "cpu"));
	json_object *cs = child(d, "cpuset");
	put_range_list(cs, "cpus", fd, "cpuset.cpus.effective");
	put_range_list(cs, "mems", fd, "cpuset.mems.effective");
	v2_memory(fd, child(d, "memory"));
	pids_stats(fd, child(d, "pids"));
	v2_io(fd, child(d, "blkio"));
	hugetlb_stats(fd, true, child(d, "hugetlb"));
}

int cgroup_stats(struct cgroup *cg, json_object **out, struct hutch_error **err)
{
	if (cg->n_v1 == 0 && cg->v2.dir_fd < 0)
		return hutch_error_set(err, ENOENT, "cgroup %s does not exist", cg->path);
	json_object *d = json_object_new_object();
	if (cg->mode == CGROUP_MODE_V2)
		v2_stats(cg, d);
	else
		v1_stats(cg, d);
	json_object_object_add(d, "intel_rdt", json_object_new_object());
	json_object_object_add(d, "network_interfaces", NULL);
	*out = d;
	return 0;
}

/* ---- OOM notifications ---- */

struct cgroup_oom {
	bool v2;
	int fd;        /* v1: eventfd; v2: inotify */
	int dirfd;     /* the memory cgroup */
	int ctl_fd;    /* v1: memory.oom_control, kept open while registered */
	uint64_t last; /* v2: oom_kill counter already reported */
};

/* v1: an eventfd registered through cgroup.event_control on memory.oom_control
 * (the kernel also signals it when the cgroup is removed). */
static int oom_v1(struct cgroup_oom *o, int memfd, struct hutch_error **err)
{
	o->dirfd = fcntl(memfd, F_DUPFD_CLOEXEC, 3);
	o->ctl_fd = openat(memfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	if (o->dirfd < 0 || o->ctl_fd < 0)
		return hutch_error_errno(err, "open memory.oom_control");
	o->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->fd < 0)
		return hutch_error_errno(err, "eventfd");
	return cgroup_writef(memfd, "cgroup.event_control", err, "%d %d", o->fd, o->ctl_fd);
}

/* v2: memory.events changes (a kernfs "modified" event, seen by inotify); the
 * oom_kill counter says whether a process was killed. */
static int oom_v2(struct cgroup_oom *o, int dirfd, struct hutch_error **err)
{
	o->v2 = true;
	o->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (o->dirfd < 0)
		return hutch_error_errno(err, "dup cgroup fd");
	o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (o->fd < 0)
		return hutch_error_errno(err, "inotify_init1");
	cleanup_free char *p = xasprintf("/proc/self/fd/%d/memory.events", o->dirfd);
	if (inotify_add_watch(o->fd, p, IN_MODIFY) < 0)
		return hutch_error_errno(err, "inotify memory.events");
	cleanup_free char *ev = read_opt(o->dirfd, "memory.events");
	o->last = kv_or_zero(ev, "oom_kill");
	return 0;
}

int cgroup_oom_open(struct cgroup *cg, struct cgroup_oom **out, struct hutch_error **err)
{
	*out = NULL;
	int memfd = cg->mode == CGROUP_MODE_V2 ? -1 : v1_dir(cg, "memory");
	bool v2 = memfd < 0 && cg->v2.dir_fd >= 0 && faccessat(cg->v2.dir_fd, "memory.events", F_OK, 0) == 0;
	if (memfd < 0 && !v2)
		return 0;
	struct cgroup_oom *o = xmalloc0(sizeof(*o));
	o->fd = o->dirfd = o->ctl_fd = -1;
	if ((v2 ? oom_v2(o, cg->v2.dir_fd, err) : oom_v1(o, memfd, err)) < 0) {
		cgroup_oom_free(o);
		return hutch_error_wrap(err, "cgroup %s: OOM notifications", cg->path);
	}
	*out = o;
	return 0;
}

int cgroup_oom_fd(const struct cgroup_oom *o)
{
	return o ? o->fd : -1;
}

static int oom_read_v2(struct cgroup_oom *o, unsigned *n, bool *gone)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t r;
	while ((r = read(o->fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + r; p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len)
			if (((struct inotify_event *)p)->mask & IN_IGNORED)
				*gone = true;
	cleanup_free char *ev = read_opt(o->dirfd, "memory.events");
	if (ev == NULL) {
		*gone = true;
		return 0;
	}
	uint64_t k = kv_or_zero(ev, "oom_kill");
	*n = k > o->last ? (unsigned)(k - o->last) : 0;
	o->last = k;
	return 0;
}

int cgroup_oom_read(struct cgroup_oom *o, unsigned *n, bool *gone, struct hutch_error **err)
{
	*n = 0;
	*gone = false;
	if (o->v2)
		return oom_read_v2(o, n, gone);
	uint64_t v;
	if (read(o->fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return errno == EAGAIN ? 0 : hutch_error_errno(err, "read OOM eventfd");
	/* rmdir signals the eventfd too: no OOM then. */
	if (faccessat(o->dirfd, "memory.oom_control", F_OK, 0) < 0) {
		*gone = true;
		return 0;
	}
	*n = v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
	return 0;
}

void cgroup_oom_free(struct cgroup_oom *o)
{
	if (o == NULL)
		return;
	closep(&o->fd);
	closep(&o->ctl_fd);
	closep(&o->dirfd);
	free(o);
}
