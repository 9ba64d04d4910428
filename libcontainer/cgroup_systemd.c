/* --systemd-cgroup: the container's cgroup is a transient scope unit that
 * systemd creates (runc's and crun's systemd driver). cgroupsPath is
 * "slice:prefix:name": the scope "prefix-name.scope" in "slice". hutch asks
 * systemd over its private D-Bus socket (/run/systemd/private: peer to peer,
 * no bus daemon, root only), with a minimal client written here: the
 * StartTransientUnit and StopUnit calls are all it needs, and libsystemd is not
 * a dependency. The limits are then written to the scope's files like any
 * other cgroup (Delegate=yes: the subtree is the container's). */
#include "cgroup.h"
#include "cgroup_internal.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define SYSTEMD_PRIVATE "/run/systemd/private"
#define SYSTEMD_TIMEOUT_MS 30000
/* systemd 252 may never answer a StopUnit that races with its own collection of
 * the scope (the last process just died): seen as UnitNew, UnitRemoved and no
 * reply. The wait is short, and what the wait was for is checked instead. */
#define SYSTEMD_STOP_TIMEOUT_MS 5000
#define SYSTEMD_MAX_MESSAGE (1u << 20)

bool cgroup_systemd_running(void)
{
	/* sd_booted(3): systemd, as PID 1, made this directory. */
	struct stat st;
	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

/* systemd.slice(5): "a-b.slice" lives at /a.slice/a-b.slice; "-.slice" is the root. */
static int expand_slice(const char *slice, char **out, struct hutch_error **err)
{
	size_t n = strlen(slice);
	if (strcmp(slice, "-.slice") == 0) {
		*out = xstrdup("");
		return 0;
	}
	if (n <= 6 || strcmp(slice + n - 6, ".slice") != 0 || strchr(slice, '/') || slice[0] == '-' ||
	    strstr(slice, "--") || slice[n - 7] == '-')
		return hutch_error_set(err, EINVAL, "linux.cgroupsPath: invalid systemd slice \"%s\"", slice);
	cleanup_free char *path = xstrdup("");
	for (const char *dash = slice; (dash = strchr(dash, '-')) != NULL; dash++) {
		char *p = xasprintf("%s/%.*s.slice", path, (int)(dash - slice), slice);
		free(path);
		path = p;
	}
	*out = xasprintf("%s/%s", path, slice);
	return 0;
}

static bool unit_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(":-_.\\@", c);
}

int cgroup_systemd_parse(const char *cgroups_path, const char *id, struct cgroup_systemd_unit *u,
			 struct hutch_error **err)
{
	memset(u, 0, sizeof(*u));
	/* runc's default: "system.slice:<runtime>:<id>". */
	cleanup_free char *spec = cgroups_path && *cgroups_path ? xstrdup(cgroups_path)
							      : xasprintf("system.slice:hutch:%s", id);
	char *c1 = strchr(spec, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL || strchr(c2 + 1, ':'))
		return hutch_error_set(err, EINVAL, "linux.cgroupsPath: \"%s\": with --systemd-cgroup it must be "
				       "\"slice:prefix:name\"", cgroups_path);
	*c1 = *c2 = '\0';
	const char *slice = *spec ? spec : "system.slice", *prefix = c1 + 1, *name = c2 + 1;
	if (*name == '\0')
		return hutch_error_set(err, EINVAL, "linux.cgroupsPath: \"%s\": the unit name is empty", cgroups_path);
	size_t nl = strlen(name);
	bool is_slice = nl > 6 && strcmp(name + nl - 6, ".slice") == 0;
	u->unit = is_slice ? xstrdup(name) : *prefix ? xasprintf("%s-%s.scope", prefix, name) : xasprintf("%s.scope", name);
	u->slice = xstrdup(slice);
	for (const char *p = u->unit; *p; p++)
		if (!unit_char_ok(*p))
			return hutch_error_set(err, EINVAL, "linux.cgroupsPath: invalid systemd unit name \"%s\"", u->unit);
	cleanup_free char *sp = NULL;
	if (expand_slice(is_slice ? u->unit : slice, &sp, err) < 0)
		return -1;
	u->path = is_slice ? take_ptr(&sp) : xasprintf("%s/%s", sp, u->unit);
	return 0;
}

