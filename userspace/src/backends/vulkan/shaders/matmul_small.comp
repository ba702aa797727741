#version 450
// Batched GEMM for few output rows (batch-1 fully connected layers): one
// output element per invocation, a plain dot product over K.  Same
// parameters as matmul.comp.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 3) const int HAS_C = 0;

layout(set = 0, binding = 0) readonly buffer A { STORE a[]; };
layout(set = 0, binding = 1) readonly buffer B { STORE b[]; };
layout(set = 0, binding = 2) readonly buffer C { STORE c[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint m, n, k;
  uint bd1, bd2;
  uint sa0, sa1, sa2;
  uint sb0, sb1, sb2;
  uint a_rs, a_cs;
  uint b_rs, b_cs;
  uint c_rs, c_cs;
  float alpha, beta;
  uint total;  // batch * m * n
} p;

void main() {
  uint i = flat_index();
  if (i >= p.total) return;
  uint nx = i % p.n, m = (i / p.n) % p.m, z = i / (p.n * p.m);
  uint i2 = z % p.bd2, i1 = (z / p.bd2) % p.bd1, i0 = z / (p.bd2 * p.bd1);
  uint ab = i0 * p.sa0 + i1 * p.sa1 + i2 * p.sa2 + m * p.a_rs;
  uint bb = i0 * p.sb0 + i1 * p.sb1 + i2 * p.sb2 + nx * p.b_cs;
  float acc = 0.0;
  for (uint k = 0; k < p.k; ++k) acc += float(a[ab + k * p.a_cs]) * float(b[bb + k * p.b_rs]);
  float v = p.alpha * acc;
  if (HAS_C != 0) v += p.beta * float(c[m * p.c_rs + nx * p.c_cs]);
  o[i] = STORE(activate(v));
}
