// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every rnpu ioctl with malformed arguments fails with the documented
 * errno and changes nothing: bad handles, sizes, flags, non-zero padding,
 * overflowing counts, unaligned offsets, bad pointers.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

static int get_param(int fd, uint32_t param, uint32_t index)
{
	uint64_t v;

	return rnpu_param(fd, param, index, &v);
}

TEST_F(rnpu, get_param_identity)
{
	uint64_t v, nopp, i;
	static const uint64_t mhz[] = { 200, 400, 600, 800, 1000 };
	static const uint64_t uv[] = { 600000, 650000, 750000, 850000, 950000 };

	ASSERT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_DEVICE_ID, 0, &v));
	EXPECT_EQ((uint64_t)RNPU_PCI_VENDOR_ID << 16 | RNPU_PCI_DEVICE_ID, v);
	ASSERT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_HW_VERSION, 0, &v));
	EXPECT_EQ((uint64_t)RNPU_HW_VERSION, v);
	ASSERT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_NUM_OPP, 0, &nopp));
	ASSERT_EQ(5, nopp);
	for (i = 0; i < nopp; i++) {
		ASSERT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_OPP_FREQ, i, &v));
		EXPECT_EQ(mhz[i] * 1000000, v);
		ASSERT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_OPP_UVOLT, i, &v));
		EXPECT_EQ(uv[i], v);
	}
	ASSERT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_FREQ_MIN, 0, &v));
	EXPECT_EQ(200000000ull, v);
	ASSERT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_FREQ_MAX, 0, &v));
	EXPECT_EQ(1000000000ull, v);
	EXPECT_LT(rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_VA_START, 0),
		  rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_VA_END, 0));
	EXPECT_GE((uint64_t)RNPU_CS_VERSION,
		  rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CMD_VERSION, 0));
	/* A fresh context has no jobs, faults or memory. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_LAST_SEQNO, 0));
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_FAULTS, 0));
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
}

TEST_F(rnpu, get_param_bad)
{
	uint64_t nopp = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_NUM_OPP, 0);

	EXPECT_EQ(-EINVAL, get_param(self->fd, DRM_RNPU_PARAM_RESETS + 1, 0));
	EXPECT_EQ(-EINVAL, get_param(self->fd, 0xffffffffu, 0));
	/* Non-indexed parameters take index 0 only. */
	EXPECT_EQ(-EINVAL, get_param(self->fd, DRM_RNPU_PARAM_DEVICE_ID, 1));
	EXPECT_EQ(-EINVAL, get_param(self->fd, DRM_RNPU_PARAM_TEMP, 0x80000000u));
	EXPECT_EQ(-EINVAL, get_param(self->fd, DRM_RNPU_PARAM_OPP_FREQ, nopp));
	EXPECT_EQ(-EINVAL, get_param(self->fd, DRM_RNPU_PARAM_OPP_UVOLT, 0xffffffffu));
	EXPECT_EQ(-EINVAL, get_param(self->fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_COUNT));
	EXPECT_EQ(0, get_param(self->fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_COUNT - 1));
}

TEST_F(rnpu, unknown_ioctl)
{
	uint64_t buf[8] = { 0 };

	/* The first number after the last one released. */
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd,
				      DRM_IOWR(DRM_COMMAND_BASE + DRM_RNPU_PERFCNT + 1,
					       uint64_t[8]), buf));
}

TEST_F(rnpu, bo_create_bad)
{
	struct drm_rnpu_bo_create c = { .size = 4096 };
	uint64_t limit = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_LIMIT, 0);
	uint32_t bit;

	c.size = 0;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_CREATE, &c));
	c.size = UINT64_MAX;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_CREATE, &c));
	c.size = UINT64_MAX - 4094;	/* wraps when rounded up to a page */
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_CREATE, &c));
	c.size = 1ull << RNPU_VA_BITS;	/* larger than the address space */
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_CREATE, &c));
	for (bit = 0; bit < 32; bit++) {
		if ((1u << bit) & DRM_RNPU_BO_FLAGS)
			continue;
		c.size = 4096;
		c.flags = 1u << bit;
		EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_CREATE, &c))
			TH_LOG("flag bit %u", bit);
	}
	/* Over this context's memory limit: refused before any page is pinned. */
	if (limit) {
		c.flags = 0;
		c.size = limit + 4096;
		EXPECT_EQ(-EDQUOT, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_CREATE, &c));
	}
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_MEM_USED, 0));
}

