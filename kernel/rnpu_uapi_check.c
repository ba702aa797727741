// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu ioctl argument validation.  Everything here is a pure function of
 * its arguments so the KUnit suite can cover each errno the ioctls
 * document (docs/kernel.md) without a device.
 */
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "rnpu_regs.h"
#include "rnpu_uapi_check.h"

int rnpu_check_param(u32 param, u32 index, u32 num_opp)
{
	switch (param) {
	case DRM_RNPU_PARAM_OPP_FREQ:
	case DRM_RNPU_PARAM_OPP_UVOLT:
		return index < num_opp ? 0 : -EINVAL;
	case DRM_RNPU_PARAM_COUNTER:
		return index < DRM_RNPU_CNT_COUNT ? 0 : -EINVAL;
	case DRM_RNPU_PARAM_DEVICE_ID ... DRM_RNPU_PARAM_NUM_OPP:
	case DRM_RNPU_PARAM_TEMP ... DRM_RNPU_PARAM_RESETS:
		return index ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

int rnpu_check_bo_create(const struct drm_rnpu_bo_create *args, u64 va_space,
			 u64 *size)
{
	u64 aligned;

	if (args->flags & ~DRM_RNPU_BO_FLAGS)
		return -EINVAL;
	if (!args->size)
		return -EINVAL;
	if (check_add_overflow(args->size, (u64)RNPU_PAGE_SIZE - 1, &aligned))
		return -EINVAL;
	aligned &= ~((u64)RNPU_PAGE_SIZE - 1);
	/* One guard page follows every BO in the address space. */
	if (aligned > va_space || va_space - aligned < RNPU_PAGE_SIZE)
		return -EINVAL;
	*size = aligned;
	return 0;
}

int rnpu_check_bo_info(const struct drm_rnpu_bo_info *args)
{
	return args->flags || args->pad ? -EINVAL : 0;
}

int rnpu_check_bo_wait(const struct drm_rnpu_bo_wait *args)
{
	return args->flags ? -EINVAL : 0;
}

static int check_array(u32 count, u32 stride, u32 max_count, u32 min_stride)
{
	if (count > max_count)
		return -EINVAL;
	if (count && (stride < min_stride || stride > DRM_RNPU_MAX_STRIDE))
		return -EINVAL;
	return 0;
}

int rnpu_check_submit(const struct drm_rnpu_submit *args)
{
	int ret;

	if (args->flags & ~DRM_RNPU_SUBMIT_FLAGS)
		return -EINVAL;
	if (args->priority > DRM_RNPU_PRIO_HIGH)
		return -EINVAL;
	if (args->cmd_size < DRM_RNPU_CMD_MIN_SIZE ||
	    args->cmd_size > DRM_RNPU_CMD_MAX_SIZE ||
	    args->cmd_size % DRM_RNPU_CMD_ALIGN ||
	    args->cmd_offset % DRM_RNPU_CMD_ALIGN)
		return -EINVAL;
	ret = check_array(args->bo_count, args->bo_stride,
			  DRM_RNPU_MAX_SUBMIT_BOS, RNPU_SUBMIT_BO_V1_SIZE);
	if (ret)
		return ret;
	ret = check_array(args->in_sync_count, args->in_sync_stride,
			  DRM_RNPU_MAX_SUBMIT_SYNCS, RNPU_SYNC_V1_SIZE);
	if (ret)
		return ret;
	if (!args->out_sync && args->out_sync_point)
		return -EINVAL;
	return 0;
}

int rnpu_check_cmd_range(u64 bo_size, u64 offset, u32 size)
{
	u64 end;

	if (check_add_overflow(offset, (u64)size, &end) || end > bo_size)
		return -EINVAL;
	return 0;
}

int rnpu_check_submit_bo(const struct drm_rnpu_submit_bo *bo)
{
	return bo->flags & ~DRM_RNPU_SUBMIT_BO_WRITE ? -EINVAL : 0;
}

int rnpu_check_sync(const struct drm_rnpu_sync *sync)
{
	return sync->flags ? -EINVAL : 0;
}

int rnpu_check_job_status(const struct drm_rnpu_job_status *args)
{
	if (args->flags || !args->seqno || args->timeout_ns < 0)
		return -EINVAL;
	return 0;
}

int rnpu_check_perfcnt(const struct drm_rnpu_perfcnt *args)
{
	return args->flags & ~DRM_RNPU_PERFCNT_FLAGS ? -EINVAL : 0;
}

/*
 * Copy @count elements of @stride bytes from @src into @dst elements of
 * @elem_size bytes.  Bytes of a longer element that this kernel does not
 * know must be zero (-E2BIG otherwise, as copy_struct_from_user() does);
 * fields missing from a shorter element read as zero.
 */
int rnpu_unpack_array(const void *src, u32 count, u32 stride, void *dst,
		      size_t elem_size)
{
	const u8 *s = src;
	u8 *d = dst;
	u32 i;

	for (i = 0; i < count; i++, s += stride, d += elem_size) {
		if (stride >= elem_size) {
			if (memchr_inv(s + elem_size, 0, stride - elem_size))
				return -E2BIG;
			memcpy(d, s, elem_size);
		} else {
			memcpy(d, s, stride);
			memset(d + stride, 0, elem_size - stride);
		}
	}
	return 0;
}

/* Nanoseconds left until an absolute deadline, 0 once it has passed. */
u64 rnpu_deadline_to_ns(s64 deadline_ns, s64 now_ns)
{
	return deadline_ns > now_ns ? (u64)deadline_ns - (u64)now_ns : 0;
}
