// SPDX-License-Identifier: MIT
/*
 * Stream decoding and validation.  Every field of every command is checked
 * here, before anything executes, so the executing code can trust sizes,
 * shapes and address ranges.  The order of the checks is part of the
 * contract (hw/SPEC.md, "Validation"): tests compare the reported status.
 */
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rnpu_model_int.h"

static const char *const op_names[RNPU_OP_COUNT] = {
	"NOP", "SYNC", "DMA", "CONV2D", "MATMUL", "ELTWISE", "ACT", "POOL",
	"SOFTMAX", "LAYERNORM", "RESIZE",
};

static const uint16_t op_sizes[RNPU_OP_COUNT] = {
	[RNPU_OP_NOP] = sizeof(struct rnpu_cmd_hdr),
	[RNPU_OP_SYNC] = sizeof(struct rnpu_cmd_hdr),
	[RNPU_OP_DMA] = sizeof(struct rnpu_cmd_dma),
	[RNPU_OP_CONV2D] = sizeof(struct rnpu_cmd_conv2d),
	[RNPU_OP_MATMUL] = sizeof(struct rnpu_cmd_matmul),
	[RNPU_OP_ELTWISE] = sizeof(struct rnpu_cmd_eltwise),
	[RNPU_OP_ACT] = sizeof(struct rnpu_cmd_act),
	[RNPU_OP_POOL] = sizeof(struct rnpu_cmd_pool),
	[RNPU_OP_SOFTMAX] = sizeof(struct rnpu_cmd_softmax),
	[RNPU_OP_LAYERNORM] = sizeof(struct rnpu_cmd_layernorm),
	[RNPU_OP_RESIZE] = sizeof(struct rnpu_cmd_resize),
};

enum rnpu_model_status set_error(struct rnpu_model_result *res,
				 enum rnpu_model_status st, uint64_t va,
				 const char *fmt, ...)
{
	va_list ap;

	res->status = st;
	res->fault_va = va;
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	va_end(ap);
	return st;
}

