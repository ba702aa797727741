// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jobs through the whole stack with their results checked against values
 * computed here: DMA copies, ELTWISE add on int8 and fp16, a small CONV2D;
 * JOB_STATUS and PERFCNT accounting; syncobj chains (binary and timeline)
 * and implicit BO ordering.
 */
#include <stdlib.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

static void fill_pattern(void *p, size_t n, uint32_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 131 + (i >> 8) * 7);
}

TEST_F(rnpu, dma_copy)
{
	struct rnpu_job job;
	struct rnpu_bo src, dst;
	struct rnpu_bo *bos[2] = { &src, &dst };
	struct drm_rnpu_job_status st;
	const uint32_t n = 3 * 4096 + 100;	/* crosses pages, odd tail */

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, n, 0, &src));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, n + 4096, 0, &dst));
	fill_pattern(src.map, n, 1);
	memset(dst.map, 0x5a, dst.size);
	rnpu_cs_dma(&job.cs, src.va, dst.va + 8, n);
	ASSERT_EQ(0, rnpu_run(self->fd, &job, bos, 2, &st));
	EXPECT_EQ(0, memcmp(src.map, (uint8_t *)dst.map + 8, n));
	/* Bytes around the destination are untouched. */
	EXPECT_EQ(0x5a, ((uint8_t *)dst.map)[7]);
	EXPECT_EQ(0x5a, ((uint8_t *)dst.map)[8 + n]);
	EXPECT_EQ(DRM_RNPU_ERR_NONE, st.error);
	EXPECT_LT(0, st.cycles);
	EXPECT_LE(2ull * n, st.dram_bytes);	/* at least read + write */
	EXPECT_LE(st.submit_ns, st.start_ns);
	EXPECT_LE(st.start_ns, st.end_ns);
	rnpu_bo_free(&src);
	rnpu_bo_free(&dst);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, eltwise_add_int8)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	const uint32_t n = 1000;
	int8_t *a, *b, *out;
	uint32_t i;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 3 * 4096, 0, &buf));
	a = buf.map;
	b = a + 4096;
	out = b + 4096;
	for (i = 0; i < n; i++) {
		a[i] = (int8_t)((int)(i % 121) - 60);
		b[i] = (int8_t)((int)((i * 7) % 101) - 50);
	}
	rnpu_cs_eltwise(&job.cs, RNPU_ELT_ADD, RNPU_DT_INT8, buf.va, buf.va + 4096,
			buf.va + 8192, n);
	ASSERT_EQ(0, rnpu_run(self->fd, &job, bos, 1, &st));
	for (i = 0; i < n; i++)
		ASSERT_EQ(a[i] + b[i], out[i]) TH_LOG("element %u", i);
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, eltwise_add_fp16)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	const uint32_t n = 512;
	uint16_t *a, *b, *out;
	uint32_t i;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 3 * 4096, 0, &buf));
	a = buf.map;
	b = a + 2048;
	out = b + 2048;
	/* Quarter steps: every sum is exact in binary16. */
	for (i = 0; i < n; i++) {
		a[i] = rnpu_f32_to_f16((float)i * 0.25f - 40.0f);
		b[i] = rnpu_f32_to_f16(1.5f + (float)(i % 37) * 0.125f);
	}
	rnpu_cs_eltwise(&job.cs, RNPU_ELT_ADD, RNPU_DT_FP16, buf.va, buf.va + 4096,
			buf.va + 8192, n);
	ASSERT_EQ(0, rnpu_run(self->fd, &job, bos, 1, &st));
	for (i = 0; i < n; i++) {
		float want = rnpu_f16_to_f32(a[i]) + rnpu_f16_to_f32(b[i]);

		ASSERT_EQ(rnpu_f32_to_f16(want), out[i])
			TH_LOG("element %u: want %f got %f", i, want, rnpu_f16_to_f32(out[i]));
	}
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

/* 1x2x5x5 input, 3x2x3x3 weights, int32 bias, stride 1, pad 1 -> 1x3x5x5. */
enum { C = 2, H = 5, W = 5, OC = 3, K = 3 };

/* The reference: one output element, zero padding, unit scales. */
static int32_t conv_ref(const int8_t *in, const int8_t *w, int32_t bias,
			int oc, int y, int x)
{
	int32_t acc = bias;
	int c, ky, kx;

	for (c = 0; c < C; c++)
		for (ky = 0; ky < K; ky++)
			for (kx = 0; kx < K; kx++) {
				int iy = y + ky - 1, ix = x + kx - 1;

				if (iy < 0 || iy >= H || ix < 0 || ix >= W)
					continue;
				acc += in[(c * H + iy) * W + ix] *
				       w[((oc * C + c) * K + ky) * K + kx];
			}
	return acc;
}

