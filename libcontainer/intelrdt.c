#include "intelrdt.h"
#include "utils.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#ifndef RDTGROUP_SUPER_MAGIC
#define RDTGROUP_SUPER_MAGIC 0x7655821
#endif

/* enableCMT and enableMBM (runtime-spec 1.1-1.2) became enableMonitoring. */
static bool wants_monitoring(const struct spec_intel_rdt *r)
{
	return r->enable_monitoring || r->enable_cmt || r->enable_mbm;
}

static bool has_clos(const struct spec_intel_rdt *r)
{
	return r->clos_id && r->clos_id[0];
}

/* config-linux.md: closID "/" is the default CLOS, the root of resctrl. */
static bool is_default_clos(const struct spec_intel_rdt *r)
{
	return has_clos(r) && strcmp(r->clos_id, "/") == 0;
}

/* The CTRL_MON group's directory: closID, or the container's id. */
static const char *group_name(const struct spec_intel_rdt *r, const char *id)
{
	return is_default_clos(r) ? "." : has_clos(r) ? r->clos_id : id;
}

static void lines_add(char ***v, size_t *n, const char *text)
{
	for (const char *p = text; p && *p;) {
		size_t len = strcspn(p, "\n");
		if (len > 0) {
			*v = xrealloc(*v, sizeof(char *) * (*n + 1));
			(*v)[(*n)++] = xstrndup(p, len);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
}

int intelrdt_schema_lines(const struct spec_intel_rdt *r, char ***lines, size_t *n)
{
	*lines = NULL;
	*n = 0;
	/* "runtimes MUST write l3CacheSchema first and memBwSchema last", then
	 * "the value of schemata field must be written last" */
	lines_add(lines, n, r->l3_cache_schema);
	lines_add(lines, n, r->mem_bw_schema);
	for (size_t i = 0; i < r->n_schemata; i++)
		lines_add(lines, n, r->schemata[i]);
	return 0;
}

static void lines_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- validation ---- */

/* A directory right under the resctrl root that the kernel does not own. */
static int check_group_name(const char *name, const char *field, struct hutch_error **err)
{
	static const char *const reserved[] = { ".", "..", "info", "mon_groups", "mon_data" };
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (strcmp(name, reserved[i]) == 0)
			return hutch_error_set(err, EINVAL, "%s: \"%s\" is reserved by resctrl", field, name);
	if (strchr(name, '/') || strchr(name, '\n'))
		return hutch_error_set(err, EINVAL, "%s: \"%s\" is not a directory name", field, name);
	return 0;
}

static int check_schemata(const struct spec_intel_rdt *r, struct hutch_error **err)
{
	const char *mb = r->mem_bw_schema;
	if (mb && mb[0] && strncmp(mb, "MB:", 3) != 0)
		return hutch_error_set(err, EINVAL, "linux.intelRdt.memBwSchema: must start with \"MB:\"");
	if (mb && strchr(mb, '\n'))
		return hutch_error_set(err, EINVAL, "linux.intelRdt.memBwSchema: must not contain a newline");
	for (size_t i = 0; i < r->n_schemata; i++) {
		if (r->schemata[i] == NULL || r->schemata[i][0] == '\0')
			return hutch_error_set(err, EINVAL, "linux.intelRdt.schemata[%zu]: empty line", i);
		if (strchr(r->schemata[i], '\n'))
			return hutch_error_set(err, EINVAL, "linux.intelRdt.schemata[%zu]: must not contain a newline", i);
	}
	return 0;
}

/* The mount point of the first resctrl in this mount namespace, unescaped
 * (mountinfo writes space, tab, newline and backslash as \ooo). */
static char *resctrl_mountpoint(void)
{
	cleanup_free char *buf = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &buf, NULL, NULL) < 0)
		return NULL;
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(line, " - ");
		if (sep == NULL || strncmp(sep + 3, "resctrl ", 8) != 0)
			continue;
		char *f = line;
		for (int i = 0; i < 4 && f; i++)
			f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
		if (f == NULL)
			continue;
		char *out = xmalloc(strlen(f) + 1), *o = out;
		for (const char *p = f; *p && *p != ' '; p++) {
			if (p[0] == '\\' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
			    isdigit((unsigned char)p[3])) {
				*o++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
				p += 3;
			} else {
				*o++ = *p;
			}
		}
		*o = '\0';
		return out;
	}
	return NULL;
}

static int resctrl_open(struct hutch_error **err)
{
	cleanup_free char *mp = resctrl_mountpoint();
	if (mp == NULL)
		return hutch_error_set(err, ENOENT, "linux.intelRdt: no resctrl filesystem is mounted");
	cleanup_close int fd = open(mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "linux.intelRdt: open %s", mp);
	struct statfs sfs;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != RDTGROUP_SUPER_MAGIC)
		return hutch_error_set(err, EINVAL, "linux.intelRdt: %s is not a resctrl filesystem", mp);
	return take_fd(&fd);
}