/* Error in the current command, prefixed with where it is. */
static enum rnpu_model_status cerr(struct decoder *d, const struct cmd *c,
				   enum rnpu_model_status st, uint64_t va,
				   const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum rnpu_model_status cerr(struct decoder *d, const struct cmd *c,
				   enum rnpu_model_status st, uint64_t va,
				   const char *fmt, ...)
{
	char detail[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return set_error(d->res, st, va, "cmd %u (%s) @+%u: %s", d->index,
			 op_names[c->opcode], c->offset, detail);
}

enum rnpu_model_status dec_header(struct decoder *d, const void *stream,
				  size_t len, uint64_t sram_bytes,
				  struct rnpu_model_result *res)
{
	struct rnpu_cs_header h;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->res = res;
	res->status = RNPU_MS_OK;
	res->err_offset = 0;
	res->err_cmd = 0;
	res->msg[0] = 0;
	if (!stream || len < sizeof(h))
		return set_error(res, RNPU_MS_TRUNCATED, 0,
				 "stream of %zu bytes is shorter than its %zu-byte header",
				 stream ? len : 0, sizeof(h));
	memcpy(&h, stream, sizeof(h));
	if (h.magic != RNPU_CS_MAGIC)
		return set_error(res, RNPU_MS_BAD_HEADER, 0,
				 "bad magic 0x%08x (want 0x%08x)", h.magic,
				 RNPU_CS_MAGIC);
	if (h.header_size != sizeof(h))
		return set_error(res, RNPU_MS_BAD_HEADER, 0,
				 "header_size %u (want %zu)", h.header_size,
				 sizeof(h));
	if (h.version == 0)
		return set_error(res, RNPU_MS_BAD_HEADER, 0, "version 0");
	if (h.version > RNPU_CS_VERSION)
		return set_error(res, RNPU_MS_BAD_VERSION, 0,
				 "version %u is newer than %u", h.version,
				 RNPU_CS_VERSION);
	if (h.flags)
		return set_error(res, RNPU_MS_BAD_HEADER, 0,
				 "unknown header flags 0x%x", h.flags);
	for (i = 0; i < 3; i++)
		if (h.reserved[i])
			return set_error(res, RNPU_MS_RESERVED, 0,
					 "header reserved[%u] = 0x%x", i,
					 h.reserved[i]);
	if (h.total_size < sizeof(h) || h.total_size > RNPU_CS_MAX_SIZE)
		return set_error(res, RNPU_MS_BAD_HEADER, 0,
				 "total_size %u outside %zu..%u", h.total_size,
				 sizeof(h), RNPU_CS_MAX_SIZE);
	if (h.total_size > len)
		return set_error(res, RNPU_MS_TRUNCATED, 0,
				 "total_size %u but only %zu bytes given",
				 h.total_size, len);
	d->base = stream;
	d->total = h.total_size;
	d->num_cmds = h.num_cmds;
	d->pos = sizeof(h);
	d->sram_end = RNPU_SRAM_VA + sram_bytes;
	return RNPU_MS_OK;
}

static bool range_ok(const struct decoder *d, uint64_t va, uint64_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(va, len, &end))
		return false;
	if (va >= RNPU_SRAM_VA)
		return end <= d->sram_end;
	return end <= RNPU_SRAM_VA;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

enum td_role { TD_IN, TD_OUT, TD_OPT };

/* Encoding, shape, quantization and address range of one descriptor. */
static enum rnpu_model_status check_td(struct decoder *d, const struct cmd *c,
				       const struct rnpu_tensor_desc *t,
				       const char *name, enum td_role role)
{
	uint64_t n = 1, ext = 0, term;
	uint32_t es;
	unsigned int k;

	if (role == TD_OPT && t->va == 0) {
		if (!all_zero(t, sizeof(*t)))
			return cerr(d, c, RNPU_MS_RESERVED, 0,
				    "%s: absent (va 0) but not all zero", name);
		return RNPU_MS_OK;
	}
	if (t->reserved0)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "%s: reserved0 set", name);
	if (t->flags & ~RNPU_TD_PER_CHANNEL)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "%s: unknown flags 0x%x",
			    name, t->flags);
	es = dtype_size(t->dtype);
	if (!es)
		return cerr(d, c, RNPU_MS_BAD_DTYPE, 0, "%s: dtype %u", name,
			    t->dtype);
	if (t->rank < 1 || t->rank > RNPU_MAX_RANK)
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "%s: rank %u", name,
			    t->rank);
	for (k = 0; k < RNPU_MAX_RANK; k++) {
		if (k < t->rank ? t->dims[k] == 0 : t->dims[k] != 1)
			return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
				    "%s: dims[%u] = %u with rank %u", name, k,
				    t->dims[k], t->rank);
		if (k >= t->rank && t->strides[k])
			return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
				    "%s: strides[%u] set beyond rank %u", name,
				    k, t->rank);
		n *= t->dims[k];
		if (n > RNPU_MAX_TENSOR_ELEMS)
			return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
				    "%s: more than %u elements", name,
				    RNPU_MAX_TENSOR_ELEMS);
	}
	if (t->va % es)
		return cerr(d, c, RNPU_MS_BAD_PARAM, t->va,
			    "%s: va 0x%llx not %u-byte aligned", name,
			    (unsigned long long)t->va, es);
	for (k = 0; k < t->rank; k++) {
		if (t->strides[k] % es)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "%s: strides[%u] = %u not a multiple of %u",
				    name, k, t->strides[k], es);
		if (role == TD_OUT && !t->strides[k] && t->dims[k] > 1)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "%s: output broadcast (stride 0) on dims[%u]",
				    name, k);
	}
	if (dtype_integer(t->dtype) && (t->flags & RNPU_TD_PER_CHANNEL)) {
		if (t->q_axis >= t->rank || t->scale || !t->qscale_va ||
		    t->qscale_va % 4)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "%s: per-channel needs q_axis < rank, scale 0 and an aligned qscale_va",
				    name);
		if (!range_ok(d, t->qscale_va, 4ull * t->dims[t->q_axis]))
			return cerr(d, c, RNPU_MS_ADDR_RANGE, t->qscale_va,
				    "%s: per-channel scales out of range", name);
	} else if (t->flags & RNPU_TD_PER_CHANNEL) {
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "%s: per-channel on a float tensor", name);
	} else if (t->q_axis || t->qscale_va) {
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "%s: q_axis/qscale_va without PER_CHANNEL", name);
	} else if (dtype_quantized(t->dtype)) {
		float s = bits_f32(t->scale);

		if (!isfinite(s) || s <= 0)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "%s: scale must be finite and > 0", name);
	} else if (t->dtype == RNPU_DT_INT32) {
		float s = bits_f32(t->scale);

		if (!isfinite(s) || s < 0)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "%s: scale must be finite and >= 0", name);
	} else if (t->scale || t->zero_point) {
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "%s: float tensor with scale/zero_point", name);
	}
	if (dtype_quantized(t->dtype)) {
		int32_t lo = t->dtype == RNPU_DT_INT8 ? -128 : 0;

		if (t->zero_point < lo || t->zero_point > lo + 255)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "%s: zero_point %d out of range", name,
				    t->zero_point);
	}
	for (k = 0; k < t->rank; k++) {
		if (__builtin_mul_overflow((uint64_t)(t->dims[k] - 1),
					   (uint64_t)t->strides[k], &term) ||
		    __builtin_add_overflow(ext, term, &ext))
			return cerr(d, c, RNPU_MS_OVERFLOW, t->va,
				    "%s: extent overflows", name);
	}
	if (__builtin_add_overflow(ext, (uint64_t)es, &ext) ||
	    __builtin_add_overflow(t->va, ext, &term))
		return cerr(d, c, RNPU_MS_OVERFLOW, t->va,
			    "%s: extent overflows", name);
	if (!range_ok(d, t->va, ext))
		return cerr(d, c, RNPU_MS_ADDR_RANGE, t->va,
			    "%s: [0x%llx, +0x%llx) outside DRAM VA space and SRAM window",
			    name, (unsigned long long)t->va,
			    (unsigned long long)ext);
	return RNPU_MS_OK;
}

