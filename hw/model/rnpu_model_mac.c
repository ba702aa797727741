// SPDX-License-Identifier: MIT
/*
 * The MAC array: CONV2D and MATMUL.  Quantized operands accumulate exactly
 * (64-bit, saturated to the 32-bit accumulator at the end); fp16 operands
 * accumulate in binary32 in a fixed order, reduction index ascending, with
 * each product exact and each sum rounded once.  Loops run over output
 * positions innermost, which keeps that per-output order while touching
 * memory linearly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_model_int.h"

static int64_t sat32(int64_t v)
{
	return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}

/* Real value of an accumulator: acc * sx * sw(channel). */
static double acc_real(const struct dense *x, const struct dense *w,
		       uint64_t widx, int64_t acc)
{
	return (double)acc * ((double)bits_f32(x->td->scale) * dense_scale(w, widx));
}

/* Operands as int32 (q - zp) or float, for the inner loops. */
static void *operand(const struct dense *d, bool quant)
{
	uint64_t i;

	if (quant) {
		int32_t *v = malloc((size_t)d->n * sizeof(*v));

		if (v)
			for (i = 0; i < d->n; i++)
				v[i] = (int32_t)dense_int(d, i);
		return v;
	} else {
		float *v = malloc((size_t)d->n * sizeof(*v));

		if (v)
			for (i = 0; i < d->n; i++)
				v[i] = (float)dense_real(d, i);
		return v;
	}
}

/* First output column whose input column ow*s + k is >= 0, and the end. */
static void col_range(int64_t k, uint32_t s, uint32_t in, uint32_t out,
		      uint32_t *lo, uint32_t *hi)
{
	int64_t a = k < 0 ? (-k + s - 1) / s : 0;
	int64_t b = (int64_t)in - 1 - k < 0 ? 0 : ((int64_t)in - 1 - k) / s + 1;

	if (b > out)
		b = out;
	*lo = (uint32_t)(a > b ? b : a);
	*hi = (uint32_t)b;
}

struct conv_geom {
	uint32_t n, c, h, w, oc, cg, kh, kw, oh, ow, ocg;
	int64_t pt, pl;
	uint32_t sh, sw, dh, dw;
};

static void conv_plane_q(const struct conv_geom *g, const int32_t *x,
			 const int32_t *w, uint32_t n, uint32_t oc, int64_t *acc)
{
	uint32_t grp = oc / g->ocg, ci, i, j, oh, ow, lo, hi;

	memset(acc, 0, sizeof(*acc) * g->oh * g->ow);
	for (ci = 0; ci < g->cg; ci++) {
		const int32_t *plane = x + ((uint64_t)n * g->c + grp * g->cg + ci) * g->h * g->w;

		for (i = 0; i < g->kh; i++) {
			for (j = 0; j < g->kw; j++) {
				int64_t wv = w[(((uint64_t)oc * g->cg + ci) * g->kh + i) * g->kw + j];
				int64_t kx = (int64_t)j * g->dw - g->pl;

				if (!wv)
					continue;
				col_range(kx, g->sw, g->w, g->ow, &lo, &hi);
				for (oh = 0; oh < g->oh; oh++) {
					int64_t ih = (int64_t)oh * g->sh - g->pt + (int64_t)i * g->dh;
					const int32_t *row;
					int64_t *a = acc + (uint64_t)oh * g->ow;

					if (ih < 0 || ih >= g->h)
						continue;
					row = plane + ih * g->w + kx;
					for (ow = lo; ow < hi; ow++)
						a[ow] += row[(uint64_t)ow * g->sw] * wv;
				}
			}
		}
	}
}

