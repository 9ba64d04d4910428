/* Unit tests of libcontainer/procfs.c and libcontainer/paths.c: the checks
 * that keep hutch's procfs accesses and in-root resolution from being
 * redirected, each with and without openat2 (HUTCH_TEST_NO_OPENAT2=1).
 * Needs root: it makes a private mount namespace and mounts in it. Exits 77
 * (skipped) when that is not possible. */
#include "../../libcontainer/paths.h"
#include "../../libcontainer/procfs.h"
#include "../../libcontainer/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static void set_openat2(bool on)
{
	if (on)
		unsetenv("HUTCH_TEST_NO_OPENAT2");
	else
		setenv("HUTCH_TEST_NO_OPENAT2", "1", 1);
}

static const char *mode_name(bool on)
{
	return on ? "openat2" : "userspace";
}

/* A readable procfs file gives the expected content through both handles. */
static void test_read(void)
{
	for (int k = 0; k < 2; k++) {
		struct hutch_error *err = NULL;
		int proc = k == 0 ? procfs_open_private(&err) : procfs_open_mounted(&err);
		CHECK(proc >= 0, "procfs_open_%s: %s", k ? "mounted" : "private", err ? err->msg : "");
		if (proc < 0) {
			hutch_error_free(err);
			continue;
		}
		char *buf = NULL;
		CHECK(procfs_read(proc, "self/status", &buf, &err) == 0 && strstr(buf, "Name:"),
		      "read self/status: %s", err ? err->msg : "no Name:");
		free(buf);
		pid_t pid = 0;
		if (k == 1)
			CHECK(procfs_self_pid(proc, &pid, NULL) == 0 && pid == getpid(), "self pid %d", (int)pid);
		hutch_error_free(err);
		close(proc);
	}
}

/* A mount over a file of the mounted /proc (what a container could do to
 * its own) is refused; a private instance has none. */
static void test_overmount(void)
{
	CHECK(mount("/proc/self/comm", "/proc/self/oom_score_adj", NULL, MS_BIND, NULL) == 0,
	      "bind over /proc/self/oom_score_adj: %s", strerror(errno));
	for (int on = 1; on >= 0; on--) {
		set_openat2(on);
		struct hutch_error *err = NULL;
		int proc = procfs_open_mounted(&err);
		CHECK(proc >= 0, "procfs_open_mounted: %s", err ? err->msg : "");
		int fd = procfs_open_file(proc, "self/oom_score_adj", O_RDONLY, &err);
		CHECK(fd < 0 && err && strstr(err->msg, "another mount covers it"),
		      "%s: overmounted file opened (%s)", mode_name(on), err ? err->msg : "no error");
		if (fd >= 0)
			close(fd);
		hutch_error_free(err);
		err = NULL;
		close(proc);
		proc = procfs_open_private(&err);
		fd = proc < 0 ? -1 : procfs_open_file(proc, "self/oom_score_adj", O_RDONLY, &err);
		CHECK(fd >= 0, "%s: private procfs: %s", mode_name(on), err ? err->msg : "");
		if (fd >= 0)
			close(fd);
		if (proc >= 0)
			close(proc);
		hutch_error_free(err);
	}
	set_openat2(true);
	umount2("/proc/self/oom_score_adj", MNT_DETACH);
}

/* "/proc" that is not a procfs root: a tmpfs, a procfs subdirectory. */
static void test_fake_root(void)
{
	struct hutch_error *err = NULL;
	CHECK(mount("/proc/self", "/proc", NULL, MS_BIND, NULL) == 0, "bind /proc/self on /proc: %s", strerror(errno));
	CHECK(procfs_open_mounted(&err) < 0 && err && strstr(err->msg, "not the root"),
	      "a procfs subdirectory on /proc accepted (%s)", err ? err->msg : "no error");
	hutch_error_free(err);
	err = NULL;
	umount2("/proc", MNT_DETACH);
	CHECK(mount("tmpfs", "/proc", "tmpfs", 0, NULL) == 0, "tmpfs on /proc: %s", strerror(errno));
	CHECK(procfs_open_mounted(&err) < 0 && err && strstr(err->msg, "not on a procfs"),
	      "a tmpfs on /proc accepted (%s)", err ? err->msg : "no error");
	hutch_error_free(err);
	err = NULL;
	/* procfs_open falls back to a private instance */
	int proc = procfs_open(&err);
	char *buf = NULL;
	CHECK(proc >= 0 && procfs_read(proc, "self/status", &buf, NULL) == 0 && strstr(buf, "Name:"),
	      "procfs_open with a tmpfs on /proc: %s", err ? err->msg : "no status");
	free(buf);
	if (proc >= 0)
		close(proc);
	hutch_error_free(err);
	umount2("/proc", MNT_DETACH);
}

