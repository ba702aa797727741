// Shape functions for convolution, pooling, matrix products,
// normalisation and resizing.
#include <algorithm>
#include <cmath>

#include "passes/infer_ctx.h"
#include "passes/shape_inference.h"

namespace rnpu::passes {

namespace {

struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
  std::string auto_pad;
};

Window window_attrs(InferCtx& c, size_t spatial, const std::vector<int64_t>& kernel) {
  Window w;
  w.kernel = kernel;
  w.strides = c.attrs().get_ints("strides", std::vector<int64_t>(spatial, 1));
  w.dilations = c.attrs().get_ints("dilations", std::vector<int64_t>(spatial, 1));
  w.pads = c.attrs().get_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  w.auto_pad = c.attrs().get_string("auto_pad", "NOTSET");
  c.check(w.kernel.size() == spatial, kShape,
          "kernel has " + std::to_string(w.kernel.size()) + " spatial dims, input has " +
              std::to_string(spatial));
  c.check(w.strides.size() == spatial, kBad, "strides has the wrong length");
  c.check(w.dilations.size() == spatial, kBad, "dilations has the wrong length");
  c.check(w.pads.size() == 2 * spatial, kBad, "pads has the wrong length");
  for (size_t i = 0; i < spatial; ++i) {
    c.check(w.kernel[i] >= 1 && w.kernel[i] <= ir::kMaxElements, kBad, "kernel size out of range");
    c.check(w.strides[i] >= 1 && w.strides[i] <= ir::kMaxElements, kBad, "stride must be >= 1");
    c.check(w.dilations[i] >= 1 && w.dilations[i] <= ir::kMaxElements, kBad,
            "dilation must be >= 1");
  }
  for (int64_t p : w.pads) c.check(p >= 0 && p <= ir::kMaxElements, kBad, "pad out of range");
  c.check(w.auto_pad == "NOTSET" || w.auto_pad == "VALID" || w.auto_pad == "SAME_UPPER" ||
              w.auto_pad == "SAME_LOWER",
          kBad, "auto_pad '" + w.auto_pad + "' is invalid");
  return w;
}

// Output length of one sliding-window dimension.
Dim window_out(InferCtx& c, const Dim& in, const Window& w, size_t i, bool ceil_mode) {
  if (!in.known()) return Dim{};
  int64_t n = in.value, s = w.strides[i];
  int64_t eff = c.arith('+', c.arith('*', w.kernel[i] - 1, w.dilations[i], "dilated kernel extent"),
                        1, "dilated kernel extent");
  if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") return dim((n + s - 1) / s);
  int64_t padded = n + (w.auto_pad == "VALID" ? 0 : w.pads[i] + w.pads[i + w.kernel.size()]);
  c.check(padded >= eff, kShape,
          "window of " + std::to_string(eff) + " does not fit padded input of " +
              std::to_string(padded) + " on spatial axis " + std::to_string(i));
  int64_t num = padded - eff;
  int64_t out = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
  // A window that would start entirely in the end padding is dropped.
  if (ceil_mode && (out - 1) * s >= n + (w.auto_pad == "VALID" ? 0 : w.pads[i])) --out;
  return dim(out);
}

void conv_like(InferCtx& c, size_t x_in, size_t w_in, DType out_type) {
  const Shape& x = c.shape(x_in);
  const Shape& wt = c.shape(w_in);
  if (!x.has_rank) return c.out(0, out_type, x);
  c.check(x.rank() >= 3, kShape, "input must be at least 3-D (N, C, spatial...), got " + x.str());
  size_t spatial = x.rank() - 2;
  int64_t group = c.attrs().get_int("group", 1);
  c.check(group >= 1, kBad, "group must be >= 1");
  std::vector<int64_t> kernel = c.attrs().get_ints("kernel_shape");
  if (kernel.empty()) {
    if (!wt.has_rank) return c.out(0, out_type, ranked(std::vector<Dim>(x.rank())));
    c.check(wt.rank() == x.rank(), kShape,
            "weight " + wt.str() + " and input " + x.str() + " differ in rank");
    for (size_t i = 2; i < wt.rank(); ++i) {
      if (!wt.dims[i].known()) return c.out(0, out_type, ranked(std::vector<Dim>(x.rank())));
      kernel.push_back(wt.dims[i].value);
    }
  }
  Window w = window_attrs(c, spatial, kernel);
  Dim m;
  if (wt.has_rank) {
    c.check(wt.rank() == x.rank(), kShape,
            "weight " + wt.str() + " and input " + x.str() + " differ in rank");
    m = wt.dims[0];
    if (wt.dims[1].known() && x.dims[1].known()) {
      int64_t want = c.arith('*', wt.dims[1].value, group, "weight channels times group");
      c.check(want == x.dims[1].value, kShape,
              "input has " + std::to_string(x.dims[1].value) + " channels, weight " + wt.str() +
                  " with group " + std::to_string(group) + " expects " + std::to_string(want));
    }
    if (m.known()) c.check(m.value % group == 0, kShape, "output channels not divisible by group");
  }
  std::vector<Dim> out{x.dims[0], m};
  for (size_t i = 0; i < spatial; ++i) out.push_back(window_out(c, x.dims[i + 2], w, i, false));
  c.out(0, out_type, ranked(out));
}

void conv(InferCtx& c) {
  conv_like(c, 0, 1, c.dt(0));
}
void conv_integer(InferCtx& c) {
  conv_like(c, 0, 1, DType::kInt32);
}
void qlinear_conv(InferCtx& c) {
  conv_like(c, 0, 3, c.dt(7));
}

void conv_transpose(InferCtx& c) {
  const Shape& x = c.shape(0);
  const Shape& wt = c.shape(1);
  if (!x.has_rank) return c.out(0, c.dt(0), x);
  c.check(x.rank() >= 3, kShape, "input must be at least 3-D, got " + x.str());
  size_t spatial = x.rank() - 2;
  int64_t group = c.attrs().get_int("group", 1);
  c.check(group >= 1, kBad, "group must be >= 1");
  std::vector<int64_t> kernel = c.attrs().get_ints("kernel_shape");
  if (kernel.empty() && wt.has_rank && wt.rank() == x.rank())
    for (size_t i = 2; i < wt.rank(); ++i)
      kernel.push_back(wt.dims[i].known() ? wt.dims[i].value : -1);
  Dim m;
  if (wt.has_rank) {
    c.check(wt.rank() == x.rank(), kShape, "weight and input differ in rank");
    if (wt.dims[1].known()) m = dim(c.arith('*', wt.dims[1].value, group, "output channels"));
    if (wt.dims[0].known() && x.dims[1].known())
      c.check(wt.dims[0].value == x.dims[1].value, kShape,
              "input has " + std::to_string(x.dims[1].value) + " channels, weight " + wt.str() +
                  " expects " + std::to_string(wt.dims[0].value));
  }
  std::vector<Dim> out{x.dims[0], m};
  auto output_shape = c.attrs().get_ints("output_shape");
  if (!output_shape.empty()) {
    c.check(output_shape.size() == spatial || output_shape.size() == spatial + 2, kBad,
            "output_shape has the wrong length");
    size_t off = output_shape.size() - spatial;
    for (size_t i = 0; i < spatial; ++i) {
      c.check(output_shape[off + i] >= 0, kBad, "negative output_shape");
      out.push_back(dim(output_shape[off + i]));
    }
    return c.out(0, c.dt(0), ranked(out));
  }
  if (kernel.size() != spatial || std::count(kernel.begin(), kernel.end(), -1)) {
    out.resize(x.rank());
    return c.out(0, c.dt(0), ranked(out));
  }
  Window w = window_attrs(c, spatial, kernel);
  auto opad = c.attrs().get_ints("output_padding", std::vector<int64_t>(spatial, 0));
  c.check(opad.size() == spatial, kBad, "output_padding has the wrong length");
  for (size_t i = 0; i < spatial; ++i) {
    const Dim& in = x.dims[i + 2];
    if (!in.known()) {
      out.push_back(Dim{});
      continue;
    }
    int64_t s = w.strides[i];
    int64_t v;
    const char* what = "output size";
    if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") {
      v = c.arith('*', in.value, s, what);
    } else {
      int64_t pads = w.auto_pad == "VALID" ? 0 : w.pads[i] + w.pads[i + spatial];
      int64_t ext = c.arith('*', w.kernel[i] - 1, w.dilations[i], "dilated kernel extent");
      v = c.arith('*', s, in.value - 1, what);
      v = c.arith('+', v, opad[i], what);
      v = c.arith('+', v, c.arith('+', ext, 1, what) - pads, what);
    }
    c.check(v >= 0, kShape, "output size is negative");
    out.push_back(dim(v));
  }
  c.out(0, c.dt(0), ranked(out));
}

