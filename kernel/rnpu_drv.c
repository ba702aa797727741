// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu DRM accel driver: module, DRM driver, per-file contexts, query
 * ioctls, fdinfo and the bus-independent core the PCI and platform front
 * ends share.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "rnpu_drv.h"
#include "rnpu_uapi_check.h"

/*
 * Numeric parameters with a range: a value outside it is refused
 * (-EINVAL: insmod fails, a sysfs write fails) and the old one stays.
 */
#define RNPU_JOB_TIMEOUT_MIN_MS	10
#define RNPU_JOB_TIMEOUT_MAX_MS	(3600 * 1000)
#define RNPU_JOB_HISTORY_MAX	BIT(20)

static int set_job_timeout(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, RNPU_JOB_TIMEOUT_MIN_MS,
				     RNPU_JOB_TIMEOUT_MAX_MS);
}

static const struct kernel_param_ops job_timeout_ops = {
	.set = set_job_timeout,
	.get = param_get_uint,
};

static int set_ring_entries(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 2, RNPU_RING_MAX_ENTRIES);
}

static const struct kernel_param_ops ring_entries_ops = {
	.set = set_ring_entries,
	.get = param_get_uint,
};

/* 0 would make every submit drop records forever (under submit_lock). */
static int set_job_history(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, RNPU_JOB_HISTORY_MAX);
}

static const struct kernel_param_ops job_history_ops = {
	.set = set_job_history,
	.get = param_get_uint,
};

unsigned int rnpu_autosuspend_ms = 100;
module_param_named(autosuspend_ms, rnpu_autosuspend_ms, uint, 0444);
MODULE_PARM_DESC(autosuspend_ms,
		 "Idle time before the NPU is powered down, ms (default 100; runtime: power/autosuspend_delay_ms)");

unsigned int rnpu_job_timeout_ms = 2000;
module_param_cb(job_timeout_ms, &job_timeout_ops, &rnpu_job_timeout_ms, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "A job on the ring longer than this is hung: reset, context banned, 10..3600000 (default 2000)");

unsigned int rnpu_max_bo_mem_mb = 1024;
module_param_named(max_bo_mem_mb, rnpu_max_bo_mem_mb, uint, 0644);
MODULE_PARM_DESC(max_bo_mem_mb,
		 "BO memory one open file may map, MiB, 0 = unlimited; read at open (default 1024)");

unsigned int rnpu_sram_reserve_kib;
module_param_named(sram_reserve_kib, rnpu_sram_reserve_kib, uint, 0444);
MODULE_PARM_DESC(sram_reserve_kib,
		 "SRAM held back from jobs at the top of the window, KiB (default 0)");

unsigned int rnpu_ring_entries = 256;
module_param_cb(ring_entries, &ring_entries_ops, &rnpu_ring_entries, 0444);
MODULE_PARM_DESC(ring_entries, "Job ring entries, power of two 2..4096 (default 256)");

unsigned int rnpu_job_history = 1024;
module_param_cb(job_history, &job_history_ops, &rnpu_job_history, 0644);
MODULE_PARM_DESC(job_history,
		 "Finished job records kept per file for JOB_STATUS, 1..1048576 (default 1024)");

bool rnpu_devfreq_enable = true;
module_param_named(devfreq, rnpu_devfreq_enable, bool, 0444);
MODULE_PARM_DESC(devfreq, "Scale the clock with load (simple_ondemand) (default Y)");

bool rnpu_ban_on_hang = true;
module_param_named(ban_on_hang, rnpu_ban_on_hang, bool, 0644);
MODULE_PARM_DESC(ban_on_hang,
		 "Ban a context whose job hung the NPU: later submits fail -ECANCELED (default Y)");

struct rnpu_live rnpu_live;

static void rnpu_ctx_release(struct kref *ref)
{
	struct rnpu_ctx *ctx = container_of(ref, struct rnpu_ctx, ref);
	struct rnpu_job_rec *rec;
	unsigned long idx;

	xa_for_each(&ctx->recs, idx, rec)
		rnpu_job_rec_put(rec);
	xa_destroy(&ctx->recs);
	put_pid(ctx->tgid);
	rnpu_vm_put(ctx->vm);
	mutex_destroy(&ctx->submit_lock);
	kfree(ctx);
	atomic_dec(&rnpu_live.ctxs);
}