void cgroup_systemd_unit_release(struct cgroup_systemd_unit *u)
{
	free(u->unit);
	free(u->slice);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* ---- a D-Bus message writer (little endian, the spec's marshalling) ---- */

struct dbuf {
	char *b;
	size_t n, cap;
};

static void put_raw(struct dbuf *d, const void *p, size_t n)
{
	if (d->n + n > d->cap) {
		d->cap = (d->n + n) * 2 + 64;
		d->b = xrealloc(d->b, d->cap);
	}
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

static void align(struct dbuf *d, size_t a)
{
	static const char zero[8];
	if (d->n % a)
		put_raw(d, zero, a - d->n % a);
}

static void put_u32(struct dbuf *d, uint32_t v)
{
	align(d, 4);
	put_raw(d, &v, 4);
}

static void put_u64(struct dbuf *d, uint64_t v)
{
	align(d, 8);
	put_raw(d, &v, 8);
}

static void put_str(struct dbuf *d, const char *s)
{
	put_u32(d, (uint32_t)strlen(s));
	put_raw(d, s, strlen(s) + 1);
}

static void put_sig(struct dbuf *d, const char *s)
{
	uint8_t n = (uint8_t)strlen(s);
	put_raw(d, &n, 1);
	put_raw(d, s, (size_t)n + 1);
}

/* An array: its length is patched once the elements are written. */
static size_t array_begin(struct dbuf *d, size_t elem_align)
{
	put_u32(d, 0);
	size_t at = d->n - 4;
	align(d, elem_align);
	return at;
}

static void array_end(struct dbuf *d, size_t at, size_t elem_align)
{
	size_t start = at + 4;
	if (start % elem_align)
		start += elem_align - start % elem_align;
	uint32_t len = (uint32_t)(d->n - start);
	memcpy(d->b + at, &len, 4);
}

/* One (sv) property of StartTransientUnit. */
static void prop_begin(struct dbuf *d, const char *name, const char *sig)
{
	align(d, 8);
	put_str(d, name);
	put_sig(d, sig);
}

static void prop_str(struct dbuf *d, const char *name, const char *v)
{
	prop_begin(d, name, "s");
	put_str(d, v);
}

static void prop_bool(struct dbuf *d, const char *name, bool v)
{
	prop_begin(d, name, "b");
	put_u32(d, v ? 1 : 0);
}

static void prop_u64(struct dbuf *d, const char *name, uint64_t v)
{
	prop_begin(d, name, "t");
	put_u64(d, v);
}

static void prop_pids(struct dbuf *d, pid_t pid)
{
	prop_begin(d, "PIDs", "au");
	size_t a = array_begin(d, 4);
	put_u32(d, (uint32_t)pid);
	array_end(d, a, 4);
}

/* Header field (code, variant of a string-like type). */
static void field(struct dbuf *d, uint8_t code, const char *sig, const char *v)
{
	align(d, 8);
	put_raw(d, &code, 1);
	put_sig(d, sig);
	if (strcmp(sig, "g") == 0)
		put_sig(d, v);
	else
		put_str(d, v);
}

static char *message(uint32_t serial, const char *member, const char *sig, const struct dbuf *body,
		     size_t *len)
{
	struct dbuf d = { 0 };
	const char hdr[4] = { 'l', 1 /* METHOD_CALL */, 0, 1 };
	put_raw(&d, hdr, 4);
	put_u32(&d, (uint32_t)body->n);
	put_u32(&d, serial);
	size_t a = array_begin(&d, 8);
	field(&d, 1, "o", "/org/freedesktop/systemd1");
	field(&d, 2, "s", "org.freedesktop.systemd1.Manager");
	field(&d, 3, "s", member);
	field(&d, 6, "s", "org.freedesktop.systemd1");
	field(&d, 8, "g", sig);
	array_end(&d, a, 8);
	align(&d, 8);
	put_raw(&d, body->b, body->n);
	*len = d.n;
	return d.b;
}

/* ---- the connection ---- */

static int wait_fd(int fd, short events, unsigned long long deadline, struct hutch_error **err)
{
	for (;;) {
		unsigned long long now = now_ns();
		if (now >= deadline)
			return hutch_error_set(err, ETIMEDOUT, "systemd did not answer in time");
		struct pollfd p = { .fd = fd, .events = events };
		int r = poll(&p, 1, (int)((deadline - now) / 1000000) + 1);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return hutch_error_errno(err, "poll %s", SYSTEMD_PRIVATE);
	}
}

static int read_exact(int fd, void *buf, size_t n, unsigned long long deadline, struct hutch_error **err)
{
	for (size_t got = 0; got < n;) {
		if (wait_fd(fd, POLLIN, deadline, err) < 0)
			return -1;
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r == 0)
			return hutch_error_set(err, ECONNRESET, "%s: systemd closed the connection", SYSTEMD_PRIVATE);
		if (r < 0 && errno != EINTR && errno != EAGAIN)
			return hutch_error_errno(err, "read %s", SYSTEMD_PRIVATE);
		if (r > 0)
			got += (size_t)r;
	}
	return 0;
}

/* The SASL exchange of the D-Bus spec: EXTERNAL with our uid, then BEGIN. */
static int authenticate(int fd, unsigned long long deadline, struct hutch_error **err)
{
	char uid[16], hex[40] = "";
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	for (size_t i = 0; uid[i]; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)uid[i]);
	cleanup_free char *auth = xasprintf("AUTH EXTERNAL %s\r\n", hex);
	if (write_all(fd, "", 1) < 0 || write_all(fd, auth, strlen(auth)) < 0)
		return hutch_error_errno(err, "write %s", SYSTEMD_PRIVATE);
	char line[256];
	size_t n = 0;
	while (n < 2 || line[n - 2] != '\r' || line[n - 1] != '\n') {
		if (n == sizeof(line) - 1 || read_exact(fd, line + n, 1, deadline, err) < 0)
			return n == sizeof(line) - 1 ? hutch_error_set(err, EPROTO, "systemd: overlong auth reply") : -1;
		n++;
	}
	line[n - 2] = '\0';
	if (strncmp(line, "OK ", 3) != 0)
		return hutch_error_set(err, EACCES, "systemd refused the D-Bus authentication: %s", line);
	if (write_all(fd, "BEGIN\r\n", 7) < 0)
		return hutch_error_errno(err, "write %s", SYSTEMD_PRIVATE);
	return 0;
}

static int connect_systemd(unsigned long long deadline, struct hutch_error **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", SYSTEMD_PRIVATE);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hutch_error_errno(err, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return hutch_error_errno(err, "connect to systemd (%s)", SYSTEMD_PRIVATE);
	if (authenticate(fd, deadline, err) < 0)
		return -1;
	return take_fd(&fd);
}

static uint32_t get_u32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* In a received header's fields: REPLY_SERIAL (5) and ERROR_NAME (4). */
static void parse_fields(const char *f, size_t len, uint32_t *reply_serial, char **error_name)
{
	for (size_t i = 0; i + 4 <= len;) {
		i = (i + 7) & ~(size_t)7;
		if (i + 4 > len)
			break;
		uint8_t code = (uint8_t)f[i], sl = (uint8_t)f[i + 1];
		char sig = f[i + 2];
		size_t v = i + 3 + sl;
		if (sig == 'u' || sig == 's' || sig == 'o') {
			v = (v + 3) & ~(size_t)3;
			if (v + 4 > len)
				break;
			uint32_t x = get_u32(f + v);
			if (code == 5 && sig == 'u')
				*reply_serial = x;
			if (code == 4 && sig == 's' && v + 4 + x < len)
				*error_name = xstrndup(f + v + 4, x);
			i = sig == 'u' ? v + 4 : v + 5 + x;
		} else if (sig == 'g') {
			i = v + 1 + (uint8_t)f[v] + 1;
		} else {
			break;
		}
	}
}

/* Wait for the reply to `serial`; an ERROR reply becomes *err with its text. */
static int read_reply(int fd, uint32_t serial, const char *what, unsigned long long deadline,
		      struct hutch_error **err)
{
	for (;;) {
		char h[16];
		if (read_exact(fd, h, sizeof(h), deadline, err) < 0)
			return -1;
		uint32_t body = get_u32(h + 4), flen = get_u32(h + 12);
		size_t total = ((flen + 7) & ~(size_t)7) + body;
		if (h[0] != 'l' || total > SYSTEMD_MAX_MESSAGE)
			return hutch_error_set(err, EPROTO, "systemd: unexpected D-Bus message");
		cleanup_free char *rest = xmalloc(total + 1);
		if (read_exact(fd, rest, total, deadline, err) < 0)
			return -1;
		uint32_t rs = 0;
		cleanup_free char *ename = NULL;
		parse_fields(rest, flen, &rs, &ename);
		if (rs != serial || (h[1] != 2 && h[1] != 3))
			continue;
		if (h[1] == 2)
			return 0;
		const char *b = rest + ((flen + 7) & ~(size_t)7);
		uint32_t ml = body >= 4 ? get_u32(b) : 0;
		return hutch_error_set(err, EIO, "systemd %s: %s%s%.*s", what, ename ? ename : "error",
				       ml && ml + 4 < body ? ": " : "", ml && ml + 4 < body ? (int)ml : 0, b + 4);
	}
}

static int call(const char *member, const char *sig, const struct dbuf *body, int timeout_ms,
		struct hutch_error **err)
{
	unsigned long long deadline = now_ns() + (unsigned long long)timeout_ms * 1000000ULL;
	cleanup_close int fd = connect_systemd(deadline, err);
	if (fd < 0)
		return -1;
	size_t len;
	cleanup_free char *msg = message(1, member, sig, body, &len);
	if (write_all(fd, msg, len) < 0)
		return hutch_error_errno(err, "write %s", SYSTEMD_PRIVATE);
	return read_reply(fd, 1, member, deadline, err);
}

/* ---- the unit ---- */

static void limit_props(struct dbuf *d, const struct spec_resources *res)
{
	const struct spec_memory *m = res ? res->memory : NULL;
	const struct spec_cpu *c = res ? res->cpu : NULL;
	if (m && m->has_limit && m->limit != 0)
		prop_u64(d, "MemoryMax", m->limit < 0 ? UINT64_MAX : (uint64_t)m->limit);
	if (m && m->has_reservation && m->reservation > 0)
		prop_u64(d, "MemoryLow", (uint64_t)m->reservation);
	if (res && res->has_pids_limit && res->pids_limit != 0)
		prop_u64(d, "TasksMax", res->pids_limit < 0 ? UINT64_MAX : (uint64_t)res->pids_limit);
	if (c && c->has_shares && c->shares >= 2)
		prop_u64(d, "CPUWeight", 1 + ((c->shares > 262144 ? 262144 : c->shares) - 2) * 9999 / 262142);
	if (c && c->has_quota && c->quota > 0) {
		uint64_t period = c->has_period && c->period ? c->period : 100000;
		prop_u64(d, "CPUQuotaPerSecUSec", (uint64_t)c->quota * 1000000 / period);
		prop_u64(d, "CPUQuotaPeriodUSec", period);
	}
}

/* The scope's cgroup.procs: in the cgroup2 root, or in systemd's own v1
 * hierarchy (name=systemd) on hybrid and legacy hosts. */
static char *scope_procs(const char *path)
{
	return xasprintf(CGROUP_ROOT "%s%s/cgroup.procs", cgroup_host_mode() == CGROUP_MODE_V2 ? "" : "/systemd",
			 path);
}

/* systemd moves the pid when the start job runs: wait until it is there. */
static int wait_placed(const struct cgroup_systemd_unit *u, pid_t pid, struct hutch_error **err)
{
	cleanup_free char *procs = scope_procs(u->path);
	char want[24];
	snprintf(want, sizeof(want), "%d", (int)pid);
	unsigned long long deadline = now_ns() + SYSTEMD_TIMEOUT_MS * 1000000ULL;
	while (now_ns() < deadline) {
		cleanup_free char *buf = NULL;
		if (read_file_at(AT_FDCWD, procs, &buf, NULL, NULL) == 0)
			for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
				if (strncmp(l, want, strlen(want)) == 0 && (l[strlen(want)] == '\n' || !l[strlen(want)]))
					return 0;
		usleep(2000);
	}
	return hutch_error_set(err, ETIMEDOUT, "systemd unit %s: pid %d not in %s after %d ms", u->unit, (int)pid,
			       procs, SYSTEMD_TIMEOUT_MS);
}

int cgroup_systemd_start(const struct cgroup_systemd_unit *u, const char *id, pid_t pid,
			 const struct spec_resources *res, struct hutch_error **err)
{
	struct dbuf b = { 0 };
	put_str(&b, u->unit);
	put_str(&b, "replace");
	size_t a = array_begin(&b, 8);
	cleanup_free char *desc = xasprintf("hutch container %s", id);
	prop_str(&b, "Description", desc);
	prop_str(&b, "Slice", u->slice);
	prop_pids(&b, pid);
	/* The container's subtree is its own; no ordering against the rest of the system. */
	prop_bool(&b, "Delegate", true);
	prop_bool(&b, "DefaultDependencies", false);
	prop_bool(&b, "MemoryAccounting", true);
	prop_bool(&b, "CPUAccounting", true);
	prop_bool(&b, "IOAccounting", true);
	prop_bool(&b, "TasksAccounting", true);
	limit_props(&b, res);
	array_end(&b, a, 8);
	size_t aux = array_begin(&b, 8);
	array_end(&b, aux, 8);
	int r = call("StartTransientUnit", "ssa(sv)a(sa(sv))", &b, SYSTEMD_TIMEOUT_MS, err);
	free(b.b);
	if (r < 0 || wait_placed(u, pid, err) < 0)
		return hutch_error_wrap(err, "--systemd-cgroup: start %s", u->unit);
	return 0;
}

int cgroup_systemd_update(const char *unit, const struct spec_resources *res, struct hutch_error **err)
{
	if (!cgroup_systemd_running())
		return 0;
	struct dbuf b = { 0 };
	put_str(&b, unit);
	put_u32(&b, 1); /* runtime: until reboot, as the transient unit itself */
	size_t a = array_begin(&b, 8);
	limit_props(&b, res);
	array_end(&b, a, 8);
	int r = call("SetUnitProperties", "sba(sv)", &b, SYSTEMD_TIMEOUT_MS, err);
	free(b.b);
	return r < 0 ? hutch_error_wrap(err, "--systemd-cgroup: update %s", unit) : 0;
}

/* Has the scope no process left (or no cgroup any more)? */
static bool scope_empty(const char *path)
{
	cleanup_free char *procs = scope_procs(path);
	cleanup_free char *buf = NULL;
	return read_file_at(AT_FDCWD, procs, &buf, NULL, NULL) < 0 || buf == NULL || *buf == '\0';
}

int cgroup_systemd_stop(const char *unit, const char *path, struct hutch_error **err)
{
	if (!cgroup_systemd_running())
		return 0;
	struct dbuf b = { 0 };
	put_str(&b, unit);
	put_str(&b, "replace");
	cleanup_error struct hutch_error *e = NULL;
	int r = call("StopUnit", "ss", &b, SYSTEMD_STOP_TIMEOUT_MS, &e);
	free(b.b);
	/* Gone already (an empty scope is collected when its last process exits),
	 * or going: no answer, but nothing left in it for a stop to end. */
	if (r < 0 && strstr(e->msg, "NoSuchUnit") == NULL && !(e->errnum == ETIMEDOUT && scope_empty(path)))
		return hutch_error_set(err, e->errnum, "stop systemd unit %s: %s", unit, e->msg);
	return 0;
}
