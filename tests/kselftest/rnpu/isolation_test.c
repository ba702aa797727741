// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contexts are isolated: another process can reach a context's buffers
 * neither through the device (its VAs are not mapped in the other address
 * space) nor through the file (handles and mmap offsets are per file).
 * Sharing happens only explicitly, through a PRIME dma-buf.
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
