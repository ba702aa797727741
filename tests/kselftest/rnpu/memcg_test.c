// SPDX-License-Identifier: GPL-2.0-only
/*
 * BO memory is charged to the memory cgroup of the process that creates
 * the BO (shmem pages pinned by BO_CREATE, plus the driver's own
 * GFP_KERNEL_ACCOUNT allocations), and uncharged when it is freed, so a
 * container's NPU buffers count against its memory.max.
 */
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define CG_ROOT	"/sys/fs/cgroup"
#define CG	CG_ROOT "/rnpu-memcg-test"
#define BO_SIZE	(16ull << 20)

static long long cg_current(void)
{
	char val[64];

	if (rnpu_read_file(CG "/memory.current", val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 10);
}

static int cg_enter(const char *cg)
{
	char path[128], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return rnpu_write_file(path, pid);
}

TEST_F(rnpu, bo_pages_charged_to_memcg)
{
	struct rnpu_bo bo;
	long long before, with, after;

	if (access(CG_ROOT "/cgroup.controllers", F_OK))
		ASSERT_EQ(0, mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			TH_LOG("mount cgroup2: %s", strerror(errno));
	ASSERT_EQ(0, rnpu_write_file(CG_ROOT "/cgroup.subtree_control", "+memory"));
	rmdir(CG);
	ASSERT_EQ(0, mkdir(CG, 0755)) TH_LOG("mkdir %s: %s", CG, strerror(errno));
	ASSERT_EQ(0, cg_enter(CG));

	before = cg_current();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, rnpu_bo_new(self->fd, BO_SIZE, 0, &bo));
	with = cg_current();
	EXPECT_LE(before + (long long)BO_SIZE, with)
		TH_LOG("memory.current %lld -> %lld for a %llu-byte BO", before, with, BO_SIZE);
	rnpu_bo_free(&bo);
	after = cg_current();
	/* Freed with its last handle: the pages leave the cgroup again. */
	EXPECT_GE(with - (long long)BO_SIZE, after)
		TH_LOG("memory.current %lld after freeing (was %lld)", after, with);

	ASSERT_EQ(0, cg_enter(CG_ROOT));
	EXPECT_EQ(0, rmdir(CG)) TH_LOG("rmdir %s: %s", CG, strerror(errno));
}

TEST_HARNESS_MAIN
