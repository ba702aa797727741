// Pooling: MaxPool (with indices), AveragePool, LpPool, their Global forms
// and MaxUnpool, for any spatial rank.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "conv_geom.h"
#include "kernel.h"

namespace rnpu::cpu {
namespace {

struct Pool {
  int64_t n, c;
  WindowGeom g;
  Shape out_shape;
};

Pool pool_geometry(const KernelContext& ctx, const Tensor& x) {
  if (x.rank() < 3) fail("pooling input must have rank >= 3, got " + shape_str(x.shape));
  Pool p;
  p.n = x.shape[0];
  p.c = x.shape[1];
  Shape in(x.shape.begin() + 2, x.shape.end());
  Shape k = ctx.attrs().get_ints("kernel_shape");
  if (k.empty()) fail("pooling needs kernel_shape");
  p.g = window_geometry(ctx.attrs(), in, k, true);
  p.out_shape = {p.n, p.c};
  p.out_shape.insert(p.out_shape.end(), p.g.out.begin(), p.g.out.end());
  return p;
}

template <class T>
void max_pool(const Tensor& x, const Pool& p, T* y, int64_t* ind, bool col_major) {
  std::vector<int64_t> taps = window_taps(p.g);
  int64_t kn = p.g.kernel_size(), pn = p.g.spatial_out(), in_n = p.g.spatial_in();
  Shape in = p.g.in;
  for (int64_t nc = 0; nc < p.n * p.c; ++nc) {
    const T* xc = x.as<T>() + nc * in_n;
    for (int64_t o = 0; o < pn; ++o) {
      T best = std::numeric_limits<T>::lowest();
      if constexpr (std::is_floating_point_v<T>) best = -std::numeric_limits<T>::infinity();
      int64_t arg = -1;
      for (int64_t k = 0; k < kn; ++k) {
        int64_t off = taps[size_t(k * pn + o)];
        if (off >= 0 && (arg < 0 || xc[off] > best)) {
          best = xc[off];
          arg = off;
        }
      }
      y[nc * pn + o] = best;
      if (ind) {
        int64_t lin = arg < 0 ? 0 : arg;
        if (col_major && in.size() == 2) lin = (arg % in[1]) * in[0] + arg / in[1];
        ind[nc * pn + o] = nc * in_n + lin;
      }
    }
  }
}

void k_max_pool(KernelContext& c) {
  const Tensor& x = c.in(0);
  Pool p = pool_geometry(c, x);
  bool col_major = c.attrs().get_int("storage_order", 0) != 0;
  bool ok = dispatch<kFloatTypes | kSignedTypes | kUnsignedTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, p.out_shape);
    int64_t* ind = c.wants(1) ? c.out(1, DType::kI64, p.out_shape).as<int64_t>() : nullptr;
    max_pool<T>(x, p, y.as<T>(), ind, col_major);
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

// Average and Lp pooling share the window walk; Lp raises |x| to p.
template <bool Lp>
void k_avg_pool(KernelContext& c) {
  const Tensor& x = c.in(0);
  Pool p = pool_geometry(c, x);
  bool include_pad = c.attrs().get_int("count_include_pad", 0) != 0;
  double pw = double(c.attrs().get_int("p", 2));
  std::vector<int64_t> taps = window_taps(p.g);
  int64_t kn = p.g.kernel_size(), pn = p.g.spatial_out(), in_n = p.g.spatial_in();
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, p.out_shape);
    for (int64_t nc = 0; nc < p.n * p.c; ++nc) {
      const T* xc = x.as<T>() + nc * in_n;
      for (int64_t o = 0; o < pn; ++o) {
        double sum = 0;
        int64_t cnt = 0;
        for (int64_t k = 0; k < kn; ++k) {
          int64_t off = taps[size_t(k * pn + o)];
          if (off >= 0) {
            double v = double(xc[off]);
            sum += Lp ? std::pow(std::abs(v), pw) : v;
            ++cnt;
          } else if (off == -1 && include_pad) {
            ++cnt;
          }
        }
        double r = Lp ? std::pow(sum, 1.0 / pw) : (cnt ? sum / double(cnt) : 0.0);
        y.as<T>()[nc * pn + o] = T(r);
      }
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

enum class Global { kAvg, kMax, kLp };

template <Global G>
void k_global_pool(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() < 3) fail("global pooling input must have rank >= 3");
  int64_t nc = x.shape[0] * x.shape[1];
  int64_t sp = x.numel() / std::max<int64_t>(nc, 1);
  double pw = double(c.attrs().get_int("p", 2));
  Shape s(x.rank(), 1);
  s[0] = x.shape[0];
  s[1] = x.shape[1];
  bool ok = dispatch<kFloatTypes>(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Tensor& y = c.out(0, x.dtype, s);
    for (int64_t i = 0; i < nc; ++i) {
      const T* p = x.as<T>() + i * sp;
      double acc = G == Global::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t j = 0; j < sp; ++j) {
        if (G == Global::kMax)
          acc = std::max(acc, double(p[j]));
        else if (G == Global::kLp)
          acc += std::pow(std::abs(double(p[j])), pw);
        else
          acc += double(p[j]);
      }
      if (G == Global::kAvg) acc /= double(sp);
      if (G == Global::kLp) acc = std::pow(acc, 1.0 / pw);
      y.as<T>()[i] = T(acc);
    }
  });
  if (!ok) fail(std::string("unsupported element type ") + dtype_name(x.dtype));
}

