#version 450
// Grouped 2-D convolution (NCHW) without shared memory, for CPU Vulkan
// implementations: each invocation accumulates 8 output channels x 4
// neighbouring output pixels of one row in registers.  Weights come
// re-laid out on the host as [group][ceil(mg/8)][k][8] (zero padded) so
// the 8 channels of one tap are two vec4 loads.
// Grid: x = ceil(oh * ceil(ow/4) / 64), y = ceil(mg/8), z = batch * groups.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 3) const int HAS_BIAS = 0;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
#if FP16
layout(set = 0, binding = 1) readonly buffer W { f16vec4 w4[]; };
#else
layout(set = 0, binding = 1) readonly buffer W { vec4 w4[]; };
#endif
layout(set = 0, binding = 2) readonly buffer Bias { STORE bias[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint cin, h, w;
  uint oh, ow;
  uint kh, kw;
  uint sh, sw;
  int ph, pw;
  uint dh, dw;
  uint cout, groups;
  uint mg, cg;
  uint k;
  uint n;
  uint owb;      // ceil(ow / 4)
  uint mblocks;  // ceil(mg / 8)
} p;

void main() {
  uint pb = gl_GlobalInvocationID.x;
  if (pb >= p.oh * p.owb) return;
  uint oy = pb / p.owb, ox0 = (pb % p.owb) * 4;
  uint mb = gl_WorkGroupID.y;
  uint batch = gl_WorkGroupID.z / p.groups, g = gl_WorkGroupID.z % p.groups;
  uint xbase = (batch * p.cin + g * p.cg) * p.h * p.w;
  uint wbase = (g * p.mblocks + mb) * p.k * 2;
  int iy0 = int(oy * p.sh) - p.ph;
  int ix0[4];
  for (uint j = 0; j < 4; ++j) ix0[j] = int((ox0 + j) * p.sw) - p.pw;

  vec4 lo[4], hi[4];
  for (uint j = 0; j < 4; ++j) {
    lo[j] = vec4(0.0);
    hi[j] = vec4(0.0);
  }
  uint kk = 0;
  for (uint c = 0; c < p.cg; ++c) {
    uint xc = xbase + c * p.h * p.w;
    for (uint ky = 0; ky < p.kh; ++ky) {
      int iy = iy0 + int(ky * p.dh);
      bool row = iy >= 0 && iy < int(p.h);
      uint xr = xc + uint(max(iy, 0)) * p.w;
      for (uint kx = 0; kx < p.kw; ++kx, ++kk) {
        if (!row) continue;
        vec4 w0 = vec4(w4[wbase + 2 * kk]), w1 = vec4(w4[wbase + 2 * kk + 1]);
        for (uint j = 0; j < 4; ++j) {
          int ix = ix0[j] + int(kx * p.dw);
          float xv = (ix >= 0 && ix < int(p.w)) ? float(x[xr + uint(ix)]) : 0.0;
          lo[j] += xv * w0;
          hi[j] += xv * w1;
        }
      }
    }
  }
  for (uint i = 0; i < 8; ++i) {
    uint m = mb * 8 + i;
    if (m >= p.mg) break;
    uint oc = g * p.mg + m;
    float bv = HAS_BIAS != 0 ? float(bias[oc]) : 0.0;
    uint obase = (batch * p.cout + oc) * p.n + oy * p.ow;
    for (uint j = 0; j < 4; ++j) {
      if (ox0 + j >= p.ow) break;
      float v = i < 4 ? lo[j][i] : hi[j][i - 4];
      o[obase + ox0 + j] = STORE(activate(v + bv));
    }
  }
}