static bool same_dims(const struct rnpu_tensor_desc *a,
		      const struct rnpu_tensor_desc *b)
{
	return a->rank == b->rank && !memcmp(a->dims, b->dims, sizeof(a->dims));
}

/* 1: INT8/UINT8, 2: FP16, 0: anything else (not computable by vector ops). */
static int dclass(const struct rnpu_tensor_desc *t)
{
	if (dtype_quantized(t->dtype))
		return 1;
	return t->dtype == RNPU_DT_FP16 ? 2 : 0;
}

static enum rnpu_model_status check_act(struct decoder *d, const struct cmd *c,
					const struct rnpu_act_params *a)
{
	bool p0 = false, p1 = false;
	float f0 = bits_f32(a->p0), f1 = bits_f32(a->p1);

	if (a->func >= RNPU_ACT_COUNT)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0, "act func %u", a->func);
	if (!all_zero(a->reserved, sizeof(a->reserved)))
		return cerr(d, c, RNPU_MS_RESERVED, 0, "act reserved set");
	switch (a->func) {
	case RNPU_ACT_CLIP:
	case RNPU_ACT_HARDSIGMOID:
		p0 = p1 = true;
		break;
	case RNPU_ACT_LEAKYRELU:
	case RNPU_ACT_ELU:
		p0 = true;
		break;
	default:
		break;
	}
	if ((!p0 && a->p0) || (!p1 && a->p1))
		return cerr(d, c, RNPU_MS_RESERVED, 0,
			    "act parameters set for a function without them");
	if ((p0 && !isfinite(f0)) || (p1 && !isfinite(f1)))
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "act parameters must be finite");
	if (a->func == RNPU_ACT_CLIP && f0 > f1)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0, "clip min > max");
	return RNPU_MS_OK;
}

