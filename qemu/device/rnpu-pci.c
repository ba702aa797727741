// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rnpu PCI device: identity, BARs (registers in BAR0, MSI-X in BAR2),
 * interrupt delivery and reset.  A PCI Express endpoint (an integrated
 * one on the q35 root complex) with Function Level Reset, so a driver's
 * reset handlers can be exercised through sysfs "reset".
 * Usage: -device rnpu
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"

#include "rnpu-dev.h"

/*
 * MSI-X: JOB_DONE on vector 0, every error cause on vector 1.  Messages
 * go out when a cause becomes pending while unmasked (or is unmasked
 * while pending).  Without MSI-X the level of INTx follows
 * IRQ_STATUS & IRQ_MASK.
 */
void rnpu_irq_update(RnpuState *s, uint32_t newly)
{
	PCIDevice *pdev = PCI_DEVICE(s);
	uint32_t pending = s->irq_status & s->irq_mask;

	if (msix_enabled(pdev)) {
		pci_set_irq(pdev, 0);
		newly &= pending;
		if (newly & RNPU_IRQ_JOB_DONE)
			msix_notify(pdev, RNPU_MSIX_VEC_JOB);
		if (newly & RNPU_IRQ_ERR_MASK)
			msix_notify(pdev, RNPU_MSIX_VEC_ERR);
		return;
	}
	pci_set_irq(pdev, pending != 0);
}

void rnpu_irq_raise(RnpuState *s, uint32_t causes)
{
	uint32_t newly = causes & ~s->irq_status;

	s->irq_status |= causes;
	rnpu_irq_update(s, newly);
}

/*
 * CTRL.RESET: abandon the job in flight (hung or not) and return the job
 * engine, the MMU and interrupt status to their reset values.  Interrupt
 * mask, operating point, watchdog budget and counters survive.
 */
void rnpu_soft_reset(RnpuState *s)
{
	rnpu_ring_cancel(s);
	s->ctrl &= ~RNPU_CTRL_ENABLE;
	s->ring_base = 0;
	s->ring_size = 0;
	s->ring_head = 0;
	s->ring_tail = 0;
	s->fence_addr = 0;
	s->done_seqno = 0;
	s->err_seqno = 0;
	s->err_class = 0;
	s->err_info = 0;
	s->fault_status = 0;
	s->fault_asid = 0;
	s->fault_addr = 0;
	memset(s->ctx, 0, sizeof(s->ctx));
	rnpu_tlb_invalidate(s, RNPU_TLB_INV_ALL);
	s->fi_ctrl = 0;
	s->fi_addr = 0;
	s->irq_status = 0;
	rnpu_irq_update(s, 0);
}

static void rnpu_reset(DeviceState *dev)
{
	RnpuState *s = RNPU(dev);

	rnpu_power_init(s);
	s->pwr = RNPU_PWR_ON;
}

static void rnpu_realize(PCIDevice *pdev, Error **errp)
{
	RnpuState *s = RNPU(pdev);
	unsigned int i;

	rnpu_model_default_config(&s->cfg);
	if (!s->cfg.num_opp || s->cfg.num_opp > RNPU_MAX_OPP) {
		error_setg(errp, "rnpu: model reports %u operating points",
			   s->cfg.num_opp);
		return;
	}
	for (i = 0; i < s->cfg.num_opp; i++) {
		if (!s->cfg.opp_mhz[i]) {
			error_setg(errp, "rnpu: operating point %u has no frequency", i);
			return;
		}
	}
	s->model = rnpu_model_create(&s->cfg);
	if (!s->model) {
		error_setg(errp, "rnpu: cannot create the model");
		return;
	}

	pci_config_set_interrupt_pin(pdev->config, 1);
	pci_config_set_class(pdev->config, RNPU_PCI_CLASS);
	memory_region_init_io(&s->mmio, OBJECT(s), &rnpu_mmio_ops, s,
			      "rnpu-regs", RNPU_BAR0_SIZE);
	pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
	if (msix_init_exclusive_bar(pdev, RNPU_MSIX_VECTORS, RNPU_MSIX_BAR,
				    errp)) {
		rnpu_model_destroy(s->model);
		s->model = NULL;
		return;
	}
	for (i = 0; i < RNPU_MSIX_VECTORS; i++)
		msix_vector_use(pdev, i);
	if (pcie_endpoint_cap_init(pdev, 0) < 0) {
		error_setg(errp, "rnpu: cannot add the PCI Express capability");
		msix_unuse_all_vectors(pdev);
		msix_uninit_exclusive_bar(pdev);
		rnpu_model_destroy(s->model);
		s->model = NULL;
		return;
	}
	/* FLR resets the function: rnpu_reset() through pci_device_reset(). */
	pcie_cap_flr_init(pdev);

	timer_init_ns(&s->job_timer, QEMU_CLOCK_VIRTUAL, rnpu_ring_timer, s);
	s->clk_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
	s->temp_c = 35.0;
	s->cnt_latched = RNPU_CNT_COUNT;
	rnpu_power_init(s);
	s->pwr = RNPU_PWR_ON;
}

static void rnpu_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
			      int len)
{
	pci_default_write_config(pdev, addr, val, len);
	pcie_cap_flr_write_config(pdev, addr, val, len);
}

static void rnpu_exit(PCIDevice *pdev)
{
	RnpuState *s = RNPU(pdev);

	pcie_cap_exit(pdev);
	timer_del(&s->job_timer);
	msix_unuse_all_vectors(pdev);
	msix_uninit_exclusive_bar(pdev);
	rnpu_model_destroy(s->model);
	s->model = NULL;
}

static void rnpu_class_init(ObjectClass *klass, void *data)
{
	DeviceClass *dc = DEVICE_CLASS(klass);
	PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

	k->realize = rnpu_realize;
	k->exit = rnpu_exit;
	k->config_write = rnpu_config_write;
	k->vendor_id = RNPU_PCI_VENDOR_ID;
	k->device_id = RNPU_PCI_DEVICE_ID;
	k->revision = RNPU_PCI_REVISION;
	k->class_id = RNPU_PCI_CLASS;
	dc->desc = "rnpu reference NPU";
	device_class_set_legacy_reset(dc, rnpu_reset);
	set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static void rnpu_register_types(void)
{
	static InterfaceInfo interfaces[] = {
		{ INTERFACE_PCIE_DEVICE },
		{ },
	};
	static const TypeInfo rnpu_info = {
		.name = TYPE_RNPU,
		.parent = TYPE_PCI_DEVICE,
		.instance_size = sizeof(RnpuState),
		.class_init = rnpu_class_init,
		.interfaces = interfaces,
	};

	type_register_static(&rnpu_info);
}

type_init(rnpu_register_types)
