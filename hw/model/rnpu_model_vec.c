// SPDX-License-Identifier: MIT
/*
 * The vector unit: DMA conversion, ELTWISE, ACT, POOL, SOFTMAX and
 * LAYERNORM.  Every op reads real values (dequantized or widened), computes
 * in double and stores with one rounding, so int8 and fp16 results are
 * defined by the formula alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_model_int.h"

double apply_act(const struct rnpu_act_params *a, double x)
{
	double p0 = bits_f32(a->p0), p1 = bits_f32(a->p1);

	switch (a->func) {
	case RNPU_ACT_RELU:
		return x < 0 ? 0 : x;
	case RNPU_ACT_RELU6:
		return x < 0 ? 0 : x > 6 ? 6 : x;
	case RNPU_ACT_CLIP:
		return x < p0 ? p0 : x > p1 ? p1 : x;
	case RNPU_ACT_SIGMOID:
		return 1.0 / (1.0 + exp(-x));
	case RNPU_ACT_TANH:
		return tanh(x);
	case RNPU_ACT_HARDSIGMOID:
		return fmax(0.0, fmin(1.0, p0 * x + p1));
	case RNPU_ACT_HARDSWISH:
		return x * fmax(0.0, fmin(1.0, x / 6.0 + 0.5));
	case RNPU_ACT_GELU:
		return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
	case RNPU_ACT_LEAKYRELU:
		return x < 0 ? p0 * x : x;
	case RNPU_ACT_ELU:
		return x < 0 ? p0 * expm1(x) : x;
	default:
		return x;
	}
}

static bool same_quant(const struct rnpu_tensor_desc *a,
		       const struct rnpu_tensor_desc *b)
{
	return a->dtype == b->dtype && a->scale == b->scale &&
	       a->zero_point == b->zero_point && a->flags == b->flags &&
	       a->q_axis == b->q_axis && a->qscale_va == b->qscale_va;
}

enum rnpu_model_status exec_dma(struct exec *e, const struct rnpu_cmd_dma *c)
{
	struct dense s, d;
	enum rnpu_model_status st;
	uint64_t i;

	memset(&d, 0, sizeof(d));
	st = dense_load(e, &c->src, &s);
	if (!st)
		st = dense_alloc(e, &c->dst, &d);
	if (!st) {
		/* Same representation: a bit copy, NaN payloads included. */
		if (same_quant(&c->src, &c->dst))
			memcpy(d.data, s.data, (size_t)(s.n * s.esize));
		else
			for (i = 0; i < s.n; i++)
				dense_put(&d, i, dense_real(&s, i));
		st = dense_store(e, &d);
	}
	dense_free(&s);
	dense_free(&d);
	return st;
}

/* Dense strides of t as seen from an index of out (0 where t broadcasts). */
static void bcast_strides(const struct rnpu_tensor_desc *t, uint64_t *st)
{
	uint64_t s = 1;
	unsigned int k;

	for (k = t->rank; k-- > 0;) {
		st[k] = t->dims[k] == 1 ? 0 : s;
		s *= t->dims[k];
	}
}

static double elt(uint32_t op, double a, double b)
{
	switch (op) {
	case RNPU_ELT_ADD:
		return a + b;
	case RNPU_ELT_SUB:
		return a - b;
	case RNPU_ELT_MUL:
		return a * b;
	case RNPU_ELT_MIN:
		return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
	default:
		return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
	}
}

enum rnpu_model_status exec_eltwise(struct exec *e, const struct rnpu_cmd_eltwise *c)
{
	struct dense a, b, o;
	uint64_t sa[RNPU_MAX_RANK], sb[RNPU_MAX_RANK], i, ia, ib;
	uint32_t idx[RNPU_MAX_RANK] = { 0 }, r = c->out.rank;
	enum rnpu_model_status st;
	unsigned int k;

	memset(&b, 0, sizeof(b));
	memset(&o, 0, sizeof(o));
	st = dense_load(e, &c->a, &a);
	if (!st)
		st = dense_load(e, &c->b, &b);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (st)
		goto out;
	bcast_strides(&c->a, sa);
	bcast_strides(&c->b, sb);
	for (i = 0; i < o.n; i++) {
		ia = ib = 0;
		for (k = 0; k < r; k++) {
			ia += idx[k] * sa[k];
			ib += idx[k] * sb[k];
		}
		dense_put(&o, i, apply_act(&c->act, elt(c->op, dense_real(&a, ia),
							 dense_real(&b, ib))));
		for (k = r; k-- > 0;) {
			if (++idx[k] < c->out.dims[k])
				break;
			idx[k] = 0;
		}
	}
	st = dense_store(e, &o);
out:
	dense_free(&a);
	dense_free(&b);
	dense_free(&o);
	return st;
}

enum rnpu_model_status exec_act(struct exec *e, const struct rnpu_cmd_act *c)
{
	struct dense x, o;
	enum rnpu_model_status st;
	uint64_t i;

	memset(&o, 0, sizeof(o));
	st = dense_load(e, &c->in, &x);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (!st) {
		for (i = 0; i < x.n; i++)
			dense_put(&o, i, apply_act(&c->act, dense_real(&x, i)));
		st = dense_store(e, &o);
	}
	dense_free(&x);
	dense_free(&o);
	return st;
}

