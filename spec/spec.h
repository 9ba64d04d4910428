/* The runtime-spec v1.3 configuration for Linux as C types.
 *
 * Conventions: strings are NULL when absent; arrays are `T *x` + `size_t n_x`;
 * optional scalars have a `bool has_<name>` beside them; maps are arrays of
 * key/value pairs in document order. Everything is owned by the struct and
 * released by spec_free(). */
#ifndef HUTCH_SPEC_H
#define HUTCH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../libcontainer/error.h"

#define HUTCH_SPEC_VERSION "1.3.0"

struct spec_kv {
	char *key;
	char *value;
};

struct spec_id_mapping {
	uint32_t container_id, host_id, size;
};

/* ---- process ---- */
struct spec_rlimit {
	char *type;        /* "RLIMIT_NOFILE" ... validated against the table */
	int resource;      /* RLIMIT_* number resolved by the parser */
	uint64_t hard, soft;
};

struct spec_capabilities {
	/* Each set: capability names as given ("CAP_CHOWN"); NULL array = absent. */
	char **bounding, **effective, **inheritable, **permitted, **ambient;
	size_t n_bounding, n_effective, n_inheritable, n_permitted, n_ambient;
	bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
};

struct spec_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* windows only, kept for completeness */
};

struct spec_scheduler {
	char *policy;           /* SCHED_OTHER ... */
	int32_t nice, priority;
	char **flags;           /* SCHED_FLAG_* names */
	size_t n_flags;
	uint64_t runtime, deadline, period;
};

struct spec_io_priority {
	char *class;            /* IOPRIO_CLASS_RT | _BE | _IDLE */
	int priority;
};

struct spec_cpu_affinity {
	char *initial, *final;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	unsigned int console_height, console_width;
	struct spec_user user;
	char **args;            /* NULL-terminated */
	size_t n_args;
	char *command_line;     /* windows only */
	char **env;             /* NULL-terminated */
	size_t n_env;
	char *cwd;
	struct spec_capabilities *capabilities;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	struct spec_scheduler *scheduler;
	char *selinux_label;
	struct spec_io_priority *io_priority;
	struct spec_cpu_affinity *exec_cpu_affinity;
};

/* ---- root, mounts, hooks ---- */
struct spec_root {
	char *path;
	bool readonly;
};