// Indices refer to the default unpooled shape (from kernel, strides and
// pads); an explicit output_shape only enlarges the canvas they land on.
void k_max_unpool(KernelContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& ind = c.in(1);
  if (x.rank() < 3) fail("MaxUnpool input must have rank >= 3");
  Shape k = c.attrs().get_ints("kernel_shape");
  size_t r = x.rank() - 2;
  std::vector<int64_t> st = c.attrs().get_ints("strides", std::vector<int64_t>(r, 1));
  std::vector<int64_t> pads = c.attrs().get_ints("pads", std::vector<int64_t>(2 * r, 0));
  if (k.size() != r || st.size() != r || pads.size() != 2 * r)
    fail("MaxUnpool kernel_shape/strides/pads do not match the spatial rank");
  if (ind.shape != x.shape)
    fail("MaxUnpool indices " + shape_str(ind.shape) + " differ from the input " +
         shape_str(x.shape));
  Shape def = {x.shape[0], x.shape[1]};
  for (size_t i = 0; i < r; ++i) {
    int64_t d = 0;
    bool ovf = k[i] < 1 || st[i] < 1 || __builtin_mul_overflow(x.shape[i + 2] - 1, st[i], &d) ||
               __builtin_add_overflow(d, k[i] - pads[i] - pads[i + r], &d);
    if (ovf || d < 1 || d > (int64_t(1) << 40))
      fail("MaxUnpool kernel_shape/strides/pads give an invalid output size");
    def.push_back(d);
  }
  int64_t def_n = 1;
  for (int64_t d : def)
    if (__builtin_mul_overflow(def_n, d, &def_n) || def_n > (int64_t(1) << 40))
      fail("MaxUnpool output is too large");
  Shape out = def;
  if (const Tensor* os = c.opt(2)) out = tensor_to_ints(*os);
  if (out.size() != def.size()) fail("MaxUnpool output_shape rank differs from input rank");
  for (int64_t d : out)
    if (d < 0) fail("MaxUnpool output_shape has a negative dimension");
  Tensor& y = c.out(0, x.dtype, out);
  std::vector<int64_t> iv = tensor_to_ints(ind);
  std::vector<int64_t> dst = shape_strides(def), ost = shape_strides(out);
  size_t es = dtype_size(x.dtype);
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t t = iv[size_t(i)];
    if (t < 0 || t >= def_n) fail("MaxUnpool index out of range");
    int64_t off = 0;
    for (size_t d = 0; d < def.size(); ++d) {
      int64_t coord = t / dst[d];
      t %= dst[d];
      if (coord >= out[d]) fail("MaxUnpool index falls outside output_shape");
      off += coord * ost[d];
    }
    std::memcpy(static_cast<uint8_t*>(y.data) + size_t(off) * es,
                static_cast<const uint8_t*>(x.data) + size_t(i) * es, es);
  }
}

}  // namespace

void register_pool(KernelRegistry& r) {
  const unsigned fl = kFloatTypes | kHalfTypes;
  r.add({"MaxPool", k_max_pool, fl | kSignedTypes | kUnsignedTypes});
  r.add({"AveragePool", k_avg_pool<false>, fl});
  r.add({"LpPool", k_avg_pool<true>, fl});
  r.add({"GlobalAveragePool", k_global_pool<Global::kAvg>, fl});
  r.add({"GlobalMaxPool", k_global_pool<Global::kMax>, fl});
  r.add({"GlobalLpPool", k_global_pool<Global::kLp>, fl});
  r.add({"MaxUnpool", k_max_unpool, fl});
}

}  // namespace rnpu::cpu
