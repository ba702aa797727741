/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kselftest harness plus the fixture most rnpu tests share: one open
 * device file (one context) per test.  Include after rnpu_ksft.h.
 */
#ifndef RNPU_FIXTURE_H
#define RNPU_FIXTURE_H

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

FIXTURE(rnpu) {
	int fd;
};

FIXTURE_SETUP(rnpu)
{
	self->fd = rnpu_open();
	ASSERT_LE(0, self->fd) TH_LOG("no rnpu device node: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(rnpu)
{
	if (self->fd >= 0)
		close(self->fd);
}

#endif /* RNPU_FIXTURE_H */