void pool(InferCtx& c) {
  const Shape& x = c.shape(0);
  if (!x.has_rank) {
    c.out(0, c.dt(0), x);
    c.out(1, DType::kInt64, x);
    return;
  }
  c.check(x.rank() >= 3, kShape, "input must be at least 3-D (N, C, spatial...), got " + x.str());
  size_t spatial = x.rank() - 2;
  auto kernel = c.attrs().get_ints("kernel_shape");
  c.check(!kernel.empty(), kBad, "kernel_shape is required");
  Window w = window_attrs(c, spatial, kernel);
  bool ceil_mode = c.attrs().get_int("ceil_mode", 0) != 0;
  std::vector<Dim> out{x.dims[0], x.dims[1]};
  for (size_t i = 0; i < spatial; ++i) out.push_back(window_out(c, x.dims[i + 2], w, i, ceil_mode));
  c.out(0, c.dt(0), ranked(out));
  c.out(1, DType::kInt64, ranked(out));
}

void global_pool(InferCtx& c) {
  const Shape& x = c.shape(0);
  if (!x.has_rank) return c.out(0, c.dt(0), x);
  c.check(x.rank() >= 2, kShape, "input must be at least 2-D");
  std::vector<Dim> out{x.dims[0], x.dims[1]};
  for (size_t i = 2; i < x.rank(); ++i) out.push_back(Dim{1, {}});
  c.out(0, c.dt(0), ranked(out));
}