#define CHECK(expr)                                     \
	do {                                            \
		enum rnpu_model_status st_ = (expr);    \
		if (st_ != RNPU_MS_OK)                  \
			return st_;                     \
	} while (0)

static enum rnpu_model_status check_dma(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_dma *x = &c->u.dma;

	if (x->reserved)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "reserved set");
	CHECK(check_td(d, c, &x->src, "src", TD_IN));
	CHECK(check_td(d, c, &x->dst, "dst", TD_OUT));
	if (!same_dims(&x->src, &x->dst))
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "src and dst dims differ");
	return RNPU_MS_OK;
}

/*
 * Operand types of CONV2D and MATMUL: int8 path or fp16 path.  waxis and
 * oaxis are the axes on which weight and output may be per-channel.
 */
static enum rnpu_model_status check_mac_types(struct decoder *d, struct cmd *c,
					      const struct rnpu_tensor_desc *in,
					      const struct rnpu_tensor_desc *w,
					      const struct rnpu_tensor_desc *b,
					      const struct rnpu_tensor_desc *out,
					      unsigned int waxis,
					      unsigned int oaxis)
{
	bool quant = dtype_quantized(in->dtype);

	if (quant) {
		if (!dtype_quantized(w->dtype) || !dtype_quantized(out->dtype) ||
		    (b->va && b->dtype != RNPU_DT_INT32))
			return cerr(d, c, RNPU_MS_BAD_DTYPE, 0,
				    "quantized op needs int8/uint8 weights and output, int32 bias");
		if (in->flags & RNPU_TD_PER_CHANNEL)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "input must be per-tensor");
		if ((w->flags & RNPU_TD_PER_CHANNEL) && w->q_axis != waxis)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "weight per-channel axis %u (want %u)",
				    w->q_axis, waxis);
		if ((out->flags & RNPU_TD_PER_CHANNEL) && out->q_axis != oaxis)
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "output per-channel axis %u (want %u)",
				    out->q_axis, oaxis);
		if (b->va && (b->flags & RNPU_TD_PER_CHANNEL))
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "bias must be per-tensor");
		return RNPU_MS_OK;
	}
	if (in->dtype != RNPU_DT_FP16 || w->dtype != RNPU_DT_FP16 ||
	    out->dtype != RNPU_DT_FP16 ||
	    (b->va && b->dtype != RNPU_DT_FP16 && b->dtype != RNPU_DT_FP32))
		return cerr(d, c, RNPU_MS_BAD_DTYPE, 0,
			    "float op needs fp16 input, weights and output, fp16/fp32 bias");
	return RNPU_MS_OK;
}

/* Output size of a window op; -1 when the window does not fit. */
static int64_t win_out(uint32_t in, uint32_t pa, uint32_t pb, uint32_t k,
		       uint32_t dil, uint32_t stride)
{
	int64_t span = (int64_t)in + pa + pb - (int64_t)dil * (k - 1) - 1;

	return span < 0 ? -1 : span / stride + 1;
}

