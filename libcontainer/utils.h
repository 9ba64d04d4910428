/* Small helpers shared by every module: allocation that aborts on failure,
 * cleanup attributes, and file I/O that reports through struct hutch_error. */
#ifndef HUTCH_UTILS_H
#define HUTCH_UTILS_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include <json-c/json.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))

/* Allocation failure aborts: call sites never test for NULL. */
void *xmalloc(size_t n);
void *xmalloc0(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
void strv_free(char **v);
static inline void strv_freep(char ***v) { strv_free(*v); }

#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))
#define cleanup_file __attribute__((cleanup(fclosep)))
#define cleanup_dir __attribute__((cleanup(closedirp)))
#define cleanup_strv __attribute__((cleanup(strv_freep)))

static inline void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
	*o = NULL;
}
#define cleanup_json __attribute__((cleanup(json_putp)))

/* Hand ownership out of a cleanup variable. */
static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}
#define take_ptr(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })

/* Whole-file helpers. read_all_fd/read_file return a NUL-terminated buffer. */
int read_all_fd(int fd, const char *what, char **out, size_t *len, struct hutch_error **err);
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct hutch_error **err);
/* The same for a file a user hands us (config.json, process.json): a regular
 * file or a pipe. Opening a FIFO must not wait for a writer, and a device
 * (/dev/zero) may never end: anything else is an error. */
int read_regular_file_at(int dirfd, const char *path, char **out, size_t *len, struct hutch_error **err);
/* Write `len` bytes (retrying short writes and EINTR). */
int write_all(int fd, const void *buf, size_t len);
/* open + write + close, no O_CREAT: for procfs, sysfs and cgroupfs files. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct hutch_error **err);
/* Atomic replace for readers: <path>.tmp, then rename (no fsync: see utils.c). */
int write_file_atomic_at(int dirfd, const char *path, const char *data, size_t len, mode_t mode,
			 struct hutch_error **err);

/* Strict number parsing: the whole string must be a number in range. */
int parse_int64(const char *s, long long *out);
int parse_uint64(const char *s, unsigned long long *out);

/* mkdir -p relative to dirfd, each component created with `mode`. */
int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct hutch_error **err);

/* Close every fd >= `from` except those for which keep(fd, data) is true. */
int close_fds_from(int from);
/* Close every fd >= `from` but `keep`. */
int close_fds_except(int from, int keep);
/* Close every fd >= from but those in keep[] (negative entries are ignored). */
int close_fds_keep(int from, const int *keep, size_t n);
/* Mark every fd >= `from` close-on-exec. */
int cloexec_fds_from(int from);

/* A close-on-exec memfd holding `data` (to hand bytes to the init stage). */
int memfd_with_data(const char *name, const char *data, size_t len, struct hutch_error **err);
/* The current time as RFC 3339 with nanoseconds, UTC (state, logs). */
char *now_rfc3339(void);

/* Monotonic time in nanoseconds (for timeouts). */
unsigned long long now_ns(void);

/* A SOCK_STREAM unix socket connected to `path`, close-on-exec; errors start
 * with `what` (the flag that named the path: "--console-socket"). */
int unix_connect(const char *path, const char *what, struct hutch_error **err);
/* One message: `payload` as data (not empty), `fd` by SCM_RIGHTS. */
int unix_send_fd(int sock, const char *payload, int fd, struct hutch_error **err);

#endif
