// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu jobs: the SUBMIT ioctl, drm_sched backend, ring writes, completion
 * from the interrupt handlers, and timeout -> reset -> recovery.
 *
 * Lock order: ctx->submit_lock -> dma_resv; reset_lock -> job_lock ->
 * asid_lock, ctx->lock -> fence locks.  job_lock is taken from hard IRQs,
 * so asid_lock (nested in it when a job goes on the ring) is always taken
 * with interrupts off.
 */
#include <linux/dma-fence-chain.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/interrupt.h>
#include <linux/pm_runtime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

#include "rnpu_drv.h"
#include "rnpu_trace.h"
#include "rnpu_uapi_check.h"

/*
 * The descriptor and result layouts in rnpu_regs.h use plain fixed-width
 * types (the header is shared with QEMU and userspace); the device sees
 * them little-endian.
 */
static inline u64 le64_field(u64 v)
{
	return le64_to_cpu((__force __le64)v);
}

static inline u32 le32_field(u32 v)
{
	return le32_to_cpu((__force __le32)v);
}

/* Jiffies rounding of the drm_sched timeout, see job_hung(). */
#define RNPU_TIMEOUT_SLACK_MS	20

#define TO_LE64(v)	((__force u64)cpu_to_le64(v))
#define TO_LE32(v)	((__force u32)cpu_to_le32(v))
#define TO_LE16(v)	((__force u16)cpu_to_le16(v))

static const char *rnpu_fence_driver_name(struct dma_fence *f)
{
	return RNPU_DRIVER_NAME;
}

static const char *rnpu_fence_timeline_name(struct dma_fence *f)
{
	return "rnpu-ring";
}

static const struct dma_fence_ops rnpu_fence_ops = {
	.get_driver_name = rnpu_fence_driver_name,
	.get_timeline_name = rnpu_fence_timeline_name,
};

static void rnpu_job_rec_release(struct kref *ref)
{
	struct rnpu_job_rec *rec = container_of(ref, struct rnpu_job_rec, ref);

	dma_fence_put(rec->done);
	kfree(rec);
}

void rnpu_job_rec_put(struct rnpu_job_rec *rec)
{
	if (rec)
		kref_put(&rec->ref, rnpu_job_rec_release);
}

static void rnpu_job_free(struct rnpu_job *job)
{
	struct rnpu_device *rdev = job->rdev;
	u32 i;

	if (job->maps) {
		for (i = 0; i < job->bo_count; i++)
			rnpu_mapping_put(job->maps[i]);
		kvfree(job->maps);
	}
	if (job->bos) {
		for (i = 0; i < job->bo_count; i++)
			drm_gem_object_put(job->bos[i]);
		kvfree(job->bos);
	}
	for (i = 0; i < job->ndeps; i++)
		dma_fence_put(job->deps[i]);
	kvfree(job->deps);
	if (job->hw_fence_init)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	rnpu_job_rec_put(job->rec);
	if (job->pm_ref) {
		int idx;

		/* After unplug, remove has dropped this reference for us. */
		if (drm_dev_enter(&rdev->drm, &idx)) {
			atomic_dec(&rdev->job_pm_refs);
			pm_runtime_mark_last_busy(rdev->dev);
			pm_runtime_put_autosuspend(rdev->dev);
			drm_dev_exit(idx);
		}
	}
	if (job->ctx)
		rnpu_ctx_put(job->ctx);
	kfree(job);
	atomic_dec(&rnpu_live.jobs);
	/* Last: the release of the device may be waiting for this. */
	if (atomic_dec_and_test(&rdev->jobs_live))
		wake_up_var(&rdev->jobs_live);
}

static int hw_error_to_errno(u32 error)
{
	switch (error) {
	case DRM_RNPU_ERR_NONE:
		return 0;
	case DRM_RNPU_ERR_TIMEOUT:
		return -ETIMEDOUT;
	case DRM_RNPU_ERR_CANCELED:
		return -ECANCELED;
	case DRM_RNPU_ERR_DEVICE_LOST:
		return -ENODEV;
	default:
		return -EIO;
	}
}

static void fill_event(struct rnpu_event *ev, struct rnpu_ctx *ctx, u8 cmd)
{
	memset(ev, 0, sizeof(*ev));
	ev->cmd = cmd;
	ev->client_id = ctx->client_id;
	ev->pid = ctx->pid;
	strscpy(ev->comm, ctx->comm, sizeof(ev->comm));
}

/*
 * A job that waited on a failed job through an in-syncobj failed too,
 * even though the device ran it fine: its inputs were garbage.  Inputs on this ring are
 * pipelined (drm_sched only waits until they are on the ring) but retire
 * first, so their fences are signalled by now.
 */
static int dep_errno(struct rnpu_job *job)
{
	u32 i;

	for (i = 0; i < job->ndeps; i++) {
		struct dma_fence *f = job->deps[i];

		if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &f->flags) && f->error < 0)
			return f->error;
	}
	return 0;
}

/*
 * Record how @job ended and signal its hardware fence.  @res is the
 * device's result record, NULL when the driver ended the job itself.
 * Called with rdev->job_lock held.
 */
