#version 450
// Pad (constant / reflect / edge) of up to 6 dims: each output element
// maps back to an input coordinate or takes the constant.  Spec 3: mode
// (0 constant, 1 reflect, 2 edge).
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int MODE = 0;

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint n;
  uint od[6];
  uint id[6];
  int before[6];
  float value;
} p;

void main() {
  uint i = flat_index();
  if (i >= p.n) return;
  uint r = i, src = 0, stride = 1;
  bool inside = true;
  for (int d = 5; d >= 0; --d) {
    int c = int(r % p.od[d]) - p.before[d];
    r /= p.od[d];
    int len = int(p.id[d]);
    if (c < 0 || c >= len) {
      if (MODE == 0) {
        inside = false;
      } else if (MODE == 1) {
        // Reflect without repeating the edge; period 2 * (len - 1).
        int period = max(2 * (len - 1), 1);
        c = c % period;
        if (c < 0) c += period;
        if (c >= len) c = period - c;
      } else {
        c = clamp(c, 0, len - 1);
      }
    }
    src += uint(c) * stride;
    stride *= uint(len);
  }
  o[i] = inside ? x[src] : STORE(p.value);
}