void gemm(InferCtx& c) {
  const Shape& a = c.shape(0);
  const Shape& b = c.shape(1);
  if (!a.has_rank || !b.has_rank) return c.out(0, c.dt(0), ranked({Dim{}, Dim{}}));
  c.check(a.rank() == 2 && b.rank() == 2, kShape,
          "A " + a.str() + " and B " + b.str() + " must be 2-D");
  bool ta = c.attrs().get_int("transA", 0), tb = c.attrs().get_int("transB", 0);
  Dim m = a.dims[ta ? 1 : 0], ka = a.dims[ta ? 0 : 1];
  Dim kb = b.dims[tb ? 1 : 0], n = b.dims[tb ? 0 : 1];
  if (ka.known() && kb.known())
    c.check(ka.value == kb.value, kShape,
            "inner dimensions differ: A " + a.str() + (ta ? "^T" : "") + " x B " + b.str() +
                (tb ? "^T" : ""));
  Shape o = ranked({m, n});
  if (c.has(2)) (void)broadcast_shapes(o, c.shape(2), c.node());  // C must broadcast to Y
  c.out(0, c.dt(0), o);
}

void matmul_like(InferCtx& c, size_t ai, size_t bi, DType t) {
  const Shape& a = c.shape(ai);
  const Shape& b = c.shape(bi);
  if (!a.has_rank || !b.has_rank) return c.out(0, t, Shape::unknown_rank());
  c.check(a.rank() >= 1 && b.rank() >= 1, kShape, "inputs must have rank >= 1");
  Shape sa = a, sb = b;
  if (sa.rank() == 1) sa.dims.insert(sa.dims.begin(), Dim{1, {}});
  if (sb.rank() == 1) sb.dims.push_back(Dim{1, {}});
  const Dim& k1 = sa.dims.back();
  const Dim& k2 = sb.dims[sb.rank() - 2];
  if (k1.known() && k2.known())
    c.check(k1.value == k2.value, kShape, "inner dimensions differ: " + a.str() + " x " + b.str());
  Shape ba = ranked({sa.dims.begin(), sa.dims.end() - 2});
  Shape bb = ranked({sb.dims.begin(), sb.dims.end() - 2});
  Shape o = broadcast_shapes(ba, bb, c.node());
  if (a.rank() != 1) o.dims.push_back(sa.dims[sa.rank() - 2]);
  if (b.rank() != 1) o.dims.push_back(sb.dims.back());
  c.out(0, t, o);
}