static void rnpu_job_finish(struct rnpu_device *rdev, struct rnpu_job *job,
			    const struct rnpu_job_result *res, u32 error,
			    u32 fault_info)
{
	struct rnpu_job_rec *rec = job->rec;
	struct rnpu_ctx *ctx = job->ctx;
	u64 now = ktime_get_ns();
	u64 cycles = 0, macs = 0, dram = 0, sram = 0, fault_va = 0;
	u32 err_offset = 0, detail = 0;
	struct rnpu_event ev;

	lockdep_assert_held(&rdev->job_lock);
	if (!error) {
		int dep_err = dep_errno(job);

		if (dep_err) {
			error = DRM_RNPU_ERR_DEPENDENCY;
			job->dep_errno = dep_err;
		}
	}
	if (res) {
		err_offset = le32_field(res->err_offset);
		fault_va = le64_field(res->fault_addr);
		cycles = le64_field(res->cycles);
		macs = le64_field(res->macs);
		dram = le64_field(res->dram_bytes);
		sram = le64_field(res->sram_bytes);
		detail = le32_field(res->detail);
	}

	spin_lock(&ctx->lock);
	rec->state = error ? DRM_RNPU_JOB_FAILED : DRM_RNPU_JOB_DONE;
	rec->error = error;
	rec->err_offset = err_offset;
	rec->fault_va = fault_va;
	rec->fault_info = fault_info;
	rec->detail = detail;
	rec->cycles = cycles;
	rec->macs = macs;
	rec->dram_bytes = dram;
	rec->sram_bytes = sram;
	rec->end_ns = now;
	if (rec->start_ns && res) {
		/* The ring runs jobs in order: this one began when the last ended. */
		u64 begin = max_t(u64, rec->start_ns, ktime_to_ns(rdev->last_retire));

		rec->start_ns = begin;
		if (now > begin)
			ctx->busy_ns += now - begin;
	}
	ctx->cnt[DRM_RNPU_CNT_CYCLES] += cycles;
	ctx->cnt[DRM_RNPU_CNT_BUSY] += cycles;
	ctx->cnt[DRM_RNPU_CNT_MACS] += macs;
	ctx->cnt[DRM_RNPU_CNT_DRAM_RD] += dram;
	ctx->cnt[DRM_RNPU_CNT_SRAM] += sram;
	if (res)
		ctx->cnt[DRM_RNPU_CNT_JOBS]++;
	if (error) {
		struct rnpu_fault_rec *f = &ctx->fault_log[ctx->fault_next];

		ctx->faults++;
		ctx->cnt[DRM_RNPU_CNT_FAULTS]++;
		ctx->fault_next = (ctx->fault_next + 1) % RNPU_FAULT_LOG;
		f->seqno = rec->seqno;
		f->fault_va = fault_va;
		f->error = error;
		f->fault_info = fault_info;
		f->err_offset = err_offset;
		f->detail = detail;
		f->time = ns_to_ktime(now);
	}
	spin_unlock(&ctx->lock);
	if (res)
		rdev->last_retire = ns_to_ktime(now);

	if (error) {
		atomic64_inc(&rdev->sw_faults);
		trace_rnpu_job_fault(rec->seqno, job->hw_seqno, error, fault_va,
				     fault_info, err_offset);
		if (error != DRM_RNPU_ERR_CANCELED && error != DRM_RNPU_ERR_DEPENDENCY) {
			fill_event(&ev, ctx, RNPU_NL_CMD_FAULT);
			ev.seqno = rec->seqno;
			ev.error = error;
			ev.fault_va = fault_va;
			ev.fault_info = fault_info;
			ev.asid = job->ctx->vm->asid;
			ev.err_offset = err_offset;
			rnpu_event_queue(rdev, &ev);
		}
		dma_fence_set_error(job->hw_fence, error == DRM_RNPU_ERR_DEPENDENCY ?
				    job->dep_errno : hw_error_to_errno(error));
	}
	trace_rnpu_job_done(rec->seqno, job->hw_seqno, error, cycles);
	dma_fence_signal(job->hw_fence);
}

/*
 * The device latches the first MMU fault until the driver clears it, so
 * with several faulting jobs retired at once only the first gets its
 * type; the registers must name this job's context and address.
 */
static u32 take_mmu_fault(struct rnpu_device *rdev, struct rnpu_job *job,
			  u64 fault_va)
{
	u32 st = rnpu_read(rdev, RNPU_REG_MMU_FAULT_STATUS);
	u32 asid = rnpu_read(rdev, RNPU_REG_MMU_FAULT_ASID);
	u64 addr = rnpu_read64(rdev, RNPU_REG_MMU_FAULT_ADDR_LO);
	u32 info = 0;

	if (!(st & RNPU_FAULT_VALID))
		return 0;
	if (asid == job->ctx->vm->asid && addr == fault_va) {
		info = (st & RNPU_FAULT_TYPE_MASK) >> RNPU_FAULT_TYPE_SHIFT;
		if (st & RNPU_FAULT_WRITE)
			info |= DRM_RNPU_FAULT_WRITE;
	}
	rnpu_write(rdev, RNPU_REG_MMU_FAULT_STATUS, 0);
	return info;
}

/*
 * Retire every job the device has moved RING_HEAD past.  Completion is
 * judged by RING_HEAD and checked against the result record's seqno, so a
 * corrupted write-back fails the job instead of passing off its output.
 */
void rnpu_job_retire(struct rnpu_device *rdev)
{
	unsigned long flags;
	u32 hw_head;

	spin_lock_irqsave(&rdev->job_lock, flags);
	if (!atomic_read(&rdev->powered) || rdev->resetting)
		goto out;
	hw_head = rnpu_read(rdev, RNPU_REG_RING_HEAD) & (rdev->ring_size - 1);
	/* Results are written before RING_HEAD moves. */
	dma_rmb();
	while (rdev->ring_head != hw_head && rdev->ring_head != rdev->ring_tail) {
		u32 slot = rdev->ring_head;
		struct rnpu_job *job = rdev->slot_job[slot];
		const struct rnpu_job_result *res = &rdev->results[slot];
		u32 error = 0, info = 0, st;

		rdev->slot_job[slot] = NULL;
		rdev->ring_head = (slot + 1) & (rdev->ring_size - 1);
		if (WARN_ON_ONCE(!job))
			continue;
		st = le32_field(res->status);
		if (le64_field(res->seqno) != job->hw_seqno)
			error = DRM_RNPU_ERR_BAD_WRITEBACK;
		else if (st > RNPU_ERR_BAD_JOB)
			error = DRM_RNPU_ERR_BAD_JOB;
		else
			error = st;
		if (error == DRM_RNPU_ERR_MMU_FAULT) {
			/* Before the fault registers are cleared. */
			rnpu_coredump_capture(rdev, job, "mmu-fault");
			info = take_mmu_fault(rdev, job,
					      le64_field(res->fault_addr));
		}
		rnpu_job_finish(rdev, job, res, error, info);
	}
	if (rdev->ring_head == rdev->ring_tail)
		wake_up_all(&rdev->ring_idle);
out:
	spin_unlock_irqrestore(&rdev->job_lock, flags);
}

irqreturn_t rnpu_irq_job(int irq, void *arg)
{
	struct rnpu_device *rdev = arg;
	u32 st;

	if (!atomic_read(&rdev->powered))
		return IRQ_NONE;
	st = rnpu_read(rdev, RNPU_REG_IRQ_STATUS) & RNPU_IRQ_JOB_DONE;
	if (!st)
		return IRQ_NONE;
	/* Clear before looking: a later completion must raise a new IRQ. */
	rnpu_write(rdev, RNPU_REG_IRQ_CLEAR, st);
	rnpu_job_retire(rdev);
	return IRQ_HANDLED;
}

irqreturn_t rnpu_irq_err(int irq, void *arg)
{
	struct rnpu_device *rdev = arg;
	u32 st;

	if (!atomic_read(&rdev->powered))
		return IRQ_NONE;
	st = rnpu_read(rdev, RNPU_REG_IRQ_STATUS) & RNPU_IRQ_ERR_MASK;
	if (!st)
		return IRQ_NONE;
	rnpu_write(rdev, RNPU_REG_IRQ_CLEAR, st);
	/* Failed jobs retire like the others, with an error in their result. */
	rnpu_job_retire(rdev);
	if (st & RNPU_IRQ_THERMAL)
		rnpu_thermal_irq(rdev);
	return IRQ_HANDLED;
}

irqreturn_t rnpu_irq_shared(int irq, void *arg)
{
	irqreturn_t a = rnpu_irq_job(irq, arg);
	irqreturn_t b = rnpu_irq_err(irq, arg);

	return a == IRQ_HANDLED || b == IRQ_HANDLED ? IRQ_HANDLED : IRQ_NONE;
}

