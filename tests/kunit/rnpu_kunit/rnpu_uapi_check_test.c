// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the rnpu ioctl argument checks (kernel/rnpu_uapi_check.c)
 * and for the UAPI struct layout itself: every errno the ioctls document
 * for malformed arguments is produced here without a device.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/stddef.h>

#include "rnpu_regs.h"
#include "rnpu_uapi_check.h"

/*
 * The ABI has no implicit padding: sizes and offsets are those of packed
 * members and sizes are multiples of 8, so 32- and 64-bit userspace agree.
 */
static void uapi_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_get_param), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_bo_create), 24);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_bo_info), 40);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_bo_wait), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_submit_bo),
			RNPU_SUBMIT_BO_V1_SIZE);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_sync), RNPU_SYNC_V1_SIZE);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_submit), 80);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_job_status), 104);
	KUNIT_EXPECT_EQ(test, sizeof(struct drm_rnpu_perfcnt), 24);
	/* Spot-check the offsets that 32-bit compilers would otherwise move. */
	KUNIT_EXPECT_EQ(test, offsetof(struct drm_rnpu_submit, cmd_offset), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct drm_rnpu_submit, out_sync_point), 56);
	KUNIT_EXPECT_EQ(test, offsetof(struct drm_rnpu_submit, seqno), 72);
	KUNIT_EXPECT_EQ(test, offsetof(struct drm_rnpu_job_status, fault_va), 32);
	KUNIT_EXPECT_EQ(test, offsetof(struct drm_rnpu_job_status, cycles), 48);
	KUNIT_EXPECT_EQ(test, offsetof(struct drm_rnpu_bo_info, bo_flags), 32);
}

static void check_param_plain(struct kunit *test)
{
	u32 p;

	for (p = DRM_RNPU_PARAM_DEVICE_ID; p <= DRM_RNPU_PARAM_RESETS; p++) {
		if (p == DRM_RNPU_PARAM_OPP_FREQ || p == DRM_RNPU_PARAM_OPP_UVOLT ||
		    p == DRM_RNPU_PARAM_COUNTER)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, rnpu_check_param(p, 0, 5), 0, "param %u", p);
		KUNIT_EXPECT_EQ_MSG(test, rnpu_check_param(p, 1, 5), -EINVAL,
				    "param %u", p);
		KUNIT_EXPECT_EQ_MSG(test, rnpu_check_param(p, U32_MAX, 5), -EINVAL,
				    "param %u", p);
	}
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_RESETS + 1, 0, 5),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(U32_MAX, 0, 5), -EINVAL);
}

static void check_param_indexed(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_OPP_FREQ, 0, 5), 0);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_OPP_FREQ, 4, 5), 0);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_OPP_FREQ, 5, 5),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_OPP_UVOLT, 4, 5), 0);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_OPP_UVOLT, 5, 5),
			-EINVAL);
	/* A device without operating points has no valid index at all. */
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_OPP_FREQ, 0, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_COUNTER,
					       DRM_RNPU_CNT_COUNT - 1, 5), 0);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_COUNTER,
					       DRM_RNPU_CNT_COUNT, 5), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_check_param(DRM_RNPU_PARAM_COUNTER, U32_MAX, 5),
			-EINVAL);
}

#define VA_SPACE	(SZ_1G * 256ull)

static void check_bo_create(struct kunit *test)
{
	struct drm_rnpu_bo_create a = { .size = 1 };
	u64 size = 0;
	u32 bit;

	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), 0);
	KUNIT_EXPECT_EQ(test, size, RNPU_PAGE_SIZE);
	a.size = SZ_4K;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), 0);
	KUNIT_EXPECT_EQ(test, size, SZ_4K);
	a.size = SZ_4K + 1;
	a.flags = DRM_RNPU_BO_DEVICE_RO;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), 0);
	KUNIT_EXPECT_EQ(test, size, SZ_8K);

	for (bit = 0; bit < 32; bit++) {
		a.flags = BIT(bit);
		if (a.flags & DRM_RNPU_BO_FLAGS)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, rnpu_check_bo_create(&a, VA_SPACE, &size),
				    -EINVAL, "flag bit %u", bit);
	}
	a.flags = 0;
	a.size = 0;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), -EINVAL);
	/* Rounding up to a page must not wrap around. */
	a.size = U64_MAX;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), -EINVAL);
	a.size = U64_MAX - RNPU_PAGE_SIZE + 2;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), -EINVAL);
	/* The BO and its guard page must fit in the address space. */
	a.size = VA_SPACE - SZ_4K;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), 0);
	a.size = VA_SPACE - SZ_4K + 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), -EINVAL);
	a.size = VA_SPACE;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), -EINVAL);
	a.size = VA_SPACE * 2;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_create(&a, VA_SPACE, &size), -EINVAL);
}

