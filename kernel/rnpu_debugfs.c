// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu debugfs, in /sys/kernel/debug/accel/<device>/:
 *   regs          register dump (wakes the device)
 *   queue         ring, scheduler and power state
 *   contexts      open files: address space, ban state, recent faults
 *   force_reset   write anything: reset the device, no context blamed
 *   fault_inject  write "hang", "bad_seqno", "mmu_fault <va>",
 *                 "invalid_cmd" or "none": armed for the next job the
 *                 driver puts on the ring (FI_CTRL / FI_ADDR)
 * and module-wide /sys/kernel/debug/rnpu/live (objects alive, for leak
 * checks across unbind and unload).
 */
#include <linux/debugfs.h>
#include <linux/pm_runtime.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>

#include "rnpu_drv.h"

static const struct {
	const char *name;
	u32 reg;
} rnpu_dump_regs[] = {
	{ "ID", RNPU_REG_ID },
	{ "VERSION", RNPU_REG_VERSION },
	{ "CAP_MAC", RNPU_REG_CAP_MAC },
	{ "CAP_SRAM", RNPU_REG_CAP_SRAM },
	{ "CAP_CTX", RNPU_REG_CAP_CTX },
	{ "CTRL", RNPU_REG_CTRL },
	{ "STATUS", RNPU_REG_STATUS },
	{ "PWR_STATUS", RNPU_REG_PWR_STATUS },
	{ "OPP_SEL", RNPU_REG_OPP_SEL },
	{ "OPP_FREQ", RNPU_REG_OPP_FREQ },
	{ "TEMP", RNPU_REG_TEMP },
	{ "WDOG_CYCLES", RNPU_REG_WDOG_CYCLES },
	{ "IRQ_STATUS", RNPU_REG_IRQ_STATUS },
	{ "IRQ_MASK", RNPU_REG_IRQ_MASK },
	{ "RING_BASE_LO", RNPU_REG_RING_BASE_LO },
	{ "RING_BASE_HI", RNPU_REG_RING_BASE_HI },
	{ "RING_SIZE", RNPU_REG_RING_SIZE },
	{ "RING_HEAD", RNPU_REG_RING_HEAD },
	{ "RING_TAIL", RNPU_REG_RING_TAIL },
	{ "DONE_SEQNO_LO", RNPU_REG_DONE_SEQNO_LO },
	{ "ERR_SEQNO_LO", RNPU_REG_ERR_SEQNO_LO },
	{ "ERR_CLASS", RNPU_REG_ERR_CLASS },
	{ "ERR_INFO", RNPU_REG_ERR_INFO },
	{ "MMU_FAULT_STATUS", RNPU_REG_MMU_FAULT_STATUS },
	{ "MMU_FAULT_ASID", RNPU_REG_MMU_FAULT_ASID },
	{ "MMU_FAULT_ADDR_LO", RNPU_REG_MMU_FAULT_ADDR_LO },
	{ "MMU_FAULT_ADDR_HI", RNPU_REG_MMU_FAULT_ADDR_HI },
	{ "FI_CTRL", RNPU_REG_FI_CTRL },
};

