// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rnpu BAR0: 32-bit registers as laid out in hw/include/rnpu_regs.h.
 * While powered off only identity, capabilities, the OPP table and the
 * power registers respond; everything else reads 0 and ignores writes.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"

#include "rnpu-dev.h"

#define LO(v)	((uint32_t)(v))
#define HI(v)	((uint32_t)((v) >> 32))

static uint64_t set_lo(uint64_t v, uint32_t lo)
{
	return (v & ~0xffffffffull) | lo;
}

static uint64_t set_hi(uint64_t v, uint32_t hi)
{
	return (v & 0xffffffffull) | ((uint64_t)hi << 32);
}

static bool identity_reg(hwaddr a)
{
	return a <= RNPU_REG_CAP_SRAM_VA_HI ||
	       a == RNPU_REG_PWR_CTRL || a == RNPU_REG_PWR_STATUS ||
	       (a >= RNPU_REG_OPP_TABLE && a < RNPU_REG_OPP_TABLE + 8 * RNPU_MAX_OPP);
}

static uint32_t cap_read(RnpuState *s, hwaddr a)
{
	const struct rnpu_model_config *c = &s->cfg;

	switch (a) {
	case RNPU_REG_ID:		return RNPU_ID_MAGIC;
	case RNPU_REG_VERSION:		return RNPU_HW_VERSION;
	case RNPU_REG_CAP_MAC:		return c->mac_rows | c->mac_cols << 16;
	case RNPU_REG_CAP_VEC:		return c->vec_lanes;
	case RNPU_REG_CAP_SRAM:		return c->sram_kib;
	case RNPU_REG_CAP_DMA:
		return c->dram_bytes_per_cycle | c->sram_bytes_per_cycle << 16;
	case RNPU_REG_CAP_DTYPES:
		return ((1u << RNPU_DT_COUNT) - 1) & ~(1u << RNPU_DT_INVALID);
	case RNPU_REG_CAP_OPS:		return (1u << RNPU_OP_COUNT) - 1;
	case RNPU_REG_CAP_OPS_HI:	return 0;
	case RNPU_REG_CAP_CTX:		return RNPU_MAX_CTX;
	case RNPU_REG_CAP_VA_BITS:	return RNPU_VA_BITS;
	case RNPU_REG_CAP_OPP:		return c->num_opp;
	case RNPU_REG_CAP_CMD_VER:	return RNPU_CS_VERSION;
	case RNPU_REG_CAP_SRAM_VA_LO:	return LO(RNPU_SRAM_VA);
	case RNPU_REG_CAP_SRAM_VA_HI:	return HI(RNPU_SRAM_VA);
	}
	return 0;
}

static uint32_t status_read(RnpuState *s)
{
	uint32_t v = s->busy ? RNPU_STATUS_BUSY : RNPU_STATUS_IDLE;

	if (s->hung)
		v |= RNPU_STATUS_HUNG;
	if (rnpu_gated(s))
		v |= RNPU_STATUS_GATED;
	return v;
}

/*
 * Reading a counter's LO half latches the whole counter, so LO then HI
 * is a consistent 64-bit read even while CYCLES runs.
 */
static uint32_t counter_read(RnpuState *s, hwaddr a)
{
	unsigned int c = (a - RNPU_REG_CNT_BASE) / 8;

	if (c >= RNPU_CNT_COUNT)
		return 0;
	if (c == RNPU_CNT_CYCLES)
		rnpu_clock_advance(s);
	if (!(a & 4)) {
		s->cnt_latch = s->cnt[c];
		s->cnt_latched = c;
		return LO(s->cnt_latch);
	}
	return HI(s->cnt_latched == c ? s->cnt_latch : s->cnt[c]);
}

