#version 450
// Strided copy: for every coordinate c of a domain of up to 6 dims,
//   out[obase + sum c_d * ostride_d] = in[ibase + sum c_d * istride_d].
// Transpose, Slice, Split, Concat, Expand, DepthToSpace are all this
// with different strides.  Elements are moved as bits (uint here, 16-bit
// in the _f16 variant); 64-bit elements are two 32-bit words.
#include "common.glsl"

layout(local_size_x = 256) in;

#if FP16
#define BITS float16_t
#else
#define BITS uint
#endif
layout(set = 0, binding = 0) readonly buffer X { BITS x[]; };
layout(set = 0, binding = 3) buffer O { BITS o[]; };

layout(push_constant) uniform P {
  uint n;
  uint dims[6];
  int is[6];
  int os[6];
  int ibase, obase;
} p;

void main() {
  uint i = flat_index();
  if (i >= p.n) return;
  uint r = i;
  int ii = p.ibase, oi = p.obase;
  for (int d = 5; d >= 0; --d) {
    int c = int(r % p.dims[d]);
    r /= p.dims[d];
    ii += c * p.is[d];
    oi += c * p.os[d];
  }
  o[oi] = x[ii];
}