/* Write @job into the next ring slot and ring the doorbell.  job_lock held. */
static void ring_push(struct rnpu_device *rdev, struct rnpu_job *job)
{
	u32 slot = rdev->ring_tail;
	struct rnpu_job_desc *d = &rdev->ring[slot];
	struct rnpu_job_result *res = &rdev->results[slot];
	u16 flags;

	lockdep_assert_held(&rdev->job_lock);
	memset(res, 0, sizeof(*res));
	memset(d, 0, sizeof(*d));
	d->seqno = TO_LE64(job->hw_seqno);
	d->cmd_va = TO_LE64(job->cmd_va);
	d->cmd_size = TO_LE32(job->cmd_size);
	d->asid = TO_LE16(job->ctx->vm->asid);
	flags = RNPU_JOB_F_IRQ;
	/*
	 * The ring passes to another file's context: the device zeroes the
	 * SRAM first, so no context reads another's intermediates.  By
	 * client id (never reused), not ASID or address space (both are).
	 */
	if (rdev->sram_owner != RNPU_SRAM_CLEAN &&
	    rdev->sram_owner != job->ctx->client_id)
		flags |= RNPU_JOB_F_SCRUB_SRAM;
	rdev->sram_owner = job->ctx->client_id;
	d->flags = TO_LE16(flags);
	d->budget = TO_LE32(job->budget);
	d->result_addr = TO_LE64(rdev->results_dma + slot * sizeof(*res));
	rdev->slot_job[slot] = job;
	job->slot = slot;
	job->reset_gen = rdev->reset_gen;
	job->ring_time = ktime_get();
	job->progress = 0;
	rdev->ring_tail = (slot + 1) & (rdev->ring_size - 1);
	/* The descriptor must be in memory before the device sees the tail. */
	dma_wmb();
	rnpu_write(rdev, RNPU_REG_RING_TAIL, rdev->ring_tail);
	rnpu_write(rdev, RNPU_REG_DOORBELL, 1);
}

static struct dma_fence *rnpu_sched_prepare_job(struct drm_sched_job *sched_job,
						struct drm_sched_entity *entity)
{
	struct rnpu_job *job = to_rnpu_job(sched_job);

	if (READ_ONCE(job->ctx->banned))
		return NULL;
	return rnpu_asid_acquire(job->rdev, job->ctx->vm);
}

/* Put @job on the ring: bind its context, arm fault injection.  job_lock held. */
static void ring_start(struct rnpu_device *rdev, struct rnpu_job *job)
{
	struct rnpu_ctx *ctx = job->ctx;

	lockdep_assert_held(&rdev->job_lock);
	rnpu_asid_program(rdev, ctx->vm, job->hw_fence);
	spin_lock(&ctx->lock);
	job->rec->state = DRM_RNPU_JOB_RUNNING;
	job->rec->start_ns = ktime_get_ns();
	spin_unlock(&ctx->lock);
	if (rdev->pending_fi) {
		rnpu_write(rdev, RNPU_REG_FI_ADDR_LO,
			   lower_32_bits(rdev->pending_fi_addr));
		rnpu_write(rdev, RNPU_REG_FI_ADDR_HI,
			   upper_32_bits(rdev->pending_fi_addr));
		rnpu_write(rdev, RNPU_REG_FI_CTRL, rdev->pending_fi);
		rdev->pending_fi = 0;
	}
	ring_push(rdev, job);
	trace_rnpu_job_run(job->rec->seqno, job->hw_seqno, ctx->vm->asid,
			   job->slot);
}

/* Why a job about to go on the ring must not: 0 when it may run. */
static u32 job_cancel_reason(struct rnpu_device *rdev, struct rnpu_job *job)
{
	if (READ_ONCE(job->ctx->banned) || job->base.s_fence->finished.error)
		return DRM_RNPU_ERR_CANCELED;
	if (rdev->lost)
		return DRM_RNPU_ERR_DEVICE_LOST;
	return 0;
}

static struct dma_fence *rnpu_sched_run_job(struct drm_sched_job *sched_job)
{
	struct rnpu_job *job = to_rnpu_job(sched_job);
	struct rnpu_device *rdev = job->rdev;
	struct rnpu_ctx *ctx = job->ctx;
	struct dma_fence *wait;
	unsigned long flags;
	u32 cancel;
	int idx;

	spin_lock_irqsave(&rdev->job_lock, flags);
	job->hw_seqno = ++rdev->hw_seqno;
	dma_fence_init(job->hw_fence, &rnpu_fence_ops, &rdev->fence_lock,
		       rdev->fence_context, job->hw_seqno);
	job->hw_fence_init = true;
	spin_unlock_irqrestore(&rdev->job_lock, flags);

	if (!drm_dev_enter(&rdev->drm, &idx)) {
		/* Unplugged: the job fails, its fences carry -ENODEV. */
		spin_lock_irqsave(&rdev->job_lock, flags);
		rnpu_job_finish(rdev, job, NULL, DRM_RNPU_ERR_DEVICE_LOST, 0);
		spin_unlock_irqrestore(&rdev->job_lock, flags);
		return dma_fence_get(job->hw_fence);
	}

	cancel = job_cancel_reason(rdev, job);
	if (!cancel && ctx->vm->asid < 0) {
		/* prepare_job bound a context; it cannot have been taken since. */
		wait = rnpu_asid_acquire(rdev, ctx->vm);
		if (WARN_ON_ONCE(wait)) {
			dma_fence_put(wait);
			cancel = DRM_RNPU_ERR_CANCELED;
		}
	}

	spin_lock_irqsave(&rdev->job_lock, flags);
	if (cancel) {
		rnpu_job_finish(rdev, job, NULL, cancel, 0);
	} else if (rdev->parked) {
		/* Keeps its context: the LRU must not hand it to another. */
		rnpu_asid_note(rdev, ctx->vm, job->hw_fence);
		list_add_tail(&job->park_node, &rdev->park_list);
	} else {
		ring_start(rdev, job);
	}
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	drm_dev_exit(idx);
	return dma_fence_get(job->hw_fence);
}

static bool ring_empty(struct rnpu_device *rdev)
{
	unsigned long flags;
	bool empty;

	spin_lock_irqsave(&rdev->job_lock, flags);
	empty = rdev->ring_head == rdev->ring_tail && !rdev->resetting;
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	return empty;
}

/*
 * Push the parked jobs onto the ring in the order drm_sched ran them,
 * failing those that may no longer run.  job_lock held, device powered.
 */
static void unpark_locked(struct rnpu_device *rdev)
{
	struct rnpu_job *job, *tmp;
	u32 n = 0;

	lockdep_assert_held(&rdev->job_lock);
	rdev->parked = false;
	list_for_each_entry_safe(job, tmp, &rdev->park_list, park_node) {
		u32 cancel = job_cancel_reason(rdev, job);

		list_del_init(&job->park_node);
		if (!cancel && !atomic_read(&rdev->powered))
			cancel = DRM_RNPU_ERR_DEVICE_LOST;
		if (cancel)
			rnpu_job_finish(rdev, job, NULL, cancel, 0);
		else
			ring_start(rdev, job);
		n++;
	}
	rdev->last_parked = n;
}

