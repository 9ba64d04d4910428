/* Unit tests of the config.json / process.json parser (spec/).
 * Usage: test-spec DATADIR. Prints one line per test; exits 1 on any failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/utils.h"
#include "spec/spec.h"

static const char *data_dir;
static int cur_fail;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "    %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			cur_fail++; \
		} \
	} while (0)

#define CHECK_STR(a, b) check_str(__FILE__, __LINE__, #a, (a), (b))
#define CHECK_INT(a, b) check_int(__FILE__, __LINE__, #a, (long long)(a), (long long)(b))
#define CHECK_U64(a, b) check_u64(__FILE__, __LINE__, #a, (a), (b))

static void check_str(const char *file, int line, const char *expr, const char *got, const char *want)
{
	if (got == want || (got && want && strcmp(got, want) == 0))
		return;
	fprintf(stderr, "    %s:%d: %s: got \"%s\", want \"%s\"\n", file, line, expr,
		got ? got : "(null)", want ? want : "(null)");
	cur_fail++;
}

static void check_int(const char *file, int line, const char *expr, long long got, long long want)
{
	if (got == want)
		return;
	fprintf(stderr, "    %s:%d: %s: got %lld, want %lld\n", file, line, expr, got, want);
	cur_fail++;
}

static void check_u64(const char *file, int line, const char *expr, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	fprintf(stderr, "    %s:%d: %s: got %llu, want %llu\n", file, line, expr,
		(unsigned long long)got, (unsigned long long)want);
	cur_fail++;
}

/* Test documents are written with ' for " to stay readable. */
static char *q(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static struct spec *parse_ok(const char *doc_sq)
{
	cleanup_free char *doc = q(doc_sq);
	cleanup_error struct hutch_error *err = NULL;
	struct spec *s = NULL;
	if (spec_parse(doc, strlen(doc), "config.json", &s, &err) < 0) {
		fprintf(stderr, "    unexpected error: %s\n    doc: %s\n", err ? err->msg : "?", doc);
		cur_fail++;
		return NULL;
	}
	return s;
}

static struct spec *load_data(const char *name)
{
	cleanup_close int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	cleanup_error struct hutch_error *err = NULL;
	struct spec *s = NULL;
	if (dfd < 0 || read_file_at(dfd, name, &buf, &len, &err) < 0 ||
	    spec_parse(buf, len, "config.json", &s, &err) < 0) {
		fprintf(stderr, "    %s: %s\n", name, err ? err->msg : strerror(errno));
		cur_fail++;
		return NULL;
	}
	return s;
}

static struct spec_process *load_process_data(const char *name)
{
	cleanup_close int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	cleanup_error struct hutch_error *err = NULL;
	struct spec_process *p = NULL;
	if (dfd < 0 || read_file_at(dfd, name, &buf, &len, &err) < 0 ||
	    spec_parse_process(buf, len, "process.json", &p, &err) < 0) {
		fprintf(stderr, "    %s: %s\n", name, err ? err->msg : strerror(errno));
		cur_fail++;
		return NULL;
	}
	return p;
}

static void expect_error_doc(const char *doc, bool process, const char *want)
{
	cleanup_error struct hutch_error *err = NULL;
	int r;
	void *out = (void *)0x1;
	if (process)
		r = spec_parse_process(doc, strlen(doc), "process.json", (struct spec_process **)&out, &err);
	else
		r = spec_parse(doc, strlen(doc), "config.json", (struct spec **)&out, &err);
	if (r == 0) {
		fprintf(stderr, "    parse succeeded, want error \"%s\"\n    doc: %s\n", want, doc);
		cur_fail++;
		if (process)
			spec_process_free(out);
		else
			spec_free(out);
		return;
	}
	CHECK(out == (void *)0x1);
	CHECK(err != NULL);
	if (err)
		CHECK_STR(err->msg, want);
}

static void expect_error(const char *doc_sq, const char *want)
{
	cleanup_free char *doc = q(doc_sq);
	expect_error_doc(doc, false, want);
}

static void expect_process_error(const char *doc_sq, const char *want)
{
	cleanup_free char *doc = q(doc_sq);
	expect_error_doc(doc, true, want);
}

#define BASE "'ociVersion':'1.3.0','root':{'path':'rootfs'}"
#define PROC "'process':{'cwd':'/','args':['sh']}"

/* ---- the full config: every field of runtime-spec 1.3 for Linux ---- */

static void check_all_process(const struct spec_process *p)
{
	CHECK(p->terminal);
	CHECK(p->has_console_size);
	CHECK_INT(p->console_height, 25);
	CHECK_INT(p->console_width, 80);
	CHECK_INT(p->user.uid, 1000);
	CHECK_INT(p->user.gid, 1001);
	CHECK(p->user.has_umask);
	CHECK_INT(p->user.umask, 18);
	CHECK_INT(p->user.n_additional_gids, 3);
	CHECK_INT(p->user.additional_gids[2], 4294967295u);
	CHECK_STR(p->user.username, "u");
	CHECK_INT(p->n_args, 3);
	CHECK_STR(p->args[0], "/bin/sh");
	CHECK_STR(p->args[2], "echo hi");
	CHECK(p->args[3] == NULL);
	CHECK_STR(p->command_line, "cmd.exe");
	CHECK_INT(p->n_env, 2);
	CHECK_STR(p->env[1], "TERM=xterm");
	CHECK(p->env[2] == NULL);
	CHECK_STR(p->cwd, "/work");
	const struct spec_capabilities *c = p->capabilities;
	CHECK(c != NULL);
	if (c) {
		CHECK(c->has_bounding && c->has_effective && c->has_inheritable && c->has_permitted &&
		      c->has_ambient);
		CHECK_INT(c->n_bounding, 2);
		CHECK_STR(c->bounding[1], "CAP_KILL");
		CHECK_INT(c->n_effective, 1);
		CHECK_INT(c->n_inheritable, 0);
		CHECK(c->inheritable != NULL && c->inheritable[0] == NULL);
		CHECK_INT(c->n_permitted, 2);
		CHECK_STR(c->ambient[0], "CAP_KILL");
	}
	CHECK_INT(p->n_rlimits, 2);
	CHECK_STR(p->rlimits[0].type, "RLIMIT_NOFILE");
	CHECK_INT(p->rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_U64(p->rlimits[0].hard, 4096);
	CHECK_U64(p->rlimits[0].soft, 1024);
	CHECK_INT(p->rlimits[1].resource, RLIMIT_CORE);
	CHECK_U64(p->rlimits[1].hard, UINT64_MAX);
	CHECK(p->no_new_privileges);
	CHECK_STR(p->apparmor_profile, "acme");
	CHECK(p->has_oom_score_adj);
	CHECK_INT(p->oom_score_adj, -500);
	CHECK_STR(p->selinux_label, "system_u:system_r:container_t:s0");
}

static void check_all_process_sched(const struct spec_process *p)
{
	const struct spec_scheduler *s = p->scheduler;
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(s->policy, "SCHED_DEADLINE");
		CHECK_INT(s->nice, -5);
		CHECK_INT(s->priority, 10);
		CHECK_INT(s->n_flags, 2);
		CHECK_STR(s->flags[1], "SCHED_FLAG_RECLAIM");
		CHECK_U64(s->runtime, 1000000);
		CHECK_U64(s->deadline, 2000000);
		CHECK_U64(s->period, 3000000);
	}
	CHECK(p->io_priority != NULL);
	if (p->io_priority) {
		CHECK_STR(p->io_priority->class, "IOPRIO_CLASS_BE");
		CHECK_INT(p->io_priority->priority, 4);
	}
	CHECK(p->exec_cpu_affinity != NULL);
	if (p->exec_cpu_affinity) {
		CHECK_STR(p->exec_cpu_affinity->initial, "7");
		CHECK_STR(p->exec_cpu_affinity->final, "0-3,7");
	}
}

static void check_all_top(const struct spec *s)
{
	CHECK_STR(s->oci_version, "1.3.0");
	CHECK_STR(s->root->path, "rootfs");
	CHECK(s->root->readonly);
	CHECK_STR(s->hostname, "host1");
	CHECK_STR(s->domainname, "example.test");
	CHECK_INT(s->n_mounts, 3);
	CHECK_STR(s->mounts[0].destination, "/proc");
	CHECK_STR(s->mounts[0].type, "proc");
	CHECK_STR(s->mounts[0].source, "proc");
	CHECK(s->mounts[0].options == NULL);
	const struct spec_mount *m = &s->mounts[1];
	CHECK_INT(m->n_options, 2);
	CHECK_STR(m->options[1], "ridmap");
	CHECK(m->options[2] == NULL);
	CHECK_INT(m->n_uid_mappings, 1);
	CHECK_INT(m->uid_mappings[0].host_id, 100000);
	CHECK_INT(m->uid_mappings[0].size, 65536);
	CHECK_INT(m->n_gid_mappings, 1);
	CHECK_INT(m->gid_mappings[0].host_id, 200000);
	/* null reads as absent */
	CHECK(s->mounts[2].type == NULL && s->mounts[2].source == NULL);
	CHECK(s->mounts[2].options == NULL && s->mounts[2].n_options == 0);
	CHECK_INT(s->n_annotations, 2);
	CHECK_STR(s->annotations[0].key, "com.example.a");
	CHECK_STR(s->annotations[0].value, "1");
	CHECK_STR(s->annotations[1].key, "com.example.b");
	CHECK_STR(s->annotations[1].value, "");
}

static void check_all_hooks(const struct spec_hooks *h)
{
	CHECK_INT(h->n_prestart, 1);
	CHECK_STR(h->prestart[0].path, "/usr/bin/pre");
	CHECK_INT(h->prestart[0].n_args, 2);
	CHECK_STR(h->prestart[0].args[1], "a");
	CHECK(h->prestart[0].args[2] == NULL);
	CHECK_INT(h->prestart[0].n_env, 1);
	CHECK_STR(h->prestart[0].env[0], "K=V");
	CHECK(h->prestart[0].env[1] == NULL);
	CHECK(h->prestart[0].has_timeout);
	CHECK_INT(h->prestart[0].timeout, 5);
	CHECK_INT(h->n_create_runtime, 2);
	CHECK_STR(h->create_runtime[1].path, "/bin/cr2");
	CHECK(h->create_runtime[1].args == NULL && !h->create_runtime[1].has_timeout);
	CHECK_INT(h->n_create_container, 1);
	CHECK_STR(h->create_container[0].path, "/bin/cc");
	CHECK_INT(h->n_start_container, 1);
	CHECK_STR(h->start_container[0].path, "/bin/sc");
	CHECK_INT(h->n_poststart, 1);
	CHECK_INT(h->poststart[0].timeout, 1);
	CHECK_INT(h->n_poststop, 1);
	CHECK_STR(h->poststop[0].args[0], "pst");
}

static void check_all_linux(const struct spec *s)
{
	const struct spec_linux *l = s->linux_;
	CHECK_INT(l->n_uid_mappings, 1);
	CHECK_INT(l->uid_mappings[0].container_id, 0);
	CHECK_INT(l->uid_mappings[0].host_id, 1000);
	CHECK_INT(l->uid_mappings[0].size, 32000);
	CHECK_INT(l->gid_mappings[0].size, 32001);
	CHECK_INT(l->n_sysctl, 2);
	CHECK_STR(l->sysctl[0].key, "net.ipv4.ip_forward");
	CHECK_STR(l->sysctl[1].value, "4096");
	CHECK_STR(l->cgroups_path, "/myRuntime/myContainer");
	CHECK_INT(l->n_namespaces, 8);
	CHECK_INT(l->namespaces[0].type, SPEC_NS_PID);
	CHECK(l->namespaces[0].path == NULL);
	CHECK_INT(l->namespaces[1].type, SPEC_NS_NETWORK);
	CHECK_STR(l->namespaces[1].path, "/var/run/netns/neta");
	CHECK_INT(l->namespaces[7].type, SPEC_NS_TIME);
	const struct spec_namespace *ns = spec_find_namespace(s, SPEC_NS_NETWORK);
	CHECK(ns == &l->namespaces[1]);
	CHECK_INT(l->n_time_offsets, 2);
	CHECK_STR(l->time_offsets[0].clock, "monotonic");
	CHECK_INT(l->time_offsets[0].secs, 172800);
	CHECK_INT(l->time_offsets[0].nanosecs, 5);
	CHECK_STR(l->time_offsets[1].clock, "boottime");
	CHECK_INT(l->time_offsets[1].secs, -604800);
	CHECK_INT(l->n_devices, 3);
	CHECK_STR(l->devices[0].path, "/dev/fuse");
	CHECK_STR(l->devices[0].type, "c");
	CHECK_INT(l->devices[0].major, 10);
	CHECK_INT(l->devices[0].minor, 229);
	CHECK(l->devices[0].has_file_mode && l->devices[0].has_uid && l->devices[0].has_gid);
	CHECK_INT(l->devices[0].file_mode, 438);
	CHECK_INT(l->devices[0].gid, 5);
	CHECK(!l->devices[1].has_file_mode && !l->devices[1].has_uid);
	CHECK_STR(l->devices[2].type, "p");
	CHECK_INT(l->n_net_devices, 2);
	CHECK_STR(l->net_devices[0].host_name, "eth0");
	CHECK_STR(l->net_devices[0].name, "container_eth0");
	CHECK_STR(l->net_devices[1].host_name, "ens4");
	CHECK(l->net_devices[1].name == NULL);
	CHECK_STR(l->rootfs_propagation, "slave");
	CHECK_INT(l->n_masked_paths, 2);
	CHECK_STR(l->masked_paths[1], "/proc/keys");
	CHECK_INT(l->n_readonly_paths, 1);
	CHECK_STR(l->readonly_paths[0], "/proc/sys");
	CHECK_STR(l->mount_label, "system_u:object_r:container_file_t:s0");
}

static void check_all_linux_misc(const struct spec_linux *l)
{
	const struct spec_intel_rdt *r = l->intel_rdt;
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->clos_id, "guaranteed_group");
		CHECK_STR(r->l3_cache_schema, "L3:0=7f0;1=1f");
		CHECK_STR(r->mem_bw_schema, "MB:0=20;1=70");
		CHECK_INT(r->n_schemata, 1);
		CHECK_STR(r->schemata[0], "L2:0=f");
		CHECK(r->enable_monitoring && r->enable_cmt && !r->enable_mbm);
	}
	CHECK(l->personality != NULL);
	if (l->personality) {
		CHECK_STR(l->personality->domain, "LINUX32");
		CHECK_INT(l->personality->n_flags, 0);
	}
	CHECK(l->memory_policy != NULL);
	if (l->memory_policy) {
		CHECK_STR(l->memory_policy->mode, "MPOL_INTERLEAVE");
		CHECK_STR(l->memory_policy->nodes, "2-3");
		CHECK_STR(l->memory_policy->flags[0], "MPOL_F_STATIC_NODES");
	}
}

