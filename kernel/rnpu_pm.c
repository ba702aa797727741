// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu power management: runtime PM with autosuspend (PWR_CTRL), devfreq
 * DVFS over the device's operating-point table with the simple_ondemand
 * governor fed by the BUSY and CYCLES counters, and the OPP limit that
 * the thermal zone's cooling device sets (rnpu_thermal.c).
 */
#include <linux/clk.h>
#include <linux/devfreq.h>
#include <linux/of.h>
#include <linux/pm_opp.h>
#include <linux/pm_runtime.h>

#include "rnpu_drv.h"
#include "rnpu_trace.h"

#define RNPU_DEVFREQ_POLL_MS	50

u64 rnpu_freq_hz(struct rnpu_device *rdev, u32 opp)
{
	return (u64)rdev->caps.opp_mhz[opp] * 1000000;
}

int rnpu_runtime_suspend(struct device *dev)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);
	u64 live[RNPU_CNT_COUNT];
	unsigned long flags;
	unsigned int i;

	if (rdev->devfreq)
		devfreq_suspend_device(rdev->devfreq);
	/* Power-off zeroes the counters: fold them into the totals first. */
	spin_lock_irqsave(&rdev->cnt_lock, flags);
	rnpu_hw_read_counters(rdev, live);
	for (i = 0; i < RNPU_CNT_COUNT; i++)
		rdev->cnt_base[i] += live[i];
	atomic_set(&rdev->powered, 0);
	spin_unlock_irqrestore(&rdev->cnt_lock, flags);
	/* A TLB invalidation that saw the device powered has finished. */
	spin_lock_irqsave(&rdev->asid_lock, flags);
	spin_unlock_irqrestore(&rdev->asid_lock, flags);
	synchronize_irq(rdev->irq_job);
	if (!rdev->irq_shared)
		synchronize_irq(rdev->irq_err);
	rnpu_hw_power_off(rdev);
	clk_disable_unprepare(rdev->clk);
	return 0;
}

int rnpu_runtime_resume(struct device *dev)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);
	int ret;

	ret = clk_prepare_enable(rdev->clk);
	if (ret)
		return ret;
	ret = rnpu_hw_power_on(rdev);
	if (ret) {
		clk_disable_unprepare(rdev->clk);
		return ret;
	}
	rdev->df_cycles = 0;
	rdev->df_busy = 0;
	/* Power-off cleared the SRAM: the next job need not scrub it. */
	rdev->sram_owner = RNPU_SRAM_CLEAN;
	atomic_set(&rdev->powered, 1);
	ret = rnpu_hw_init(rdev);
	if (ret) {
		atomic_set(&rdev->powered, 0);
		rnpu_hw_power_off(rdev);
		clk_disable_unprepare(rdev->clk);
		return ret;
	}
	if (rdev->devfreq)
		devfreq_resume_device(rdev->devfreq);
	return 0;
}

/*
 * System sleep.  The device loses everything when powered off, and jobs
 * must not be on the ring then: new jobs are parked (they keep their
 * place in drm_sched, whose timeout does not count parked jobs), the
 * ring drains (a job that hangs is handled by the job timeout), then the
 * device powers down like a runtime suspend: counters folded into the
 * totals, devfreq suspended.  Resume powers up, reprograms the ring,
 * fence, contexts and OPP (rnpu_hw_init) and puts the parked jobs on the
 * ring in order.  Nothing fails and no context is banned for a suspend.
 */
int rnpu_pm_suspend(struct device *dev)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);
	unsigned int drain_ms = 2 * rnpu_job_timeout_ms + 1000;
	int ret;

	/* Twice the job timeout: enough for a hang to be detected and reset. */
	ret = rnpu_sched_park(rdev, drain_ms);
	if (ret) {
		drm_err(&rdev->drm, "suspend: the ring did not drain in %u ms\n", drain_ms);
		return ret;
	}
	/* Parked with the ring empty and reset_lock held. */
	cancel_work_sync(&rdev->thermal_work);
	ret = pm_runtime_force_suspend(dev);
	if (!ret)
		rdev->suspends++;
	mutex_unlock(&rdev->reset_lock);
	if (ret)
		rnpu_sched_unpark(rdev);
	return ret;
}

