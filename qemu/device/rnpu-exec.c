// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rnpu job execution: check the ring entry, fetch the command stream
 * through the context's MMU, apply one-shot fault injection and hand the
 * stream to the golden model with memory callbacks that translate every
 * access.  Produces the job's outcome; rnpu-ring.c reports it later.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"

#include "rnpu-dev.h"

struct exec_ctx {
	RnpuState *s;
	uint16_t asid;
	bool faulted;
	struct rnpu_fault fault;
};

static int mem_read(void *opaque, uint64_t va, void *dst, uint64_t len)
{
	struct exec_ctx *c = opaque;
	struct rnpu_fault f;

	if (!rnpu_mmu_read(c->s, c->asid, va, dst, len, &f))
		return 0;
	if (!c->faulted) {
		c->faulted = true;
		c->fault = f;
	}
	return -1;
}

static int mem_write(void *opaque, uint64_t va, const void *src, uint64_t len)
{
	struct exec_ctx *c = opaque;
	struct rnpu_fault f;

	if (!rnpu_mmu_write(c->s, c->asid, va, src, len, &f))
		return 0;
	if (!c->faulted) {
		c->faulted = true;
		c->fault = f;
	}
	return -1;
}

static void mmu_failure(RnpuState *s, uint16_t asid,
			const struct rnpu_fault *f, struct rnpu_outcome *out)
{
	rnpu_mmu_latch_fault(s, asid, f);
	out->err = RNPU_ERR_MMU_FAULT;
	out->detail = RNPU_MS_MEM_FAULT;
	out->fault_addr = f->va;
	out->irq = RNPU_IRQ_MMU_FAULT;
}

static bool desc_ok(const struct rnpu_job_desc *job)
{
	unsigned int i;

	if (job->asid >= RNPU_MAX_CTX ||
	    job->flags & ~(RNPU_JOB_F_IRQ | RNPU_JOB_F_SCRUB_SRAM))
		return false;
	if (!job->cmd_size || job->cmd_size > RNPU_CS_MAX_SIZE)
		return false;
	if (job->reserved0)
		return false;
	for (i = 0; i < ARRAY_SIZE(job->reserved); i++) {
		if (job->reserved[i])
			return false;
	}
	return true;
}

static void run_model(RnpuState *s, const struct rnpu_job_desc *job,
		      const void *stream, struct rnpu_outcome *out)
{
	struct exec_ctx c = { .s = s, .asid = job->asid };
	const struct rnpu_mem_ops ops = {
		.read = mem_read,
		.write = mem_write,
		.opaque = &c,
	};
	uint64_t budget = job->budget ? job->budget : s->wdog_cycles;
	struct rnpu_model_result res;

	memset(&res, 0, sizeof(res));
	rnpu_model_run(s->model, stream, job->cmd_size, &ops, budget, &res,
		       NULL, 0);

	out->detail = res.status;
	out->cycles = res.cycles;
	out->macs = res.macs;
	out->dram_rd += res.dram_rd_bytes;
	out->dram_wr = res.dram_wr_bytes;
	out->sram = res.sram_bytes;
	switch (res.status) {
	case RNPU_MS_OK:
		return;
	case RNPU_MS_WATCHDOG:
		out->err = RNPU_ERR_WATCHDOG;
		out->irq = RNPU_IRQ_WATCHDOG;
		/* The job ran until the watchdog fired. */
		if (out->cycles < budget)
			out->cycles = budget;
		break;
	case RNPU_MS_MEM_FAULT:
		if (!c.faulted) {
			c.fault.type = RNPU_FAULT_TRANSLATION;
			c.fault.va = res.fault_va;
			c.fault.write = false;
		}
		mmu_failure(s, job->asid, &c.fault, out);
		break;
	default:
		out->err = RNPU_ERR_INVALID_CMD;
		out->irq = RNPU_IRQ_JOB_ERROR;
		out->fault_addr = res.fault_va;
		break;
	}
	out->err_offset = res.err_offset;
	qemu_log_mask(LOG_GUEST_ERROR,
		      "rnpu: job %" PRIu64 " failed: %s at +%u: %s\n",
		      job->seqno, rnpu_model_status_name(res.status),
		      res.err_offset, res.msg);
}

void rnpu_exec_job(RnpuState *s, const struct rnpu_job_desc *job,
		   uint32_t fi, uint64_t fi_addr, struct rnpu_outcome *out)
{
	struct rnpu_fault f;
	void *stream;

	memset(out, 0, sizeof(*out));
	out->cycles = s->cfg.cmd_overhead_cycles;

	if (!desc_ok(job)) {
		out->err = RNPU_ERR_BAD_JOB;
		out->irq = RNPU_IRQ_JOB_ERROR;
		return;
	}
	if (job->flags & RNPU_JOB_F_SCRUB_SRAM) {
		/* Before anything of the job: nothing of the last context survives. */
		size_t bytes = (size_t)s->cfg.sram_kib * 1024;
		uint32_t bw = s->cfg.sram_bytes_per_cycle ? s->cfg.sram_bytes_per_cycle : 1;

		memset(rnpu_model_sram(s->model), 0, bytes);
		out->scrub_cycles = (bytes + bw - 1) / bw;
	}
	if (!(s->ctx[job->asid].cfg & RNPU_CTX_CFG_VALID)) {
		f = (struct rnpu_fault){ RNPU_FAULT_BAD_CTX, false, job->cmd_va };
		mmu_failure(s, job->asid, &f, out);
		return;
	}
	if (fi == RNPU_FI_MMU_FAULT) {
		f = (struct rnpu_fault){ RNPU_FAULT_TRANSLATION, false, fi_addr };
		mmu_failure(s, job->asid, &f, out);
		return;
	}

	stream = g_try_malloc(job->cmd_size);
	if (!stream) {
		out->err = RNPU_ERR_BAD_JOB;
		out->detail = RNPU_MS_NO_MEMORY;
		out->irq = RNPU_IRQ_JOB_ERROR;
		return;
	}
	if (rnpu_mmu_read(s, job->asid, job->cmd_va, stream, job->cmd_size, &f)) {
		mmu_failure(s, job->asid, &f, out);
		goto done;
	}
	out->dram_rd = job->cmd_size;

	if (fi == RNPU_FI_INVALID_CMD) {
		out->err = RNPU_ERR_INVALID_CMD;
		out->detail = RNPU_MS_BAD_OPCODE;
		out->err_offset = sizeof(struct rnpu_cs_header);
		out->irq = RNPU_IRQ_JOB_ERROR;
		goto done;
	}
	run_model(s, job, stream, out);
done:
	g_free(stream);
}

