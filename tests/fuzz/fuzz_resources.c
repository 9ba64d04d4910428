/* libFuzzer target: spec_parse_resources(), the linux.resources parser of
 * `update --resources`, on arbitrary bytes.
 * Every input must be parsed or refused with an error, never crash, leak (ASan's
 * leak checker runs at exit) or hang. A parsed config is freed; an error must
 * carry a message that names the document. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libcontainer/utils.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_resources *s = NULL;
	struct hutch_error *err = NULL;
	if (spec_parse_resources((const char *)data, size, "resources.json", &s, &err) == 0) {
		if (s == NULL || err != NULL)
			abort();
		spec_resources_free(s);
		return 0;
	}
	if (err == NULL || err->msg == NULL || strncmp(err->msg, "resources.json: ", 16) != 0)
		abort();
	hutch_error_free(err);
	return 0;
}