static void check_all_seccomp(const struct spec_seccomp *sc)
{
	CHECK_STR(sc->default_action, "SCMP_ACT_ERRNO");
	CHECK(sc->has_default_errno_ret);
	CHECK_INT(sc->default_errno_ret, 38);
	CHECK_INT(sc->n_architectures, 2);
	CHECK_STR(sc->architectures[1], "SCMP_ARCH_X86");
	CHECK_INT(sc->n_flags, 1);
	CHECK_STR(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
	CHECK_STR(sc->listener_path, "/run/agent.sock");
	CHECK_STR(sc->listener_metadata, "meta");
	CHECK_INT(sc->n_syscalls, 2);
	CHECK_INT(sc->syscalls[0].n_names, 2);
	CHECK_STR(sc->syscalls[0].names[1], "chmod");
	CHECK_STR(sc->syscalls[0].action, "SCMP_ACT_ALLOW");
	CHECK(!sc->syscalls[0].has_errno_ret);
	const struct spec_syscall *sy = &sc->syscalls[1];
	CHECK(sy->has_errno_ret);
	CHECK_INT(sy->errno_ret, 1);
	CHECK_INT(sy->n_args, 2);
	CHECK_INT(sy->args[0].index, 0);
	CHECK_U64(sy->args[0].value, 8);
	CHECK_U64(sy->args[0].value_two, 0);
	CHECK_STR(sy->args[0].op, "SCMP_CMP_EQ");
	CHECK_INT(sy->args[1].index, 1);
	CHECK_U64(sy->args[1].value, UINT64_MAX);
	CHECK_U64(sy->args[1].value_two, 3);
	CHECK_STR(sy->args[1].op, "SCMP_CMP_MASKED_EQ");
}

static void check_all_resources(const struct spec_resources *r)
{
	CHECK_INT(r->n_devices, 3);
	CHECK(!r->devices[0].allow);
	CHECK(r->devices[0].type == NULL && !r->devices[0].has_major && !r->devices[0].has_minor);
	CHECK_STR(r->devices[0].access, "rwm");
	CHECK(r->devices[1].allow && r->devices[1].has_major && r->devices[1].has_minor);
	CHECK_STR(r->devices[1].type, "c");
	CHECK_INT(r->devices[1].major, 10);
	CHECK_INT(r->devices[1].minor, 229);
	CHECK(r->devices[2].has_major && !r->devices[2].has_minor);
	CHECK(r->devices[2].access == NULL);
	const struct spec_memory *m = r->memory;
	CHECK(m->has_limit && m->has_reservation && m->has_swap && m->has_kernel &&
	      m->has_kernel_tcp && m->has_swappiness && m->has_disable_oom_killer &&
	      m->has_use_hierarchy && m->has_check_before_update);
	CHECK_INT(m->limit, 536870912);
	CHECK_INT(m->reservation, 268435456);
	CHECK_INT(m->swap, -1);
	CHECK_INT(m->kernel, -1);
	CHECK_INT(m->kernel_tcp, 1000);
	CHECK_U64(m->swappiness, 60);
	CHECK(m->disable_oom_killer && !m->use_hierarchy && m->check_before_update);
	const struct spec_cpu *c = r->cpu;
	CHECK(c->has_shares && c->has_quota && c->has_burst && c->has_period &&
	      c->has_realtime_runtime && c->has_realtime_period && c->has_idle);
	CHECK_U64(c->shares, 1024);
	CHECK_INT(c->quota, 100000);
	CHECK_U64(c->burst, 5000);
	CHECK_U64(c->period, 100000);
	CHECK_INT(c->realtime_runtime, 950000);
	CHECK_U64(c->realtime_period, 1000000);
	CHECK_INT(c->idle, 1);
	CHECK_STR(c->cpus, "0-3");
	CHECK_STR(c->mems, "0");
	CHECK(r->has_pids_limit);
	CHECK_INT(r->pids_limit, -1);
}

static void check_all_resources2(const struct spec_resources *r)
{
	const struct spec_block_io *b = r->block_io;
	CHECK(b->has_weight && b->has_leaf_weight);
	CHECK_INT(b->weight, 10);
	CHECK_INT(b->leaf_weight, 65535);
	CHECK_INT(b->n_weight_device, 2);
	CHECK_INT(b->weight_device[0].minor, 0);
	CHECK_INT(b->weight_device[0].weight, 500);
	CHECK_INT(b->weight_device[0].leaf_weight, 300);
	CHECK(b->weight_device[1].has_weight && !b->weight_device[1].has_leaf_weight);
	CHECK_INT(b->weight_device[1].minor, 16);
	CHECK_INT(b->n_throttle_read_bps, 1);
	CHECK_U64(b->throttle_read_bps[0].rate, 600);
	CHECK_INT(b->throttle_write_bps[0].minor, 1);
	CHECK_U64(b->throttle_write_bps[0].rate, 700);
	CHECK_U64(b->throttle_read_iops[0].rate, 800);
	CHECK_INT(b->n_throttle_write_iops, 1);
	CHECK_INT(b->throttle_write_iops[0].minor, 3);
	CHECK_U64(b->throttle_write_iops[0].rate, 900);
	CHECK_INT(r->n_hugepage_limits, 2);
	CHECK_STR(r->hugepage_limits[0].page_size, "2MB");
	CHECK_U64(r->hugepage_limits[0].limit, 9223372036854772000ull);
	CHECK_STR(r->hugepage_limits[1].page_size, "1GB");
	CHECK(r->network->has_class_id);
	CHECK_INT(r->network->class_id, 1048577);
	CHECK_INT(r->network->n_priorities, 2);
	CHECK_STR(r->network->priorities[1].name, "eth1");
	CHECK_INT(r->network->priorities[1].priority, 1000);
	CHECK_INT(r->n_rdma, 2);
	CHECK_STR(r->rdma[0].device, "mlx5_1");
	CHECK(r->rdma[0].has_hca_handles && r->rdma[0].has_hca_objects);
	CHECK_INT(r->rdma[0].hca_handles, 3);
	CHECK_INT(r->rdma[0].hca_objects, 10000);
	CHECK_STR(r->rdma[1].device, "mlx4_0");
	CHECK(!r->rdma[1].has_hca_handles && r->rdma[1].has_hca_objects);
	CHECK_INT(r->n_unified, 2);
	CHECK_STR(r->unified[0].key, "memory.high");
	CHECK_STR(r->unified[1].value, "default 100");
}

static void test_all_fields(void)
{
	cleanup_spec struct spec *s = load_data("all-fields-config.json");
	if (s == NULL)
		return;
	CHECK(s->process && s->root && s->hooks && s->linux_);
	if (!s->process || !s->root || !s->hooks || !s->linux_)
		return;
	check_all_top(s);
	check_all_process(s->process);
	check_all_process_sched(s->process);
	check_all_hooks(s->hooks);
	check_all_linux(s);
	check_all_linux_misc(s->linux_);
	CHECK(s->linux_->seccomp && s->linux_->resources);
	if (s->linux_->seccomp)
		check_all_seccomp(s->linux_->seccomp);
	if (s->linux_->resources && s->linux_->resources->memory && s->linux_->resources->cpu &&
	    s->linux_->resources->block_io && s->linux_->resources->network) {
		check_all_resources(s->linux_->resources);
		check_all_resources2(s->linux_->resources);
	} else {
		CHECK(!"resources sub-objects missing");
	}
}

/* ---- configs real clients produce ---- */

static void test_config_md_example(void)
{
	cleanup_spec struct spec *s = load_data("config-md-example.json");
	if (!s)
		return;
	CHECK_STR(s->oci_version, "1.0.1");
	CHECK_INT(s->n_mounts, 7);
	CHECK_INT(s->process->user.n_additional_gids, 2);
	CHECK_INT(s->process->n_rlimits, 2);
	CHECK_STR(s->process->io_priority->class, "IOPRIO_CLASS_IDLE");
	CHECK_INT(s->hooks->n_prestart, 2);
	CHECK_INT(s->hooks->poststart[0].timeout, 5);
	CHECK_INT(s->linux_->n_namespaces, 8);
	CHECK_INT(s->linux_->resources->n_devices, 3);
	CHECK_INT(s->linux_->resources->block_io->n_throttle_write_iops, 1);
	CHECK_INT(s->linux_->n_time_offsets, 2);
	CHECK_INT(s->n_annotations, 2);
}

static void test_runc_spec(void)
{
	cleanup_spec struct spec *s = load_data("runc-spec-config.json");
	if (!s)
		return;
	CHECK(s->process->terminal);
	CHECK_STR(s->process->args[0], "sh");
	CHECK(s->process->args[1] == NULL);
	CHECK_STR(s->root->path, "rootfs");
	CHECK(s->root->readonly);
	CHECK_INT(s->n_mounts, 7);
	CHECK_INT(s->linux_->n_namespaces, 5);
	CHECK(spec_find_namespace(s, SPEC_NS_USER) == NULL);
	CHECK(spec_find_namespace(s, SPEC_NS_MOUNT) != NULL);
	CHECK_INT(s->linux_->n_masked_paths, 10);
	CHECK_INT(s->linux_->resources->n_devices, 1);
	CHECK(!s->linux_->resources->devices[0].allow);

	cleanup_spec struct spec *r = load_data("runc-spec-rootless-config.json");
	if (!r)
		return;
	CHECK(spec_find_namespace(r, SPEC_NS_USER) != NULL);
	CHECK(spec_find_namespace(r, SPEC_NS_NETWORK) == NULL);
	CHECK_INT(r->linux_->n_uid_mappings, 1);
	CHECK_INT(r->linux_->uid_mappings[0].size, 1);
}

static void test_podman(void)
{
	cleanup_spec struct spec *s = load_data("podman-run-config.json");
	if (!s)
		return;
	CHECK(s->process->user.has_umask);
	CHECK_INT(s->process->user.umask, 18);
	CHECK_INT(s->process->n_rlimits, 2);
	CHECK_INT(s->process->rlimits[1].resource, RLIMIT_NPROC);
	CHECK(s->linux_->resources->has_pids_limit);
	CHECK_INT(s->linux_->resources->pids_limit, 2048);
	const struct spec_seccomp *sc = s->linux_->seccomp;
	CHECK_STR(sc->default_action, "SCMP_ACT_ERRNO");
	CHECK_INT(sc->default_errno_ret, 38);
	CHECK_INT(sc->n_architectures, 3);
	CHECK_INT(sc->n_syscalls, 19);
	CHECK_STR(sc->syscalls[0].names[0], "bdflush");
	CHECK_INT(s->n_annotations, 8);
	CHECK_STR(s->annotations[7].key, "org.opencontainers.image.stopSignal");

	cleanup_spec struct spec *p = load_data("podman-privileged-config.json");
	if (!p)
		return;
	CHECK_INT(p->linux_->n_devices, 101);
	CHECK_STR(p->linux_->devices[0].path, "/dev/autofs");
	CHECK_INT(p->linux_->devices[0].file_mode, 8612);
	CHECK_INT(p->process->capabilities->n_bounding, 40);
}

static void test_ctr_umoci(void)
{
	cleanup_spec struct spec *s = load_data("ctr-run-config.json");
	if (!s)
		return;
	CHECK_STR(s->linux_->cgroups_path, "/hutch/t-echo");
	CHECK_INT(s->linux_->resources->n_devices, 10);
	CHECK_INT(s->linux_->resources->devices[1].major, 1);
	CHECK_INT(s->linux_->resources->devices[1].minor, 3);
	CHECK_STR(s->process->args[1], "hi");

	cleanup_spec struct spec *u = load_data("umoci-unpack-config.json");
	cleanup_spec struct spec *ur = load_data("umoci-unpack-rootless-config.json");
	if (!u || !ur)
		return;
	CHECK_STR(u->process->args[0], "/bin/sh");
	CHECK(spec_find_namespace(ur, SPEC_NS_USER) != NULL);
	CHECK_INT(ur->linux_->n_gid_mappings, 1);
}

static void test_process_json(void)
{
	cleanup_spec_process struct spec_process *p = load_process_data("podman-exec-process.json");
	cleanup_spec_process struct spec_process *t = load_process_data("ctr-exec-tty-process.json");
	if (!p || !t)
		return;
	CHECK_INT(p->user.uid, 1000);
	CHECK_INT(p->n_args, 3);
	CHECK(p->args[3] == NULL);
	CHECK_INT(p->n_env, 5);
	CHECK_STR(p->env[4], "HOME=");
	CHECK(p->env[5] == NULL);
	CHECK_STR(p->cwd, "/tmp");
	CHECK(!p->terminal);
	CHECK(t->terminal);
	CHECK_INT(t->user.n_additional_gids, 1);
	CHECK(t->no_new_privileges);
	CHECK(t->capabilities->has_bounding && !t->capabilities->has_ambient);
}

/* ---- extensibility and null ---- */

static void test_unknown_ignored(void)
{
	cleanup_spec struct spec *s = parse_ok("{" BASE ",'x-future':{'a':[1,{'b':null}]},"
		"'process':{'cwd':'/','args':['sh'],'newThing':42,'user':{'uid':1,'gid':2,'sid':'S-1'}},"
		"'mounts':[{'destination':'/a','weird':[true]}],"
		"'linux':{'namespaces':[{'type':'pid','extra':1}],'resources':{'misc':{'x':1},"
		"'memory':{'limit':1,'newKnob':'x'}},'vendorThing':{}},"
		"'hooks':{'preStart':'ignored','prestart':[{'path':'/x','what':1}]}}");
	if (!s)
		return;
	CHECK_INT(s->process->user.uid, 1);
	CHECK_INT(s->n_mounts, 1);
	CHECK_INT(s->linux_->resources->memory->limit, 1);
	CHECK_INT(s->hooks->n_prestart, 1);
}

static void test_null_is_absent(void)
{
	cleanup_spec struct spec *s = parse_ok("{" BASE ",'hostname':null,'domainname':null,"
		"'mounts':null,'hooks':null,'annotations':null,"
		"'process':{'cwd':'/','args':['sh'],'env':null,'capabilities':null,'terminal':null,"
		"'oomScoreAdj':null,'consoleSize':null,'user':{'uid':0,'gid':0,'umask':null}},"
		"'linux':{'namespaces':null,'resources':{'memory':{'limit':null},'pids':null},"
		"'seccomp':null,'timeOffsets':null}}");
	if (!s)
		return;
	CHECK(s->hostname == NULL && s->domainname == NULL && s->mounts == NULL);
	CHECK(s->hooks == NULL && s->annotations == NULL && s->n_annotations == 0);
	CHECK(s->process->env == NULL && s->process->n_env == 0);
	CHECK(s->process->capabilities == NULL);
	CHECK(!s->process->terminal && !s->process->has_oom_score_adj);
	CHECK(!s->process->has_console_size && !s->process->user.has_umask);
	CHECK(s->linux_->namespaces == NULL && s->linux_->seccomp == NULL);
	CHECK(!s->linux_->resources->memory->has_limit);
	CHECK(!s->linux_->resources->has_pids_limit);

	cleanup_spec struct spec *m = parse_ok("{" BASE "}");
	if (!m)
		return;
	CHECK(m->process == NULL && m->linux_ == NULL && m->hooks == NULL);
	CHECK(spec_find_namespace(m, SPEC_NS_PID) == NULL);
}

/* ---- error messages ---- */

static void test_errors_types(void)
{
	expect_error("{" BASE ",'process':{'cwd':'/','args':'sh'}}",
		     "config.json: process.args: expected array of strings");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh',1]}}",
		     "config.json: process.args: expected array of strings");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh',null]}}",
		     "config.json: process.args: expected array of strings");
	expect_error("{" BASE ",'mounts':[{'destination':'/a'},{'destination':'/b'},{'destination':5}]}",
		     "config.json: mounts[2].destination: expected string");
	expect_error("{" BASE ",'mounts':{}}", "config.json: mounts: expected array");
	expect_error("{" BASE ",'mounts':['/a']}", "config.json: mounts[0]: expected object");
	expect_error("{" BASE ",'process':[]}", "config.json: process: expected object");
	expect_error("{" BASE ",'hostname':7}", "config.json: hostname: expected string");
	expect_error("{'ociVersion':1,'root':{'path':'r'}}", "config.json: ociVersion: expected string");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'terminal':'yes'}}",
		     "config.json: process.terminal: expected boolean");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'terminal':1}}",
		     "config.json: process.terminal: expected boolean");
	expect_error("{" BASE ",'annotations':{'a':'1','b':2}}",
		     "config.json: annotations[\"b\"]: expected string");
	expect_error("{" BASE ",'linux':{'sysctl':{'net.ipv4.ip_forward':1}}}",
		     "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected string");
	expect_error("{" BASE ",'linux':{'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0,"
		     "'weight':1},{'major':8,'minor':1,'weight':70000}]}}}}",
		     "config.json: linux.resources.blockIO.weightDevice[1].weight: expected uint16");
	expect_error("{" BASE ",'linux':{'resources':{'memory':{'limit':'1g'}}}}",
		     "config.json: linux.resources.memory.limit: expected int64");
	expect_error("{" BASE ",'linux':{'resources':{'rdma':{'mlx5':{'hcaHandles':-1}}}}}",
		     "config.json: linux.resources.rdma[\"mlx5\"].hcaHandles: expected uint32");
	expect_error("{" BASE ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':"
		     "[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1}]}]}}}",
		     "config.json: linux.seccomp.syscalls[0].args[0].op: required");
	expect_error("{" BASE ",'linux':{'netDevices':{'eth0':{'name':3}}}}",
		     "config.json: linux.netDevices[\"eth0\"].name: expected string");
	expect_error("{" BASE ",'linux':{'netDevices':{'eth0':'x'}}}",
		     "config.json: linux.netDevices[\"eth0\"]: expected object");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'user':{'uid':0,'gid':0,"
		     "'additionalGids':[1,-1]}}}",
		     "config.json: process.user.additionalGids: expected array of uint32");
}

