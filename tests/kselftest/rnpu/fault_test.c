// SPDX-License-Identifier: GPL-2.0-only
/*
 * Failing jobs are reported, never silent, and the device keeps working:
 * MMU translation and permission faults, rejected streams, the watchdog,
 * every debugfs fault injection, a hang that the job timeout turns into a
 * reset (guilty context banned, innocent jobs re-run) and a forced reset.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

/* A small DMA job inside @buf that must succeed (the device still works). */
static int good_job(int fd, struct rnpu_bo *buf)
{
	struct rnpu_bo *bos[1] = { buf };
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	uint32_t i;
	int ret;

	ret = rnpu_job_init(fd, &job, 4096);
	if (ret)
		return ret;
	for (i = 0; i < 256; i++)
		((uint8_t *)buf->map)[i] = (uint8_t)(i * 3 + 1);
	memset((uint8_t *)buf->map + 1024, 0, 256);
	rnpu_cs_dma(&job.cs, buf->va, buf->va + 1024, 256);
	ret = rnpu_run(fd, &job, bos, 1, &st);
	if (!ret && memcmp(buf->map, (uint8_t *)buf->map + 1024, 256))
		ret = -EBADMSG;
	rnpu_job_fini(&job);
	return ret;
}

/* Run @job listing @bos and return its final status in @st. */
static int run_failing(int fd, struct rnpu_job *job, struct rnpu_bo **bos,
		       unsigned int n, const struct drm_rnpu_submit *tmpl,
		       struct drm_rnpu_job_status *st)
{
	uint64_t seqno;
	int ret;

	ret = rnpu_submit(fd, job, bos, n, false, tmpl, &seqno);
	if (ret)
		return ret;
	return rnpu_wait_job(fd, seqno, st);
}

static int inject(int fd, const char *what)
{
	char dir[128], path[192];
	int ret = rnpu_debugfs_dir(fd, dir, sizeof(dir));

	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/fault_inject", dir);
	return rnpu_write_file(path, what);
}

TEST_F(rnpu, mmu_translation_fault)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	/* Read the guard page after the BO: never mapped. */
	rnpu_cs_dma(&job.cs, buf.va + buf.size, buf.va, 64);
	ASSERT_EQ(0, run_failing(self->fd, &job, bos, 1, NULL, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_MMU_FAULT, st.error);
	EXPECT_EQ(buf.va + buf.size, st.fault_va);
	EXPECT_EQ(DRM_RNPU_FAULT_TRANSLATION, st.fault_info & DRM_RNPU_FAULT_TYPE_MASK);
	EXPECT_EQ(0, st.fault_info & DRM_RNPU_FAULT_WRITE);
	EXPECT_EQ(1, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_FAULTS, 0));
	/* Faults do not ban: the same context keeps working. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(0, good_job(self->fd, &buf));
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, mmu_permission_fault)
{
	struct rnpu_job job;
	struct rnpu_bo src, ro;
	struct rnpu_bo *bos[2] = { &src, &ro };
	struct drm_rnpu_job_status st;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &src));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, DRM_RNPU_BO_DEVICE_RO, &ro));
	memset(ro.map, 0x11, 4096);
	memset(src.map, 0x22, 4096);
	rnpu_cs_dma(&job.cs, src.va, ro.va + 128, 64);
	ASSERT_EQ(0, run_failing(self->fd, &job, bos, 2, NULL, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_MMU_FAULT, st.error);
	EXPECT_EQ(ro.va + 128, st.fault_va);
	EXPECT_EQ(DRM_RNPU_FAULT_PERMISSION, st.fault_info & DRM_RNPU_FAULT_TYPE_MASK);
	EXPECT_NE(0, st.fault_info & DRM_RNPU_FAULT_WRITE);
	/* The read-only BO was not written. */
	EXPECT_EQ(0x11, ((uint8_t *)ro.map)[128]);
	EXPECT_EQ(0, good_job(self->fd, &src));
	rnpu_bo_free(&src);
	rnpu_bo_free(&ro);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, invalid_stream)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	struct rnpu_cs_header *h;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &buf));
	/* An unknown opcode as the first command. */
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_NE(NULL, rnpu_cs_put(&job.cs, 0x3ff, 8));
	ASSERT_EQ(0, run_failing(self->fd, &job, bos, 1, NULL, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_INVALID_CMD, st.error);
	EXPECT_EQ(sizeof(struct rnpu_cs_header), st.err_offset);
	EXPECT_NE(0, st.detail);
	rnpu_job_fini(&job);

	/* A corrupt header magic. */
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 2048, 16);
	rnpu_cs_end(&job.cs);
	h = (struct rnpu_cs_header *)job.cs.buf;
	h->magic ^= 1;
	{
		struct drm_rnpu_submit_bo b = { .handle = buf.handle };
		struct drm_rnpu_submit s = {
			.cmd_handle = job.cmd.handle,
			.cmd_size = job.cs.len,
			.bos = (uintptr_t)&b,
			.bo_count = 1,
			.bo_stride = sizeof(b),
		};

		ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_SUBMIT, &s));
		ASSERT_EQ(0, rnpu_wait_job(self->fd, s.seqno, &st));
	}
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_INVALID_CMD, st.error);
	EXPECT_EQ(2, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_FAULTS, 0));
	EXPECT_EQ(0, good_job(self->fd, &buf));
	rnpu_job_fini(&job);
	rnpu_bo_free(&buf);
}

