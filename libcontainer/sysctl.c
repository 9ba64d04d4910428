/* linux.sysctl: write kernel parameters of the container's namespaces.
 *
 * Only namespaced parameters are accepted (as runc and crun do): writing a
 * global one from a container config would change the host. */
#include "sysctl.h"

#include <errno.h>
#include <string.h>

#include "procfs.h"
#include "utils.h"

/* "net.ipv4.ip_forward" -> "net/ipv4/ip_forward".  A key that already uses
 * slashes is taken as is, so that dots stay literal ("net/ipv4/conf/eth0.100/..."),
 * which is how sysctl(8) reads it. */
static char *sysctl_path(const char *key)
{
	char *p = xstrdup(key);
	if (strchr(p, '/') == NULL)
		for (char *s = p; *s; s++)
			if (*s == '.')
				*s = '/';
	return p;
}

static bool path_has_prefix(const char *path, const char *prefix)
{
	return strncmp(path, prefix, strlen(prefix)) == 0;
}

static bool has_namespace(const struct spec_linux *l, enum spec_ns_type t)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type == t)
			return true;
	return false;
}

/* The IPC namespace's parameters (ipc_namespaces(7)) besides fs/mqueue/. */
static bool sysctl_is_ipc(const char *path)
{
	static const char *const ipc[] = {
		"kernel/msgmax", "kernel/msgmnb", "kernel/msgmni", "kernel/sem",
		"kernel/shmall", "kernel/shmmax", "kernel/shmmni", "kernel/shm_rmid_forced",
	};
	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (strcmp(path, ipc[i]) == 0)
			return true;
	return path_has_prefix(path, "fs/mqueue/");
}

static int sysctl_check_namespace(const struct spec_linux *l, const char *key, const char *path,
				  struct hutch_error **err)
{
	if (sysctl_is_ipc(path)) {
		if (!has_namespace(l, SPEC_NS_IPC))
			return hutch_error_set(err, 0, "linux.sysctl: %s: needs an ipc namespace", key);
		return 0;
	}
	if (path_has_prefix(path, "net/")) {
		if (!has_namespace(l, SPEC_NS_NETWORK))
			return hutch_error_set(err, 0, "linux.sysctl: %s: needs a network namespace", key);
		return 0;
	}
	if (strcmp(path, "kernel/domainname") == 0 || strcmp(path, "kernel/hostname") == 0) {
		if (!has_namespace(l, SPEC_NS_UTS))
			return hutch_error_set(err, 0, "linux.sysctl: %s: needs a uts namespace", key);
		return 0;
	}
	return hutch_error_set(err, 0, "linux.sysctl: %s: not namespaced, it would change the host", key);
}

static int sysctl_check_key(const char *key, const char *path, struct hutch_error **err)
{
	if (key[0] == '\0')
		return hutch_error_set(err, 0, "linux.sysctl: empty key");
	if (path[0] == '/')
		return hutch_error_set(err, 0, "linux.sysctl: %s: must be relative to /proc/sys", key);
	for (const char *s = path; *s;) {
		size_t len = strcspn(s, "/");
		if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && strncmp(s, "..", 2) == 0))
			return hutch_error_set(err, 0, "linux.sysctl: %s: invalid key", key);
		s += len;
		if (*s == '/')
			s++;
		if (*s == '\0' && s[-1] == '/')
			return hutch_error_set(err, 0, "linux.sysctl: %s: invalid key", key);
	}
	return 0;
}

int sysctl_validate(const struct spec_linux *l, struct hutch_error **err)
{
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *key = l->sysctl[i].key;
		cleanup_free char *path = sysctl_path(key);
		if (sysctl_check_key(key, path, err) < 0 || sysctl_check_namespace(l, key, path, err) < 0)
			return -1;
	}
	return 0;
}

/* Through hutch's procfs (procfs.h): the container's /proc/sys may be a mount
 * over another procfs file (CVE-2025-52881). The namespaced parameters are
 * those of the writer's namespaces, whatever the procfs instance. */
static int sysctl_write(int proc, const char *key, const char *value, struct hutch_error **err)
{
	cleanup_free char *rel = sysctl_path(key);
	cleanup_free char *path = xasprintf("sys/%s", rel);
	if (procfs_write(proc, path, value, strlen(value), err) < 0)
		return hutch_error_wrap(err, "linux.sysctl: %s", key);
	return 0;
}

int sysctl_apply(const struct spec_linux *l, int proc, struct hutch_error **err)
{
	if (sysctl_validate(l, err) < 0)
		return -1;
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (sysctl_write(proc, l->sysctl[i].key, l->sysctl[i].value ? l->sysctl[i].value : "", err) < 0)
			return -1;
	return 0;
}