static uint64_t rnpu_mmio_read(void *opaque, hwaddr a, unsigned int size)
{
	RnpuState *s = opaque;

	if (s->pwr != RNPU_PWR_ON && !identity_reg(a))
		return 0;
	if (a <= RNPU_REG_CAP_SRAM_VA_HI)
		return cap_read(s, a);
	if (a >= RNPU_REG_OPP_TABLE && a < RNPU_REG_OPP_TABLE + 8 * RNPU_MAX_OPP) {
		unsigned int i = (a - RNPU_REG_OPP_TABLE) / 8;

		if (i >= s->cfg.num_opp)
			return 0;
		return (a & 4) ? s->cfg.opp_uv[i] : s->cfg.opp_mhz[i];
	}
	if (a >= RNPU_REG_CTX_BASE && a < RNPU_REG_CTX_BASE + 16 * RNPU_MAX_CTX) {
		struct rnpu_ctx *c = &s->ctx[(a - RNPU_REG_CTX_BASE) / 16];

		switch (a & 15) {
		case 0:	return LO(c->pt);
		case 4:	return HI(c->pt);
		case 8:	return c->cfg;
		}
		return 0;
	}
	if (a >= RNPU_REG_CNT_BASE && a < RNPU_REG_CNT_BASE + 8 * RNPU_CNT_COUNT)
		return counter_read(s, a);

	switch (a) {
	case RNPU_REG_CTRL:		return s->ctrl;
	case RNPU_REG_STATUS:		return status_read(s);
	case RNPU_REG_PWR_CTRL:		return s->pwr;
	case RNPU_REG_PWR_STATUS:	return s->pwr;
	case RNPU_REG_OPP_SEL:		return s->opp;
	case RNPU_REG_OPP_FREQ:		return rnpu_freq_mhz(s);
	case RNPU_REG_TEMP:		return rnpu_temp_mc(s);
	case RNPU_REG_POWER:		return rnpu_power_mw(s);
	case RNPU_REG_WDOG_CYCLES:	return s->wdog_cycles;
	case RNPU_REG_IRQ_STATUS:	return s->irq_status;
	case RNPU_REG_IRQ_MASK:		return s->irq_mask;
	case RNPU_REG_RING_BASE_LO:	return LO(s->ring_base);
	case RNPU_REG_RING_BASE_HI:	return HI(s->ring_base);
	case RNPU_REG_RING_SIZE:	return s->ring_size;
	case RNPU_REG_RING_HEAD:	return s->ring_head;
	case RNPU_REG_RING_TAIL:	return s->ring_tail;
	case RNPU_REG_FENCE_LO:		return LO(s->fence_addr);
	case RNPU_REG_FENCE_HI:		return HI(s->fence_addr);
	case RNPU_REG_DONE_SEQNO_LO:	return LO(s->done_seqno);
	case RNPU_REG_DONE_SEQNO_HI:	return HI(s->done_seqno);
	case RNPU_REG_ERR_SEQNO_LO:	return LO(s->err_seqno);
	case RNPU_REG_ERR_SEQNO_HI:	return HI(s->err_seqno);
	case RNPU_REG_ERR_CLASS:	return s->err_class;
	case RNPU_REG_ERR_INFO:		return s->err_info;
	case RNPU_REG_JOB_PROGRESS_LO:	return LO(rnpu_job_progress(s));
	case RNPU_REG_JOB_PROGRESS_HI:	return HI(rnpu_job_progress(s));
	case RNPU_REG_MMU_FAULT_STATUS:	return s->fault_status;
	case RNPU_REG_MMU_FAULT_ASID:	return s->fault_asid;
	case RNPU_REG_MMU_FAULT_ADDR_LO: return LO(s->fault_addr);
	case RNPU_REG_MMU_FAULT_ADDR_HI: return HI(s->fault_addr);
	/* Invalidation completes at the write (jobs run whole at their start). */
	case RNPU_REG_MMU_TLB_INV:	return 0;
	case RNPU_REG_FI_CTRL:		return s->fi_ctrl;
	case RNPU_REG_FI_ADDR_LO:	return LO(s->fi_addr);
	case RNPU_REG_FI_ADDR_HI:	return HI(s->fi_addr);
	}
	return 0;
}

static void ctrl_write(RnpuState *s, uint32_t v)
{
	uint32_t old = s->ctrl;

	if (v & RNPU_CTRL_RESET)
		rnpu_soft_reset(s);
	/* Gating changes power draw: settle the temperature first. */
	rnpu_clock_advance(s);
	s->ctrl = v & (RNPU_CTRL_ENABLE | RNPU_CTRL_CLK_GATE);
	if ((s->ctrl & ~old) & RNPU_CTRL_ENABLE)
		rnpu_ring_kick(s);
}

