// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rnpu job ring: the doorbell starts the entry at RING_HEAD, the job runs
 * in the model at once, and it retires (result record, fence, DONE_SEQNO,
 * RING_HEAD advance, counters, interrupt) when its modelled time has
 * passed on QEMU's virtual clock at the current operating point.
 *
 * RING_HEAD and RING_TAIL are slot indices modulo RING_SIZE; the ring is
 * empty when they are equal.  RING_HEAD names the job in flight until it
 * retires, so after a hang the driver knows which entry it lost.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "hw/pci/pci_device.h"
#include "system/dma.h"

#include "rnpu-dev.h"

/* What RNPU_FI_BAD_SEQNO does to the seqno written back. */
#define RNPU_FI_SEQNO_XOR	0xbad0000000000000ull

void rnpu_ring_set_base(RnpuState *s, uint64_t base)
{
	s->ring_base = base & ~63ull;
	s->ring_head = 0;
}

void rnpu_ring_set_size(RnpuState *s, uint32_t size)
{
	if (size < 2 || size > RNPU_RING_MAX_ENTRIES || (size & (size - 1))) {
		qemu_log_mask(LOG_GUEST_ERROR, "rnpu: bad RING_SIZE %u\n", size);
		return;
	}
	s->ring_size = size;
	s->ring_head = 0;
	s->ring_tail = 0;
}

void rnpu_ring_cancel(RnpuState *s)
{
	timer_del(&s->job_timer);
	rnpu_clock_advance(s);
	s->busy = false;
	s->hung = false;
	s->bad_seqno = false;
}

static int fetch_desc(RnpuState *s, struct rnpu_job_desc *d)
{
	dma_addr_t a = s->ring_base + (uint64_t)s->ring_head * sizeof(*d);
	unsigned int i;

	if (pci_dma_read(PCI_DEVICE(s), a, d, sizeof(*d)) != MEMTX_OK)
		return -1;
	d->seqno = le64_to_cpu(d->seqno);
	d->cmd_va = le64_to_cpu(d->cmd_va);
	d->cmd_size = le32_to_cpu(d->cmd_size);
	d->asid = le16_to_cpu(d->asid);
	d->flags = le16_to_cpu(d->flags);
	d->budget = le32_to_cpu(d->budget);
	d->reserved0 = le32_to_cpu(d->reserved0);
	d->result_addr = le64_to_cpu(d->result_addr);
	for (i = 0; i < ARRAY_SIZE(d->reserved); i++)
		d->reserved[i] = le64_to_cpu(d->reserved[i]);
	return 0;
}

void rnpu_ring_kick(RnpuState *s)
{
	uint32_t fi;
	uint64_t ns;

	if (s->busy || s->pwr != RNPU_PWR_ON || !(s->ctrl & RNPU_CTRL_ENABLE))
		return;
	if (!s->ring_size || s->ring_head == s->ring_tail)
		return;

	if (fetch_desc(s, &s->job)) {
		/* The ring itself is unreachable: stop rather than spin on it. */
		qemu_log_mask(LOG_GUEST_ERROR, "rnpu: ring entry %u unreadable\n",
			      s->ring_head);
		s->ctrl &= ~RNPU_CTRL_ENABLE;
		s->err_class = RNPU_ERR_BAD_JOB;
		s->err_info = s->ring_head;
		rnpu_irq_raise(s, RNPU_IRQ_JOB_ERROR);
		return;
	}

	fi = s->fi_ctrl;
	s->fi_ctrl = 0;
	rnpu_clock_advance(s);
	s->busy = true;
	if (fi == RNPU_FI_HANG) {
		s->hung = true;
		return;
	}
	s->bad_seqno = fi == RNPU_FI_BAD_SEQNO;
	rnpu_exec_job(s, &s->job, fi, s->fi_addr, &s->out);

	ns = rnpu_cycles_to_ns(s->out.cycles + s->out.scrub_cycles,
			       rnpu_freq_mhz(s));
	s->job_end_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + ns;
	timer_mod(&s->job_timer, s->job_end_ns);
}

/*
 * Cycles the job in flight has run: its total less what is left of its
 * modelled time at the current frequency (rnpu_set_opp() re-times the
 * rest).  A hung job never advances.
 */
uint64_t rnpu_job_progress(RnpuState *s)
{
	int64_t left;
	uint64_t left_cycles, total;

	if (!s->busy || s->hung)
		return 0;
	left = s->job_end_ns - qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
	if (left < 0)
		left = 0;
	total = s->out.cycles + s->out.scrub_cycles;
	left_cycles = (uint64_t)left * rnpu_freq_mhz(s) / 1000;
	return left_cycles >= total ? 0 : total - left_cycles;
}

static void write_result(RnpuState *s, uint64_t seqno)
{
	const struct rnpu_outcome *o = &s->out;
	struct rnpu_job_result r = {
		.seqno = cpu_to_le64(seqno),
		.status = cpu_to_le32(o->err),
		.err_offset = cpu_to_le32(o->err_offset),
		.fault_addr = cpu_to_le64(o->fault_addr),
		.cycles = cpu_to_le64(o->cycles),
		.macs = cpu_to_le64(o->macs),
		.dram_bytes = cpu_to_le64(o->dram_rd + o->dram_wr),
		.sram_bytes = cpu_to_le64(o->sram),
		.detail = cpu_to_le32(o->detail),
	};

	if (pci_dma_write(PCI_DEVICE(s), s->job.result_addr, &r,
			  sizeof(r)) != MEMTX_OK)
		qemu_log_mask(LOG_GUEST_ERROR, "rnpu: result write failed\n");
}

void rnpu_ring_timer(void *opaque)
{
	RnpuState *s = opaque;
	const struct rnpu_outcome *o = &s->out;
	uint64_t seqno = s->job.seqno;
	uint32_t irq = o->irq;

	if (!s->busy || s->hung)
		return;
	rnpu_clock_advance(s);
	if (s->bad_seqno)
		seqno ^= RNPU_FI_SEQNO_XOR;

	if (s->job.result_addr)
		write_result(s, seqno);
	if (s->fence_addr) {
		uint64_t le = cpu_to_le64(seqno);

		if (pci_dma_write(PCI_DEVICE(s), s->fence_addr, &le,
				  sizeof(le)) != MEMTX_OK)
			qemu_log_mask(LOG_GUEST_ERROR, "rnpu: fence write failed\n");
	}
	s->done_seqno = seqno;
	if (o->err) {
		s->err_seqno = s->job.seqno;
		s->err_class = o->err;
		s->err_info = o->err_offset;
	} else if (s->job.flags & RNPU_JOB_F_IRQ) {
		irq |= RNPU_IRQ_JOB_DONE;
	}

	s->cnt[RNPU_CNT_BUSY] += o->cycles;
	s->cnt[RNPU_CNT_MACS] += o->macs;
	s->cnt[RNPU_CNT_DRAM_RD] += o->dram_rd;
	s->cnt[RNPU_CNT_DRAM_WR] += o->dram_wr;
	s->cnt[RNPU_CNT_SRAM] += o->sram;
	s->cnt[RNPU_CNT_JOBS]++;

	s->ring_head = (s->ring_head + 1) & (s->ring_size - 1);
	s->busy = false;
	s->bad_seqno = false;
	rnpu_irq_raise(s, irq);
	rnpu_ring_kick(s);
}