static void test_errors_integers(void)
{
	static const char *const bad_u32[] = { "-1", "4294967296", "1.0", "1e3", "'0'", "true",
					       "18446744073709551616", "[]" };
	for (size_t i = 0; i < sizeof(bad_u32) / sizeof(bad_u32[0]); i++) {
		cleanup_free char *doc = xasprintf("{" BASE ",'process':{'cwd':'/','args':['sh'],"
						   "'user':{'uid':%s,'gid':0}}}", bad_u32[i]);
		expect_error(doc, "config.json: process.user.uid: expected uint32");
	}
	cleanup_spec struct spec *s = parse_ok("{" BASE ",'process':{'cwd':'/','args':['sh'],"
		"'user':{'uid':4294967295,'gid':0},'oomScoreAdj':-2147483648,"
		"'rlimits':[{'type':'RLIMIT_CPU','soft':18446744073709551615,'hard':0}]},"
		"'linux':{'resources':{'memory':{'limit':-9223372036854775808,"
		"'swap':9223372036854775807}}}}");
	if (s) {
		CHECK_INT(s->process->user.uid, 4294967295u);
		CHECK_INT(s->process->oom_score_adj, -2147483647 - 1);
		CHECK_U64(s->process->rlimits[0].soft, UINT64_MAX);
		CHECK_INT(s->linux_->resources->memory->limit, INT64_MIN);
		CHECK_INT(s->linux_->resources->memory->swap, INT64_MAX);
	}
	expect_error("{" BASE ",'linux':{'resources':{'memory':{'limit':9223372036854775808}}}}",
		     "config.json: linux.resources.memory.limit: expected int64");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_CPU',"
		     "'soft':1,'hard':-1}]}}", "config.json: process.rlimits[0].hard: expected uint64");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'oomScoreAdj':2147483648}}",
		     "config.json: process.oomScoreAdj: expected int");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'scheduler':{'policy':'SCHED_RR',"
		     "'nice':-2147483649}}}", "config.json: process.scheduler.nice: expected int32");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'consoleSize':{'height':-1,"
		     "'width':1}}}", "config.json: process.consoleSize.height: expected uint");
	expect_error("{" BASE ",'linux':{'timeOffsets':{'boottime':{'nanosecs':-5}}}}",
		     "config.json: linux.timeOffsets[\"boottime\"].nanosecs: expected uint32");
	/* json-c would clamp these to UINT64_MAX and INT64_MIN: they must not pass. */
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_CPU',"
		     "'soft':1,'hard':18446744073709551616}]}}",
		     "config.json: process.rlimits[0].hard: expected uint64");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_CPU',"
		     "'soft':99999999999999999999999999,'hard':1}]}}",
		     "config.json: process.rlimits[0].soft: expected uint64");
	expect_error("{" BASE ",'linux':{'resources':{'memory':{'limit':-9223372036854775809}}}}",
		     "config.json: linux.resources.memory.limit: expected int64");
	/* The same digits in a string, or in a field hutch does not know, are fine. */
	cleanup_spec struct spec *big = parse_ok("{" BASE ",'annotations':{'n':'18446744073709551616'},"
		"'future':[18446744073709551616,-9223372036854775809e0],"
		"'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_CPU',"
		"'soft':18446744073709551615,'hard':18446744073709551615}]}}");
	if (big) {
		CHECK_STR(big->annotations[0].value, "18446744073709551616");
		CHECK_U64(big->process->rlimits[0].hard, UINT64_MAX);
	}
}

