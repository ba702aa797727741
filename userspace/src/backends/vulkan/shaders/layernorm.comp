#version 450
// LayerNormalization over the trailing r elements of each of `outer`
// rows: mean then variance (two passes, no cancellation), then
// y = (x - mean) / sqrt(var + eps) * gamma + beta.  Spec 4 = 1: one
// workgroup per row (GPUs); 0: one invocation per row (CPU implementations).
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int HAS_BETA = 1;
layout(constant_id = 4) const int ROWS = 1;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 1) readonly buffer G { STORE gamma[]; };
layout(set = 0, binding = 2) readonly buffer B { STORE beta[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint outer, r;
  float eps;
} p;

shared float part[256];

float block_sum(float v) {
  uint t = gl_LocalInvocationIndex;
  part[t] = v;
  barrier();
  for (uint s = 128; s > 0; s >>= 1) {
    if (t < s) part[t] += part[t + s];
    barrier();
  }
  float r = part[0];
  barrier();
  return r;
}

void serial() {
  uint row = flat_index();
  if (row >= p.outer) return;
  uint base = row * p.r;
  float s = 0.0;
  for (uint j = 0; j < p.r; ++j) s += float(x[base + j]);
  float mean = s / float(p.r);
  float q = 0.0;
  for (uint j = 0; j < p.r; ++j) {
    float d = float(x[base + j]) - mean;
    q += d * d;
  }
  float inv = inversesqrt(q / float(p.r) + p.eps);
  for (uint j = 0; j < p.r; ++j) {
    float v = (float(x[base + j]) - mean) * inv * float(gamma[j]);
    if (HAS_BETA != 0) v += float(beta[j]);
    o[base + j] = STORE(v);
  }
}

void main() {
  if (ROWS == 0) {
    serial();
    return;
  }
  uint row = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (row >= p.outer) return;
  uint t = gl_LocalInvocationIndex, base = row * p.r;
  float s = 0.0;
  for (uint j = t; j < p.r; j += 256) s += float(x[base + j]);
  float mean = block_sum(s) / float(p.r);
  float q = 0.0;
  for (uint j = t; j < p.r; j += 256) {
    float d = float(x[base + j]) - mean;
    q += d * d;
  }
  float inv = inversesqrt(block_sum(q) / float(p.r) + p.eps);
  for (uint j = t; j < p.r; j += 256) {
    float v = (float(x[base + j]) - mean) * inv * float(gamma[j]);
    if (HAS_BETA != 0) v += float(beta[j]);
    o[base + j] = STORE(v);
  }
}