TEST_F(rnpu, bo_info_wait_bad)
{
	struct drm_rnpu_bo_info info = { 0 };
	struct drm_rnpu_bo_wait wait = { 0 };
	struct rnpu_bo bo;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &bo));
	info.handle = bo.handle + 1000;
	EXPECT_EQ(-ENOENT, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_INFO, &info));
	info.handle = 0;
	EXPECT_EQ(-ENOENT, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_INFO, &info));
	info.handle = bo.handle;
	info.flags = 1;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_INFO, &info));
	info.flags = 0;
	info.pad = 1;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_INFO, &info));
	info.pad = 0;
	EXPECT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_INFO, &info));
	EXPECT_EQ(bo.va, info.va);
	EXPECT_EQ(4096, info.size);

	wait.handle = bo.handle + 1000;
	EXPECT_EQ(-ENOENT, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_WAIT, &wait));
	wait.handle = bo.handle;
	wait.flags = 2;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_WAIT, &wait));
	/* An idle BO with a deadline in the past: polls and succeeds. */
	wait.flags = 0;
	wait.timeout_ns = 0;
	EXPECT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_WAIT, &wait));
	rnpu_bo_free(&bo);
}

TEST_F(rnpu, gem_close_bad)
{
	struct rnpu_bo bo;
	uint32_t h;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &bo));
	h = bo.handle;
	EXPECT_EQ(-EINVAL, rnpu_gem_close(self->fd, h + 1000));
	munmap(bo.map, bo.size);
	EXPECT_EQ(0, rnpu_gem_close(self->fd, h));
	/* Closing twice: the handle is gone. */
	EXPECT_EQ(-EINVAL, rnpu_gem_close(self->fd, h));
}

TEST_F(rnpu, mmap_bad_offset)
{
	struct rnpu_bo bo;
	void *p;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &bo));
	/* No BO at this offset. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, bo.mmap_offset + (1ull << 30));
	EXPECT_EQ(MAP_FAILED, p);
	/* Longer than the BO. */
	p = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, self->fd, bo.mmap_offset);
	EXPECT_EQ(MAP_FAILED, p);
	rnpu_bo_free(&bo);
}

/* A submit that is valid apart from what each test breaks. */
struct submit_env {
	struct rnpu_job job;
	struct rnpu_bo data;
	struct drm_rnpu_submit_bo list[2];
	struct drm_rnpu_sync sync;
	uint32_t syncobj;
	struct drm_rnpu_submit s;
};

static int env_init(int fd, struct submit_env *e)
{
	int ret;

	memset(e, 0, sizeof(*e));
	ret = rnpu_job_init(fd, &e->job, 4096);
	if (ret)
		return ret;
	ret = rnpu_bo_new(fd, 4096, 0, &e->data);
	if (ret)
		return ret;
	rnpu_cs_dma(&e->job.cs, e->data.va, e->data.va + 2048, 64);
	ret = rnpu_syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &e->syncobj);
	if (ret)
		return ret;
	e->list[0].handle = e->data.handle;
	e->list[0].flags = DRM_RNPU_SUBMIT_BO_WRITE;
	e->sync.handle = e->syncobj;
	e->s.cmd_handle = e->job.cmd.handle;
	e->s.cmd_size = rnpu_cs_end(&e->job.cs);
	e->s.bos = (uintptr_t)e->list;
	e->s.bo_count = 1;
	e->s.bo_stride = sizeof(e->list[0]);
	e->s.in_syncs = (uintptr_t)&e->sync;
	e->s.in_sync_count = 1;
	e->s.in_sync_stride = sizeof(e->sync);
	return 0;
}

