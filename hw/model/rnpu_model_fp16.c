// SPDX-License-Identifier: MIT
/*
 * Number formats.  The conversion to binary16 goes straight from double
 * with one round-to-nearest-even, so the result does not depend on the
 * host's float16 support or on a double -> float -> half double rounding.
 */
#include <math.h>
#include <string.h>

#include "rnpu_model_int.h"

uint16_t f64_to_f16(double v)
{
	uint64_t bits, m, r, rem, half;
	uint16_t sign;
	int e, shift;

	memcpy(&bits, &v, sizeof(bits));
	sign = (uint16_t)((bits >> 48) & 0x8000);
	e = (int)((bits >> 52) & 0x7ff);
	m = bits & ((1ull << 52) - 1);
	if (e == 0x7ff)
		return sign | (m ? 0x7e00 : 0x7c00);
	if (e == 0)
		return sign;	/* double subnormals are far below half's range */
	e -= 1023;
	if (e > 15)
		return sign | 0x7c00;
	m |= 1ull << 52;
	/* Bits of m below half's quantum at this exponent. */
	shift = 42 + (e < -14 ? -14 - e : 0);
	if (shift > 54)
		return sign;
	r = m >> shift;
	rem = m & ((1ull << shift) - 1);
	half = 1ull << (shift - 1);
	if (rem > half || (rem == half && (r & 1)))
		r++;
	if (e < -14)
		return sign | (uint16_t)r;	/* r == 1024 is the smallest normal */
	if (r == 2048) {
		r = 1024;
		e++;
	}
	if (e > 15)
		return sign | 0x7c00;
	return sign | (uint16_t)((e + 15) << 10) | (uint16_t)(r - 1024);
}

double f16_to_f64(uint16_t h)
{
	int e = (h >> 10) & 0x1f;
	int m = h & 0x3ff;
	double v;

	if (e == 0x1f)
		v = m ? NAN : INFINITY;
	else if (e == 0)
		v = ldexp((double)m, -24);
	else
		v = ldexp((double)(m | 0x400), e - 25);
	return (h & 0x8000) ? -v : v;
}

uint16_t rnpu_fp16_from_double(double v)
{
	return f64_to_f16(v);
}

double rnpu_fp16_to_double(uint16_t h)
{
	return f16_to_f64(h);
}

float bits_f32(uint32_t b)
{
	float f;

	memcpy(&f, &b, sizeof(f));
	return f;
}

uint32_t dtype_size(uint8_t dtype)
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

bool dtype_quantized(uint8_t dtype)
{
	return dtype == RNPU_DT_INT8 || dtype == RNPU_DT_UINT8;
}

bool dtype_integer(uint8_t dtype)
{
	return dtype_quantized(dtype) || dtype == RNPU_DT_INT32;
}
