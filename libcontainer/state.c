#include "state.h"
#include "cgroup.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <time.h>

/* The id as it can go in a one-line message: bytes outside printable ASCII as \xNN. */
static char *id_printable(const char *id)
{
	size_t n = strlen(id);
	char *out = xmalloc(4 * n + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			*o++ = (char)*p;
		else
			o += sprintf(o, "\\x%02x", *p);
	}
	*o = '\0';
	return out;
}

int state_validate_id(const char *id, struct hutch_error **err)
{
	size_t n = strlen(id);
	if (n == 0)
		return hutch_error_set(err, EINVAL, "invalid container id: empty");
	if (n > 255)
		return hutch_error_set(err, EINVAL, "invalid container id: longer than 255 bytes");
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return hutch_error_set(err, EINVAL, "invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '+' || c == '-' || c == '.';
		if (!ok) {
			cleanup_free char *shown = id_printable(id);
			return hutch_error_set(err, EINVAL,
					       "invalid container id \"%s\": only [A-Za-z0-9_+.-] are allowed", shown);
		}
	}
	return 0;
}

static int open_root(const char *root, bool create, struct hutch_error **err)
{
	if (create && mkdir_p_at(AT_FDCWD, root, 0700, err) < 0)
		return hutch_error_wrap(err, "state root %s", root);
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hutch_error_errno(err, "open state root %s", root);
	return fd;
}

/* busy == NULL: wait for the lock; else take it only if free and say whether
 * another command holds it. */
static int lock_dir(int fd, bool exclusive, const char *id, bool *busy, struct hutch_error **err)
{
	int how = (exclusive ? LOCK_EX : LOCK_SH) | (busy ? LOCK_NB : 0);
	while (flock(fd, how) < 0) {
		if (errno == EWOULDBLOCK && busy) {
			*busy = true;
			break;
		}
		if (errno != EINTR)
			return hutch_error_errno(err, "lock container %s", id);
	}
	/* The previous holder may have deleted it while we waited. */
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_nlink == 0)
		return hutch_error_set(err, ENOENT, "container %s does not exist", id);
	return 0;
}

static struct state_dir *state_dir_new(int root_fd, int fd, const char *root, const char *id)
{
	struct state_dir *d = xmalloc0(sizeof(*d));
	d->root_fd = root_fd;
	d->fd = fd;
	d->id = xstrdup(id);
	d->path = xasprintf("%s/%s", root, id);
	return d;
}

int state_dir_create(const char *root, const char *id, struct state_dir **out, struct hutch_error **err)
{
	cleanup_close int root_fd = open_root(root, true, err);
	if (root_fd < 0)
		return -1;
	if (mkdirat(root_fd, id, 0711) < 0) {
		if (errno == EEXIST)
			return hutch_error_set(err, EEXIST, "container %s already exists", id);
		return hutch_error_errno(err, "create state directory %s/%s", root, id);
	}
	cleanup_close int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || lock_dir(fd, true, id, NULL, err) < 0) {
		/* A delete took the empty directory between the mkdir and the lock. */
		if (fd < 0 && errno == ENOENT)
			hutch_error_set(err, ENOENT, "container %s was deleted while it was created", id);
		else if (fd < 0)
			hutch_error_errno(err, "open state directory %s/%s", root, id);
		unlinkat(root_fd, id, AT_REMOVEDIR);
		return -1;
	}
	*out = state_dir_new(take_fd(&root_fd), take_fd(&fd), root, id);
	return 0;
}

static int dir_open(const char *root, const char *id, bool exclusive, bool *busy,
		    struct state_dir **out, struct hutch_error **err)
{
	if (state_validate_id(id, err) < 0)
		return -1;
	cleanup_close int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 && errno == ENOENT)
		return hutch_error_set(err, ENOENT, "container %s does not exist", id);
	if (root_fd < 0)
		return hutch_error_errno(err, "open state root %s", root);
	cleanup_close int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return hutch_error_set(err, ENOENT, "container %s does not exist", id);
	if (fd < 0)
		return hutch_error_errno(err, "open state directory %s/%s", root, id);
	if (lock_dir(fd, exclusive, id, busy, err) < 0)
		return -1;
	*out = state_dir_new(take_fd(&root_fd), take_fd(&fd), root, id);
	return 0;
}

