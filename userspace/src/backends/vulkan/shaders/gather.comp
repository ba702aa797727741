#version 450
// Gather along an axis: data [outer, a, inner], indices [m] (int32, or
// int64 read as its low word with spec 3 = 1), out [outer, m, inner].
// Negative indices count from the end.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int IDX64 = 0;

#if FP16
#define BITS float16_t
#else
#define BITS uint
#endif
layout(set = 0, binding = 0) readonly buffer X { BITS x[]; };
layout(set = 0, binding = 1) readonly buffer I { int idx[]; };
layout(set = 0, binding = 3) writeonly buffer O { BITS o[]; };

layout(push_constant) uniform P {
  uint n;  // outer * m * inner (in words)
  uint a, m, inner;
} p;

void main() {
  uint i = flat_index();
  if (i >= p.n) return;
  uint ii = i % p.inner, j = (i / p.inner) % p.m, oi = i / (p.inner * p.m);
  int k = IDX64 != 0 ? idx[2 * j] : idx[j];
  if (k < 0) k += int(p.a);
  k = clamp(k, 0, int(p.a) - 1);
  o[i] = x[(oi * p.a + uint(k)) * p.inner + ii];
}
