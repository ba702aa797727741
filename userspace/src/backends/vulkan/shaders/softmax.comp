#version 450
// Softmax / LogSoftmax over the middle dim of [outer, r, inner]; same
// two modes as reduce.comp.  Spec 3: 1 = LogSoftmax; spec 4: row mode.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int LOG = 0;
layout(constant_id = 4) const int ROWS = 1;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint outer, r, inner;
} p;

shared float part[256];

void main() {
  if (ROWS != 0) {
    uint row = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    if (row >= p.outer) return;
    uint t = gl_LocalInvocationIndex, base = row * p.r;
    float m = -3.402823466e38;
    for (uint j = t; j < p.r; j += 256) m = max(m, float(x[base + j]));
    part[t] = m;
    barrier();
    for (uint s = 128; s > 0; s >>= 1) {
      if (t < s) part[t] = max(part[t], part[t + s]);
      barrier();
    }
    m = part[0];
    barrier();
    float sum = 0.0;
    for (uint j = t; j < p.r; j += 256) sum += exp(float(x[base + j]) - m);
    part[t] = sum;
    barrier();
    for (uint s = 128; s > 0; s >>= 1) {
      if (t < s) part[t] += part[t + s];
      barrier();
    }
    sum = part[0];
    float ls = log(sum);
    for (uint j = t; j < p.r; j += 256) {
      float v = float(x[base + j]) - m;
      o[base + j] = STORE(LOG != 0 ? v - ls : exp(v) / sum);
    }
  } else {
    uint i = flat_index();
    if (i >= p.outer * p.inner) return;
    uint oi = i / p.inner, ii = i % p.inner;
    uint base = oi * p.r * p.inner + ii;
    float m = -3.402823466e38;
    for (uint j = 0; j < p.r; ++j) m = max(m, float(x[base + j * p.inner]));
    float sum = 0.0;
    for (uint j = 0; j < p.r; ++j) sum += exp(float(x[base + j * p.inner]) - m);
    float ls = log(sum);
    for (uint j = 0; j < p.r; ++j) {
      float v = float(x[base + j * p.inner]) - m;
      o[base + j * p.inner] = STORE(LOG != 0 ? v - ls : exp(v) / sum);
    }
  }
}