static int env_submit(int fd, struct submit_env *e, struct drm_rnpu_submit *s)
{
	return rnpu_ioctl(fd, DRM_IOCTL_RNPU_SUBMIT, s);
}

TEST_F(rnpu, submit_bad_header_fields)
{
	struct submit_env e;
	struct drm_rnpu_submit s;
	uint32_t bit;

	ASSERT_EQ(0, env_init(self->fd, &e));

	s = e.s;
	s.cmd_handle = 0;
	EXPECT_EQ(-ENOENT, env_submit(self->fd, &e, &s));
	s = e.s;
	s.cmd_handle = e.data.handle + 100;
	EXPECT_EQ(-ENOENT, env_submit(self->fd, &e, &s));
	s = e.s;
	s.cmd_size = DRM_RNPU_CMD_MIN_SIZE - 4;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s.cmd_size = e.s.cmd_size + 2;		/* unaligned */
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s.cmd_size = DRM_RNPU_CMD_MAX_SIZE + 4;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s = e.s;
	s.cmd_offset = 2;			/* unaligned */
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s.cmd_offset = 4096 - 32;		/* runs past the end of the BO */
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s.cmd_offset = UINT64_MAX - 3;		/* offset + size wraps */
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	for (bit = 0; bit < 32; bit++) {
		if ((1u << bit) & DRM_RNPU_SUBMIT_FLAGS)
			continue;
		s = e.s;
		s.flags = 1u << bit;
		EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s)) TH_LOG("flag bit %u", bit);
	}
	s = e.s;
	s.priority = DRM_RNPU_PRIO_HIGH + 1;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s = e.s;
	s.out_sync_point = 5;			/* a point but no syncobj */
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s = e.s;
	s.out_sync = e.syncobj + 100;
	EXPECT_EQ(-ENOENT, env_submit(self->fd, &e, &s));
	/* Nothing above created a job. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_LAST_SEQNO, 0));
	/* The unbroken submit works. */
	s = e.s;
	EXPECT_EQ(0, env_submit(self->fd, &e, &s));
	EXPECT_EQ(1, s.seqno);
}

TEST_F(rnpu, submit_bad_bo_array)
{
	struct submit_env e;
	struct drm_rnpu_submit s;
	struct { struct drm_rnpu_submit_bo bo; uint64_t future; } v2[1];
	struct rnpu_bo ro;

	ASSERT_EQ(0, env_init(self->fd, &e));
	s = e.s;
	s.bo_count = DRM_RNPU_MAX_SUBMIT_BOS + 1;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s.bo_count = UINT32_MAX;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s = e.s;
	s.bo_stride = 4;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s.bo_stride = DRM_RNPU_MAX_STRIDE + 8;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s = e.s;
	s.bos = 0;
	EXPECT_EQ(-EFAULT, env_submit(self->fd, &e, &s));
	s.bos = (uintptr_t)-4096;
	EXPECT_EQ(-EFAULT, env_submit(self->fd, &e, &s));
	s = e.s;
	e.list[0].handle = e.data.handle + 100;
	EXPECT_EQ(-ENOENT, env_submit(self->fd, &e, &s));
	e.list[0].handle = e.data.handle;
	e.list[0].flags = 1u << 5;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	e.list[0].flags = DRM_RNPU_SUBMIT_BO_WRITE;
	/* The same BO twice. */
	e.list[1] = e.list[0];
	s.bo_count = 2;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	/* A device-read-only BO listed for writing. */
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, DRM_RNPU_BO_DEVICE_RO, &ro));
	e.list[1].handle = ro.handle;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	e.list[1].flags = 0;
	/* Longer (future) elements: unknown bytes must be zero. */
	s = e.s;
	v2[0].bo = e.list[0];
	v2[0].future = 1;
	s.bos = (uintptr_t)v2;
	s.bo_stride = sizeof(v2[0]);
	EXPECT_EQ(-E2BIG, env_submit(self->fd, &e, &s));
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_LAST_SEQNO, 0));
	v2[0].future = 0;
	EXPECT_EQ(0, env_submit(self->fd, &e, &s));
	rnpu_bo_free(&ro);
}