static void check_bo_info_wait(struct kunit *test)
{
	struct drm_rnpu_bo_info info = { .handle = 1 };
	struct drm_rnpu_bo_wait wait = { .handle = 1, .timeout_ns = -1 };

	KUNIT_EXPECT_EQ(test, rnpu_check_bo_info(&info), 0);
	info.flags = 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_info(&info), -EINVAL);
	info.flags = 0;
	info.pad = BIT(31);
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_info(&info), -EINVAL);

	KUNIT_EXPECT_EQ(test, rnpu_check_bo_wait(&wait), 0);
	wait.flags = BIT(7);
	KUNIT_EXPECT_EQ(test, rnpu_check_bo_wait(&wait), -EINVAL);
}

static struct drm_rnpu_submit good_submit(void)
{
	return (struct drm_rnpu_submit) {
		.cmd_handle = 1,
		.cmd_size = DRM_RNPU_CMD_MIN_SIZE,
		.bo_count = 2,
		.bo_stride = sizeof(struct drm_rnpu_submit_bo),
		.in_sync_count = 1,
		.in_sync_stride = sizeof(struct drm_rnpu_sync),
	};
}

static void check_submit_ok(struct kunit *test)
{
	struct drm_rnpu_submit s = good_submit();

	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), 0);
	s.flags = DRM_RNPU_SUBMIT_NO_IMPLICIT_SYNC;
	s.priority = DRM_RNPU_PRIO_HIGH;
	s.out_sync = 3;
	s.out_sync_point = 7;
	s.cmd_size = DRM_RNPU_CMD_MAX_SIZE;
	s.cmd_offset = SZ_1G + 4;
	s.bo_count = DRM_RNPU_MAX_SUBMIT_BOS;
	s.bo_stride = DRM_RNPU_MAX_STRIDE;
	s.in_sync_count = DRM_RNPU_MAX_SUBMIT_SYNCS;
	s.cycle_budget = U32_MAX;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), 0);
	/* Empty arrays need no stride. */
	s = good_submit();
	s.bo_count = 0;
	s.bo_stride = 0;
	s.in_sync_count = 0;
	s.in_sync_stride = 0;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), 0);
}

static void check_submit_flags(struct kunit *test)
{
	struct drm_rnpu_submit s = good_submit();
	u32 bit;

	for (bit = 0; bit < 32; bit++) {
		s.flags = BIT(bit);
		if (s.flags & DRM_RNPU_SUBMIT_FLAGS)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, rnpu_check_submit(&s), -EINVAL,
				    "flag bit %u", bit);
	}
	s.flags = 0;
	s.priority = DRM_RNPU_PRIO_HIGH + 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.priority = U32_MAX;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	/* A timeline point without a syncobj to attach it to. */
	s = good_submit();
	s.out_sync_point = 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
}

static void check_submit_cmd(struct kunit *test)
{
	struct drm_rnpu_submit s = good_submit();

	s.cmd_size = DRM_RNPU_CMD_MIN_SIZE - DRM_RNPU_CMD_ALIGN;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.cmd_size = 0;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.cmd_size = DRM_RNPU_CMD_MAX_SIZE + DRM_RNPU_CMD_ALIGN;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.cmd_size = DRM_RNPU_CMD_MIN_SIZE + 2;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.cmd_size = DRM_RNPU_CMD_MIN_SIZE;
	s.cmd_offset = 2;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.cmd_offset = U64_MAX;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
}

