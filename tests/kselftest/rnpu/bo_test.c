// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer object lifecycle: sizes and device addresses, BO_INFO, CPU
 * mappings, per-context memory accounting and its limit, and handles,
 * mappings and address ranges given back on close.
 */
#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define PAGE 4096ull

TEST_F(rnpu, sizes_and_addresses)
{
	static const uint64_t sizes[] = { 1, PAGE, PAGE + 1, 3 * PAGE - 5, 1 << 20 };
	uint64_t va_start = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_VA_START, 0);
	uint64_t va_end = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_VA_END, 0);
	struct rnpu_bo bo[5];
	unsigned int i, j;

	for (i = 0; i < 5; i++) {
		struct drm_rnpu_bo_info info = { 0 };

		ASSERT_EQ(0, rnpu_bo_new(self->fd, sizes[i], i & 1 ? DRM_RNPU_BO_DEVICE_RO : 0,
					 &bo[i]));
		EXPECT_EQ((sizes[i] + PAGE - 1) & ~(PAGE - 1), bo[i].size);
		EXPECT_EQ(0, bo[i].va % PAGE);
		EXPECT_LE(va_start, bo[i].va);
		EXPECT_LE(bo[i].va + bo[i].size, va_end);
		info.handle = bo[i].handle;
		ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_INFO, &info));
		EXPECT_EQ(bo[i].va, info.va);
		EXPECT_EQ(bo[i].size, info.size);
		EXPECT_EQ(bo[i].flags, info.bo_flags);
	}
	/* Never overlapping, and a guard page between neighbours. */
	for (i = 0; i < 5; i++)
		for (j = 0; j < 5; j++) {
			if (i == j)
				continue;
			EXPECT_TRUE(bo[i].va + bo[i].size + PAGE <= bo[j].va ||
				    bo[j].va + bo[j].size + PAGE <= bo[i].va)
				TH_LOG("BO %u [%llx+%llx] vs BO %u [%llx+%llx]", i,
				       (unsigned long long)bo[i].va,
				       (unsigned long long)bo[i].size, j,
				       (unsigned long long)bo[j].va,
				       (unsigned long long)bo[j].size);
		}
	for (i = 0; i < 5; i++)
		rnpu_bo_free(&bo[i]);
}

TEST_F(rnpu, cpu_mapping)
{
	struct rnpu_bo bo;
	uint32_t *a, *b;
	unsigned int i;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 64 * 1024, 0, &bo));
	a = bo.map;
	/* New BOs are zeroed: no stale data from earlier users. */
	for (i = 0; i < 16 * 1024; i++)
		ASSERT_EQ(0, a[i]) TH_LOG("word %u", i);
	for (i = 0; i < 16 * 1024; i++)
		a[i] = i * 2654435761u;
	/* A second mapping of the same BO sees the same pages. */
	b = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, self->fd, bo.mmap_offset);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ(0, memcmp(a, b, bo.size));
	munmap(b, bo.size);
	rnpu_bo_free(&bo);
}

TEST_F(rnpu, memory_accounting)
{
	struct rnpu_bo a, b;

	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 64 * 1024, 0, &a));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8 * 1024, 0, &b));
	EXPECT_EQ(72 * 1024, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
	rnpu_bo_free(&a);
	EXPECT_EQ(8 * 1024, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
	rnpu_bo_free(&b);
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
}

/* The CPU mapping keeps the pages alive after the handle is closed. */
TEST_F(rnpu, mapping_outlives_handle)
{
	struct rnpu_bo bo;
	struct drm_rnpu_bo_info info = { 0 };
	uint8_t *p;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &bo));
	p = bo.map;
	memset(p, 0x42, 8192);
	ASSERT_EQ(0, rnpu_gem_close(self->fd, bo.handle));
	info.handle = bo.handle;
	EXPECT_EQ(-ENOENT, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_INFO, &info));
	EXPECT_EQ(0x42, p[8191]);
	p[0] = 1;
	/* Its device mapping is gone. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
	munmap(p, 8192);
}

/* Address space and handles are recycled: many create/free rounds work. */
TEST_F(rnpu, create_free_cycles)
{
	struct rnpu_bo bo[8];
	int round, i;

	for (round = 0; round < 64; round++) {
		for (i = 0; i < 8; i++)
			ASSERT_EQ(0, rnpu_bo_new(self->fd, (i + 1) * 12288, 0, &bo[i]))
				TH_LOG("round %d BO %d", round, i);
		for (i = 0; i < 8; i++)
			rnpu_bo_free(&bo[i]);
	}
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
}

/* The limit module parameter, read when a file is opened. */
FIXTURE(limit) {
	char saved[32];
	int fd;
};

#define LIMIT_PARAM "/sys/module/rnpu/parameters/max_bo_mem_mb"

