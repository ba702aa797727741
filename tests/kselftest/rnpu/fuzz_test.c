// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bounded, seeded random-ioctl fuzz loop: every rnpu ioctl (and the DRM
 * core ones it relies on) with arguments mixed from valid handles and VAs,
 * boundary values and random bits, and command streams mutated from valid
 * ones.  Each call must return 0 or one of the errnos the UAPI documents;
 * afterwards every accepted job must finish and the device must still run
 * a correct job.  The kernel log is checked for WARN/BUG by the VM runner.
 *
 * RNPU_FUZZ_SEED and RNPU_FUZZ_ITERS override the defaults for replay.
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define NBO	6
#define MAXJOBS	4096
#define BUDGET	(1u << 20)	/* cycles: keeps every fuzzed job short */

struct fuzz {
	int fd;
	uint64_t rng;
	uint32_t handles[NBO];		/* 0 = slot free */
	uint64_t vas[NBO];
	uint64_t sizes[NBO];
	uint32_t syncobjs[4];
	uint64_t seqnos[MAXJOBS];
	unsigned int njobs;
	unsigned int calls[16], accepted[16];
	unsigned int bad_errno;
};

static uint64_t rnd(struct fuzz *f)
{
	return rnpu_rand(&f->rng);
}

static uint64_t interesting(struct fuzz *f)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 33, 64, 255, 256, 4095, 4096, 4097,
		65536, 1 << 20, 16 << 20, (16 << 20) + 4, 0x7fffffff, 0x80000000,
		0xffffffff, 1ull << 32, 1ull << 39, (1ull << 39) - 4096,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 4095,
	};

	return v[rnd(f) % ARRAY_SIZE(v)];
}

/*
 * A value for a field: mostly the valid one (when there is one) so that
 * calls get deep into the driver, else a boundary value or random bits.
 */
static uint64_t pick(struct fuzz *f, uint64_t valid, bool have_valid)
{
	switch (rnd(f) % 8) {
	case 0:
		return rnd(f);
	case 1:
		return interesting(f);
	default:
		return have_valid ? valid : interesting(f);
	}
}

static uint32_t pick_handle(struct fuzz *f)
{
	uint32_t h = f->handles[rnd(f) % NBO];

	return (uint32_t)pick(f, h, h != 0);
}

static int slot_of(struct fuzz *f, uint32_t handle)
{
	int i;

	for (i = 0; i < NBO; i++)
		if (handle && f->handles[i] == handle)
			return i;
	return -1;
}

static bool allowed(int ret)
{
	switch (-ret) {
	case 0:
	case EINVAL:
	case ENOENT:
	case EFAULT:
	case E2BIG:
	case EDQUOT:
	case ETIME:
	case ECANCELED:
	case EPERM:
	case ENOMEM:
	case ENOSPC:
		return true;
	default:
		return false;
	}
}

static void account(struct fuzz *f, int op, int ret, const char *what)
{
	f->calls[op]++;
	if (!ret)
		f->accepted[op]++;
	if (!allowed(ret)) {
		f->bad_errno++;
		fprintf(stderr, "# %s returned unexpected %d (%s)\n", what, ret, strerror(-ret));
	}
}

static void op_bo_create(struct fuzz *f)
{
	struct drm_rnpu_bo_create c = { 0 };
	int i = rnd(f) % NBO, ret;

	/* Valid sizes stay small: the guest has 1 GiB. */
	c.size = rnd(f) % 3 ? 1 + rnd(f) % (256 * 1024) : interesting(f) | (1ull << 40);
	c.flags = rnd(f) % 4 ? (uint32_t)(rnd(f) & DRM_RNPU_BO_FLAGS) : (uint32_t)pick(f, 0, true);
	ret = rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_BO_CREATE, &c);
	account(f, 0, ret, "BO_CREATE");
	if (ret)
		return;
	if (f->handles[i])
		rnpu_gem_close(f->fd, f->handles[i]);
	f->handles[i] = c.handle;
	f->vas[i] = c.va;
	f->sizes[i] = c.size;
}

static void op_gem_close(struct fuzz *f)
{
	uint32_t h = pick_handle(f);
	int ret = rnpu_gem_close(f->fd, h), i = slot_of(f, h);

	if (!ret && i >= 0)
		f->handles[i] = 0;
	account(f, 1, ret, "GEM_CLOSE");
}

