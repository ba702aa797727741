// SPDX-License-Identifier: MIT
/*
 * rnpu-model-selftest: runs a representative layer on the golden model,
 * checks it against a naive reference computed here, and prints the
 * modelled cost at every operating point.  `make demo` runs it when the
 * rest of the stack is missing; it is also a quick smoke test of a build.
 *
 * The layer: int8 3x3 convolution, 32 -> 32 channels on 56x56, stride 1,
 * pad 1, int32 bias, ReLU, once with all tensors in DRAM and once with the
 * activations in the SRAM window.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_model.h"

#define C 32
#define HW 56
#define DRAM_SIZE (1u << 20)

struct mem {
	uint8_t *buf;
};

static int mem_read(void *opaque, uint64_t va, void *dst, uint64_t len)
{
	struct mem *m = opaque;

	if (va + len > DRAM_SIZE)
		return -1;
	memcpy(dst, m->buf + va, len);
	return 0;
}

static int mem_write(void *opaque, uint64_t va, const void *src, uint64_t len)
{
	struct mem *m = opaque;

	if (va + len > DRAM_SIZE)
		return -1;
	memcpy(m->buf + va, src, len);
	return 0;
}

static uint32_t f32_bits(float f)
{
	uint32_t b;

	memcpy(&b, &f, 4);
	return b;
}

static struct rnpu_tensor_desc td(uint64_t va, uint8_t dt, uint32_t n0,
				  uint32_t n1, uint32_t n2, uint32_t n3, float s)
{
	struct rnpu_tensor_desc t;
	uint32_t es = dt == RNPU_DT_INT32 ? 4 : 1;

	memset(&t, 0, sizeof(t));
	t.va = va;
	t.dtype = dt;
	t.rank = n1 ? 4 : 1;
	t.dims[0] = n0;
	t.dims[1] = n1 ? n1 : 1;
	t.dims[2] = n1 ? n2 : 1;
	t.dims[3] = n1 ? n3 : 1;
	t.strides[t.rank - 1] = es;
	if (n1) {
		t.strides[2] = n3 * es;
		t.strides[1] = n2 * n3 * es;
		t.strides[0] = n1 * n2 * n3 * es;
	}
	t.scale = f32_bits(s);
	return t;
}

struct stream {
	struct rnpu_cs_header h;
	struct rnpu_cmd_conv2d conv;
};

static void build(struct stream *s, uint64_t in_va, uint64_t out_va)
{
	memset(s, 0, sizeof(*s));
	s->h = (struct rnpu_cs_header){ .magic = RNPU_CS_MAGIC,
		.version = RNPU_CS_VERSION, .header_size = sizeof(s->h),
		.total_size = sizeof(*s), .num_cmds = 1 };
	s->conv.hdr = (struct rnpu_cmd_hdr){ RNPU_OP_CONV2D, sizeof(s->conv) };
	s->conv.stride[0] = s->conv.stride[1] = 1;
	s->conv.dilation[0] = s->conv.dilation[1] = 1;
	s->conv.pad[0] = s->conv.pad[1] = s->conv.pad[2] = s->conv.pad[3] = 1;
	s->conv.groups = 1;
	s->conv.act.func = RNPU_ACT_RELU;
	s->conv.in = td(in_va, RNPU_DT_INT8, 1, C, HW, HW, 0.05f);
	s->conv.weight = td(0x10000, RNPU_DT_INT8, C, C, 3, 3, 0.01f);
	s->conv.bias = td(0x20000, RNPU_DT_INT32, C, 0, 0, 0, 0.0005f);
	s->conv.out = td(out_va, RNPU_DT_INT8, 1, C, HW, HW, 0.1f);
}

/* The layer computed directly from the formula, no tiling, no tricks. */
static int8_t reference(const int8_t *x, const int8_t *w, const int32_t *b,
			int oc, int oy, int ox)
{
	int64_t acc = b[oc];
	double y;
	int ic, ky, kx;

	for (ic = 0; ic < C; ic++)
		for (ky = 0; ky < 3; ky++)
			for (kx = 0; kx < 3; kx++) {
				int iy = oy + ky - 1, ix = ox + kx - 1;

				if (iy >= 0 && iy < HW && ix >= 0 && ix < HW)
					acc += (int64_t)x[(ic * HW + iy) * HW + ix] *
					       w[((oc * C + ic) * 3 + ky) * 3 + kx];
			}
	y = (double)acc * ((double)0.05f * (double)0.01f);
	y = rint((y > 0 ? y : 0) / (double)0.1f);
	return (int8_t)(y > 127 ? 127 : y < -128 ? -128 : y);
}