int rnpu_pm_resume(struct device *dev)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);
	int ret;

	mutex_lock(&rdev->reset_lock);
	ret = pm_runtime_force_resume(dev);
	if (ret) {
		drm_err(&rdev->drm, "resume failed (%d): jobs fail with DEVICE_LOST\n", ret);
		rdev->lost = true;
	}
	mutex_unlock(&rdev->reset_lock);
	/* Parked jobs go on the ring (or fail when the device is lost). */
	rnpu_sched_unpark(rdev);
	if (rdev->opp_cap < rdev->caps.num_opp - 1)
		rnpu_thermal_irq(rdev);
	return ret;
}

static void set_opp(struct rnpu_device *rdev, u32 opp, u32 reason)
{
	u32 old = READ_ONCE(rdev->opp_cur);
	int idx;

	WRITE_ONCE(rdev->opp_cur, opp);
	/* Powered off, the next power-on programs opp_cur. */
	if (rnpu_hw_get(rdev, &idx)) {
		rnpu_hw_set_opp(rdev, opp);
		rnpu_hw_put(rdev, idx);
	}
	if (old != opp)
		trace_rnpu_freq(rdev->caps.opp_mhz[old], rdev->caps.opp_mhz[opp],
				reason);
}

static int rnpu_df_target(struct device *dev, unsigned long *freq, u32 flags)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);
	struct dev_pm_opp *opp;
	unsigned long rate;
	u32 i, idx = 0;

	opp = devfreq_recommended_opp(dev, freq, flags);
	if (IS_ERR(opp))
		return PTR_ERR(opp);
	rate = dev_pm_opp_get_freq(opp);
	dev_pm_opp_put(opp);
	/* The fastest device OPP not above the chosen rate (a DT table may differ). */
	for (i = 0; i < rdev->caps.num_opp; i++) {
		u64 f = rnpu_freq_hz(rdev, i);

		if (f <= rate && f >= rnpu_freq_hz(rdev, idx))
			idx = i;
	}
	idx = min(idx, READ_ONCE(rdev->opp_cap));
	set_opp(rdev, idx, RNPU_NL_REASON_DEVFREQ);
	*freq = rnpu_freq_hz(rdev, idx);
	return 0;
}

/* Utilization = BUSY / CYCLES over the polling interval. */
static int rnpu_df_status(struct device *dev, struct devfreq_dev_status *st)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);
	u64 cycles, busy;
	int idx;

	st->current_frequency = rnpu_freq_hz(rdev, READ_ONCE(rdev->opp_cur));
	if (!rnpu_hw_get(rdev, &idx)) {
		/* Suspended means idle; total 0 would ask for the top OPP. */
		st->total_time = RNPU_DEVFREQ_POLL_MS * NSEC_PER_MSEC;
		st->busy_time = 0;
		return 0;
	}
	cycles = rnpu_read64(rdev, RNPU_CNT_LO(RNPU_CNT_CYCLES));
	busy = rnpu_read64(rdev, RNPU_CNT_LO(RNPU_CNT_BUSY));
	rnpu_hw_put(rdev, idx);
	if (cycles < rdev->df_cycles || busy < rdev->df_busy) {
		rdev->df_cycles = 0;	/* counters restarted under us */
		rdev->df_busy = 0;
	}
	st->total_time = max_t(u64, cycles - rdev->df_cycles, 1);
	st->busy_time = min_t(u64, busy - rdev->df_busy, st->total_time);
	rdev->df_cycles = cycles;
	rdev->df_busy = busy;
	return 0;
}

static int rnpu_df_cur_freq(struct device *dev, unsigned long *freq)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);

	*freq = rnpu_freq_hz(rdev, READ_ONCE(rdev->opp_cur));
	return 0;
}

static struct devfreq_simple_ondemand_data rnpu_ondemand = {
	.upthreshold = 80,
	.downdifferential = 10,
};

static void throttle_event(struct rnpu_device *rdev, u32 old, u32 new, s32 temp)
{
	struct rnpu_event ev = {
		.cmd = RNPU_NL_CMD_THROTTLE,
		.reason = RNPU_NL_REASON_THERMAL,
		.freq_hz = rnpu_freq_hz(rdev, new),
		.old_freq_hz = rnpu_freq_hz(rdev, old),
		.temp = temp,
	};

	rnpu_event_queue(rdev, &ev);
}

