// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu devcoredump: evidence of a job timeout or an MMU fault, read from
 * /sys/class/devcoredump/devcd<N>/data (docs/kernel.md gives the format).
 *
 * Both are found with job_lock held (the fault in the job interrupt), so
 * the capture copies what only lasts until the reset or the fault clear
 * (registers, ring, the failing job) into a buffer allocated atomically,
 * takes references on the context's address space and the BO holding
 * the command stream, and a work item adds the mappings and the command
 * bytes (both need sleeping locks) and hands the text to devcoredump.
 * One dump is in flight at a time: a fault storm yields one, not a flood.
 */
#include <linux/devcoredump.h>
#include <linux/iosys-map.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <drm/drm_gem.h>

#include "rnpu_drv.h"

#define RNPU_DUMP_SIZE		(128 * 1024)
#define RNPU_DUMP_STATE		(8 * 1024)	/* the part captured atomically */
#define RNPU_DUMP_CMD_MAX	4096	/* command stream bytes kept */
#define RNPU_DUMP_RING_MAX	32	/* jobs on the ring listed */

static const struct {
	u32 off;
	const char *name;
} dump_regs[] = {
	{ RNPU_REG_CTRL, "CTRL" },
	{ RNPU_REG_STATUS, "STATUS" },
	{ RNPU_REG_PWR_STATUS, "PWR_STATUS" },
	{ RNPU_REG_OPP_SEL, "OPP_SEL" },
	{ RNPU_REG_OPP_FREQ, "OPP_FREQ" },
	{ RNPU_REG_TEMP, "TEMP" },
	{ RNPU_REG_POWER, "POWER" },
	{ RNPU_REG_WDOG_CYCLES, "WDOG_CYCLES" },
	{ RNPU_REG_IRQ_STATUS, "IRQ_STATUS" },
	{ RNPU_REG_IRQ_MASK, "IRQ_MASK" },
	{ RNPU_REG_RING_BASE_LO, "RING_BASE_LO" },
	{ RNPU_REG_RING_BASE_HI, "RING_BASE_HI" },
	{ RNPU_REG_RING_SIZE, "RING_SIZE" },
	{ RNPU_REG_RING_HEAD, "RING_HEAD" },
	{ RNPU_REG_RING_TAIL, "RING_TAIL" },
	{ RNPU_REG_DONE_SEQNO_LO, "DONE_SEQNO_LO" },
	{ RNPU_REG_DONE_SEQNO_HI, "DONE_SEQNO_HI" },
	{ RNPU_REG_ERR_SEQNO_LO, "ERR_SEQNO_LO" },
	{ RNPU_REG_ERR_SEQNO_HI, "ERR_SEQNO_HI" },
	{ RNPU_REG_ERR_CLASS, "ERR_CLASS" },
	{ RNPU_REG_ERR_INFO, "ERR_INFO" },
	{ RNPU_REG_JOB_PROGRESS_LO, "JOB_PROGRESS_LO" },
	{ RNPU_REG_JOB_PROGRESS_HI, "JOB_PROGRESS_HI" },
	{ RNPU_REG_MMU_FAULT_STATUS, "MMU_FAULT_STATUS" },
	{ RNPU_REG_MMU_FAULT_ASID, "MMU_FAULT_ASID" },
	{ RNPU_REG_MMU_FAULT_ADDR_LO, "MMU_FAULT_ADDR_LO" },
	{ RNPU_REG_MMU_FAULT_ADDR_HI, "MMU_FAULT_ADDR_HI" },
};

struct rnpu_dump {
	struct rnpu_device *rdev;
	struct rnpu_vm *vm;		/* reference held */
	struct drm_gem_object *cmd_bo;	/* reference held, NULL if unmapped */
	u64 cmd_bo_va;
	char *buf;
	size_t size;
	size_t len;
	u64 cmd_va;
	u32 cmd_size;
};

