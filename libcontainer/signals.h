/* The one signal table: `kill` parses names with it, `features` could print it. */
#ifndef HUTCH_SIGNALS_H
#define HUTCH_SIGNALS_H

#include <stddef.h>

struct signal_name {
	const char *name;   /* without the SIG prefix: "TERM" */
	int value;
};
extern const struct signal_name signals_table[];
extern const size_t signals_table_len;

/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3": the number, or -1. */
int signal_parse(const char *s);
/* "SIGTERM" for 15, NULL when unknown. */
const char *signal_name(int sig);

#endif
