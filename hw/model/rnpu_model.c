// SPDX-License-Identifier: MIT
/*
 * The golden model's entry points: configuration, lifetime, validation and
 * the run loop (validate everything, then execute command by command with
 * the watchdog checked before each one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_model_int.h"

void rnpu_model_default_config(struct rnpu_model_config *cfg)
{
	static const uint32_t mhz[] = { 200, 400, 600, 800, 1000 };
	static const uint32_t uv[] = { 600000, 650000, 750000, 850000, 950000 };
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mac_rows = 32;
	cfg->mac_cols = 32;
	cfg->vec_lanes = 64;
	cfg->sram_kib = 1024;
	cfg->dram_bytes_per_cycle = 32;
	cfg->sram_bytes_per_cycle = 256;
	cfg->cmd_overhead_cycles = 64;
	cfg->num_opp = 5;
	for (i = 0; i < 5; i++) {
		cfg->opp_mhz[i] = mhz[i];
		cfg->opp_uv[i] = uv[i];
	}
}

struct rnpu_model *rnpu_model_create(const struct rnpu_model_config *cfg)
{
	struct rnpu_model *m;

	/* The SRAM window is at most 4 GiB: RNPU_SRAM_VA up to 1 << 39. */
	if (!cfg || !cfg->mac_rows || !cfg->mac_cols || !cfg->vec_lanes ||
	    !cfg->sram_kib || cfg->sram_kib > (1u << 22) ||
	    !cfg->dram_bytes_per_cycle || !cfg->sram_bytes_per_cycle ||
	    !cfg->num_opp || cfg->num_opp > RNPU_MAX_OPP)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->sram_bytes = (uint64_t)cfg->sram_kib * 1024;
	m->sram = calloc(1, (size_t)m->sram_bytes);
	if (!m->sram) {
		free(m);
		return NULL;
	}
	return m;
}

void rnpu_model_destroy(struct rnpu_model *m)
{
	if (!m)
		return;
	free(m->sram);
	free(m);
}

const struct rnpu_model_config *rnpu_model_get_config(const struct rnpu_model *m)
{
	return &m->cfg;
}

void *rnpu_model_sram(struct rnpu_model *m)
{
	return m->sram;
}

static enum rnpu_model_status check_all(const void *stream, size_t len,
					uint64_t sram_bytes,
					struct rnpu_model_result *res)
{
	struct decoder d;
	struct cmd c;
	enum rnpu_model_status st;

	st = dec_header(&d, stream, len, sram_bytes, res);
	while (st == RNPU_MS_OK)
		st = dec_next(&d, &c);
	if (st != RNPU_MS_COUNT)
		return st;
	res->err_offset = 0;
	res->err_cmd = 0;
	res->status = RNPU_MS_OK;
	return RNPU_MS_OK;
}

enum rnpu_model_status rnpu_model_validate(const void *stream, size_t len,
					   struct rnpu_model_result *res)
{
	struct rnpu_model_result local;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	return check_all(stream, len, (1ull << RNPU_VA_BITS) - RNPU_SRAM_VA, res);
}

/* One command's cost into a run's totals. */
static void add_cost(struct rnpu_model_result *res,
		     const struct rnpu_cmd_cost *cost, uint64_t rd, uint64_t wr)
{
	res->cycles += cost->cycles;
	res->compute_cycles += cost->compute_cycles;
	res->macs += cost->macs;
	res->dram_rd_bytes += rd;
	res->dram_wr_bytes += wr;
	res->sram_bytes += cost->sram_bytes;
}

enum rnpu_model_status rnpu_model_estimate(const struct rnpu_model_config *cfg,
					   const void *stream, size_t len,
					   struct rnpu_model_result *res)
{
	struct rnpu_model_result local;
	enum rnpu_model_status st;
	struct decoder d;
	struct cmd c;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	st = check_all(stream, len, (uint64_t)cfg->sram_kib * 1024, res);
	if (st)
		return st;
	dec_header(&d, stream, len, (uint64_t)cfg->sram_kib * 1024, res);
	while (dec_next(&d, &c) == RNPU_MS_OK) {
		struct rnpu_cmd_cost cost;
		uint64_t rd, wr;

		cmd_cost(cfg, &c, &cost, &rd, &wr);
		add_cost(res, &cost, rd, wr);
		res->num_cmds++;
	}
	res->status = RNPU_MS_OK;
	return RNPU_MS_OK;
}

