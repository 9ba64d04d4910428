/* `features` (runtime-spec features.md): printed from the same tables that the
 * parser and the mount, capability and seccomp code use, so it cannot drift. */
#include "cmd.h"
#include "../libcontainer/caps.h"
#include "../libcontainer/cgroup.h"
#include "../libcontainer/mount.h"
#include "../libcontainer/net.h"
#include "../libcontainer/seccomp.h"
#include "../libcontainer/utils.h"
#include "../spec/spec.h"
#include "config.h"

#include <getopt.h>
#include <seccomp.h>
#include <string.h>

static json_object *names_of(const struct seccomp_name *t, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(t[i].name));
	return a;
}

/* features.md: "supportedFlags ... the recognized and supported names": the
 * known ones that the running kernel accepts, by the same probe as create's. */
static json_object *supported_flags(void)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < seccomp_flags_len; i++)
		if (seccomp_flag_supported(seccomp_flags[i].value))
			json_object_array_add(a, json_object_new_string(seccomp_flags[i].name));
	return a;
}

static json_object *seccomp_features(void)
{
	json_object *s = json_object_new_object();
	json_object_object_add(s, "enabled", json_object_new_boolean(true));
	json_object_object_add(s, "actions", names_of(seccomp_actions, seccomp_actions_len));
	json_object_object_add(s, "operators", names_of(seccomp_operators, seccomp_operators_len));
	json_object_object_add(s, "archs", names_of(seccomp_arches, seccomp_arches_len));
	json_object_object_add(s, "knownFlags", names_of(seccomp_flags, seccomp_flags_len));
	json_object_object_add(s, "supportedFlags", supported_flags());
	return s;
}

static json_object *bool_object(const char *key, bool v)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, key, json_object_new_boolean(v));
	return o;
}

/* features-linux.md: idmap "enabled" when the runtime uses uidMappings/gidMappings
 * of mounts: the idmap options are in the table mount.c parses with. */
static bool mount_idmap_known(void)
{
	for (size_t i = 0; i < mount_options_table_len; i++)
		if (mount_options_table[i].kind == MOUNT_OPT_IDMAP)
			return true;
	return false;
}

static json_object *linux_features(void)
{
	json_object *l = json_object_new_object();
	json_object *ns = json_object_new_array();
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		json_object_array_add(ns, json_object_new_string(spec_ns_type_name((enum spec_ns_type)t)));
	json_object_object_add(l, "namespaces", ns);
	json_object *caps = json_object_new_array();
	for (size_t i = 0; i < caps_table_len; i++)
		json_object_array_add(caps, json_object_new_string(caps_table[i].name));
	json_object_object_add(l, "capabilities", caps);
	json_object *cg = json_object_new_object();
	json_object_object_add(cg, "v1", json_object_new_boolean(true));
	json_object_object_add(cg, "v2", json_object_new_boolean(true));
	/* --systemd-cgroup (cgroup_systemd.c); not for a user session (systemdUser) */
	json_object_object_add(cg, "systemd", json_object_new_boolean(true));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
	json_object_object_add(cg, "rdma", json_object_new_boolean(true));
	json_object_object_add(l, "cgroup", cg);
	json_object_object_add(l, "seccomp", seccomp_features());
	json_object_object_add(l, "apparmor", bool_object("enabled", true));
	json_object_object_add(l, "selinux", bool_object("enabled", true));
	json_object *rdt = bool_object("enabled", true);
	json_object_object_add(rdt, "schemata", json_object_new_boolean(true));
	json_object_object_add(rdt, "monitoring", json_object_new_boolean(true));
	json_object_object_add(l, "intelRdt", rdt);
	json_object *ext = json_object_new_object();
	json_object_object_add(ext, "idmap", bool_object("enabled", mount_idmap_known()));
	json_object_object_add(l, "mountExtensions", ext);
	json_object_object_add(l, "netDevices", bool_object("enabled", net_devices_supported));
	return l;
}

static json_object *features_json(void)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(o, "ociVersionMax", json_object_new_string(HUTCH_SPEC_VERSION));
	json_object *h = json_object_new_array();
	for (size_t i = 0; spec_hook_name(i); i++)
		json_object_array_add(h, json_object_new_string(spec_hook_name(i)));
	json_object_object_add(o, "hooks", h);
	json_object *m = json_object_new_array();
	for (size_t i = 0; i < mount_options_table_len; i++)
		json_object_array_add(m, json_object_new_string(mount_options_table[i].name));
	json_object_object_add(o, "mountOptions", m);
	json_object_object_add(o, "linux", linux_features());
	json_object *a = json_object_new_object();
	const struct scmp_version *v = seccomp_version();
	cleanup_free char *lsv = xasprintf("%u.%u.%u", v->major, v->minor, v->micro);
	json_object_object_add(a, "io.github.seccomp.libseccomp.version", json_object_new_string(lsv));
	json_object_object_add(a, "org.opencontainers.hutch.commit", json_object_new_string(HUTCH_COMMIT));
	json_object_object_add(a, "org.opencontainers.hutch.version", json_object_new_string(HUTCH_VERSION));
	json_object_object_add(o, "annotations", a);
	return o;
}

static int features_main(const struct global_opts *g, int argc, char **argv)
{
	(void)g;
	if (getopt_long(argc, argv, "+", (struct option[]){ { NULL, 0, NULL, 0 } }, NULL) != -1)
		return cli_usage_error("features", "bad option");
	if (cli_want_args("features", argc, argv, 0, "") != 0)
		return 1;
	cleanup_json json_object *o = features_json();
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static void features_usage(void)
{
	printf("Usage: hutch features\n\nPrint what this hutch supports (runtime-spec features.md) as JSON.\n");
}

const struct command cmd_features = { "features", "print the supported features as JSON", features_main,
				       features_usage };
