#include "lsm.h"
#include "procfs.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#define APPARMOR_ENABLED "/sys/module/apparmor/parameters/enabled"
#define SELINUXFS "/sys/fs/selinux"

static bool is_set(const char *s)
{
	return s && s[0];
}

bool lsm_apparmor_enabled(void)
{
	cleanup_free char *buf = NULL;
	return read_file_at(AT_FDCWD, APPARMOR_ENABLED, &buf, NULL, NULL) == 0 && buf[0] == 'Y';
}

bool lsm_selinux_enabled(void)
{
	struct statfs sfs;
	return statfs(SELINUXFS, &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
}

int lsm_validate_process(const struct spec_process *p, struct hutch_error **err)
{
	if (p == NULL)
		return 0;
	if (is_set(p->apparmor_profile) && !lsm_apparmor_enabled())
		return hutch_error_set(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled on this host");
	if (is_set(p->selinux_label) && !lsm_selinux_enabled())
		return hutch_error_set(err, ENOTSUP, "process.selinuxLabel: SELinux is not enabled on this host");
	for (const char *s = p->apparmor_profile; s && *s; s++)
		if (*s == '\n')
			return hutch_error_set(err, EINVAL, "process.apparmorProfile: a newline in the name");
	return 0;
}

int lsm_validate(const struct spec *s, struct hutch_error **err)
{
	if (lsm_validate_process(s->process, err) < 0)
		return -1;
	if (s->linux_ && is_set(s->linux_->mount_label) && !lsm_selinux_enabled())
		return hutch_error_set(err, ENOTSUP, "linux.mountLabel: SELinux is not enabled on this host");
	if (s->linux_ && is_set(s->linux_->mount_label) && strchr(s->linux_->mount_label, '"'))
		return hutch_error_set(err, EINVAL, "linux.mountLabel: a double quote in the context");
	return 0;
}

/* Linux 5.8 gave AppArmor attributes of its own (LSM stacking); before, it
 * shares attr/exec with the other major LSM. */
static const char *apparmor_exec_attr(int proc)
{
	struct hutch_error *e = NULL;
	int fd = procfs_open_file(proc, "thread-self/attr/apparmor/exec", O_WRONLY, &e);
	hutch_error_free(e);
	if (fd < 0)
		return "thread-self/attr/exec";
	close(fd);
	return "thread-self/attr/apparmor/exec";
}

int lsm_apply_exec_labels(int proc, const struct spec_process *p, struct hutch_error **err)
{
	if (is_set(p->apparmor_profile)) {
		cleanup_free char *v = xasprintf("exec %s", p->apparmor_profile);
		if (procfs_write(proc, apparmor_exec_attr(proc), v, strlen(v), err) < 0)
			return hutch_error_wrap(err, "process.apparmorProfile %s", p->apparmor_profile);
	}
	if (is_set(p->selinux_label) &&
	    procfs_write(proc, "thread-self/attr/exec", p->selinux_label, strlen(p->selinux_label), err) < 0)
		return hutch_error_wrap(err, "process.selinuxLabel %s", p->selinux_label);
	return 0;
}

int lsm_set_keyring_label(int proc, const char *label, struct hutch_error **err)
{
	if (!lsm_selinux_enabled())
		return 0;
	cleanup_close int fd = procfs_open_file(proc, "thread-self/attr/keycreate", O_WRONLY, err);
	if (fd < 0)
		return hutch_error_wrap(err, "process.selinuxLabel: label the session keyring");
	/* A write of nothing (a real write(2) of 0 bytes) restores the default. */
	size_t len = label ? strlen(label) : 0;
	if (write(fd, label ? label : "", len) != (ssize_t)len)
		return hutch_error_errno(err, "process.selinuxLabel: label the session keyring %s", label ? label : "(default)");
	return 0;
}

char *lsm_mount_context(const struct spec_linux *l)
{
	if (l == NULL || !is_set(l->mount_label))
		return NULL;
	return xasprintf("context=\"%s\"", l->mount_label);
}