void rnpu_sched_unpark(struct rnpu_device *rdev)
{
	unsigned long flags;

	spin_lock_irqsave(&rdev->job_lock, flags);
	unpark_locked(rdev);
	spin_unlock_irqrestore(&rdev->job_lock, flags);
}

/*
 * Stop feeding the ring and let it drain: run_job parks new jobs from
 * now on.  A job that hangs meanwhile is caught by the job timeout as
 * always (and its context banned: it did hang).  Returns 0 with the ring
 * empty and reset_lock held, so no reset can refill it; -EBUSY (not
 * parked any more) if it did not drain within @timeout_ms.
 */
int rnpu_sched_park(struct rnpu_device *rdev, unsigned int timeout_ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);
	unsigned long flags;

	spin_lock_irqsave(&rdev->job_lock, flags);
	rdev->parked = true;
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	for (;;) {
		long left = (long)(end - jiffies);

		if (left <= 0 ||
		    !wait_event_timeout(rdev->ring_idle, ring_empty(rdev), left))
			break;
		mutex_lock(&rdev->reset_lock);
		/* A reset that ran meanwhile may have put jobs back. */
		if (ring_empty(rdev))
			return 0;
		mutex_unlock(&rdev->reset_lock);
	}
	rnpu_sched_unpark(rdev);
	return -EBUSY;
}

/*
 * After drm_sched_stop() every unsignalled job has lost its parent
 * fence; drm_sched_start() cancels jobs without one.  Ours live on
 * (re-queued or finished by the driver), so hand the fences back.
 */
static void restore_parents(struct rnpu_device *rdev)
{
	struct drm_sched_job *s_job;

	list_for_each_entry(s_job, &rdev->sched.pending_list, list) {
		struct rnpu_job *job = to_rnpu_job(s_job);

		if (!s_job->s_fence->parent && job->hw_fence_init)
			s_job->s_fence->parent = dma_fence_get(job->hw_fence);
	}
}

static void fail_job(struct rnpu_device *rdev, struct rnpu_job *job, u32 error)
{
	unsigned long flags;

	spin_lock_irqsave(&rdev->job_lock, flags);
	if (!dma_fence_is_signaled(job->hw_fence))
		rnpu_job_finish(rdev, job, NULL, error, 0);
	spin_unlock_irqrestore(&rdev->job_lock, flags);
}

/* Take every job off the ring into rdev->reset_jobs; returns how many. */
static u32 take_ring_jobs(struct rnpu_device *rdev)
{
	unsigned long flags;
	u32 n = 0;

	spin_lock_irqsave(&rdev->job_lock, flags);
	rdev->resetting = true;
	while (rdev->ring_head != rdev->ring_tail) {
		u32 slot = rdev->ring_head;

		if (rdev->slot_job[slot])
			rdev->reset_jobs[n++] = rdev->slot_job[slot];
		rdev->slot_job[slot] = NULL;
		rdev->ring_head = (slot + 1) & (rdev->ring_size - 1);
	}
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	return n;
}

/*
 * Put the @n jobs taken off the ring back on it in their order, or fail
 * them: all with DEVICE_LOST when the device did not come back, @bad
 * with TIMEOUT, those of banned contexts with CANCELED.
 */
static void requeue_ring_jobs(struct rnpu_device *rdev, u32 n,
			      struct rnpu_job *bad)
{
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&rdev->job_lock, flags);
	rdev->resetting = false;
	/* Jobs taken off the ring may have run in part: whose data is it? */
	rdev->sram_owner = RNPU_SRAM_UNKNOWN;
	for (i = 0; i < n; i++) {
		struct rnpu_job *job = rdev->reset_jobs[i];
		u32 err = 0;

		rdev->reset_jobs[i] = NULL;
		if (rdev->lost)
			err = DRM_RNPU_ERR_DEVICE_LOST;
		else if (job == bad)
			err = DRM_RNPU_ERR_TIMEOUT;
		else if (READ_ONCE(job->ctx->banned))
			err = DRM_RNPU_ERR_CANCELED;
		if (err) {
			if (!dma_fence_is_signaled(job->hw_fence))
				rnpu_job_finish(rdev, job, NULL, err, 0);
			continue;
		}
		rnpu_asid_program(rdev, job->ctx->vm, job->hw_fence);
		ring_push(rdev, job);
	}
	if (rdev->ring_head == rdev->ring_tail)
		wake_up_all(&rdev->ring_idle);
	spin_unlock_irqrestore(&rdev->job_lock, flags);
}

static void reset_event(struct rnpu_device *rdev, struct rnpu_ctx *guilty,
			struct rnpu_job *bad, u32 reason)
{
	struct rnpu_event ev;

	if (guilty) {
		fill_event(&ev, guilty, RNPU_NL_CMD_RESET);
		ev.seqno = bad->rec->seqno;
		ev.banned = READ_ONCE(guilty->banned);
	} else {
		memset(&ev, 0, sizeof(ev));
		ev.cmd = RNPU_NL_CMD_RESET;
	}
	ev.reason = reason;
	ev.resets = atomic_read(&rdev->resets);
	rnpu_event_queue(rdev, &ev);
}

static void irqs_disable(struct rnpu_device *rdev)
{
	disable_irq(rdev->irq_job);
	if (!rdev->irq_shared)
		disable_irq(rdev->irq_err);
}

static void irqs_enable(struct rnpu_device *rdev)
{
	enable_irq(rdev->irq_job);
	if (!rdev->irq_shared)
		enable_irq(rdev->irq_err);
}

/*
 * Reset the device and recover.  @bad (may be NULL for a forced reset) is
 * failed with DRM_RNPU_ERR_TIMEOUT and its context banned; jobs of other
 * contexts that were on the ring go back on it in their original order
 * and finish normally.  Called with reset_lock held, inside
 * drm_dev_enter(), device powered.
 */
static int __rnpu_reset(struct rnpu_device *rdev, struct rnpu_job *bad, u32 reason)
{
	struct rnpu_ctx *guilty = bad ? bad->ctx : NULL;
	unsigned long flags;
	u32 n;
	int ret;

	lockdep_assert_held(&rdev->reset_lock);
	drm_sched_stop(&rdev->sched, bad ? &bad->base : NULL);
	irqs_disable(rdev);

	/* Whatever finished before the hang still counts. */
	rnpu_job_retire(rdev);
	n = take_ring_jobs(rdev);

	ret = rnpu_hw_soft_reset(rdev);
	if (ret) {
		drm_warn(&rdev->drm, "soft reset failed, power cycling\n");
		rnpu_hw_power_off(rdev);
		ret = rnpu_hw_power_on(rdev);
		if (!ret)
			ret = rnpu_hw_init(rdev);
	}
	rdev->lost = ret != 0;
	rdev->reset_gen++;
	atomic_inc(&rdev->resets);

	if (guilty) {
		spin_lock_irqsave(&guilty->lock, flags);
		guilty->guilty++;
		if (rnpu_ban_on_hang)
			guilty->banned = true;
		spin_unlock_irqrestore(&guilty->lock, flags);
		if (rnpu_ban_on_hang)
			rnpu_ban_process(rdev, guilty->tgid);
	}

	requeue_ring_jobs(rdev, n, bad);
	/* A bad job the ring no longer held (it was lost with the ring). */
	if (bad && bad->hw_fence_init)
		fail_job(rdev, bad, ret ? DRM_RNPU_ERR_DEVICE_LOST : DRM_RNPU_ERR_TIMEOUT);

	irqs_enable(rdev);
	restore_parents(rdev);
	drm_sched_start(&rdev->sched);

	trace_rnpu_reset(reason, atomic_read(&rdev->resets), bad ? bad->rec->seqno : 0,
			 n);
	reset_event(rdev, guilty, bad, reason);
	drm_warn(&rdev->drm, "reset %u (%s): %u jobs on the ring, guilty context %llu%s\n",
		 atomic_read(&rdev->resets),
		 reason == RNPU_NL_REASON_TIMEOUT ? "job timeout" : "forced",
		 n, guilty ? guilty->client_id : 0,
		 guilty && READ_ONCE(guilty->banned) ? " banned" : "");
	return ret;
}