static void conv_plane_f(const struct conv_geom *g, const float *x,
			 const float *w, uint32_t n, uint32_t oc, float *acc)
{
	uint32_t grp = oc / g->ocg, ci, i, j, oh, ow, lo, hi;

	for (i = 0; i < g->oh * g->ow; i++)
		acc[i] = 0.0f;
	for (ci = 0; ci < g->cg; ci++) {
		const float *plane = x + ((uint64_t)n * g->c + grp * g->cg + ci) * g->h * g->w;

		for (i = 0; i < g->kh; i++) {
			for (j = 0; j < g->kw; j++) {
				float wv = w[(((uint64_t)oc * g->cg + ci) * g->kh + i) * g->kw + j];
				int64_t kx = (int64_t)j * g->dw - g->pl;

				col_range(kx, g->sw, g->w, g->ow, &lo, &hi);
				for (oh = 0; oh < g->oh; oh++) {
					int64_t ih = (int64_t)oh * g->sh - g->pt + (int64_t)i * g->dh;
					const float *row;
					float *a = acc + (uint64_t)oh * g->ow;

					if (ih < 0 || ih >= g->h)
						continue;
					row = plane + ih * g->w + kx;
					for (ow = lo; ow < hi; ow++) {
						float p = row[(uint64_t)ow * g->sw] * wv;

						a[ow] = a[ow] + p;
					}
				}
			}
		}
	}
}

enum rnpu_model_status exec_conv(struct exec *e, const struct rnpu_cmd_conv2d *c)
{
	struct dense x, w, b, o;
	struct conv_geom g;
	bool quant = dtype_quantized(c->in.dtype), has_b = c->bias.va != 0;
	enum rnpu_model_status st;
	void *xv = NULL, *wv = NULL, *acc = NULL;
	uint32_t n, oc;
	uint64_t i, plane;

	memset(&b, 0, sizeof(b));
	memset(&w, 0, sizeof(w));
	memset(&o, 0, sizeof(o));
	st = dense_load(e, &c->in, &x);
	if (!st)
		st = dense_load(e, &c->weight, &w);
	if (!st && has_b)
		st = dense_load(e, &c->bias, &b);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (st)
		goto out;

	g = (struct conv_geom){
		.n = c->in.dims[0], .c = c->in.dims[1], .h = c->in.dims[2],
		.w = c->in.dims[3], .oc = c->weight.dims[0], .cg = c->weight.dims[1],
		.kh = c->weight.dims[2], .kw = c->weight.dims[3],
		.oh = c->out.dims[2], .ow = c->out.dims[3],
		.ocg = c->weight.dims[0] / c->groups,
		.pt = c->pad[0], .pl = c->pad[1], .sh = c->stride[0],
		.sw = c->stride[1], .dh = c->dilation[0], .dw = c->dilation[1],
	};
	plane = (uint64_t)g.oh * g.ow;
	xv = operand(&x, quant);
	wv = operand(&w, quant);
	acc = malloc((size_t)plane * (quant ? sizeof(int64_t) : sizeof(float)));
	if (!xv || !wv || !acc) {
		st = set_error(e->res, RNPU_MS_NO_MEMORY, 0, "no memory for CONV2D");
		goto out;
	}
	for (n = 0; n < g.n; n++) {
		for (oc = 0; oc < g.oc; oc++) {
			uint64_t base = ((uint64_t)n * g.oc + oc) * plane;
			uint64_t widx = (uint64_t)oc * g.cg * g.kh * g.kw;

			if (quant) {
				int64_t *a = acc;
				int64_t bias = has_b ? dense_int(&b, oc) : 0;

				conv_plane_q(&g, xv, wv, n, oc, a);
				for (i = 0; i < plane; i++) {
					double y = acc_real(&x, &w, widx, sat32(a[i] + bias));

					dense_put(&o, base + i, apply_act(&c->act, y));
				}
			} else {
				float *a = acc;
				float bias = has_b ? (float)dense_real(&b, oc) : 0.0f;

				conv_plane_f(&g, xv, wv, n, oc, a);
				for (i = 0; i < plane; i++) {
					float v = a[i] + bias;

					dense_put(&o, base + i, apply_act(&c->act, v));
				}
			}
		}
	}
	st = dense_store(e, &o);
out:
	free(xv);
	free(wv);
	free(acc);
	dense_free(&x);
	dense_free(&w);
	dense_free(&b);
	dense_free(&o);
	return st;
}