static void test_errors_required(void)
{
	expect_error("{'root':{'path':'r'}}", "config.json: ociVersion: required");
	expect_error("{'ociVersion':null,'root':{'path':'r'}}", "config.json: ociVersion: required");
	expect_error("{'ociVersion':'1.0.0'}", "config.json: root: required");
	expect_error("{'ociVersion':'1.0.0','root':{'readonly':true}}", "config.json: root.path: required");
	expect_error("{'ociVersion':'1.0.0','root':{'path':''}}", "config.json: root.path: must not be empty");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'capabilities':{'bounding':"
		     "['CAP_KILL','CAP_CHOWN\\u0000x']}}}",
		     "config.json: process.capabilities.bounding[1]: contains a NUL byte");
	expect_error("{" BASE ",'hostname':'a\\u0000b'}", "config.json: hostname: contains a NUL byte");
	expect_error("{" BASE ",'annotations':{'k':'\\u0000'}}",
		     "config.json: annotations[\"k\"]: contains a NUL byte");
	expect_error("{" BASE ",'process':{'args':['sh']}}", "config.json: process.cwd: required");
	expect_error("{" BASE ",'process':{'cwd':'/'}}", "config.json: process.args: required");
	expect_error("{" BASE ",'process':{'cwd':'/','args':[]}}",
		     "config.json: process.args: must not be empty");
	expect_error("{" BASE ",'process':{'cwd':'tmp','args':['sh']}}",
		     "config.json: process.cwd: must be an absolute path");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'user':{'gid':0}}}",
		     "config.json: process.user.uid: required");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'consoleSize':{'height':1}}}",
		     "config.json: process.consoleSize.width: required");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_CPU',"
		     "'hard':1}]}}", "config.json: process.rlimits[0].soft: required");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'scheduler':{'nice':1}}}",
		     "config.json: process.scheduler.policy: required");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'ioPriority':{'priority':1}}}",
		     "config.json: process.ioPriority.class: required");
	expect_error("{" BASE ",'mounts':[{'type':'tmpfs'}]}", "config.json: mounts[0].destination: required");
	expect_error("{" BASE ",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,"
		     "'hostID':1,'size':1}]}]}",
		     "config.json: mounts[0].gidMappings: required when uidMappings is set");
	expect_error("{" BASE ",'linux':{'uidMappings':[{'containerID':0,'hostID':1}]}}",
		     "config.json: linux.uidMappings[0].size: required");
	expect_error("{" BASE ",'linux':{'namespaces':[{'path':'/proc/1/ns/pid'}]}}",
		     "config.json: linux.namespaces[0].type: required");
	expect_error("{" BASE ",'linux':{'devices':[{'path':'/dev/x','type':'c','major':1}]}}",
		     "config.json: linux.devices[0].minor: required");
	expect_error("{" BASE ",'linux':{'devices':[{'type':'c','major':1,'minor':1}]}}",
		     "config.json: linux.devices[0].path: required");
	expect_error("{" BASE ",'linux':{'resources':{'devices':[{'access':'rwm'}]}}}",
		     "config.json: linux.resources.devices[0].allow: required");
	expect_error("{" BASE ",'linux':{'resources':{'hugepageLimits':[{'limit':1}]}}}",
		     "config.json: linux.resources.hugepageLimits[0].pageSize: required");
	expect_error("{" BASE ",'linux':{'seccomp':{'syscalls':[]}}}",
		     "config.json: linux.seccomp.defaultAction: required");
	expect_error("{" BASE ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':"
		     "[{'names':[],'action':'SCMP_ACT_LOG'}]}}}",
		     "config.json: linux.seccomp.syscalls[0].names: must not be empty");
	expect_error("{" BASE ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
		     "'listenerMetadata':'m'}}}",
		     "config.json: linux.seccomp.listenerMetadata: set without listenerPath");
	expect_error("{" BASE ",'linux':{'personality':{'flags':[]}}}",
		     "config.json: linux.personality.domain: required");
	expect_error("{" BASE ",'linux':{'memoryPolicy':{'nodes':'0'}}}",
		     "config.json: linux.memoryPolicy.mode: required");
}

