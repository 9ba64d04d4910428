/* config.json / process.json parsing: the JSON document, the field engine
 * driven by the objdesc tables, and the public entry points. */
#include "parse_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "../libcontainer/utils.h"

static char *jpath_render(const struct jpath *p)
{
	if (p == NULL)
		return xstrdup("");
	cleanup_free char *up = jpath_render(p->up);
	switch (p->kind) {
	case JPATH_INDEX:
		return xasprintf("%s[%zu]", up, p->index);
	case JPATH_MAPKEY:
		return xasprintf("%s[\"%s\"]", up, p->key);
	case JPATH_KEY:
	default:
		return xasprintf("%s%s%s", up, up[0] ? "." : "", p->key);
	}
}

int perr(struct pctx *c, const struct jpath *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (p == NULL)
		return hutch_error_set(c->err, 0, "%s: %s", c->what, msg);
	cleanup_free char *path = jpath_render(p);
	return hutch_error_set(c->err, 0, "%s: %s: %s", c->what, path, msg);
}

bool path_is_absolute(const char *s)
{
	return s != NULL && s[0] == '/';
}

/* ---- scalars ---- */

struct int_range {
	const char *name;
	bool is_signed;
	int64_t min;
	uint64_t max;
};

static const struct int_range int_ranges[] = {
	[F_I32] = { "int32", true, INT32_MIN, INT32_MAX },
	[F_INT] = { "int", true, INT_MIN, INT_MAX },
	[F_I64] = { "int64", true, INT64_MIN, INT64_MAX },
	[F_UINT] = { "uint", false, 0, UINT_MAX },
	[F_U16] = { "uint16", false, 0, UINT16_MAX },
	[F_U32] = { "uint32", false, 0, UINT32_MAX },
	[F_U64] = { "uint64", false, 0, UINT64_MAX },
};

/* json-c keeps integers as int64 or, above INT64_MAX, as uint64; the getters
 * clamp, so the sign is read from one and the magnitude from the other. */
static bool json_to_int(json_object *v, const struct int_range *r, int64_t *s, uint64_t *u)
{
	if (!json_object_is_type(v, json_type_int))
		return false;
	int64_t i = json_object_get_int64(v);
	if (r->is_signed) {
		if (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)
			return false;
		*s = i;
		return i >= r->min && (i < 0 || (uint64_t)i <= r->max);
	}
	if (i < 0)
		return false;
	*u = json_object_get_uint64(v);
	return *u <= r->max;
}

static int parse_int(struct pctx *c, json_object *v, const struct jpath *p, enum ftype t,
		     void *at)
{
	const struct int_range *r = &int_ranges[t];
	int64_t s = 0;
	uint64_t u = 0;
	if (!json_to_int(v, r, &s, &u))
		return perr(c, p, "expected %s", r->name);
	switch (t) {
	case F_I32: *(int32_t *)at = (int32_t)s; break;
	case F_INT: *(int *)at = (int)s; break;
	case F_I64: *(int64_t *)at = s; break;
	case F_UINT: *(unsigned int *)at = (unsigned int)u; break;
	case F_U16: *(uint16_t *)at = (uint16_t)u; break;
	case F_U32: *(uint32_t *)at = (uint32_t)u; break;
	case F_U64: *(uint64_t *)at = u; break;
	default: break;
	}
	return 0;
}

/* A string as C sees it: "\u0000" would cut it short unseen ("CAP_CHOWN\u0000x"
 * read as CAP_CHOWN), so a NUL byte is an error. */
static int dup_string(struct pctx *c, json_object *v, const struct jpath *p, char **out)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', len) != NULL)
		return perr(c, p, "contains a NUL byte");
	*out = xstrndup(s, len);
	return 0;
}

static int parse_scalar(struct pctx *c, json_object *v, const struct jpath *p, enum ftype t,
			void *at)
{
	switch (t) {
	case F_STR:
		if (!json_object_is_type(v, json_type_string))
			return perr(c, p, "expected string");
		return dup_string(c, v, p, (char **)at);
	case F_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return perr(c, p, "expected boolean");
		*(bool *)at = json_object_get_boolean(v);
		return 0;
	default:
		return parse_int(c, v, p, t, at);
	}
}

/* ---- arrays and maps ---- */