int rnpu_reset(struct rnpu_device *rdev, struct rnpu_job *bad, u32 reason)
{
	int ret, idx;

	if (!drm_dev_enter(&rdev->drm, &idx))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(rdev->dev);
	if (ret)
		goto out;
	mutex_lock(&rdev->reset_lock);
	/* The bus is resetting it already, or it is parked for suspend. */
	if (rdev->pci_reset || rdev->parked)
		ret = -EBUSY;
	else
		ret = __rnpu_reset(rdev, bad, reason);
	mutex_unlock(&rdev->reset_lock);
	pm_runtime_mark_last_busy(rdev->dev);
	pm_runtime_put_autosuspend(rdev->dev);
out:
	drm_dev_exit(idx);
	return ret;
}

/*
 * Before a reset by the bus (FLR, AER slot reset): stop feeding the ring
 * (new jobs park), take the jobs off it and keep the counters.  The
 * device is not blamed on anyone: rnpu_bus_reset_done() puts every job
 * back.  @hw_usable is false when the link is down (registers read all
 * ones).
 */
void rnpu_bus_reset_prepare(struct rnpu_device *rdev, bool hw_usable)
{
	u64 live[RNPU_CNT_COUNT];
	unsigned long flags;
	unsigned int i;

	pm_runtime_get_noresume(rdev->dev);
	mutex_lock(&rdev->reset_lock);
	spin_lock_irqsave(&rdev->job_lock, flags);
	rdev->parked = true;
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	irqs_disable(rdev);
	if (hw_usable)
		rnpu_job_retire(rdev);
	rdev->reset_lost = take_ring_jobs(rdev);
	spin_lock_irqsave(&rdev->cnt_lock, flags);
	if (hw_usable && atomic_read(&rdev->powered)) {
		/* The reset zeroes the counters: fold them in first. */
		rnpu_hw_read_counters(rdev, live);
		for (i = 0; i < RNPU_CNT_COUNT; i++)
			rdev->cnt_base[i] += live[i];
	}
	spin_unlock_irqrestore(&rdev->cnt_lock, flags);
	rdev->pci_reset = true;
	mutex_unlock(&rdev->reset_lock);
}

/*
 * After the bus reset: program what the device lost (unless it is
 * runtime-suspended: resume does that), put the jobs taken off the ring
 * back in their order, then the parked ones.  Nobody is banned.
 */
int rnpu_bus_reset_done(struct rnpu_device *rdev)
{
	unsigned long flags;
	u32 n;
	int ret = 0;

	mutex_lock(&rdev->reset_lock);
	if (!rdev->pci_reset) {
		mutex_unlock(&rdev->reset_lock);
		return 0;
	}
	if (!pm_runtime_suspended(rdev->dev)) {
		ret = rnpu_hw_power_on(rdev);
		if (!ret)
			ret = rnpu_hw_init(rdev);
	}
	rdev->lost = ret != 0;
	rdev->reset_gen++;
	atomic_inc(&rdev->resets);
	n = rdev->reset_lost;
	rdev->reset_lost = 0;
	requeue_ring_jobs(rdev, n, NULL);
	spin_lock_irqsave(&rdev->job_lock, flags);
	unpark_locked(rdev);
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	rdev->pci_reset = false;
	irqs_enable(rdev);
	trace_rnpu_reset(RNPU_NL_REASON_FORCED, atomic_read(&rdev->resets), 0, n);
	reset_event(rdev, NULL, NULL, RNPU_NL_REASON_FORCED);
	mutex_unlock(&rdev->reset_lock);
	pm_runtime_mark_last_busy(rdev->dev);
	pm_runtime_put_autosuspend(rdev->dev);
	drm_warn(&rdev->drm, "bus reset %u: %u jobs back on the ring%s\n",
		 atomic_read(&rdev->resets), n, ret ? ", device lost" : "");
	return ret;
}

/*
 * After drm_dev_unplug(): stop the device (no DMA into the ring or BOs
 * once devres frees them) and fail every job on the ring, parked or held
 * by a bus reset with DEVICE_LOST (fences: -ENODEV).  Jobs still queued
 * fail the same way in run_job.
 */
void rnpu_job_unplug(struct rnpu_device *rdev)
{
	struct rnpu_job *job, *tmp;
	unsigned long flags;
	u32 n = 0, i;

	mutex_lock(&rdev->reset_lock);
	/* Handlers see powered == 0 and leave; devres frees them. */
	atomic_set(&rdev->powered, 0);
	rnpu_write(rdev, RNPU_REG_IRQ_MASK, 0);
	synchronize_irq(rdev->irq_job);
	if (!rdev->irq_shared)
		synchronize_irq(rdev->irq_err);
	rnpu_write(rdev, RNPU_REG_CTRL, RNPU_CTRL_RESET);

	spin_lock_irqsave(&rdev->job_lock, flags);
	rdev->lost = true;
	while (rdev->ring_head != rdev->ring_tail) {
		u32 slot = rdev->ring_head;

		job = rdev->slot_job[slot];
		rdev->slot_job[slot] = NULL;
		rdev->ring_head = (slot + 1) & (rdev->ring_size - 1);
		if (job) {
			rnpu_job_finish(rdev, job, NULL, DRM_RNPU_ERR_DEVICE_LOST, 0);
			n++;
		}
	}
	for (i = 0; i < rdev->reset_lost; i++) {
		rnpu_job_finish(rdev, rdev->reset_jobs[i], NULL,
				DRM_RNPU_ERR_DEVICE_LOST, 0);
		rdev->reset_jobs[i] = NULL;
		n++;
	}
	rdev->reset_lost = 0;
	list_for_each_entry_safe(job, tmp, &rdev->park_list, park_node) {
		list_del_init(&job->park_node);
		rnpu_job_finish(rdev, job, NULL, DRM_RNPU_ERR_DEVICE_LOST, 0);
		n++;
	}
	rdev->parked = false;
	rdev->resetting = false;
	wake_up_all(&rdev->ring_idle);
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	mutex_unlock(&rdev->reset_lock);
	if (n)
		drm_info(&rdev->drm, "unplugged with %u jobs in flight: failed\n", n);
}

