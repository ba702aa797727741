// SPDX-License-Identifier: MIT
/*
 * RESIZE: nearest and bilinear sampling with ONNX's coordinate transforms,
 * so the compiler can map an ONNX Resize onto one command.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_model_int.h"

static double src_coord(uint8_t coord, uint32_t o, uint32_t in, uint32_t out,
			double s)
{
	switch (coord) {
	case RNPU_COORD_ALIGN_CORNERS:
		return out > 1 ? (double)o * (in - 1) / (out - 1) : 0;
	case RNPU_COORD_ASYMMETRIC:
		return o / s;
	case RNPU_COORD_PYTORCH_HALF_PIXEL:
		return out > 1 ? (o + 0.5) / s - 0.5 : 0;
	default:
		return (o + 0.5) / s - 0.5;
	}
}

static double clampd(double x, double hi)
{
	return x < 0 ? 0 : x > hi ? hi : x;
}

static uint32_t nearest(uint8_t mode, double x, uint32_t in)
{
	double r;

	switch (mode) {
	case RNPU_NEAREST_ROUND_PREFER_CEIL:
		r = floor(x + 0.5);
		break;
	case RNPU_NEAREST_FLOOR:
		r = floor(x);
		break;
	case RNPU_NEAREST_CEIL:
		r = ceil(x);
		break;
	default:
		r = ceil(x - 0.5);
		break;
	}
	return (uint32_t)clampd(r, in - 1);
}

/* Per output index: source coordinate (clamped for bilinear). */
static void axis_map(const struct rnpu_cmd_resize *c, unsigned int ax,
		     uint32_t in, uint32_t out, uint32_t *i0, uint32_t *i1,
		     double *f)
{
	double s = bits_f32(c->scale[ax]);
	uint32_t o;

	for (o = 0; o < out; o++) {
		double x = src_coord(c->coord, o, in, out, s);

		if (c->mode == RNPU_RESIZE_NEAREST) {
			i0[o] = i1[o] = nearest(c->nearest, x, in);
			f[o] = 0;
		} else {
			x = clampd(x, in - 1);
			i0[o] = (uint32_t)floor(x);
			i1[o] = i0[o] + 1 < in ? i0[o] + 1 : i0[o];
			f[o] = x - i0[o];
		}
	}
}

enum rnpu_model_status exec_resize(struct exec *e, const struct rnpu_cmd_resize *c)
{
	uint32_t H = c->in.dims[2], W = c->in.dims[3];
	uint32_t OH = c->out.dims[2], OW = c->out.dims[3], oh, ow;
	uint64_t planes = (uint64_t)c->in.dims[0] * c->in.dims[1], p;
	uint32_t *h0 = malloc(sizeof(uint32_t) * OH), *h1 = malloc(sizeof(uint32_t) * OH);
	uint32_t *w0 = malloc(sizeof(uint32_t) * OW), *w1 = malloc(sizeof(uint32_t) * OW);
	double *fh = malloc(sizeof(double) * OH), *fw = malloc(sizeof(double) * OW);
	struct dense x, o;
	enum rnpu_model_status st;

	memset(&o, 0, sizeof(o));
	st = dense_load(e, &c->in, &x);
	if (!st)
		st = dense_alloc(e, &c->out, &o);
	if (!st && (!h0 || !h1 || !w0 || !w1 || !fh || !fw))
		st = set_error(e->res, RNPU_MS_NO_MEMORY, 0, "no memory for RESIZE");
	if (st)
		goto out;
	axis_map(c, 0, H, OH, h0, h1, fh);
	axis_map(c, 1, W, OW, w0, w1, fw);
	for (p = 0; p < planes; p++) {
		uint64_t ib = p * H * W, ob = p * OH * OW;

		for (oh = 0; oh < OH; oh++) {
			for (ow = 0; ow < OW; ow++) {
				double v00 = dense_real(&x, ib + (uint64_t)h0[oh] * W + w0[ow]);
				double v, r0, r1;

				if (c->mode == RNPU_RESIZE_NEAREST) {
					v = v00;
				} else {
					/* along W in rows h0 and h1, then along H */
					r0 = v00 * (1 - fw[ow]) +
					     dense_real(&x, ib + (uint64_t)h0[oh] * W + w1[ow]) * fw[ow];
					r1 = dense_real(&x, ib + (uint64_t)h1[oh] * W + w0[ow]) * (1 - fw[ow]) +
					     dense_real(&x, ib + (uint64_t)h1[oh] * W + w1[ow]) * fw[ow];
					v = r0 * (1 - fh[oh]) + r1 * fh[oh];
				}
				dense_put(&o, ob + (uint64_t)oh * OW + ow, v);
			}
		}
	}
	st = dense_store(e, &o);
out:
	free(h0);
	free(h1);
	free(w0);
	free(w1);
	free(fh);
	free(fw);
	dense_free(&x);
	dense_free(&o);
	return st;
}