int state_dir_open(const char *root, const char *id, bool exclusive, struct state_dir **out,
		   struct hutch_error **err)
{
	return dir_open(root, id, exclusive, NULL, out, err);
}

int state_dir_open_reader(const char *root, const char *id, struct state_dir **out, bool *busy,
			  struct hutch_error **err)
{
	*busy = false;
	return dir_open(root, id, false, busy, out, err);
}

int state_dir_remove(struct state_dir *d, struct hutch_error **err)
{
	/* state.json first: from then on, state and list say "does not exist". */
	if (unlinkat(d->fd, "state.json", 0) < 0 && errno != ENOENT)
		return hutch_error_errno(err, "remove %s/state.json", d->path);
	cleanup_close int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (dir == NULL)
		return hutch_error_errno(err, "open state directory %s", d->path);
	fd = -1; /* owned by dir now */
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(d->fd, de->d_name, 0) < 0 && errno != ENOENT)
			return hutch_error_errno(err, "remove %s/%s", d->path, de->d_name);
	}
	if (unlinkat(d->root_fd, d->id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return hutch_error_errno(err, "remove %s", d->path);
	return 0;
}

void state_dir_free(struct state_dir *d)
{
	if (d == NULL)
		return;
	closep(&d->fd);
	closep(&d->root_fd);
	free(d->id);
	free(d->path);
	free(d);
}

static void json_add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

int state_save(struct state_dir *d, const struct container_state *s, struct hutch_error **err)
{
	cleanup_json json_object *o = json_object_new_object();
	json_add_str(o, "id", s->id);
	json_object_object_add(o, "pid", json_object_new_int(s->pid));
	json_add_str(o, "bundle", s->bundle);
	json_add_str(o, "rootfs", s->rootfs);
	json_add_str(o, "created", s->created);
	json_add_str(o, "owner", s->owner);
	json_add_str(o, "cgroupPath", s->cgroup_path);
	if (s->systemd_unit)
		json_add_str(o, "systemdUnit", s->systemd_unit);
	json_object_object_add(o, "initStartTime", json_object_new_uint64(s->start_time));
	json_object_object_add(o, "creator", json_object_new_int(s->creator));
	json_object_object_add(o, "creatorStartTime", json_object_new_uint64(s->creator_start_time));
	if (s->annotations)
		json_object_object_add(o, "annotations", json_object_get(s->annotations));
	size_t len;
	const char *txt = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	if (write_file_atomic_at(d->fd, "state.json", txt, len, 0600, err) < 0)
		return hutch_error_wrap(err, "save state of %s", d->id);
	return 0;
}

static char *json_dup_str(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

static unsigned long long json_get_u64(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_uint64(v) : 0;
}

int state_load(struct state_dir *d, struct container_state **out, struct hutch_error **err)
{
	cleanup_free char *txt = NULL;
	if (read_file_at(d->fd, "state.json", &txt, NULL, err) < 0)
		return hutch_error_wrap(err, "container %s", d->id);
	cleanup_json json_object *o = json_tokener_parse(txt);
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return hutch_error_set(err, EINVAL, "container %s: corrupt state.json", d->id);
	struct container_state *s = xmalloc0(sizeof(*s));
	s->id = json_dup_str(o, "id");
	s->bundle = json_dup_str(o, "bundle");
	s->rootfs = json_dup_str(o, "rootfs");
	s->created = json_dup_str(o, "created");
	s->owner = json_dup_str(o, "owner");
	s->cgroup_path = json_dup_str(o, "cgroupPath");
	s->systemd_unit = json_dup_str(o, "systemdUnit");
	s->pid = (pid_t)json_get_u64(o, "pid");
	s->start_time = json_get_u64(o, "initStartTime");
	s->creator = (pid_t)json_get_u64(o, "creator");
	s->creator_start_time = json_get_u64(o, "creatorStartTime");
	json_object *a;
	if (json_object_object_get_ex(o, "annotations", &a))
		s->annotations = json_object_get(a);
	*out = s;
	return 0;
}

void container_state_free(struct container_state *s)
{
	if (s == NULL)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->cgroup_path);
	free(s->systemd_unit);
	if (s->annotations)
		json_object_put(s->annotations);
	free(s);
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_free char *txt = NULL;
	if (pid <= 0 || read_file_at(AT_FDCWD, path, &txt, NULL, NULL) < 0)
		return 0;
	/* The command name may hold spaces and parentheses: fields start after the last ')'. */
	char *p = strrchr(txt, ')');
	if (p == NULL || p[1] == '\0')
		return 0;
	char state = p[2];
	if (state == 'Z' || state == 'X')
		return 0;
	p += 2;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return 0;
		p++;
	}
	return strtoull(p, NULL, 10);
}