static void check_submit_arrays(struct kunit *test)
{
	struct drm_rnpu_submit s = good_submit();

	s.bo_count = DRM_RNPU_MAX_SUBMIT_BOS + 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.bo_count = U32_MAX;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.bo_count = 1;
	s.bo_stride = RNPU_SUBMIT_BO_V1_SIZE - 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.bo_stride = 0;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.bo_stride = DRM_RNPU_MAX_STRIDE + 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	/* count * stride would overflow 32 bits if the checks were missing. */
	s.bo_stride = U32_MAX;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);

	s = good_submit();
	s.in_sync_count = DRM_RNPU_MAX_SUBMIT_SYNCS + 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.in_sync_count = 1;
	s.in_sync_stride = RNPU_SYNC_V1_SIZE - 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
	s.in_sync_stride = DRM_RNPU_MAX_STRIDE + 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit(&s), -EINVAL);
}

static void check_cmd_range(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(SZ_4K, 0, SZ_4K), 0);
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(SZ_4K, SZ_4K - 32, 32), 0);
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(SZ_4K, SZ_4K - 28, 32), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(SZ_4K, SZ_4K, 32), -EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(SZ_4K, 0, SZ_4K + 4), -EINVAL);
	/* offset + size wrapping past 2^64 must not look small. */
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(SZ_4K, U64_MAX - 3, 32),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(U64_MAX, U64_MAX - 32, 32), 0);
	KUNIT_EXPECT_EQ(test, rnpu_check_cmd_range(U64_MAX, U64_MAX - 27, 32),
			-EINVAL);
}

static void check_elements(struct kunit *test)
{
	struct drm_rnpu_submit_bo bo = { .handle = 1 };
	struct drm_rnpu_sync sync = { .handle = 1, .point = U64_MAX };

	KUNIT_EXPECT_EQ(test, rnpu_check_submit_bo(&bo), 0);
	bo.flags = DRM_RNPU_SUBMIT_BO_WRITE;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit_bo(&bo), 0);
	bo.flags = DRM_RNPU_SUBMIT_BO_WRITE << 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_submit_bo(&bo), -EINVAL);
	bo.flags = BIT(31);
	KUNIT_EXPECT_EQ(test, rnpu_check_submit_bo(&bo), -EINVAL);

	KUNIT_EXPECT_EQ(test, rnpu_check_sync(&sync), 0);
	sync.flags = 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_sync(&sync), -EINVAL);
}

static void check_job_status_perfcnt(struct kunit *test)
{
	struct drm_rnpu_job_status js = { .seqno = 1 };
	struct drm_rnpu_perfcnt pc = { .count = DRM_RNPU_CNT_COUNT };

	KUNIT_EXPECT_EQ(test, rnpu_check_job_status(&js), 0);
	js.timeout_ns = S64_MAX;
	KUNIT_EXPECT_EQ(test, rnpu_check_job_status(&js), 0);
	js.timeout_ns = -1;
	KUNIT_EXPECT_EQ(test, rnpu_check_job_status(&js), -EINVAL);
	js.timeout_ns = 0;
	js.seqno = 0;
	KUNIT_EXPECT_EQ(test, rnpu_check_job_status(&js), -EINVAL);
	js.seqno = 1;
	js.flags = 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_job_status(&js), -EINVAL);

	KUNIT_EXPECT_EQ(test, rnpu_check_perfcnt(&pc), 0);
	pc.flags = DRM_RNPU_PERFCNT_FILE;
	KUNIT_EXPECT_EQ(test, rnpu_check_perfcnt(&pc), 0);
	pc.flags = DRM_RNPU_PERFCNT_FILE << 1;
	KUNIT_EXPECT_EQ(test, rnpu_check_perfcnt(&pc), -EINVAL);
}

/* A future, longer element: the v1 fields plus one the kernel ignores. */
struct bo_v2 {
	struct drm_rnpu_submit_bo v1;
	__u64 future;
};

