// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu device-tree front end: compatible "rnpu,npu-v1", one register
 * window, two interrupts (job done, errors; one shared line also works),
 * optional core clock and reset (dt-bindings/npu/rnpu,npu-v1.yaml).
 */
#include <linux/clk.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/reset.h>
#include <drm/drm_drv.h>

#include "rnpu_drv.h"

static int rnpu_platform_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct reset_control *rst;
	struct rnpu_device *rdev;
	int ret;

	rdev = devm_drm_dev_alloc(dev, &rnpu_drm_driver, struct rnpu_device, drm);
	if (IS_ERR(rdev))
		return PTR_ERR(rdev);
	rdev->dev = dev;
	platform_set_drvdata(pdev, rdev);

	rdev->regs = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(rdev->regs))
		return PTR_ERR(rdev->regs);
	rdev->irq_job = platform_get_irq(pdev, 0);
	if (rdev->irq_job < 0)
		return rdev->irq_job;
	rdev->irq_err = platform_get_irq_optional(pdev, 1);
	if (rdev->irq_err == -EPROBE_DEFER)
		return rdev->irq_err;
	if (rdev->irq_err < 0) {
		rdev->irq_err = rdev->irq_job;
		rdev->irq_shared = true;
	}

	rdev->clk = devm_clk_get_optional_enabled(dev, "core");
	if (IS_ERR(rdev->clk))
		return dev_err_probe(dev, PTR_ERR(rdev->clk), "core clock\n");
	rst = devm_reset_control_get_optional_exclusive(dev, NULL);
	if (IS_ERR(rst))
		return dev_err_probe(dev, PTR_ERR(rst), "reset\n");
	ret = reset_control_deassert(rst);
	if (ret)
		return ret;

	/* The block is powered at boot; tell runtime PM and hold it on. */
	pm_runtime_set_active(dev);
	pm_runtime_get_noresume(dev);
	ret = devm_pm_runtime_enable(dev);
	if (ret) {
		pm_runtime_put_noidle(dev);
		return ret;
	}
	ret = rnpu_core_probe(rdev);
	if (ret) {
		pm_runtime_put_noidle(dev);
		return ret;
	}
	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
	return 0;
}

static void rnpu_platform_remove(struct platform_device *pdev)
{
	struct rnpu_device *rdev = platform_get_drvdata(pdev);

	pm_runtime_get_sync(&pdev->dev);
	rnpu_core_remove(rdev);
	pm_runtime_put_noidle(&pdev->dev);
}

static const struct of_device_id rnpu_of_match[] = {
	{ .compatible = RNPU_DT_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, rnpu_of_match);

struct platform_driver rnpu_platform_driver = {
	.probe = rnpu_platform_probe,
	.remove = rnpu_platform_remove,
	.driver = {
		.name = RNPU_DRIVER_NAME,
		.of_match_table = rnpu_of_match,
		.pm = pm_ptr(&rnpu_pm_ops),
	},
};
