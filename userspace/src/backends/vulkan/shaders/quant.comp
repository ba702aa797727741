#version 450
// QuantizeLinear / DequantizeLinear between float and 8-bit integers,
// per tensor or per channel (c = (i / inner) % channels).  8-bit data is
// packed four to a 32-bit word; quantisation writes whole words so no two
// invocations share one.  Spec 3: 0 quantise, 1 dequantise; spec 4: signed.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int DEQUANT = 0;
layout(constant_id = 4) const int SIGNED = 1;

layout(set = 0, binding = 0) readonly buffer X { uint xw[]; };
layout(set = 0, binding = 1) readonly buffer S { float scale[]; };
layout(set = 0, binding = 2) readonly buffer Z { int zp[]; };
layout(set = 0, binding = 3) writeonly buffer O { uint ow[]; };

layout(push_constant) uniform P {
  uint n;  // elements
  uint inner, channels;
} p;

void main() {
  uint i = flat_index();
  if (DEQUANT != 0) {
    if (i >= p.n) return;
    uint c = (i / p.inner) % p.channels;
    int q = int((xw[i / 4] >> (8 * (i % 4))) & 255u);
    if (SIGNED != 0 && q >= 128) q -= 256;
    ow[i] = floatBitsToUint(float(q - zp[c]) * scale[c]);
  } else {
    if (i * 4 >= p.n) return;
    uint word = 0;
    for (uint j = 0; j < 4; ++j) {
      uint e = i * 4 + j;
      if (e >= p.n) break;
      uint c = (e / p.inner) % p.channels;
      float v = uintBitsToFloat(xw[e]) / scale[c];
      int q = int(roundEven(v)) + zp[c];
      q = SIGNED != 0 ? clamp(q, -128, 127) : clamp(q, 0, 255);
      word |= (uint(q) & 255u) << (8 * j);
    }
    ow[i] = word;
  }
}