TEST_F(rnpu, conv2d_int8)
{
	const uint32_t in_dims[4] = { 1, C, H, W }, w_dims[4] = { OC, C, K, K };
	const uint32_t b_dims[1] = { OC }, out_dims[4] = { 1, OC, H, W };
	struct rnpu_tensor_desc tin, tw, tb, tout;
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	int8_t *in, *w, *out;
	int32_t *bias;
	int oc, c, y, x;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4 * 4096, 0, &buf));
	in = buf.map;
	w = in + 4096;
	bias = (int32_t *)(in + 8192);
	out = in + 12288;
	for (c = 0; c < C * H * W; c++)
		in[c] = (int8_t)(c % 7 - 3);
	for (c = 0; c < OC * C * K * K; c++)
		w[c] = (int8_t)(c % 5 - 2);
	for (oc = 0; oc < OC; oc++)
		bias[oc] = oc * 3 - 4;
	memset(out, 0x7f, OC * H * W);

	tin = rnpu_td(buf.va, RNPU_DT_INT8, 4, in_dims);
	tw = rnpu_td(buf.va + 4096, RNPU_DT_INT8, 4, w_dims);
	tb = rnpu_td(buf.va + 8192, RNPU_DT_INT32, 1, b_dims);
	tout = rnpu_td(buf.va + 12288, RNPU_DT_INT8, 4, out_dims);
	rnpu_cs_conv2d(&job.cs, &tin, &tw, &tb, &tout, 1, 1);
	ASSERT_EQ(0, rnpu_run(self->fd, &job, bos, 1, &st));
	EXPECT_EQ((uint64_t)OC * H * W * C * K * K, st.macs);

	for (oc = 0; oc < OC; oc++)
		for (y = 0; y < H; y++)
			for (x = 0; x < W; x++)
				ASSERT_EQ(conv_ref(in, w, bias[oc], oc, y, x),
					  out[(oc * H + y) * W + x])
					TH_LOG("oc %d y %d x %d", oc, y, x);
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

TEST_F(rnpu, status_and_counters)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	struct drm_rnpu_perfcnt p = { 0 };
	uint64_t before[DRM_RNPU_CNT_COUNT], after[DRM_RNPU_CNT_COUNT];
	uint64_t file_cnt[DRM_RNPU_CNT_COUNT];

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	p.values = (uintptr_t)before;
	p.count = DRM_RNPU_CNT_COUNT;
	ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 4096);
	ASSERT_EQ(0, rnpu_run(self->fd, &job, bos, 1, &st));
	EXPECT_EQ(1, st.seqno);
	EXPECT_EQ(1, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_LAST_SEQNO, 0));
	p.values = (uintptr_t)after;
	ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	/* Device totals are monotonic and include this job. */
	EXPECT_LE(before[DRM_RNPU_CNT_JOBS] + 1, after[DRM_RNPU_CNT_JOBS]);
	EXPECT_LE(before[DRM_RNPU_CNT_BUSY] + st.cycles, after[DRM_RNPU_CNT_BUSY]);
	EXPECT_LE(before[DRM_RNPU_CNT_DRAM_RD] + 4096, after[DRM_RNPU_CNT_DRAM_RD]);
	EXPECT_LE(before[DRM_RNPU_CNT_DRAM_WR] + 4096, after[DRM_RNPU_CNT_DRAM_WR]);
	/* This file's totals are exactly its one job. */
	p.values = (uintptr_t)file_cnt;
	p.flags = DRM_RNPU_PERFCNT_FILE;
	ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_PERFCNT, &p));
	EXPECT_EQ(st.cycles, file_cnt[DRM_RNPU_CNT_BUSY]);
	EXPECT_EQ(st.dram_bytes, file_cnt[DRM_RNPU_CNT_DRAM_RD]);
	EXPECT_EQ(1, file_cnt[DRM_RNPU_CNT_JOBS]);
	EXPECT_EQ(0, file_cnt[DRM_RNPU_CNT_FAULTS]);
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

/*
 * A chain through binary syncobjs: job i waits for job i - 1's out-sync
 * and copies that job's output one step further.  Implicit BO sync is off,
 * so only the syncobjs can make every stage see the previous one's data.
 */