struct spec_mount {
	char *destination;
	char *type;
	char *source;
	char **options;
	size_t n_options;
	struct spec_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

struct spec_hook {
	char *path;
	char **args;            /* NULL-terminated, may be NULL */
	size_t n_args;
	char **env;             /* NULL-terminated, may be NULL */
	size_t n_env;
	bool has_timeout;
	int timeout;            /* seconds, > 0 */
};

struct spec_hooks {
	struct spec_hook *prestart, *create_runtime, *create_container, *start_container,
		*poststart, *poststop;
	size_t n_prestart, n_create_runtime, n_create_container, n_start_container,
		n_poststart, n_poststop;
};

/* ---- linux ---- */
enum spec_ns_type {
	SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_MOUNT, SPEC_NS_IPC, SPEC_NS_UTS,
	SPEC_NS_USER, SPEC_NS_CGROUP, SPEC_NS_TIME,
	SPEC_NS_COUNT
};

struct spec_namespace {
	enum spec_ns_type type;
	char *path;             /* NULL: create a new one */
};

struct spec_time_offset {
	char *clock;            /* "monotonic" | "boottime" */
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_device {
	char *path;
	char *type;             /* "c" "b" "u" "p" */
	int64_t major, minor;
	bool has_file_mode, has_uid, has_gid;
	uint32_t file_mode, uid, gid;
};

struct spec_net_device {
	char *host_name;        /* the map key */
	char *name;             /* optional new name */
};

struct spec_device_cgroup {
	bool allow;
	char *type;             /* NULL or "a" = all */
	bool has_major, has_minor;
	int64_t major, minor;   /* absent = wildcard */
	char *access;           /* NULL = "rwm" */
};

struct spec_memory {
	bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness,
		has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
	int64_t limit, reservation, swap, kernel, kernel_tcp;
	uint64_t swappiness;
	bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct spec_cpu {
	bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
		has_realtime_period, has_idle;
	uint64_t shares, burst, period, realtime_period;
	int64_t quota, realtime_runtime, idle;
	char *cpus, *mems;
};

struct spec_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct spec_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_block_io {
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
	struct spec_weight_device *weight_device;
	size_t n_weight_device;
	struct spec_throttle_device *throttle_read_bps, *throttle_write_bps,
		*throttle_read_iops, *throttle_write_iops;
	size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
		n_throttle_write_iops;
};

struct spec_hugepage_limit {
	char *page_size;        /* "2MB", "1GB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_network {
	bool has_class_id;
	uint32_t class_id;
	struct spec_net_priority *priorities;
	size_t n_priorities;
};

struct spec_rdma {
	char *device;           /* the map key */
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct spec_resources {
	struct spec_device_cgroup *devices;
	size_t n_devices;
	struct spec_memory *memory;
	struct spec_cpu *cpu;
	bool has_pids_limit;    /* pids present with a limit */
	int64_t pids_limit;
	struct spec_block_io *block_io;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct spec_network *network;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv *unified;
	size_t n_unified;
};

struct spec_seccomp_arg {
	unsigned int index;
	uint64_t value, value_two;
	char *op;               /* SCMP_CMP_* */
};

struct spec_syscall {
	char **names;
	size_t n_names;
	char *action;           /* SCMP_ACT_* */
	bool has_errno_ret;
	unsigned int errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	unsigned int default_errno_ret;
	char **architectures;
	size_t n_architectures;
	char **flags;
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct spec_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	char **schemata;
	size_t n_schemata;
	bool enable_monitoring;
	bool enable_cmt, enable_mbm; /* older spec names, still parsed */
};

struct spec_memory_policy {
	char *mode;             /* MPOL_* */
	char *nodes;
	char **flags;
	size_t n_flags;
};

struct spec_personality {
	char *domain;           /* LINUX | LINUX32 */
	char **flags;
	size_t n_flags;
};

struct spec_linux {
	struct spec_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_kv *sysctl;
	size_t n_sysctl;
	struct spec_resources *resources;
	char *cgroups_path;
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_device *devices;
	size_t n_devices;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
	struct spec_seccomp *seccomp;
	char *rootfs_propagation;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct spec_intel_rdt *intel_rdt;
	struct spec_memory_policy *memory_policy;
	struct spec_personality *personality;
	struct spec_time_offset *time_offsets;
	size_t n_time_offsets;
};

struct spec {
	char *oci_version;
	struct spec_process *process;   /* NULL when absent (allowed for create? see parser) */
	struct spec_root *root;
	char *hostname;
	char *domainname;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_hooks *hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux *linux_;      /* "linux" is a predefined macro in GNU C */
};

/* Parse a config.json document. `what` names the source in messages
 * ("config.json"): errors read "<what>: process.args: expected array of strings". */
int spec_parse(const char *json, size_t len, const char *what, struct spec **out,
	       struct hutch_error **err);
/* Read and parse <bundle_dirfd>/config.json. */
int spec_load_at(int bundle_dirfd, struct spec **out, char **raw, size_t *raw_len,
		 struct hutch_error **err);
/* A process.json for `exec --process`: the same rules as config.json's process. */
int spec_parse_process(const char *json, size_t len, const char *what,
		       struct spec_process **out, struct hutch_error **err);
/* A linux.resources object alone (`update --resources`): the same rules as in config.json. */
int spec_parse_resources(const char *json, size_t len, const char *what,
			 struct spec_resources **out, struct hutch_error **err);
void spec_resources_free(struct spec_resources *r);
static inline void spec_resources_freep(struct spec_resources **r) { spec_resources_free(*r); *r = NULL; }
#define cleanup_spec_resources __attribute__((cleanup(spec_resources_freep)))
void spec_free(struct spec *s);
void spec_process_free(struct spec_process *p);
static inline void spec_freep(struct spec **s) { spec_free(*s); *s = NULL; }
static inline void spec_process_freep(struct spec_process **p) { spec_process_free(*p); *p = NULL; }
#define cleanup_spec __attribute__((cleanup(spec_freep)))
#define cleanup_spec_process __attribute__((cleanup(spec_process_freep)))

/* Namespace type names as in the spec ("pid", "network", ...). */
const char *spec_ns_type_name(enum spec_ns_type t);
/* The i-th hook name the parser knows ("prestart" ...), NULL past the last. */
const char *spec_hook_name(size_t i);
int spec_ns_type_from_name(const char *name, enum spec_ns_type *out);
/* The namespace entry of a type, or NULL when the config does not list it. */
const struct spec_namespace *spec_find_namespace(const struct spec *s, enum spec_ns_type t);

#endif