void rnpu_ctx_put(struct rnpu_ctx *ctx)
{
	kref_put(&ctx->ref, rnpu_ctx_release);
}

/* Remember @tgid (the last RNPU_BANNED_PROCS) as a process that hung the NPU. */
void rnpu_ban_process(struct rnpu_device *rdev, struct pid *tgid)
{
	unsigned long flags;
	struct pid *old = NULL;
	u32 i;

	spin_lock_irqsave(&rdev->ban_lock, flags);
	for (i = 0; i < RNPU_BANNED_PROCS; i++)
		if (rdev->banned_procs[i] == tgid)
			goto out;
	old = rdev->banned_procs[rdev->banned_next];
	rdev->banned_procs[rdev->banned_next] = get_pid(tgid);
	rdev->banned_next = (rdev->banned_next + 1) % RNPU_BANNED_PROCS;
out:
	spin_unlock_irqrestore(&rdev->ban_lock, flags);
	put_pid(old);
}

static bool process_banned(struct rnpu_device *rdev, struct pid *tgid)
{
	unsigned long flags;
	bool banned = false;
	u32 i;

	spin_lock_irqsave(&rdev->ban_lock, flags);
	for (i = 0; i < RNPU_BANNED_PROCS; i++)
		banned |= rdev->banned_procs[i] == tgid;
	spin_unlock_irqrestore(&rdev->ban_lock, flags);
	return banned;
}

static int rnpu_open(struct drm_device *dev, struct drm_file *file)
{
	struct rnpu_device *rdev = to_rnpu(dev);
	struct drm_gpu_scheduler *sched = &rdev->sched;
	struct rnpu_ctx *ctx;
	int i, ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	kref_init(&ctx->ref);
	atomic_inc(&rnpu_live.ctxs);
	ctx->rdev = rdev;
	ctx->client_id = file->client_id;
	ctx->pid = task_tgid_nr(current);
	ctx->tgid = get_pid(task_tgid(current));
	/* A process that hung the NPU does not get a fresh start by reopening. */
	ctx->banned = rnpu_ban_on_hang && process_banned(rdev, ctx->tgid);
	get_task_comm(ctx->comm, current);
	ctx->mem_limit = (u64)READ_ONCE(rnpu_max_bo_mem_mb) << 20;
	ctx->oldest_seqno = 1;
	mutex_init(&ctx->submit_lock);
	spin_lock_init(&ctx->lock);
	xa_init(&ctx->recs);

	ctx->vm = rnpu_vm_create(rdev);
	if (IS_ERR(ctx->vm)) {
		ret = PTR_ERR(ctx->vm);
		ctx->vm = NULL;
		goto err;
	}
	for (i = 0; i < RNPU_NUM_PRIO; i++) {
		ret = drm_sched_entity_init(&ctx->entity[i], rnpu_sched_prio(i),
					    &sched, 1, NULL);
		if (ret) {
			while (--i >= 0)
				drm_sched_entity_destroy(&ctx->entity[i]);
			goto err;
		}
	}
	mutex_lock(&rdev->ctx_lock);
	list_add_tail(&ctx->node, &rdev->ctx_list);
	mutex_unlock(&rdev->ctx_lock);
	file->driver_priv = ctx;
	return 0;
err:
	rnpu_ctx_put(ctx);
	return ret;
}

static void rnpu_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct rnpu_device *rdev = to_rnpu(dev);
	struct rnpu_ctx *ctx = file->driver_priv;
	int i;

	/* Waits (bounded) for queued jobs; jobs on the ring hold ctx. */
	for (i = 0; i < RNPU_NUM_PRIO; i++)
		drm_sched_entity_destroy(&ctx->entity[i]);
	mutex_lock(&rdev->ctx_lock);
	list_del(&ctx->node);
	mutex_unlock(&rdev->ctx_lock);
	rnpu_ctx_put(ctx);
}

