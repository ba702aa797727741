/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rnpu ioctl argument validation: pure functions of the copied-in
 * arguments (no device, no file state), tested by KUnit.
 */
#ifndef RNPU_UAPI_CHECK_H
#define RNPU_UAPI_CHECK_H

#include <linux/types.h>

#include "rnpu_accel.h"

/* First released sizes of the growable submit array elements. */
#define RNPU_SUBMIT_BO_V1_SIZE	8
#define RNPU_SYNC_V1_SIZE	16

int rnpu_check_param(u32 param, u32 index, u32 num_opp);
int rnpu_check_bo_create(const struct drm_rnpu_bo_create *args, u64 va_space,
			 u64 *size);
int rnpu_check_bo_info(const struct drm_rnpu_bo_info *args);
int rnpu_check_bo_wait(const struct drm_rnpu_bo_wait *args);
int rnpu_check_submit(const struct drm_rnpu_submit *args);
int rnpu_check_cmd_range(u64 bo_size, u64 offset, u32 size);
int rnpu_check_submit_bo(const struct drm_rnpu_submit_bo *bo);
int rnpu_check_sync(const struct drm_rnpu_sync *sync);
int rnpu_check_job_status(const struct drm_rnpu_job_status *args);
int rnpu_check_perfcnt(const struct drm_rnpu_perfcnt *args);
int rnpu_unpack_array(const void *src, u32 count, u32 stride, void *dst,
		      size_t elem_size);
u64 rnpu_deadline_to_ns(s64 deadline_ns, s64 now_ns);

#endif /* RNPU_UAPI_CHECK_H */
