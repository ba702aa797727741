// SPDX-License-Identifier: MIT
/* Minimal TAP 13 producer: numbered results, SKIP directives, a trailing plan. */
#include <stdarg.h>
#include <stdio.h>

#include "devtest.h"

static int n_tests;
static int n_failed;

static void line(const char *prefix, const char *directive, const char *fmt,
		 va_list ap)
{
	printf("%s %d - ", prefix, ++n_tests);
	vprintf(fmt, ap);
	if (directive)
		printf(" # %s", directive);
	putchar('\n');
	fflush(stdout);
}

void tap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line(ok ? "ok" : "not ok", NULL, fmt, ap);
	va_end(ap);
	if (!ok)
		n_failed++;
}

void tap_skip(const char *why, const char *fmt, ...)
{
	char directive[256];
	va_list ap;

	snprintf(directive, sizeof(directive), "SKIP %s", why);
	va_start(ap, fmt);
	line("ok", directive, fmt, ap);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int tap_done(void)
{
	printf("1..%d\n", n_tests);
	fflush(stdout);
	return n_failed ? 1 : 0;
}
