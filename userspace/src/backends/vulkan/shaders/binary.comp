#version 450
// out = act(a <op> b) with numpy broadcasting: the output is iterated over
// up to 6 dims; each operand has its own element strides (0 on broadcast
// dims).  Spec 3 = op, spec 4 = 1 when no broadcasting (flat indexing),
// spec 5 = elements per invocation along the innermost dim (CPU
// implementations: one coordinate decomposition, whose integer divisions
// are scalar code there, serves a run of elements).
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int OP = BOP_ADD;
layout(constant_id = 4) const int SAME_SHAPE = 0;
layout(constant_id = 5) const uint RUN = 1;

layout(set = 0, binding = 0) readonly buffer A { STORE a[]; };
layout(set = 0, binding = 1) readonly buffer B { STORE b[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint n;
  uint dims[6];
  uint sa[6];
  uint sb[6];
} p;

float binop(float x, float y) {
  switch (OP) {
    case BOP_ADD: return x + y;
    case BOP_SUB: return x - y;
    case BOP_MUL: return x * y;
    case BOP_DIV: return x / y;
    case BOP_POW:
      // pow() is undefined for x < 0 in GLSL; integral exponents are common.
      if (y == 2.0) return x * x;
      if (x < 0.0 && y == floor(y)) {
        float r = pow(-x, y);
        return mod(y, 2.0) == 0.0 ? r : -r;
      }
      return pow(x, y);
    case BOP_MAX: return max(x, y);
    case BOP_MIN: return min(x, y);
    case BOP_PRELU: return x < 0.0 ? x * y : x;
    default: return x;
  }
}

void main() {
  uint gi = flat_index();
  if (SAME_SHAPE != 0) {
    uint first = gi * RUN;
    if (first >= p.n) return;
    uint last = min(first + RUN, p.n);
    for (uint i = first; i < last; ++i)
      o[i] = STORE(activate(binop(float(a[i]), float(b[i]))));
    return;
  }
  // Runs never cross a row of the innermost dim (the host rounds rows up).
  uint rowlen = p.dims[5];
  uint runs_per_row = (rowlen + RUN - 1) / RUN;
  if (rowlen == 0 || gi >= (p.n / rowlen) * runs_per_row) return;
  uint row = gi / runs_per_row, c0 = (gi % runs_per_row) * RUN;
  uint r = row, ia = c0 * p.sa[5], ib = c0 * p.sb[5];
  for (int d = 4; d >= 0; --d) {
    uint c = r % p.dims[d];
    r /= p.dims[d];
    ia += c * p.sa[d];
    ib += c * p.sb[d];
  }
  uint oi = row * rowlen + c0;
  uint cend = min(c0 + RUN, rowlen);
  for (uint c = c0; c < cend; ++c, ++oi, ia += p.sa[5], ib += p.sb[5])
    o[oi] = STORE(activate(binop(float(a[ia]), float(b[ib]))));
}