/* Stand-in memory for callers that give none: every access faults. */
static int no_mem_rw(void *opaque, uint64_t va, void *buf, uint64_t len)
{
	(void)opaque;
	(void)va;
	(void)buf;
	(void)len;
	return -1;
}

static int no_mem_w(void *opaque, uint64_t va, const void *buf, uint64_t len)
{
	(void)opaque;
	(void)va;
	(void)buf;
	(void)len;
	return -1;
}

static enum rnpu_model_status exec_cmd(struct exec *e, const struct cmd *c)
{
	switch (c->opcode) {
	case RNPU_OP_DMA:
		return exec_dma(e, &c->u.dma);
	case RNPU_OP_CONV2D:
		return exec_conv(e, &c->u.conv);
	case RNPU_OP_MATMUL:
		return exec_matmul(e, &c->u.mm);
	case RNPU_OP_ELTWISE:
		return exec_eltwise(e, &c->u.elt);
	case RNPU_OP_ACT:
		return exec_act(e, &c->u.act);
	case RNPU_OP_POOL:
		return exec_pool(e, &c->u.pool);
	case RNPU_OP_SOFTMAX:
		return exec_softmax(e, &c->u.sm);
	case RNPU_OP_LAYERNORM:
		return exec_layernorm(e, &c->u.ln);
	case RNPU_OP_RESIZE:
		return exec_resize(e, &c->u.rs);
	default:
		return RNPU_MS_OK;	/* NOP, SYNC: ordering only */
	}
}

enum rnpu_model_status rnpu_model_run(struct rnpu_model *m, const void *stream,
				      size_t len, const struct rnpu_mem_ops *mem,
				      uint64_t budget_cycles,
				      struct rnpu_model_result *res,
				      struct rnpu_cmd_cost *costs, size_t max_costs)
{
	static const char *const names[RNPU_OP_COUNT] = {
		"NOP", "SYNC", "DMA", "CONV2D", "MATMUL", "ELTWISE", "ACT",
		"POOL", "SOFTMAX", "LAYERNORM", "RESIZE",
	};
	struct rnpu_mem_ops none = { .read = no_mem_rw, .write = no_mem_w };
	struct rnpu_model_result local;
	struct exec e;
	struct decoder d;
	struct cmd c;
	enum rnpu_model_status st;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (!m)
		return set_error(res, RNPU_MS_NO_MEMORY, 0, "no model");
	if (!mem || !mem->read || !mem->write)
		mem = &none;
	st = check_all(stream, len, m->sram_bytes, res);
	if (st)
		return st;

	e = (struct exec){ .m = m, .mem = mem, .res = res };
	dec_header(&d, stream, len, m->sram_bytes, res);
	while (dec_next(&d, &c) == RNPU_MS_OK) {
		struct rnpu_cmd_cost cost;
		uint64_t rd, wr;

		uint32_t idx = d.index - 1;	/* dec_next moved past c */

		cmd_cost(&m->cfg, &c, &cost, &rd, &wr);
		if (budget_cycles && res->cycles + cost.cycles > budget_cycles) {
			unsigned long long want = res->cycles + cost.cycles;

			res->cycles = budget_cycles;
			res->err_offset = c.offset;
			res->err_cmd = idx;
			return set_error(res, RNPU_MS_WATCHDOG, 0,
					 "cmd %u (%s) @+%u: watchdog: %llu cycles exceed the budget of %llu",
					 idx, names[c.opcode], c.offset, want,
					 (unsigned long long)budget_cycles);
		}
		st = exec_cmd(&e, &c);
		if (st) {
			char why[sizeof(res->msg)];

			memcpy(why, res->msg, sizeof(why));
			snprintf(res->msg, sizeof(res->msg), "cmd %u (%s) @+%u: %.96s",
				 idx, names[c.opcode], c.offset, why);
			res->err_offset = c.offset;
			res->err_cmd = idx;
			/* The failed command costs its issue slot only. */
			res->cycles += m->cfg.cmd_overhead_cycles;
			return st;
		}
		add_cost(res, &cost, rd, wr);
		if (costs && res->num_cmds < max_costs)
			costs[res->num_cmds] = cost;
		res->num_cmds++;
	}
	res->err_offset = 0;
	res->err_cmd = 0;
	return RNPU_MS_OK;
}
