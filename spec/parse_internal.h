/* The table-driven JSON-to-struct engine behind spec_parse().
 *
 * Each JSON object of the spec is described by an objdesc: the struct size and
 * a table of fields (JSON key, kind, offsets into the struct). One walk over
 * the json-c tree fills the struct; the same tables drive the free. Semantic
 * rules that a table cannot say (namespace names, absolute paths, ...) live in
 * an objdesc's `check` callback, run after the fields are filled. */
#ifndef HUTCH_SPEC_PARSE_INTERNAL_H
#define HUTCH_SPEC_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "spec.h"
#include "../libcontainer/utils.h"

/* A JSON path kept on the stack and rendered only when an error is built. */
enum jpath_kind { JPATH_KEY, JPATH_INDEX, JPATH_MAPKEY };
struct jpath {
	const struct jpath *up;
	enum jpath_kind kind;
	const char *key;
	size_t index;
};

struct pctx {
	const char *what;          /* "config.json", message prefix */
	struct hutch_error **err;
};

enum ftype {
	F_STR,          /* char * */
	F_BOOL,         /* bool */
	F_I32,          /* int32_t */
	F_INT,          /* int */
	F_UINT,         /* unsigned int */
	F_U16,          /* uint16_t */
	F_U32,          /* uint32_t */
	F_I64,          /* int64_t */
	F_U64,          /* uint64_t */
	F_STRV,         /* char ** NULL-terminated + size_t n at n_off */
	F_U32V,         /* uint32_t * + size_t n at n_off */
	F_KVMAP,        /* struct spec_kv * + n: object of string values */
	F_OBJ,          /* T * allocated, described by sub */
	F_INLINE,       /* fields of sub applied to the same struct at off */
	F_OBJARR,       /* T * array + n */
	F_OBJMAP,       /* T * array + n from an object; key stored at sub->key_off */
};

#define NO_OFF ((ssize_t)-1)

struct objdesc;

struct field {
	const char *key;
	enum ftype type;
	bool required;
	size_t off;
	ssize_t has_off;           /* bool set when present, or NO_OFF */
	ssize_t n_off;             /* count for arrays and maps, or NO_OFF */
	const struct objdesc *sub; /* F_OBJ, F_INLINE, F_OBJARR, F_OBJMAP */
};

struct objdesc {
	size_t size;
	const struct field *fields;
	size_t n_fields;
	size_t key_off;            /* F_OBJMAP: where the map key (char *) goes */
	int (*check)(struct pctx *c, json_object *obj, const struct jpath *p, void *dst);
};

#define FIELD(k, t, req, type_, member) \
	{ .key = k, .type = t, .required = req, .off = offsetof(type_, member), \
	  .has_off = NO_OFF, .n_off = NO_OFF }
#define FIELD_HAS(k, t, type_, member, has) \
	{ .key = k, .type = t, .off = offsetof(type_, member), \
	  .has_off = offsetof(type_, has), .n_off = NO_OFF }
#define FIELD_N(k, t, req, type_, member, n, sub_) \
	{ .key = k, .type = t, .required = req, .off = offsetof(type_, member), \
	  .has_off = NO_OFF, .n_off = offsetof(type_, n), .sub = sub_ }
#define FIELD_SUB(k, t, req, type_, member, sub_) \
	{ .key = k, .type = t, .required = req, .off = offsetof(type_, member), \
	  .has_off = NO_OFF, .n_off = NO_OFF, .sub = sub_ }
#define OBJDESC(type_, table, check_) \
	{ .size = sizeof(type_), .fields = table, .n_fields = ARRAY_SIZE(table), .check = check_ }

/* Build "<what>: <path>: <message>"; returns -1. */
int perr(struct pctx *c, const struct jpath *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fill `dst` from the fields of `obj` (which must be a JSON object). */
int parse_object(struct pctx *c, json_object *obj, const struct jpath *p,
		 const struct objdesc *d, void *dst);
/* Parse one field of `d`-like tables by hand, e.g. when its requiredness depends
 * on another field. */
int parse_field(struct pctx *c, json_object *obj, const struct jpath *p,
		const struct field *f, void *dst);
void free_fields(const struct objdesc *d, void *dst);
void free_object(const struct objdesc *d, void *obj);

bool path_is_absolute(const char *s);

extern const struct objdesc spec_process_desc;
extern const struct objdesc spec_linux_desc;
extern const struct objdesc spec_resources_desc;
extern const struct objdesc spec_id_mapping_desc;

#endif
