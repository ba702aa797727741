// Training-graph losses that appear in inference exports and the ONNX
// tests: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
#include <cmath>
#include <cstring>
#include <limits>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

// NLL over x [N, C, d...] (log-probabilities) and targets [N, d...].
template <class T>
void nll(KernelContext& c, const Tensor& x, const Tensor& target, const Tensor* weight,
         size_t out_index) {
  if (x.rank() < 2) fail("loss input must have rank >= 2");
  int64_t n = x.shape[0], ch = x.shape[1];
  int64_t inner = x.numel() / std::max<int64_t>(n * ch, 1);
  Shape tshape = x.shape;
  tshape.erase(tshape.begin() + 1);
  if (target.shape != tshape)
    fail("target shape " + shape_str(target.shape) + " does not match input " + shape_str(x.shape));
  std::string red = c.attrs().get_string("reduction", "mean");
  if (red != "none" && red != "sum" && red != "mean") fail("unknown reduction '" + red + "'");
  bool has_ignore = c.attrs().has("ignore_index");
  int64_t ignore = c.attrs().get_int("ignore_index", 0);
  std::vector<int64_t> t = tensor_to_ints(target);
  std::vector<double> w = weight ? tensor_to_doubles(*weight) : std::vector<double>();
  if (weight && int64_t(w.size()) != ch) fail("weight length differs from the class count");
  std::vector<double> loss(t.size(), 0.0);
  double wsum = 0;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < inner; ++i) {
      size_t k = size_t(b * inner + i);
      int64_t cls = t[k];
      if (has_ignore && cls == ignore) continue;
      if (cls < 0 || cls >= ch) fail("target class " + std::to_string(cls) + " out of range");
      double wt = weight ? w[size_t(cls)] : 1.0;
      loss[k] = -double(x.as<T>()[(b * ch + cls) * inner + i]) * wt;
      wsum += wt;
    }
  if (red == "none") {
    Tensor& o = c.out(out_index, x.dtype, tshape);
    for (size_t k = 0; k < loss.size(); ++k) o.as<T>()[k] = T(loss[k]);
    return;
  }
  double s = 0;
  for (double v : loss) s += v;
  if (red == "mean") s = wsum == 0 ? 0.0 : s / wsum;
  c.out(out_index, x.dtype, {}).as<T>()[0] = T(s);
}

void k_nll(KernelContext& c) {
  const Tensor& x = c.in(0);
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    nll<T>(c, x, c.in(1), c.opt(2), 0);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

void k_softmax_ce(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() < 2) fail("scores must have rank >= 2");
  int64_t n = x.shape[0], ch = x.shape[1];
  int64_t inner = x.numel() / std::max<int64_t>(n * ch, 1);
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    // log_softmax over the class axis (axis 1).
    Tensor lp = Tensor::make(x.dtype, x.shape);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = x.as<T>() + b * ch * inner + i;
        T* q = lp.as<T>() + b * ch * inner + i;
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < ch; ++k) mx = std::max(mx, double(p[k * inner]));
        double s = 0;
        for (int64_t k = 0; k < ch; ++k) s += std::exp(double(p[k * inner]) - mx);
        double ls = std::log(s) + mx;
        for (int64_t k = 0; k < ch; ++k) q[k * inner] = T(double(p[k * inner]) - ls);
      }
    nll<T>(c, lp, c.in(1), c.opt(2), 0);
    if (c.wants(1)) {
      Tensor& o = c.out(1, x.dtype, x.shape);
      std::memcpy(o.data, lp.data, lp.nbytes());
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_loss(KernelRegistry& r) {
  r.add({"NegativeLogLikelihoodLoss", k_nll, kFloatTypes | kHalfTypes});
  r.add({"SoftmaxCrossEntropyLoss", k_softmax_ce, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