/* Apply a new thermal limit through devfreq, or directly without it. */
static void apply_cap(struct rnpu_device *rdev)
{
	if (rdev->devfreq) {
		mutex_lock(&rdev->devfreq->lock);
		update_devfreq(rdev->devfreq);
		mutex_unlock(&rdev->devfreq->lock);
	} else if (READ_ONCE(rdev->opp_cur) > rdev->opp_cap) {
		set_opp(rdev, rdev->opp_cap, RNPU_NL_REASON_THERMAL);
	}
	if (READ_ONCE(rdev->opp_cur) > rdev->opp_cap)
		set_opp(rdev, rdev->opp_cap, RNPU_NL_REASON_THERMAL);
}

/*
 * The thermal zone's cooling device sets the limit on the OPP index
 * (rnpu_thermal.c); devfreq's choices are clamped to it.
 */
void rnpu_pm_set_cap(struct rnpu_device *rdev, u32 cap, s32 temp)
{
	u32 old = rdev->opp_cap;

	if (cap == old)
		return;
	rdev->opp_cap = cap;
	apply_cap(rdev);
	throttle_event(rdev, old, cap, temp);
	drm_info(&rdev->drm, "thermal: %d mC, OPP limit %u -> %u (%u MHz)\n",
		 temp, old, cap, rdev->caps.opp_mhz[cap]);
}

int rnpu_pm_init(struct rnpu_device *rdev)
{
	struct devfreq_dev_profile *prof;
	struct device *dev = rdev->dev;
	struct devfreq *df;
	u32 i, top = rdev->caps.num_opp - 1;
	int ret;

	rdev->opp_cur = top;
	rdev->opp_cap = top;

	pm_runtime_set_autosuspend_delay(dev, rnpu_autosuspend_ms);
	pm_runtime_use_autosuspend(dev);

	if (!rnpu_devfreq_enable)
		return 0;
	/*
	 * A board's operating-points-v2 table describes the same points as
	 * the OPP registers; without one, the registers are the table.
	 */
	if (of_property_present(dev->of_node, "operating-points-v2")) {
		ret = devm_pm_opp_of_add_table(dev);
		if (ret) {
			drm_warn(&rdev->drm, "bad OPP table in DT (%d): DVFS disabled\n", ret);
			return 0;
		}
	} else {
		for (i = 0; i < rdev->caps.num_opp; i++) {
			ret = dev_pm_opp_add(dev, rnpu_freq_hz(rdev, i),
					     rdev->caps.opp_uv[i]);
			if (ret) {
				drm_warn(&rdev->drm, "cannot add OPP %u (%d): DVFS disabled\n",
					 i, ret);
				dev_pm_opp_remove_all_dynamic(dev);
				return 0;
			}
		}
	}
	prof = devm_kzalloc(dev, sizeof(*prof), GFP_KERNEL);
	if (!prof)
		return -ENOMEM;
	prof->initial_freq = rnpu_freq_hz(rdev, top);
	prof->polling_ms = RNPU_DEVFREQ_POLL_MS;
	prof->timer = DEVFREQ_TIMER_DELAYED;
	prof->target = rnpu_df_target;
	prof->get_dev_status = rnpu_df_status;
	prof->get_cur_freq = rnpu_df_cur_freq;
	df = devm_devfreq_add_device(dev, prof, DEVFREQ_GOV_SIMPLE_ONDEMAND,
				     &rnpu_ondemand);
	if (IS_ERR(df)) {
		/* Without the governor module the NPU just stays at the top OPP. */
		drm_warn(&rdev->drm, "devfreq unavailable (%ld): DVFS disabled\n",
			 PTR_ERR(df));
		dev_pm_opp_remove_all_dynamic(dev);
		return 0;
	}
	rdev->devfreq = df;
	return 0;
}

void rnpu_pm_fini(struct rnpu_device *rdev)
{
	if (rdev->devfreq) {
		devm_devfreq_remove_device(rdev->dev, rdev->devfreq);
		rdev->devfreq = NULL;
		dev_pm_opp_remove_all_dynamic(rdev->dev);
	}
}
