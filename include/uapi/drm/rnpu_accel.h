/* SPDX-License-Identifier: MIT */
/*
 * rnpu DRM accel driver: the kernel <-> userspace ABI.
 *
 * Copyright (C) 2025 The rnpu authors
 */
#ifndef __UAPI_RNPU_ACCEL_H__
#define __UAPI_RNPU_ACCEL_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: ABI rules
 *
 * This header is reviewed like an upstream UAPI:
 *
 * - Ioctl numbers are append-only.  A number, once released, keeps its
 *   meaning forever; a replaced ioctl gets a new number and the old one
 *   keeps working or fails with -EOPNOTSUPP.  Never renumber, never reuse.
 * - Every struct has explicit padding.  Padding, reserved fields and unused
 *   flag bits must be zero; the kernel rejects anything else with -EINVAL,
 *   so they can be given meaning later.
 * - User pointers are carried in __u64 fields (use (__u64)(uintptr_t)ptr).
 * - Arrays passed by pointer come with an element size (``*_stride``), so
 *   the element structs can grow: the kernel accepts any stride of at
 *   least the first released size, reads the fields it knows, and fails
 *   with -E2BIG when the bytes it does not know are not zero.
 * - Ioctl argument structs may grow at the end; the DRM core zero-extends
 *   short structs from older userspace.
 * - Timeouts are absolute CLOCK_MONOTONIC times in nanoseconds.
 *
 * Each open file of /dev/accel/accelN is one context: its own device
 * virtual address space (no context can reach another's memory), its own
 * job sequence numbers and its own fault and ban state.
 */

#define DRM_RNPU_DRIVER_MAJOR 1
#define DRM_RNPU_DRIVER_MINOR 0

#define DRM_RNPU_GET_PARAM	0x00
#define DRM_RNPU_BO_CREATE	0x01
#define DRM_RNPU_BO_INFO	0x02
#define DRM_RNPU_BO_WAIT	0x03
#define DRM_RNPU_SUBMIT		0x04
#define DRM_RNPU_JOB_STATUS	0x05
#define DRM_RNPU_PERFCNT	0x06
/* Append new ioctl numbers here; never change or reuse the ones above. */

#define DRM_IOCTL_RNPU_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_RNPU_GET_PARAM, struct drm_rnpu_get_param)
#define DRM_IOCTL_RNPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_RNPU_BO_CREATE, struct drm_rnpu_bo_create)
#define DRM_IOCTL_RNPU_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_RNPU_BO_INFO, struct drm_rnpu_bo_info)
#define DRM_IOCTL_RNPU_BO_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_RNPU_BO_WAIT, struct drm_rnpu_bo_wait)
#define DRM_IOCTL_RNPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_RNPU_SUBMIT, struct drm_rnpu_submit)
#define DRM_IOCTL_RNPU_JOB_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_RNPU_JOB_STATUS, struct drm_rnpu_job_status)
#define DRM_IOCTL_RNPU_PERFCNT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_RNPU_PERFCNT, struct drm_rnpu_perfcnt)

/*
 * GET_PARAM parameters.  Append-only.  "Indexed" parameters use
 * drm_rnpu_get_param.index; all others require index == 0.
 */
#define DRM_RNPU_PARAM_DEVICE_ID	0	/* PCI vendor << 16 | device */
#define DRM_RNPU_PARAM_HW_VERSION	1	/* major << 16 | minor << 8 */
#define DRM_RNPU_PARAM_MAC_ROWS		2	/* int8 MAC array rows */
#define DRM_RNPU_PARAM_MAC_COLS		3	/* int8 MAC array columns */
#define DRM_RNPU_PARAM_VEC_LANES	4	/* vector unit elements/cycle */
#define DRM_RNPU_PARAM_SRAM_SIZE	5	/* on-chip SRAM, bytes */
#define DRM_RNPU_PARAM_SRAM_VA		6	/* device VA of the SRAM window */
#define DRM_RNPU_PARAM_SRAM_AVAIL	7	/* SRAM bytes jobs may use (from offset 0) */
#define DRM_RNPU_PARAM_DTYPES		8	/* bit (1 << RNPU_DT_x) per dtype */
#define DRM_RNPU_PARAM_OPS		9	/* bit (1 << RNPU_OP_x) per opcode, 64 bits */
#define DRM_RNPU_PARAM_CMD_VERSION	10	/* highest command-stream version */
#define DRM_RNPU_PARAM_NUM_CONTEXTS	11	/* hardware MMU contexts (ASIDs) */
#define DRM_RNPU_PARAM_VA_START		12	/* first VA BO_CREATE may return */
#define DRM_RNPU_PARAM_VA_END		13	/* end (exclusive) of the BO VA range */
#define DRM_RNPU_PARAM_DRAM_BW		14	/* DRAM bytes/cycle */
#define DRM_RNPU_PARAM_SRAM_BW		15	/* SRAM bytes/cycle */
#define DRM_RNPU_PARAM_FREQ_CUR		16	/* Hz; 0 while powered down */
#define DRM_RNPU_PARAM_FREQ_MIN		17	/* Hz, lowest operating point */
#define DRM_RNPU_PARAM_FREQ_MAX		18	/* Hz, highest operating point */
#define DRM_RNPU_PARAM_NUM_OPP		19	/* number of operating points */
#define DRM_RNPU_PARAM_OPP_FREQ		20	/* indexed by OPP: Hz */
#define DRM_RNPU_PARAM_OPP_UVOLT	21	/* indexed by OPP: microvolts */
#define DRM_RNPU_PARAM_COUNTER		22	/* indexed by DRM_RNPU_CNT_x: device total */
#define DRM_RNPU_PARAM_TEMP		23	/* milli-degrees C; 0 while powered down */
#define DRM_RNPU_PARAM_MEM_LIMIT	24	/* this context's BO byte limit, 0 = none */
#define DRM_RNPU_PARAM_MEM_USED		25	/* this context's BO bytes */
#define DRM_RNPU_PARAM_CTX_BANNED	26	/* 1 if this context is banned */
#define DRM_RNPU_PARAM_CTX_FAULTS	27	/* failed jobs of this context */
#define DRM_RNPU_PARAM_CTX_GUILTY	28	/* resets this context caused */
#define DRM_RNPU_PARAM_JOB_TIMEOUT_MS	29	/* driver job timeout */
#define DRM_RNPU_PARAM_LAST_SEQNO	30	/* last seqno SUBMIT returned here */
#define DRM_RNPU_PARAM_JOB_HISTORY	31	/* finished job records kept */
#define DRM_RNPU_PARAM_CLIENT_ID	32	/* DRM client id (fdinfo, netlink) */
#define DRM_RNPU_PARAM_RESETS		33	/* device resets since probe */

/**
 * struct drm_rnpu_get_param - query one device or context parameter
 *
 * Errors: -EINVAL for an unknown @param, a non-zero @index on a parameter
 * that is not indexed, an @index out of range or non-zero @pad; -EACCES for
 * device-wide activity (%DRM_RNPU_PARAM_COUNTER, %DRM_RNPU_PARAM_FREQ_CUR,
 * %DRM_RNPU_PARAM_TEMP) without CAP_PERFMON or CAP_SYS_ADMIN.
 */
struct drm_rnpu_get_param {
	/** @param: in, a DRM_RNPU_PARAM_x */
	__u32 param;
	/** @index: in, OPP or counter index for indexed parameters, else 0 */
	__u32 index;
	/** @value: out */
	__u64 value;
};

/* The device may read but never write the BO (PTE without WRITE). */
#define DRM_RNPU_BO_DEVICE_RO	(1u << 0)
#define DRM_RNPU_BO_FLAGS	(DRM_RNPU_BO_DEVICE_RO)

/**
 * struct drm_rnpu_bo_create - allocate a shmem-backed buffer object
 *
 * The BO is mapped into the caller's device address space at once, with a
 * guard page after it, and unmapped when the last handle in this file is
 * closed.  mmap() it on the device file at the offset BO_INFO returns.
 */
struct drm_rnpu_bo_create {
	/** @size: in, bytes (> 0); out, rounded up to the page size */
	__u64 size;
	/** @flags: in, DRM_RNPU_BO_x */
	__u32 flags;
	/** @handle: out, GEM handle */
	__u32 handle;
	/** @va: out, device virtual address in this context */
	__u64 va;
};

/**
 * struct drm_rnpu_bo_info - look up a BO's mmap offset and device VA
 *
 * Works for BOs created here and for dma-bufs imported through PRIME
 * (DRM_IOCTL_PRIME_FD_TO_HANDLE); an imported BO is mapped into this
 * context when its handle is created.
 */
struct drm_rnpu_bo_info {
	/** @handle: in */
	__u32 handle;
	/** @flags: in, must be 0 */
	__u32 flags;
	/** @mmap_offset: out, offset to pass to mmap() on the device fd */
	__u64 mmap_offset;
	/** @va: out, device virtual address in this context */
	__u64 va;
	/** @size: out, bytes */
	__u64 size;
	/** @bo_flags: out, DRM_RNPU_BO_x given at creation */
	__u32 bo_flags;
	/** @pad: must be 0 */
	__u32 pad;
};

/**
 * struct drm_rnpu_bo_wait - wait until no job uses a BO
 *
 * Returns 0 once every job that listed the BO has finished, -ETIME if
 * @timeout_ns passed first (a deadline in the past polls).
 */
struct drm_rnpu_bo_wait {
	/** @handle: in */
	__u32 handle;
	/** @flags: in, must be 0 */
	__u32 flags;
	/** @timeout_ns: in, absolute CLOCK_MONOTONIC deadline */
	__s64 timeout_ns;
};

/* drm_rnpu_submit_bo.flags: the job writes this BO (exclusive fence). */
#define DRM_RNPU_SUBMIT_BO_WRITE	(1u << 0)

/**
 * struct drm_rnpu_submit_bo - one BO a job uses (element of submit.bos)
 *
 * Listing a BO keeps it and its mapping alive until the job finishes and
 * orders the job after earlier writers (and, with %DRM_RNPU_SUBMIT_BO_WRITE,
 * earlier readers) unless %DRM_RNPU_SUBMIT_NO_IMPLICIT_SYNC is given.
 */
struct drm_rnpu_submit_bo {
	/** @handle: GEM handle */
	__u32 handle;
	/** @flags: DRM_RNPU_SUBMIT_BO_x */
	__u32 flags;
};

/**
 * struct drm_rnpu_sync - a syncobj (element of submit.in_syncs)
 */
struct drm_rnpu_sync {
	/** @handle: syncobj handle */
	__u32 handle;
	/** @flags: must be 0 */
	__u32 flags;
	/** @point: timeline point, 0 for a binary syncobj */
	__u64 point;
};

/* Only the explicit in-syncobjs order this job; BO fences are still added. */
#define DRM_RNPU_SUBMIT_NO_IMPLICIT_SYNC	(1u << 0)
#define DRM_RNPU_SUBMIT_FLAGS			(DRM_RNPU_SUBMIT_NO_IMPLICIT_SYNC)

#define DRM_RNPU_PRIO_NORMAL	0
#define DRM_RNPU_PRIO_LOW	1
#define DRM_RNPU_PRIO_HIGH	2	/* needs CAP_SYS_NICE */

#define DRM_RNPU_MAX_SUBMIT_BOS		4096
#define DRM_RNPU_MAX_SUBMIT_SYNCS	256
/* Largest element stride the kernel accepts for submit arrays. */
#define DRM_RNPU_MAX_STRIDE		256
#define DRM_RNPU_CMD_MIN_SIZE		32	/* the command-stream header */
#define DRM_RNPU_CMD_MAX_SIZE		(16u << 20)
#define DRM_RNPU_CMD_ALIGN		4

/**
 * struct drm_rnpu_submit - queue one command stream on the NPU
 *
 * The stream is @cmd_size bytes at @cmd_offset in BO @cmd_handle; the
 * kernel never parses it, the device validates it.  The job runs once
 * every in-syncobj has signalled; @out_sync (if non-zero) receives the
 * job's fence.  The result, including device errors, is read with
 * JOB_STATUS using the returned @seqno: a job that failed signals its
 * fences with an error and never leaves silently wrong output unreported.
 */
struct drm_rnpu_submit {
	/** @cmd_handle: in, BO holding the command stream */
	__u32 cmd_handle;
	/** @cmd_size: in, bytes, multiple of %DRM_RNPU_CMD_ALIGN */
	__u32 cmd_size;
	/** @cmd_offset: in, byte offset in the BO, multiple of %DRM_RNPU_CMD_ALIGN */
	__u64 cmd_offset;
	/** @bos: in, pointer to @bo_count elements of @bo_stride bytes */
	__u64 bos;
	/** @bo_count: in, <= %DRM_RNPU_MAX_SUBMIT_BOS */
	__u32 bo_count;
	/** @bo_stride: in, >= sizeof(struct drm_rnpu_submit_bo) v1 (8) */
	__u32 bo_stride;
	/** @in_syncs: in, pointer to @in_sync_count struct drm_rnpu_sync */
	__u64 in_syncs;
	/** @in_sync_count: in, <= %DRM_RNPU_MAX_SUBMIT_SYNCS */
	__u32 in_sync_count;
	/** @in_sync_stride: in, >= sizeof(struct drm_rnpu_sync) v1 (16) */
	__u32 in_sync_stride;
	/** @out_sync: in, syncobj to receive the job fence, 0 = none */
	__u32 out_sync;
	/** @flags: in, DRM_RNPU_SUBMIT_x */
	__u32 flags;
	/** @out_sync_point: in, timeline point for @out_sync, 0 = binary */
	__u64 out_sync_point;
	/** @priority: in, DRM_RNPU_PRIO_x */
	__u32 priority;
	/** @cycle_budget: in, device watchdog in cycles, 0 = device default */
	__u32 cycle_budget;
	/** @seqno: out, this context's sequence number of the job (>= 1) */
	__u64 seqno;
};

/* drm_rnpu_job_status.state */
#define DRM_RNPU_JOB_QUEUED	1	/* waiting for dependencies or the ring */
#define DRM_RNPU_JOB_RUNNING	2	/* on the hardware ring */
#define DRM_RNPU_JOB_DONE	3	/* finished without error */
#define DRM_RNPU_JOB_FAILED	4	/* finished with @error set */

/* drm_rnpu_job_status.error; 1..4 are the device's RNPU_ERR_x classes. */
#define DRM_RNPU_ERR_NONE		0
#define DRM_RNPU_ERR_INVALID_CMD	1	/* device rejected the stream */
#define DRM_RNPU_ERR_MMU_FAULT		2	/* translation/permission fault */
#define DRM_RNPU_ERR_WATCHDOG		3	/* cycle budget exceeded */
#define DRM_RNPU_ERR_BAD_JOB		4	/* device rejected the descriptor */
#define DRM_RNPU_ERR_TIMEOUT		5	/* hung; driver reset the device */
#define DRM_RNPU_ERR_CANCELED		6	/* not run: context banned */
#define DRM_RNPU_ERR_DEVICE_LOST	7	/* device removed or reset failed */
#define DRM_RNPU_ERR_BAD_WRITEBACK	8	/* retired with a corrupted seqno */
#define DRM_RNPU_ERR_DEPENDENCY		9	/* an input fence failed: output suspect */

/* drm_rnpu_job_status.fault_info and netlink FAULT_INFO */
#define DRM_RNPU_FAULT_TYPE_MASK	0xfu
#define DRM_RNPU_FAULT_TRANSLATION	1	/* no valid PTE */
#define DRM_RNPU_FAULT_PERMISSION	2	/* PTE lacks the right */
#define DRM_RNPU_FAULT_ADDR_SIZE	3	/* VA beyond the VA range */
#define DRM_RNPU_FAULT_BAD_CTX		4	/* invalid context */
#define DRM_RNPU_FAULT_WRITE		(1u << 8)	/* faulting access wrote */

/**
 * struct drm_rnpu_job_status - state and result of one job
 *
 * Looks up a job of this context by the seqno SUBMIT returned.  The
 * records of the last %DRM_RNPU_PARAM_JOB_HISTORY finished jobs are kept
 * (unfinished jobs are always kept).  With @timeout_ns non-zero it first
 * waits for the job to finish, returning -ETIME if the deadline passes.
 */
struct drm_rnpu_job_status {
	/** @seqno: in */
	__u64 seqno;
	/** @timeout_ns: in, absolute CLOCK_MONOTONIC deadline, 0 = no wait */
	__s64 timeout_ns;
	/** @flags: in, must be 0 */
	__u32 flags;
	/** @state: out, DRM_RNPU_JOB_x */
	__u32 state;
	/** @error: out, DRM_RNPU_ERR_x */
	__u32 error;
	/** @err_offset: out, byte offset in the stream of the failing command */
	__u32 err_offset;
	/** @fault_va: out, faulting device VA for %DRM_RNPU_ERR_MMU_FAULT */
	__u64 fault_va;
	/** @fault_info: out, DRM_RNPU_FAULT_x type and WRITE bit */
	__u32 fault_info;
	/** @detail: out, device detail code (hw/include/rnpu_model.h status) */
	__u32 detail;
	/** @cycles: out, device cycles the job took */
	__u64 cycles;
	/** @macs: out, multiply-accumulates performed */
	__u64 macs;
	/** @dram_bytes: out, DRAM bytes moved */
	__u64 dram_bytes;
	/** @sram_bytes: out, SRAM bytes moved */
	__u64 sram_bytes;
	/** @submit_ns: out, CLOCK_MONOTONIC time of SUBMIT */
	__u64 submit_ns;
	/**
	 * @start_ns: out, time the job started executing: the later of going
	 * to the ring and the job ahead of it finishing (while RUNNING, the
	 * time it went to the ring); 0 if not yet on the ring
	 */
	__u64 start_ns;
	/** @end_ns: out, time the job finished, 0 if not yet */
	__u64 end_ns;
};

/* Counter indices for PERFCNT and DRM_RNPU_PARAM_COUNTER.  Append-only. */
#define DRM_RNPU_CNT_CYCLES	0	/* cycles while powered on */
#define DRM_RNPU_CNT_BUSY	1	/* cycles executing jobs */
#define DRM_RNPU_CNT_MACS	2	/* multiply-accumulates */
#define DRM_RNPU_CNT_DRAM_RD	3	/* DRAM bytes read */
#define DRM_RNPU_CNT_DRAM_WR	4	/* DRAM bytes written */
#define DRM_RNPU_CNT_SRAM	5	/* SRAM bytes read or written */
#define DRM_RNPU_CNT_JOBS	6	/* jobs retired by the device */
#define DRM_RNPU_CNT_FAULTS	7	/* jobs that failed (any error) */
#define DRM_RNPU_CNT_RESETS	8	/* device resets */
#define DRM_RNPU_CNT_COUNT	9

/* Read this context's totals, summed from its finished jobs. */
#define DRM_RNPU_PERFCNT_FILE	(1u << 0)
#define DRM_RNPU_PERFCNT_FLAGS	(DRM_RNPU_PERFCNT_FILE)

/**
 * struct drm_rnpu_perfcnt - read performance counters
 *
 * Fills min(@count, %DRM_RNPU_CNT_COUNT) __u64 values at @values, indexed
 * by DRM_RNPU_CNT_x, and sets @count to the number the kernel knows.  Device
 * totals are monotonic since probe and survive runtime suspend.  With
 * %DRM_RNPU_PERFCNT_FILE the values are this context's: CYCLES and BUSY
 * both hold its jobs' cycles, DRAM_RD holds all its DRAM bytes (the device
 * does not split them per job) and DRAM_WR is 0.  Device totals (no
 * %DRM_RNPU_PERFCNT_FILE) need CAP_PERFMON or CAP_SYS_ADMIN (-EACCES).
 */
struct drm_rnpu_perfcnt {
	/** @values: in, pointer to @count __u64, may be 0 when @count is 0 */
	__u64 values;
	/** @count: in, elements at @values; out, DRM_RNPU_CNT_COUNT */
	__u32 count;
	/** @flags: in, DRM_RNPU_PERFCNT_x */
	__u32 flags;
	/** @timestamp_ns: out, CLOCK_MONOTONIC time of the read */
	__u64 timestamp_ns;
};

/**
 * DOC: netlink events
 *
 * The driver registers the generic netlink family %RNPU_GENL_NAME with the
 * multicast group %RNPU_GENL_MCGRP_EVENTS.  It only sends events; a tool
 * resolves the family and group (genl_ctrl_resolve and
 * genl_ctrl_resolve_grp in libnl), joins the group and reads messages whose
 * command is an RNPU_NL_CMD_x, carrying the RNPU_NL_ATTR_x attributes
 * listed with each command.  u64 attributes are 64-bit aligned with
 * %RNPU_NL_ATTR_PAD.  Attribute and command numbers are append-only.
 */
#define RNPU_GENL_NAME		"rnpu"
#define RNPU_GENL_VERSION	1
#define RNPU_GENL_MCGRP_EVENTS	"events"

enum rnpu_nl_cmd {
	RNPU_NL_CMD_UNSPEC,
	/* a job failed: DEV, MINOR, CLIENT_ID, PID, COMM, SEQNO, ERROR,
	 * FAULT_VA, FAULT_INFO, ASID, ERR_OFFSET
	 */
	RNPU_NL_CMD_FAULT,
	/* the device was reset: DEV, MINOR, REASON, RESETS, and for a guilty
	 * context CLIENT_ID, PID, COMM, SEQNO, BANNED
	 */
	RNPU_NL_CMD_RESET,
	/* the operating point changed for a thermal or power reason: DEV,
	 * MINOR, REASON, FREQ_HZ, OLD_FREQ_HZ, TEMP
	 */
	RNPU_NL_CMD_THROTTLE,
	__RNPU_NL_CMD_MAX,
};

#define RNPU_NL_CMD_MAX (__RNPU_NL_CMD_MAX - 1)

enum rnpu_nl_attr {
	RNPU_NL_ATTR_UNSPEC,
	RNPU_NL_ATTR_PAD,
	RNPU_NL_ATTR_DEV,		/* string, device name (e.g. PCI address) */
	RNPU_NL_ATTR_MINOR,		/* u32, accel minor: /dev/accel/accel<N> */
	RNPU_NL_ATTR_CLIENT_ID,		/* u64, DRM client id (fdinfo drm-client-id) */
	RNPU_NL_ATTR_PID,		/* u32, tgid that opened the context */
	RNPU_NL_ATTR_COMM,		/* string, its command name */
	RNPU_NL_ATTR_SEQNO,		/* u64, context job seqno */
	RNPU_NL_ATTR_ERROR,		/* u32, DRM_RNPU_ERR_x */
	RNPU_NL_ATTR_FAULT_VA,		/* u64 */
	RNPU_NL_ATTR_FAULT_INFO,	/* u32, DRM_RNPU_FAULT_x */
	RNPU_NL_ATTR_ASID,		/* u32, hardware context */
	RNPU_NL_ATTR_ERR_OFFSET,	/* u32, stream byte offset */
	RNPU_NL_ATTR_REASON,		/* u32, RNPU_NL_REASON_x */
	RNPU_NL_ATTR_RESETS,		/* u32, device resets since probe */
	RNPU_NL_ATTR_BANNED,		/* u8, 1: the guilty context is now banned */
	RNPU_NL_ATTR_FREQ_HZ,		/* u64, new frequency */
	RNPU_NL_ATTR_OLD_FREQ_HZ,	/* u64, previous frequency */
	RNPU_NL_ATTR_TEMP,		/* s32, milli-degrees C */
	__RNPU_NL_ATTR_MAX,
};

#define RNPU_NL_ATTR_MAX (__RNPU_NL_ATTR_MAX - 1)

enum rnpu_nl_reason {
	RNPU_NL_REASON_TIMEOUT = 1,	/* RESET: a job exceeded the job timeout */
	RNPU_NL_REASON_FORCED,		/* RESET: requested through debugfs */
	RNPU_NL_REASON_HW_ERROR,	/* RESET: the device reported a hang */
	RNPU_NL_REASON_THERMAL,		/* THROTTLE: thermal cooling state */
	RNPU_NL_REASON_DEVFREQ,		/* THROTTLE: devfreq lowered the clock */
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_RNPU_ACCEL_H__ */
