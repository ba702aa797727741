// SPDX-License-Identifier: MIT
/*
 * The timing model (hw/SPEC.md, "Timing"): a command costs its issue
 * overhead plus the slowest of its compute, DRAM and SRAM time.  It is
 * computed from the descriptors alone, so the watchdog can decide before
 * a command runs and the compiler can predict costs without running.
 */
#include "rnpu_model_int.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return b ? (a + b - 1) / b : 0;
}

/* Bytes a tensor moves: broadcast (stride 0) dimensions are fetched once. */
static uint64_t footprint(const struct rnpu_tensor_desc *t)
{
	uint64_t n = dtype_size(t->dtype);
	unsigned int k;

	if (!t->va)
		return 0;
	for (k = 0; k < t->rank; k++)
		if (t->strides[k])
			n *= t->dims[k];
	if (t->flags & RNPU_TD_PER_CHANNEL)
		n += 4ull * t->dims[t->q_axis];
	return n;
}

struct traffic {
	uint64_t rd, wr, sram;
};

static void count(struct traffic *tr, const struct rnpu_tensor_desc *t, bool write)
{
	uint64_t b = footprint(t);

	if (t->va >= RNPU_SRAM_VA)
		tr->sram += b;
	else if (write)
		tr->wr += b;
	else
		tr->rd += b;
}

static uint32_t half_or_one(uint32_t v)
{
	return v / 2 ? v / 2 : 1;
}

static uint64_t conv_compute(const struct rnpu_model_config *cfg,
			     const struct rnpu_cmd_conv2d *c, uint64_t *macs)
{
	uint64_t rows = cfg->mac_rows, cols = cfg->mac_cols;
	uint64_t g = c->groups, L, G, rpass, cpass, pix;

	if (c->in.dtype == RNPU_DT_FP16)
		cols = half_or_one(cfg->mac_cols);
	L = (uint64_t)c->weight.dims[1] * c->weight.dims[2] * c->weight.dims[3];
	G = c->weight.dims[0] / g;
	pix = (uint64_t)c->out.dims[0] * c->out.dims[2] * c->out.dims[3];
	*macs = pix * c->weight.dims[0] * L;
	rpass = div_up(L, rows);
	if (G >= cols)
		cpass = g * div_up(G, cols);
	else
		cpass = div_up(g, cols / G);
	return pix * rpass * cpass;
}

static uint64_t matmul_compute(const struct rnpu_model_config *cfg,
			       const struct rnpu_cmd_matmul *c, uint64_t *macs)
{
	uint32_t r = c->a.rank;
	uint64_t cols = c->a.dtype == RNPU_DT_FP16 ? half_or_one(cfg->mac_cols) :
						       cfg->mac_cols;
	uint64_t M = c->a.dims[r - 2], K = c->a.dims[r - 1], N = c->out.dims[r - 1];
	uint64_t batch = td_elems(&c->out) / (M * N);

	*macs = batch * M * N * K;
	return batch * M * div_up(K, cfg->mac_rows) * div_up(N, cols);
}

static uint64_t act_weight(uint8_t func)
{
	switch (func) {
	case RNPU_ACT_SIGMOID:
	case RNPU_ACT_TANH:
	case RNPU_ACT_GELU:
	case RNPU_ACT_ELU:
		return 4;
	default:
		return 1;
	}
}

