#version 450
// Cast between float32 and float16 storage (the _f16 variant; spec 3:
// 0 = float -> half, 1 = half -> float).  The base variant, for devices
// without 16-bit storage, is a float copy and is never dispatched.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int TO_F32 = 0;

#if FP16
layout(set = 0, binding = 0) readonly buffer XF { float xf[]; };
layout(set = 0, binding = 0) readonly buffer XH { float16_t xh[]; };
layout(set = 0, binding = 3) writeonly buffer OF { float of[]; };
layout(set = 0, binding = 3) writeonly buffer OH { float16_t oh[]; };
#else
layout(set = 0, binding = 0) readonly buffer XF { float xf[]; };
layout(set = 0, binding = 3) writeonly buffer OF { float of[]; };
#endif
layout(push_constant) uniform P { uint n; } p;

void main() {
  uint i = flat_index();
  if (i >= p.n) return;
#if FP16
  if (TO_F32 != 0)
    of[i] = float(xh[i]);
  else
    oh[i] = float16_t(xf[i]);
#else
  of[i] = xf[i];
#endif
}