int intelrdt_validate(const struct spec_intel_rdt *r, struct hutch_error **err)
{
	if (r == NULL)
		return 0;
	if (has_clos(r) && !is_default_clos(r) && check_group_name(r->clos_id, "linux.intelRdt.closID", err) < 0)
		return -1;
	if (check_schemata(r, err) < 0)
		return -1;
	cleanup_close int root = resctrl_open(err);
	return root < 0 ? -1 : 0;
}

/* ---- schemata ---- */

/* A schemata value as the kernel prints it: hex masks and percentages,
 * lower case, no leading zeros. */
static bool value_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen > 1 && *a == '0')
		a++, alen--;
	while (blen > 1 && *b == '0')
		b++, blen--;
	return alen == blen && strncasecmp(a, b, alen) == 0;
}

/* Does "id=value" of `want` (one of its ";" items) appear in `have` ("id=v;id=v")? */
static bool domain_matches(const char *item, size_t len, const char *have)
{
	const char *eq = memchr(item, '=', len);
	if (eq == NULL)
		return false;
	size_t idlen = (size_t)(eq - item);
	for (const char *p = have; *p;) {
		size_t n = strcspn(p, ";\n");
		const char *peq = memchr(p, '=', n);
		if (peq && (size_t)(peq - p) == idlen && strncmp(p, item, idlen) == 0)
			return value_equal(eq + 1, len - idlen - 1, peq + 1, n - (size_t)(peq - p) - 1);
		if (p[n] != ';')
			break;
		p += n + 1;
	}
	return false;
}

bool intelrdt_schema_matches(const char *want, const char *have)
{
	const char *colon = strchr(want, ':');
	if (colon == NULL)
		return false;
	size_t rlen = (size_t)(colon - want);
	for (const char *line = have; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, want, rlen + 1) != 0)
			continue;
		for (const char *w = colon + 1; *w;) {
			size_t n = strcspn(w, ";");
			if (!domain_matches(w, n, p + rlen + 1))
				return false;
			w += n + (w[n] == ';');
		}
		return true;
	}
	return false;
}

static int schemata_compare(int grp, const char *name, char **lines, size_t n, struct hutch_error **err)
{
	cleanup_free char *have = NULL;
	if (read_file_at(grp, "schemata", &have, NULL, err) < 0)
		return hutch_error_wrap(err, "linux.intelRdt: resctrl group \"%s\"", name);
	for (size_t i = 0; i < n; i++)
		if (!intelrdt_schema_matches(lines[i], have))
			return hutch_error_set(err, EEXIST,
					       "linux.intelRdt: resctrl group \"%s\" exists with other schemata than \"%s\"",
					       name, lines[i]);
	return 0;
}

/* One line per write: the kernel says why it refuses one in last_cmd_status. */
static int schemata_write(int root, int grp, const char *name, char **lines, size_t n, struct hutch_error **err)
{
	cleanup_close int fd = openat(grp, "schemata", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "linux.intelRdt: open %s/schemata", name);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *l = xasprintf("%s\n", lines[i]);
		if (write_all(fd, l, strlen(l)) == 0)
			continue;
		int e = errno;
		cleanup_free char *why = NULL;
		if (read_file_at(root, "info/last_cmd_status", &why, NULL, NULL) == 0)
			why[strcspn(why, "\n")] = '\0';
		errno = e;
		return hutch_error_errno(err, "linux.intelRdt: write \"%s\" to %s/schemata%s%s%s", lines[i], name,
					 why && why[0] ? " (resctrl: " : "", why ? why : "", why && why[0] ? ")" : "");
	}
	return 0;
}

/* ---- groups ---- */

/* The CTRL_MON group, made when config-linux.md says so (*made). */
static int group_open(int root, const struct spec_intel_rdt *r, const char *id, bool schemata, bool *made,
		      struct hutch_error **err)
{
	const char *name = group_name(r, id);
	*made = false;
	if (!has_clos(r)) {
		if (mkdirat(root, name, 0755) < 0)
			return errno == EEXIST
				? hutch_error_set(err, EEXIST, "linux.intelRdt: resctrl group \"%s\" already exists", name)
				: hutch_error_errno(err, "linux.intelRdt: mkdir resctrl group \"%s\"", name);
		*made = true;
	} else if (schemata && !is_default_clos(r)) {
		if (mkdirat(root, name, 0755) == 0)
			*made = true;
		else if (errno != EEXIST)
			return hutch_error_errno(err, "linux.intelRdt: mkdir resctrl group \"%s\"", name);
	}
	int fd = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return hutch_error_set(err, ENOENT,
				       "linux.intelRdt.closID: no resctrl group \"%s\" (it must exist when no schemata are given)",
				       name);
	if (fd < 0)
		return hutch_error_errno(err, "linux.intelRdt: open resctrl group \"%s\"", name);
	return fd;
}

