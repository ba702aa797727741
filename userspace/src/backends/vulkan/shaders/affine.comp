#version 450
// Per-channel affine map o = act(x * s[c] + b[c]), c = (i / inner) % C:
// inference BatchNormalization (folded on the host) and similar.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 1) readonly buffer S { float s[]; };
layout(set = 0, binding = 2) readonly buffer B { float b[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };
layout(push_constant) uniform P {
  uint n;
  uint inner;
  uint channels;
} p;

void main() {
  uint i = flat_index();
  if (i >= p.n) return;
  uint c = (i / p.inner) % p.channels;
  o[i] = STORE(activate(float(x[i]) * s[c] + b[c]));
}