TEST_F(rnpu, watchdog_budget)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	struct drm_rnpu_submit tmpl = { .cycle_budget = 2000 };

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 8192));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 64 * 1024, 0, &buf));
	/* Far over budget whatever the bandwidth: a copy plus 1000 commands. */
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 32 * 1024, 32 * 1024);
	rnpu_cs_nops(&job.cs, 1000);
	ASSERT_EQ(0, run_failing(self->fd, &job, bos, 1, &tmpl, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_WATCHDOG, st.error);
	/* It ran (and is charged) at least until the watchdog fired. */
	EXPECT_LE(2000, st.cycles);
	EXPECT_EQ(0, good_job(self->fd, &buf));
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, inject_mmu_fault)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	char arg[64];

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 64);
	snprintf(arg, sizeof(arg), "mmu_fault 0x%llx", (unsigned long long)buf.va + 4096);
	ASSERT_EQ(0, inject(self->fd, arg));
	ASSERT_EQ(0, run_failing(self->fd, &job, bos, 1, NULL, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_MMU_FAULT, st.error);
	EXPECT_EQ(buf.va + 4096, st.fault_va);
	/* One shot: the next job is fine. */
	EXPECT_EQ(0, good_job(self->fd, &buf));
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, inject_invalid_cmd)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 64);
	ASSERT_EQ(0, inject(self->fd, "invalid_cmd"));
	ASSERT_EQ(0, run_failing(self->fd, &job, bos, 1, NULL, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_INVALID_CMD, st.error);
	EXPECT_EQ(sizeof(struct rnpu_cs_header), st.err_offset);
	EXPECT_EQ(0, good_job(self->fd, &buf));
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, inject_bad_seqno)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 64);
	ASSERT_EQ(0, inject(self->fd, "bad_seqno"));
	ASSERT_EQ(0, run_failing(self->fd, &job, bos, 1, NULL, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_BAD_WRITEBACK, st.error);
	EXPECT_EQ(0, good_job(self->fd, &buf));
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, inject_bad_argument)
{
	EXPECT_EQ(-EINVAL, inject(self->fd, "explode"));
	EXPECT_EQ(-EINVAL, inject(self->fd, "mmu_fault zz"));
	EXPECT_EQ(0, inject(self->fd, "none"));
}

/*
 * A hung job: the driver's job timeout fires, the device is reset, the
 * hung job fails with TIMEOUT and its context is banned; another context's
 * job queued behind it runs to completion after the reset.
 */
