/* One error type for all of hutch: built where the failure happens, wrapped
 * with context on the way up, printed once at the top. */
#ifndef HUTCH_ERROR_H
#define HUTCH_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct hutch_error {
	int errnum;   /* errno of the root cause, 0 when there is none */
	char *msg;    /* full message, context first: "mount /proc: ...: Permission denied" */
};

/* All return -1 so that callers can write `return hutch_error_set(err, ...)`.
 * hutch_error_set: the message as given; errnum only classifies it (ENOENT for
 * "does not exist"...). hutch_error_errno: a failed call, strerror appended.
 * `err` may be NULL: the error is then dropped. An already set *err is kept
 * (the first failure is the one that matters). */
int hutch_error_set(struct hutch_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int hutch_error_setv(struct hutch_error **err, int errnum, const char *fmt, va_list ap);
/* Same as hutch_error_set with errnum = errno. */
int hutch_error_errno(struct hutch_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix context: "<context>: <old message>". */
int hutch_error_wrap(struct hutch_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hutch_error_free(struct hutch_error *e);
/* Take the message out, leaving *err NULL (for sending to a parent). */
char *hutch_error_take_msg(struct hutch_error **err);

static inline void hutch_error_freep(struct hutch_error **e)
{
	hutch_error_free(*e);
	*e = NULL;
}
#define cleanup_error __attribute__((cleanup(hutch_error_freep)))

#endif