static enum rnpu_model_status check_conv(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_conv2d *x = &c->u.conv;
	const struct rnpu_tensor_desc *in = &x->in, *w = &x->weight, *o = &x->out;
	int64_t oh, ow;

	if (x->reserved0)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "reserved set");
	CHECK(check_act(d, c, &x->act));
	CHECK(check_td(d, c, in, "in", TD_IN));
	CHECK(check_td(d, c, w, "weight", TD_IN));
	CHECK(check_td(d, c, &x->bias, "bias", TD_OPT));
	CHECK(check_td(d, c, o, "out", TD_OUT));
	CHECK(check_mac_types(d, c, in, w, &x->bias, o, 0, 1));
	if (!x->stride[0] || !x->stride[1] || !x->dilation[0] ||
	    !x->dilation[1] || !x->groups)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "stride, dilation and groups must be >= 1");
	if (in->rank != 4 || w->rank != 4 || o->rank != 4)
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "in, weight, out must be rank 4");
	if (in->dims[1] % x->groups || w->dims[0] % x->groups)
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "C %u / OC %u not divisible by groups %u",
			    in->dims[1], w->dims[0], x->groups);
	if (w->dims[1] != in->dims[1] / x->groups)
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "weight dims[1] %u != C %u / groups %u", w->dims[1],
			    in->dims[1], x->groups);
	oh = win_out(in->dims[2], x->pad[0], x->pad[2], w->dims[2],
		     x->dilation[0], x->stride[0]);
	ow = win_out(in->dims[3], x->pad[1], x->pad[3], w->dims[3],
		     x->dilation[1], x->stride[1]);
	if (o->dims[0] != in->dims[0] || o->dims[1] != w->dims[0] ||
	    oh != o->dims[2] || ow != o->dims[3])
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "out [%u,%u,%u,%u] != [%u,%u,%lld,%lld]",
			    o->dims[0], o->dims[1], o->dims[2], o->dims[3],
			    in->dims[0], w->dims[0], (long long)oh,
			    (long long)ow);
	if (x->bias.va && (x->bias.rank != 1 || x->bias.dims[0] != w->dims[0]))
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "bias must be [OC]");
	return RNPU_MS_OK;
}

static enum rnpu_model_status check_matmul(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_matmul *x = &c->u.mm;
	const struct rnpu_tensor_desc *a = &x->a, *b = &x->b, *o = &x->out;
	bool tb = x->flags & RNPU_MATMUL_TRANS_B;
	unsigned int r, k;
	uint32_t bk, bn;

	if (x->flags & ~RNPU_MATMUL_TRANS_B)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "unknown flags 0x%x",
			    x->flags);
	CHECK(check_act(d, c, &x->act));
	CHECK(check_td(d, c, a, "a", TD_IN));
	CHECK(check_td(d, c, b, "b", TD_IN));
	CHECK(check_td(d, c, &x->bias, "bias", TD_OPT));
	CHECK(check_td(d, c, o, "out", TD_OUT));
	r = a->rank;
	if (r < 2 || b->rank != r || o->rank != r)
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "a, b, out must share a rank of 2..4");
	CHECK(check_mac_types(d, c, a, b, &x->bias, o, tb ? r - 2 : r - 1,
			      r - 1));
	bk = tb ? b->dims[r - 1] : b->dims[r - 2];
	bn = tb ? b->dims[r - 2] : b->dims[r - 1];
	if (bk != a->dims[r - 1])
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "K of a %u != K of b %u",
			    a->dims[r - 1], bk);
	if (o->dims[r - 2] != a->dims[r - 2] || o->dims[r - 1] != bn)
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "out is not [.., M, N]");
	for (k = 0; k + 2 < r; k++) {
		uint32_t want = a->dims[k] > b->dims[k] ? a->dims[k] : b->dims[k];

		if ((a->dims[k] != want && a->dims[k] != 1) ||
		    (b->dims[k] != want && b->dims[k] != 1) ||
		    o->dims[k] != want)
			return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
				    "batch dim %u does not broadcast", k);
	}
	if (x->bias.va && (x->bias.rank != 1 || x->bias.dims[0] != bn))
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "bias must be [N]");
	return RNPU_MS_OK;
}

static enum rnpu_model_status check_eltwise(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_eltwise *x = &c->u.elt;
	unsigned int k;

	if (x->op >= RNPU_ELT_COUNT)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0, "op %u", x->op);
	CHECK(check_act(d, c, &x->act));
	CHECK(check_td(d, c, &x->a, "a", TD_IN));
	CHECK(check_td(d, c, &x->b, "b", TD_IN));
	CHECK(check_td(d, c, &x->out, "out", TD_OUT));
	if (!dclass(&x->out) || dclass(&x->a) != dclass(&x->out) ||
	    dclass(&x->b) != dclass(&x->out))
		return cerr(d, c, RNPU_MS_BAD_DTYPE, 0,
			    "a, b, out must all be int8/uint8 or all fp16");
	if (x->a.rank != x->out.rank || x->b.rank != x->out.rank)
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "ranks differ");
	for (k = 0; k < x->out.rank; k++) {
		uint32_t n = x->out.dims[k];

		if ((x->a.dims[k] != n && x->a.dims[k] != 1) ||
		    (x->b.dims[k] != n && x->b.dims[k] != 1))
			return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
				    "dim %u does not broadcast to %u", k, n);
	}
	return RNPU_MS_OK;
}

