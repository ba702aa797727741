// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu hardware access: identity, power, ring and counter registers.
 */
#include <linux/delay.h>
#include <linux/iopoll.h>
#include <linux/pm_runtime.h>
#include <drm/drm_drv.h>

#include "rnpu_drv.h"

#define RNPU_POLL_US	10
#define RNPU_POWER_TIMEOUT_US	100000

int rnpu_hw_read_caps(struct rnpu_device *rdev)
{
	struct rnpu_caps *c = &rdev->caps;
	u32 id, v, i;

	id = rnpu_read(rdev, RNPU_REG_ID);
	if (id != RNPU_ID_MAGIC) {
		drm_err(&rdev->drm, "ID register reads 0x%08x, not an rnpu\n", id);
		return -ENODEV;
	}
	c->version = rnpu_read(rdev, RNPU_REG_VERSION);
	if ((c->version >> 16) != RNPU_HW_VERSION_MAJOR) {
		drm_err(&rdev->drm, "unsupported hardware version 0x%08x\n",
			c->version);
		return -ENODEV;
	}
	v = rnpu_read(rdev, RNPU_REG_CAP_MAC);
	c->mac_rows = v & 0xffff;
	c->mac_cols = v >> 16;
	c->vec_lanes = rnpu_read(rdev, RNPU_REG_CAP_VEC);
	c->sram_kib = rnpu_read(rdev, RNPU_REG_CAP_SRAM);
	v = rnpu_read(rdev, RNPU_REG_CAP_DMA);
	c->dram_bw = v & 0xffff;
	c->sram_bw = v >> 16;
	c->dtypes = rnpu_read(rdev, RNPU_REG_CAP_DTYPES);
	c->ops = rnpu_read64(rdev, RNPU_REG_CAP_OPS);
	c->num_ctx = min_t(u32, rnpu_read(rdev, RNPU_REG_CAP_CTX), RNPU_MAX_CTX);
	c->va_bits = rnpu_read(rdev, RNPU_REG_CAP_VA_BITS);
	c->cmd_ver = rnpu_read(rdev, RNPU_REG_CAP_CMD_VER);
	c->sram_va = rnpu_read64(rdev, RNPU_REG_CAP_SRAM_VA_LO);
	c->num_opp = min_t(u32, rnpu_read(rdev, RNPU_REG_CAP_OPP), RNPU_MAX_OPP);
	if (!c->num_ctx || !c->num_opp || c->va_bits < 32 ||
	    c->va_bits > RNPU_VA_BITS) {
		drm_err(&rdev->drm, "bad capabilities: %u contexts, %u OPPs, %u VA bits\n",
			c->num_ctx, c->num_opp, c->va_bits);
		return -ENODEV;
	}
	for (i = 0; i < c->num_opp; i++) {
		c->opp_mhz[i] = rnpu_read(rdev, RNPU_OPP_FREQ_MHZ(i));
		c->opp_uv[i] = rnpu_read(rdev, RNPU_OPP_UVOLT(i));
		if (!c->opp_mhz[i]) {
			drm_err(&rdev->drm, "operating point %u has no frequency\n", i);
			return -ENODEV;
		}
	}
	/* BOs live below the SRAM window (or the top of the VA space). */
	rdev->va_end = 1ull << c->va_bits;
	if (c->sram_va > RNPU_VA_START && c->sram_va < rdev->va_end)
		rdev->va_end = c->sram_va;
	return 0;
}

/*
 * Register access outside a job: only while the device is bound
 * (drm_dev_enter: remove unmaps the registers) and powered, so a query
 * never wakes an idle NPU.  Returns false when it is suspended or gone;
 * on true the caller ends the access with rnpu_hw_put(rdev, *idx).
 */
bool rnpu_hw_get(struct rnpu_device *rdev, int *idx)
{
	int ret;

	if (!drm_dev_enter(&rdev->drm, idx))
		return false;
	ret = pm_runtime_get_if_active(rdev->dev);
	if (ret > 0)
		return true;
	if (ret == -EINVAL) {
		/*
		 * No runtime PM (CONFIG_PM=n, or disabled over system
		 * sleep): the driver's own power state decides.
		 */
		pm_runtime_get_noresume(rdev->dev);
		if (atomic_read(&rdev->powered))
			return true;
		pm_runtime_put_noidle(rdev->dev);
	}
	drm_dev_exit(*idx);
	return false;
}

/*
 * Invalidate @asid's translations (or all, RNPU_TLB_INV_ALL) and wait
 * until the device has dropped them: only then may unmapped pages be
 * freed.  Device powered.  Atomic (called under asid_lock).
 */
int rnpu_hw_tlb_invalidate(struct rnpu_device *rdev, u32 asid)
{
	u32 v;
	int ret;

	rnpu_write(rdev, RNPU_REG_MMU_TLB_INV, asid);
	ret = readl_poll_timeout_atomic(rdev->regs + RNPU_REG_MMU_TLB_INV, v,
					!(v & RNPU_TLB_INV_BUSY), 1,
					RNPU_TLB_INV_TIMEOUT_US * 10);
	if (ret)
		drm_err_ratelimited(&rdev->drm, "TLB invalidation of context %u did not complete\n",
				    asid);
	return ret;
}

/* Queries do not count as activity: only jobs push autosuspend back. */
void rnpu_hw_put(struct rnpu_device *rdev, int idx)
{
	pm_runtime_put_autosuspend(rdev->dev);
	drm_dev_exit(idx);
}

