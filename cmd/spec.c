/* `spec`: write a starter config.json, the same defaults runc gives. */
#include "cmd.h"
#include "../libcontainer/cgroup.h"
#include "../libcontainer/utils.h"
#include "../spec/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

static json_object *strv_json(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static json_object *mount_json(const char *dst, const char *type, const char *src, const char *const *opts)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(src));
	if (opts)
		json_object_object_add(m, "options", strv_json(opts));
	return m;
}

static json_object *spec_process(void)
{
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
	static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					   "TERM=xterm", NULL };
	static const char *const args[] = { "sh", NULL };
	json_object *p = json_object_new_object();
	json_object_object_add(p, "terminal", json_object_new_boolean(true));
	json_object *user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object_object_add(p, "args", strv_json(args));
	json_object_object_add(p, "env", strv_json(env));
	json_object_object_add(p, "cwd", json_object_new_string("/"));
	json_object *c = json_object_new_object();
	const char *sets[] = { "bounding", "effective", "permitted", "ambient" };
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		json_object_object_add(c, sets[i], strv_json(caps));
	json_object_object_add(p, "capabilities", c);
	json_object *rl = json_object_new_object();
	json_object_object_add(rl, "type", json_object_new_string("RLIMIT_NOFILE"));
	json_object_object_add(rl, "hard", json_object_new_int(1024));
	json_object_object_add(rl, "soft", json_object_new_int(1024));
	json_object *rls = json_object_new_array();
	json_object_array_add(rls, rl);
	json_object_object_add(p, "rlimits", rls);
	json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(true));
	return p;
}

static json_object *spec_mounts(bool rootless)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
	static const char *const pts_rootless[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
	static const char *const mq[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
	json_object *m = json_object_new_array();
	json_object_array_add(m, mount_json("/proc", "proc", "proc", NULL));
	json_object_array_add(m, mount_json("/dev", "tmpfs", "tmpfs", dev));
	json_object_array_add(m, mount_json("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_object_array_add(m, mount_json("/dev/shm", "tmpfs", "shm", shm));
	json_object_array_add(m, mount_json("/dev/mqueue", "mqueue", "mqueue", mq));
	if (rootless)
		json_object_array_add(m, mount_json("/sys", "none", "/sys", sys_rootless));
	else
		json_object_array_add(m, mount_json("/sys", "sysfs", "sysfs", sys));
	json_object_array_add(m, mount_json("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	return m;
}

static json_object *id_mapping(unsigned id)
{
	json_object *a = json_object_new_array();
	json_object *m = json_object_new_object();
	json_object_object_add(m, "containerID", json_object_new_int(0));
	json_object_object_add(m, "hostID", json_object_new_int64(id));
	json_object_object_add(m, "size", json_object_new_int(1));
	json_object_array_add(a, m);
	return a;
}

static json_object *ns_json(const char *type)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	return o;
}

static json_object *spec_linux(bool rootless)
{
	static const char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/sys/firmware", "/proc/scsi", NULL };
	static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
		"/proc/sysrq-trigger", NULL };
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", NULL };
	json_object *l = json_object_new_object();
	if (rootless) {
		json_object_object_add(l, "uidMappings", id_mapping(geteuid()));
		json_object_object_add(l, "gidMappings", id_mapping(getegid()));
	} else {
		json_object *dev = json_object_new_object();
		json_object_object_add(dev, "allow", json_object_new_boolean(false));
		json_object_object_add(dev, "access", json_object_new_string("rwm"));
		json_object *devs = json_object_new_array();
		json_object_array_add(devs, dev);
		json_object *res = json_object_new_object();
		json_object_object_add(res, "devices", devs);
		json_object_object_add(l, "resources", res);
	}
	json_object *nss = json_object_new_array();
	for (const char *const *t = ns; *t; t++)
		if (!rootless || strcmp(*t, "network") != 0)
			json_object_array_add(nss, ns_json(*t));
	/* As runc: a cgroup namespace where cgroup v2 is the only hierarchy. */
	if (cgroup_host_mode() == CGROUP_MODE_V2)
		json_object_array_add(nss, ns_json("cgroup"));
	if (rootless)
		json_object_array_add(nss, ns_json("user"));
	json_object_object_add(l, "namespaces", nss);
	json_object_object_add(l, "maskedPaths", strv_json(masked));
	json_object_object_add(l, "readonlyPaths", strv_json(ro));
	return l;
}

static json_object *spec_default(bool rootless)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersion", json_object_new_string(HUTCH_SPEC_VERSION));
	json_object_object_add(o, "process", spec_process());
	json_object *root = json_object_new_object();
	json_object_object_add(root, "path", json_object_new_string("rootfs"));
	json_object_object_add(root, "readonly", json_object_new_boolean(true));
	json_object_object_add(o, "root", root);
	json_object_object_add(o, "hostname", json_object_new_string("hutch"));
	json_object_object_add(o, "mounts", spec_mounts(rootless));
	json_object_object_add(o, "linux", spec_linux(rootless));
	return o;
}

static int spec_main(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".";
	bool rootless = false;
	int c;
	while ((c = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return cli_usage_error("spec", "bad option");
	}
	if (cli_want_args("spec", argc, argv, 0, "") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	cleanup_json json_object *o = spec_default(rootless);
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return cli_fail(g, (hutch_error_set(&err, EEXIST, "%s exists: remove it first", path), err));
	if (fd < 0 || write_all(fd, txt, strlen(txt)) < 0 || write_all(fd, "\n", 1) < 0)
		return cli_fail(g, (hutch_error_errno(&err, "write %s", path), err));
	return 0;
}

static void spec_usage(void)
{
	printf("Usage: hutch spec [--bundle DIR] [--rootless]\n\n"
	       "Write a starter config.json into the bundle directory (default: current directory).\n\n"
	       "Options:\n  -b, --bundle DIR   where to write config.json\n"
	       "      --rootless     a config for a container run by an unprivileged user\n");
}

const struct command cmd_spec = { "spec", "write a starter config.json", spec_main, spec_usage };
