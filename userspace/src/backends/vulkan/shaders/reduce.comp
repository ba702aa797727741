#version 450
// Reduction over the middle dim of [outer, r, inner].  inner == 1: one
// workgroup per row with a shared-memory tree; else one invocation per
// (outer, inner) output walking r.  Spec 3 = ROP_*, spec 4 = row mode.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int ROP = ROP_SUM;
layout(constant_id = 4) const int ROWS = 1;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint outer, r, inner;
} p;

shared float part[256];

float init() {
  if (ROP == ROP_MAX) return -3.402823466e38;
  if (ROP == ROP_MIN) return 3.402823466e38;
  return 0.0;
}

float accum(float acc, float v) {
  switch (ROP) {
    case ROP_MAX: return max(acc, v);
    case ROP_MIN: return min(acc, v);
    case ROP_SUMSQ:
    case ROP_L2: return acc + v * v;
    case ROP_L1: return acc + abs(v);
    default: return acc + v;
  }
}

float combine(float a, float b) {
  if (ROP == ROP_MAX) return max(a, b);
  if (ROP == ROP_MIN) return min(a, b);
  return a + b;
}

float finish(float acc) {
  if (ROP == ROP_MEAN) return acc / float(p.r);
  if (ROP == ROP_L2) return sqrt(acc);
  return acc;
}

void main() {
  if (ROWS != 0) {
    uint row = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    if (row >= p.outer) return;
    uint t = gl_LocalInvocationIndex;
    float acc = init();
    for (uint j = t; j < p.r; j += 256) acc = accum(acc, float(x[row * p.r + j]));
    part[t] = acc;
    barrier();
    for (uint s = 128; s > 0; s >>= 1) {
      if (t < s) part[t] = combine(part[t], part[t + s]);
      barrier();
    }
    if (t == 0) o[row] = STORE(finish(part[0]));
  } else {
    uint i = flat_index();
    if (i >= p.outer * p.inner) return;
    uint oi = i / p.inner, ii = i % p.inner;
    float acc = init();
    for (uint j = 0; j < p.r; ++j) acc = accum(acc, float(x[(oi * p.r + j) * p.inner + ii]));
    o[i] = STORE(finish(acc));
  }
}