static int regs_show(struct seq_file *m, void *unused)
{
	struct rnpu_device *rdev = m->private;
	unsigned int i;
	int ret, idx;

	if (!drm_dev_enter(&rdev->drm, &idx))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(rdev->dev);
	if (ret) {
		drm_dev_exit(idx);
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(rnpu_dump_regs); i++)
		seq_printf(m, "%-18s 0x%04x = 0x%08x\n", rnpu_dump_regs[i].name,
			   rnpu_dump_regs[i].reg,
			   rnpu_read(rdev, rnpu_dump_regs[i].reg));
	for (i = 0; i < rdev->caps.num_ctx; i++)
		seq_printf(m, "CTX%-2u PT 0x%08x%08x CFG 0x%x\n", i,
			   rnpu_read(rdev, RNPU_CTX_PT_HI(i)),
			   rnpu_read(rdev, RNPU_CTX_PT_LO(i)),
			   rnpu_read(rdev, RNPU_CTX_CFG(i)));
	for (i = 0; i < RNPU_CNT_COUNT; i++)
		seq_printf(m, "CNT%u %llu\n", i, rnpu_read64(rdev, RNPU_CNT_LO(i)));
	pm_runtime_mark_last_busy(rdev->dev);
	pm_runtime_put_autosuspend(rdev->dev);
	drm_dev_exit(idx);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(regs);

static int queue_show(struct seq_file *m, void *unused)
{
	struct rnpu_device *rdev = m->private;
	unsigned long flags;
	u32 i;

	seq_printf(m, "powered: %d\nruntime_status: %s\n",
		   atomic_read(&rdev->powered),
		   pm_runtime_suspended(rdev->dev) ? "suspended" : "active");
	seq_printf(m, "resets: %d\nlost: %d\nfaults: %lld\n",
		   atomic_read(&rdev->resets), rdev->lost,
		   atomic64_read(&rdev->sw_faults));
	seq_printf(m, "opp: %u (%u MHz), thermal limit %u\n", rdev->opp_cur,
		   rdev->caps.opp_mhz[rdev->opp_cur], rdev->opp_cap);
	seq_printf(m, "sched credits: %d / %u\n",
		   atomic_read(&rdev->sched.credit_count), rdev->sched.credit_limit);
	spin_lock_irqsave(&rdev->job_lock, flags);
	seq_printf(m, "ring: size %u head %u tail %u hw_seqno %llu fi %u\n",
		   rdev->ring_size, rdev->ring_head, rdev->ring_tail,
		   rdev->hw_seqno, rdev->pending_fi);
	seq_printf(m, "parked: %d\nsuspends: %u\nlast_parked: %u\n",
		   rdev->parked, rdev->suspends, rdev->last_parked);
	for (i = rdev->ring_head; i != rdev->ring_tail;
	     i = (i + 1) & (rdev->ring_size - 1)) {
		struct rnpu_job *job = rdev->slot_job[i];

		if (job)
			seq_printf(m, "  slot %u: hw_seqno %llu client %llu seqno %llu\n",
				   i, job->hw_seqno, job->ctx->client_id,
				   job->rec->seqno);
	}
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	spin_lock_irqsave(&rdev->asid_lock, flags);
	for (i = 0; i < rdev->caps.num_ctx; i++) {
		struct rnpu_vm *vm = rdev->asid_owner[i];

		if (vm)
			seq_printf(m, "asid %u: vm %p lru %llu\n", i, vm, vm->lru);
	}
	spin_unlock_irqrestore(&rdev->asid_lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(queue);

static int contexts_show(struct seq_file *m, void *unused)
{
	struct rnpu_device *rdev = m->private;
	struct rnpu_ctx *ctx;
	u32 i;

	mutex_lock(&rdev->ctx_lock);
	list_for_each_entry(ctx, &rdev->ctx_list, node) {
		spin_lock_irq(&ctx->lock);
		seq_printf(m, "client %llu pid %d comm %s asid %d banned %d guilty %u faults %u mem %llu/%llu last_seqno %llu busy_ns %llu\n",
			   ctx->client_id, ctx->pid, ctx->comm, ctx->vm->asid,
			   ctx->banned, ctx->guilty, ctx->faults,
			   ctx->vm->mem_used, ctx->mem_limit, ctx->last_seqno,
			   ctx->busy_ns);
		for (i = 0; i < RNPU_FAULT_LOG; i++) {
			const struct rnpu_fault_rec *f = &ctx->fault_log[i];

			if (f->seqno)
				seq_printf(m, "  fault seqno %llu error %u va 0x%llx info 0x%x offset %u detail %u at %lld ns\n",
					   f->seqno, f->error, f->fault_va,
					   f->fault_info, f->err_offset,
					   f->detail, ktime_to_ns(f->time));
		}
		spin_unlock_irq(&ctx->lock);
	}
	mutex_unlock(&rdev->ctx_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(contexts);

static ssize_t force_reset_write(struct file *file, const char __user *buf,
				 size_t count, loff_t *pos)
{
	struct rnpu_device *rdev = file->private_data;
	int ret;

	ret = rnpu_force_reset(rdev);
	return ret ? ret : count;
}

static const struct file_operations force_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = force_reset_write,
};

static ssize_t fault_inject_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *pos)
{
	struct rnpu_device *rdev = file->private_data;
	unsigned long flags;
	char buf[64], *arg;
	u64 addr = 0;
	u32 fi;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	arg = strim(buf);
	if (!strcmp(arg, "none")) {
		fi = 0;
	} else if (!strcmp(arg, "hang")) {
		fi = RNPU_FI_HANG;
	} else if (!strcmp(arg, "bad_seqno")) {
		fi = RNPU_FI_BAD_SEQNO;
	} else if (!strcmp(arg, "invalid_cmd")) {
		fi = RNPU_FI_INVALID_CMD;
	} else if (!strncmp(arg, "mmu_fault", 9)) {
		fi = RNPU_FI_MMU_FAULT;
		if (arg[9] && kstrtou64(skip_spaces(arg + 9), 0, &addr))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	spin_lock_irqsave(&rdev->job_lock, flags);
	rdev->pending_fi = fi;
	rdev->pending_fi_addr = addr;
	spin_unlock_irqrestore(&rdev->job_lock, flags);
	return count;
}

static ssize_t fault_inject_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *pos)
{
	static const char * const names[] = {
		"none", "hang", "bad_seqno", "mmu_fault", "invalid_cmd",
	};
	struct rnpu_device *rdev = file->private_data;
	char buf[64];
	u32 fi = READ_ONCE(rdev->pending_fi);
	int len;

	len = scnprintf(buf, sizeof(buf), "%s 0x%llx\n",
			fi < ARRAY_SIZE(names) ? names[fi] : "?",
			READ_ONCE(rdev->pending_fi_addr));
	return simple_read_from_buffer(ubuf, count, pos, buf, len);
}

static const struct file_operations fault_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = fault_inject_read,
	.write = fault_inject_write,
};

void rnpu_debugfs_init(struct rnpu_device *rdev)
{
	struct dentry *root = rdev->drm.debugfs_root;

	if (!root)
		return;
	debugfs_create_file("regs", 0400, root, rdev, &regs_fops);
	debugfs_create_file("queue", 0400, root, rdev, &queue_fops);
	debugfs_create_file("contexts", 0400, root, rdev, &contexts_fops);
	debugfs_create_file("force_reset", 0200, root, rdev, &force_reset_fops);
	debugfs_create_file("fault_inject", 0600, root, rdev, &fault_inject_fops);
}

/* Module-wide: /sys/kernel/debug/rnpu/live, objects alive in all devices. */
static struct dentry *rnpu_debugfs_root;

static int live_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "devices %d\ncontexts %d\nvms %d\njobs %d\nbos %d\n",
		   atomic_read(&rnpu_live.devices), atomic_read(&rnpu_live.ctxs),
		   atomic_read(&rnpu_live.vms), atomic_read(&rnpu_live.jobs),
		   atomic_read(&rnpu_live.bos));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(live);

void rnpu_debugfs_module_init(void)
{
	rnpu_debugfs_root = debugfs_create_dir(RNPU_DRIVER_NAME, NULL);
	debugfs_create_file("live", 0444, rnpu_debugfs_root, NULL, &live_fops);
}

void rnpu_debugfs_module_fini(void)
{
	debugfs_remove_recursive(rnpu_debugfs_root);
	rnpu_debugfs_root = NULL;
}