/* in/out of a vector op: same dtype class, optionally the same dims. */
static enum rnpu_model_status check_unary(struct decoder *d, struct cmd *c,
					  const struct rnpu_tensor_desc *in,
					  const struct rnpu_tensor_desc *out,
					  bool same)
{
	CHECK(check_td(d, c, in, "in", TD_IN));
	CHECK(check_td(d, c, out, "out", TD_OUT));
	if (!dclass(out) || dclass(in) != dclass(out))
		return cerr(d, c, RNPU_MS_BAD_DTYPE, 0,
			    "in and out must both be int8/uint8 or both fp16");
	if (same && !same_dims(in, out))
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0, "in and out dims differ");
	return RNPU_MS_OK;
}

static enum rnpu_model_status check_actcmd(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_act *x = &c->u.act;

	if (x->reserved)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "reserved set");
	CHECK(check_act(d, c, &x->act));
	return check_unary(d, c, &x->in, &x->out, true);
}

static enum rnpu_model_status check_pool(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_pool *x = &c->u.pool;
	const struct rnpu_tensor_desc *in = &x->in, *o = &x->out;
	bool global = x->op == RNPU_POOL_GLOBAL_MAX || x->op == RNPU_POOL_GLOBAL_AVG;
	int64_t oh, ow;

	if (x->op >= RNPU_POOL_COUNT)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0, "op %u", x->op);
	if (x->flags & ~RNPU_POOL_COUNT_PAD)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "unknown flags 0x%x",
			    x->flags);
	if ((x->flags & RNPU_POOL_COUNT_PAD) && x->op != RNPU_POOL_AVG)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0, "COUNT_PAD without AVG");
	CHECK(check_unary(d, c, in, o, false));
	if (in->rank != 4 || o->rank != 4 || o->dims[0] != in->dims[0] ||
	    o->dims[1] != in->dims[1])
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "in/out must be rank 4 with equal N and C");
	if (global) {
		if (!all_zero(x->kernel, sizeof(x->kernel)) ||
		    !all_zero(x->stride, sizeof(x->stride)) ||
		    !all_zero(x->pad, sizeof(x->pad)))
			return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
				    "global pooling takes no kernel/stride/pad");
		if (o->dims[2] != 1 || o->dims[3] != 1)
			return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
				    "global pooling output must be 1x1");
		return RNPU_MS_OK;
	}
	if (!x->kernel[0] || !x->kernel[1] || !x->stride[0] || !x->stride[1])
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "kernel and stride must be >= 1");
	if (x->pad[0] >= x->kernel[0] || x->pad[2] >= x->kernel[0] ||
	    x->pad[1] >= x->kernel[1] || x->pad[3] >= x->kernel[1])
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0, "pad must be < kernel");
	oh = win_out(in->dims[2], x->pad[0], x->pad[2], x->kernel[0], 1,
		     x->stride[0]);
	ow = win_out(in->dims[3], x->pad[1], x->pad[3], x->kernel[1], 1,
		     x->stride[1]);
	if (oh != o->dims[2] || ow != o->dims[3])
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "out %ux%u != %lldx%lld", o->dims[2], o->dims[3],
			    (long long)oh, (long long)ow);
	return RNPU_MS_OK;
}

static enum rnpu_model_status check_softmax(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_softmax *x = &c->u.sm;

	CHECK(check_unary(d, c, &x->in, &x->out, true));
	if (x->axis >= x->in.rank)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0, "axis %u >= rank %u",
			    x->axis, x->in.rank);
	return RNPU_MS_OK;
}

