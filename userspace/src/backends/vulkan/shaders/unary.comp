#version 450
// o = f(x) elementwise; f is the op selected by specialisation constants
// 0..2 (opcode, alpha, beta), the same ones fused activations use.
#include "common.glsl"
#include "activation.glsl"

layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };
layout(push_constant) uniform P { uint n; } p;

void main() {
  uint i = flat_index();
  if (i >= p.n) return;
  o[i] = STORE(activate(float(x[i])));
}