void matmul(InferCtx& c) {
  matmul_like(c, 0, 1, c.dt(0));
}
void matmul_integer(InferCtx& c) {
  matmul_like(c, 0, 1, DType::kInt32);
}
void qlinear_matmul(InferCtx& c) {
  matmul_like(c, 0, 3, c.dt(7));
}

void batch_norm(InferCtx& c) {
  c.out(0, c.dt(0), c.shape(0));
  const Shape& x = c.shape(0);
  if (x.has_rank && x.rank() >= 2 && c.has(1)) {
    const Shape& sc = c.shape(1);
    if (sc.has_rank && sc.rank() == 1 && sc.dims[0].known() && x.dims[1].known())
      c.check(sc.dims[0].value == x.dims[1].value, kShape,
              "scale " + sc.str() + " does not match channels of " + x.str());
  }
  for (size_t i = 1; i < c.num_outputs(); ++i)
    if (c.has(3)) c.out(i, c.dt(3), c.shape(3));
}

void layer_norm(InferCtx& c) {
  const Shape& x = c.shape(0);
  c.out(0, c.dt(0), x);
  if (!x.has_rank) return;
  int64_t r = int64_t(x.rank());
  int64_t ax = c.axis(c.attrs().get_int("axis", -1), r);
  std::vector<Dim> stat(x.dims.begin(), x.dims.begin() + ax);
  for (int64_t i = ax; i < r; ++i) stat.push_back(Dim{1, {}});
  DType st = DType(c.attrs().get_int("stash_type", 1));
  c.out(1, st, ranked(stat));
  c.out(2, st, ranked(stat));
}

void resize(InferCtx& c) {
  const Shape& x = c.shape(0);
  if (!x.has_rank) return c.out(0, c.dt(0), x);
  size_t r = x.rank();
  std::optional<std::vector<int64_t>> sizes;
  std::vector<float> scales;
  bool have_scales = false;
  const std::string& op = c.node().op;
  if (op == "Upsample" && c.opset() < 9) {
    scales = c.attrs().get_floats("scales");
    have_scales = true;
  } else {
    size_t si = (op == "Upsample" || c.opset() < 11) ? 1 : 2;
    if (op == "Resize" && c.opset() >= 11 && c.has(3)) {
      sizes = c.known_ints(3);
      if (!sizes) return c.out(0, c.dt(0), ranked(std::vector<Dim>(r)));
    } else if (c.has(si)) {
      const ir::ConstTensor* t = c.constant(si);
      if (!t || t->dtype != DType::kFloat32) return c.out(0, c.dt(0), ranked(std::vector<Dim>(r)));
      scales.assign(t->as<float>(), t->as<float>() + t->numel());
      have_scales = !scales.empty();
      if (!have_scales && !c.has(3)) c.fail(kBad, "neither scales nor sizes given");
    }
  }
  auto axes = c.attrs().get_ints("axes");
  std::vector<int64_t> ax;
  if (axes.empty())
    for (size_t i = 0; i < r; ++i) ax.push_back(int64_t(i));
  else
    for (int64_t a : axes) {
      int64_t d = c.axis(a, int64_t(r));
      c.check(std::find(ax.begin(), ax.end(), d) == ax.end(), kBad,
              "axis " + std::to_string(a) + " is listed twice");
      ax.push_back(d);
    }
  std::string policy = c.attrs().get_string("keep_aspect_ratio_policy", "stretch");
  c.check(policy == "stretch" || policy == "not_larger" || policy == "not_smaller", kBad,
          "unknown keep_aspect_ratio_policy '" + policy + "'");
  Shape o = x;
  if (sizes) {
    c.check(sizes->size() == ax.size(), kShape,
            "sizes has " + std::to_string(sizes->size()) + " entries for " +
                std::to_string(ax.size()) + " axes");
    for (size_t i = 0; i < ax.size(); ++i) {
      c.check((*sizes)[i] >= 0, kBad, "negative size");
      o.dims[size_t(ax[i])] = dim((*sizes)[i]);
    }
    if (policy != "stretch") {
      // One scale for every resized axis, the smallest (not_larger) or
      // largest (not_smaller) of size / extent: it needs every extent.
      double scale = -1;
      for (size_t i = 0; i < ax.size(); ++i) {
        const Dim& d = x.dims[size_t(ax[i])];
        if (!d.known() || d.value == 0) {
          scale = -1;
          break;
        }
        double s = double((*sizes)[i]) / double(d.value);
        if (scale < 0 || (policy == "not_larger" ? s < scale : s > scale)) scale = s;
      }
      for (int64_t a : ax) {
        Dim& d = o.dims[size_t(a)];
        if (scale < 0) {
          d = Dim{};
          continue;
        }
        double v = std::floor(scale * double(x.dims[size_t(a)].value) + 0.5);  // halves up
        c.check(v <= double(ir::kMaxElements), kBad, "scaled size too large");
        d = dim(int64_t(v));
      }
    }
  } else if (have_scales) {
    c.check(scales.size() == ax.size(), kShape,
            "scales has " + std::to_string(scales.size()) + " entries for " +
                std::to_string(ax.size()) + " axes");
    for (size_t i = 0; i < ax.size(); ++i) {
      c.check(scales[i] > 0 && std::isfinite(scales[i]), kBad, "scale must be positive");
      Dim& d = o.dims[size_t(ax[i])];
      if (d.known()) {
        double v = std::floor(double(d.value) * double(scales[i]));
        c.check(v <= double(ir::kMaxElements), kBad, "scaled size too large");
        d = dim(int64_t(v));
      }
    }
  }
  c.out(0, c.dt(0), o);
}

