// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contexts are isolated: another process can reach a context's buffers
 * neither through the device (its VAs are not mapped in the other address
 * space) nor through the file (handles and mmap offsets are per file).
 * Sharing happens only explicitly, through a PRIME dma-buf.  The on-chip
 * SRAM, seen untranslated by every context, is zeroed whenever the ring
 * passes from one context to another.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define SECRET	0xc5
#define SZ	(64 * 1024)

/* A owns several BOs, so the secret sits at a VA B never allocates. */
struct owner {
	struct rnpu_bo pad[3];
	struct rnpu_bo secret;
};

static int owner_init(int fd, struct owner *o)
{
	int i, ret;

	for (i = 0; i < 3; i++) {
		ret = rnpu_bo_new(fd, SZ, 0, &o->pad[i]);
		if (ret)
			return ret;
	}
	ret = rnpu_bo_new(fd, SZ, 0, &o->secret);
	if (!ret)
		memset(o->secret.map, SECRET, SZ);
	return ret;
}

static void owner_fini(struct owner *o)
{
	int i;

	for (i = 0; i < 3; i++)
		rnpu_bo_free(&o->pad[i]);
	rnpu_bo_free(&o->secret);
}

/* Child body: returns 0 when every isolation check held. */
static int intruder(const struct owner *a)
{
	struct drm_rnpu_bo_info info = { 0 };
	struct drm_rnpu_job_status st;
	struct rnpu_bo dst;
	struct rnpu_bo *bos[1] = { &dst };
	struct rnpu_job job;
	uint64_t seqno;
	void *p;
	int fd = rnpu_open(), fails = 0;
	size_t i;

	if (fd < 0)
		return 100;
	if (rnpu_job_init(fd, &job, 4096) || rnpu_bo_new(fd, SZ, 0, &dst))
		return 101;
	if (dst.va <= a->secret.va && a->secret.va < dst.va + dst.size)
		return 102;	/* layout assumption broken: test is void */

	/* By device VA: the owner's address is not mapped here. */
	rnpu_cs_dma(&job.cs, a->secret.va, dst.va, 4096);
	if (rnpu_submit(fd, &job, bos, 1, true, NULL, &seqno) ||
	    rnpu_wait_job(fd, seqno, &st))
		return 103;
	if (st.state != DRM_RNPU_JOB_FAILED || st.error != DRM_RNPU_ERR_MMU_FAULT) {
		fprintf(stderr, "# intruder read: state %u error %u\n", st.state, st.error);
		fails++;
	}
	for (i = 0; i < 4096; i++)
		if (((uint8_t *)dst.map)[i] == SECRET) {
			fprintf(stderr, "# secret byte leaked at %zu\n", i);
			fails++;
			break;
		}
	/* By handle: the owner's handle numbers mean nothing here. */
	info.handle = a->secret.handle;
	if (rnpu_ioctl(fd, DRM_IOCTL_RNPU_BO_INFO, &info) != -ENOENT) {
		fprintf(stderr, "# owner handle %u resolved here\n", a->secret.handle);
		fails++;
	}
	/* By mmap offset on this file. */
	p = mmap(NULL, SZ, PROT_READ, MAP_SHARED, fd, a->secret.mmap_offset);
	if (p != MAP_FAILED) {
		fprintf(stderr, "# owner mmap offset mapped here\n");
		munmap(p, SZ);
		fails++;
	}
	rnpu_bo_free(&dst);
	rnpu_job_fini(&job);
	close(fd);
	return fails;
}

