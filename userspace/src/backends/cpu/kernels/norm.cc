// Normalizations: BatchNormalization (inference and training mode),
// InstanceNormalization, LayerNormalization, LRN, MeanVarianceNormalization.
#include <algorithm>
#include <cmath>

#include "elementwise.h"

namespace rnpu::cpu {
namespace {

void k_batch_norm(KernelContext& c) {
  const Tensor& x = c.in(0);
  float eps = c.attrs().get_float("epsilon", 1e-5f);
  float momentum = c.attrs().get_float("momentum", 0.9f);
  bool training = c.attrs().get_int("training_mode", 0) != 0;
  if (x.rank() < 2) fail("BatchNormalization input must have rank >= 2");
  int64_t n = x.shape[0], ch = x.shape[1];
  int64_t sp = x.numel() / std::max<int64_t>(n * ch, 1);
  for (size_t i = 1; i <= 4; ++i)
    if (c.in(i).numel() != ch)
      fail("BatchNormalization parameter " + std::to_string(i) + " length differs from channels");
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<double> sc = tensor_to_doubles(c.in(1)), bi = tensor_to_doubles(c.in(2));
    std::vector<double> mean = tensor_to_doubles(c.in(3)), var = tensor_to_doubles(c.in(4));
    std::vector<double> bmean(static_cast<size_t>(ch), 0), bvar(static_cast<size_t>(ch), 0);
    if (training) {
      for (int64_t k = 0; k < ch; ++k) {
        double s = 0, s2 = 0;
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < sp; ++i) s += double(x.as<T>()[(b * ch + k) * sp + i]);
        double m = s / double(n * sp);
        for (int64_t b = 0; b < n; ++b)
          for (int64_t i = 0; i < sp; ++i) {
            double d = double(x.as<T>()[(b * ch + k) * sp + i]) - m;
            s2 += d * d;
          }
        bmean[size_t(k)] = m;
        bvar[size_t(k)] = s2 / double(n * sp);
      }
    }
    const std::vector<double>& um = training ? bmean : mean;
    const std::vector<double>& uv = training ? bvar : var;
    Tensor& y = c.out(0, x.dtype, x.shape);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < ch; ++k) {
        double a = sc[size_t(k)] / std::sqrt(uv[size_t(k)] + double(eps));
        double o = bi[size_t(k)] - um[size_t(k)] * a;
        const T* px = x.as<T>() + (b * ch + k) * sp;
        T* py = y.as<T>() + (b * ch + k) * sp;
        for (int64_t i = 0; i < sp; ++i) py[i] = T(double(px[i]) * a + o);
      }
    if (training) {
      for (size_t oi = 1; oi <= 2 && c.wants(oi); ++oi) {
        Tensor& r = c.out(oi, c.in(3).dtype, {ch});
        for (int64_t k = 0; k < ch; ++k) {
          double cur = oi == 1 ? bmean[size_t(k)] : bvar[size_t(k)];
          double run = oi == 1 ? mean[size_t(k)] : var[size_t(k)];
          double v = run * double(momentum) + cur * (1.0 - double(momentum));
          if (r.dtype == DType::kF32)
            r.as<float>()[k] = float(v);
          else
            r.as<double>()[k] = v;
        }
      }
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

// Normalizes each of `outer` contiguous groups of `inner` elements, then
// applies per-element scale/bias of period `period` (or per group).
template <class T>
void normalize_groups(const T* x, T* y, int64_t outer, int64_t inner, double eps, double* mean_out,
                      double* inv_out) {
  for (int64_t o = 0; o < outer; ++o) {
    const T* p = x + o * inner;
    double s = 0;
    for (int64_t i = 0; i < inner; ++i) s += double(p[i]);
    double m = s / double(inner);
    double v = 0;
    for (int64_t i = 0; i < inner; ++i) v += (double(p[i]) - m) * (double(p[i]) - m);
    double inv = 1.0 / std::sqrt(v / double(inner) + eps);
    for (int64_t i = 0; i < inner; ++i) y[o * inner + i] = T((double(p[i]) - m) * inv);
    if (mean_out) mean_out[o] = m;
    if (inv_out) inv_out[o] = inv;
  }
}

void k_instance_norm(KernelContext& c) {
  const Tensor& x = c.in(0);
  float eps = c.attrs().get_float("epsilon", 1e-5f);
  if (x.rank() < 3) fail("InstanceNormalization input must have rank >= 3");
  int64_t n = x.shape[0], ch = x.shape[1], sp = x.numel() / std::max<int64_t>(n * ch, 1);
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<double> sc = tensor_to_doubles(c.in(1)), bi = tensor_to_doubles(c.in(2));
    if (int64_t(sc.size()) != ch || int64_t(bi.size()) != ch)
      fail("InstanceNormalization scale/bias length differs from channels");
    Tensor& y = c.out(0, x.dtype, x.shape);
    normalize_groups<T>(x.as<T>(), y.as<T>(), n * ch, sp, eps, nullptr, nullptr);
    for (int64_t g = 0; g < n * ch; ++g)
      for (int64_t i = 0; i < sp; ++i) {
        T& v = y.as<T>()[g * sp + i];
        v = T(double(v) * sc[size_t(g % ch)] + bi[size_t(g % ch)]);
      }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

void k_layer_norm(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& scale = c.in(1);
  const Tensor* bias = c.opt(2);
  int64_t rank = int64_t(x.rank());
  int64_t axis = norm_axis(c.attrs().get_int("axis", -1), rank);
  float eps = c.attrs().get_float("epsilon", 1e-5f);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
  int64_t inner = outer ? x.numel() / outer : 0;
  Shape norm_shape(x.shape.begin() + axis, x.shape.end());
  Shape stat_shape = x.shape;
  for (int64_t d = axis; d < rank; ++d) stat_shape[size_t(d)] = 1;
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, x.shape);
    std::vector<double> mean(static_cast<size_t>(outer)), inv(static_cast<size_t>(outer));
    normalize_groups<T>(x.as<T>(), y.as<T>(), outer, inner, eps, mean.data(), inv.data());
    // Scale and bias broadcast against the normalized trailing shape.
    Tensor sb = Tensor::make(scale.dtype, norm_shape);
    broadcast_copy(scale, sb);
    Tensor bb;
    if (bias) {
      bb = Tensor::make(bias->dtype, norm_shape);
      broadcast_copy(*bias, bb);
    }
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        T& v = y.as<T>()[o * inner + i];
        v = T(v * sb.as<T>()[i] + (bias ? bb.as<T>()[i] : T(0)));
      }
    // Mean and InvStdDev are float unless stash_type says otherwise; we
    // store them in the input type, which is what the ONNX tests expect.
    if (c.wants(1)) {
      Tensor& m = c.out(1, x.dtype, stat_shape);
      for (int64_t o = 0; o < outer; ++o) m.as<T>()[o] = T(mean[size_t(o)]);
    }
    if (c.wants(2)) {
      Tensor& s = c.out(2, x.dtype, stat_shape);
      for (int64_t o = 0; o < outer; ++o) s.as<T>()[o] = T(inv[size_t(o)]);
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

void k_lrn(KernelContext& c) {
  const Tensor& x = c.in(0);
  double alpha = c.attrs().get_float("alpha", 1e-4f);
  double beta = c.attrs().get_float("beta", 0.75f);
  double bias = c.attrs().get_float("bias", 1.0f);
  int64_t size = c.attrs().get_int("size", 0);
  if (size <= 0) fail("LRN size must be positive");
  if (x.rank() < 3) fail("LRN input must have rank >= 3");
  int64_t n = x.shape[0], ch = x.shape[1], sp = x.numel() / std::max<int64_t>(n * ch, 1);
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, x.shape);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < ch; ++k)
        for (int64_t i = 0; i < sp; ++i) {
          double s = 0;
          for (int64_t j = std::max<int64_t>(0, k - lo); j <= std::min(ch - 1, k + hi); ++j) {
            double v = double(x.as<T>()[(b * ch + j) * sp + i]);
            s += v * v;
          }
          int64_t off = (b * ch + k) * sp + i;
          y.as<T>()[off] =
              T(double(x.as<T>()[off]) / std::pow(bias + alpha / double(size) * s, beta));
        }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

void k_mvn(KernelContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int64_t> axes = c.attrs().get_ints("axes", {0, 2, 3});
  int64_t rank = int64_t(x.rank());
  Shape ks = x.shape;
  int64_t cnt = 1;
  for (int64_t a : axes) {
    int64_t n = norm_axis(a, rank);
    cnt *= ks[size_t(n)];
    ks[size_t(n)] = 1;
  }
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    int64_t kn = shape_numel(ks);
    std::vector<double> s(static_cast<size_t>(kn), 0), s2(static_cast<size_t>(kn), 0);
    const T* px = x.as<T>();
    auto walk = [&](auto f) {
      broadcast_loop<1>(
          x.shape, {&ks},
          [&](int64_t o, std::array<int64_t, 1> off, std::array<int64_t, 1> st, int64_t n) {
            for (int64_t i = 0; i < n; ++i) f(o + i, off[0] + i * st[0]);
          });
    };
    walk([&](int64_t i, int64_t k) {
      s[size_t(k)] += double(px[i]);
      s2[size_t(k)] += double(px[i]) * double(px[i]);
    });
    Tensor& y = c.out(0, x.dtype, x.shape);
    walk([&](int64_t i, int64_t k) {
      double m = s[size_t(k)] / double(cnt);
      double v = s2[size_t(k)] / double(cnt) - m * m;
      y.as<T>()[i] = T((double(px[i]) - m) / (std::sqrt(std::max(v, 0.0)) + 1e-9));
    });
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

}  // namespace

void register_norm(KernelRegistry& r) {
  const unsigned fl = kFloatTypes | kHalfTypes;
  r.add({"BatchNormalization", k_batch_norm, fl});
  r.add({"InstanceNormalization", k_instance_norm, fl});
  r.add({"LayerNormalization", k_layer_norm, fl});
  r.add({"LRN", k_lrn, fl});
  r.add({"MeanVarianceNormalization", k_mvn, fl});
}

}  // namespace rnpu::cpu