/* Vector-unit work in element-operations, and the dtype that sets the lanes. */
static uint64_t vec_work(const struct cmd *c, uint8_t *dtype)
{
	const struct rnpu_cmd_pool *p = &c->u.pool;

	switch (c->opcode) {
	case RNPU_OP_ELTWISE:
		*dtype = c->u.elt.out.dtype;
		return td_elems(&c->u.elt.out);
	case RNPU_OP_ACT:
		*dtype = c->u.act.out.dtype;
		return td_elems(&c->u.act.out) * act_weight(c->u.act.act.func);
	case RNPU_OP_POOL:
		*dtype = p->out.dtype;
		if (p->op == RNPU_POOL_GLOBAL_MAX || p->op == RNPU_POOL_GLOBAL_AVG)
			return td_elems(&p->out) * p->in.dims[2] * p->in.dims[3];
		return td_elems(&p->out) * p->kernel[0] * p->kernel[1];
	case RNPU_OP_SOFTMAX:
		*dtype = c->u.sm.in.dtype;
		return 3 * td_elems(&c->u.sm.in);
	case RNPU_OP_LAYERNORM:
		*dtype = c->u.ln.in.dtype;
		return 4 * td_elems(&c->u.ln.in);
	case RNPU_OP_RESIZE:
		*dtype = c->u.rs.out.dtype;
		return td_elems(&c->u.rs.out) *
		       (c->u.rs.mode == RNPU_RESIZE_BILINEAR ? 4 : 1);
	default:
		return 0;
	}
}

void cmd_cost(const struct rnpu_model_config *cfg, const struct cmd *c,
	      struct rnpu_cmd_cost *cost, uint64_t *dram_rd, uint64_t *dram_wr)
{
	struct traffic tr = { 0 };
	uint64_t compute = 0, macs = 0, work, mem;
	uint8_t dt = 0;

	switch (c->opcode) {
	case RNPU_OP_DMA:
		count(&tr, &c->u.dma.src, false);
		count(&tr, &c->u.dma.dst, true);
		break;
	case RNPU_OP_CONV2D:
		count(&tr, &c->u.conv.in, false);
		count(&tr, &c->u.conv.weight, false);
		count(&tr, &c->u.conv.bias, false);
		count(&tr, &c->u.conv.out, true);
		compute = conv_compute(cfg, &c->u.conv, &macs);
		break;
	case RNPU_OP_MATMUL:
		count(&tr, &c->u.mm.a, false);
		count(&tr, &c->u.mm.b, false);
		count(&tr, &c->u.mm.bias, false);
		count(&tr, &c->u.mm.out, true);
		compute = matmul_compute(cfg, &c->u.mm, &macs);
		break;
	case RNPU_OP_ELTWISE:
		count(&tr, &c->u.elt.a, false);
		count(&tr, &c->u.elt.b, false);
		count(&tr, &c->u.elt.out, true);
		break;
	case RNPU_OP_ACT:
		count(&tr, &c->u.act.in, false);
		count(&tr, &c->u.act.out, true);
		break;
	case RNPU_OP_POOL:
		count(&tr, &c->u.pool.in, false);
		count(&tr, &c->u.pool.out, true);
		break;
	case RNPU_OP_SOFTMAX:
		count(&tr, &c->u.sm.in, false);
		count(&tr, &c->u.sm.out, true);
		break;
	case RNPU_OP_LAYERNORM:
		count(&tr, &c->u.ln.in, false);
		count(&tr, &c->u.ln.gamma, false);
		count(&tr, &c->u.ln.beta, false);
		count(&tr, &c->u.ln.out, true);
		break;
	case RNPU_OP_RESIZE:
		count(&tr, &c->u.rs.in, false);
		count(&tr, &c->u.rs.out, true);
		break;
	default:
		break;
	}
	work = vec_work(c, &dt);
	if (work)
		compute = div_up(work, dt == RNPU_DT_FP16 ?
				 half_or_one(cfg->vec_lanes) : cfg->vec_lanes);
	mem = div_up(tr.rd + tr.wr, cfg->dram_bytes_per_cycle);
	if (div_up(tr.sram, cfg->sram_bytes_per_cycle) > mem)
		mem = div_up(tr.sram, cfg->sram_bytes_per_cycle);

	cost->offset = c->offset;
	cost->opcode = c->opcode;
	cost->reserved = 0;
	cost->compute_cycles = compute;
	cost->mem_cycles = mem;
	cost->cycles = cfg->cmd_overhead_cycles + (compute > mem ? compute : mem);
	cost->macs = macs;
	cost->dram_bytes = tr.rd + tr.wr;
	cost->sram_bytes = tr.sram;
	*dram_rd = tr.rd;
	*dram_wr = tr.wr;
}