/* In-root resolution: absolute and relative symlinks out of the root, "..",
 * and a magic link all stay inside (or fail). */
static void test_in_root(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/inside", dir);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	snprintf(p, sizeof(p), "%s/abs", dir);
	CHECK(symlink("/etc", p) == 0, "symlink");
	snprintf(p, sizeof(p), "%s/rel", dir);
	CHECK(symlink("../../../../../../../etc", p) == 0, "symlink");
	snprintf(p, sizeof(p), "%s/magic", dir);
	CHECK(symlink("/proc/self/root/etc", p) == 0, "symlink");
	snprintf(p, sizeof(p), "%s/proc", dir);
	mkdir(p, 0755);
	CHECK(mount("proc", p, "proc", 0, NULL) == 0, "mount proc in the root: %s", strerror(errno));
	int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	static const char *const inside[] = { "/abs/inside", "rel/inside", "/../../etc/inside", "/abs/../../etc/inside" };
	for (int on = 1; on >= 0; on--) {
		set_openat2(on);
		for (size_t i = 0; i < ARRAY_SIZE(inside); i++) {
			int fd = path_open_in_root(root, inside[i], O_RDONLY);
			CHECK(fd >= 0, "%s: %s: %s", mode_name(on), inside[i], strerror(errno));
			if (fd >= 0)
				close(fd);
		}
		int fd = path_open_in_root(root, "/abs/passwd", O_RDONLY);
		CHECK(fd < 0 && errno == ENOENT, "%s: /abs/passwd reached the host's /etc/passwd", mode_name(on));
		if (fd >= 0)
			close(fd);
		/* openat2 refuses the magic link; the walk reads it as the text "/" */
		fd = path_open_in_root(root, "/magic/inside", O_RDONLY);
		CHECK(on ? fd < 0 && errno == ELOOP : fd >= 0, "%s: /magic/inside: fd %d, %s", mode_name(on), fd,
		      strerror(errno));
		if (fd >= 0)
			close(fd);
		/* procfs symlinks have no size (st_size 0): the walk must read them whole */
		fd = path_open_in_root(root, "/proc/self/status", O_RDONLY);
		char *status = NULL;
		CHECK(fd >= 0 && read_all_fd(fd, "status", &status, NULL, NULL) == 0, "%s: /proc/self/status", mode_name(on));
		char want[32];
		snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)getpid());
		CHECK(status && strstr(status, want), "%s: /proc/self/status is not this process's", mode_name(on));
		free(status);
		if (fd >= 0)
			close(fd);
		fd = path_open_in_root(root, "/magic/passwd", O_RDONLY);
		CHECK(fd < 0, "%s: /magic/passwd reached the host's /etc/passwd", mode_name(on));
		if (fd >= 0)
			close(fd);
	}
	set_openat2(true);
	close(root);
	snprintf(p, sizeof(p), "%s/proc", dir);
	umount2(p, MNT_DETACH);
}

int main(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "SKIP: needs root and a private mount namespace\n");
		return 77;
	}
	char dir[] = "/tmp/hutch-unit-procfs.XXXXXX";
	if (mkdtemp(dir) == NULL || mount("tmpfs", dir, "tmpfs", 0, NULL) < 0) {
		perror("tmp dir");
		return 1;
	}
	test_read();
	test_overmount();
	test_in_root(dir);
	test_fake_root();
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return check_report();
}