int rnpu_hw_power_on(struct rnpu_device *rdev)
{
	u32 v;
	int ret;

	rnpu_write(rdev, RNPU_REG_PWR_CTRL, RNPU_PWR_ON);
	ret = readl_poll_timeout(rdev->regs + RNPU_REG_PWR_STATUS, v,
				 v == RNPU_PWR_ON, RNPU_POLL_US,
				 RNPU_POWER_TIMEOUT_US);
	if (ret)
		drm_err(&rdev->drm, "power-on timed out (PWR_STATUS %u)\n", v);
	return ret;
}

void rnpu_hw_power_off(struct rnpu_device *rdev)
{
	u32 v;

	rnpu_write(rdev, RNPU_REG_IRQ_MASK, 0);
	rnpu_write(rdev, RNPU_REG_CTRL, 0);
	rnpu_write(rdev, RNPU_REG_PWR_CTRL, RNPU_PWR_OFF);
	if (readl_poll_timeout(rdev->regs + RNPU_REG_PWR_STATUS, v,
			       v == RNPU_PWR_OFF, RNPU_POLL_US,
			       RNPU_POWER_TIMEOUT_US))
		drm_warn(&rdev->drm, "power-off timed out (PWR_STATUS %u)\n", v);
}

void rnpu_hw_set_opp(struct rnpu_device *rdev, u32 opp)
{
	rnpu_write(rdev, RNPU_REG_OPP_SEL, opp);
}

/*
 * Program everything a power-off or soft reset loses: interrupts, the
 * ring, the fence word, the operating point and the bound contexts.
 * The ring starts empty; the caller re-queues jobs if it wants them.
 */
int rnpu_hw_init(struct rnpu_device *rdev)
{
	unsigned long flags;

	if (rnpu_read(rdev, RNPU_REG_ID) != RNPU_ID_MAGIC) {
		drm_err(&rdev->drm, "device not responding after power-on\n");
		return -EIO;
	}
	rnpu_write(rdev, RNPU_REG_CTRL, 0);
	rnpu_write(rdev, RNPU_REG_IRQ_CLEAR, ~0u);
	rnpu_write(rdev, RNPU_REG_MMU_FAULT_STATUS, 0);

	spin_lock_irqsave(&rdev->job_lock, flags);
	rdev->ring_head = 0;
	rdev->ring_tail = 0;
	rnpu_write(rdev, RNPU_REG_RING_BASE_LO, lower_32_bits(rdev->ring_dma));
	rnpu_write(rdev, RNPU_REG_RING_BASE_HI, upper_32_bits(rdev->ring_dma));
	rnpu_write(rdev, RNPU_REG_RING_SIZE, rdev->ring_size);
	rnpu_write(rdev, RNPU_REG_RING_TAIL, 0);
	rnpu_write(rdev, RNPU_REG_FENCE_LO, lower_32_bits(rdev->fence_dma));
	rnpu_write(rdev, RNPU_REG_FENCE_HI, upper_32_bits(rdev->fence_dma));
	spin_unlock_irqrestore(&rdev->job_lock, flags);

	rnpu_hw_set_opp(rdev, rdev->opp_cur);
	rnpu_asid_restore(rdev);
	rnpu_write(rdev, RNPU_REG_IRQ_MASK, RNPU_IRQ_JOB_DONE | RNPU_IRQ_ERR_MASK);
	rnpu_write(rdev, RNPU_REG_CTRL, RNPU_CTRL_ENABLE | RNPU_CTRL_CLK_GATE);
	return 0;
}

/* CTRL.RESET abandons the job in flight and clears ring and MMU state. */
int rnpu_hw_soft_reset(struct rnpu_device *rdev)
{
	u32 v;
	int ret;

	rnpu_write(rdev, RNPU_REG_CTRL, RNPU_CTRL_RESET);
	ret = readl_poll_timeout(rdev->regs + RNPU_REG_CTRL, v,
				 !(v & RNPU_CTRL_RESET), RNPU_POLL_US,
				 RNPU_POWER_TIMEOUT_US);
	if (ret) {
		drm_err(&rdev->drm, "soft reset did not complete\n");
		return ret;
	}
	return rnpu_hw_init(rdev);
}

/* Live device counters; the caller holds the device powered. */
void rnpu_hw_read_counters(struct rnpu_device *rdev, u64 *vals)
{
	unsigned int i;

	for (i = 0; i < RNPU_CNT_COUNT; i++)
		vals[i] = rnpu_read64(rdev, RNPU_CNT_LO(i));
}

/*
 * Device totals since probe: what earlier power-offs wiped is kept in
 * cnt_base, so the totals never go backwards.
 */
void rnpu_hw_counters(struct rnpu_device *rdev, u64 *vals)
{
	u64 live[RNPU_CNT_COUNT] = { 0 };
	unsigned long flags;
	unsigned int i;
	int idx;
	bool on = rnpu_hw_get(rdev, &idx);

	spin_lock_irqsave(&rdev->cnt_lock, flags);
	if (on && atomic_read(&rdev->powered))
		rnpu_hw_read_counters(rdev, live);
	for (i = 0; i < RNPU_CNT_COUNT; i++)
		vals[i] = rdev->cnt_base[i] + live[i];
	spin_unlock_irqrestore(&rdev->cnt_lock, flags);
	if (on)
		rnpu_hw_put(rdev, idx);
}
