#include "error.h"
#include "utils.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int error_new(struct hutch_error **err, int errnum, bool with_strerror, const char *fmt, va_list ap)
{
	if (err == NULL || *err != NULL)
		return -1;
	cleanup_free char *base = xvasprintf(fmt, ap);
	struct hutch_error *e = xmalloc0(sizeof(*e));
	e->errnum = errnum;
	if (with_strerror && errnum != 0)
		e->msg = xasprintf("%s: %s", base, strerror(errnum));
	else
		e->msg = take_ptr(&base);
	*err = e;
	return -1;
}

int hutch_error_setv(struct hutch_error **err, int errnum, const char *fmt, va_list ap)
{
	return error_new(err, errnum, false, fmt, ap);
}

int hutch_error_set(struct hutch_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_new(err, errnum, false, fmt, ap);
	va_end(ap);
	return -1;
}

int hutch_error_errno(struct hutch_error **err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	error_new(err, saved, true, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int hutch_error_wrap(struct hutch_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", ctx, (*err)->msg);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void hutch_error_free(struct hutch_error *e)
{
	if (e == NULL)
		return;
	free(e->msg);
	free(e);
}

char *hutch_error_take_msg(struct hutch_error **err)
{
	if (err == NULL || *err == NULL)
		return NULL;
	char *msg = take_ptr(&(*err)->msg);
	hutch_error_freep(err);
	return msg;
}
