/* `update`: change the resource limits of a live container, from runc's flags
 * or from a linux.resources JSON object (--resources FILE, or - for stdin). */
#include "cmd.h"
#include "../libcontainer/control.h"
#include "../libcontainer/utils.h"
#include "../spec/spec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum {
	U_BLKIO_WEIGHT = 1000, U_CPU_PERIOD, U_CPU_QUOTA, U_CPU_BURST, U_CPU_SHARE, U_CPU_RT_PERIOD,
	U_CPU_RT_RUNTIME, U_CPUSET_CPUS, U_CPUSET_MEMS, U_KMEM, U_KMEM_TCP, U_MEMORY, U_CPU_IDLE,
	U_MEMORY_RESERVATION, U_MEMORY_SWAP, U_PIDS_LIMIT, U_L3_CACHE, U_MEM_BW,
};

static const struct option update_options[] = {
	{ "resources", required_argument, NULL, 'r' },
	{ "blkio-weight", required_argument, NULL, U_BLKIO_WEIGHT },
	{ "cpu-period", required_argument, NULL, U_CPU_PERIOD },
	{ "cpu-quota", required_argument, NULL, U_CPU_QUOTA },
	{ "cpu-burst", required_argument, NULL, U_CPU_BURST },
	{ "cpu-share", required_argument, NULL, U_CPU_SHARE },
	/* runc spells it cpu-share; docker's spelling is accepted too. */
	{ "cpu-shares", required_argument, NULL, U_CPU_SHARE },
	{ "cpu-rt-period", required_argument, NULL, U_CPU_RT_PERIOD },
	{ "cpu-rt-runtime", required_argument, NULL, U_CPU_RT_RUNTIME },
	{ "cpuset-cpus", required_argument, NULL, U_CPUSET_CPUS },
	{ "cpuset-mems", required_argument, NULL, U_CPUSET_MEMS },
	{ "kernel-memory", required_argument, NULL, U_KMEM },
	{ "kernel-memory-tcp", required_argument, NULL, U_KMEM_TCP },
	{ "memory", required_argument, NULL, U_MEMORY },
	{ "cpu-idle", required_argument, NULL, U_CPU_IDLE },
	{ "memory-reservation", required_argument, NULL, U_MEMORY_RESERVATION },
	{ "memory-swap", required_argument, NULL, U_MEMORY_SWAP },
	{ "pids-limit", required_argument, NULL, U_PIDS_LIMIT },
	{ "l3-cache-schema", required_argument, NULL, U_L3_CACHE },
	{ "mem-bw-schema", required_argument, NULL, U_MEM_BW },
	{ NULL, 0, NULL, 0 },
};

static const char *flag_name(int c)
{
	for (size_t i = 0; update_options[i].name; i++)
		if (update_options[i].val == c)
			return update_options[i].name;
	return "?";
}

/* docker's units.RAMInBytes, as runc takes --memory: "512m", "1.5g", "1GiB",
 * "100k", plain bytes; powers of 1024; "-1" is unlimited. */
static int parse_bytes(const char *s, int64_t *out)
{
	static const char units[] = "kmgtp";
	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	double v = strtod(s, &end);
	if (errno != 0)
		return -1;
	if (*end == ' ')
		end++;
	double mul = 1;
	const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (u) {
		for (const char *k = units; k <= u; k++)
			mul *= 1024;
		end++;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || v * mul >= 9.2e18)
		return -1;
	*out = (int64_t)(v * mul);
	return 0;
}

static struct spec_memory *mem_of(struct spec_resources *r)
{
	return r->memory ? r->memory : (r->memory = xmalloc0(sizeof(*r->memory)));
}

static struct spec_cpu *cpu_of(struct spec_resources *r)
{
	return r->cpu ? r->cpu : (r->cpu = xmalloc0(sizeof(*r->cpu)));
}

static int flag_u64(int c, const char *v, uint64_t *dst, bool *has)
{
	unsigned long long x;
	if (parse_uint64(v, &x) < 0)
		return cli_usage_error("update", "--%s: invalid value \"%s\" (an unsigned number)", flag_name(c), v);
	*dst = x;
	*has = true;
	return 0;
}

static int flag_i64(int c, const char *v, int64_t *dst, bool *has)
{
	long long x;
	if (parse_int64(v, &x) < 0)
		return cli_usage_error("update", "--%s: invalid value \"%s\" (a number)", flag_name(c), v);
	*dst = x;
	*has = true;
	return 0;
}

static int flag_bytes(int c, const char *v, int64_t *dst, bool *has)
{
	if (parse_bytes(v, dst) < 0)
		return cli_usage_error("update", "--%s: invalid size \"%s\" (bytes, or with a unit: 64m, 1g; -1: unlimited)",
				       flag_name(c), v);
	*has = true;
	return 0;
}

static int flag_blkio_weight(const char *v, struct spec_resources *r)
{
	long long w;
	if (parse_int64(v, &w) < 0 || w < 0 || w > UINT16_MAX)
		return cli_usage_error("update", "--blkio-weight: invalid value \"%s\"", v);
	/* 0 is the flag's default in runc: unchanged. */
	if (w == 0)
		return 0;
	if (r->block_io == NULL)
		r->block_io = xmalloc0(sizeof(*r->block_io));
	r->block_io->weight = (uint16_t)w;
	r->block_io->has_weight = true;
	return 0;
}

static int flag_pids(const char *v, struct spec_resources *r)
{
	long long n;
	if (parse_int64(v, &n) < 0)
		return cli_usage_error("update", "--pids-limit: invalid value \"%s\"", v);
	/* As runc: 0 (the flag's default) leaves the limit alone; --resources sets 0. */
	if (n != 0) {
		r->pids_limit = n;
		r->has_pids_limit = true;
	}
	return 0;
}

