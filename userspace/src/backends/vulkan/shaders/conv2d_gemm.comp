#version 450
// Grouped 2-D convolution (NCHW) as an implicit GEMM per (batch, group):
//   out[m, n] = sum_k W[m, k] * im2col(x)[k, n],  m: output channel in the
//   group, n: output pixel, k: (input channel in the group, ky, kx),
// tiled 64x64x16 through shared memory, 4x4 outputs per invocation, with
// bias and the fused activation applied on the way out.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int HAS_BIAS = 0;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 1) readonly buffer W { STORE w[]; };
layout(set = 0, binding = 2) readonly buffer Bias { STORE bias[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint cin, h, w;       // input
  uint oh, ow;          // output spatial
  uint kh, kw;
  uint sh, sw;
  int ph, pw;           // leading pads
  uint dh, dw;
  uint cout, groups;
  uint mg, cg;          // output / input channels per group
  uint k;               // cg * kh * kw
  uint n;               // oh * ow
} p;

const uint BM = 64, BN = 64, BK = 16;
shared float As[BK][BM];
shared float Bs[BK][BN];

void main() {
  uint t = gl_LocalInvocationIndex;
  uint tx = t % 16, ty = t / 16;
  uint n0 = gl_WorkGroupID.x * BN, m0 = gl_WorkGroupID.y * BM;
  uint batch = gl_WorkGroupID.z / p.groups, g = gl_WorkGroupID.z % p.groups;
  uint xbase = (batch * p.cin + g * p.cg) * p.h * p.w;
  uint wbase = g * p.mg * p.k;
  uint khw = p.kh * p.kw;

  float acc[4][4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) acc[i][j] = 0.0;

  for (uint k0 = 0; k0 < p.k; k0 += BK) {
    for (uint q = 0; q < 4; ++q) {
      uint e = t + 256 * q;
      // Weights: consecutive invocations read consecutive k.
      uint mm = e / BK, kk = e % BK;
      uint m = m0 + mm, k = k0 + kk;
      As[kk][mm] = (m < p.mg && k < p.k) ? float(w[wbase + m * p.k + k]) : 0.0;
      // Input patches: consecutive invocations read consecutive pixels.
      uint kb = e / BN, nn = e % BN;
      uint kx = k0 + kb, nx = n0 + nn;
      float v = 0.0;
      if (kx < p.k && nx < p.n) {
        uint ci = kx / khw, r = kx % khw;
        uint ky = r / p.kw, kxx = r % p.kw;
        uint oy = nx / p.ow, ox = nx % p.ow;
        int iy = int(oy * p.sh + ky * p.dh) - p.ph;
        int ix = int(ox * p.sw + kxx * p.dw) - p.pw;
        if (iy >= 0 && iy < int(p.h) && ix >= 0 && ix < int(p.w))
          v = float(x[xbase + (ci * p.h + uint(iy)) * p.w + uint(ix)]);
      }
      Bs[kb][nn] = v;
    }
    barrier();
    for (uint kk = 0; kk < BK; ++kk) {
      float a[4], b[4];
      for (int i = 0; i < 4; ++i) a[i] = As[kk][ty + 16 * i];
      for (int j = 0; j < 4; ++j) b[j] = Bs[kk][tx + 16 * j];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
    }
    barrier();
  }

  for (int i = 0; i < 4; ++i) {
    uint m = m0 + ty + 16 * i;
    if (m >= p.mg) continue;
    uint oc = g * p.mg + m;
    float bv = HAS_BIAS != 0 ? float(bias[oc]) : 0.0;
    uint obase = (batch * p.cout + oc) * p.n;
    for (int j = 0; j < 4; ++j) {
      uint nx = n0 + tx + 16 * j;
      if (nx < p.n) o[obase + nx] = STORE(activate(acc[i][j] + bv));
    }
  }
}
