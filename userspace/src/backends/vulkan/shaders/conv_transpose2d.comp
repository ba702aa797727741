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
  // Only taps with oy + pad - ky * dh divisible by the stride contribute;
  // with dilation 1 they are every sh-th ky starting at (oy + pad) mod sh.
  uint ky0 = 0, kys = 1, kx0 = 0, kxs = 1;
  if (p.dh == 1) {
    ky0 = uint(oy + p.ph) % p.sh;
    kys = p.sh;
  }
  if (p.dw == 1) {
    kx0 = uint(ox + p.pw) % p.sw;
    kxs = p.sw;
  }
  for (uint ky = ky0; ky < p.kh; ky += kys) {
    int ty = oy + p.ph - int(ky * p.dh);
    if (ty < 0 || ty % int(p.sh) != 0) continue;
    int iy = ty / int(p.sh);
    if (iy >= int(p.h)) continue;
    for (uint kx = kx0; kx < p.kw; kx += kxs) {
      int tx = ox + p.pw - int(kx * p.dw);
      if (tx < 0 || tx % int(p.sw) != 0) continue;
      int ix = tx / int(p.sw);
      if (ix >= int(p.w)) continue;
      uint xi = ((batch * p.cin + g * p.cg) * p.h + uint(iy)) * p.w + uint(ix);
      uint wi = ((g * p.cg * p.mg + m) * p.kh + ky) * p.kw + kx;
      uint xs = p.h * p.w, ws = p.mg * p.kh * p.kw;
      for (uint c = 0; c < p.cg; ++c, xi += xs, wi += ws) acc += float(x[xi]) * float(w[wi]);
    }
  }
  o[i] = STORE(activate(acc));
}