void grid_sample(InferCtx& c) {
  const Shape& x = c.shape(0);
  const Shape& g = c.shape(1);
  if (!x.has_rank || !g.has_rank || x.rank() != 4 || g.rank() != 4)
    return c.out(0, c.dt(0), Shape::unknown_rank());
  c.check(!x.dims[0].known() || !g.dims[0].known() || x.dims[0].value == g.dims[0].value, kShape,
          "grid " + g.str() + " and X " + x.str() + " differ in batch");
  c.check(!g.dims[3].known() || g.dims[3].value == 2, kShape,
          "grid " + g.str() + " must end in 2 (x, y)");
  c.out(0, c.dt(0), ranked({x.dims[0], x.dims[1], g.dims[1], g.dims[2]}));
}

void roi_align(InferCtx& c) {
  const Shape& x = c.shape(0);
  const Shape& rois = c.shape(1);
  Dim ch = x.has_rank && x.rank() == 4 ? x.dims[1] : Dim{};
  Dim n = rois.has_rank && rois.rank() == 2 ? rois.dims[0] : Dim{};
  int64_t oh = c.attrs().get_int("output_height", 1), ow = c.attrs().get_int("output_width", 1);
  c.check(oh >= 1 && ow >= 1 && oh < 65536 && ow < 65536, kBad, "output size out of range");
  c.out(0, c.dt(0), ranked({n, ch, dim(oh), dim(ow)}));
}

void einsum(InferCtx& c) {
  // Only the rank is derivable without parsing broadcast ellipses fully.
  c.out(0, c.dt(0), Shape::unknown_rank());
}

}  // namespace

void register_nn_shape_fns(std::unordered_map<std::string, ShapeFn>& m) {
  m["Conv"] = conv;
  m["ConvInteger"] = conv_integer;
  m["QLinearConv"] = qlinear_conv;
  m["ConvTranspose"] = conv_transpose;
  m["MaxPool"] = pool;
  m["AveragePool"] = pool;
  m["LpPool"] = pool;
  m["GlobalAveragePool"] = global_pool;
  m["GlobalMaxPool"] = global_pool;
  m["GlobalLpPool"] = global_pool;
  m["Gemm"] = gemm;
  m["MatMul"] = matmul;
  m["MatMulInteger"] = matmul_integer;
  m["QLinearMatMul"] = qlinear_matmul;
  m["BatchNormalization"] = batch_norm;
  m["LayerNormalization"] = layer_norm;
  m["Resize"] = resize;
  m["Upsample"] = resize;
  m["GridSample"] = grid_sample;
  m["RoiAlign"] = roi_align;
  m["Einsum"] = einsum;
}

}  // namespace rnpu::passes