static void op_get_param(struct fuzz *f)
{
	struct drm_rnpu_get_param p = {
		.param = (uint32_t)(rnd(f) % 2 ? rnd(f) % 40 : rnd(f)),
		.index = (uint32_t)(rnd(f) % 2 ? rnd(f) % 12 : pick(f, 0, true)),
	};

	account(f, 2, rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_GET_PARAM, &p), "GET_PARAM");
}

static void op_bo_info(struct fuzz *f)
{
	struct drm_rnpu_bo_info i = {
		.handle = pick_handle(f),
		.flags = (uint32_t)pick(f, 0, true),
		.pad = (uint32_t)pick(f, 0, true),
	};

	account(f, 3, rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_BO_INFO, &i), "BO_INFO");
}

static void op_bo_wait(struct fuzz *f)
{
	struct drm_rnpu_bo_wait w = {
		.handle = pick_handle(f),
		.flags = (uint32_t)pick(f, 0, true),
		/* Never more than 20 ms ahead: the loop must stay bounded. */
		.timeout_ns = rnd(f) % 2 ? (int64_t)rnd(f) % 1000 - 500 :
			(int64_t)rnpu_deadline(rnd(f) % 20000000),
	};

	account(f, 4, rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_BO_WAIT, &w), "BO_WAIT");
}

/* A valid stream in BO slot @s, then a few mutations of it. */
static uint32_t make_stream(struct fuzz *f, int s, void *map)
{
	struct rnpu_cs cs;
	uint64_t va = f->vas[s], sz = f->sizes[s];
	uint32_t len, n, k;
	uint8_t *b = map;

	rnpu_cs_begin(&cs, map, (uint32_t)(sz < 4096 ? sz : 4096));
	switch (rnd(f) % 4) {
	case 0:
		rnpu_cs_dma(&cs, va + 2048, va + 3072, 256);
		break;
	case 1:
		rnpu_cs_eltwise(&cs, (uint32_t)(rnd(f) % RNPU_ELT_COUNT),
				rnd(f) % 2 ? RNPU_DT_INT8 : RNPU_DT_FP16,
				va + 2048, va + 2560, va + 3072, 128);
		break;
	case 2:
		rnpu_cs_nops(&cs, 1 + rnd(f) % 8);
		break;
	default:
		rnpu_cs_dma(&cs, f->vas[rnd(f) % NBO] + rnd(f) % 8192, va + 3072, 64);
		break;
	}
	len = rnpu_cs_end(&cs);
	/*
	 * Mutate header fields, opcodes, sizes, dtypes, addresses and reserved
	 * words, but not the dims: a stream of huge broadcast tensors would
	 * only measure the host's patience.
	 */
	n = rnd(f) % 4;
	for (k = 0; k < n && len > 36; k++) {
		static const uint32_t hot[] = { 0, 4, 6, 8, 12, 16, 32, 34, 36, 40, 88, 89, 90 };
		uint32_t at = hot[rnd(f) % ARRAY_SIZE(hot)];

		if (at < len)
			b[at] ^= (uint8_t)(1u << (rnd(f) % 8));
	}
	return len;
}

