#version 450
// Batched GEMM: Y[b] = act(alpha * A[b] B[b] + beta * C), with arbitrary
// element strides for A and B (transposes and broadcast batches cost
// nothing) and C broadcast through its own strides.  Tiled 64x64x16
// through shared memory, 4x4 outputs per invocation; grid z = batch.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int HAS_C = 0;

layout(set = 0, binding = 0) readonly buffer A { STORE a[]; };
layout(set = 0, binding = 1) readonly buffer B { STORE b[]; };
layout(set = 0, binding = 2) readonly buffer C { STORE c[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint m, n, k;
  uint bd1, bd2;          // batch = b0 * bd1 * bd2, decomposed from z
  uint sa0, sa1, sa2;     // A batch strides
  uint sb0, sb1, sb2;     // B batch strides
  uint a_rs, a_cs;        // A(m, k) = a[base + m * a_rs + k * a_cs]
  uint b_rs, b_cs;        // B(k, n) = b[base + k * b_rs + n * b_cs]
  uint c_rs, c_cs;        // C(m, n) = c[m * c_rs + n * c_cs]
  float alpha, beta;
} p;

const uint BM = 64, BN = 64, BK = 16;
shared float As[BK][BM];
shared float Bs[BK][BN];

void main() {
  uint t = gl_LocalInvocationIndex;
  uint tx = t % 16, ty = t / 16;
  uint n0 = gl_WorkGroupID.x * BN, m0 = gl_WorkGroupID.y * BM;
  uint z = gl_WorkGroupID.z;
  uint i2 = z % p.bd2, i1 = (z / p.bd2) % p.bd1, i0 = z / (p.bd2 * p.bd1);
  uint abase = i0 * p.sa0 + i1 * p.sa1 + i2 * p.sa2;
  uint bbase = i0 * p.sb0 + i1 * p.sb1 + i2 * p.sb2;

  float acc[4][4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) acc[i][j] = 0.0;

  for (uint k0 = 0; k0 < p.k; k0 += BK) {
    for (uint q = 0; q < 4; ++q) {
      uint e = t + 256 * q;
      uint mm = e / BK, kk = e % BK;
      uint m = m0 + mm, k = k0 + kk;
      As[kk][mm] = (m < p.m && k < p.k) ? float(a[abase + m * p.a_rs + k * p.a_cs]) : 0.0;
      uint kb = e / BN, nn = e % BN;
      uint kx = k0 + kb, nx = n0 + nn;
      Bs[kb][nn] = (kx < p.k && nx < p.n) ? float(b[bbase + kx * p.b_rs + nx * p.b_cs]) : 0.0;
    }
    barrier();
    for (uint kk = 0; kk < BK; ++kk) {
      float av[4], bv[4];
      for (int i = 0; i < 4; ++i) av[i] = As[kk][ty + 16 * i];
      for (int j = 0; j < 4; ++j) bv[j] = Bs[kk][tx + 16 * j];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
    }
    barrier();
  }

  uint obase = z * p.m * p.n;
  for (int i = 0; i < 4; ++i) {
    uint m = m0 + ty + 16 * i;
    if (m >= p.m) continue;
    for (int j = 0; j < 4; ++j) {
      uint nx = n0 + tx + 16 * j;
      if (nx >= p.n) continue;
      float v = p.alpha * acc[i][j];
      if (HAS_C != 0) v += p.beta * float(c[m * p.c_rs + nx * p.c_cs]);
      o[obase + m * p.n + nx] = STORE(activate(v));
    }
  }
}