static bool process_is(pid_t pid, unsigned long long start_time)
{
	return pid > 0 && start_time != 0 && proc_start_time(pid) == start_time;
}

enum container_status state_status(struct state_dir *d, const struct container_state *s)
{
	if (s->pid == 0)
		return process_is(s->creator, s->creator_start_time) ? STATUS_CREATING : STATUS_STOPPED;
	if (!process_is(s->pid, s->start_time))
		return STATUS_STOPPED;
	/* runc: a frozen cgroup is "paused", whether or not start came. */
	if (cgroup_path_is_frozen(s->cgroup_path))
		return STATUS_PAUSED;
	if (faccessat(d->fd, STATE_EXEC_SOCK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_CREATED;
	return STATUS_RUNNING;
}

const char *state_status_name(enum container_status st)
{
	switch (st) {
	case STATUS_CREATING: return "creating";
	case STATUS_CREATED: return "created";
	case STATUS_RUNNING: return "running";
	case STATUS_PAUSED: return "paused";
	case STATUS_STOPPED: return "stopped";
	}
	return "unknown";
}

json_object *state_to_oci_json(const struct container_state *s, enum container_status st)
{
	json_object *o = json_object_new_object();
	json_add_str(o, "ociVersion", "1.3.0");
	json_add_str(o, "id", s->id);
	/* runtime.md: pid is REQUIRED when status is created or running. */
	json_object_object_add(o, "pid", json_object_new_int(st == STATUS_STOPPED ? 0 : s->pid));
	json_add_str(o, "status", state_status_name(st));
	json_add_str(o, "bundle", s->bundle);
	json_add_str(o, "rootfs", s->rootfs);
	json_add_str(o, "created", s->created);
	if (s->annotations && json_object_object_length(s->annotations) > 0)
		json_object_object_add(o, "annotations", json_object_get(s->annotations));
	json_add_str(o, "owner", s->owner);
	return o;
}

static void exec_sock_addr(const struct state_dir *d, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", d->fd, STATE_EXEC_SOCK);
}

int state_exec_listen(struct state_dir *d, struct hutch_error **err)
{
	struct sockaddr_un sa;
	exec_sock_addr(d, &sa);
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hutch_error_errno(err, "socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
		return hutch_error_errno(err, "listen on %s/%s", d->path, STATE_EXEC_SOCK);
	return take_fd(&fd);
}

int state_exec_connect(struct state_dir *d, struct hutch_error **err)
{
	struct sockaddr_un sa;
	exec_sock_addr(d, &sa);
	cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hutch_error_errno(err, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return hutch_error_errno(err, "container %s: its init is not waiting for start", d->id);
	return take_fd(&fd);
}
