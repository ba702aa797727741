#version 450
// Grouped 2-D convolution (NCHW), one output element per invocation: for
// depthwise and other convolutions with few output channels per group,
// where a GEMM tile would be mostly empty.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
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
  uint n;      // oh * ow
  uint total;  // batch * cout * oh * ow
} p;

void main() {
  uint i = flat_index();
  if (i >= p.total) return;
  uint px = i % p.n;
  uint oc = (i / p.n) % p.cout;
  uint batch = i / (p.n * p.cout);
  uint g = oc / p.mg;
  uint oy = px / p.ow, ox = px % p.ow;
  int y0 = int(oy * p.sh) - p.ph, x0 = int(ox * p.sw) - p.pw;
  float acc = HAS_BIAS != 0 ? float(bias[oc]) : 0.0;
  for (uint c = 0; c < p.cg; ++c) {
    uint xb = (batch * p.cin + g * p.cg + c) * p.h * p.w;
    uint wb = (oc * p.cg + c) * p.kh * p.kw;
    for (uint ky = 0; ky < p.kh; ++ky) {
      int iy = y0 + int(ky * p.dh);
      if (iy < 0 || iy >= int(p.h)) continue;
      for (uint kx = 0; kx < p.kw; ++kx) {
        int ix = x0 + int(kx * p.dw);
        if (ix < 0 || ix >= int(p.w)) continue;
        acc += float(x[xb + uint(iy) * p.w + uint(ix)]) * float(w[wb + ky * p.kw + kx]);
      }
    }
  }
  o[i] = STORE(activate(acc));
}
