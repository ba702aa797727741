// SPDX-License-Identifier: MIT
/*
 * Moving tensors between device memory and dense host buffers, and the
 * quantization rules that turn stored elements into real values and back.
 * Tensors in the SRAM window are served from the model's own SRAM; all
 * other addresses go through the caller's memory callbacks, a whole
 * mapping when map() offers one, else a row (or an element) at a time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rnpu_model_int.h"

uint64_t td_elems(const struct rnpu_tensor_desc *td)
{
	uint64_t n = 1;
	unsigned int k;

	for (k = 0; k < td->rank; k++)
		n *= td->dims[k];
	return n;
}

static uint64_t td_extent(const struct rnpu_tensor_desc *td)
{
	uint64_t ext = dtype_size(td->dtype);
	unsigned int k;

	for (k = 0; k < td->rank; k++)
		ext += (uint64_t)(td->dims[k] - 1) * td->strides[k];
	return ext;
}

static enum rnpu_model_status fault(struct exec *e, uint64_t va, bool write)
{
	return set_error(e->res, RNPU_MS_MEM_FAULT, va, "%s fault at 0x%llx",
			 write ? "write" : "read", (unsigned long long)va);
}

static uint8_t *host_ptr(struct exec *e, uint64_t va, uint64_t len, int write)
{
	if (va >= RNPU_SRAM_VA)
		return e->m->sram + (va - RNPU_SRAM_VA);
	if (e->mem->map)
		return e->mem->map(e->mem->opaque, va, len, write);
	return NULL;
}

static enum rnpu_model_status mem_io(struct exec *e, uint64_t va, void *buf,
				     uint64_t len, bool write)
{
	int rc;

	if (va >= RNPU_SRAM_VA) {
		uint8_t *p = e->m->sram + (va - RNPU_SRAM_VA);

		if (write)
			memcpy(p, buf, len);
		else
			memcpy(buf, p, len);
		return RNPU_MS_OK;
	}
	if (write)
		rc = e->mem->write(e->mem->opaque, va, buf, len);
	else
		rc = e->mem->read(e->mem->opaque, va, buf, len);
	return rc ? fault(e, va, write) : RNPU_MS_OK;
}

/*
 * Copy between the strided tensor and a dense buffer, one innermost row
 * per step.  Rows are contiguous (one transfer), broadcast (one element,
 * replicated on reads) or strided (one transfer per element).
 */
static enum rnpu_model_status xfer(struct exec *e,
				   const struct rnpu_tensor_desc *td,
				   uint8_t *dense, bool write)
{
	uint32_t es = dtype_size(td->dtype), r = td->rank;
	uint32_t inner = td->dims[r - 1], istride = td->strides[r - 1];
	uint32_t idx[RNPU_MAX_RANK] = { 0 };
	uint64_t rows = td_elems(td) / inner, row, off, i;
	uint8_t *base = host_ptr(e, td->va, td_extent(td), write);
	enum rnpu_model_status st;
	unsigned int k;

	for (row = 0; row < rows; row++) {
		uint8_t *dp = dense + row * inner * es;

		off = 0;
		for (k = 0; k + 1 < r; k++)
			off += (uint64_t)idx[k] * td->strides[k];
		if (istride == es || inner == 1) {
			if (base && write)
				memcpy(base + off, dp, (size_t)inner * es);
			else if (base)
				memcpy(dp, base + off, (size_t)inner * es);
			else if ((st = mem_io(e, td->va + off, dp,
					      (uint64_t)inner * es, write)))
				return st;
		} else if (istride == 0 && !write) {
			if (base)
				memcpy(dp, base + off, es);
			else if ((st = mem_io(e, td->va + off, dp, es, false)))
				return st;
			for (i = 1; i < inner; i++)
				memcpy(dp + i * es, dp, es);
		} else {
			for (i = 0; i < inner; i++) {
				uint64_t o = off + i * istride;

				if (base && write)
					memcpy(base + o, dp + i * es, es);
				else if (base)
					memcpy(dp + i * es, base + o, es);
				else if ((st = mem_io(e, td->va + o, dp + i * es,
						      es, write)))
					return st;
			}
		}
		for (k = r - 1; k-- > 0;) {
			if (++idx[k] < td->dims[k])
				break;
			idx[k] = 0;
		}
	}
	return RNPU_MS_OK;
}

static enum rnpu_model_status load_scales(struct exec *e,
					  const struct rnpu_tensor_desc *td,
					  struct dense *d)
{
	enum rnpu_model_status st;
	unsigned int k;
	uint32_t i;