TEST_F(rnpu, other_process_cannot_reach_buffers)
{
	struct owner a;
	int status;
	pid_t pid;

	ASSERT_EQ(0, owner_init(self->fd, &a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->fd);
		_exit(intruder(&a));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The owner's data is intact and still usable. */
	EXPECT_EQ(SECRET, ((uint8_t *)a.secret.map)[SZ - 1]);
	owner_fini(&a);
}

/* Two files in one process are as separate as two processes. */
TEST_F(rnpu, other_file_same_process)
{
	struct owner a;

	ASSERT_EQ(0, owner_init(self->fd, &a));
	EXPECT_EQ(0, intruder(&a));
	owner_fini(&a);
}

#define SRAM_PATTERN(i)	((uint8_t)((i) * 13 + 7) | 1)	/* never 0 */

/* Copy 4 KiB at SRAM offset 0 to @dst + @off in one job; 0 when DONE. */
static int sram_job(int fd, struct rnpu_bo *bo, uint64_t sram, bool fill,
		    uint64_t off)
{
	struct rnpu_bo *bos[1] = { bo };
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	int ret = rnpu_job_init(fd, &job, 4096);

	if (ret)
		return ret;
	if (fill)
		rnpu_cs_dma(&job.cs, bo->va, sram, 4096);
	rnpu_cs_dma(&job.cs, sram, bo->va + off, 4096);
	ret = rnpu_run(fd, &job, bos, 1, &st);
	rnpu_job_fini(&job);
	return ret;
}

static int count_pattern(const uint8_t *p, bool want_pattern)
{
	int i, bad = 0;

	for (i = 0; i < 4096; i++)
		bad += want_pattern ? p[i] != SRAM_PATTERN(i) : p[i] != 0;
	return bad;
}

/* Child: its job reads the SRAM; returns the number of non-zero bytes. */
static int sram_reader(uint64_t sram)
{
	struct rnpu_bo bo;
	int fd = rnpu_open(), bad;

	if (fd < 0 || rnpu_bo_new(fd, 4096, 0, &bo))
		return 200;
	memset(bo.map, 0xaa, 4096);
	if (sram_job(fd, &bo, sram, false, 0))
		return 201;
	bad = count_pattern(bo.map, false);
	if (bad)
		fprintf(stderr, "# %d SRAM bytes of the other context read back\n", bad);
	rnpu_bo_free(&bo);
	close(fd);
	return bad ? 1 : 0;
}

/*
 * A job of A leaves a pattern in the SRAM (and copies it back in the same
 * job: the SRAM does hold data); A's next job still finds it (no scrub
 * within a context); a second process's job reads zeros there; back in
 * A, zeros too.  The device is kept powered meanwhile: a power-down would
 * clear the SRAM and prove nothing.
 */
TEST_F(rnpu, sram_scrubbed_between_contexts)
{
	uint64_t sram = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_SRAM_VA, 0);
	char dev[512], path[600], delay[32];
	struct rnpu_bo bo;
	int status, i;
	pid_t pid;

	ASSERT_EQ(0, rnpu_sysfs_dev(self->fd, dev, sizeof(dev)));
	snprintf(path, sizeof(path), "%s/power/autosuspend_delay_ms", dev);
	ASSERT_EQ(0, rnpu_read_file(path, delay, sizeof(delay)));
	ASSERT_EQ(0, rnpu_write_file(path, "600000"));

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &bo));
	for (i = 0; i < 4096; i++)
		((uint8_t *)bo.map)[i] = SRAM_PATTERN(i);
	memset((uint8_t *)bo.map + 4096, 0, 4096);
	ASSERT_EQ(0, sram_job(self->fd, &bo, sram, true, 4096));
	EXPECT_EQ(0, count_pattern((uint8_t *)bo.map + 4096, true));
	memset((uint8_t *)bo.map + 4096, 0, 4096);
	ASSERT_EQ(0, sram_job(self->fd, &bo, sram, false, 4096));
	EXPECT_EQ(0, count_pattern((uint8_t *)bo.map + 4096, true));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(self->fd);
		_exit(sram_reader(sram));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("reader exit status 0x%x", status);

	memset((uint8_t *)bo.map + 4096, 0xaa, 4096);
	ASSERT_EQ(0, sram_job(self->fd, &bo, sram, false, 4096));
	EXPECT_EQ(0, count_pattern((uint8_t *)bo.map + 4096, false));
	rnpu_bo_free(&bo);
	rnpu_write_file(path, delay);
}

/*
 * A BO freed by its file is unreachable from the device at once: the
 * translations a job cached are invalidated, and the invalidation waited
 * for, before the pages are freed, so a job using the old VA faults.  The
 * device is kept powered in between (a power-down drops the TLB anyway).
 */
TEST_F(rnpu, freed_bo_unreachable)
{
	char dev[512], path[600], delay[32];
	struct drm_rnpu_job_status st;
	struct rnpu_job first, second;
	struct rnpu_bo src, dst;
	struct rnpu_bo *bos[1] = { &dst };
	uint64_t old_va, seqno;
	int i;

	ASSERT_EQ(0, rnpu_sysfs_dev(self->fd, dev, sizeof(dev)));
	snprintf(path, sizeof(path), "%s/power/autosuspend_delay_ms", dev);
	ASSERT_EQ(0, rnpu_read_file(path, delay, sizeof(delay)));
	ASSERT_EQ(0, rnpu_write_file(path, "600000"));
	/* Both command BOs first: none may land at the freed VA. */
	ASSERT_EQ(0, rnpu_job_init(self->fd, &first, 4096));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &second, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &dst));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 4096, 0, &src));
	for (i = 0; i < 4096; i++)
		((uint8_t *)src.map)[i] = SRAM_PATTERN(i);
	memset(dst.map, 0, 4096);
	old_va = src.va;
	rnpu_cs_dma(&first.cs, src.va, dst.va, 4096);
	rnpu_cs_dma(&second.cs, old_va, dst.va, 4096);
	{
		struct rnpu_bo *both[2] = { &src, &dst };

		ASSERT_EQ(0, rnpu_run(self->fd, &first, both, 2, &st));
	}
	EXPECT_EQ(0, count_pattern(dst.map, true));
	rnpu_bo_free(&src);
	memset(dst.map, 0, 4096);
	ASSERT_EQ(0, rnpu_submit(self->fd, &second, bos, 1, true, NULL, &seqno));
	ASSERT_EQ(0, rnpu_wait_job(self->fd, seqno, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_MMU_FAULT, st.error);
	EXPECT_EQ(old_va, st.fault_va);
	EXPECT_EQ(0, count_pattern(dst.map, false));
	rnpu_bo_free(&dst);
	rnpu_job_fini(&first);
	rnpu_job_fini(&second);
	rnpu_write_file(path, delay);
}

