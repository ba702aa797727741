// Output sizes and padding for convolution and pooling windows, following
// the ONNX rules for auto_pad, dilations and ceil_mode.
#pragma once

#include <string>
#include <vector>

#include "attrs.h"
#include "tensor.h"

namespace rnpu::cpu {

struct WindowGeom {
  Shape in, kernel, out;  // spatial dimensions only
  std::vector<int64_t> stride, dil, pad_begin, pad_end;
  int64_t spatial_in() const { return shape_numel(in); }
  int64_t spatial_out() const { return shape_numel(out); }
  int64_t kernel_size() const { return shape_numel(kernel); }
};

// Fills out/pads from in/kernel and the node's auto_pad, pads, strides,
// dilations and (for pooling) ceil_mode attributes.
WindowGeom window_geometry(const Attrs& a, const Shape& in_spatial, const Shape& kernel,
                           bool allow_ceil);

struct ConvGeom {
  int64_t n = 0, c = 0, m = 0, group = 1;
  WindowGeom w;
};

// Conv geometry for X [N,C,spatial...] and W [M,C/group,kernel...].
ConvGeom conv_geometry(const Attrs& a, const Shape& x, const Shape& w);

// ConvTranspose geometry for X [N,C,spatial...] and W [C,M/group,kernel...],
// described as the forward convolution that maps the output back to X: in
// `w`, `in` is the ConvTranspose output and `out` its input.  Pads may be
// negative when output_shape asks for more than the natural size.
struct ConvTransposeGeom {
  int64_t n = 0, c = 0, m = 0, group = 1;
  WindowGeom w;
  std::vector<int64_t> output_padding;
};
ConvTransposeGeom conv_transpose_geometry(const Attrs& a, const Shape& x, const Shape& w);

// For every kernel position kp and output position p, the input offset
// (row-major spatial) of the tap at [kp * spatial_out + p]; -1 for a tap in
// the explicit padding, -2 for one beyond it (only with ceil_mode).
std::vector<int64_t> window_taps(const WindowGeom& g);

// im2col for one image and one group: col[(c*K + kpos), p] = x[c, in(p,kpos)]
// or `pad` outside the input.
template <class T>
void im2col(const T* x, int64_t channels, const WindowGeom& g, T pad, T* col);

// The inverse scatter-add used by ConvTranspose: y[c, in(p,kpos)] += col[...].
template <class T>
void col2im(const T* col, int64_t channels, const WindowGeom& g, T* y);

}  // namespace rnpu::cpu