static void irq_mask_write(RnpuState *s, uint32_t v)
{
	uint32_t unmasked = v & ~s->irq_mask;

	s->irq_mask = v;
	rnpu_irq_update(s, s->irq_status & unmasked);
}

static void ctx_write(RnpuState *s, hwaddr a, uint32_t v)
{
	unsigned int i = (a - RNPU_REG_CTX_BASE) / 16;
	struct rnpu_ctx *c = &s->ctx[i];

	switch (a & 15) {
	case 0:
		c->pt = set_lo(c->pt, v);
		break;
	case 4:
		c->pt = set_hi(c->pt, v);
		break;
	case 8:
		c->cfg = v & (RNPU_CTX_CFG_VALID | RNPU_CTX_CFG_BYPASS);
		break;
	default:
		return;
	}
	/* A reprogrammed context must not hit translations of its old tables. */
	rnpu_tlb_invalidate(s, i);
}

static void rnpu_mmio_write(void *opaque, hwaddr a, uint64_t val,
			    unsigned int size)
{
	RnpuState *s = opaque;
	uint32_t v = val;

	if (a == RNPU_REG_PWR_CTRL) {
		rnpu_set_power(s, v);
		return;
	}
	if (s->pwr != RNPU_PWR_ON)
		return;
	if (a >= RNPU_REG_CTX_BASE && a < RNPU_REG_CTX_BASE + 16 * RNPU_MAX_CTX) {
		ctx_write(s, a, v);
		return;
	}

	switch (a) {
	case RNPU_REG_CTRL:
		ctrl_write(s, v);
		break;
	case RNPU_REG_OPP_SEL:
		rnpu_set_opp(s, v);
		break;
	case RNPU_REG_WDOG_CYCLES:
		s->wdog_cycles = v;
		break;
	case RNPU_REG_IRQ_MASK:
		irq_mask_write(s, v);
		break;
	case RNPU_REG_IRQ_CLEAR:
		s->irq_status &= ~v;
		rnpu_irq_update(s, 0);
		break;
	case RNPU_REG_RING_BASE_LO:
		rnpu_ring_set_base(s, set_lo(s->ring_base, v));
		break;
	case RNPU_REG_RING_BASE_HI:
		rnpu_ring_set_base(s, set_hi(s->ring_base, v));
		break;
	case RNPU_REG_RING_SIZE:
		rnpu_ring_set_size(s, v);
		break;
	case RNPU_REG_RING_TAIL:
		if (s->ring_size)
			s->ring_tail = v & (s->ring_size - 1);
		break;
	case RNPU_REG_DOORBELL:
		rnpu_ring_kick(s);
		break;
	case RNPU_REG_FENCE_LO:
		s->fence_addr = set_lo(s->fence_addr, v);
		break;
	case RNPU_REG_FENCE_HI:
		s->fence_addr = set_hi(s->fence_addr, v);
		break;
	case RNPU_REG_MMU_FAULT_STATUS:
		if (!v) {
			s->fault_status = 0;
			s->fault_asid = 0;
			s->fault_addr = 0;
		}
		break;
	case RNPU_REG_MMU_TLB_INV:
		rnpu_tlb_invalidate(s, v);
		break;
	case RNPU_REG_PERF_CTRL:
		if (v & 1) {
			rnpu_clock_advance(s);
			memset(s->cnt, 0, sizeof(s->cnt));
			s->cyc_rem = 0;
		}
		break;
	case RNPU_REG_FI_CTRL:
		s->fi_ctrl = v;
		break;
	case RNPU_REG_FI_ADDR_LO:
		s->fi_addr = set_lo(s->fi_addr, v);
		break;
	case RNPU_REG_FI_ADDR_HI:
		s->fi_addr = set_hi(s->fi_addr, v);
		break;
	default:
		qemu_log_mask(LOG_GUEST_ERROR,
			      "rnpu: write 0x%x to read-only/unknown 0x%" HWADDR_PRIx "\n",
			      v, a);
		break;
	}
}

const MemoryRegionOps rnpu_mmio_ops = {
	.read = rnpu_mmio_read,
	.write = rnpu_mmio_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
	/* 64-bit accesses are split low half first, as LO/HI pairs expect. */
	.valid = {
		.min_access_size = 4,
		.max_access_size = 8,
	},
	.impl = {
		.min_access_size = 4,
		.max_access_size = 4,
	},
};
