// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu thermal zone: the die sensor (TEMP) with a passive trip at the
 * device's 85 C THERMAL point (10 C hysteresis: released below 75 C) and
 * a hot trip at 100 C.  The driver's throttle, a limit on the OPP index,
 * is the zone's cooling device ("rnpu", state 0 = no limit, num_opp - 1 =
 * the lowest OPP), so the thermal core's governor (step_wise by default)
 * drives it, user space sees it in /sys/class/thermal, and a DT board's
 * zones can name the NPU node as a cooling device.  The THERMAL interrupt
 * makes the zone re-read at once; between that, it polls.
 *
 * While the NPU is powered down its sensor is off: the zone keeps the
 * last reading instead of waking it (nothing heats an unpowered die, and
 * the first poll after power-up reads the real value).
 */
#include <linux/thermal.h>

#include "rnpu_drv.h"

#define RNPU_TRIP_PASSIVE_MC	85000
#define RNPU_TRIP_HYST_MC	10000
#define RNPU_TRIP_HOT_MC	100000
#define RNPU_THERMAL_PASSIVE_MS	250
#define RNPU_THERMAL_POLL_MS	1000

static int rnpu_tz_get_temp(struct thermal_zone_device *tz, int *temp)
{
	struct rnpu_device *rdev = thermal_zone_device_priv(tz);
	int idx;

	if (rnpu_hw_get(rdev, &idx)) {
		WRITE_ONCE(rdev->last_temp, rnpu_read(rdev, RNPU_REG_TEMP));
		rnpu_hw_put(rdev, idx);
	}
	*temp = READ_ONCE(rdev->last_temp);
	return 0;
}

static bool rnpu_tz_should_bind(struct thermal_zone_device *tz,
				const struct thermal_trip *trip,
				struct thermal_cooling_device *cdev,
				struct cooling_spec *spec)
{
	struct rnpu_device *rdev = thermal_zone_device_priv(tz);

	return cdev == rdev->cooling && trip->type == THERMAL_TRIP_PASSIVE;
}

static void rnpu_tz_hot(struct thermal_zone_device *tz)
{
	struct rnpu_device *rdev = thermal_zone_device_priv(tz);

	drm_warn(&rdev->drm, "thermal: %d mC, past the hot trip at the lowest OPP limit %u\n",
		 READ_ONCE(rdev->last_temp), rdev->opp_cap);
}

static const struct thermal_zone_device_ops rnpu_tz_ops = {
	.get_temp = rnpu_tz_get_temp,
	.should_bind = rnpu_tz_should_bind,
	.hot = rnpu_tz_hot,
};

static const struct thermal_trip rnpu_trips[] = {
	{
		.temperature = RNPU_TRIP_PASSIVE_MC,
		.hysteresis = RNPU_TRIP_HYST_MC,
		.type = THERMAL_TRIP_PASSIVE,
	},
	{
		.temperature = RNPU_TRIP_HOT_MC,
		.hysteresis = RNPU_TRIP_HYST_MC,
		.type = THERMAL_TRIP_HOT,
	},
};

static int rnpu_cdev_get_max_state(struct thermal_cooling_device *cdev,
				   unsigned long *state)
{
	struct rnpu_device *rdev = cdev->devdata;

	*state = rdev->caps.num_opp - 1;
	return 0;
}

static int rnpu_cdev_get_cur_state(struct thermal_cooling_device *cdev,
				   unsigned long *state)
{
	struct rnpu_device *rdev = cdev->devdata;

	*state = rdev->caps.num_opp - 1 - READ_ONCE(rdev->opp_cap);
	return 0;
}

static int rnpu_cdev_set_cur_state(struct thermal_cooling_device *cdev,
				   unsigned long state)
{
	struct rnpu_device *rdev = cdev->devdata;
	u32 top = rdev->caps.num_opp - 1;

	if (state > top)
		return -EINVAL;
	rnpu_pm_set_cap(rdev, top - state, READ_ONCE(rdev->last_temp));
	return 0;
}

static const struct thermal_cooling_device_ops rnpu_cdev_ops = {
	.get_max_state = rnpu_cdev_get_max_state,
	.get_cur_state = rnpu_cdev_get_cur_state,
	.set_cur_state = rnpu_cdev_set_cur_state,
};

static void rnpu_thermal_work(struct work_struct *work)
{
	struct rnpu_device *rdev = container_of(work, struct rnpu_device,
						thermal_work);
	struct thermal_zone_device *tz = READ_ONCE(rdev->tz);

	if (tz)
		thermal_zone_device_update(tz, THERMAL_EVENT_TEMP_SAMPLE);
}

/* From the error interrupt: the device crossed its THERMAL point. */
void rnpu_thermal_irq(struct rnpu_device *rdev)
{
	if (READ_ONCE(rdev->tz))
		queue_work(system_wq, &rdev->thermal_work);
}

int rnpu_thermal_init(struct rnpu_device *rdev)
{
	/* The sensor's own zone has its hwmon device in rnpu_hwmon.c. */
	static const struct thermal_zone_params tzp = { .no_hwmon = true };
	struct thermal_cooling_device *cdev;
	struct thermal_zone_device *tz;
	int ret;

	INIT_WORK(&rdev->thermal_work, rnpu_thermal_work);
	rdev->last_temp = rnpu_read(rdev, RNPU_REG_TEMP);
	/* First the cooling device, so registering the zone binds it. */
	cdev = thermal_of_cooling_device_register(rdev->dev->of_node, "rnpu",
						  rdev, &rnpu_cdev_ops);
	if (IS_ERR(cdev))
		return dev_err_probe(rdev->dev, PTR_ERR(cdev),
				     "cannot register the cooling device\n");
	rdev->cooling = cdev;
	tz = thermal_zone_device_register_with_trips("rnpu", rnpu_trips,
						     ARRAY_SIZE(rnpu_trips),
						     rdev, &rnpu_tz_ops, &tzp,
						     RNPU_THERMAL_PASSIVE_MS,
						     RNPU_THERMAL_POLL_MS);
	if (IS_ERR(tz)) {
		ret = dev_err_probe(rdev->dev, PTR_ERR(tz),
				    "cannot register the thermal zone\n");
		goto err_cdev;
	}
	ret = thermal_zone_device_enable(tz);
	if (ret) {
		drm_err(&rdev->drm, "cannot enable the thermal zone: %d\n", ret);
		thermal_zone_device_unregister(tz);
		goto err_cdev;
	}
	WRITE_ONCE(rdev->tz, tz);
	return 0;

err_cdev:
	thermal_cooling_device_unregister(cdev);
	rdev->cooling = NULL;
	return ret;
}

void rnpu_thermal_fini(struct rnpu_device *rdev)
{
	struct thermal_zone_device *tz = rdev->tz;

	if (!tz)
		return;
	/* A work item that still sees the zone finishes before it goes. */
	WRITE_ONCE(rdev->tz, NULL);
	cancel_work_sync(&rdev->thermal_work);
	thermal_zone_device_unregister(tz);
	thermal_cooling_device_unregister(rdev->cooling);
	rdev->cooling = NULL;
}
