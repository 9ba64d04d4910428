/* The `linux` object of config.json, except linux.resources. */
#include "parse_internal.h"

#include <string.h>

static const struct field id_mapping_fields[] = {
	FIELD("containerID", F_U32, true, struct spec_id_mapping, container_id),
	FIELD("hostID", F_U32, true, struct spec_id_mapping, host_id),
	FIELD("size", F_U32, true, struct spec_id_mapping, size),
};
const struct objdesc spec_id_mapping_desc =
	OBJDESC(struct spec_id_mapping, id_mapping_fields, NULL);

static int check_namespace(struct pctx *c, json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_namespace *ns = dst;
	struct jpath tp = { p, JPATH_KEY, "type", 0 };
	json_object *t = NULL;
	if (!json_object_object_get_ex(obj, "type", &t) || t == NULL)
		return perr(c, &tp, "required");
	if (!json_object_is_type(t, json_type_string))
		return perr(c, &tp, "expected string");
	if (spec_ns_type_from_name(json_object_get_string(t), &ns->type) < 0)
		return perr(c, &tp, "unknown namespace type \"%s\"", json_object_get_string(t));
	/* config-linux.md: path "MUST be an absolute path in the runtime mount namespace". */
	if (ns->path != NULL && !path_is_absolute(ns->path)) {
		struct jpath pp = { p, JPATH_KEY, "path", 0 };
		return perr(c, &pp, "must be an absolute path");
	}
	return 0;
}

static const struct field namespace_fields[] = {
	FIELD("path", F_STR, false, struct spec_namespace, path),
};
static const struct objdesc namespace_desc =
	OBJDESC(struct spec_namespace, namespace_fields, check_namespace);

static int check_time_offset(struct pctx *c, UNUSED json_object *obj, const struct jpath *p,
			     void *dst)
{
	struct spec_time_offset *t = dst;
	if (strcmp(t->clock, "monotonic") == 0 || strcmp(t->clock, "boottime") == 0)
		return 0;
	return perr(c, p, "unknown clock \"%s\"", t->clock);
}

static const struct field time_offset_fields[] = {
	FIELD("secs", F_I64, false, struct spec_time_offset, secs),
	FIELD("nanosecs", F_U32, false, struct spec_time_offset, nanosecs),
};
static const struct objdesc time_offset_desc = {
	.size = sizeof(struct spec_time_offset),
	.fields = time_offset_fields,
	.n_fields = ARRAY_SIZE(time_offset_fields),
	.key_off = offsetof(struct spec_time_offset, clock),
	.check = check_time_offset,
};

/* config-linux.md: major, minor "REQUIRED unless type is p". */
static int check_device(struct pctx *c, json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_device *d = dst;
	if (strlen(d->type) != 1 || strchr("cbup", d->type[0]) == NULL) {
		struct jpath tp = { p, JPATH_KEY, "type", 0 };
		return perr(c, &tp, "invalid device type \"%s\"", d->type);
	}
	bool req = d->type[0] != 'p';
	const struct field nums[] = {
		FIELD("major", F_I64, req, struct spec_device, major),
		FIELD("minor", F_I64, req, struct spec_device, minor),
	};
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++)
		if (parse_field(c, obj, p, &nums[i], dst) < 0)
			return -1;
	return 0;
}

static const struct field device_fields[] = {
	FIELD("path", F_STR, true, struct spec_device, path),
	FIELD("type", F_STR, true, struct spec_device, type),
	FIELD_HAS("fileMode", F_U32, struct spec_device, file_mode, has_file_mode),
	FIELD_HAS("uid", F_U32, struct spec_device, uid, has_uid),
	FIELD_HAS("gid", F_U32, struct spec_device, gid, has_gid),
};
static const struct objdesc device_desc = OBJDESC(struct spec_device, device_fields, check_device);

static const struct field net_device_fields[] = {
	FIELD("name", F_STR, false, struct spec_net_device, name),
};
static const struct objdesc net_device_desc = {
	.size = sizeof(struct spec_net_device),
	.fields = net_device_fields,
	.n_fields = ARRAY_SIZE(net_device_fields),
	.key_off = offsetof(struct spec_net_device, host_name),
};

static const struct field seccomp_arg_fields[] = {
	FIELD("index", F_UINT, true, struct spec_seccomp_arg, index),
	FIELD("value", F_U64, true, struct spec_seccomp_arg, value),
	FIELD("valueTwo", F_U64, false, struct spec_seccomp_arg, value_two),
	FIELD("op", F_STR, true, struct spec_seccomp_arg, op),
};
static const struct objdesc seccomp_arg_desc =
	OBJDESC(struct spec_seccomp_arg, seccomp_arg_fields, NULL);

/* config-linux.md: "names MUST contain at least one entry." */
static int check_syscall(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_syscall *s = dst;
	if (s->n_names > 0)
		return 0;
	struct jpath np = { p, JPATH_KEY, "names", 0 };
	return perr(c, &np, "must not be empty");
}

static const struct field syscall_fields[] = {
	FIELD_N("names", F_STRV, true, struct spec_syscall, names, n_names, NULL),
	FIELD("action", F_STR, true, struct spec_syscall, action),
	FIELD_HAS("errnoRet", F_UINT, struct spec_syscall, errno_ret, has_errno_ret),
	FIELD_N("args", F_OBJARR, false, struct spec_syscall, args, n_args, &seccomp_arg_desc),
};
static const struct objdesc syscall_desc =
	OBJDESC(struct spec_syscall, syscall_fields, check_syscall);

