#version 450
// Batched GEMM without shared memory: each invocation accumulates an 8x4
// block in registers straight from the buffers.  CPU implementations
// (lavapipe) run this far faster than the shared-memory tiling, whose
// barriers they execute as coroutine switches.  Same parameters as
// matmul.comp; grid: x = ceil(n/256) (64 invocations x 4 columns), y = ceil(m/8),
// z = batch.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 3) const int HAS_C = 0;
// 1 when B's rows are contiguous and 16-byte aligned (b_cs == 1, n, b_rs
// and batch strides multiples of 4): B is then read four columns at a time.
layout(constant_id = 4) const int VEC_B = 0;
// 1 when A's rows are contiguous and aligned (a_cs == 1, k, a_rs and batch
// strides multiples of 4): four k steps per iteration with vec4 loads of A.
layout(constant_id = 5) const int VEC_A = 0;

layout(set = 0, binding = 0) readonly buffer A { STORE a[]; };
#if FP16
layout(set = 0, binding = 0) readonly buffer A4 { f16vec4 a4[]; };
#else
layout(set = 0, binding = 0) readonly buffer A4 { vec4 a4[]; };
#endif
layout(set = 0, binding = 1) readonly buffer B { STORE b[]; };
#if FP16
layout(set = 0, binding = 1) readonly buffer B4 { f16vec4 b4[]; };
#else
layout(set = 0, binding = 1) readonly buffer B4 { vec4 b4[]; };
#endif
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
  uint o_off, o_rs, o_zs;  // Y(z, m, n) = o[o_off + z * o_zs + m * o_rs + n]
} p;

void main() {
  uint nb = gl_GlobalInvocationID.x * 4, mb = gl_WorkGroupID.y * 8;
  if (nb >= p.n) return;
  uint z = gl_WorkGroupID.z;
  uint i2 = z % p.bd2, i1 = (z / p.bd2) % p.bd1, i0 = z / (p.bd2 * p.bd1);
  uint abase = i0 * p.sa0 + i1 * p.sa1 + i2 * p.sa2;
  uint bbase = i0 * p.sb0 + i1 * p.sb1 + i2 * p.sb2;
  // Clamp rows/cols past the edge to the last valid one (loads stay in
  // bounds; those results are not stored).
  uint ar[8], bc[4];
  for (uint i = 0; i < 8; ++i) ar[i] = abase + min(mb + i, p.m - 1) * p.a_rs;
  for (uint j = 0; j < 4; ++j) bc[j] = bbase + min(nb + j, p.n - 1) * p.b_cs;
  vec4 acc[8];
  for (uint i = 0; i < 8; ++i) acc[i] = vec4(0.0);
  uint k0 = 0;
  if (VEC_A != 0) {
    for (; k0 < p.k; k0 += 4) {
      vec4 bv[4];
      for (uint q = 0; q < 4; ++q) {
        uint kb = (k0 + q) * p.b_rs;
        bv[q] = VEC_B != 0 ? vec4(b4[(bc[0] + kb) / 4])
                           : vec4(float(b[bc[0] + kb]), float(b[bc[1] + kb]),
                                  float(b[bc[2] + kb]), float(b[bc[3] + kb]));
      }
      for (uint i = 0; i < 8; ++i) {
        vec4 av = vec4(a4[(ar[i] + k0) / 4]);
        acc[i] += av.x * bv[0] + av.y * bv[1] + av.z * bv[2] + av.w * bv[3];
      }
    }
  }
  for (uint k = k0; k < p.k; ++k) {
    uint ka = k * p.a_cs, kb = k * p.b_rs;
    vec4 bv = VEC_B != 0 ? vec4(b4[(bc[0] + kb) / 4])
                         : vec4(float(b[bc[0] + kb]), float(b[bc[1] + kb]), float(b[bc[2] + kb]),
                                float(b[bc[3] + kb]));
    for (uint i = 0; i < 8; ++i) acc[i] += float(a[ar[i] + ka]) * bv;
  }
  uint obase = p.o_off + z * p.o_zs;
  for (uint i = 0; i < 8; ++i) {
    uint m = mb + i;
    if (m >= p.m) break;
    for (uint j = 0; j < 4; ++j) {
      uint nx = nb + j;
      if (nx >= p.n) break;
      float v = p.alpha * acc[i][j];
      if (HAS_C != 0) v += p.beta * float(c[m * p.c_rs + nx * p.c_cs]);
      o[obase + m * p.o_rs + nx] = STORE(activate(v));
    }
  }
}
