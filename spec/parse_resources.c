/* linux.resources: the cgroup settings. */
#include "parse_internal.h"

#include <string.h>

/* config-linux.md: device cgroup type is "a (all), c (char), or b (block)". */
static int check_device_cgroup(struct pctx *c, UNUSED json_object *obj, const struct jpath *p,
			       void *dst)
{
	struct spec_device_cgroup *d = dst;
	if (d->type == NULL || (strlen(d->type) == 1 && strchr("acb", d->type[0]) != NULL))
		return 0;
	struct jpath tp = { p, JPATH_KEY, "type", 0 };
	return perr(c, &tp, "invalid device type \"%s\"", d->type);
}

static const struct field device_cgroup_fields[] = {
	FIELD("allow", F_BOOL, true, struct spec_device_cgroup, allow),
	FIELD("type", F_STR, false, struct spec_device_cgroup, type),
	FIELD_HAS("major", F_I64, struct spec_device_cgroup, major, has_major),
	FIELD_HAS("minor", F_I64, struct spec_device_cgroup, minor, has_minor),
	FIELD("access", F_STR, false, struct spec_device_cgroup, access),
};
static const struct objdesc device_cgroup_desc =
	OBJDESC(struct spec_device_cgroup, device_cgroup_fields, check_device_cgroup);

#define MEM(k, t, m) FIELD_HAS(k, t, struct spec_memory, m, has_##m)
static const struct field memory_fields[] = {
	MEM("limit", F_I64, limit),
	MEM("reservation", F_I64, reservation),
	MEM("swap", F_I64, swap),
	MEM("kernel", F_I64, kernel),
	MEM("kernelTCP", F_I64, kernel_tcp),
	MEM("swappiness", F_U64, swappiness),
	MEM("disableOOMKiller", F_BOOL, disable_oom_killer),
	MEM("useHierarchy", F_BOOL, use_hierarchy),
	MEM("checkBeforeUpdate", F_BOOL, check_before_update),
};
static const struct objdesc memory_desc = OBJDESC(struct spec_memory, memory_fields, NULL);

#define CPU(k, t, m) FIELD_HAS(k, t, struct spec_cpu, m, has_##m)
static const struct field cpu_fields[] = {
	CPU("shares", F_U64, shares),
	CPU("quota", F_I64, quota),
	CPU("burst", F_U64, burst),
	CPU("period", F_U64, period),
	CPU("realtimeRuntime", F_I64, realtime_runtime),
	CPU("realtimePeriod", F_U64, realtime_period),
	CPU("idle", F_I64, idle),
	FIELD("cpus", F_STR, false, struct spec_cpu, cpus),
	FIELD("mems", F_STR, false, struct spec_cpu, mems),
};
static const struct objdesc cpu_desc = OBJDESC(struct spec_cpu, cpu_fields, NULL);

/* Offsets are into struct spec_resources: pids is flattened into it. */
static const struct field pids_fields[] = {
	FIELD_HAS("limit", F_I64, struct spec_resources, pids_limit, has_pids_limit),
};
static const struct objdesc pids_desc = OBJDESC(struct spec_resources, pids_fields, NULL);

static const struct field weight_device_fields[] = {
	FIELD("major", F_I64, true, struct spec_weight_device, major),
	FIELD("minor", F_I64, true, struct spec_weight_device, minor),
	FIELD_HAS("weight", F_U16, struct spec_weight_device, weight, has_weight),
	FIELD_HAS("leafWeight", F_U16, struct spec_weight_device, leaf_weight, has_leaf_weight),
};
static const struct objdesc weight_device_desc =
	OBJDESC(struct spec_weight_device, weight_device_fields, NULL);

static const struct field throttle_device_fields[] = {
	FIELD("major", F_I64, true, struct spec_throttle_device, major),
	FIELD("minor", F_I64, true, struct spec_throttle_device, minor),
	FIELD("rate", F_U64, true, struct spec_throttle_device, rate),
};
static const struct objdesc throttle_device_desc =
	OBJDESC(struct spec_throttle_device, throttle_device_fields, NULL);

#define THROTTLE(k, m) \
	FIELD_N(k, F_OBJARR, false, struct spec_block_io, m, n_##m, &throttle_device_desc)
static const struct field block_io_fields[] = {
	FIELD_HAS("weight", F_U16, struct spec_block_io, weight, has_weight),
	FIELD_HAS("leafWeight", F_U16, struct spec_block_io, leaf_weight, has_leaf_weight),
	FIELD_N("weightDevice", F_OBJARR, false, struct spec_block_io, weight_device,
		n_weight_device, &weight_device_desc),
	THROTTLE("throttleReadBpsDevice", throttle_read_bps),
	THROTTLE("throttleWriteBpsDevice", throttle_write_bps),
	THROTTLE("throttleReadIOPSDevice", throttle_read_iops),
	THROTTLE("throttleWriteIOPSDevice", throttle_write_iops),
};
static const struct objdesc block_io_desc = OBJDESC(struct spec_block_io, block_io_fields, NULL);

static const struct field hugepage_fields[] = {
	FIELD("pageSize", F_STR, true, struct spec_hugepage_limit, page_size),
	FIELD("limit", F_U64, true, struct spec_hugepage_limit, limit),
};
static const struct objdesc hugepage_desc =
	OBJDESC(struct spec_hugepage_limit, hugepage_fields, NULL);

static const struct field net_priority_fields[] = {
	FIELD("name", F_STR, true, struct spec_net_priority, name),
	FIELD("priority", F_U32, true, struct spec_net_priority, priority),
};
static const struct objdesc net_priority_desc =
	OBJDESC(struct spec_net_priority, net_priority_fields, NULL);

static const struct field network_fields[] = {
	FIELD_HAS("classID", F_U32, struct spec_network, class_id, has_class_id),
	FIELD_N("priorities", F_OBJARR, false, struct spec_network, priorities, n_priorities,
		&net_priority_desc),
};
static const struct objdesc network_desc = OBJDESC(struct spec_network, network_fields, NULL);

static const struct field rdma_fields[] = {
	FIELD_HAS("hcaHandles", F_U32, struct spec_rdma, hca_handles, has_hca_handles),
	FIELD_HAS("hcaObjects", F_U32, struct spec_rdma, hca_objects, has_hca_objects),
};
static const struct objdesc rdma_desc = {
	.size = sizeof(struct spec_rdma),
	.fields = rdma_fields,
	.n_fields = ARRAY_SIZE(rdma_fields),
	.key_off = offsetof(struct spec_rdma, device),
};

#define R(k, t, m, sub) FIELD_SUB(k, t, false, struct spec_resources, m, sub)
#define RN(k, t, m, sub) FIELD_N(k, t, false, struct spec_resources, m, n_##m, sub)
static const struct field resources_fields[] = {
	RN("devices", F_OBJARR, devices, &device_cgroup_desc),
	R("memory", F_OBJ, memory, &memory_desc),
	R("cpu", F_OBJ, cpu, &cpu_desc),
	{ .key = "pids", .type = F_INLINE, .off = 0, .has_off = NO_OFF, .n_off = NO_OFF,
	  .sub = &pids_desc },
	R("blockIO", F_OBJ, block_io, &block_io_desc),
	RN("hugepageLimits", F_OBJARR, hugepage_limits, &hugepage_desc),
	R("network", F_OBJ, network, &network_desc),
	RN("rdma", F_OBJMAP, rdma, &rdma_desc),
	RN("unified", F_KVMAP, unified, NULL),
};
const struct objdesc spec_resources_desc =
	OBJDESC(struct spec_resources, resources_fields, NULL);