/* Dense offset of batch index (b0, b1) in a tensor that may broadcast it. */
static uint64_t batch_off(const struct rnpu_tensor_desc *t, uint32_t r,
			  uint32_t b0, uint32_t b1)
{
	uint64_t mat = (uint64_t)t->dims[r - 2] * t->dims[r - 1];

	if (r == 4)
		return ((uint64_t)(t->dims[0] == 1 ? 0 : b0) * t->dims[1] +
			(t->dims[1] == 1 ? 0 : b1)) * mat;
	if (r == 3)
		return (uint64_t)(t->dims[0] == 1 ? 0 : b1) * mat;
	return 0;
}

enum rnpu_model_status exec_matmul(struct exec *e, const struct rnpu_cmd_matmul *c)
{
	struct dense a, b, bi, o;
	uint32_t r = c->a.rank, m, k, j;
	uint32_t M = c->a.dims[r - 2], K = c->a.dims[r - 1], N = c->out.dims[r - 1];
	uint32_t B0 = r == 4 ? c->out.dims[0] : 1;
	uint32_t B1 = r >= 3 ? c->out.dims[r - 3] : 1;
	bool quant = dtype_quantized(c->a.dtype), has_b = c->bias.va != 0;
	bool tb = c->flags & RNPU_MATMUL_TRANS_B;
	enum rnpu_model_status st;
	void *av = NULL, *bv = NULL, *acc = NULL;
	uint32_t b0, b1;

	memset(&b, 0, sizeof(b));
	memset(&bi, 0, sizeof(bi));
	memset(&o, 0, sizeof(o));
	st = dense_load(e, &c->a, &a);
	if (!st)
		st = dense_load(e, &c->b, &b);
	if (!st && has_b)
		st = dense_load(e, &c->bias, &bi);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (st)
		goto out;
	av = operand(&a, quant);
	bv = operand(&b, quant);
	acc = malloc((size_t)N * (quant ? sizeof(int64_t) : sizeof(float)));
	if (!av || !bv || !acc) {
		st = set_error(e->res, RNPU_MS_NO_MEMORY, 0, "no memory for MATMUL");
		goto out;
	}
	for (b0 = 0; b0 < B0; b0++) {
		for (b1 = 0; b1 < B1; b1++) {
			uint64_t ao = batch_off(&c->a, r, b0, b1);
			uint64_t bo = batch_off(&c->b, r, b0, b1);
			uint64_t oo = ((uint64_t)b0 * B1 + b1) * M * N;

			for (m = 0; m < M; m++) {
				if (quant) {
					const int32_t *A = (const int32_t *)av + ao + (uint64_t)m * K;
					const int32_t *Bm = (const int32_t *)bv + bo;
					int64_t *s = acc;

					memset(s, 0, sizeof(*s) * N);
					for (k = 0; k < K; k++)
						for (j = 0; j < N; j++)
							s[j] += (int64_t)A[k] *
								(tb ? Bm[(uint64_t)j * K + k] : Bm[(uint64_t)k * N + j]);
					for (j = 0; j < N; j++) {
						/* the b element of column j carries its scale */
						uint64_t widx = bo + (tb ? (uint64_t)j * K : j);
						double y = acc_real(&a, &b, widx,
								    sat32(s[j] + (has_b ? dense_int(&bi, j) : 0)));

						dense_put(&o, oo + (uint64_t)m * N + j,
							  apply_act(&c->act, y));
					}
				} else {
					const float *A = (const float *)av + ao + (uint64_t)m * K;
					const float *Bm = (const float *)bv + bo;
					float *s = acc;

					for (j = 0; j < N; j++)
						s[j] = 0.0f;
					for (k = 0; k < K; k++) {
						for (j = 0; j < N; j++) {
							float p = A[k] * (tb ? Bm[(uint64_t)j * K + k] : Bm[(uint64_t)k * N + j]);

							s[j] = s[j] + p;
						}
					}
					for (j = 0; j < N; j++) {
						float v = s[j] + (has_b ? (float)dense_real(&bi, j) : 0.0f);

						dense_put(&o, oo + (uint64_t)m * N + j,
							  apply_act(&c->act, v));
					}
				}
			}
		}
	}
	st = dense_store(e, &o);
out:
	free(av);
	free(bv);
	free(acc);
	dense_free(&a);
	dense_free(&b);
	dense_free(&bi);
	dense_free(&o);
	return st;
}
