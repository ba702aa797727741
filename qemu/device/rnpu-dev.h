/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rnpu PCI device: state shared by the register, ring, MMU, execution and
 * power parts.  The hardware contract is hw/include/rnpu_regs.h; the
 * golden model (hw/model) executes the command streams.
 */
#ifndef RNPU_DEV_H
#define RNPU_DEV_H

#include "hw/pci/pci_device.h"
#include "qemu/timer.h"
#include "qom/object.h"

#include "rnpu_model.h"
#include "rnpu_regs.h"

#define TYPE_RNPU "rnpu"
OBJECT_DECLARE_SIMPLE_TYPE(RnpuState, RNPU)

/* Direct-mapped translation cache; invalidated by MMU_TLB_INV. */
#define RNPU_TLB_ENTRIES	256

struct rnpu_tlb_entry {
	uint64_t vpn;
	uint64_t pfn;
	uint16_t asid;
	uint8_t perm;		/* RNPU_PTE_READ | RNPU_PTE_WRITE */
	bool valid;
};

struct rnpu_ctx {
	uint64_t pt;		/* root table bus address */
	uint32_t cfg;		/* RNPU_CTX_CFG_x */
};

/*
 * What a job did.  The model runs when the job starts; the outcome is
 * reported when the modelled time has elapsed on the virtual clock.
 */
struct rnpu_outcome {
	uint32_t err;		/* enum rnpu_err */
	uint32_t detail;	/* enum rnpu_model_status */
	uint32_t err_offset;
	uint64_t fault_addr;
	uint32_t irq;		/* RNPU_IRQ_x causes raised at retire */
	uint64_t cycles;
	uint64_t macs;
	uint64_t dram_rd;
	uint64_t dram_wr;
	uint64_t sram;
	uint64_t scrub_cycles;	/* SRAM scrub before the job: time, not its cycles */
};

/* A memory fault seen while a job runs, latched into the fault registers. */
struct rnpu_fault {
	uint32_t type;		/* RNPU_FAULT_TRANSLATION... */
	bool write;
	uint64_t va;
};

struct RnpuState {
	PCIDevice parent_obj;

	MemoryRegion mmio;
	QEMUTimer job_timer;
	struct rnpu_model *model;
	struct rnpu_model_config cfg;

	/* Power, clocks and temperature (rnpu-power.c). */
	uint32_t pwr;
	uint32_t opp;
	int64_t clk_ns;		/* virtual time counters were last advanced to */
	uint64_t cyc_rem;	/* sub-cycle remainder, in MHz * ns */
	double temp_c;
	int64_t temp_ns;
	bool thermal_hot;

	uint32_t ctrl;
	uint32_t wdog_cycles;
	uint32_t irq_status;
	uint32_t irq_mask;

	/* Job ring (rnpu-ring.c). */
	uint64_t ring_base;
	uint32_t ring_size;
	uint32_t ring_head;
	uint32_t ring_tail;
	uint64_t fence_addr;
	uint64_t done_seqno;
	uint64_t err_seqno;
	uint32_t err_class;
	uint32_t err_info;

	/* MMU (rnpu-mmu.c). */
	uint32_t fault_status;
	uint32_t fault_asid;
	uint64_t fault_addr;
	struct rnpu_ctx ctx[RNPU_MAX_CTX];
	struct rnpu_tlb_entry tlb[RNPU_TLB_ENTRIES];

	uint64_t cnt[RNPU_CNT_COUNT];
	uint64_t cnt_latch;	/* whole counter, latched by reading LO */
	unsigned int cnt_latched;

	uint32_t fi_ctrl;
	uint64_t fi_addr;

	/* The job in flight. */
	bool busy;
	bool hung;
	bool bad_seqno;
	struct rnpu_job_desc job;
	struct rnpu_outcome out;
	int64_t job_end_ns;
};

/* rnpu-pci.c */
void rnpu_irq_raise(RnpuState *s, uint32_t causes);
void rnpu_irq_update(RnpuState *s, uint32_t newly);
void rnpu_soft_reset(RnpuState *s);

/* rnpu-regs.c */
extern const MemoryRegionOps rnpu_mmio_ops;

/* rnpu-power.c */
uint32_t rnpu_freq_mhz(RnpuState *s);
void rnpu_clock_advance(RnpuState *s);
void rnpu_set_opp(RnpuState *s, uint32_t opp);
void rnpu_set_power(RnpuState *s, uint32_t pwr);
uint32_t rnpu_temp_mc(RnpuState *s);
uint32_t rnpu_power_mw(RnpuState *s);
void rnpu_power_init(RnpuState *s);
bool rnpu_gated(RnpuState *s);

/* rnpu-ring.c */
void rnpu_ring_kick(RnpuState *s);
void rnpu_ring_timer(void *opaque);
uint64_t rnpu_job_progress(RnpuState *s);
void rnpu_ring_cancel(RnpuState *s);
void rnpu_ring_set_base(RnpuState *s, uint64_t base);
void rnpu_ring_set_size(RnpuState *s, uint32_t size);

/* rnpu-mmu.c */
void rnpu_tlb_invalidate(RnpuState *s, uint32_t arg);
void rnpu_mmu_latch_fault(RnpuState *s, uint16_t asid,
			  const struct rnpu_fault *f);
int rnpu_mmu_read(RnpuState *s, uint16_t asid, uint64_t va, void *dst,
		  uint64_t len, struct rnpu_fault *f);
int rnpu_mmu_write(RnpuState *s, uint16_t asid, uint64_t va, const void *src,
		   uint64_t len, struct rnpu_fault *f);

/* rnpu-exec.c */
void rnpu_exec_job(RnpuState *s, const struct rnpu_job_desc *job,
		   uint32_t fi, uint64_t fi_addr, struct rnpu_outcome *out);

#endif /* RNPU_DEV_H */