static __printf(2, 3) void dump_printf(struct rnpu_dump *d, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	d->len += vscnprintf(d->buf + d->len, d->size - d->len, fmt, args);
	va_end(args);
}

/* The failing job and what the device shows about it.  job_lock held. */
static void dump_state(struct rnpu_dump *d, struct rnpu_job *job,
		       const char *reason)
{
	struct rnpu_device *rdev = d->rdev;
	struct rnpu_ctx *ctx = job->ctx;
	int asid = ctx->vm->asid;
	u32 i, n, slot;

	dump_printf(d, "rnpu devcoredump 1\nreason: %s\ntime_ns: %llu\n",
		    reason, ktime_get_ns());
	dump_printf(d, "client: %llu pid %d comm %s asid %d\n",
		    ctx->client_id, ctx->pid, ctx->comm, asid);
	dump_printf(d, "job: seqno %llu hw_seqno %llu slot %u budget %u\n",
		    job->rec->seqno, job->hw_seqno, job->slot, job->budget);
	dump_printf(d, "job: cmd_va 0x%llx cmd_size %u\n", job->cmd_va,
		    job->cmd_size);
	dump_printf(d, "registers:\n");
	if (atomic_read(&rdev->powered)) {
		for (i = 0; i < ARRAY_SIZE(dump_regs); i++)
			dump_printf(d, "  0x%04x %-18s 0x%08x\n", dump_regs[i].off,
				    dump_regs[i].name,
				    rnpu_read(rdev, dump_regs[i].off));
		if (asid >= 0)
			dump_printf(d, "  0x%04x %-18s 0x%08x 0x%08x 0x%08x\n",
				    RNPU_CTX_PT_LO(asid), "CTX_PT_LO/HI/CFG",
				    rnpu_read(rdev, RNPU_CTX_PT_LO(asid)),
				    rnpu_read(rdev, RNPU_CTX_PT_HI(asid)),
				    rnpu_read(rdev, RNPU_CTX_CFG(asid)));
	} else {
		dump_printf(d, "  (powered off)\n");
	}
	n = (rdev->ring_tail - rdev->ring_head) & (rdev->ring_size - 1);
	dump_printf(d, "ring: size %u head %u tail %u jobs %u hw_seqno %llu\n",
		    rdev->ring_size, rdev->ring_head, rdev->ring_tail, n,
		    rdev->hw_seqno);
	for (i = 0; i < min_t(u32, n, RNPU_DUMP_RING_MAX); i++) {
		struct rnpu_job *j;

		slot = (rdev->ring_head + i) & (rdev->ring_size - 1);
		j = rdev->slot_job[slot];
		if (j)
			dump_printf(d, "  slot %u hw_seqno %llu client %llu cmd_va 0x%llx%s\n",
				    slot, j->hw_seqno, j->ctx->client_id,
				    j->cmd_va, j == job ? " failing" : "");
	}
}

/* Mappings and command bytes: sleeping locks, so from the work item. */
static void dump_memory(struct rnpu_dump *d)
{
	struct rnpu_vm *vm = d->vm;
	struct drm_mm_node *node;
	struct iosys_map map;
	u32 i, n, off;

	dump_printf(d, "mappings:\n");
	mutex_lock(&vm->lock);
	drm_mm_for_each_node(node, &vm->mm) {
		struct rnpu_mapping *m = container_of(node, struct rnpu_mapping, mm);

		dump_printf(d, "  0x%llx-0x%llx size %llu flags 0x%x\n",
			    node->start, node->start + m->size, m->size,
			    m->bo->flags);
	}
	mutex_unlock(&vm->lock);

	if (!d->cmd_bo) {
		dump_printf(d, "command: not mapped\n");
		return;
	}
	off = d->cmd_va - d->cmd_bo_va;
	n = min_t(u64, min_t(u32, d->cmd_size, RNPU_DUMP_CMD_MAX),
		  d->cmd_bo->size - off);
	if (drm_gem_vmap_unlocked(d->cmd_bo, &map)) {
		dump_printf(d, "command: cannot map the BO\n");
		return;
	}
	dump_printf(d, "command: %u of %u bytes\n", n, d->cmd_size);
	for (i = 0; i < n; i += 16)
		dump_printf(d, "  %04x: %*ph\n", i, min_t(u32, 16, n - i),
			    (u8 *)map.vaddr + off + i);
	drm_gem_vunmap_unlocked(d->cmd_bo, &map);
}

