// SPDX-License-Identifier: GPL-2.0-only
/*
 * fdinfo usage stats (Documentation/gpu/drm-usage-stats.rst): the keys a
 * tool like nvtop or gputop reads are present, per client, and the engine
 * time and cycles grow with the client's jobs.
 */
#include <stdlib.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

static int dma_jobs(int fd, int n)
{
	struct drm_rnpu_job_status st;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct rnpu_job job;
	int i, ret;

	ret = rnpu_bo_new(fd, 256 * 1024, 0, &buf);
	if (ret)
		return ret;
	ret = rnpu_job_init(fd, &job, 4096);
	if (ret)
		return ret;
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 128 * 1024, 128 * 1024);
	for (i = 0; i < n && !ret; i++)
		ret = rnpu_run(fd, &job, bos, 1, &st);
	rnpu_job_fini(&job);
	rnpu_bo_free(&buf);
	return ret;
}

TEST_F(rnpu, keys_present)
{
	static const char * const keys[] = {
		"drm-driver", "drm-client-id", "drm-engine-npu", "drm-cycles-npu",
		"drm-total-cycles-npu", "drm-total-memory", "drm-shared-memory",
		"drm-active-memory", "drm-pdev",
	};
	/* Not in drm-usage-stats.rst (curfreq), or not with total-cycles. */
	static const char * const gone[] = { "drm-maxfreq-npu", "drm-curfreq-npu" };
	char val[128];
	uint64_t id;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *k = keys[i];

		EXPECT_EQ(0, rnpu_fdinfo(self->fd, k, val, sizeof(val))) {
			TH_LOG("missing %s", k);
		}
	}
	ASSERT_EQ(0, rnpu_fdinfo(self->fd, "drm-driver", val, sizeof(val)));
	EXPECT_STREQ("rnpu", val);
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-client-id", &id));
	EXPECT_EQ(rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CLIENT_ID, 0), id);
	for (i = 0; i < ARRAY_SIZE(gone); i++) {
		const char *k = gone[i];

		EXPECT_EQ(-ENOENT, rnpu_fdinfo(self->fd, k, val, sizeof(val))) {
			TH_LOG("non-standard key %s", k);
		}
	}
	ASSERT_EQ(0, rnpu_fdinfo(self->fd, "drm-engine-npu", val, sizeof(val)));
	EXPECT_NE(NULL, strstr(val, " ns"));
}

TEST_F(rnpu, usage_grows_with_jobs)
{
	uint64_t e0, e1, e2, c0, c1, c2, t0, t1, t2;
	uint64_t file_cnt[DRM_RNPU_CNT_COUNT];
	struct drm_rnpu_perfcnt p = {
		.values = (uintptr_t)file_cnt,
		.count = DRM_RNPU_CNT_COUNT,
		.flags = DRM_RNPU_PERFCNT_FILE,
	};

	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-engine-npu", &e0));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-cycles-npu", &c0));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-total-cycles-npu", &t0));
	EXPECT_EQ(0, e0);
	EXPECT_EQ(0, c0);
	ASSERT_EQ(0, dma_jobs(self->fd, 2));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-engine-npu", &e1));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-cycles-npu", &c1));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-total-cycles-npu", &t1));
	EXPECT_LT(e0, e1);
	EXPECT_LT(c0, c1);
	/* The device clock ran while the jobs did: the denominator grows. */
	EXPECT_LT(t0, t1);
	ASSERT_EQ(0, dma_jobs(self->fd, 3));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-engine-npu", &e2));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-cycles-npu", &c2));
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-total-cycles-npu", &t2));
	EXPECT_LT(e1, e2);
	EXPECT_LT(c1, c2);
	EXPECT_LT(t1, t2);
	/* The cycles are this client's own, as PERFCNT reports them. */
	ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	EXPECT_EQ(file_cnt[DRM_RNPU_CNT_BUSY], c2);
}

TEST_F(rnpu, clients_are_separate)
{
	int other = rnpu_open();
	uint64_t id0, id1, c;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-client-id", &id0));
	ASSERT_EQ(0, rnpu_fdinfo_u64(other, "drm-client-id", &id1));
	EXPECT_NE(id0, id1);
	ASSERT_EQ(0, dma_jobs(other, 1));
	/* The other client's work is not charged to this one. */
	ASSERT_EQ(0, rnpu_fdinfo_u64(self->fd, "drm-cycles-npu", &c));
	EXPECT_EQ(0, c);
	ASSERT_EQ(0, rnpu_fdinfo_u64(other, "drm-cycles-npu", &c));
	EXPECT_LT(0, c);
	close(other);
}

TEST_F(rnpu, memory_stats)
{
	struct rnpu_bo bo;
	char val[64];
	uint64_t kib;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 1024 * 1024, 0, &bo));
	/* drm_show_memory_stats(): resident once a BO with pages exists. */
	ASSERT_EQ(0, rnpu_fdinfo(self->fd, "drm-resident-memory", val, sizeof(val)));
	ASSERT_EQ(0, rnpu_fdinfo(self->fd, "drm-total-memory", val, sizeof(val)));
	kib = strtoull(val, NULL, 10);
	if (strstr(val, "MiB"))
		kib *= 1024;
	else if (!strstr(val, "KiB"))
		kib /= 1024;
	EXPECT_LE(1024, kib) TH_LOG("drm-total-memory: %s", val);
	rnpu_bo_free(&bo);
}

TEST_HARNESS_MAIN
