/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers for the rnpu kselftests: finding the device, thin ioctl
 * wrappers that return -errno, buffer objects, syncobjs, command streams
 * and the sysfs/debugfs/fdinfo files the tests read.
 *
 * Every test file includes this first, then kselftest_harness.h.
 */
#ifndef RNPU_KSFT_H
#define RNPU_KSFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <drm.h>
#include "rnpu_accel.h"
#include "rnpu_cmd.h"
#include "rnpu_regs.h"

/* TCG guests are slow: every wait in these tests is seconds, never ms. */
#define RNPU_WAIT_NS	(30ull * 1000000000ull)

/* ---- device --------------------------------------------------------------- */

/* Opens the first /dev/accel/accel* driven by rnpu; -errno if none. */
int rnpu_open(void);
/* Path of the opened device node's accel minor (e.g. 0), or -1. */
int rnpu_minor(int fd);
/* ioctl() that retries on EINTR/EAGAIN and returns 0 or -errno. */
int rnpu_ioctl(int fd, unsigned long req, void *arg);

uint64_t rnpu_now_ns(void);	/* CLOCK_MONOTONIC */
uint64_t rnpu_deadline(uint64_t ns_from_now);

int rnpu_param(int fd, uint32_t param, uint32_t index, uint64_t *value);
/* The value, or aborts the calling test process on failure. */
uint64_t rnpu_param_or_die(int fd, uint32_t param, uint32_t index);

/* ---- buffer objects -------------------------------------------------------- */
struct rnpu_bo {
	int fd;
	uint32_t handle;
	uint32_t flags;
	uint64_t size;
	uint64_t va;
	uint64_t mmap_offset;
	void *map;		/* NULL when not mapped */
};

int rnpu_bo_new(int fd, uint64_t size, uint32_t flags, struct rnpu_bo *bo);
void rnpu_bo_free(struct rnpu_bo *bo);
int rnpu_gem_close(int fd, uint32_t handle);

/* ---- syncobjs ------------------------------------------------------------- */
int rnpu_syncobj_create(int fd, uint32_t flags, uint32_t *handle);
int rnpu_syncobj_destroy(int fd, uint32_t handle);
/* Waits for all handles (binary syncobjs); 0, -ETIME or -errno. */
int rnpu_syncobj_wait(int fd, const uint32_t *handles, uint32_t count,
		      uint64_t deadline_ns, uint32_t flags);
int rnpu_syncobj_timeline_wait(int fd, uint32_t handle, uint64_t point,
			       uint64_t deadline_ns, uint32_t flags);
int rnpu_syncobj_signal(int fd, uint32_t handle);
int rnpu_syncobj_timeline_signal(int fd, uint32_t handle, uint64_t point);
int rnpu_syncobj_query(int fd, uint32_t handle, uint64_t *point);

/* ---- command streams -------------------------------------------------------- */
struct rnpu_cs {
	uint8_t *buf;
	uint32_t cap;
	uint32_t len;
	bool overflow;
};

void rnpu_cs_begin(struct rnpu_cs *cs, void *buf, uint32_t cap);
/* Finishes the header; returns the stream length in bytes. */
uint32_t rnpu_cs_end(struct rnpu_cs *cs);
void *rnpu_cs_put(struct rnpu_cs *cs, uint16_t opcode, uint16_t size);

/* A 1-D tensor of n elements of dtype (unit scale, zero point 0). */
struct rnpu_tensor_desc rnpu_td_1d(uint64_t va, uint32_t n, uint8_t dtype);
/* A dense NCHW (or fewer dims) tensor, row-major, element size from dtype. */
struct rnpu_tensor_desc rnpu_td(uint64_t va, uint8_t dtype, uint32_t rank,
				const uint32_t *dims);
uint32_t rnpu_dtype_size(uint8_t dtype);

void rnpu_cs_dma(struct rnpu_cs *cs, uint64_t src, uint64_t dst, uint32_t bytes);
/*
 * @count NOP commands: each costs the device's fixed per-command issue
 * cycles but almost no host time, so long jobs stay cheap under TCG.
 */
void rnpu_cs_nops(struct rnpu_cs *cs, uint32_t count);
void rnpu_cs_eltwise(struct rnpu_cs *cs, uint32_t op, uint8_t dtype,
		     uint64_t a, uint64_t b, uint64_t out, uint32_t n);
void rnpu_cs_conv2d(struct rnpu_cs *cs, const struct rnpu_tensor_desc *in,
		    const struct rnpu_tensor_desc *w,
		    const struct rnpu_tensor_desc *bias,
		    const struct rnpu_tensor_desc *out, uint16_t stride,
		    uint16_t pad);

/* IEEE-754 binary16 <-> float for expected values. */
uint16_t rnpu_f32_to_f16(float f);
float rnpu_f16_to_f32(uint16_t h);

/* ---- jobs ------------------------------------------------------------------ */
struct rnpu_job {
	struct rnpu_bo cmd;	/* owns the stream */
	struct rnpu_cs cs;
};

/* A command BO of @cap bytes, mapped, with a stream begun in it. */
int rnpu_job_init(int fd, struct rnpu_job *job, uint32_t cap);
void rnpu_job_fini(struct rnpu_job *job);

/*
 * Submit @job's stream listing @bos (all marked WRITE when @write).  Fills
 * @seqno.  Other submit fields come from @tmpl when non-NULL.
 */
int rnpu_submit(int fd, struct rnpu_job *job, struct rnpu_bo **bos,
		unsigned int nbos, bool write,
		const struct drm_rnpu_submit *tmpl, uint64_t *seqno);
/* JOB_STATUS waiting up to RNPU_WAIT_NS. */
int rnpu_wait_job(int fd, uint64_t seqno, struct drm_rnpu_job_status *st);
/* Submit and wait; 0 only when the job finished DONE. */
int rnpu_run(int fd, struct rnpu_job *job, struct rnpu_bo **bos,
	     unsigned int nbos, struct drm_rnpu_job_status *st);

/* ---- files ------------------------------------------------------------------ */
/* sysfs directory of the accel device's parent (PCI or platform device). */
int rnpu_sysfs_dev(int fd, char *path, size_t len);
/* debugfs directory for the device (/sys/kernel/debug/accel/<minor>). */
int rnpu_debugfs_dir(int fd, char *path, size_t len);
int rnpu_read_file(const char *path, char *buf, size_t len);
int rnpu_write_file(const char *path, const char *s);
/* One "key:\tvalue" from /proc/self/fdinfo/<fd>; -ENOENT if absent. */
int rnpu_fdinfo(int fd, const char *key, char *val, size_t len);
int rnpu_fdinfo_u64(int fd, const char *key, uint64_t *v);

/* Deterministic PRNG (xorshift64*) so fuzz and stress runs can be replayed. */
uint64_t rnpu_rand(uint64_t *state);

#endif /* RNPU_KSFT_H */