static int run(struct rnpu_model *m, struct mem *mem, const char *name,
	       uint64_t in_va, uint64_t out_va, const int8_t *x)
{
	const struct rnpu_model_config *cfg = rnpu_model_get_config(m);
	struct rnpu_mem_ops ops = { mem_read, mem_write, NULL, mem };
	uint8_t *sram = rnpu_model_sram(m);
	const int8_t *out, *w = (int8_t *)(mem->buf + 0x10000);
	const int32_t *b = (int32_t *)(mem->buf + 0x20000);
	struct rnpu_model_result res;
	struct stream s;
	uint64_t peak = (uint64_t)cfg->mac_rows * cfg->mac_cols;
	int bad = 0, oc, y, xx;
	unsigned int i;

	build(&s, in_va, out_va);
	if (in_va >= RNPU_SRAM_VA)
		memcpy(sram + (in_va - RNPU_SRAM_VA), x, C * HW * HW);
	else
		memcpy(mem->buf + in_va, x, C * HW * HW);
	if (rnpu_model_run(m, &s, sizeof(s), &ops, 0, &res, NULL, 0)) {
		printf("%s: model error %s: %s\n", name,
		       rnpu_model_status_name(res.status), res.msg);
		return 1;
	}
	out = (const int8_t *)(out_va >= RNPU_SRAM_VA ?
			       sram + (out_va - RNPU_SRAM_VA) : mem->buf + out_va);
	for (oc = 0; oc < C; oc++)
		for (y = 0; y < HW; y++)
			for (xx = 0; xx < HW; xx++)
				bad += out[(oc * HW + y) * HW + xx] !=
				       reference(x, w, b, oc, y, xx);
	printf("%s: %" PRIu64 " cycles (compute %" PRIu64 "), %" PRIu64
	       " MACs, MAC utilization %.1f%%, DRAM %" PRIu64 " B, SRAM %" PRIu64
	       " B, %d mismatches\n", name, res.cycles, res.compute_cycles,
	       res.macs, 100.0 * res.macs / ((double)res.cycles * peak),
	       res.dram_rd_bytes + res.dram_wr_bytes, res.sram_bytes, bad);
	for (i = 0; i < cfg->num_opp; i++)
		printf("  %4u MHz: %8.1f us\n", cfg->opp_mhz[i],
		       rnpu_cycles_to_ns(res.cycles, cfg->opp_mhz[i]) / 1000.0);
	return bad != 0;
}

int main(void)
{
	struct rnpu_model_config cfg;
	struct rnpu_model *m;
	struct mem mem;
	int8_t *x;
	int fail = 0;
	unsigned int i;

	rnpu_model_default_config(&cfg);
	m = rnpu_model_create(&cfg);
	mem.buf = calloc(1, DRAM_SIZE);
	x = malloc(C * HW * HW);
	if (!m || !mem.buf || !x) {
		fprintf(stderr, "rnpu-model-selftest: out of memory\n");
		return 1;
	}
	printf("rnpu golden model: %ux%u int8 MAC array, %u vector lanes, %u KiB SRAM, DRAM %u B/cycle\n",
	       cfg.mac_rows, cfg.mac_cols, cfg.vec_lanes, cfg.sram_kib,
	       cfg.dram_bytes_per_cycle);
	srand(1);
	for (i = 0; i < C * HW * HW; i++)
		x[i] = (int8_t)(rand() % 256 - 128);
	for (i = 0; i < C * C * 9; i++)
		mem.buf[0x10000 + i] = (uint8_t)(rand() % 256);
	for (i = 0; i < C; i++) {
		int32_t bias = rand() % 2001 - 1000;

		memcpy(mem.buf + 0x20000 + 4 * i, &bias, 4);
	}
	fail |= run(m, &mem, "conv3x3 int8, DRAM", 0x30000, 0x60000, x);
	fail |= run(m, &mem, "conv3x3 int8, SRAM", RNPU_SRAM_VA,
		    RNPU_SRAM_VA + 0x40000, x);
	printf("%s\n", fail ? "SELFTEST FAILED" : "selftest passed");
	free(x);
	free(mem.buf);
	rnpu_model_destroy(m);
	return fail;
}