static void test_errors_semantic(void)
{
	expect_error("{" BASE ",'linux':{'namespaces':[{'type':'pid'},{'type':'foo'}]}}",
		     "config.json: linux.namespaces[1].type: unknown namespace type \"foo\"");
	expect_error("{" BASE ",'linux':{'namespaces':[{'type':'pid'},{'type':'net'}]}}",
		     "config.json: linux.namespaces[1].type: unknown namespace type \"net\"");
	expect_error("{" BASE ",'linux':{'namespaces':[{'type':'pid'},{'type':'ipc'},"
		     "{'type':'pid','path':'/proc/1/ns/pid'}]}}",
		     "config.json: linux.namespaces[2].type: duplicate namespace type \"pid\"");
	expect_error("{" BASE ",'linux':{'namespaces':[{'type':'network','path':'run/netns/x'}]}}",
		     "config.json: linux.namespaces[0].path: must be an absolute path");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_FOO',"
		     "'soft':1,'hard':1}]}}",
		     "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
	expect_error("{" BASE ",'process':{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_NOFILE',"
		     "'soft':1,'hard':1},{'type':'RLIMIT_CORE','soft':1,'hard':1},"
		     "{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]}}",
		     "config.json: process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\"");
	expect_error("{" BASE ",'hooks':{'poststop':[{'path':'cleanup.sh'}]}}",
		     "config.json: hooks.poststop[0].path: must be an absolute path");
	expect_error("{" BASE ",'hooks':{'prestart':[{'path':'/a'},{'path':'/b','timeout':0}]}}",
		     "config.json: hooks.prestart[1].timeout: must be greater than zero");
	expect_error("{" BASE ",'hooks':{'createRuntime':[{'path':'/b','timeout':-3}]}}",
		     "config.json: hooks.createRuntime[0].timeout: must be greater than zero");
	expect_error("{" BASE ",'hooks':{'startContainer':[{'args':['x']}]}}",
		     "config.json: hooks.startContainer[0].path: required");
	expect_error("{" BASE ",'linux':{'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]}}",
		     "config.json: linux.devices[0].type: invalid device type \"x\"");
	expect_error("{" BASE ",'linux':{'devices':[{'path':'/dev/x','type':'cb','major':1,'minor':1}]}}",
		     "config.json: linux.devices[0].type: invalid device type \"cb\"");
	expect_error("{" BASE ",'linux':{'resources':{'devices':[{'allow':true,'type':'u'}]}}}",
		     "config.json: linux.resources.devices[0].type: invalid device type \"u\"");
	expect_error("{" BASE ",'linux':{'timeOffsets':{'monotonic':{},'realtime':{'secs':1}}}}",
		     "config.json: linux.timeOffsets[\"realtime\"]: unknown clock \"realtime\"");
	/* type p needs no major/minor; u does */
	cleanup_spec struct spec *s = parse_ok("{" BASE ",'linux':{'devices':[{'path':'/dev/f','type':'p'},"
					       "{'path':'/dev/u','type':'u','major':1,'minor':2}]}}");
	CHECK(s != NULL);
}

