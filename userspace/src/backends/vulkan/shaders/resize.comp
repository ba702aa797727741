#version 450
// Resize of the two innermost dims ([planes, h, w] -> [planes, oh, ow]),
// nearest or bilinear, with ONNX coordinate transformation and nearest
// rounding modes (spec 3: linear, spec 4: coordinate mode, spec 5:
// nearest mode).  scale_h/scale_w are output/input as ONNX defines them.
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 3) const int LINEAR = 0;
layout(constant_id = 4) const int COORD = 0;    // 0 half_pixel, 1 asymmetric, 2 align_corners, 3 pytorch_half_pixel, 4 tf_half_pixel_for_nearest
layout(constant_id = 5) const int NEAREST = 0;  // 0 round_prefer_floor, 1 round_prefer_ceil, 2 floor, 3 ceil

layout(set = 0, binding = 0) readonly buffer X { STORE x[]; };
layout(set = 0, binding = 3) writeonly buffer O { STORE o[]; };

layout(push_constant) uniform P {
  uint h, w, oh, ow;
  float scale_h, scale_w;
  uint total;
  // in * scale, unrounded: ONNX's length_resized in align_corners and
  // pytorch_half_pixel when scales are given.
  float len_h, len_w;
} p;

float src_coord(uint o, float scale, uint in_len, float out_len) {
  float of = float(o);
  switch (COORD) {
    case 1: return of / scale;
    case 2: return out_len != 1.0 ? of * float(in_len - 1) / (out_len - 1.0) : 0.0;
    case 3: return out_len > 1.0 ? (of + 0.5) / scale - 0.5 : -0.5;
    case 4: return (of + 0.5) / scale;
    default: return (of + 0.5) / scale - 0.5;
  }
}

int nearest(float c, uint len) {
  int i;
  switch (NEAREST) {
    case 1: i = (fract(c) == 0.5) ? int(ceil(c)) : int(floor(c + 0.5)); break;
    case 2: i = int(floor(c)); break;
    case 3: i = int(ceil(c)); break;
    default: i = (fract(c) == 0.5) ? int(floor(c)) : int(floor(c + 0.5)); break;
  }
  return clamp(i, 0, int(len) - 1);
}

void main() {
  uint i = flat_index();
  if (i >= p.total) return;
  uint ox = i % p.ow, oy = (i / p.ow) % p.oh, plane = i / (p.ow * p.oh);
  uint base = plane * p.h * p.w;
  float cy = src_coord(oy, p.scale_h, p.h, p.len_h);
  float cx = src_coord(ox, p.scale_w, p.w, p.len_w);
  float v;
  if (LINEAR == 0) {
    v = float(x[base + uint(nearest(cy, p.h)) * p.w + uint(nearest(cx, p.w))]);
  } else {
    cy = clamp(cy, 0.0, float(p.h - 1));
    cx = clamp(cx, 0.0, float(p.w - 1));
    int y0 = int(floor(cy)), x0 = int(floor(cx));
    int y1 = min(y0 + 1, int(p.h) - 1), x1 = min(x0 + 1, int(p.w) - 1);
    float fy = cy - float(y0), fx = cx - float(x0);
    float a = float(x[base + uint(y0) * p.w + uint(x0)]);
    float b = float(x[base + uint(y0) * p.w + uint(x1)]);
    float c = float(x[base + uint(y1) * p.w + uint(x0)]);
    float d = float(x[base + uint(y1) * p.w + uint(x1)]);
    v = mix(mix(a, b, fx), mix(c, d, fx), fy);
  }
  o[i] = STORE(v);
}