static void unpack_array(struct kunit *test)
{
	struct bo_v2 src[3] = {
		{ { 1, DRM_RNPU_SUBMIT_BO_WRITE }, 0 },
		{ { 2, 0 }, 0 },
		{ { 3, 0 }, 0 },
	};
	struct drm_rnpu_submit_bo dst[3];
	struct drm_rnpu_sync sdst[2];
	__u32 short_src[2] = { 7, 9 };	/* a 4-byte "v0" sync: handle only */

	/* Same stride: a plain copy. */
	memset(dst, 0xff, sizeof(dst));
	KUNIT_EXPECT_EQ(test, rnpu_unpack_array(src, 1, sizeof(dst[0]), dst,
						sizeof(dst[0])), 0);
	KUNIT_EXPECT_EQ(test, dst[0].handle, 1);
	KUNIT_EXPECT_EQ(test, dst[0].flags, DRM_RNPU_SUBMIT_BO_WRITE);
	/* Longer elements with zero tails. */
	KUNIT_EXPECT_EQ(test, rnpu_unpack_array(src, 3, sizeof(src[0]), dst,
						sizeof(dst[0])), 0);
	KUNIT_EXPECT_EQ(test, dst[1].handle, 2);
	KUNIT_EXPECT_EQ(test, dst[2].handle, 3);
	KUNIT_EXPECT_EQ(test, dst[2].flags, 0);
	/* A field this kernel does not know, set: refuse, do not ignore. */
	src[2].future = 1;
	KUNIT_EXPECT_EQ(test, rnpu_unpack_array(src, 3, sizeof(src[0]), dst,
						sizeof(dst[0])), -E2BIG);
	/* Shorter elements read as zero-extended. */
	memset(sdst, 0xff, sizeof(sdst));
	KUNIT_EXPECT_EQ(test, rnpu_unpack_array(short_src, 2, sizeof(__u32), sdst,
						sizeof(sdst[0])), 0);
	KUNIT_EXPECT_EQ(test, sdst[0].handle, 7);
	KUNIT_EXPECT_EQ(test, sdst[1].handle, 9);
	KUNIT_EXPECT_EQ(test, sdst[1].flags, 0);
	KUNIT_EXPECT_EQ(test, sdst[1].point, 0);
	/* Nothing to copy. */
	KUNIT_EXPECT_EQ(test, rnpu_unpack_array(NULL, 0, 0, NULL, 8), 0);
}

static void deadline_to_ns(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rnpu_deadline_to_ns(1000, 400), 600);
	KUNIT_EXPECT_EQ(test, rnpu_deadline_to_ns(400, 400), 0);
	KUNIT_EXPECT_EQ(test, rnpu_deadline_to_ns(0, 400), 0);
	KUNIT_EXPECT_EQ(test, rnpu_deadline_to_ns(-5, 400), 0);
	/* The full span of s64 fits a u64 without overflowing. */
	KUNIT_EXPECT_EQ(test, rnpu_deadline_to_ns(S64_MAX, S64_MIN), U64_MAX);
	KUNIT_EXPECT_EQ(test, rnpu_deadline_to_ns(S64_MAX, 0), (u64)S64_MAX);
}

static struct kunit_case rnpu_uapi_check_cases[] = {
	KUNIT_CASE(uapi_layout),
	KUNIT_CASE(check_param_plain),
	KUNIT_CASE(check_param_indexed),
	KUNIT_CASE(check_bo_create),
	KUNIT_CASE(check_bo_info_wait),
	KUNIT_CASE(check_submit_ok),
	KUNIT_CASE(check_submit_flags),
	KUNIT_CASE(check_submit_cmd),
	KUNIT_CASE(check_submit_arrays),
	KUNIT_CASE(check_cmd_range),
	KUNIT_CASE(check_elements),
	KUNIT_CASE(check_job_status_perfcnt),
	KUNIT_CASE(unpack_array),
	KUNIT_CASE(deadline_to_ns),
	{}
};

static struct kunit_suite rnpu_uapi_check_suite = {
	.name = "rnpu_uapi_check",
	.test_cases = rnpu_uapi_check_cases,
};

kunit_test_suite(rnpu_uapi_check_suite);

MODULE_DESCRIPTION("KUnit tests for the rnpu ioctl argument checks");
MODULE_LICENSE("GPL");
