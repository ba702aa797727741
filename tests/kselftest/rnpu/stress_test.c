// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bounded multi-process stress run: several processes, each with its own
 * context, keep batches of DMA and ELTWISE jobs in flight (some of them
 * faulting on purpose) and check every result; one process exits with its
 * jobs still queued.  Seeded, so a failure can be replayed with
 * RNPU_STRESS_SEED.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define PROCS	4
#define ROUNDS	6
#define BATCH	6
#define SLOT	(32 * 1024)	/* each job owns three slots: a, b, out */

struct pending {
	struct rnpu_job job;
	uint64_t seqno;
	uint32_t kind;		/* 0 DMA, 1 ADD, 2 deliberate fault */
	uint32_t n;
	uint32_t slot;
};

static uint64_t seed_base(void)
{
	const char *s = getenv("RNPU_STRESS_SEED");

	return s ? strtoull(s, NULL, 0) : 0x5eed0001ull;
}

static int check(const struct rnpu_bo *buf, const struct pending *p,
		 const struct drm_rnpu_job_status *st)
{
	const int8_t *a = (const int8_t *)buf->map + p->slot * 3 * SLOT;
	const int8_t *b = a + SLOT, *out = b + SLOT;
	uint32_t i;

	if (p->kind == 2)
		return st->state == DRM_RNPU_JOB_FAILED &&
		       st->error == DRM_RNPU_ERR_MMU_FAULT ? 0 : 1;
	if (st->state != DRM_RNPU_JOB_DONE)
		return 2;
	for (i = 0; i < p->n; i++) {
		int want = p->kind ? a[i] + b[i] : a[i];

		if (out[i] != want)
			return 3;
	}
	return 0;
}

/* One worker process; returns 0 when every job checked out. */
static int worker(int id, bool leave_early)
{
	uint64_t rng = seed_base() * 31 + id;
	struct pending p[BATCH];
	struct rnpu_bo buf;
	struct rnpu_bo *bos[1] = { &buf };
	int fd = rnpu_open(), round, j, ret = 0;

	if (fd < 0)
		return 10;
	if (rnpu_bo_new(fd, BATCH * 3 * SLOT, 0, &buf))
		return 11;
	for (j = 0; j < BATCH; j++)
		if (rnpu_job_init(fd, &p[j].job, 4096))
			return 12;
	for (round = 0; round < ROUNDS && !ret; round++) {
		for (j = 0; j < BATCH; j++) {
			int8_t *a = (int8_t *)buf.map + j * 3 * SLOT, *b = a + SLOT;
			uint64_t va = buf.va + j * 3 * SLOT;
			uint32_t i, r = (uint32_t)rnpu_rand(&rng);

			p[j].slot = j;
			p[j].kind = r % 7 == 0 ? 2 : r % 2;
			p[j].n = 1 + (r >> 8) % (SLOT - 1);
			for (i = 0; i < p[j].n; i++) {
				a[i] = (int8_t)((int)(rnpu_rand(&rng) % 120) - 60);
				b[i] = (int8_t)((int)(rnpu_rand(&rng) % 120) - 60);
			}
			rnpu_cs_begin(&p[j].job.cs, p[j].job.cmd.map, 4096);
			if (p[j].kind == 0)
				rnpu_cs_dma(&p[j].job.cs, va, va + 2 * SLOT, p[j].n);
			else if (p[j].kind == 1)
				rnpu_cs_eltwise(&p[j].job.cs, RNPU_ELT_ADD, RNPU_DT_INT8,
						va, va + SLOT, va + 2 * SLOT, p[j].n);
			else	/* the guard page after the buffer */
				rnpu_cs_dma(&p[j].job.cs, buf.va + buf.size, va, 64);
			if (rnpu_submit(fd, &p[j].job, bos, 1, true, NULL, &p[j].seqno))
				return 13;
		}
		if (leave_early && round == ROUNDS / 2)
			_exit(0);	/* jobs in flight, fd and BOs dropped by exit */
		for (j = 0; j < BATCH && !ret; j++) {
			struct drm_rnpu_job_status st;

			if (rnpu_wait_job(fd, p[j].seqno, &st))
				return 14;
			ret = check(&buf, &p[j], &st);
			if (ret)
				fprintf(stderr, "# worker %d round %d job %d kind %u n %u: check %d (state %u error %u)\n",
					id, round, j, p[j].kind, p[j].n, ret, st.state, st.error);
		}
	}
	for (j = 0; j < BATCH; j++)
		rnpu_job_fini(&p[j].job);
	rnpu_bo_free(&buf);
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(rnpu, multi_process, 300)
{
	pid_t pids[PROCS + 1];
	int i, status;

	TH_LOG("seed 0x%llx", (unsigned long long)seed_base());
	for (i = 0; i <= PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			close(self->fd);
			_exit(worker(i, i == PROCS));
		}
	}
	for (i = 0; i <= PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status)) TH_LOG("worker %d died", i);
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("worker %d", i);
	}
	/* Nobody was banned or reset, and the device still works. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(0, worker(PROCS + 1, false));
}

TEST_HARNESS_MAIN
