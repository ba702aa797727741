// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu hwmon: die temperature (temp1_input, with the device's 85 C
 * THERMAL trip as temp1_max) and power draw (power1_input, the POWER
 * register) for sensors(1) and monitoring daemons.  The NPU is not woken to be read: while it is
 * powered down both read -ENODATA, as its sensors are off then.
 */
#include <linux/hwmon.h>

#include "rnpu_drv.h"

#define RNPU_TRIP_MC	85000	/* hw/SPEC.md: THERMAL is raised here */

static umode_t rnpu_hwmon_is_visible(const void *data,
				     enum hwmon_sensor_types type, u32 attr,
				     int channel)
{
	if (type == hwmon_temp && (attr == hwmon_temp_input || attr == hwmon_temp_max))
		return 0444;
	/*
	 * Power is a side channel on what other clients compute (RAPL's
	 * energy_uj went root-only for that reason): root only.
	 */
	if (type == hwmon_power && attr == hwmon_power_input)
		return 0400;
	return 0;
}

static int rnpu_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			   u32 attr, int channel, long *val)
{
	struct rnpu_device *rdev = dev_get_drvdata(dev);
	u32 reg;
	int idx;

	if (type == hwmon_temp && attr == hwmon_temp_max) {
		*val = RNPU_TRIP_MC;
		return 0;
	}
	reg = type == hwmon_temp ? RNPU_REG_TEMP : RNPU_REG_POWER;
	if (!rnpu_hw_get(rdev, &idx))
		return -ENODATA;
	*val = rnpu_read(rdev, reg);
	rnpu_hw_put(rdev, idx);
	/* hwmon wants microwatts; the register holds milliwatts. */
	if (type == hwmon_power)
		*val *= 1000;
	return 0;
}

static const struct hwmon_ops rnpu_hwmon_ops = {
	.is_visible = rnpu_hwmon_is_visible,
	.read = rnpu_hwmon_read,
};

static const struct hwmon_channel_info * const rnpu_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_MAX),
	HWMON_CHANNEL_INFO(power, HWMON_P_INPUT),
	NULL
};

static const struct hwmon_chip_info rnpu_hwmon_chip = {
	.ops = &rnpu_hwmon_ops,
	.info = rnpu_hwmon_info,
};

int rnpu_hwmon_init(struct rnpu_device *rdev)
{
	struct device *hw;

	hw = devm_hwmon_device_register_with_info(rdev->dev, "rnpu", rdev,
						  &rnpu_hwmon_chip, NULL);
	if (IS_ERR(hw))
		return dev_err_probe(rdev->dev, PTR_ERR(hw),
				     "cannot register hwmon\n");
	rdev->hwmon = hw;
	return 0;
}