enum rnpu_model_status exec_pool(struct exec *e, const struct rnpu_cmd_pool *c)
{
	bool global = c->op == RNPU_POOL_GLOBAL_MAX || c->op == RNPU_POOL_GLOBAL_AVG;
	bool is_max = c->op == RNPU_POOL_MAX || c->op == RNPU_POOL_GLOBAL_MAX;
	uint32_t H = c->in.dims[2], W = c->in.dims[3];
	uint32_t OH = c->out.dims[2], OW = c->out.dims[3];
	uint32_t KH = global ? H : c->kernel[0], KW = global ? W : c->kernel[1];
	uint32_t SH = global ? 1 : c->stride[0], SW = global ? 1 : c->stride[1];
	int64_t PT = global ? 0 : c->pad[0], PL = global ? 0 : c->pad[1];
	uint64_t planes = (uint64_t)c->in.dims[0] * c->in.dims[1], p;
	struct dense x, o;
	enum rnpu_model_status st;
	uint32_t oh, ow, i, j;

	memset(&o, 0, sizeof(o));
	st = dense_load(e, &c->in, &x);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (st)
		goto out;
	for (p = 0; p < planes; p++) {
		for (oh = 0; oh < OH; oh++) {
			for (ow = 0; ow < OW; ow++) {
				double acc = is_max ? -INFINITY : 0;
				uint64_t cnt = 0;
				bool nan = false;

				for (i = 0; i < KH; i++) {
					int64_t ih = (int64_t)oh * SH - PT + i;

					if (ih < 0 || ih >= H)
						continue;
					for (j = 0; j < KW; j++) {
						int64_t iw = (int64_t)ow * SW - PL + j;
						double v;

						if (iw < 0 || iw >= W)
							continue;
						v = dense_real(&x, (p * H + ih) * W + iw);
						nan |= isnan(v);
						acc = is_max ? (v > acc ? v : acc) : acc + v;
						cnt++;
					}
				}
				if (!is_max)
					acc /= (c->flags & RNPU_POOL_COUNT_PAD) ?
						(double)KH * KW : (double)cnt;
				dense_put(&o, (p * OH + oh) * OW + ow, nan ? NAN : acc);
			}
		}
	}
	st = dense_store(e, &o);
out:
	dense_free(&x);
	dense_free(&o);
	return st;
}

/* Outer x axis x inner split of a dense tensor around one axis. */
static void split_axis(const struct rnpu_tensor_desc *t, uint32_t axis,
		       uint64_t *outer, uint64_t *inner)
{
	unsigned int k;

	*outer = 1;
	*inner = 1;
	for (k = 0; k < axis; k++)
		*outer *= t->dims[k];
	for (k = axis + 1; k < t->rank; k++)
		*inner *= t->dims[k];
}

enum rnpu_model_status exec_softmax(struct exec *e, const struct rnpu_cmd_softmax *c)
{
	uint32_t n = c->in.dims[c->axis], i;
	uint64_t outer, inner, a, b;
	struct dense x, o;
	enum rnpu_model_status st;
	double *ev;

	memset(&o, 0, sizeof(o));
	ev = malloc(sizeof(*ev) * n);
	st = dense_load(e, &c->in, &x);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (!st && !ev)
		st = set_error(e->res, RNPU_MS_NO_MEMORY, 0, "no memory for SOFTMAX");
	if (st)
		goto out;
	split_axis(&c->in, c->axis, &outer, &inner);
	for (a = 0; a < outer; a++) {
		for (b = 0; b < inner; b++) {
			uint64_t base = a * n * inner + b;
			double m = -INFINITY, sum = 0;

			for (i = 0; i < n; i++) {
				double v = dense_real(&x, base + i * inner);

				m = (v > m || isnan(v)) ? v : m;
			}
			for (i = 0; i < n; i++) {
				ev[i] = exp(dense_real(&x, base + i * inner) - m);
				sum += ev[i];
			}
			for (i = 0; i < n; i++)
				dense_put(&o, base + i * inner, ev[i] / sum);
		}
	}
	st = dense_store(e, &o);
out:
	free(ev);
	dense_free(&x);
	dense_free(&o);
	return st;
}

enum rnpu_model_status exec_layernorm(struct exec *e, const struct rnpu_cmd_layernorm *c)
{
	uint32_t n = c->in.dims[c->in.rank - 1], i;
	double eps = bits_f32(c->epsilon);
	struct dense x, g, b, o;
	enum rnpu_model_status st;
	uint64_t rows, r;

	memset(&g, 0, sizeof(g));
	memset(&b, 0, sizeof(b));
	memset(&o, 0, sizeof(o));
	st = dense_load(e, &c->in, &x);
	if (!st && c->gamma.va)
		st = dense_load(e, &c->gamma, &g);
	if (!st && c->beta.va)
		st = dense_load(e, &c->beta, &b);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (st)
		goto out;
	rows = x.n / n;
	for (r = 0; r < rows; r++) {
		uint64_t base = r * n;
		double mean = 0, var = 0, sd;

		for (i = 0; i < n; i++)
			mean += dense_real(&x, base + i);
		mean /= n;
		for (i = 0; i < n; i++) {
			double dv = dense_real(&x, base + i) - mean;

			var += dv * dv;
		}
		var /= n;
		sd = sqrt(var + eps);
		for (i = 0; i < n; i++) {
			double y = (dense_real(&x, base + i) - mean) / sd;

			if (c->gamma.va)
				y *= dense_real(&g, i);
			if (c->beta.va)
				y += dense_real(&b, i);
			dense_put(&o, base + i, y);
		}
	}
	st = dense_store(e, &o);
out:
	dense_free(&x);
	dense_free(&g);
	dense_free(&b);
	dense_free(&o);
	return st;
}