FIXTURE_SETUP(limit)
{
	self->fd = -1;
	ASSERT_EQ(0, rnpu_read_file(LIMIT_PARAM, self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, rnpu_write_file(LIMIT_PARAM, "1"));
	self->fd = rnpu_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(limit)
{
	rnpu_write_file(LIMIT_PARAM, self->saved);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(limit, memory_limit)
{
	struct rnpu_bo a, b, c;
	int other;

	EXPECT_EQ(1 << 20, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_LIMIT, 0));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 512 * 1024, 0, &a));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 512 * 1024, 0, &b));
	EXPECT_EQ(-EDQUOT, rnpu_bo_new(self->fd, 4096, 0, &c));
	/* Freeing makes room again. */
	rnpu_bo_free(&a);
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &c));
	/* The limit is per file: another file has its own. */
	other = rnpu_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, rnpu_bo_new(other, 512 * 1024, 0, &a));
	rnpu_bo_free(&a);
	close(other);
	rnpu_bo_free(&b);
	rnpu_bo_free(&c);
}

/*
 * BO_WAIT on a BO a long job still uses: -ETIME when polled, 0 later.  The
 * poll counts only if the job was still unfinished after it (JOB_STATUS
 * without waiting); if a host stall let the job finish first, try again.
 */
TEST_F(rnpu, wait_busy)
{
	struct drm_rnpu_bo_wait w = { 0 };
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	struct rnpu_bo bo;
	struct rnpu_bo *bos[1] = { &bo };
	const uint32_t nops = 1u << 20;	/* ~65 M device cycles */
	bool seen = false;
	uint64_t seq;
	int i, ret;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &bo));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, sizeof(struct rnpu_cs_header) + nops * 4));
	rnpu_cs_nops(&job.cs, nops);
	for (i = 0; i < 5 && !seen; i++) {
		ASSERT_EQ(0, rnpu_submit(self->fd, &job, bos, 1, false, NULL, &seq));
		w.handle = bo.handle;
		w.timeout_ns = 0;
		ret = rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_WAIT, &w);
		memset(&st, 0, sizeof(st));
		st.seqno = seq;
		ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
		if (st.state == DRM_RNPU_JOB_QUEUED || st.state == DRM_RNPU_JOB_RUNNING) {
			seen = true;
			EXPECT_EQ(-ETIME, ret);
		}
		w.timeout_ns = (int64_t)rnpu_deadline(RNPU_WAIT_NS);
		EXPECT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_WAIT, &w));
		ASSERT_EQ(0, rnpu_wait_job(self->fd, seq, &st));
		EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	}
	EXPECT_TRUE(seen) TH_LOG("the job finished before BO_WAIT polled, %d times", i);
	rnpu_job_fini(&job);
	rnpu_bo_free(&bo);
}

/*
 * Threads of one file race GEM_CLOSE (on guessed handle numbers) against
 * BO_CREATE and BO_INFO: every call returns 0 or a documented errno, the
 * kernel stays quiet (no WARN: the VM runner checks dmesg) and, once all
 * handles are closed, nothing of the file's BO memory is left in use.
 */
struct race {
	int fd;
	volatile bool stop;
	int bad;		/* undocumented returns */
};

static void *race_create(void *arg)
{
	struct race *r = arg;
	int i;

	for (i = 0; i < 2000 && !r->stop; i++) {
		struct drm_rnpu_bo_create c = { .size = PAGE };
		int ret = rnpu_ioctl(r->fd, DRM_IOCTL_RNPU_BO_CREATE, &c);

		if (ret && ret != -ENOENT)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
	}
	r->stop = true;
	return NULL;
}

static void *race_close(void *arg)
{
	struct race *r = arg;
	uint32_t h = 1;

	while (!r->stop) {
		struct drm_gem_close c = { .handle = h };
		int ret = rnpu_ioctl(r->fd, DRM_IOCTL_GEM_CLOSE, &c);

		if (ret && ret != -EINVAL)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		h = h % 64 + 1;
	}
	return NULL;
}

static void *race_info(void *arg)
{
	struct race *r = arg;
	uint32_t h = 1;

	while (!r->stop) {
		struct drm_rnpu_bo_info info = { .handle = h };
		int ret = rnpu_ioctl(r->fd, DRM_IOCTL_RNPU_BO_INFO, &info);

		if (ret && ret != -ENOENT)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		h = h % 64 + 1;
	}
	return NULL;
}

TEST_F_TIMEOUT(rnpu, close_races_create_and_info, 120)
{
	struct race r = { .fd = self->fd };
	pthread_t t[3];
	uint32_t h;

	ASSERT_EQ(0, pthread_create(&t[0], NULL, race_create, &r));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, race_close, &r));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, race_info, &r));
	for (h = 0; h < 3; h++)
		pthread_join(t[h], NULL);
	EXPECT_EQ(0, r.bad);
	/* Close what the closer missed; then no BO memory is in use. */
	for (h = 1; h <= 4096; h++) {
		struct drm_gem_close c = { .handle = h };

		rnpu_ioctl(self->fd, DRM_IOCTL_GEM_CLOSE, &c);
	}
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
}

TEST_HARNESS_MAIN