/* Until every job is freed the scheduler must stay (the release path). */
void rnpu_jobs_wait_freed(struct rnpu_device *rdev)
{
	while (!wait_var_event_timeout(&rdev->jobs_live,
				       !atomic_read(&rdev->jobs_live), 10 * HZ))
		drm_warn(&rdev->drm, "release: waiting for %d jobs to be freed\n",
			 atomic_read(&rdev->jobs_live));
}

/*
 * Hung means: on the ring, at its head, no job retired nor this one
 * started for a whole timeout, and the device's JOB_PROGRESS did not
 * advance since the last timeout.  A parked job, or one that only just
 * got on the ring (after a resume or reset), is not.  job_lock held,
 * device powered.
 */
static bool job_hung(struct rnpu_device *rdev, struct rnpu_job *job)
{
	ktime_t since;
	u64 progress;

	lockdep_assert_held(&rdev->job_lock);
	if (!list_empty(&job->park_node) || rdev->resetting)
		return false;
	if (rdev->ring_head == rdev->ring_tail ||
	    rdev->slot_job[rdev->ring_head] != job)
		return false;
	since = ktime_after(job->ring_time, rdev->last_retire) ?
		job->ring_time : rdev->last_retire;
	/* The timer runs in jiffies: allow for their rounding. */
	if (ktime_ms_delta(ktime_get(), since) + RNPU_TIMEOUT_SLACK_MS <
	    rnpu_job_timeout_ms)
		return false;
	/*
	 * Running for a whole timeout: hung only if it did not advance since
	 * the last look (a long job that progresses gets more time; its
	 * cycle budget still bounds it).
	 */
	progress = rnpu_read64(rdev, RNPU_REG_JOB_PROGRESS_LO);
	if (progress > job->progress) {
		job->progress = progress;
		return false;
	}
	return true;
}

static enum drm_gpu_sched_stat rnpu_sched_timedout_job(struct drm_sched_job *sched_job)
{
	struct rnpu_job *job = to_rnpu_job(sched_job);
	struct rnpu_device *rdev = job->rdev;
	unsigned long flags;
	bool hung = false;
	int idx;

