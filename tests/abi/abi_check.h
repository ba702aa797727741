/* CHECK() for the C ABI callers: prints the failed condition and the
 * library's last error, and counts failures. */
#ifndef RNPU_ABI_CHECK_H
#define RNPU_ABI_CHECK_H
#include <stdio.h>

static int abi_failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			abi_failures++;                                              \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
		}                                                                    \
	} while (0)

#endif