TEST_F(rnpu, syncobj_chain)
{
	enum { N = 4, SZ = 64 * 1024 };
	struct rnpu_job job[N];
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_sync in;
	struct drm_rnpu_submit s;
	struct drm_rnpu_job_status st[N];
	uint32_t sync[N];
	uint64_t seq[N];
	int i;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, (N + 1) * SZ, 0, &buf));
	fill_pattern(buf.map, SZ, 9);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, rnpu_syncobj_create(self->fd, 0, &sync[i]));
		ASSERT_EQ(0, rnpu_job_init(self->fd, &job[i], 4096));
		rnpu_cs_dma(&job[i].cs, buf.va + i * SZ, buf.va + (i + 1) * SZ, SZ);
		memset(&s, 0, sizeof(s));
		memset(&in, 0, sizeof(in));
		if (i) {
			in.handle = sync[i - 1];
			s.in_syncs = (uintptr_t)&in;
			s.in_sync_count = 1;
			s.in_sync_stride = sizeof(in);
		}
		s.out_sync = sync[i];
		s.flags = DRM_RNPU_SUBMIT_NO_IMPLICIT_SYNC;
		ASSERT_EQ(0, rnpu_submit(self->fd, &job[i], bos, 1, true, &s, &seq[i]));
	}
	ASSERT_EQ(0, rnpu_syncobj_wait(self->fd, &sync[N - 1], 1,
				       rnpu_deadline(RNPU_WAIT_NS), 0));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, rnpu_wait_job(self->fd, seq[i], &st[i]));
		EXPECT_EQ(DRM_RNPU_JOB_DONE, st[i].state);
		/*
		 * A waiter may go to the ring right behind the job it waits for
		 * (the ring runs in order), but it starts executing only after
		 * that job ended.
		 */
		if (i)
			EXPECT_LE(st[i - 1].end_ns, st[i].start_ns) TH_LOG("stage %d", i);
		EXPECT_EQ(0, memcmp(buf.map, (uint8_t *)buf.map + (i + 1) * SZ, SZ))
			TH_LOG("stage %d", i);
		rnpu_job_fini(&job[i]);
		rnpu_syncobj_destroy(self->fd, sync[i]);
	}
	rnpu_bo_free(&buf);
}

/* A binary syncobj with no fence yet cannot be waited on by a submit. */
TEST_F(rnpu, syncobj_without_fence)
{
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_sync in = { 0 };
	struct drm_rnpu_submit s = { 0 };

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 64);
	ASSERT_EQ(0, rnpu_syncobj_create(self->fd, 0, &in.handle));
	s.in_syncs = (uintptr_t)&in;
	s.in_sync_count = 1;
	s.in_sync_stride = sizeof(in);
	EXPECT_EQ(-EINVAL, rnpu_submit(self->fd, &job, bos, 1, true, &s, NULL));
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_LAST_SEQNO, 0));
	rnpu_syncobj_destroy(self->fd, in.handle);
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

/*
 * The same through one timeline syncobj: the test signals point 10, job i
 * waits for point 10 + i and signals 11 + i.
 */
TEST_F(rnpu, syncobj_timeline)
{
	enum { N = 3, SZ = 64 * 1024 };
	struct rnpu_job job[N];
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_sync in;
	struct drm_rnpu_submit s;
	struct drm_rnpu_job_status st;
	uint32_t tl;
	uint64_t seq[N], point = 0;
	int i;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, (N + 1) * SZ, 0, &buf));
	fill_pattern(buf.map, SZ, 3);
	ASSERT_EQ(0, rnpu_syncobj_create(self->fd, 0, &tl));
	ASSERT_EQ(0, rnpu_syncobj_timeline_signal(self->fd, tl, 10));
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, rnpu_job_init(self->fd, &job[i], 4096));
		rnpu_cs_dma(&job[i].cs, buf.va + i * SZ, buf.va + (i + 1) * SZ, SZ);
		memset(&s, 0, sizeof(s));
		in.handle = tl;
		in.flags = 0;
		in.point = 10 + i;
		s.in_syncs = (uintptr_t)&in;
		s.in_sync_count = 1;
		s.in_sync_stride = sizeof(in);
		s.out_sync = tl;
		s.out_sync_point = 11 + i;
		s.flags = DRM_RNPU_SUBMIT_NO_IMPLICIT_SYNC;
		ASSERT_EQ(0, rnpu_submit(self->fd, &job[i], bos, 1, true, &s, &seq[i]));
	}
	ASSERT_EQ(0, rnpu_syncobj_timeline_wait(self->fd, tl, 10 + N,
						rnpu_deadline(RNPU_WAIT_NS), 0));
	ASSERT_EQ(0, rnpu_syncobj_query(self->fd, tl, &point));
	EXPECT_EQ(10 + N, point);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, rnpu_wait_job(self->fd, seq[i], &st));
		EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
		EXPECT_EQ(0, memcmp(buf.map, (uint8_t *)buf.map + (i + 1) * SZ, SZ));
		rnpu_job_fini(&job[i]);
	}
	rnpu_syncobj_destroy(self->fd, tl);
	rnpu_bo_free(&buf);
}

