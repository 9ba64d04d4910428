/* Unit tests of libcontainer/intelrdt.c against a directory laid out like a
 * resctrl root (this host has no resctrl): the order of the schemata lines,
 * their comparison with what the kernel prints, which groups are made, kept
 * or removed, and where the pids go. What only the kernel does (the files of
 * a new group, validating a schema) is out of reach here: a group made by
 * the code has no files, so writing to it fails, which tests the undo. */
#include "../../libcontainer/intelrdt.h"
#include "../../libcontainer/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int root;

static void put(const char *path, const char *text)
{
	int fd = openat(root, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static bool exists(const char *path)
{
	return faccessat(root, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static void test_lines(void)
{
	char *sch[] = { "L2:0=f;1=f", "MB:0=70" };
	struct spec_intel_rdt r = { .l3_cache_schema = "L3:0=7f0;1=1f", .mem_bw_schema = "MB:0=20",
				    .schemata = sch, .n_schemata = 2 };
	char **l;
	size_t n;
	intelrdt_schema_lines(&r, &l, &n);
	const char *want[] = { "L3:0=7f0;1=1f", "MB:0=20", "L2:0=f;1=f", "MB:0=70" };
	CHECK(n == 4, "%zu lines", n);
	for (size_t i = 0; i < n && i < 4; i++)
		CHECK(strcmp(l[i], want[i]) == 0, "line %zu: %s", i, l[i]);
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void test_matches(void)
{
	const char *have = "    L3:0=7f0;1=01f\n    MB:0=20;1=100\n";
	CHECK(intelrdt_schema_matches("L3:0=7f0;1=1F", have), "same L3 (case, leading zeros)");
	CHECK(intelrdt_schema_matches("MB:1=100", have), "one MB domain");
	CHECK(!intelrdt_schema_matches("L3:0=7ff", have), "other L3 mask");
	CHECK(!intelrdt_schema_matches("L2:0=f", have), "a resource it lacks");
	CHECK(!intelrdt_schema_matches("MB:2=10", have), "a domain it lacks");
	CHECK(!intelrdt_schema_matches("L3", have), "no colon");
}

static int setup(struct spec_intel_rdt *r, const char *id, char **msg)
{
	struct hutch_error *err = NULL;
	int tasks = -1;
	int rc = intelrdt_setup_at(root, r, id, &tasks, &err);
	*msg = err ? xstrdup(err->msg) : NULL;
	hutch_error_free(err);
	return rc < 0 ? -1 : tasks;
}

static void test_closid(void)
{
	char *msg = NULL;
	mkdirat(root, "grp", 0755);
	put("grp/schemata", "    L3:0=7f0;1=1f\n    MB:0=100;1=100\n");
	put("grp/tasks", "");
	struct spec_intel_rdt r = { .clos_id = "grp", .l3_cache_schema = "L3:0=7f0" };
	int t = setup(&r, "ctr", &msg);
	CHECK(t >= 0, "closID grp with a matching schema: %s", msg ? msg : "");
	free(msg);
	if (t >= 0) {
		CHECK(intelrdt_enter(t, 4242, NULL) == 0, "enter");
		close(t);
		char *buf = NULL;
		read_file_at(root, "grp/tasks", &buf, NULL, NULL);
		CHECK(buf && strcmp(buf, "4242") == 0, "tasks: [%s]", buf ? buf : "");
		free(buf);
	}
	r.l3_cache_schema = "L3:0=fff";
	t = setup(&r, "ctr", &msg);
	CHECK(t < 0 && msg && strstr(msg, "exists with other schemata"), "mismatch: %s", msg ? msg : "accepted");
	free(msg);
	CHECK(exists("grp"), "a closID group is never removed");

	struct spec_intel_rdt none = { .clos_id = "absent" };
	t = setup(&none, "ctr", &msg);
	CHECK(t < 0 && msg && strstr(msg, "no resctrl group \"absent\""), "missing closID: %s", msg ? msg : "accepted");
	free(msg);
	CHECK(!exists("absent"), "no group made without schemata");

	struct spec_intel_rdt make = { .clos_id = "newgrp", .mem_bw_schema = "MB:0=50" };
	t = setup(&make, "ctr", &msg);
	CHECK(t < 0 && msg && strstr(msg, "newgrp/schemata"), "new closID group: %s", msg ? msg : "accepted");
	free(msg);
	CHECK(exists("newgrp"), "a closID group made here stays (config-linux.md)");
}

static void test_own_group(void)
{
	char *msg = NULL;
	struct spec_intel_rdt r = { 0 };
	int t = setup(&r, "ctr1", &msg);
	CHECK(t < 0 && msg && strstr(msg, "tasks"), "own group without kernel files: %s", msg ? msg : "accepted");
	free(msg);
	CHECK(!exists("ctr1"), "the container's group is removed after a failure");
	mkdirat(root, "ctr2", 0755);
	t = setup(&r, "ctr2", &msg);
	CHECK(t < 0 && msg && strstr(msg, "already exists"), "existing own group: %s", msg ? msg : "accepted");
	free(msg);
	CHECK(exists("ctr2"), "a group hutch did not make is kept");
	CHECK(intelrdt_remove_at(root, &r, "ctr2", NULL) == 0 && !exists("ctr2"), "delete removes the container's group");
}

static void test_monitoring(void)
{
	char *msg = NULL;
	mkdirat(root, "mon", 0755);
	mkdirat(root, "mon/mon_groups", 0755);
	put("mon/schemata", "L3:0=ff\n");
	put("mon/tasks", "");
	struct spec_intel_rdt r = { .clos_id = "mon", .enable_monitoring = true };
	int t = setup(&r, "ctr", &msg);
	CHECK(t < 0 && msg && strstr(msg, "mon_groups/ctr/tasks"), "MON group: %s", msg ? msg : "accepted");
	free(msg);
	CHECK(!exists("mon/mon_groups/ctr"), "the MON group is removed after a failure");
	mkdirat(root, "mon/mon_groups/ctr", 0755);
	put("mon/mon_groups/ctr/tasks", "");
	int tasks = -1;
	CHECK(intelrdt_open_tasks_at(root, &r, "ctr", &tasks, NULL) == 0, "exec: the MON group's tasks");
	if (tasks >= 0)
		close(tasks);
	unlinkat(root, "mon/mon_groups/ctr/tasks", 0);
	CHECK(intelrdt_remove_at(root, &r, "ctr", NULL) == 0, "remove");
	CHECK(!exists("mon/mon_groups/ctr") && exists("mon"), "delete removes the MON group, keeps the closID group");
}

static void test_default_clos(void)
{
	char *msg = NULL;
	put("schemata", "    L3:0=7ff\n");
	put("tasks", "");
	struct spec_intel_rdt r = { .clos_id = "/", .l3_cache_schema = "L3:0=7ff" };
	int t = setup(&r, "ctr", &msg);
	CHECK(t >= 0, "closID / with the root's schema: %s", msg ? msg : "");
	free(msg);
	if (t >= 0)
		close(t);
	r.l3_cache_schema = "L3:0=1";
	t = setup(&r, "ctr", &msg);
	CHECK(t < 0 && msg && strstr(msg, "other schemata"), "closID / is never rewritten: %s", msg ? msg : "accepted");
	free(msg);
}

int main(void)
{
	char dir[] = "/tmp/hutch-unit-resctrl.XXXXXX";
	if (mkdtemp(dir) == NULL || (root = open(dir, O_RDONLY | O_DIRECTORY)) < 0) {
		perror("tmp dir");
		return 1;
	}
	test_lines();
	test_matches();
	test_closid();
	test_own_group();
	test_monitoring();
	test_default_clos();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_report();
}