static void op_submit(struct fuzz *f)
{
	struct drm_rnpu_submit_bo list[NBO + 2];
	struct drm_rnpu_sync syncs[3];
	struct drm_rnpu_submit s = { 0 };
	int cs = rnd(f) % NBO, i, ret;
	uint32_t n = rnd(f) % 4;
	void *map = NULL;

	/* The command BO needs a CPU view to write the stream. */
	if (f->handles[cs] && f->sizes[cs] >= 4096) {
		struct drm_rnpu_bo_info info = { .handle = f->handles[cs] };

		if (!rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_BO_INFO, &info)) {
			map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd,
				   info.mmap_offset);
			if (map == MAP_FAILED)
				map = NULL;
		}
	}
	s.cmd_handle = map ? f->handles[cs] : pick_handle(f);
	s.cmd_size = map ? make_stream(f, cs, map) : DRM_RNPU_CMD_MIN_SIZE;
	if (rnd(f) % 4 == 0)
		s.cmd_size = (uint32_t)pick(f, s.cmd_size, true);
	s.cmd_offset = rnd(f) % 4 == 0 ? pick(f, 0, true) : 0;
	for (i = 0; i < (int)n; i++) {
		list[i].handle = pick_handle(f);
		list[i].flags = rnd(f) % 8 ? (uint32_t)(rnd(f) & 1) : (uint32_t)rnd(f);
	}
	s.bos = rnd(f) % 8 ? (uintptr_t)list : pick(f, 0, true);
	s.bo_count = rnd(f) % 8 ? n : (uint32_t)pick(f, n, true);
	s.bo_stride = rnd(f) % 8 ? sizeof(list[0]) : (uint32_t)pick(f, 8, true);
	if (s.bo_stride > sizeof(list[0]) && s.bo_stride * (uint64_t)s.bo_count > sizeof(list))
		s.bos = 16;	/* never read past list: fault instead */
	for (i = 0; i < 3; i++) {
		syncs[i].handle = (uint32_t)pick(f, f->syncobjs[rnd(f) % 4], true);
		syncs[i].flags = (uint32_t)(rnd(f) % 8 ? 0 : rnd(f));
		syncs[i].point = rnd(f) % 4 ? 0 : interesting(f);
	}
	s.in_syncs = rnd(f) % 8 ? (uintptr_t)syncs : pick(f, 0, true);
	s.in_sync_count = (uint32_t)(rnd(f) % 4 ? rnd(f) % 3 : pick(f, 1, true));
	s.in_sync_stride = rnd(f) % 8 ? sizeof(syncs[0]) : (uint32_t)pick(f, 16, true);
	if (s.in_sync_stride * (uint64_t)(s.in_sync_count > 3 ? 3 : s.in_sync_count) >
	    sizeof(syncs) && s.in_syncs == (uintptr_t)syncs)
		s.in_syncs = 16;
	s.out_sync = rnd(f) % 2 ? 0 : (uint32_t)pick(f, f->syncobjs[rnd(f) % 4], true);
	s.out_sync_point = rnd(f) % 4 ? 0 : interesting(f);
	s.flags = (uint32_t)(rnd(f) % 4 ? rnd(f) % 2 : pick(f, 0, true));
	s.priority = (uint32_t)(rnd(f) % 4 ? rnd(f) % 3 : pick(f, 0, true));
	s.cycle_budget = 1 + rnd(f) % BUDGET;
	ret = rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_SUBMIT, &s);
	account(f, 5, ret, "SUBMIT");
	if (!ret && f->njobs < MAXJOBS)
		f->seqnos[f->njobs++] = s.seqno;
	if (map)
		munmap(map, 4096);
}

static void op_job_status(struct fuzz *f)
{
	uint64_t last = f->njobs ? f->seqnos[f->njobs - 1] : 1;
	struct drm_rnpu_job_status st = {
		.seqno = pick(f, 1 + rnd(f) % last, true),
		.timeout_ns = rnd(f) % 2 ? 0 : (int64_t)(rnd(f) % 3 ?
			rnpu_deadline(rnd(f) % 20000000) : pick(f, 0, true)),
		.flags = (uint32_t)(rnd(f) % 4 ? 0 : pick(f, 0, true)),
	};

	/* A far-future deadline would stall the loop on a slow job: cap it. */
	if (st.timeout_ns > (int64_t)rnpu_deadline(50000000))
		st.timeout_ns = (int64_t)rnpu_deadline(50000000);
	account(f, 6, rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_JOB_STATUS, &st), "JOB_STATUS");
}

static void op_perfcnt(struct fuzz *f)
{
	uint64_t vals[16];
	struct drm_rnpu_perfcnt p = {
		.values = rnd(f) % 4 ? (uintptr_t)vals : pick(f, 0, true),
		.count = (uint32_t)(rnd(f) % 2 ? rnd(f) % 17 : pick(f, 9, true)),
		.flags = (uint32_t)(rnd(f) % 4 ? rnd(f) % 2 : pick(f, 0, true)),
	};

	if (p.values == (uintptr_t)vals && p.count > 16)
		p.count = 16;
	account(f, 7, rnpu_ioctl(f->fd, DRM_IOCTL_RNPU_PERFCNT, &p), "PERFCNT");
}

static void op_syncobj(struct fuzz *f)
{
	int i = rnd(f) % 4, ret;

	if (rnd(f) % 2) {
		ret = rnpu_syncobj_signal(f->fd, f->syncobjs[i]);
	} else {
		rnpu_syncobj_destroy(f->fd, f->syncobjs[i]);
		ret = rnpu_syncobj_create(f->fd, rnd(f) % 2 ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
					  &f->syncobjs[i]);
	}
	account(f, 8, ret, "SYNCOBJ");
}