/* Device counters indexed by DRM_RNPU_CNT_x. */
static void device_counters(struct rnpu_device *rdev, u64 *vals)
{
	u64 hw[RNPU_CNT_COUNT];

	BUILD_BUG_ON(RNPU_CNT_COUNT != DRM_RNPU_CNT_FAULTS);
	rnpu_hw_counters(rdev, hw);
	memcpy(vals, hw, sizeof(hw));
	vals[DRM_RNPU_CNT_FAULTS] = atomic64_read(&rdev->sw_faults);
	vals[DRM_RNPU_CNT_RESETS] = atomic_read(&rdev->resets);
}

static u32 opp_extreme(struct rnpu_device *rdev, bool max)
{
	u32 i, v = rdev->caps.opp_mhz[0];

	for (i = 1; i < rdev->caps.num_opp; i++)
		v = max ? max(v, rdev->caps.opp_mhz[i]) : min(v, rdev->caps.opp_mhz[i]);
	return v;
}

static u32 read_if_powered(struct rnpu_device *rdev, u32 reg)
{
	u32 v = 0;
	int idx;

	if (rnpu_hw_get(rdev, &idx)) {
		v = rnpu_read(rdev, reg);
		rnpu_hw_put(rdev, idx);
	}
	return v;
}

static int get_param(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct rnpu_device *rdev = to_rnpu(dev);
	struct rnpu_ctx *ctx = file->driver_priv;
	struct drm_rnpu_get_param *args = data;
	const struct rnpu_caps *c = &rdev->caps;
	u64 cnt[DRM_RNPU_CNT_COUNT];
	int ret;

	ret = rnpu_check_param(args->param, args->index, c->num_opp);
	if (ret)
		return ret;
	switch (args->param) {
	case DRM_RNPU_PARAM_DEVICE_ID:
		args->value = RNPU_PCI_VENDOR_ID << 16 | RNPU_PCI_DEVICE_ID;
		break;
	case DRM_RNPU_PARAM_HW_VERSION:
		args->value = c->version;
		break;
	case DRM_RNPU_PARAM_MAC_ROWS:
		args->value = c->mac_rows;
		break;
	case DRM_RNPU_PARAM_MAC_COLS:
		args->value = c->mac_cols;
		break;
	case DRM_RNPU_PARAM_VEC_LANES:
		args->value = c->vec_lanes;
		break;
	case DRM_RNPU_PARAM_SRAM_SIZE:
		args->value = (u64)c->sram_kib << 10;
		break;
	case DRM_RNPU_PARAM_SRAM_VA:
		args->value = c->sram_va;
		break;
	case DRM_RNPU_PARAM_SRAM_AVAIL:
		args->value = (u64)(c->sram_kib - min(c->sram_kib, rnpu_sram_reserve_kib)) << 10;
		break;
	case DRM_RNPU_PARAM_DTYPES:
		args->value = c->dtypes;
		break;
	case DRM_RNPU_PARAM_OPS:
		args->value = c->ops;
		break;
	case DRM_RNPU_PARAM_CMD_VERSION:
		args->value = c->cmd_ver;
		break;
	case DRM_RNPU_PARAM_NUM_CONTEXTS:
		args->value = c->num_ctx;
		break;
	case DRM_RNPU_PARAM_VA_START:
		args->value = RNPU_VA_START;
		break;
	case DRM_RNPU_PARAM_VA_END:
		args->value = rdev->va_end;
		break;
	case DRM_RNPU_PARAM_DRAM_BW:
		args->value = c->dram_bw;
		break;
	case DRM_RNPU_PARAM_SRAM_BW:
		args->value = c->sram_bw;
		break;
	case DRM_RNPU_PARAM_FREQ_CUR:
		args->value = (u64)read_if_powered(rdev, RNPU_REG_OPP_FREQ) * 1000000;
		break;
	case DRM_RNPU_PARAM_FREQ_MIN:
		args->value = (u64)opp_extreme(rdev, false) * 1000000;
		break;
	case DRM_RNPU_PARAM_FREQ_MAX:
		args->value = (u64)opp_extreme(rdev, true) * 1000000;
		break;
	case DRM_RNPU_PARAM_NUM_OPP:
		args->value = c->num_opp;
		break;
	case DRM_RNPU_PARAM_OPP_FREQ:
		args->value = rnpu_freq_hz(rdev, args->index);
		break;
	case DRM_RNPU_PARAM_OPP_UVOLT:
		args->value = c->opp_uv[args->index];
		break;
	case DRM_RNPU_PARAM_COUNTER:
		device_counters(rdev, cnt);
		args->value = cnt[args->index];
		break;
	case DRM_RNPU_PARAM_TEMP:
		args->value = read_if_powered(rdev, RNPU_REG_TEMP);
		break;
	case DRM_RNPU_PARAM_MEM_LIMIT:
		args->value = ctx->mem_limit;
		break;
	case DRM_RNPU_PARAM_MEM_USED:
		args->value = READ_ONCE(ctx->vm->mem_used);
		break;
	case DRM_RNPU_PARAM_CTX_BANNED:
		args->value = READ_ONCE(ctx->banned);
		break;
	case DRM_RNPU_PARAM_CTX_FAULTS:
		args->value = READ_ONCE(ctx->faults);
		break;
	case DRM_RNPU_PARAM_CTX_GUILTY:
		args->value = READ_ONCE(ctx->guilty);
		break;
	case DRM_RNPU_PARAM_JOB_TIMEOUT_MS:
		args->value = rnpu_job_timeout_ms;
		break;
	case DRM_RNPU_PARAM_LAST_SEQNO:
		/* Pairs with the release in submit. */
		args->value = smp_load_acquire(&ctx->last_seqno);
		break;
	case DRM_RNPU_PARAM_JOB_HISTORY:
		args->value = READ_ONCE(rnpu_job_history);
		break;
	case DRM_RNPU_PARAM_CLIENT_ID:
		args->value = ctx->client_id;
		break;
	case DRM_RNPU_PARAM_RESETS:
		args->value = atomic_read(&rdev->resets);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/*
 * Device-wide activity (counters of every client's work, the clock and
 * temperature, which leak what others run) is for CAP_PERFMON (or
 * CAP_SYS_ADMIN); per-file data stays with its file.  The
 * perf_event_paranoid sysctl is not visible to modules.
 */
static bool device_wide_param(u32 param)
{
	return param == DRM_RNPU_PARAM_COUNTER ||
	       param == DRM_RNPU_PARAM_FREQ_CUR ||
	       param == DRM_RNPU_PARAM_TEMP;
}

/* Register reads: inside drm_dev_enter(), remove unmaps the registers. */
static int rnpu_ioctl_get_param(struct drm_device *dev, void *data,
				struct drm_file *file)
{
	struct drm_rnpu_get_param *args = data;
	int ret, idx;

	if (device_wide_param(args->param) && !perfmon_capable())
		return -EACCES;
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ret = get_param(dev, data, file);
	drm_dev_exit(idx);
	return ret;
}

static int rnpu_ioctl_perfcnt(struct drm_device *dev, void *data,
			      struct drm_file *file)
{
	struct rnpu_device *rdev = to_rnpu(dev);
	struct rnpu_ctx *ctx = file->driver_priv;
	struct drm_rnpu_perfcnt *args = data;
	u64 vals[DRM_RNPU_CNT_COUNT];
	u32 n;
	int ret;

	int idx;

	ret = rnpu_check_perfcnt(args);
	if (ret)
		return ret;
	if (!(args->flags & DRM_RNPU_PERFCNT_FILE) && !perfmon_capable())
		return -EACCES;
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	if (args->flags & DRM_RNPU_PERFCNT_FILE) {
		spin_lock_irq(&ctx->lock);
		memcpy(vals, ctx->cnt, sizeof(vals));
		spin_unlock_irq(&ctx->lock);
	} else {
		device_counters(rdev, vals);
	}
	drm_dev_exit(idx);
	n = min_t(u32, args->count, DRM_RNPU_CNT_COUNT);
	if (n && copy_to_user(u64_to_user_ptr(args->values), vals,
			      n * sizeof(u64)))
		return -EFAULT;
	args->count = DRM_RNPU_CNT_COUNT;
	args->timestamp_ns = ktime_get_ns();
	return 0;
}

/*
 * The keys of Documentation/gpu/drm-usage-stats.rst only: drm-cycles-npu
 * is this file's busy cycles, drm-total-cycles-npu the device clock's
 * cycles (powered time, over all power-offs) that they are a share of;
 * the document allows it or drm-maxfreq-npu, not both.  Memory comes
 * from the DRM core's helper.
 */
static void rnpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct rnpu_ctx *ctx = file->driver_priv;
	u64 busy, cycles, hw[RNPU_CNT_COUNT];

	spin_lock_irq(&ctx->lock);
	busy = ctx->busy_ns;
	cycles = ctx->cnt[DRM_RNPU_CNT_BUSY];
	spin_unlock_irq(&ctx->lock);
	rnpu_hw_counters(ctx->rdev, hw);
	drm_printf(p, "drm-engine-npu:\t%llu ns\n", busy);
	drm_printf(p, "drm-cycles-npu:\t%llu\n", cycles);
	drm_printf(p, "drm-total-cycles-npu:\t%llu\n", hw[RNPU_CNT_CYCLES]);
	drm_show_memory_stats(p, file);
}

static const struct drm_ioctl_desc rnpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(RNPU_GET_PARAM, rnpu_ioctl_get_param, 0),
	DRM_IOCTL_DEF_DRV(RNPU_BO_CREATE, rnpu_ioctl_bo_create, 0),
	DRM_IOCTL_DEF_DRV(RNPU_BO_INFO, rnpu_ioctl_bo_info, 0),
	DRM_IOCTL_DEF_DRV(RNPU_BO_WAIT, rnpu_ioctl_bo_wait, 0),
	DRM_IOCTL_DEF_DRV(RNPU_SUBMIT, rnpu_ioctl_submit, 0),
	DRM_IOCTL_DEF_DRV(RNPU_JOB_STATUS, rnpu_ioctl_job_status, 0),
	DRM_IOCTL_DEF_DRV(RNPU_PERFCNT, rnpu_ioctl_perfcnt, 0),
};