static enum rnpu_model_status check_layernorm(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_layernorm *x = &c->u.ln;
	uint32_t n;
	float eps = bits_f32(x->epsilon);

	if (!isfinite(eps) || eps < 0)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "epsilon must be finite and >= 0");
	CHECK(check_unary(d, c, &x->in, &x->out, true));
	CHECK(check_td(d, c, &x->gamma, "gamma", TD_OPT));
	CHECK(check_td(d, c, &x->beta, "beta", TD_OPT));
	n = x->in.dims[x->in.rank - 1];
	if ((x->gamma.va && (x->gamma.rank != 1 || x->gamma.dims[0] != n)) ||
	    (x->beta.va && (x->beta.rank != 1 || x->beta.dims[0] != n)))
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "gamma/beta must be [%u]", n);
	return RNPU_MS_OK;
}

static enum rnpu_model_status check_resize(struct decoder *d, struct cmd *c)
{
	const struct rnpu_cmd_resize *x = &c->u.rs;
	float sh = bits_f32(x->scale[0]), sw = bits_f32(x->scale[1]);

	if (x->reserved)
		return cerr(d, c, RNPU_MS_RESERVED, 0, "reserved set");
	if (x->mode > RNPU_RESIZE_BILINEAR ||
	    x->coord > RNPU_COORD_PYTORCH_HALF_PIXEL ||
	    x->nearest > RNPU_NEAREST_CEIL)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "mode %u coord %u nearest %u", x->mode, x->coord,
			    x->nearest);
	if (x->mode == RNPU_RESIZE_BILINEAR && x->nearest)
		return cerr(d, c, RNPU_MS_RESERVED, 0,
			    "nearest rounding set for bilinear");
	if (!isfinite(sh) || !isfinite(sw) || sh <= 0 || sw <= 0)
		return cerr(d, c, RNPU_MS_BAD_PARAM, 0,
			    "scales must be finite and > 0");
	CHECK(check_unary(d, c, &x->in, &x->out, false));
	if (x->in.rank != 4 || x->out.rank != 4 ||
	    x->in.dims[0] != x->out.dims[0] || x->in.dims[1] != x->out.dims[1])
		return cerr(d, c, RNPU_MS_BAD_SHAPE, 0,
			    "in/out must be rank 4 with equal N and C");
	return RNPU_MS_OK;
}

/* Compiler-inserted padding of the command structs (8-byte alignment of
 * the tensor descriptors), byte ranges relative to the command. */
static const struct {
	uint16_t op, off, len;
} pads[] = {
	{ RNPU_OP_CONV2D, offsetof(struct rnpu_cmd_conv2d, act) + sizeof(struct rnpu_act_params),
	  offsetof(struct rnpu_cmd_conv2d, in) - offsetof(struct rnpu_cmd_conv2d, act) -
		  sizeof(struct rnpu_act_params) },
	{ RNPU_OP_MATMUL, offsetof(struct rnpu_cmd_matmul, act) + sizeof(struct rnpu_act_params),
	  offsetof(struct rnpu_cmd_matmul, a) - offsetof(struct rnpu_cmd_matmul, act) -
		  sizeof(struct rnpu_act_params) },
	{ RNPU_OP_ELTWISE, offsetof(struct rnpu_cmd_eltwise, act) + sizeof(struct rnpu_act_params),
	  offsetof(struct rnpu_cmd_eltwise, a) - offsetof(struct rnpu_cmd_eltwise, act) -
		  sizeof(struct rnpu_act_params) },
	{ RNPU_OP_ACT, offsetof(struct rnpu_cmd_act, act) + sizeof(struct rnpu_act_params),
	  offsetof(struct rnpu_cmd_act, in) - offsetof(struct rnpu_cmd_act, act) -
		  sizeof(struct rnpu_act_params) },
};

enum rnpu_model_status dec_next(struct decoder *d, struct cmd *c)
{
	struct rnpu_cmd_hdr h;
	uint32_t left = d->total - d->pos;
	unsigned int i;