static void rnpu_dump_put(struct rnpu_dump *d)
{
	if (d->cmd_bo)
		drm_gem_object_put(d->cmd_bo);
	rnpu_vm_put(d->vm);
	kfree(d->buf);
	kfree(d);
}

static void rnpu_coredump_work(struct work_struct *work)
{
	struct rnpu_device *rdev = container_of(work, struct rnpu_device,
						coredump_work);
	struct rnpu_dump *d = xchg(&rdev->coredump, NULL);
	char *state;

	if (!d)
		return;
	/* Now sleeping is allowed: room for the mappings and the command. */
	state = d->buf;
	d->buf = vmalloc(RNPU_DUMP_SIZE);
	if (d->buf) {
		memcpy(d->buf, state, d->len);
		d->size = RNPU_DUMP_SIZE;
		dump_memory(d);
		/* devcoredump owns (and vfrees) the text from here on. */
		dev_coredumpv(rdev->dev, d->buf, d->len, GFP_KERNEL);
		atomic_inc(&rdev->coredumps);
	}
	d->buf = state;
	rnpu_dump_put(d);
}

/*
 * Called with job_lock held, from the job interrupt (MMU fault) or the
 * timeout handler, before the registers are cleared or reset.
 */
void rnpu_coredump_capture(struct rnpu_device *rdev, struct rnpu_job *job,
			   const char *reason)
{
	struct rnpu_dump *d;
	u32 i;

	lockdep_assert_held(&rdev->job_lock);
	if (READ_ONCE(rdev->coredump) || !READ_ONCE(rdev->coredump_enabled))
		return;
	d = kzalloc(sizeof(*d), GFP_ATOMIC);
	if (!d)
		return;
	d->buf = kmalloc(RNPU_DUMP_STATE, GFP_ATOMIC);
	if (!d->buf) {
		kfree(d);
		return;
	}
	d->size = RNPU_DUMP_STATE;
	d->rdev = rdev;
	d->vm = job->ctx->vm;
	kref_get(&d->vm->ref);
	d->cmd_va = job->cmd_va;
	d->cmd_size = job->cmd_size;
	for (i = 0; i < job->bo_count; i++) {
		struct rnpu_mapping *m = job->maps[i];

		if (m && job->cmd_va >= m->mm.start &&
		    job->cmd_va < m->mm.start + m->size) {
			d->cmd_bo = &m->bo->base.base;
			d->cmd_bo_va = m->mm.start;
			drm_gem_object_get(d->cmd_bo);
			break;
		}
	}
	dump_state(d, job, reason);
	/* job_lock serialises captures: nobody else set it meanwhile. */
	WRITE_ONCE(rdev->coredump, d);
	queue_work(system_unbound_wq, &rdev->coredump_work);
}

void rnpu_coredump_init(struct rnpu_device *rdev)
{
	INIT_WORK(&rdev->coredump_work, rnpu_coredump_work);
	WRITE_ONCE(rdev->coredump_enabled, true);
}

/* No capture can start after this; a pending one is written out or dropped. */
void rnpu_coredump_fini(struct rnpu_device *rdev)
{
	struct rnpu_dump *d;
	unsigned long flags;

	spin_lock_irqsave(&rdev->job_lock, flags);
	WRITE_ONCE(rdev->coredump_enabled, false);
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	cancel_work_sync(&rdev->coredump_work);
	d = xchg(&rdev->coredump, NULL);
	if (d)
		rnpu_dump_put(d);
}
