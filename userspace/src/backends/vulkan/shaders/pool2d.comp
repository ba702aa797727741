#version 450
// MaxPool / AveragePool over H, W (NCHW), one output per invocation.
// Spec 3: 1 = max, 0 = average; spec 4: count padding in the average.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int IS_MAX = 1;
layout(constant_id = 4) const int COUNT_PAD = 0;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint h, w, oh, ow;
  uint kh, kw, sh, sw;
  int ph, pw;
  uint dh, dw;
  uint pad_h_end, pad_w_end;  // for counting padded elements
  uint total;                 // planes * oh * ow
} p;

void main() {
  uint i = flat_index();
  if (i >= p.total) return;
  uint ox = i % p.ow, oy = (i / p.ow) % p.oh, plane = i / (p.ow * p.oh);
  uint base = plane * p.h * p.w;
  int y0 = int(oy * p.sh) - p.ph, x0 = int(ox * p.sw) - p.pw;
  float acc = IS_MAX != 0 ? -3.402823466e38 : 0.0;
  uint cnt = 0;
  for (uint ky = 0; ky < p.kh; ++ky) {
    int iy = y0 + int(ky * p.dh);
    if (iy < 0 || iy >= int(p.h)) continue;
    for (uint kx = 0; kx < p.kw; ++kx) {
      int ix = x0 + int(kx * p.dw);
      if (ix < 0 || ix >= int(p.w)) continue;
      float v = float(x[base + uint(iy) * p.w + uint(ix)]);
      acc = IS_MAX != 0 ? max(acc, v) : acc + v;
      ++cnt;
    }
  }
  if (IS_MAX == 0) {
    if (COUNT_PAD != 0) {
      // The window clipped to the padded input (ONNX counts pads, not
      // positions beyond them that ceil_mode adds).
      int ylo = max(y0, -p.ph), yhi = min(y0 + int(p.kh), int(p.h + p.pad_h_end));
      int xlo = max(x0, -p.pw), xhi = min(x0 + int(p.kw), int(p.w + p.pad_w_end));
      cnt = uint(max(yhi - ylo, 0) * max(xhi - xlo, 0));
    }
    acc = cnt > 0 ? acc / float(cnt) : 0.0;
  }
  o[i] = STORE(acc);
}