static int cpu_flag(int c, const char *v, struct spec_resources *r)
{
	struct spec_cpu *p = cpu_of(r);
	switch (c) {
	case U_CPU_PERIOD: return flag_u64(c, v, &p->period, &p->has_period);
	case U_CPU_QUOTA: return flag_i64(c, v, &p->quota, &p->has_quota);
	case U_CPU_BURST: return flag_u64(c, v, &p->burst, &p->has_burst);
	case U_CPU_SHARE: return flag_u64(c, v, &p->shares, &p->has_shares);
	case U_CPU_RT_PERIOD: return flag_u64(c, v, &p->realtime_period, &p->has_realtime_period);
	case U_CPU_RT_RUNTIME: return flag_i64(c, v, &p->realtime_runtime, &p->has_realtime_runtime);
	case U_CPU_IDLE: return flag_i64(c, v, &p->idle, &p->has_idle);
	case U_CPUSET_CPUS: free(p->cpus); p->cpus = xstrdup(v); return 0;
	case U_CPUSET_MEMS: free(p->mems); p->mems = xstrdup(v); return 0;
	}
	return -1;
}

/* One flag into `r`; 0, or the exit status of a usage error. */
static int apply_flag(int c, const char *v, struct spec_resources *r)
{
	switch (c) {
	case U_BLKIO_WEIGHT: return flag_blkio_weight(v, r);
	case U_PIDS_LIMIT: return flag_pids(v, r);
	case U_MEMORY: return flag_bytes(c, v, &mem_of(r)->limit, &mem_of(r)->has_limit);
	case U_MEMORY_SWAP: return flag_bytes(c, v, &mem_of(r)->swap, &mem_of(r)->has_swap);
	case U_MEMORY_RESERVATION:
		return flag_bytes(c, v, &mem_of(r)->reservation, &mem_of(r)->has_reservation);
	case U_KMEM: case U_KMEM_TCP:
		fprintf(stderr, "hutch update: --%s is obsolete and ignored\n", flag_name(c));
		return 0;
	case U_L3_CACHE: case U_MEM_BW:
		return cli_usage_error("update", "--%s: Intel RDT is not enabled on this host", flag_name(c));
	}
	return cpu_flag(c, v, r);
}

static int read_resources(const char *path, struct spec_resources **out, struct hutch_error **err)
{
	cleanup_free char *raw = NULL;
	size_t len;
	bool is_stdin = strcmp(path, "-") == 0;
	if ((is_stdin ? read_all_fd(0, "stdin", &raw, &len, err) : read_file_at(AT_FDCWD, path, &raw, &len, err)) < 0)
		return hutch_error_wrap(err, "update --resources");
	return spec_parse_resources(raw, len, is_stdin ? "resources (stdin)" : path, out, err);
}

static int update_main(const struct global_opts *g, int argc, char **argv)
{
	cleanup_spec_resources struct spec_resources *r = xmalloc0(sizeof(*r));
	const char *file = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+r:", update_options, NULL)) != -1) {
		if (c == '?')
			return cli_usage_error("update", "bad option");
		if (c == 'r')
			file = optarg;
		else if (apply_flag(c, optarg, r) != 0)
			return 1;
	}
	if (cli_want_args("update", argc, argv, 1, "container id") != 0)
		return 1;
	cleanup_error struct hutch_error *err = NULL;
	/* runc: with --resources, every other flag is ignored. */
	if (file) {
		spec_resources_free(take_ptr(&r));
		if (read_resources(file, &r, &err) < 0)
			return cli_fail(g, err);
	}
	/* runc: unlimited memory without a swap value means unlimited swap too. */
	if (r->memory && r->memory->has_limit && r->memory->limit == -1 && !r->memory->has_swap) {
		r->memory->swap = -1;
		r->memory->has_swap = true;
	}
	if (container_update(g->root, argv[optind], r, &err) < 0)
		return cli_fail(g, err);
	return 0;
}

static void update_usage(void)
{
	printf("Usage: hutch update [options] <container-id>\n\n"
	       "Change the resource limits of a created, running or paused container.\n\nOptions:\n"
	       "  -r, --resources FILE       a linux.resources JSON object (- for stdin); the other\n"
	       "                             options are then ignored\n"
	       "  --memory SIZE              memory limit (64m, 1g, bytes; -1: unlimited)\n"
	       "  --memory-reservation SIZE  soft limit (cgroup v2: memory.low)\n"
	       "  --memory-swap SIZE         memory+swap limit (-1: unlimited)\n"
	       "  --cpu-share N              CPU shares (cgroup v2: converted to cpu.weight)\n"
	       "  --cpu-quota N              CFS quota in microseconds per period (-1: none)\n"
	       "  --cpu-period N             CFS period in microseconds\n"
	       "  --cpu-burst N              CFS burst in microseconds\n"
	       "  --cpu-rt-runtime N         realtime runtime in microseconds (cgroup v1)\n"
	       "  --cpu-rt-period N          realtime period in microseconds (cgroup v1)\n"
	       "  --cpu-idle 0|1             SCHED_IDLE for the cgroup\n"
	       "  --cpuset-cpus LIST         CPUs to run on (0-3,5)\n"
	       "  --cpuset-mems LIST         memory nodes to use\n"
	       "  --pids-limit N             maximum number of tasks (-1: unlimited; 0: unchanged)\n"
	       "  --blkio-weight N           block IO weight, 10 to 1000 (0: unchanged)\n");
}

const struct command cmd_update = { "update", "update the resource limits of a container", update_main,
				    update_usage };
