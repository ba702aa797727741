#version 450
// Depthwise 2-D convolution (one input channel per group, any channel
// multiplier) for CPU Vulkan implementations: each invocation computes 8
// neighbouring outputs of one row, loading each weight once for all 8.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 64) in;
layout(constant_id = 3) const int HAS_BIAS = 0;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 1) readonly buffer W { STORE w[]; };
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
  uint owb;    // ceil(ow / 8)
  uint total;  // batch * cout * oh * owb
} p;

void main() {
  uint i = flat_index();
  if (i >= p.total) return;
  uint xb = i % p.owb, r = i / p.owb;
  uint oy = r % p.oh, r2 = r / p.oh;
  uint oc = r2 % p.cout, batch = r2 / p.cout;
  uint ci = oc / p.mg;
  uint ox0 = xb * 8;
  uint xplane = (batch * p.cin + ci) * p.h * p.w;
  int iy0 = int(oy * p.sh) - p.ph;
  int ix0 = int(ox0 * p.sw) - p.pw;
  float acc[8];
  for (uint j = 0; j < 8; ++j) acc[j] = 0.0;
  for (uint ky = 0; ky < p.kh; ++ky) {
    int iy = iy0 + int(ky * p.dh);
    if (iy < 0 || iy >= int(p.h)) continue;
    uint xr = xplane + uint(iy) * p.w;
    for (uint kx = 0; kx < p.kw; ++kx) {
      float wv = float(w[(oc * p.kh + ky) * p.kw + kx]);
      int ix = ix0 + int(kx * p.dw);
      for (uint j = 0; j < 8; ++j, ix += int(p.sw))
        if (ix >= 0 && ix < int(p.w)) acc[j] += wv * float(x[xr + uint(ix)]);
    }
  }
  float bv = HAS_BIAS != 0 ? float(bias[oc]) : 0.0;
  uint ob = (batch * p.cout + oc) * p.n + oy * p.ow + ox0;
  for (uint j = 0; j < 8; ++j)
    if (ox0 + j < p.ow) o[ob + j] = STORE(activate(acc[j] + bv));
}