/* config-linux.md: listenerMetadata "MUST NOT be set if listenerPath is not set". */
static int check_seccomp(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_seccomp *s = dst;
	if (s->listener_metadata == NULL || s->listener_path != NULL)
		return 0;
	struct jpath mp = { p, JPATH_KEY, "listenerMetadata", 0 };
	return perr(c, &mp, "set without listenerPath");
}

static const struct field seccomp_fields[] = {
	FIELD("defaultAction", F_STR, true, struct spec_seccomp, default_action),
	FIELD_HAS("defaultErrnoRet", F_UINT, struct spec_seccomp, default_errno_ret,
		  has_default_errno_ret),
	FIELD_N("architectures", F_STRV, false, struct spec_seccomp, architectures,
		n_architectures, NULL),
	FIELD_N("flags", F_STRV, false, struct spec_seccomp, flags, n_flags, NULL),
	FIELD("listenerPath", F_STR, false, struct spec_seccomp, listener_path),
	FIELD("listenerMetadata", F_STR, false, struct spec_seccomp, listener_metadata),
	FIELD_N("syscalls", F_OBJARR, false, struct spec_seccomp, syscalls, n_syscalls,
		&syscall_desc),
};
static const struct objdesc seccomp_desc =
	OBJDESC(struct spec_seccomp, seccomp_fields, check_seccomp);

static const struct field intel_rdt_fields[] = {
	FIELD("closID", F_STR, false, struct spec_intel_rdt, clos_id),
	FIELD("l3CacheSchema", F_STR, false, struct spec_intel_rdt, l3_cache_schema),
	FIELD("memBwSchema", F_STR, false, struct spec_intel_rdt, mem_bw_schema),
	FIELD_N("schemata", F_STRV, false, struct spec_intel_rdt, schemata, n_schemata, NULL),
	FIELD("enableMonitoring", F_BOOL, false, struct spec_intel_rdt, enable_monitoring),
	FIELD("enableCMT", F_BOOL, false, struct spec_intel_rdt, enable_cmt),
	FIELD("enableMBM", F_BOOL, false, struct spec_intel_rdt, enable_mbm),
};
static const struct objdesc intel_rdt_desc = OBJDESC(struct spec_intel_rdt, intel_rdt_fields, NULL);

static const struct field memory_policy_fields[] = {
	FIELD("mode", F_STR, true, struct spec_memory_policy, mode),
	FIELD("nodes", F_STR, false, struct spec_memory_policy, nodes),
	FIELD_N("flags", F_STRV, false, struct spec_memory_policy, flags, n_flags, NULL),
};
static const struct objdesc memory_policy_desc =
	OBJDESC(struct spec_memory_policy, memory_policy_fields, NULL);

static const struct field personality_fields[] = {
	FIELD("domain", F_STR, true, struct spec_personality, domain),
	FIELD_N("flags", F_STRV, false, struct spec_personality, flags, n_flags, NULL),
};
static const struct objdesc personality_desc =
	OBJDESC(struct spec_personality, personality_fields, NULL);

/* config-linux.md: "If a namespaces field contains duplicated namespaces with
 * same type, the runtime MUST generate an error." */
static int check_linux(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_linux *l = dst;
	unsigned int seen = 0;
	struct jpath np = { p, JPATH_KEY, "namespaces", 0 };
	for (size_t i = 0; i < l->n_namespaces; i++) {
		unsigned int bit = 1u << l->namespaces[i].type;
		if (seen & bit) {
			struct jpath ip = { &np, JPATH_INDEX, NULL, i };
			struct jpath tp = { &ip, JPATH_KEY, "type", 0 };
			return perr(c, &tp, "duplicate namespace type \"%s\"",
				    spec_ns_type_name(l->namespaces[i].type));
		}
		seen |= bit;
	}
	return 0;
}

#define L(k, t, m) FIELD(k, t, false, struct spec_linux, m)
#define LN(k, t, m, sub) FIELD_N(k, t, false, struct spec_linux, m, n_##m, sub)
#define LS(k, m, sub) FIELD_SUB(k, F_OBJ, false, struct spec_linux, m, sub)
static const struct field linux_fields[] = {
	LN("uidMappings", F_OBJARR, uid_mappings, &spec_id_mapping_desc),
	LN("gidMappings", F_OBJARR, gid_mappings, &spec_id_mapping_desc),
	LN("sysctl", F_KVMAP, sysctl, NULL),
	LS("resources", resources, &spec_resources_desc),
	L("cgroupsPath", F_STR, cgroups_path),
	LN("namespaces", F_OBJARR, namespaces, &namespace_desc),
	LN("devices", F_OBJARR, devices, &device_desc),
	LN("netDevices", F_OBJMAP, net_devices, &net_device_desc),
	LS("seccomp", seccomp, &seccomp_desc),
	L("rootfsPropagation", F_STR, rootfs_propagation),
	LN("maskedPaths", F_STRV, masked_paths, NULL),
	LN("readonlyPaths", F_STRV, readonly_paths, NULL),
	L("mountLabel", F_STR, mount_label),
	LS("intelRdt", intel_rdt, &intel_rdt_desc),
	LS("memoryPolicy", memory_policy, &memory_policy_desc),
	LS("personality", personality, &personality_desc),
	LN("timeOffsets", F_OBJMAP, time_offsets, &time_offset_desc),
};
const struct objdesc spec_linux_desc = OBJDESC(struct spec_linux, linux_fields, check_linux);