static void test_errors_json(void)
{
	expect_error_doc("", false, "config.json: invalid JSON: unexpected end of input at line 1");
	expect_error_doc("{\n\"ociVersion\": \"1.0.0\",\n", false,
			 "config.json: invalid JSON: unexpected end of input at line 3");
	expect_error_doc("{\n\"ociVersion\": \"1.0.0\",\n\"root\": }", false,
			 "config.json: invalid JSON: unexpected character at line 3");
	expect_error_doc("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"},}", false,
			 "config.json: invalid JSON: unexpected character at line 1");
	expect_error_doc("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}}\n\nxyz", false,
			 "config.json: invalid JSON: unexpected character at line 3");
	expect_error_doc("[1, 2]", false, "config.json: expected object");
	expect_error_doc("\"x\"", true, "process.json: expected object");
	/* Whitespace after the document is fine. */
	cleanup_spec struct spec *s = parse_ok("{" BASE "}\n\n  ");
	CHECK(s != NULL);
}

static void test_errors_process_json(void)
{
	expect_process_error("{'cwd':'/','args':'sh'}", "process.json: args: expected array of strings");
	expect_process_error("{'args':['sh']}", "process.json: cwd: required");
	expect_process_error("{'cwd':'/'}", "process.json: args: required");
	expect_process_error("{'cwd':'/','args':['sh'],'user':{'uid':-1,'gid':0}}",
			     "process.json: user.uid: expected uint32");
	expect_process_error("{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,"
			     "'hard':1},{'type':'RLIMIT_NOFILE','soft':1,'hard':1}]}",
			     "process.json: rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
	expect_error_doc("{\"cwd\":", true, "process.json: invalid JSON: unexpected end of input at line 1");
}

/* `update --resources`: a linux.resources object alone, same rules as in config.json. */
static void test_resources_json(void)
{
	const char *doc = "{\"memory\":{\"limit\":83886080,\"checkBeforeUpdate\":true},"
			  "\"cpu\":{\"shares\":512,\"cpus\":\"0-1\"},\"pids\":{\"limit\":0},"
			  "\"blockIO\":{\"weight\":300},\"unified\":{\"memory.high\":\"max\"}}";
	cleanup_error struct hutch_error *err = NULL;
	cleanup_spec_resources struct spec_resources *r = NULL;
	CHECK(spec_parse_resources(doc, strlen(doc), "res.json", &r, &err) == 0);
	CHECK(r != NULL && r->memory && r->cpu && r->block_io);
	CHECK(r->memory->has_limit && r->memory->check_before_update);
	CHECK_INT(r->memory->limit, 83886080);
	CHECK_U64(r->cpu->shares, 512);
	CHECK_STR(r->cpu->cpus, "0-1");
	/* pids.limit 0 is a limit, not "unset" */
	CHECK(r->has_pids_limit);
	CHECK_INT(r->pids_limit, 0);
	CHECK_INT(r->block_io->weight, 300);
	CHECK_INT(r->n_unified, 1);
	cleanup_spec_resources struct spec_resources *bad = NULL;
	const char *b1 = "{\"memory\":{\"limit\":\"big\"}}";
	CHECK(spec_parse_resources(b1, strlen(b1), "res.json", &bad, &err) < 0 && bad == NULL);
	CHECK_STR(err->msg, "res.json: memory.limit: expected int64");
}

/* ---- spec_load_at and the namespace helpers ---- */

static void rm_tmpdir(char **dir)
{
	if (*dir == NULL)
		return;
	cleanup_free char *cfg = xasprintf("%s/config.json", *dir);
	unlink(cfg);
	rmdir(*dir);
	free(*dir);
}

static void test_load_at(void)
{
	__attribute__((cleanup(rm_tmpdir))) char *dir = xstrdup("/tmp/hutch-test-spec.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		free(dir);
		dir = NULL;
		return;
	}
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);

	cleanup_error struct hutch_error *err = NULL;
	struct spec *s = NULL;
	CHECK_INT(spec_load_at(dfd, &s, NULL, NULL, &err), -1);
	CHECK(s == NULL);
	CHECK(err != NULL);
	if (err) {
		CHECK_STR(err->msg, "open config.json: No such file or directory");
		CHECK_INT(err->errnum, ENOENT);
	}

	cleanup_free char *doc = q("{" BASE "," PROC "}");
	CHECK_INT(write_file_atomic_at(dfd, "config.json", doc, strlen(doc), 0644, NULL), 0);
	char *raw = NULL;
	size_t raw_len = 0;
	CHECK_INT(spec_load_at(dfd, &s, &raw, &raw_len, NULL), 0);
	CHECK(raw != NULL && raw_len == strlen(doc) && memcmp(raw, doc, raw_len) == 0);
	CHECK(s != NULL && s->process != NULL);
	if (s && s->process)
		CHECK_STR(s->process->args[0], "sh");
	free(raw);
	spec_free(s);
	s = NULL;
	CHECK_INT(spec_load_at(dfd, &s, NULL, NULL, NULL), 0);
	spec_free(s);
}

