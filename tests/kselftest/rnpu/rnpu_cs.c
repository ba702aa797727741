// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command-stream encoding for the rnpu kselftests (hw/include/rnpu_cmd.h).
 * Streams are written straight into a mapped command BO.
 */
#include <string.h>

#include "rnpu_ksft.h"

#define F32_ONE	0x3f800000u

void rnpu_cs_begin(struct rnpu_cs *cs, void *buf, uint32_t cap)
{
	cs->buf = buf;
	cs->cap = cap;
	cs->len = sizeof(struct rnpu_cs_header);
	cs->overflow = false;
	memset(buf, 0, sizeof(struct rnpu_cs_header));
}

void *rnpu_cs_put(struct rnpu_cs *cs, uint16_t opcode, uint16_t size)
{
	struct rnpu_cs_header *h = (void *)cs->buf;
	struct rnpu_cmd_hdr *c;

	if (cs->len + size > cs->cap) {
		cs->overflow = true;
		return NULL;
	}
	c = (void *)(cs->buf + cs->len);
	memset(c, 0, size);
	c->opcode = opcode;
	c->size = size;
	cs->len += size;
	h->num_cmds++;
	return c;
}

uint32_t rnpu_cs_end(struct rnpu_cs *cs)
{
	struct rnpu_cs_header *h = (void *)cs->buf;

	h->magic = RNPU_CS_MAGIC;
	h->version = RNPU_CS_VERSION;
	h->header_size = sizeof(*h);
	h->total_size = cs->len;
	return cs->len;
}

uint32_t rnpu_dtype_size(uint8_t dtype)
{
	switch (dtype) {
	case RNPU_DT_INT8:
	case RNPU_DT_UINT8:
		return 1;
	case RNPU_DT_FP16:
		return 2;
	case RNPU_DT_INT32:
	case RNPU_DT_FP32:
		return 4;
	default:
		return 0;
	}
}

static bool quantized(uint8_t dtype)
{
	return dtype == RNPU_DT_INT8 || dtype == RNPU_DT_UINT8 ||
	       dtype == RNPU_DT_INT32;
}

struct rnpu_tensor_desc rnpu_td(uint64_t va, uint8_t dtype, uint32_t rank,
				const uint32_t *dims)
{
	struct rnpu_tensor_desc t;
	uint32_t stride = rnpu_dtype_size(dtype);
	int k;

	memset(&t, 0, sizeof(t));
	t.va = va;
	t.dtype = dtype;
	t.rank = rank;
	for (k = 0; k < RNPU_MAX_RANK; k++)
		t.dims[k] = 1;
	for (k = rank - 1; k >= 0; k--) {
		t.dims[k] = dims[k];
		t.strides[k] = stride;
		stride *= dims[k];
	}
	/* Unit scale, zero point 0: quantized values are plain integers. */
	if (quantized(dtype))
		t.scale = F32_ONE;
	return t;
}

struct rnpu_tensor_desc rnpu_td_1d(uint64_t va, uint32_t n, uint8_t dtype)
{
	return rnpu_td(va, dtype, 1, &n);
}

void rnpu_cs_dma(struct rnpu_cs *cs, uint64_t src, uint64_t dst, uint32_t bytes)
{
	struct rnpu_cmd_dma *c = rnpu_cs_put(cs, RNPU_OP_DMA, sizeof(*c));

	if (!c)
		return;
	c->src = rnpu_td_1d(src, bytes, RNPU_DT_INT8);
	c->dst = rnpu_td_1d(dst, bytes, RNPU_DT_INT8);
}

void rnpu_cs_nops(struct rnpu_cs *cs, uint32_t count)
{
	while (count-- && rnpu_cs_put(cs, RNPU_OP_NOP, sizeof(struct rnpu_cmd_hdr)))
		;
}

void rnpu_cs_eltwise(struct rnpu_cs *cs, uint32_t op, uint8_t dtype,
		     uint64_t a, uint64_t b, uint64_t out, uint32_t n)
{
	struct rnpu_cmd_eltwise *c = rnpu_cs_put(cs, RNPU_OP_ELTWISE, sizeof(*c));

	if (!c)
		return;
	c->op = op;
	c->act.func = RNPU_ACT_NONE;
	c->a = rnpu_td_1d(a, n, dtype);
	c->b = rnpu_td_1d(b, n, dtype);
	c->out = rnpu_td_1d(out, n, dtype);
}

void rnpu_cs_conv2d(struct rnpu_cs *cs, const struct rnpu_tensor_desc *in,
		    const struct rnpu_tensor_desc *w,
		    const struct rnpu_tensor_desc *bias,
		    const struct rnpu_tensor_desc *out, uint16_t stride,
		    uint16_t pad)
{
	struct rnpu_cmd_conv2d *c = rnpu_cs_put(cs, RNPU_OP_CONV2D, sizeof(*c));
	int i;

	if (!c)
		return;
	c->stride[0] = c->stride[1] = stride;
	c->dilation[0] = c->dilation[1] = 1;
	for (i = 0; i < 4; i++)
		c->pad[i] = pad;
	c->groups = 1;
	c->act.func = RNPU_ACT_NONE;
	c->in = *in;
	c->weight = *w;
	if (bias)
		c->bias = *bias;
	c->out = *out;
}

/* Round-to-nearest-even conversion; the tests only use finite values. */
uint16_t rnpu_f32_to_f16(float f)
{
	_Float16 h = (_Float16)f;
	uint16_t bits;

	memcpy(&bits, &h, sizeof(bits));
	return bits;
}

float rnpu_f16_to_f32(uint16_t bits)
{
	_Float16 h;

	memcpy(&h, &bits, sizeof(h));
	return (float)h;
}