	d->res->err_offset = d->pos;
	d->res->err_cmd = d->index;
	if (d->index == d->num_cmds) {
		if (left)
			return set_error(d->res, RNPU_MS_BAD_HEADER, 0,
					 "%u bytes after the last of num_cmds %u commands",
					 left, d->num_cmds);
		return RNPU_MS_COUNT;
	}
	if (!left)
		return set_error(d->res, RNPU_MS_BAD_HEADER, 0,
				 "stream ends after %u of num_cmds %u commands",
				 d->index, d->num_cmds);
	if (left < sizeof(h))
		return set_error(d->res, RNPU_MS_TRUNCATED, 0,
				 "cmd %u @+%u: %u bytes left for a command header",
				 d->index, d->pos, left);
	memcpy(&h, d->base + d->pos, sizeof(h));
	if (h.size < sizeof(h) || h.size % 4)
		return set_error(d->res, RNPU_MS_BAD_SIZE, 0,
				 "cmd %u @+%u: size %u", d->index, d->pos, h.size);
	if (h.size > left)
		return set_error(d->res, RNPU_MS_TRUNCATED, 0,
				 "cmd %u @+%u: size %u but %u bytes left",
				 d->index, d->pos, h.size, left);
	if (h.opcode >= RNPU_OP_COUNT)
		return set_error(d->res, RNPU_MS_BAD_OPCODE, 0,
				 "cmd %u @+%u: opcode %u", d->index, d->pos,
				 h.opcode);
	if (h.size != op_sizes[h.opcode])
		return set_error(d->res, RNPU_MS_BAD_SIZE, 0,
				 "cmd %u (%s) @+%u: size %u (want %u)", d->index,
				 op_names[h.opcode], d->pos, h.size,
				 op_sizes[h.opcode]);
	memset(c, 0, sizeof(*c));
	c->offset = d->pos;
	c->opcode = h.opcode;
	memcpy(&c->u, d->base + d->pos, h.size);
	/* Alignment padding inside a command is reserved like named fields. */
	for (i = 0; i < sizeof(pads) / sizeof(pads[0]); i++)
		if (pads[i].op == h.opcode &&
		    !all_zero(d->base + d->pos + pads[i].off, pads[i].len))
			return cerr(d, c, RNPU_MS_RESERVED, 0,
				    "padding bytes %u..%u set", pads[i].off,
				    pads[i].off + pads[i].len - 1);

	switch (h.opcode) {
	case RNPU_OP_DMA:
		CHECK(check_dma(d, c));
		break;
	case RNPU_OP_CONV2D:
		CHECK(check_conv(d, c));
		break;
	case RNPU_OP_MATMUL:
		CHECK(check_matmul(d, c));
		break;
	case RNPU_OP_ELTWISE:
		CHECK(check_eltwise(d, c));
		break;
	case RNPU_OP_ACT:
		CHECK(check_actcmd(d, c));
		break;
	case RNPU_OP_POOL:
		CHECK(check_pool(d, c));
		break;
	case RNPU_OP_SOFTMAX:
		CHECK(check_softmax(d, c));
		break;
	case RNPU_OP_LAYERNORM:
		CHECK(check_layernorm(d, c));
		break;
	case RNPU_OP_RESIZE:
		CHECK(check_resize(d, c));
		break;
	default:
		break;	/* NOP and SYNC carry no fields */
	}
	d->pos += h.size;
	d->index++;
	return RNPU_MS_OK;
}

const char *rnpu_model_status_name(enum rnpu_model_status st)
{
	static const char *const names[RNPU_MS_COUNT] = {
		"ok", "truncated", "bad-header", "bad-version", "bad-opcode",
		"bad-size", "reserved", "bad-dtype", "bad-shape", "bad-param",
		"overflow", "addr-range", "mem-fault", "watchdog", "no-memory",
	};

	return (unsigned int)st < RNPU_MS_COUNT ? names[st] : "unknown";
}