static const struct file_operations rnpu_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

const struct drm_driver rnpu_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_COMPUTE_ACCEL | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = rnpu_open,
	.postclose = rnpu_postclose,
	.show_fdinfo = rnpu_show_fdinfo,
	.gem_create_object = rnpu_gem_create_object,
	.gem_prime_import_sg_table = rnpu_gem_prime_import_sg_table,
	.ioctls = rnpu_ioctls,
	.num_ioctls = ARRAY_SIZE(rnpu_ioctls),
	.fops = &rnpu_fops,
	.name = RNPU_DRIVER_NAME,
	.desc = RNPU_DRIVER_DESC,
	.date = "20251124",
	.major = DRM_RNPU_DRIVER_MAJOR,
	.minor = DRM_RNPU_DRIVER_MINOR,
};

const struct dev_pm_ops rnpu_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(rnpu_pm_suspend, rnpu_pm_resume)
	RUNTIME_PM_OPS(rnpu_runtime_suspend, rnpu_runtime_resume, NULL)
};

static int request_irqs(struct rnpu_device *rdev)
{
	int ret;

	if (rdev->irq_shared)
		return devm_request_irq(rdev->dev, rdev->irq_job, rnpu_irq_shared,
					IRQF_SHARED, "rnpu", rdev);
	ret = devm_request_irq(rdev->dev, rdev->irq_job, rnpu_irq_job, 0,
			       "rnpu-job", rdev);
	if (ret)
		return ret;
	return devm_request_irq(rdev->dev, rdev->irq_err, rnpu_irq_err, 0,
				"rnpu-err", rdev);
}