/*
 * More files than hardware contexts (16): address spaces take turns on
 * the contexts, and each file's jobs still reach only its own BO.  Two
 * rounds of submissions over all files force contexts to be taken from
 * one address space and given to another, in both directions.
 */
TEST_F_TIMEOUT(rnpu, more_files_than_contexts, 180)
{
	enum { NF = 20, ROUNDS = 2 };
	uint64_t nctx = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_NUM_CONTEXTS, 0);
	struct rnpu_job job[NF][ROUNDS];
	struct rnpu_bo bo[NF];
	struct drm_rnpu_job_status st;
	uint64_t seq[NF][ROUNDS];
	int fd[NF], f, r, i;

	ASSERT_LT(nctx, (uint64_t)NF);
	for (f = 0; f < NF; f++) {
		fd[f] = rnpu_open();
		ASSERT_LE(0, fd[f]);
		ASSERT_EQ(0, rnpu_bo_new(fd[f], 3 * 4096, 0, &bo[f]));
		for (i = 0; i < 4096; i++)
			((uint8_t *)bo[f].map)[i] = (uint8_t)(f * 31 + i);
		memset((uint8_t *)bo[f].map + 4096, 0, 2 * 4096);
		for (r = 0; r < ROUNDS; r++) {
			ASSERT_EQ(0, rnpu_job_init(fd[f], &job[f][r], 4096));
			rnpu_cs_dma(&job[f][r].cs, bo[f].va,
				    bo[f].va + 4096 * (r + 1), 4096);
		}
	}
	for (r = 0; r < ROUNDS; r++)
		for (f = 0; f < NF; f++) {
			struct rnpu_bo *bos[1] = { &bo[f] };

			ASSERT_EQ(0, rnpu_submit(fd[f], &job[f][r], bos, 1, true,
						 NULL, &seq[f][r]));
		}
	for (f = 0; f < NF; f++) {
		for (r = 0; r < ROUNDS; r++) {
			ASSERT_EQ(0, rnpu_wait_job(fd[f], seq[f][r], &st));
			EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state) TH_LOG("file %d round %d", f, r);
			EXPECT_EQ(0, memcmp(bo[f].map, (uint8_t *)bo[f].map + 4096 * (r + 1),
					    4096)) TH_LOG("file %d round %d", f, r);
			rnpu_job_fini(&job[f][r]);
		}
		rnpu_bo_free(&bo[f]);
		close(fd[f]);
	}
}

/* Explicit sharing: PRIME export in A, import in B, B's device reads it. */
TEST_F(rnpu, prime_sharing)
{
	struct drm_prime_handle exp = { 0 }, imp = { 0 };
	struct drm_rnpu_bo_info info = { 0 };
	struct drm_rnpu_job_status st;
	struct rnpu_bo src, dst, imported = { 0 };
	struct rnpu_bo *bos[2] = { &imported, &dst };
	struct rnpu_job job;
	int b = rnpu_open();

	ASSERT_LE(0, b);
	ASSERT_EQ(0, rnpu_bo_new(self->fd, SZ, 0, &src));
	memset(src.map, 0x3c, SZ);
	exp.handle = src.handle;
	exp.flags = DRM_CLOEXEC | DRM_RDWR;
	ASSERT_EQ(0, rnpu_ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, rnpu_ioctl(b, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	close(exp.fd);
	info.handle = imp.handle;
	ASSERT_EQ(0, rnpu_ioctl(b, DRM_IOCTL_RNPU_BO_INFO, &info));
	EXPECT_EQ(SZ, info.size);

	ASSERT_EQ(0, rnpu_bo_new(b, SZ, 0, &dst));
	ASSERT_EQ(0, rnpu_job_init(b, &job, 4096));
	rnpu_cs_dma(&job.cs, info.va, dst.va, SZ);
	imported.handle = imp.handle;
	ASSERT_EQ(0, rnpu_run(b, &job, bos, 2, &st));
	EXPECT_EQ(0x3c, ((uint8_t *)dst.map)[0]);
	EXPECT_EQ(0x3c, ((uint8_t *)dst.map)[SZ - 1]);
	rnpu_gem_close(b, imp.handle);
	rnpu_bo_free(&src);
	rnpu_bo_free(&dst);
	rnpu_job_fini(&job);
	close(b);
}

TEST_HARNESS_MAIN