	mutex_lock(&rdev->reset_lock);
	if (drm_dev_enter(&rdev->drm, &idx)) {
		if (!rdev->pci_reset) {
			/* An interrupt may have been lost rather than the device hung. */
			rnpu_job_retire(rdev);
			spin_lock_irqsave(&rdev->job_lock, flags);
			hung = !dma_fence_is_signaled(job->hw_fence) &&
			       job->reset_gen == rdev->reset_gen &&
			       job_hung(rdev, job);
			/* The evidence, before the reset clears it. */
			if (hung)
				rnpu_coredump_capture(rdev, job, "timeout");
			spin_unlock_irqrestore(&rdev->job_lock, flags);
		}
		if (hung) {
			drm_warn(&rdev->drm, "job %llu of context %llu timed out after %u ms\n",
				 job->rec->seqno, job->ctx->client_id,
				 rnpu_job_timeout_ms);
			__rnpu_reset(rdev, job, RNPU_NL_REASON_TIMEOUT);
		}
		drm_dev_exit(idx);
	}
	if (!hung) {
		/*
		 * Not hung (done, parked, recovered by another reset, or the
		 * device is gone and remove fails it): put the job back where
		 * drm_sched took it from.
		 */
		drm_sched_stop(&rdev->sched, sched_job);
		restore_parents(rdev);
		drm_sched_start(&rdev->sched);
	}
	mutex_unlock(&rdev->reset_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void rnpu_sched_free_job(struct drm_sched_job *sched_job)
{
	struct rnpu_job *job = to_rnpu_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	rnpu_job_free(job);
}

static const struct drm_sched_backend_ops rnpu_sched_ops = {
	.prepare_job = rnpu_sched_prepare_job,
	.run_job = rnpu_sched_run_job,
	.timedout_job = rnpu_sched_timedout_job,
	.free_job = rnpu_sched_free_job,
};

static void force_reset_work(struct work_struct *work)
{
	struct rnpu_device *rdev = container_of(work, struct rnpu_device,
						force_reset_work);

	rdev->force_reset_ret = rnpu_reset(rdev, NULL, RNPU_NL_REASON_FORCED);
}

/* debugfs force_reset: on the reset workqueue, after any timeout handling. */
int rnpu_force_reset(struct rnpu_device *rdev)
{
	int ret;

	mutex_lock(&rdev->force_reset_lock);
	queue_work(rdev->reset_wq, &rdev->force_reset_work);
	flush_work(&rdev->force_reset_work);
	ret = rdev->force_reset_ret;
	mutex_unlock(&rdev->force_reset_lock);
	return ret;
}

int rnpu_sched_init(struct rnpu_device *rdev)
{
	struct drm_sched_init_args args = {
		.ops = &rnpu_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = rdev->ring_size - 1,
		.timeout = msecs_to_jiffies(rnpu_job_timeout_ms),
		.name = RNPU_DRIVER_NAME,
		.dev = rdev->dev,
	};

	int ret;

	rdev->reset_wq = alloc_ordered_workqueue("rnpu-reset", 0);
	if (!rdev->reset_wq)
		return -ENOMEM;
	mutex_init(&rdev->force_reset_lock);
	INIT_WORK(&rdev->force_reset_work, force_reset_work);
	args.timeout_wq = rdev->reset_wq;
	rdev->fence_context = dma_fence_context_alloc(1);
	ret = drm_sched_init(&rdev->sched, &args);
	if (ret)
		destroy_workqueue(rdev->reset_wq);
	return ret;
}

/* At the last reference: every file is closed and every job freed. */
void rnpu_sched_fini(struct rnpu_device *rdev)
{
	rnpu_jobs_wait_freed(rdev);
	drm_sched_fini(&rdev->sched);
	/* No timeout can be queued now; a forced reset may still drain. */
	destroy_workqueue(rdev->reset_wq);
	mutex_destroy(&rdev->force_reset_lock);
}

/* Copy a user array of growable elements into @dst (kvmalloc()ed). */
static void *copy_array(u64 uptr, u32 count, u32 stride, size_t elem_size)
{
	void *raw, *dst;
	int ret;

	if (!count)
		return NULL;
	raw = vmemdup_user(u64_to_user_ptr(uptr), size_mul(count, stride));
	if (IS_ERR(raw))
		return raw;
	dst = kvmalloc_array(count, elem_size, GFP_KERNEL);
	if (!dst) {
		kvfree(raw);
		return ERR_PTR(-ENOMEM);
	}
	ret = rnpu_unpack_array(raw, count, stride, dst, elem_size);
	kvfree(raw);
	if (ret) {
		kvfree(dst);
		return ERR_PTR(ret);
	}
	return dst;
}

/* Look up the command BO and the listed BOs; the command BO is bos[0]. */
static int lookup_bos(struct rnpu_job *job, struct drm_file *file,
		      const struct drm_rnpu_submit *args,
		      const struct drm_rnpu_submit_bo *list, bool **writes_out)
{
	struct rnpu_ctx *ctx = job->ctx;
	struct drm_gem_object *cmd;
	bool *writes;
	u32 i, n = 0;
	int ret;

	cmd = drm_gem_object_lookup(file, args->cmd_handle);
	if (!cmd)
		return -ENOENT;
	ret = rnpu_check_cmd_range(cmd->size, args->cmd_offset, args->cmd_size);
	if (ret) {
		drm_gem_object_put(cmd);
		return ret;
	}
	job->bos = kvcalloc(args->bo_count + 1, sizeof(*job->bos), GFP_KERNEL);
	job->maps = kvcalloc(args->bo_count + 1, sizeof(*job->maps), GFP_KERNEL);
	writes = kvcalloc(args->bo_count + 1, sizeof(*writes), GFP_KERNEL);
	if (!job->bos || !job->maps || !writes) {
		drm_gem_object_put(cmd);
		kvfree(writes);
		return -ENOMEM;
	}
	job->bos[n++] = cmd;
	job->bo_count = n;
	for (i = 0; i < args->bo_count; i++) {
		struct drm_gem_object *obj;
		bool w = list[i].flags & DRM_RNPU_SUBMIT_BO_WRITE;

		obj = drm_gem_object_lookup(file, list[i].handle);
		if (!obj) {
			ret = -ENOENT;
			goto err;
		}
		if (w && (to_rnpu_bo(obj)->flags & DRM_RNPU_BO_DEVICE_RO)) {
			drm_gem_object_put(obj);
			ret = -EINVAL;
			goto err;
		}
		if (obj == cmd) {
			/* Listing the command BO too is fine: merge the two. */
			writes[0] |= w;
			drm_gem_object_put(obj);
			continue;
		}
		writes[n] = w;
		job->bos[n++] = obj;
		job->bo_count = n;
	}
	for (i = 0; i < n; i++) {
		job->maps[i] = rnpu_bo_mapping_get(to_rnpu_bo(job->bos[i]), ctx->vm);
		if (!job->maps[i]) {
			/* The handle was closed under us. */
			ret = -ENOENT;
			goto err;
		}
	}
	job->cmd_va = job->maps[0]->mm.start + args->cmd_offset;
	*writes_out = writes;
	return 0;
err:
	kvfree(writes);
	return ret;
}

/*
 * Make @fence (reference consumed) a dependency of @job and remember its
 * unsignalled leaf fences, so a failure among them fails the job too:
 * an in-syncobj says "this job consumes that job's output".
 */
static int add_dep(struct rnpu_job *job, struct dma_fence *fence)
{
	struct dma_fence_unwrap iter;
	struct dma_fence *f;

	dma_fence_unwrap_for_each(f, &iter, fence) {
		struct dma_fence **deps;

		if (dma_fence_is_signaled(f) && !f->error)
			continue;
		deps = kvrealloc(job->deps, (job->ndeps + 1) * sizeof(*deps),
				 GFP_KERNEL);
		if (!deps) {
			dma_fence_put(fence);
			return -ENOMEM;
		}
		job->deps = deps;
		job->deps[job->ndeps++] = dma_fence_get(f);
	}
	return drm_sched_job_add_dependency(&job->base, fence);
}

static int add_syncobj_dep(struct rnpu_job *job, struct drm_file *file,
			   const struct drm_rnpu_sync *sync)
{
	struct dma_fence *fence;
	int ret;

	ret = drm_syncobj_find_fence(file, sync->handle, sync->point, 0, &fence);
	if (ret)
		return ret;
	return add_dep(job, fence);
}

/* Drop finished records beyond the history depth (submit_lock held). */
static void prune_records(struct rnpu_ctx *ctx)
{
	/* One value for the whole loop: the parameter is writable. */
	u64 keep = max(READ_ONCE(rnpu_job_history), 1u);

	while (ctx->last_seqno - ctx->oldest_seqno >= keep) {
		struct rnpu_job_rec *rec = xa_load(&ctx->recs, ctx->oldest_seqno);
		bool done = true;

		if (rec) {
			spin_lock_irq(&ctx->lock);
			done = rec->state == DRM_RNPU_JOB_DONE ||
			       rec->state == DRM_RNPU_JOB_FAILED;
			spin_unlock_irq(&ctx->lock);
		}
		if (!done)
			break;
		xa_erase(&ctx->recs, ctx->oldest_seqno);
		rnpu_job_rec_put(rec);
		ctx->oldest_seqno++;
	}
}

static const enum drm_sched_priority prio_map[RNPU_NUM_PRIO] = {
	[DRM_RNPU_PRIO_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_RNPU_PRIO_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_RNPU_PRIO_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

enum drm_sched_priority rnpu_sched_prio(u32 prio)
{
	return prio_map[prio];
}

static int submit(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct rnpu_device *rdev = to_rnpu(dev);
	struct rnpu_ctx *ctx = file->driver_priv;
	struct drm_rnpu_submit *args = data;
	struct drm_rnpu_submit_bo *bo_list = NULL;
	struct drm_rnpu_sync *syncs = NULL;
	struct drm_syncobj *out_sync = NULL;
	struct dma_fence_chain *chain = NULL;
	struct drm_exec exec;
	struct dma_fence *done;
	struct rnpu_job *job;
	bool *writes = NULL;
	bool inited = false;
	u64 seqno;
	u32 i;
	int ret;

	ret = rnpu_check_submit(args);
	if (ret)
		return ret;
	if (args->priority == DRM_RNPU_PRIO_HIGH && !capable(CAP_SYS_NICE))
		return -EPERM;
	if (READ_ONCE(ctx->banned))
		return -ECANCELED;

	bo_list = copy_array(args->bos, args->bo_count, args->bo_stride,
			     sizeof(*bo_list));
	if (IS_ERR(bo_list))
		return PTR_ERR(bo_list);
	syncs = copy_array(args->in_syncs, args->in_sync_count,
			   args->in_sync_stride, sizeof(*syncs));
	if (IS_ERR(syncs)) {
		ret = PTR_ERR(syncs);
		syncs = NULL;
		goto out_free_arrays;
	}
	for (i = 0; i < args->bo_count; i++) {
		ret = rnpu_check_submit_bo(&bo_list[i]);
		if (ret)
			goto out_free_arrays;
	}
	for (i = 0; i < args->in_sync_count; i++) {
		ret = rnpu_check_sync(&syncs[i]);
		if (ret)
			goto out_free_arrays;
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job) {
		ret = -ENOMEM;
		goto out_free_arrays;
	}
	job->rdev = rdev;
	atomic_inc(&rdev->jobs_live);
	atomic_inc(&rnpu_live.jobs);
	INIT_LIST_HEAD(&job->park_node);
	job->ctx = ctx;
	kref_get(&ctx->ref);
	job->cmd_size = args->cmd_size;
	job->budget = args->cycle_budget;
	job->hw_fence = kzalloc(sizeof(*job->hw_fence), GFP_KERNEL);
	job->rec = kzalloc(sizeof(*job->rec), GFP_KERNEL);
	if (!job->hw_fence || !job->rec) {
		ret = -ENOMEM;
		goto out_job;
	}
	kref_init(&job->rec->ref);
	job->rec->state = DRM_RNPU_JOB_QUEUED;

	ret = lookup_bos(job, file, args, bo_list, &writes);
	if (ret)
		goto out_job;

	if (args->out_sync) {
		out_sync = drm_syncobj_find(file, args->out_sync);
		if (!out_sync) {
			ret = -ENOENT;
			goto out_job;
		}
		if (args->out_sync_point) {
			chain = dma_fence_chain_alloc();
			if (!chain) {
				ret = -ENOMEM;
				goto out_job;
			}
		}
	}

	/* The device stays powered from here until the job is freed. */
	ret = pm_runtime_resume_and_get(rdev->dev);
	if (ret)
		goto out_job;
	job->pm_ref = true;
	atomic_inc(&rdev->job_pm_refs);

	ret = drm_sched_job_init(&job->base, &ctx->entity[args->priority], 1,
				 ctx, file->client_id);
	if (ret)
		goto out_job;
	inited = true;
	for (i = 0; i < args->in_sync_count; i++) {
		ret = add_syncobj_dep(job, file, &syncs[i]);
		if (ret)
			goto out_job;
	}

	mutex_lock(&ctx->submit_lock);
	if (READ_ONCE(ctx->banned)) {
		ret = -ECANCELED;
		goto out_unlock;
	}
	/* Every BO locked (ww back-off inside drm_exec), one fence slot each. */
	drm_exec_init(&exec, DRM_EXEC_INTERRUPTIBLE_WAIT, job->bo_count);
	drm_exec_until_all_locked(&exec) {
		for (i = 0; i < job->bo_count; i++) {
			ret = drm_exec_prepare_obj(&exec, job->bos[i], 1);
			drm_exec_retry_on_contention(&exec);
			if (ret) {
				/* -EALREADY: a BO handle listed twice. */
				if (ret == -EALREADY)
					ret = -EINVAL;
				goto out_resv;
			}
		}
	}
	for (i = 0; i < job->bo_count; i++) {
		if (args->flags & DRM_RNPU_SUBMIT_NO_IMPLICIT_SYNC)
			continue;
		/*
		 * BO order only: a failed earlier user of a BO does not fail
		 * this job, or one error would poison every later job on it.
		 */
		ret = drm_sched_job_add_implicit_dependencies(&job->base,
							      job->bos[i],
							      writes[i]);
		if (ret)
			goto out_resv;
	}
	seqno = ctx->last_seqno + 1;
	job->rec->seqno = seqno;
	ret = xa_insert(&ctx->recs, seqno, job->rec, GFP_KERNEL);
	if (ret)
		goto out_resv;
	kref_get(&job->rec->ref);

	/* Nothing may fail from here on. */
	drm_sched_job_arm(&job->base);
	done = &job->base.s_fence->finished;
	job->rec->done = dma_fence_get(done);
	job->rec->submit_ns = ktime_get_ns();
	/* Publish the seqno only once its record has the done fence. */
	smp_store_release(&ctx->last_seqno, seqno);
	for (i = 0; i < job->bo_count; i++)
		dma_resv_add_fence(job->bos[i]->resv, done,
				   writes[i] ? DMA_RESV_USAGE_WRITE :
					       DMA_RESV_USAGE_READ);
	drm_exec_fini(&exec);
	if (out_sync) {
		if (chain) {
			drm_syncobj_add_point(out_sync, chain, done,
					      args->out_sync_point);
			chain = NULL;
		} else {
			drm_syncobj_replace_fence(out_sync, done);
		}
	}
	trace_rnpu_job_submit(ctx->client_id, seqno, job->cmd_va, job->cmd_size,
			      job->bo_count, args->priority);
	drm_sched_entity_push_job(&job->base);
	prune_records(ctx);
	mutex_unlock(&ctx->submit_lock);

	args->seqno = seqno;
	ret = 0;
	job = NULL;
	goto out_put;

out_resv:
	drm_exec_fini(&exec);
out_unlock:
	mutex_unlock(&ctx->submit_lock);
out_job:
	if (inited)
		drm_sched_job_cleanup(&job->base);
	rnpu_job_free(job);
out_put:
	dma_fence_chain_free(chain);
	if (out_sync)
		drm_syncobj_put(out_sync);
	kvfree(writes);
out_free_arrays:
	kvfree(syncs);
	kvfree(bo_list);
	return ret;
}

/* Inside drm_dev_enter(): remove waits for it, and it touches the device. */
int rnpu_ioctl_submit(struct drm_device *dev, void *data, struct drm_file *file)
{
	int ret, idx;

	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	ret = submit(dev, data, file);
	drm_dev_exit(idx);
	return ret;
}

int rnpu_ioctl_job_status(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct rnpu_ctx *ctx = file->driver_priv;
	struct drm_rnpu_job_status *args = data;
	struct rnpu_job_rec *rec;
	int ret, idx;

	ret = rnpu_check_job_status(args);
	if (ret)
		return ret;
	/*
	 * Only the look-up is inside drm_dev_enter(): remove must not wait
	 * for a waiter, it signals (fails) what the waiter waits for.
	 */
	if (!drm_dev_enter(dev, &idx))
		return -ENODEV;
	/* Pairs with the release in submit: the record is complete. */
	if (args->seqno > smp_load_acquire(&ctx->last_seqno)) {
		drm_dev_exit(idx);
		return -EINVAL;
	}
	xa_lock(&ctx->recs);
	rec = xa_load(&ctx->recs, args->seqno);
	if (rec)
		kref_get(&rec->ref);
	xa_unlock(&ctx->recs);
	drm_dev_exit(idx);
	if (!rec)
		return -ENOENT;

	if (args->timeout_ns) {
		u64 ns = rnpu_deadline_to_ns(args->timeout_ns, ktime_get_ns());
		long left = dma_fence_wait_timeout(rec->done, true,
						   min_t(u64, nsecs_to_jiffies64(ns),
							 MAX_SCHEDULE_TIMEOUT));

		if (left < 0) {
			ret = left;
			goto out;
		}
		if (!left && !dma_fence_is_signaled(rec->done)) {
			ret = -ETIME;
			goto out;
		}
	}

	spin_lock_irq(&ctx->lock);
	args->state = rec->state;
	args->error = rec->error;
	args->err_offset = rec->err_offset;
	args->fault_va = rec->fault_va;
	args->fault_info = rec->fault_info;
	args->detail = rec->detail;
	args->cycles = rec->cycles;
	args->macs = rec->macs;
	args->dram_bytes = rec->dram_bytes;
	args->sram_bytes = rec->sram_bytes;
	args->submit_ns = rec->submit_ns;
	args->start_ns = rec->start_ns;
	args->end_ns = rec->end_ns;
	spin_unlock_irq(&ctx->lock);
out:
	rnpu_job_rec_put(rec);
	return ret;
}