static int alloc_ring(struct rnpu_device *rdev)
{
	struct device *dev = rdev->dev;
	size_t res_bytes;

	rdev->ring_size = roundup_pow_of_two(clamp_t(u32, rnpu_ring_entries, 2,
						     RNPU_RING_MAX_ENTRIES));
	rdev->ring = dmam_alloc_coherent(dev, rdev->ring_size * sizeof(*rdev->ring),
					 &rdev->ring_dma, GFP_KERNEL);
	/* Results, then the fence word, in one allocation. */
	res_bytes = rdev->ring_size * sizeof(*rdev->results);
	rdev->results = dmam_alloc_coherent(dev, res_bytes + sizeof(u64),
					    &rdev->results_dma, GFP_KERNEL);
	rdev->slot_job = devm_kcalloc(dev, rdev->ring_size,
				      sizeof(*rdev->slot_job), GFP_KERNEL);
	rdev->reset_jobs = devm_kcalloc(dev, rdev->ring_size,
					sizeof(*rdev->reset_jobs), GFP_KERNEL);
	if (!rdev->ring || !rdev->results || !rdev->slot_job || !rdev->reset_jobs)
		return -ENOMEM;
	rdev->fence_cpu = (__le64 *)((u8 *)rdev->results + res_bytes);
	rdev->fence_dma = rdev->results_dma + res_bytes;
	return 0;
}