	if (!(td->flags & RNPU_TD_PER_CHANNEL))
		return RNPU_MS_OK;
	d->ch_dim = td->dims[td->q_axis];
	d->ch_inner = 1;
	for (k = td->q_axis + 1; k < td->rank; k++)
		d->ch_inner *= td->dims[k];
	d->ch_scale = malloc((size_t)d->ch_dim * sizeof(float));
	if (!d->ch_scale)
		return set_error(e->res, RNPU_MS_NO_MEMORY, 0, "no memory for scales");
	st = mem_io(e, td->qscale_va, d->ch_scale, 4ull * d->ch_dim, false);
	if (st)
		return st;
	for (i = 0; i < d->ch_dim; i++)
		if (!isfinite(d->ch_scale[i]) || d->ch_scale[i] <= 0)
			return set_error(e->res, RNPU_MS_BAD_PARAM, td->qscale_va,
					 "per-channel scale %u is not finite and > 0",
					 i);
	return RNPU_MS_OK;
}

enum rnpu_model_status dense_alloc(struct exec *e, const struct rnpu_tensor_desc *td,
				   struct dense *d)
{
	memset(d, 0, sizeof(*d));
	d->td = td;
	d->n = td_elems(td);
	d->esize = dtype_size(td->dtype);
	d->data = malloc((size_t)(d->n * d->esize));
	if (!d->data)
		return set_error(e->res, RNPU_MS_NO_MEMORY, 0,
				 "no memory for a %llu-element tensor",
				 (unsigned long long)d->n);
	return load_scales(e, td, d);
}

enum rnpu_model_status dense_load(struct exec *e, const struct rnpu_tensor_desc *td,
				  struct dense *d)
{
	enum rnpu_model_status st = dense_alloc(e, td, d);

	return st ? st : xfer(e, td, d->data, false);
}

enum rnpu_model_status dense_store(struct exec *e, const struct dense *d)
{
	return xfer(e, d->td, d->data, true);
}

void dense_free(struct dense *d)
{
	free(d->data);
	free(d->ch_scale);
	d->data = NULL;
	d->ch_scale = NULL;
}

/* An INT32 tensor with scale 0 holds plain integers (scale 1). */
double dense_scale(const struct dense *d, uint64_t i)
{
	float s;

	if (d->ch_scale)
		return d->ch_scale[(i / d->ch_inner) % d->ch_dim];
	s = bits_f32(d->td->scale);
	return s > 0 ? s : 1.0;
}

int64_t dense_int(const struct dense *d, uint64_t i)
{
	int32_t v;

	switch (d->td->dtype) {
	case RNPU_DT_INT8:
		v = ((const int8_t *)d->data)[i];
		break;
	case RNPU_DT_UINT8:
		v = d->data[i];
		break;
	default:
		memcpy(&v, d->data + 4 * i, 4);
		break;
	}
	return (int64_t)v - d->td->zero_point;
}

double dense_real(const struct dense *d, uint64_t i)
{
	uint16_t h;
	float f;

	switch (d->td->dtype) {
	case RNPU_DT_FP16:
		memcpy(&h, d->data + 2 * i, 2);
		return f16_to_f64(h);
	case RNPU_DT_FP32:
		memcpy(&f, d->data + 4 * i, 4);
		return f;
	default:
		return dense_scale(d, i) * (double)dense_int(d, i);
	}
}

/* rint() rounds half to even in the default rounding mode. */
static int64_t quantize(double v, double scale, int32_t zp, int64_t lo, int64_t hi)
{
	double q;

	if (isnan(v))
		return zp < lo ? lo : zp > hi ? hi : zp;
	q = rint(v / scale) + zp;
	if (q < (double)lo)
		return lo;
	if (q > (double)hi)
		return hi;
	return (int64_t)q;
}

void dense_put(struct dense *d, uint64_t i, double v)
{
	int32_t zp = d->td->zero_point;
	uint16_t h;
	int32_t w;
	float f;

	switch (d->td->dtype) {
	case RNPU_DT_INT8:
		((int8_t *)d->data)[i] = (int8_t)quantize(v, dense_scale(d, i), zp,
							  -128, 127);
		break;
	case RNPU_DT_UINT8:
		d->data[i] = (uint8_t)quantize(v, dense_scale(d, i), zp, 0, 255);
		break;
	case RNPU_DT_INT32:
		w = (int32_t)quantize(v, dense_scale(d, i), zp, INT32_MIN,
				      INT32_MAX);
		memcpy(d->data + 4 * i, &w, 4);
		break;
	case RNPU_DT_FP16:
		h = f64_to_f16(v);
		memcpy(d->data + 2 * i, &h, 2);
		break;
	default:
		f = (float)v;
		memcpy(d->data + 4 * i, &f, 4);
		break;
	}
}