static int open_tasks(int grp, const struct spec_intel_rdt *r, const char *id, struct hutch_error **err)
{
	cleanup_free char *path = wants_monitoring(r) ? xasprintf("mon_groups/%s/tasks", id) : xstrdup("tasks");
	int fd = openat(grp, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "linux.intelRdt: open %s", path);
	return fd;
}

/* The MON group is the container's in every case: made here, removed at delete. */
static int mon_group_make(int grp, const struct spec_intel_rdt *r, const char *id, struct hutch_error **err)
{
	if (!wants_monitoring(r))
		return 0;
	if (check_group_name(id, "linux.intelRdt.enableMonitoring: the container id", err) < 0)
		return -1;
	cleanup_free char *path = xasprintf("mon_groups/%s", id);
	if (mkdirat(grp, path, 0755) < 0)
		return hutch_error_errno(err, "linux.intelRdt.enableMonitoring: mkdir %s", path);
	return 0;
}

int intelrdt_setup_at(int root, const struct spec_intel_rdt *r, const char *id, int *tasks,
		      struct hutch_error **err)
{
	char **lines;
	size_t n;
	bool made;
	intelrdt_schema_lines(r, &lines, &n);
	cleanup_close int grp = group_open(root, r, id, n > 0, &made, err);
	int rc = grp < 0 ? -1 : 0;
	const char *name = group_name(r, id);
	if (rc == 0 && n > 0)
		rc = made ? schemata_write(root, grp, name, lines, n, err) : schemata_compare(grp, name, lines, n, err);
	lines_free(lines, n);
	bool mon = false;
	if (rc == 0 && (rc = mon_group_make(grp, r, id, err)) == 0)
		mon = wants_monitoring(r);
	if (rc == 0 && (*tasks = open_tasks(grp, r, id, err)) < 0)
		rc = -1;
	if (rc < 0 && mon) {
		cleanup_free char *path = xasprintf("mon_groups/%s", id);
		unlinkat(grp, path, AT_REMOVEDIR);
	}
	/* A group named by closID stays, even one made here (config-linux.md). */
	if (rc < 0 && made && !has_clos(r))
		unlinkat(root, name, AT_REMOVEDIR);
	return rc;
}

int intelrdt_open_tasks_at(int root, const struct spec_intel_rdt *r, const char *id, int *tasks,
			   struct hutch_error **err)
{
	const char *name = group_name(r, id);
	cleanup_close int grp = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (grp < 0)
		return hutch_error_errno(err, "linux.intelRdt: open resctrl group \"%s\"", name);
	*tasks = open_tasks(grp, r, id, err);
	return *tasks < 0 ? -1 : 0;
}

int intelrdt_enter(int tasks, pid_t pid, struct hutch_error **err)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write_all(tasks, buf, (size_t)n) < 0)
		return hutch_error_errno(err, "linux.intelRdt: add process %d to its resctrl group", (int)pid);
	return 0;
}

int intelrdt_remove_at(int root, const struct spec_intel_rdt *r, const char *id, struct hutch_error **err)
{
	const char *name = group_name(r, id);
	cleanup_close int grp = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (grp < 0)
		return errno == ENOENT ? 0 : hutch_error_errno(err, "linux.intelRdt: open resctrl group \"%s\"", name);
	if (wants_monitoring(r)) {
		cleanup_free char *path = xasprintf("mon_groups/%s", id);
		if (unlinkat(grp, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return hutch_error_errno(err, "linux.intelRdt: remove %s/%s", name, path);
	}
	if (!has_clos(r) && unlinkat(root, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return hutch_error_errno(err, "linux.intelRdt: remove resctrl group \"%s\"", name);
	return 0;
}

int intelrdt_setup(const struct spec_intel_rdt *r, const char *id, int *tasks, struct hutch_error **err)
{
	cleanup_close int root = resctrl_open(err);
	return root < 0 ? -1 : intelrdt_setup_at(root, r, id, tasks, err);
}

int intelrdt_open_tasks(const struct spec_intel_rdt *r, const char *id, int *tasks, struct hutch_error **err)
{
	cleanup_close int root = resctrl_open(err);
	return root < 0 ? -1 : intelrdt_open_tasks_at(root, r, id, tasks, err);
}

/* Nothing to remove once resctrl is gone: delete must still work. */
int intelrdt_remove(const struct spec_intel_rdt *r, const char *id, struct hutch_error **err)
{
	cleanup_close int root = resctrl_open(NULL);
	return root < 0 ? 0 : intelrdt_remove_at(root, r, id, err);
}