/* drmm action: the last reference to the device is gone. */
static void rnpu_release(struct drm_device *drm, void *arg)
{
	struct rnpu_device *rdev = arg;

	u32 i;

	rnpu_sched_fini(rdev);
	/* Jobs failed after remove queued events; none can come now. */
	cancel_work_sync(&rdev->event_work);
	for (i = 0; i < RNPU_BANNED_PROCS; i++)
		put_pid(rdev->banned_procs[i]);
	atomic_dec(&rnpu_live.devices);
}

/*
 * Bring up the device behind @rdev (regs, dev, irq_* set by the front
 * end, device powered and held active by the front end's PM reference).
 */
int rnpu_core_probe(struct rnpu_device *rdev)
{
	struct device *dev = rdev->dev;
	int ret;

	spin_lock_init(&rdev->job_lock);
	spin_lock_init(&rdev->fence_lock);
	spin_lock_init(&rdev->asid_lock);
	spin_lock_init(&rdev->cnt_lock);
	spin_lock_init(&rdev->event_lock);
	spin_lock_init(&rdev->ban_lock);
	mutex_init(&rdev->reset_lock);
	mutex_init(&rdev->ctx_lock);
	INIT_LIST_HEAD(&rdev->ctx_list);
	INIT_LIST_HEAD(&rdev->park_list);
	init_waitqueue_head(&rdev->ring_idle);
	INIT_KFIFO(rdev->events);
	INIT_WORK(&rdev->event_work, rnpu_event_work);
	rnpu_coredump_init(rdev);

	/* Page-table entries hold 52-bit frame addresses. */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(52));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");
	ret = rnpu_hw_read_caps(rdev);
	if (ret)
		return ret;
	ret = rnpu_hw_power_on(rdev);
	if (ret)
		return ret;
	ret = alloc_ring(rdev);
	if (ret)
		return ret;
	atomic_set(&rdev->powered, 1);
	rdev->opp_cur = rdev->caps.num_opp - 1;
	ret = rnpu_hw_init(rdev);
	if (ret)
		return ret;
	/* A driver bound before may have left data in the SRAM. */
	rdev->sram_owner = RNPU_SRAM_UNKNOWN;
	ret = rnpu_sched_init(rdev);
	if (ret)
		return dev_err_probe(dev, ret, "scheduler init failed\n");
	/* Scheduler and event work live until the last file is closed. */
	atomic_inc(&rnpu_live.devices);
	ret = drmm_add_action_or_reset(&rdev->drm, rnpu_release, rdev);
	if (ret)
		return ret;
	ret = request_irqs(rdev);
	if (ret) {
		drm_err(&rdev->drm, "cannot request interrupts: %d\n", ret);
		return ret;
	}
	ret = rnpu_pm_init(rdev);
	if (ret)
		return ret;
	ret = rnpu_thermal_init(rdev);
	if (ret)
		goto err_pm;
	ret = rnpu_hwmon_init(rdev);
	if (ret)
		goto err_thermal;
	ret = drm_dev_register(&rdev->drm, 0);
	if (ret)
		goto err_thermal;
	rnpu_debugfs_init(rdev);
	drm_info(&rdev->drm, "rnpu %ux%u MACs, %u KiB SRAM, %u contexts, %u OPPs %u-%u MHz, ring %u, accel%d\n",
		 rdev->caps.mac_rows, rdev->caps.mac_cols, rdev->caps.sram_kib,
		 rdev->caps.num_ctx, rdev->caps.num_opp, opp_extreme(rdev, false),
		 opp_extreme(rdev, true), rdev->ring_size, rdev->drm.accel->index);
	return 0;

