// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu PCI front end: BAR0 registers, two MSI-X vectors (job done,
 * errors), INTx as a fallback.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <drm/drm_drv.h>

#include "rnpu_drv.h"

static int rnpu_pci_irqs(struct pci_dev *pdev, struct rnpu_device *rdev)
{
	int n;

	n = pci_alloc_irq_vectors(pdev, RNPU_MSIX_VECTORS, RNPU_MSIX_VECTORS,
				  PCI_IRQ_MSIX);
	if (n == RNPU_MSIX_VECTORS) {
		rdev->irq_job = pci_irq_vector(pdev, RNPU_MSIX_VEC_JOB);
		rdev->irq_err = pci_irq_vector(pdev, RNPU_MSIX_VEC_ERR);
		return 0;
	}
	drm_info(&rdev->drm, "no MSI-X (%d), using one shared interrupt\n", n);
	n = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (n < 0)
		return n;
	rdev->irq_job = pci_irq_vector(pdev, 0);
	rdev->irq_err = rdev->irq_job;
	rdev->irq_shared = true;
	return 0;
}

static int rnpu_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct rnpu_device *rdev;
	int ret;

	rdev = devm_drm_dev_alloc(&pdev->dev, &rnpu_drm_driver,
				  struct rnpu_device, drm);
	if (IS_ERR(rdev))
		return PTR_ERR(rdev);
	rdev->dev = &pdev->dev;
	pci_set_drvdata(pdev, rdev);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (pci_resource_len(pdev, 0) < RNPU_BAR0_SIZE)
		return dev_err_probe(&pdev->dev, -ENODEV, "BAR0 too small\n");
	rdev->regs = pcim_iomap_region(pdev, 0, RNPU_DRIVER_NAME);
	if (IS_ERR(rdev->regs))
		return PTR_ERR(rdev->regs);
	pci_set_master(pdev);
	ret = rnpu_pci_irqs(pdev, rdev);
	if (ret)
		return ret;

	ret = rnpu_core_probe(rdev);
	if (ret)
		return ret;
	/* The PCI core holds a PM reference over probe; allow suspend now. */
	pm_runtime_allow(&pdev->dev);
	pm_runtime_mark_last_busy(&pdev->dev);
	pm_runtime_put_autosuspend(&pdev->dev);
	return 0;
}

static void rnpu_pci_remove(struct pci_dev *pdev)
{
	struct rnpu_device *rdev = pci_get_drvdata(pdev);

	/* Balance the put above; the core resumed the device for us. */
	pm_runtime_get_noresume(&pdev->dev);
	pm_runtime_forbid(&pdev->dev);
	rnpu_core_remove(rdev);
}

/*
 * PCI resets (FLR through sysfs "reset", AER recovery): nothing is the
 * fault of a context, so the jobs on the ring go back on it after the
 * reset and run again; nothing is banned.  The device is reprogrammed
 * like after a power-up.
 */
static void rnpu_pci_reset_prepare(struct pci_dev *pdev)
{
	rnpu_bus_reset_prepare(pci_get_drvdata(pdev), true);
}

static void rnpu_pci_reset_done(struct pci_dev *pdev)
{
	rnpu_bus_reset_done(pci_get_drvdata(pdev));
}

static pci_ers_result_t rnpu_pci_error_detected(struct pci_dev *pdev,
						pci_channel_state_t state)
{
	struct rnpu_device *rdev = pci_get_drvdata(pdev);

	drm_warn(&rdev->drm, "PCI error, channel state %d\n", state);
	/* The core removes the device: remove fails the jobs. */
	if (state == pci_channel_io_perm_failure)
		return PCI_ERS_RESULT_DISCONNECT;
	/* Frozen: registers read all ones until the slot is reset. */
	rnpu_bus_reset_prepare(rdev, state == pci_channel_io_normal);
	return PCI_ERS_RESULT_NEED_RESET;
}

static pci_ers_result_t rnpu_pci_slot_reset(struct pci_dev *pdev)
{
	struct rnpu_device *rdev = pci_get_drvdata(pdev);

	pci_restore_state(pdev);
	pci_save_state(pdev);
	pci_set_master(pdev);
	if (rnpu_bus_reset_done(rdev))
		return PCI_ERS_RESULT_DISCONNECT;
	return PCI_ERS_RESULT_RECOVERED;
}

static void rnpu_pci_resume(struct pci_dev *pdev)
{
	struct rnpu_device *rdev = pci_get_drvdata(pdev);

	drm_info(&rdev->drm, "recovered from the PCI error\n");
}

static const struct pci_error_handlers rnpu_pci_err_handlers = {
	.error_detected = rnpu_pci_error_detected,
	.slot_reset = rnpu_pci_slot_reset,
	.resume = rnpu_pci_resume,
	.reset_prepare = rnpu_pci_reset_prepare,
	.reset_done = rnpu_pci_reset_done,
};

static const struct pci_device_id rnpu_pci_ids[] = {
	{ PCI_DEVICE(RNPU_PCI_VENDOR_ID, RNPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, rnpu_pci_ids);

struct pci_driver rnpu_pci_driver = {
	.name = RNPU_DRIVER_NAME,
	.id_table = rnpu_pci_ids,
	.probe = rnpu_pci_probe,
	.remove = rnpu_pci_remove,
	.err_handler = &rnpu_pci_err_handlers,
	.driver.pm = pm_ptr(&rnpu_pm_ops),
};
