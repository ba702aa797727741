#version 450
// Grouped 2-D transposed convolution (NCHW), gathered per output element:
// input pixel (iy, ix) contributes through (ky, kx) when
// oy + pad - ky * dilation == iy * stride.  Weights are [Cin, Cout/g, kh, kw].
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
  uint n;
  uint total;
} p;

void main() {
  uint i = flat_index();
  if (i >= p.total) return;
  uint px = i % p.n;
  uint oc = (i / p.n) % p.cout;
  uint batch = i / (p.n * p.cout);
  uint g = oc / p.mg, m = oc % p.mg;
  int oy = int(px / p.ow), ox = int(px % p.ow);
  float acc = HAS_BIAS != 0 ? float(bias[oc]) : 0.0;
  for (uint ky = 0; ky < p.kh; ++ky) {
    int ty = oy + p.ph - int(ky * p.dh);
    if (ty < 0 || ty % int(p.sh) != 0) continue;
    int iy = ty / int(p.sh);
    if (iy >= int(p.h)) continue;
    for (uint kx = 0; kx < p.kw; ++kx) {
      int tx = ox + p.pw - int(kx * p.dw);
      if (tx < 0 || tx % int(p.sw) != 0) continue;
      int ix = tx / int(p.sw);
      if (ix >= int(p.w)) continue;
      for (uint c = 0; c < p.cg; ++c) {
        uint ci = g * p.cg + c;
        acc += float(x[((batch * p.cin + ci) * p.h + uint(iy)) * p.w + uint(ix)]) *
               float(w[((ci * p.mg + m) * p.kh + ky) * p.kw + kx]);
      }
    }
  }
  o[i] = STORE(activate(acc));
}