static void test_ns_names(void)
{
	static const char *const names[] = { "pid", "network", "mount", "ipc", "uts", "user",
					     "cgroup", "time" };
	CHECK_INT(sizeof(names) / sizeof(names[0]), SPEC_NS_COUNT);
	for (int i = 0; i < SPEC_NS_COUNT; i++) {
		enum spec_ns_type t = SPEC_NS_COUNT;
		CHECK_INT(spec_ns_type_from_name(names[i], &t), 0);
		CHECK_STR(spec_ns_type_name(t), names[i]);
	}
	CHECK_INT(spec_ns_type_from_name("net", &(enum spec_ns_type){ 0 }), -1);
	CHECK_INT(spec_ns_type_from_name("", &(enum spec_ns_type){ 0 }), -1);
	CHECK(spec_ns_type_name(SPEC_NS_COUNT) == NULL);
	CHECK_STR(spec_ns_type_name(SPEC_NS_NETWORK), "network");
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "all_fields", test_all_fields },
	{ "config_md_example", test_config_md_example },
	{ "runc_spec", test_runc_spec },
	{ "podman", test_podman },
	{ "ctr_umoci", test_ctr_umoci },
	{ "process_json", test_process_json },
	{ "unknown_ignored", test_unknown_ignored },
	{ "null_is_absent", test_null_is_absent },
	{ "errors_types", test_errors_types },
	{ "errors_integers", test_errors_integers },
	{ "errors_required", test_errors_required },
	{ "errors_semantic", test_errors_semantic },
	{ "errors_json", test_errors_json },
	{ "errors_process_json", test_errors_process_json },
	{ "resources_json", test_resources_json },
	{ "load_at", test_load_at },
	{ "ns_names", test_ns_names },
};

/* Each test runs in a child so that a crash (NULL where a field was expected)
 * is reported as that test's failure and the others still run. */
static bool run_test(void (*fn)(void))
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return false;
	}
	if (pid == 0) {
		cur_fail = 0;
		fn();
		exit(cur_fail ? 1 : 0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	if (WIFSIGNALED(status))
		fprintf(stderr, "    killed by signal %d\n", WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DATADIR\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	int failed = 0;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		bool ok = run_test(tests[i].fn);
		printf("%s - %s\n", ok ? "ok" : "FAIL", tests[i].name);
		fflush(stdout);
		if (!ok)
			failed++;
	}
	printf("%d/%zu tests failed\n", failed, sizeof(tests) / sizeof(tests[0]));
	return failed ? 1 : 0;
}
