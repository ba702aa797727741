/* CHECK() for the C ABI callers: prints the failed condition and the
 * library's last error, and counts failures.  Include it after the rnpu
 * header the caller is built against (old or new): last_message() and
 * load() use that header's structs. */
#ifndef RNPU_ABI_CHECK_H
#define RNPU_ABI_CHECK_H
#include <stdio.h>
#include <string.h>

static int abi_failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			abi_failures++;                                              \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
		}                                                                    \
	} while (0)

static const char *last_message(void)
{
	static rnpu_error_info e;

	memset(&e, 0, sizeof(e));
	e.struct_size = sizeof(e);
	rnpu_last_error(&e);
	return e.message ? e.message : "(null)";
}

static rnpu_session *load(const char *dir, const char *name)
{
	char path[4096];
	rnpu_session *s = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rnpu_session_create_from_file(path, NULL, &s) != RNPU_OK) {
		fprintf(stderr, "load %s: %s\n", path, last_message());
		abi_failures++;
	}
	return s;
}

#endif