static int parse_strv(struct pctx *c, json_object *v, const struct jpath *p, char ***out, size_t *n)
{
	if (!json_object_is_type(v, json_type_array))
		return perr(c, p, "expected array of strings");
	size_t len = json_object_array_length(v);
	char **strv = xcalloc(len + 1, sizeof(char *));
	*out = strv;
	*n = len;
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return perr(c, p, "expected array of strings");
		struct jpath ip = { p, JPATH_INDEX, NULL, i };
		if (dup_string(c, e, &ip, &strv[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_u32v(struct pctx *c, json_object *v, const struct jpath *p, uint32_t **out,
		      size_t *n)
{
	if (!json_object_is_type(v, json_type_array))
		return perr(c, p, "expected array of uint32");
	size_t len = json_object_array_length(v);
	uint32_t *arr = xcalloc(len ? len : 1, sizeof(uint32_t));
	*out = arr;
	*n = len;
	for (size_t i = 0; i < len; i++) {
		int64_t s;
		uint64_t u;
		if (!json_to_int(json_object_array_get_idx(v, i), &int_ranges[F_U32], &s, &u))
			return perr(c, p, "expected array of uint32");
		arr[i] = (uint32_t)u;
	}
	return 0;
}

static int parse_kvmap(struct pctx *c, json_object *v, const struct jpath *p, struct spec_kv **out,
		       size_t *n)
{
	if (!json_object_is_type(v, json_type_object))
		return perr(c, p, "expected object");
	size_t len = (size_t)json_object_object_length(v), i = 0;
	struct spec_kv *kv = xcalloc(len ? len : 1, sizeof(*kv));
	*out = kv;
	*n = len;
	json_object_object_foreach(v, key, val) {
		struct jpath kp = { p, JPATH_MAPKEY, key, 0 };
		if (!json_object_is_type(val, json_type_string))
			return perr(c, &kp, "expected string");
		kv[i].key = xstrdup(key);
		if (dup_string(c, val, &kp, &kv[i++].value) < 0)
			return -1;
	}
	return 0;
}

static int parse_objarr(struct pctx *c, json_object *v, const struct jpath *p,
			const struct objdesc *d, void **out, size_t *n)
{
	if (!json_object_is_type(v, json_type_array))
		return perr(c, p, "expected array");
	size_t len = json_object_array_length(v);
	char *arr = xcalloc(len ? len : 1, d->size);
	*out = arr;
	*n = len;
	for (size_t i = 0; i < len; i++) {
		struct jpath ip = { p, JPATH_INDEX, NULL, i };
		if (parse_object(c, json_object_array_get_idx(v, i), &ip, d, arr + i * d->size) < 0)
			return -1;
	}
	return 0;
}

static int parse_objmap(struct pctx *c, json_object *v, const struct jpath *p,
			const struct objdesc *d, void **out, size_t *n)
{
	if (!json_object_is_type(v, json_type_object))
		return perr(c, p, "expected object");
	size_t len = (size_t)json_object_object_length(v), i = 0;
	char *arr = xcalloc(len ? len : 1, d->size);
	*out = arr;
	*n = len;
	json_object_object_foreach(v, key, val) {
		struct jpath kp = { p, JPATH_MAPKEY, key, 0 };
		char *elem = arr + i++ * d->size;
		*(char **)(elem + d->key_off) = xstrdup(key);
		if (parse_object(c, val, &kp, d, elem) < 0)
			return -1;
	}
	return 0;
}

/* ---- objects ---- */

static int parse_value(struct pctx *c, json_object *v, const struct jpath *p,
		       const struct field *f, char *base)
{
	void *at = base + f->off;
	size_t *n = f->n_off != NO_OFF ? (size_t *)(base + f->n_off) : NULL;
	switch (f->type) {
	case F_STRV:
		return parse_strv(c, v, p, at, n);
	case F_U32V:
		return parse_u32v(c, v, p, at, n);
	case F_KVMAP:
		return parse_kvmap(c, v, p, at, n);
	case F_OBJARR:
		return parse_objarr(c, v, p, f->sub, at, n);
	case F_OBJMAP:
		return parse_objmap(c, v, p, f->sub, at, n);
	case F_INLINE:
		return parse_object(c, v, p, f->sub, at);
	case F_OBJ:
		if (!json_object_is_type(v, json_type_object))
			return perr(c, p, "expected object");
		*(void **)at = xmalloc0(f->sub->size);
		return parse_object(c, v, p, f->sub, *(void **)at);
	default:
		return parse_scalar(c, v, p, f->type, at);
	}
}

int parse_field(struct pctx *c, json_object *obj, const struct jpath *up,
		const struct field *f, void *dst)
{
	struct jpath p = { up, JPATH_KEY, f->key, 0 };
	json_object *v = NULL;
	/* A JSON null reads as absent: get_ex succeeds with v == NULL. */
	if (!json_object_object_get_ex(obj, f->key, &v) || v == NULL) {
		if (f->required)
			return perr(c, &p, "required");
		return 0;
	}
	if (parse_value(c, v, &p, f, dst) < 0)
		return -1;
	if (f->has_off != NO_OFF)
		*(bool *)((char *)dst + f->has_off) = true;
	return 0;
}

int parse_object(struct pctx *c, json_object *obj, const struct jpath *p,
		 const struct objdesc *d, void *dst)
{
	if (!json_object_is_type(obj, json_type_object))
		return perr(c, p, "expected object");
	for (size_t i = 0; i < d->n_fields; i++)
		if (parse_field(c, obj, p, &d->fields[i], dst) < 0)
			return -1;
	return d->check ? d->check(c, obj, p, dst) : 0;
}

static void free_elems(const struct objdesc *d, char *arr, size_t n, bool keyed)
{
	if (arr == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		char *elem = arr + i * d->size;
		free_fields(d, elem);
		if (keyed)
			free(*(char **)(elem + d->key_off));
	}
	free(arr);
}

static void free_kvmap(struct spec_kv *kv, size_t n)
{
	if (kv == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void free_fields(const struct objdesc *d, void *dst)
{
	char *base = dst;
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct field *f = &d->fields[i];
		void *at = base + f->off;
		size_t n = f->n_off != NO_OFF ? *(size_t *)(base + f->n_off) : 0;
		switch (f->type) {
		case F_STR: case F_U32V: free(*(void **)at); break;
		case F_STRV: strv_free(*(char ***)at); break;
		case F_KVMAP: free_kvmap(*(struct spec_kv **)at, n); break;
		case F_OBJ: free_object(f->sub, *(void **)at); break;
		case F_INLINE: free_fields(f->sub, at); break;
		case F_OBJARR: free_elems(f->sub, *(char **)at, n, false); break;
		case F_OBJMAP: free_elems(f->sub, *(char **)at, n, true); break;
		default: break;
		}
	}
}

void free_object(const struct objdesc *d, void *obj)
{
	if (obj == NULL)
		return;
	free_fields(d, obj);
	free(obj);
}

/* ---- top level ---- */

static int check_hook(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_hook *h = dst;
	if (!path_is_absolute(h->path)) {
		struct jpath fp = { p, JPATH_KEY, "path", 0 };
		return perr(c, &fp, "must be an absolute path");
	}
	/* config.md: "If set, timeout MUST be greater than zero." */
	if (h->has_timeout && h->timeout <= 0) {
		struct jpath fp = { p, JPATH_KEY, "timeout", 0 };
		return perr(c, &fp, "must be greater than zero");
	}
	return 0;
}

static const struct field hook_fields[] = {
	FIELD("path", F_STR, true, struct spec_hook, path),
	FIELD_N("args", F_STRV, false, struct spec_hook, args, n_args, NULL),
	FIELD_N("env", F_STRV, false, struct spec_hook, env, n_env, NULL),
	FIELD_HAS("timeout", F_INT, struct spec_hook, timeout, has_timeout),
};
static const struct objdesc hook_desc = OBJDESC(struct spec_hook, hook_fields, check_hook);

#define HOOKS(k, m) FIELD_N(k, F_OBJARR, false, struct spec_hooks, m, n_##m, &hook_desc)
static const struct field hooks_fields[] = {
	HOOKS("prestart", prestart),
	HOOKS("createRuntime", create_runtime),
	HOOKS("createContainer", create_container),
	HOOKS("startContainer", start_container),
	HOOKS("poststart", poststart),
	HOOKS("poststop", poststop),
};
static const struct objdesc hooks_desc = OBJDESC(struct spec_hooks, hooks_fields, NULL);

const char *spec_hook_name(size_t i)
{
	return i < ARRAY_SIZE(hooks_fields) ? hooks_fields[i].key : NULL;
}

static const struct field root_fields[] = {
	FIELD("path", F_STR, true, struct spec_root, path),
	FIELD("readonly", F_BOOL, false, struct spec_root, readonly),
};
/* An empty path would make the bundle directory itself the rootfs. */
static int check_root(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	const struct spec_root *r = dst;
	if (r->path[0] != '\0')
		return 0;
	struct jpath pp = { p, JPATH_KEY, "path", 0 };
	return perr(c, &pp, "must not be empty");
}

static const struct objdesc root_desc = OBJDESC(struct spec_root, root_fields, check_root);

/* config.md: uidMappings "MUST be specified along with gidMappings" and back. */
static int check_mount(struct pctx *c, UNUSED json_object *obj, const struct jpath *p, void *dst)
{
	struct spec_mount *m = dst;
	bool has_uid = m->uid_mappings != NULL, has_gid = m->gid_mappings != NULL;
	if (has_uid == has_gid)
		return 0;
	struct jpath fp = { p, JPATH_KEY, has_uid ? "gidMappings" : "uidMappings", 0 };
	return perr(c, &fp, "required when %s is set", has_uid ? "uidMappings" : "gidMappings");
}

static const struct field mount_fields[] = {
	FIELD("destination", F_STR, true, struct spec_mount, destination),
	FIELD("type", F_STR, false, struct spec_mount, type),
	FIELD("source", F_STR, false, struct spec_mount, source),
	FIELD_N("options", F_STRV, false, struct spec_mount, options, n_options, NULL),
	FIELD_N("uidMappings", F_OBJARR, false, struct spec_mount, uid_mappings, n_uid_mappings,
		&spec_id_mapping_desc),
	FIELD_N("gidMappings", F_OBJARR, false, struct spec_mount, gid_mappings, n_gid_mappings,
		&spec_id_mapping_desc),
};
static const struct objdesc mount_desc = OBJDESC(struct spec_mount, mount_fields, check_mount);

/* config.md: "On all other platforms [than Windows], this field [root] is REQUIRED." */
static const struct field spec_fields[] = {
	FIELD("ociVersion", F_STR, true, struct spec, oci_version),
	FIELD_SUB("process", F_OBJ, false, struct spec, process, &spec_process_desc),
	FIELD_SUB("root", F_OBJ, true, struct spec, root, &root_desc),
	FIELD("hostname", F_STR, false, struct spec, hostname),
	FIELD("domainname", F_STR, false, struct spec, domainname),
	FIELD_N("mounts", F_OBJARR, false, struct spec, mounts, n_mounts, &mount_desc),
	FIELD_SUB("hooks", F_OBJ, false, struct spec, hooks, &hooks_desc),
	FIELD_N("annotations", F_KVMAP, false, struct spec, annotations, n_annotations, NULL),
	FIELD_SUB("linux", F_OBJ, false, struct spec, linux_, &spec_linux_desc),
};
static const struct objdesc spec_desc = OBJDESC(struct spec, spec_fields, NULL);

static size_t line_of(const char *json, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		if (json[i] == '\n')
			line++;
	return line;
}

/* Does the integer literal s[0..n) (optional '-', digits) fit int64 (negative)
 * or uint64? Digit strings compare like numbers once their lengths are equal. */
static bool int_literal_fits(const char *s, size_t n)
{
	bool neg = s[0] == '-';
	const char *lim = neg ? "9223372036854775808" : "18446744073709551615";
	size_t digits = n - neg, lim_len = strlen(lim);
	if (digits != lim_len)
		return digits < lim_len;
	return memcmp(s + neg, lim, lim_len) <= 0;
}

/* json-c clamps an integer that overflows (2^64 reads as 2^64-1, and a hard
 * rlimit of 18446744073709551616 would silently become RLIM_INFINITY). Such a
 * literal gets ".0" appended: json-c then reads a double, which every integer
 * field refuses with its JSON path. NULL when there is none (the usual case). */
static char *mark_int_overflows(const char *json, size_t len, size_t *out_len)
{
	char *out = NULL;
	size_t n = 0, copied = 0;
	for (size_t i = 0; i < len;) {
		if (json[i] == '"') {
			for (i++; i < len && json[i] != '"'; i += json[i] == '\\' ? 2 : 1)
				;
			i++;
			continue;
		}
		if (json[i] != '-' && (json[i] < '0' || json[i] > '9')) {
			i++;
			continue;
		}
		size_t start = i++;
		while (i < len && json[i] >= '0' && json[i] <= '9')
			i++;
		bool is_int = i == len || (json[i] != '.' && json[i] != 'e' && json[i] != 'E');
		if (!is_int || int_literal_fits(json + start, i - start))
			continue;
		if (out == NULL)
			out = xmalloc(len + len / 10 + 3); /* each literal has >= 20 digits */
		memcpy(out + n, json + copied, i - copied);
		n += i - copied;
		memcpy(out + n, ".0", 2);
		n += 2;
		copied = i;
	}
	if (out == NULL)
		return NULL;
	memcpy(out + n, json + copied, len - copied);
	*out_len = n + len - copied;
	return out;
}

static int parse_document(const char *json, size_t len, const char *what, json_object **out,
			  struct hutch_error **err)
{
	size_t marked_len = 0;
	cleanup_free char *marked = mark_int_overflows(json, len, &marked_len);
	if (marked) {
		json = marked;
		len = marked_len;
	}
	if (len > INT_MAX)
		return hutch_error_set(err, EFBIG, "%s: invalid JSON", what);
	struct json_tokener *tok = json_tokener_new();
	if (tok == NULL)
		return hutch_error_set(err, ENOMEM, "%s: invalid JSON", what);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *root = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue)
		return hutch_error_set(err, 0, "%s: invalid JSON: unexpected end of input at line %zu",
				       what, line_of(json, len));
	if (root == NULL || jerr != json_tokener_success) {
		json_object_put(root);
		return hutch_error_set(err, 0, "%s: invalid JSON: %s at line %zu", what,
				       json_tokener_error_desc(jerr), line_of(json, end));
	}
	*out = root;
	return 0;
}

int spec_parse(const char *json, size_t len, const char *what, struct spec **out,
	       struct hutch_error **err)
{
	cleanup_json json_object *root = NULL;
	if (parse_document(json, len, what, &root, err) < 0)
		return -1;
	struct pctx c = { what, err };
	struct spec *s = xmalloc0(sizeof(*s));
	if (parse_object(&c, root, NULL, &spec_desc, s) < 0) {
		spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int spec_parse_process(const char *json, size_t len, const char *what,
		       struct spec_process **out, struct hutch_error **err)
{
	cleanup_json json_object *root = NULL;
	if (parse_document(json, len, what, &root, err) < 0)
		return -1;
	struct pctx c = { what, err };
	struct spec_process *p = xmalloc0(sizeof(*p));
	if (parse_object(&c, root, NULL, &spec_process_desc, p) < 0) {
		spec_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int spec_parse_resources(const char *json, size_t len, const char *what,
			 struct spec_resources **out, struct hutch_error **err)
{
	cleanup_json json_object *root = NULL;
	if (parse_document(json, len, what, &root, err) < 0)
		return -1;
	struct pctx c = { what, err };
	struct spec_resources *r = xmalloc0(sizeof(*r));
	if (parse_object(&c, root, NULL, &spec_resources_desc, r) < 0) {
		spec_resources_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void spec_resources_free(struct spec_resources *r)
{
	free_object(&spec_resources_desc, r);
}

int spec_load_at(int bundle_dirfd, struct spec **out, char **raw, size_t *raw_len,
		 struct hutch_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (read_regular_file_at(bundle_dirfd, "config.json", &buf, &len, err) < 0)
		return -1;
	if (spec_parse(buf, len, "config.json", out, err) < 0)
		return -1;
	if (raw != NULL) {
		*raw = take_ptr(&buf);
		if (raw_len != NULL)
			*raw_len = len;
	}
	return 0;
}

void spec_free(struct spec *s)
{
	free_object(&spec_desc, s);
}

void spec_process_free(struct spec_process *p)
{
	free_object(&spec_process_desc, p);
}

static const char *const ns_names[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = "pid",
	[SPEC_NS_NETWORK] = "network",
	[SPEC_NS_MOUNT] = "mount",
	[SPEC_NS_IPC] = "ipc",
	[SPEC_NS_UTS] = "uts",
	[SPEC_NS_USER] = "user",
	[SPEC_NS_CGROUP] = "cgroup",
	[SPEC_NS_TIME] = "time",
};

const char *spec_ns_type_name(enum spec_ns_type t)
{
	return (unsigned)t < SPEC_NS_COUNT ? ns_names[t] : NULL;
}

int spec_ns_type_from_name(const char *name, enum spec_ns_type *out)
{
	for (size_t i = 0; i < SPEC_NS_COUNT; i++) {
		if (strcmp(ns_names[i], name) == 0) {
			*out = (enum spec_ns_type)i;
			return 0;
		}
	}
	return -1;
}

const struct spec_namespace *spec_find_namespace(const struct spec *s, enum spec_ns_type t)
{
	if (s == NULL || s->linux_ == NULL)
		return NULL;
	for (size_t i = 0; i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].type == t)
			return &s->linux_->namespaces[i];
	return NULL;
}
