#version 450
// out = act(a <op> b) with numpy broadcasting: the output is iterated over
// up to 6 dims; each operand has its own element strides (0 on broadcast
// dims).  Spec 3 = op, spec 4 = 1 when no broadcasting (flat indexing).
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int OP = BOP_ADD;
layout(constant_id = 4) const int SAME_SHAPE = 0;

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
  uint i = flat_index();
  if (i >= p.n) return;
  uint ia = i, ib = i;
  if (SAME_SHAPE == 0) {
    uint r = i;
    ia = 0;
    ib = 0;
    for (int d = 5; d >= 0; --d) {
      uint c = r % p.dims[d];
      r /= p.dims[d];
      ia += c * p.sa[d];
      ib += c * p.sb[d];
    }
  }
  o[i] = STORE(activate(binop(float(a[ia]), float(b[ib]))));
}