TEST_F_TIMEOUT(rnpu, hang_timeout_reset, 120)
{
	uint64_t timeout_ms = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_JOB_TIMEOUT_MS, 0);
	uint64_t resets = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_RESETS, 0);
	int bad = rnpu_open();
	struct rnpu_job hang, next, after;
	struct rnpu_bo hbuf, buf;
	struct rnpu_bo *hbos[1] = { &hbuf }, *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	uint64_t s_hang, s_next, t0;
	uint32_t i;

	ASSERT_LE(0, bad);
	ASSERT_EQ(0, rnpu_job_init(bad, &hang, 4096));
	ASSERT_EQ(0, rnpu_job_init(bad, &after, 4096));
	ASSERT_EQ(0, rnpu_bo_new(bad, 8192, 0, &hbuf));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &next, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	for (i = 0; i < 512; i++)
		((uint8_t *)buf.map)[i] = (uint8_t)(i ^ 0x5c);
	rnpu_cs_dma(&hang.cs, hbuf.va, hbuf.va + 4096, 64);
	rnpu_cs_dma(&next.cs, buf.va, buf.va + 4096, 512);
	rnpu_cs_dma(&after.cs, hbuf.va, hbuf.va + 4096, 64);

	ASSERT_EQ(0, inject(self->fd, "hang"));
	t0 = rnpu_now_ns();
	ASSERT_EQ(0, rnpu_submit(bad, &hang, hbos, 1, true, NULL, &s_hang));
	/* Queue the innocent job only once the hung one is on the ring (polled). */
	do {
		memset(&st, 0, sizeof(st));
		st.seqno = s_hang;
		ASSERT_EQ(0, rnpu_ioctl(bad, DRM_IOCTL_RNPU_JOB_STATUS, &st));
		if (st.state == DRM_RNPU_JOB_QUEUED)
			usleep(10000);	/* poll interval */
	} while (st.state == DRM_RNPU_JOB_QUEUED && rnpu_now_ns() - t0 < RNPU_WAIT_NS);
	ASSERT_EQ(DRM_RNPU_JOB_RUNNING, st.state);
	ASSERT_EQ(0, rnpu_submit(self->fd, &next, bos, 1, true, NULL, &s_next));

	ASSERT_EQ(0, rnpu_wait_job(bad, s_hang, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_TIMEOUT, st.error);
	/* How long the driver's timeout took is its own clock's business: logged only. */
	TH_LOG("hung job failed with TIMEOUT %.2f s after it started (job_timeout_ms %llu)",
	       (st.end_ns - st.start_ns) / 1e9, (unsigned long long)timeout_ms);
	EXPECT_LE(resets + 1, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_RESETS, 0));
	EXPECT_EQ(1, rnpu_param_or_die(bad, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(1, rnpu_param_or_die(bad, DRM_RNPU_PARAM_CTX_GUILTY, 0));
	EXPECT_EQ(-ECANCELED, rnpu_submit(bad, &after, hbos, 1, true, NULL, NULL));

	/* The innocent job ran after the reset, with the right result. */
	ASSERT_EQ(0, rnpu_wait_job(self->fd, s_next, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	EXPECT_EQ(0, memcmp(buf.map, (uint8_t *)buf.map + 4096, 512));
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(0, good_job(self->fd, &buf));

	rnpu_bo_free(&hbuf);
	rnpu_job_fini(&hang);
	close(bad);
	/* Reopening does not lift the ban: the process hung the NPU. */
	bad = rnpu_open();
	ASSERT_LE(0, bad);
	EXPECT_EQ(1, rnpu_param_or_die(bad, DRM_RNPU_PARAM_CTX_BANNED, 0));
	ASSERT_EQ(0, rnpu_bo_new(bad, 8192, 0, &hbuf));
	EXPECT_EQ(-ECANCELED, rnpu_submit(bad, &after, hbos, 1, true, NULL, NULL));
	rnpu_bo_free(&hbuf);
	rnpu_job_fini(&after);
	close(bad);
	/* Another process's new context on the reset device works. */
	{
		int status;
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			int fd = rnpu_open();

			if (fd < 0 || rnpu_bo_new(fd, 8192, 0, &hbuf))
				_exit(2);
			_exit(good_job(fd, &hbuf) ? 1 : 0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	rnpu_bo_free(&buf);
	rnpu_job_fini(&next);
}

TEST_F(rnpu, forced_reset)
{
	uint64_t resets = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_RESETS, 0);
	char dir[128], path[192];
	struct rnpu_bo buf;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	ASSERT_EQ(0, good_job(self->fd, &buf));
	ASSERT_EQ(0, rnpu_debugfs_dir(self->fd, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/force_reset", dir);
	ASSERT_EQ(0, rnpu_write_file(path, "1"));
	EXPECT_EQ(resets + 1, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_RESETS, 0));
	/* Nobody was guilty. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(0, good_job(self->fd, &buf));
	rnpu_bo_free(&buf);
}

/*
 * A failed job's error reaches the jobs that waited on it through
 * syncobjs (DEPENDENCY, transitively), but not jobs that were only
 * ordered after it by sharing a BO.
 */
TEST_F(rnpu, dependency_error)
{
	struct rnpu_job bad, waiter, second, implicit;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	struct drm_rnpu_sync in = { 0 };
	struct drm_rnpu_submit s = { 0 };
	uint32_t s_bad, s_wait;
	uint64_t q_bad, q_wait, q_second, q_impl;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	ASSERT_EQ(0, rnpu_syncobj_create(self->fd, 0, &s_bad));
	ASSERT_EQ(0, rnpu_syncobj_create(self->fd, 0, &s_wait));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &bad, 4096));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &waiter, 4096));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &second, 4096));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &implicit, 4096));
	rnpu_cs_dma(&bad.cs, buf.va + buf.size, buf.va, 64);	/* faults */
	rnpu_cs_dma(&waiter.cs, buf.va, buf.va + 4096, 64);
	rnpu_cs_dma(&second.cs, buf.va, buf.va + 4096, 64);
	rnpu_cs_dma(&implicit.cs, buf.va, buf.va + 4096, 64);

	s.out_sync = s_bad;
	ASSERT_EQ(0, rnpu_submit(self->fd, &bad, bos, 1, true, &s, &q_bad));
	in.handle = s_bad;
	s.in_syncs = (uintptr_t)&in;
	s.in_sync_count = 1;
	s.in_sync_stride = sizeof(in);
	s.out_sync = s_wait;
	ASSERT_EQ(0, rnpu_submit(self->fd, &waiter, bos, 1, true, &s, &q_wait));
	in.handle = s_wait;
	s.out_sync = 0;
	ASSERT_EQ(0, rnpu_submit(self->fd, &second, bos, 1, true, &s, &q_second));
	ASSERT_EQ(0, rnpu_submit(self->fd, &implicit, bos, 1, true, NULL, &q_impl));

	ASSERT_EQ(0, rnpu_wait_job(self->fd, q_bad, &st));
	EXPECT_EQ(DRM_RNPU_ERR_MMU_FAULT, st.error);
	ASSERT_EQ(0, rnpu_wait_job(self->fd, q_wait, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_DEPENDENCY, st.error);
	ASSERT_EQ(0, rnpu_wait_job(self->fd, q_second, &st));
	EXPECT_EQ(DRM_RNPU_ERR_DEPENDENCY, st.error);
	ASSERT_EQ(0, rnpu_wait_job(self->fd, q_impl, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	/* The failed out-sync waits fine: the error is in the job status. */
	EXPECT_EQ(0, rnpu_syncobj_wait(self->fd, &s_bad, 1, rnpu_deadline(RNPU_WAIT_NS), 0));

	rnpu_job_fini(&bad);
	rnpu_job_fini(&waiter);
	rnpu_job_fini(&second);
	rnpu_job_fini(&implicit);
	rnpu_syncobj_destroy(self->fd, s_bad);
	rnpu_syncobj_destroy(self->fd, s_wait);
	rnpu_bo_free(&buf);
}

TEST_HARNESS_MAIN