/*
 * Implicit sync: the second job reads what the first writes, with no
 * syncobj between them; BO_WAIT returns once both are done.
 */
TEST_F(rnpu, implicit_bo_order)
{
	struct rnpu_job j1, j2;
	struct rnpu_bo a, b, c;
	struct rnpu_bo *bos1[2] = { &a, &b }, *bos2[2] = { &b, &c };
	struct drm_rnpu_bo_wait w = { 0 };
	struct drm_rnpu_job_status st;
	uint64_t s1, s2;
	const uint32_t n = 64 * 1024;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &j1, 4096));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &j2, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, n, 0, &a));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, n, 0, &b));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, n, 0, &c));
	fill_pattern(a.map, n, 77);
	rnpu_cs_dma(&j1.cs, a.va, b.va, n);
	rnpu_cs_dma(&j2.cs, b.va, c.va, n);
	ASSERT_EQ(0, rnpu_submit(self->fd, &j1, bos1, 2, true, NULL, &s1));
	ASSERT_EQ(0, rnpu_submit(self->fd, &j2, bos2, 2, true, NULL, &s2));
	w.handle = c.handle;
	w.timeout_ns = (int64_t)rnpu_deadline(RNPU_WAIT_NS);
	ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_BO_WAIT, &w));
	ASSERT_EQ(0, rnpu_wait_job(self->fd, s1, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	ASSERT_EQ(0, rnpu_wait_job(self->fd, s2, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	EXPECT_EQ(0, memcmp(a.map, c.map, n));
	rnpu_bo_free(&a);
	rnpu_bo_free(&b);
	rnpu_bo_free(&c);
	rnpu_job_fini(&j1);
	rnpu_job_fini(&j2);
}

/* A job record outlives many later jobs, up to the history depth. */
TEST_F(rnpu, many_jobs_in_order)
{
	enum { N = 32 };
	struct rnpu_job job;
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	uint64_t seq[N];
	int i;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 256);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, rnpu_submit(self->fd, &job, bos, 1, true, NULL, &seq[i]));
		ASSERT_EQ((uint64_t)i + 1, seq[i]);
	}
	ASSERT_EQ(0, rnpu_wait_job(self->fd, seq[N - 1], &st));
	for (i = 0; i < N; i++) {
		memset(&st, 0, sizeof(st));
		st.seqno = seq[i];
		ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
		EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state) TH_LOG("job %d", i);
	}
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
}

/*
 * More jobs than the ring has entries (RING_SIZE - 1 in flight): the rest
 * wait in the scheduler (QUEUED) and all run, in submission order.  Each
 * job is long on the device (NOPs), so the ring is full while submitting.
 */
TEST_F_TIMEOUT(rnpu, ring_full, 240)
{
	enum { N = 300, NOPS = 16384 };
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	uint64_t seq[N], prev_end = 0;
	bool queued_seen = false;
	int i;

	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096 + NOPS * 4));
	rnpu_cs_nops(&job.cs, NOPS);
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, rnpu_submit(self->fd, &job, NULL, 0, false, NULL, &seq[i]));
	/* The last one cannot be on a 256-entry ring behind 299 long jobs yet. */
	memset(&st, 0, sizeof(st));
	st.seqno = seq[N - 1];
	ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st));
	queued_seen = st.state == DRM_RNPU_JOB_QUEUED;
	EXPECT_TRUE(queued_seen) TH_LOG("last job state %u", st.state);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, rnpu_wait_job(self->fd, seq[i], &st));
		EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state) TH_LOG("job %d", i);
		/* The ring runs in order: each ends after the one before. */
		EXPECT_LE(prev_end, st.end_ns);
		prev_end = st.end_ns;
	}
	rnpu_job_fini(&job);
}

TEST_HARNESS_MAIN
