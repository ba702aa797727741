// Detection-model operators: NonMaxSuppression and RoiAlign.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

struct Box {
  double y1, x1, y2, x2;
};

Box load_box(const std::vector<double>& b, size_t i, bool center) {
  const double* p = &b[i * 4];
  if (center) return {p[1] - p[3] / 2, p[0] - p[2] / 2, p[1] + p[3] / 2, p[0] + p[2] / 2};
  return {std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
}

double iou(const Box& a, const Box& b) {
  double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return 0;
  double inter = ih * iw;
  double uni = (a.y2 - a.y1) * (a.x2 - a.x1) + (b.y2 - b.y1) * (b.x2 - b.x1) - inter;
  return uni > 0 ? inter / uni : 0;
}

void k_nms(KernelContext& c) {
  const Tensor& boxes = c.in(0);
  const Tensor& scores = c.in(1);
  if (boxes.rank() != 3 || boxes.shape[2] != 4 || scores.rank() != 3)
    fail("NonMaxSuppression needs boxes [B,N,4] and scores [B,C,N]");
  int64_t nb = boxes.shape[0], n = boxes.shape[1], nc = scores.shape[1];
  if (scores.shape[0] != nb || scores.shape[2] != n) fail("boxes and scores do not match");
  int64_t max_out = c.opt(2) && c.opt(2)->numel() ? tensor_get_int(*c.opt(2), 0) : 0;
  double iou_th = c.opt(3) && c.opt(3)->numel() ? tensor_get_double(*c.opt(3), 0) : 0;
  bool has_score_th = c.opt(4) && c.opt(4)->numel();
  double score_th = has_score_th ? tensor_get_double(*c.opt(4), 0) : 0;
  bool center = c.attrs().get_int("center_point_box", 0) != 0;
  std::vector<double> bv = tensor_to_doubles(boxes), sv = tensor_to_doubles(scores);
  std::vector<int64_t> sel;
  for (int64_t b = 0; b < nb; ++b)
    for (int64_t k = 0; k < nc; ++k) {
      std::vector<int64_t> cand;
      const double* s = &sv[size_t((b * nc + k) * n)];
      for (int64_t i = 0; i < n; ++i)
        if (!has_score_th || s[i] > score_th) cand.push_back(i);
      std::stable_sort(cand.begin(), cand.end(), [&](int64_t x, int64_t y) { return s[x] > s[y]; });
      std::vector<Box> kept;
      for (int64_t i : cand) {
        if (int64_t(kept.size()) >= max_out) break;
        Box bx = load_box(bv, size_t(b * n + i), center);
        bool keep = true;
        for (const Box& o : kept)
          if (iou(bx, o) > iou_th) {
            keep = false;
            break;
          }
        if (!keep) continue;
        kept.push_back(bx);
        sel.insert(sel.end(), {b, k, i});
      }
    }
  Tensor& o = c.out(0, DType::kI64, {int64_t(sel.size() / 3), 3});
  std::copy(sel.begin(), sel.end(), o.as<int64_t>());
}

// Bilinear sample of one channel plane with the RoiAlign boundary rules.
double roi_sample(const double* p, int64_t h, int64_t w, double y, double x, bool max_mode,
                  bool* valid) {
  *valid = !(y < -1.0 || y > double(h) || x < -1.0 || x > double(w));
  if (!*valid) return 0;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y0 = int64_t(y), x0 = int64_t(x), y1, x1;
  if (y0 >= h - 1) {
    y1 = y0 = h - 1;
    y = double(y0);
  } else {
    y1 = y0 + 1;
  }
  if (x0 >= w - 1) {
    x1 = x0 = w - 1;
    x = double(x0);
  } else {
    x1 = x0 + 1;
  }
  double ly = y - double(y0), lx = x - double(x0), hy = 1 - ly, hx = 1 - lx;
  double v[4] = {hy * hx * p[y0 * w + x0], hy * lx * p[y0 * w + x1], ly * hx * p[y1 * w + x0],
                 ly * lx * p[y1 * w + x1]};
  if (max_mode) return std::max(std::max(v[0], v[1]), std::max(v[2], v[3]));
  return v[0] + v[1] + v[2] + v[3];
}

void k_roi_align(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& rois = c.in(1);
  std::vector<int64_t> bidx = tensor_to_ints(c.in(2));
  if (x.rank() != 4 || rois.rank() != 2 || rois.shape[1] != 4)
    fail("RoiAlign needs X [N,C,H,W] and rois [R,4]");
  const Attrs& a = c.attrs();
  bool max_mode = a.get_string("mode", "avg") == "max";
  int64_t oh = a.get_int("output_height", 1), ow = a.get_int("output_width", 1);
  int64_t ratio = a.get_int("sampling_ratio", 0);
  double scale = a.get_float("spatial_scale", 1.0f);
  bool half = a.get_string("coordinate_transformation_mode", "half_pixel") == "half_pixel";
  int64_t nr = rois.shape[0], ch = x.shape[1], h = x.shape[2], w = x.shape[3];
  if (int64_t(bidx.size()) != nr) fail("RoiAlign batch_indices length differs from rois");
  std::vector<double> xv = tensor_to_doubles(x), rv = tensor_to_doubles(rois);
  Tensor& o = c.out(0, x.dtype, {nr, ch, oh, ow});
  double off = half ? 0.5 : 0.0;
  for (int64_t r = 0; r < nr; ++r) {
    double sw = rv[size_t(r * 4)] * scale - off, sh = rv[size_t(r * 4 + 1)] * scale - off;
    double ew = rv[size_t(r * 4 + 2)] * scale - off, eh = rv[size_t(r * 4 + 3)] * scale - off;
    double rw = ew - sw, rh = eh - sh;
    if (!half) {
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    double bh = rh / double(oh), bw = rw / double(ow);
    int64_t gh = ratio > 0 ? ratio : int64_t(std::ceil(rh / double(oh)));
    int64_t gw = ratio > 0 ? ratio : int64_t(std::ceil(rw / double(ow)));
    double count = double(std::max<int64_t>(gh * gw, 1));
    int64_t b = bidx[size_t(r)];
    if (b < 0 || b >= x.shape[0]) fail("RoiAlign batch index out of range");
    for (int64_t k = 0; k < ch; ++k) {
      const double* plane = xv.data() + size_t((b * ch + k) * h * w);
      for (int64_t py = 0; py < oh; ++py)
        for (int64_t px = 0; px < ow; ++px) {
          double acc = 0;
          bool first = true;
          for (int64_t iy = 0; iy < gh; ++iy)
            for (int64_t ix = 0; ix < gw; ++ix) {
              double y = sh + double(py) * bh + (double(iy) + 0.5) * bh / double(gh);
              double xx = sw + double(px) * bw + (double(ix) + 0.5) * bw / double(gw);
              bool valid;
              double v = roi_sample(plane, h, w, y, xx, max_mode, &valid);
              if (max_mode) {
                if (first || v > acc) acc = v;
                first = false;
              } else {
                acc += v;
              }
            }
          int64_t oi = ((r * ch + k) * oh + py) * ow + px;
          double res = max_mode ? acc : acc / count;
          if (o.dtype == DType::kF64)
            o.as<double>()[oi] = res;
          else
            o.as<float>()[oi] = float(res);
        }
    }
  }
}

}  // namespace

void register_detection(KernelRegistry& r) {
  r.add({"NonMaxSuppression", k_nms, kFloatTypes | kHalfTypes});
  r.add({"RoiAlign", k_roi_align, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