TEST_F(rnpu, submit_bad_sync_array)
{
	struct submit_env e;
	struct drm_rnpu_submit s;

	ASSERT_EQ(0, env_init(self->fd, &e));
	s = e.s;
	s.in_sync_count = DRM_RNPU_MAX_SUBMIT_SYNCS + 1;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s = e.s;
	s.in_sync_stride = 8;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	s = e.s;
	s.in_syncs = 16;
	EXPECT_EQ(-EFAULT, env_submit(self->fd, &e, &s));
	s = e.s;
	e.sync.flags = 1;
	EXPECT_EQ(-EINVAL, env_submit(self->fd, &e, &s));
	e.sync.flags = 0;
	e.sync.handle = e.syncobj + 100;
	EXPECT_EQ(-ENOENT, env_submit(self->fd, &e, &s));
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_LAST_SEQNO, 0));
}

TEST_F(rnpu, job_status_bad)
{
	struct submit_env e;
	struct drm_rnpu_submit s;
	struct drm_rnpu_job_status st = { 0 };

	ASSERT_EQ(0, env_init(self->fd, &e));
	st.seqno = 1;	/* nothing submitted yet */
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	s = e.s;
	ASSERT_EQ(0, env_submit(self->fd, &e, &s));
	st.seqno = 0;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	st.seqno = s.seqno + 1;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	st.seqno = s.seqno;
	st.flags = 1;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	st.flags = 0;
	st.timeout_ns = -1;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	ASSERT_EQ(0, rnpu_wait_job(self->fd, s.seqno, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
}

TEST_F(rnpu, perfcnt_bad)
{
	struct drm_rnpu_perfcnt p = { 0 };
	uint64_t vals[DRM_RNPU_CNT_COUNT + 2];

	p.flags = 2;
	EXPECT_EQ(-EINVAL, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	/* count 0: only reports how many counters there are. */
	p.flags = 0;
	EXPECT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	EXPECT_EQ(DRM_RNPU_CNT_COUNT, p.count);
	p.count = 1;
	p.values = 0;
	EXPECT_EQ(-EFAULT, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	/* A short array is filled only as far as it goes. */
	memset(vals, 0xa5, sizeof(vals));
	p.values = (uintptr_t)vals;
	p.count = 2;
	EXPECT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ull, vals[2]);
	/* A long one gets DRM_RNPU_CNT_COUNT values. */
	p.count = DRM_RNPU_CNT_COUNT + 2;
	EXPECT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	EXPECT_EQ(DRM_RNPU_CNT_COUNT, p.count);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ull, vals[DRM_RNPU_CNT_COUNT]);
	EXPECT_NE(0, p.timestamp_ns);
}

/* JOB_STATUS forgets finished jobs beyond the history depth: -ENOENT. */
FIXTURE(history) {
	char saved[32];
	int fd;
};

#define HISTORY_PARAM "/sys/module/rnpu/parameters/job_history"

FIXTURE_SETUP(history)
{
	self->fd = -1;
	ASSERT_EQ(0, rnpu_read_file(HISTORY_PARAM, self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, rnpu_write_file(HISTORY_PARAM, "4"));
	self->fd = rnpu_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(history)
{
	rnpu_write_file(HISTORY_PARAM, self->saved);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(history, pruned_record)
{
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	uint64_t seq = 0;
	int i;

	EXPECT_EQ(4, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_JOB_HISTORY, 0));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 64);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, rnpu_submit(self->fd, &job, bos, 1, true, NULL, &seq));
		ASSERT_EQ(0, rnpu_wait_job(self->fd, seq, &st));
	}
	memset(&st, 0, sizeof(st));
	st.seqno = 1;
	EXPECT_EQ(-ENOENT, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	st.seqno = seq;
	EXPECT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	rnpu_job_fini(&job);
	rnpu_bo_free(&buf);
}

TEST_HARNESS_MAIN