static void op_unknown(struct fuzz *f)
{
	uint8_t buf[256] = { 0 };
	unsigned int nr = DRM_COMMAND_BASE + DRM_RNPU_PERFCNT + 1 +
			  rnd(f) % (0x60 - DRM_RNPU_PERFCNT - 1);
	unsigned long req = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, nr,
				 rnd(f) % sizeof(buf));
	int ret = rnpu_ioctl(f->fd, req, buf);

	account(f, 9, ret, "unknown ioctl");
}

TEST_F_TIMEOUT(rnpu, random_ioctls, 300)
{
	static struct fuzz fz;
	struct fuzz *f = &fz;
	const char *s = getenv("RNPU_FUZZ_SEED"), *it = getenv("RNPU_FUZZ_ITERS");
	unsigned long iters = it ? strtoul(it, NULL, 0) : 4000, i;
	uint64_t seed = s ? strtoull(s, NULL, 0) : 0xf022f022ull;
	struct drm_rnpu_job_status st;
	struct rnpu_bo buf;
	unsigned int j, unfinished = 0;
	int other;

	memset(f, 0, sizeof(*f));
	f->fd = self->fd;
	f->rng = seed | 1;
	TH_LOG("seed 0x%llx, %lu iterations", (unsigned long long)seed, iters);
	for (j = 0; j < 4; j++)
		ASSERT_EQ(0, rnpu_syncobj_create(f->fd, DRM_SYNCOBJ_CREATE_SIGNALED,
						 &f->syncobjs[j]));
	for (i = 0; i < iters; i++) {
		switch (rnd(f) % 12) {
		case 0:
		case 1:
			op_bo_create(f);
			break;
		case 2:
			op_gem_close(f);
			break;
		case 3:
			op_get_param(f);
			break;
		case 4:
			op_bo_info(f);
			break;
		case 5:
			op_bo_wait(f);
			break;
		case 6:
		case 7:
		case 8:
			op_submit(f);
			break;
		case 9:
			op_job_status(f);
			break;
		case 10:
			op_perfcnt(f);
			break;
		default:
			if (rnd(f) % 2)
				op_syncobj(f);
			else
				op_unknown(f);
			break;
		}
	}
	TH_LOG("calls/accepted: create %u/%u close %u/%u param %u/%u info %u/%u wait %u/%u submit %u/%u status %u/%u perfcnt %u/%u syncobj %u/%u unknown %u/%u",
	       f->calls[0], f->accepted[0], f->calls[1], f->accepted[1],
	       f->calls[2], f->accepted[2], f->calls[3], f->accepted[3],
	       f->calls[4], f->accepted[4], f->calls[5], f->accepted[5],
	       f->calls[6], f->accepted[6], f->calls[7], f->accepted[7],
	       f->calls[8], f->accepted[8], f->calls[9], f->accepted[9]);
	EXPECT_EQ(0, f->bad_errno);
	/* The fuzzer must have got jobs through, or it tested little. */
	EXPECT_LT(20, f->accepted[5]);

	/* Every accepted job finishes, with a result of some kind. */
	for (j = 0; j < f->njobs; j++) {
		if (rnpu_wait_job(f->fd, f->seqnos[j], &st) == -ENOENT)
			continue;	/* pruned from the history: finished */
		if (st.state != DRM_RNPU_JOB_DONE && st.state != DRM_RNPU_JOB_FAILED)
			unfinished++;
	}
	EXPECT_EQ(0, unfinished);
	/* Nothing the fuzzer did may hang the device. */
	EXPECT_EQ(0, rnpu_param_or_die(f->fd, DRM_RNPU_PARAM_CTX_GUILTY, 0));

	/* A fresh context still computes correctly. */
	other = rnpu_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, rnpu_bo_new(other, 8192, 0, &buf));
	{
		struct rnpu_bo *bos[1] = { &buf };
		struct rnpu_job job;

		memset(buf.map, 0x6b, 512);
		ASSERT_EQ(0, rnpu_job_init(other, &job, 4096));
		rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 512);
		ASSERT_EQ(0, rnpu_run(other, &job, bos, 1, &st));
		EXPECT_EQ(0, memcmp(buf.map, (uint8_t *)buf.map + 4096, 512));
		rnpu_job_fini(&job);
	}
	rnpu_bo_free(&buf);
	close(other);
}

TEST_HARNESS_MAIN
