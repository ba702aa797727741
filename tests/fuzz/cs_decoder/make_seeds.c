// SPDX-License-Identifier: MIT
/*
 * Seed corpus for fuzz_cs: one small valid stream per opcode (and one with
 * all of them), written to DIR/opN.rncs.
 *   rnpu-cs-seeds DIR
 */
#include <stdio.h>
#include <string.h>

#include "rnpu_model.h"

static uint8_t buf[8192];
static size_t len;
static uint32_t ncmds;

static void *cmd(uint16_t op, uint16_t size)
{
	struct rnpu_cmd_hdr h = { op, size };
	void *p = buf + len;

	memset(p, 0, size);
	memcpy(p, &h, sizeof(h));
	len += size;
	ncmds++;
	return p;
}

static struct rnpu_tensor_desc td(uint64_t va, uint8_t dt, uint32_t d0, uint32_t d1,
				  uint32_t d2, uint32_t d3, uint8_t rank)
{
	struct rnpu_tensor_desc t;
	uint32_t es = dt == RNPU_DT_FP16 ? 2 : dt == RNPU_DT_INT8 ? 1 : 4, s = es;
	uint32_t d[4] = { d0, d1, d2, d3 };
	float one = 1.0f;
	int k;

	memset(&t, 0, sizeof(t));
	t.va = va;
	t.dtype = dt;
	t.rank = rank;
	for (k = 0; k < 4; k++)
		t.dims[k] = k < rank ? d[k] : 1;
	for (k = rank; k-- > 0;) {
		t.strides[k] = s;
		s *= t.dims[k];
	}
	if (dt == RNPU_DT_INT8 || dt == RNPU_DT_INT32)
		memcpy(&t.scale, &one, 4);
	return t;
}

static void add(int op)
{
	switch (op) {
	case RNPU_OP_NOP:
	case RNPU_OP_SYNC:
		cmd((uint16_t)op, 4);
		break;
	case RNPU_OP_DMA: {
		struct rnpu_cmd_dma *c = cmd(RNPU_OP_DMA, sizeof(*c));
		c->src = td(0x100, RNPU_DT_INT8, 4, 8, 1, 1, 2);
		c->dst = td(RNPU_SRAM_VA, RNPU_DT_FP16, 4, 8, 1, 1, 2);
		break;
	}
	case RNPU_OP_CONV2D: {
		struct rnpu_cmd_conv2d *c = cmd(RNPU_OP_CONV2D, sizeof(*c));
		c->stride[0] = c->stride[1] = 1;
		c->dilation[0] = c->dilation[1] = 1;
		c->pad[0] = c->pad[1] = c->pad[2] = c->pad[3] = 1;
		c->groups = 1;
		c->act.func = RNPU_ACT_RELU;
		c->in = td(0x100, RNPU_DT_INT8, 1, 2, 4, 4, 4);
		c->weight = td(0x200, RNPU_DT_INT8, 2, 2, 3, 3, 4);
		c->bias = td(0x300, RNPU_DT_INT32, 2, 1, 1, 1, 1);
		c->out = td(0x400, RNPU_DT_INT8, 1, 2, 4, 4, 4);
		break;
	}
	case RNPU_OP_MATMUL: {
		struct rnpu_cmd_matmul *c = cmd(RNPU_OP_MATMUL, sizeof(*c));
		c->a = td(0x100, RNPU_DT_FP16, 2, 3, 4, 1, 3);
		c->b = td(0x200, RNPU_DT_FP16, 1, 4, 5, 1, 3);
		c->out = td(0x400, RNPU_DT_FP16, 2, 3, 5, 1, 3);
		break;
	}
	case RNPU_OP_ELTWISE: {
		struct rnpu_cmd_eltwise *c = cmd(RNPU_OP_ELTWISE, sizeof(*c));
		c->op = RNPU_ELT_ADD;
		c->a = td(0x100, RNPU_DT_INT8, 2, 8, 1, 1, 2);
		c->b = td(0x200, RNPU_DT_INT8, 1, 8, 1, 1, 2);
		c->out = td(0x400, RNPU_DT_INT8, 2, 8, 1, 1, 2);
		break;
	}
	case RNPU_OP_ACT: {
		struct rnpu_cmd_act *c = cmd(RNPU_OP_ACT, sizeof(*c));
		c->act.func = RNPU_ACT_SIGMOID;
		c->in = td(0x100, RNPU_DT_FP16, 16, 1, 1, 1, 1);
		c->out = td(0x200, RNPU_DT_FP16, 16, 1, 1, 1, 1);
		break;
	}
	case RNPU_OP_POOL: {
		struct rnpu_cmd_pool *c = cmd(RNPU_OP_POOL, sizeof(*c));
		c->op = RNPU_POOL_MAX;
		c->kernel[0] = c->kernel[1] = 2;
		c->stride[0] = c->stride[1] = 2;
		c->in = td(0x100, RNPU_DT_INT8, 1, 2, 4, 4, 4);
		c->out = td(0x200, RNPU_DT_INT8, 1, 2, 2, 2, 4);
		break;
	}
	case RNPU_OP_SOFTMAX: {
		struct rnpu_cmd_softmax *c = cmd(RNPU_OP_SOFTMAX, sizeof(*c));
		c->axis = 1;
		c->in = td(0x100, RNPU_DT_FP16, 2, 8, 1, 1, 2);
		c->out = td(0x200, RNPU_DT_FP16, 2, 8, 1, 1, 2);
		break;
	}
	case RNPU_OP_LAYERNORM: {
		struct rnpu_cmd_layernorm *c = cmd(RNPU_OP_LAYERNORM, sizeof(*c));
		float eps = 1e-5f;
		memcpy(&c->epsilon, &eps, 4);
		c->in = td(0x100, RNPU_DT_FP16, 2, 8, 1, 1, 2);
		c->gamma = td(0x300, RNPU_DT_FP16, 8, 1, 1, 1, 1);
		c->out = td(0x200, RNPU_DT_FP16, 2, 8, 1, 1, 2);
		break;
	}
	case RNPU_OP_RESIZE: {
		struct rnpu_cmd_resize *c = cmd(RNPU_OP_RESIZE, sizeof(*c));
		float two = 2.0f;
		c->mode = RNPU_RESIZE_BILINEAR;
		memcpy(&c->scale[0], &two, 4);
		memcpy(&c->scale[1], &two, 4);
		c->in = td(0x100, RNPU_DT_FP16, 1, 2, 3, 3, 4);
		c->out = td(0x200, RNPU_DT_FP16, 1, 2, 6, 6, 4);
		break;
	}
	}
}

static int write_stream(const char *dir, const char *name)
{
	struct rnpu_cs_header h;
	char path[4096];
	FILE *f;

	memset(&h, 0, sizeof(h));
	h.magic = RNPU_CS_MAGIC;
	h.version = RNPU_CS_VERSION;
	h.header_size = sizeof(h);
	h.total_size = (uint32_t)len;
	h.num_cmds = ncmds;
	memcpy(buf, &h, sizeof(h));
	snprintf(path, sizeof(path), "%s/%s.rncs", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len)
		return 1;
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	char name[32];
	int op, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (op = 0; op < RNPU_OP_COUNT; op++) {
		len = sizeof(struct rnpu_cs_header);
		ncmds = 0;
		add(op);
		snprintf(name, sizeof(name), "op%d", op);
		rc |= write_stream(argv[1], name);
	}
	len = sizeof(struct rnpu_cs_header);
	ncmds = 0;
	for (op = 0; op < RNPU_OP_COUNT; op++)
		add(op);
	rc |= write_stream(argv[1], "all");
	return rc;
}
