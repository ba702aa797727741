#version 450
// im2col for a range of output pixels [n0, n0 + nc) of a grouped 2-D
// convolution (NCHW): t[(b * groups + g) * k + kk][j] = x(b, g * cg + ci,
// iy, ix) for pixel n0 + j and tap kk = (ci, ky, kx), zero outside the
// input.  Feeds matmul_reg.comp (CPU Vulkan implementations).  Each
// invocation fills 32 consecutive pixels of one row of t, stepping the
// pixel coordinates instead of dividing per element (integer division is
// scalar code on CPU implementations).
#include "common.glsl"

layout(local_size_x = 64) in;

#if FP16
#define BITS float16_t
#define ZERO float16_t(0.0)
#else
#define BITS uint
#define ZERO 0u
#endif
layout(set = 0, binding = 0) readonly buffer X { BITS x[]; };
layout(set = 0, binding = 3) writeonly buffer T { BITS t[]; };

layout(push_constant) uniform P {
  uint cin, h, w;
  uint oh, ow;
  uint kh, kw;
  uint sh, sw;
  int ph, pw;
  uint dh, dw;
  uint groups, cg, k;
  uint n0, nc;
  uint total;  // batch * groups * k * ceil(nc / 32)
} p;

void main() {
  uint i = flat_index();
  if (i >= p.total) return;
  uint segs = (p.nc + 31) / 32;
  uint seg = i % segs, r = i / segs;
  uint kk = r % p.k, zg = r / p.k;
  uint b = zg / p.groups, g = zg % p.groups;
  uint khw = p.kh * p.kw;
  uint ci = kk / khw, rr = kk % khw;
  uint ky = rr / p.kw, kx = rr % p.kw;
  uint j0 = seg * 32, j1 = min(j0 + 32, p.nc);
  uint px = p.n0 + j0;
  uint oy = px / p.ow, ox = px % p.ow;
  uint xc = (b * p.cin + g * p.cg + ci) * p.h * p.w;
  int yoff = int(ky * p.dh) - p.ph, xoff = int(kx * p.dw) - p.pw;
  uint tb = r * p.nc;
  for (uint j = j0; j < j1; ++j) {
    int iy = int(oy * p.sh) + yoff, ix = int(ox * p.sw) + xoff;
    bool in_x = iy >= 0 && iy < int(p.h) && ix >= 0 && ix < int(p.w);
    t[tb + j] = in_x ? x[xc + uint(iy) * p.w + uint(ix)] : ZERO;
    if (++ox == p.ow) {
      ox = 0;
      ++oy;
    }
  }
}