err_thermal:
	rnpu_thermal_fini(rdev);
err_pm:
	rnpu_pm_fini(rdev);
	return ret;
}

/*
 * Unbind with files open: drm_dev_unplug() makes every later ioctl and
 * hardware access fail (-ENODEV) and waits for those in progress;
 * jobs in flight fail with DEVICE_LOST.  What open files still use (the
 * scheduler and its entities, address spaces, records) stays until the
 * last file is closed: rnpu_release().  The caller holds the device
 * active.
 */
void rnpu_core_remove(struct rnpu_device *rdev)
{
	int refs;

	drm_dev_unplug(&rdev->drm);
	/* Only this function touches the registers from here on. */
	rnpu_job_unplug(rdev);
	/* No capture starts now; a pending dump is written out first. */
	rnpu_coredump_fini(rdev);
	/* No interrupt can queue thermal work any more. */
	rnpu_thermal_fini(rdev);
	rnpu_pm_fini(rdev);
	cancel_work_sync(&rdev->event_work);
	/*
	 * Jobs freed from now on skip their runtime-PM put (drm_dev_enter
	 * fails): give their references back now, so the count is even
	 * for the next driver.
	 */
	refs = atomic_xchg(&rdev->job_pm_refs, 0);
	while (refs-- > 0)
		pm_runtime_put_noidle(rdev->dev);
	/* Leave the device as a bus reset would: powered, idle, empty. */
	rnpu_write(rdev, RNPU_REG_CTRL, 0);
	rnpu_write(rdev, RNPU_REG_IRQ_CLEAR, ~0u);
}

static int __init rnpu_init(void)
{
	int ret;

	rnpu_debugfs_module_init();
	ret = rnpu_netlink_register();
	if (ret)
		goto err_debugfs;
	ret = pci_register_driver(&rnpu_pci_driver);
	if (ret)
		goto err_nl;
	ret = platform_driver_register(&rnpu_platform_driver);
	if (ret)
		goto err_pci;
	return 0;
err_pci:
	pci_unregister_driver(&rnpu_pci_driver);
err_nl:
	rnpu_netlink_unregister();
err_debugfs:
	rnpu_debugfs_module_fini();
	return ret;
}

static void __exit rnpu_exit(void)
{
	platform_driver_unregister(&rnpu_platform_driver);
	pci_unregister_driver(&rnpu_pci_driver);
	rnpu_netlink_unregister();
	rnpu_debugfs_module_fini();
	/* Every file is closed (the module was in use otherwise). */
	WARN(atomic_read(&rnpu_live.devices) || atomic_read(&rnpu_live.ctxs) ||
	     atomic_read(&rnpu_live.vms) || atomic_read(&rnpu_live.jobs) ||
	     atomic_read(&rnpu_live.bos),
	     "rnpu: leaked at unload: %d devices, %d contexts, %d address spaces, %d jobs, %d BOs\n",
	     atomic_read(&rnpu_live.devices), atomic_read(&rnpu_live.ctxs),
	     atomic_read(&rnpu_live.vms), atomic_read(&rnpu_live.jobs),
	     atomic_read(&rnpu_live.bos));
}

module_init(rnpu_init);
module_exit(rnpu_exit);

MODULE_AUTHOR("The rnpu authors");
MODULE_DESCRIPTION(RNPU_DRIVER_DESC " DRM accel driver");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: governor_simpleondemand");
