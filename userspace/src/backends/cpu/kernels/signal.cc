// Signal processing ops: window functions, DFT, STFT and MelWeightMatrix.
// Direct O(N^2) transforms: these ops appear in audio front ends with short
// frames, and exactness matters more than speed here.
#include <cmath>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

constexpr double kPi = 3.14159265358979323846;

void store_real(Tensor& o, int64_t i, double v) {
  switch (o.dtype) {
    case DType::kF32:
      o.as<float>()[i] = float(v);
      break;
    case DType::kF64:
      o.as<double>()[i] = v;
      break;
    case DType::kF16:
      o.as<uint16_t>()[i] = float_to_half(float(v));
      break;
    default:
      dispatch<kIntTypes>(o.dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        o.as<T>()[i] = T(v);
      });
  }
}

enum class Window { kHann, kHamming, kBlackman };

template <Window W>
void k_window(KernelContext& c) {
  int64_t n = tensor_get_int(c.in(0), 0);
  if (n < 0) fail("window size must be non-negative");
  bool periodic = c.attrs().get_int("periodic", 1) != 0;
  DType dt = DType(c.attrs().get_int("output_datatype", int64_t(DType::kF32)));
  Tensor& o = c.out(0, dt, {n});
  double d = periodic ? double(n) : double(n - 1);
  for (int64_t i = 0; i < n; ++i) {
    double a = d > 0 ? 2 * kPi * double(i) / d : 0;
    double v = 0;
    if (W == Window::kHann) v = 0.5 - 0.5 * std::cos(a);
    if (W == Window::kHamming) v = 25.0 / 46 - (21.0 / 46) * std::cos(a);
    if (W == Window::kBlackman) v = 0.42 - 0.5 * std::cos(a) + 0.08 * std::cos(2 * a);
    store_real(o, i, v);
  }
}

// One complex DFT of length `len` over `in` (pairs), writing `bins` bins.
void dft1(const std::vector<double>& re, const std::vector<double>& im, int64_t len, int64_t bins,
          bool inverse, std::vector<double>* ore, std::vector<double>* oim) {
  ore->assign(size_t(bins), 0);
  oim->assign(size_t(bins), 0);
  double sign = inverse ? 1 : -1;
  for (int64_t k = 0; k < bins; ++k) {
    double sr = 0, si = 0;
    for (int64_t t = 0; t < len; ++t) {
      double a = sign * 2 * kPi * double((k * t) % std::max<int64_t>(len, 1)) / double(len);
      double cr = std::cos(a), ci = std::sin(a);
      sr += re[size_t(t)] * cr - im[size_t(t)] * ci;
      si += re[size_t(t)] * ci + im[size_t(t)] * cr;
    }
    if (inverse) {
      sr /= double(len);
      si /= double(len);
    }
    (*ore)[size_t(k)] = sr;
    (*oim)[size_t(k)] = si;
  }
}

// The DFT axis: an attribute (default 1) before opset 20, then an optional
// scalar input (default -2, the last signal axis).  Negative values count
// from the back of the full rank, whose last axis holds (real, imag).
int64_t dft_axis(const KernelContext& c, int64_t rank) {
  int64_t axis = c.attrs().get_int("axis", 1);
  if (c.opset() >= 20) {
    axis = -2;
    if (const Tensor* a = c.opt(2)) {
      if (a->numel() != 1) fail("DFT axis must be a scalar, got shape " + shape_str(a->shape));
      axis = tensor_get_int(*a, 0);
    }
  }
  int64_t norm = axis < 0 ? axis + rank : axis;
  if (norm < 0 || norm >= rank - 1)
    fail("DFT axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank) +
         " (the last axis holds the complex parts)");
  return norm;
}

void k_dft(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() < 2 || (x.shape.back() != 1 && x.shape.back() != 2))
    fail("DFT input must end in a dimension of 1 (real) or 2 (complex)");
  int64_t rank = int64_t(x.rank());
  int64_t axis = dft_axis(c, rank);
  bool inverse = c.attrs().get_int("inverse", 0) != 0;
  bool onesided = c.attrs().get_int("onesided", 0) != 0;
  bool complex_in = x.shape.back() == 2;
  // Inverse one-sided is the IRFFT: half a conjugate-symmetric spectrum in,
  // the full real signal out.
  bool irfft = inverse && onesided;
  if (irfft && !complex_in) fail("DFT with inverse and onesided needs a complex input");
  int64_t sig = x.shape[size_t(axis)];
  int64_t len = irfft ? 2 * (sig - 1) : sig;
  if (const Tensor* l = c.opt(1); l && l->numel() > 0) {
    if (l->numel() != 1) fail("DFT dft_length must be a scalar, got shape " + shape_str(l->shape));
    len = tensor_get_int(*l, 0);
  }
  if (len <= 0 || len > (int64_t(1) << 40)) fail("DFT length must be positive");
  int64_t bins = irfft ? len : (onesided ? len / 2 + 1 : len);
  Shape os = x.shape;
  os[size_t(axis)] = bins;
  os.back() = irfft ? 1 : 2;
  Tensor& o = c.out(0, x.dtype, os);
  if (o.numel() == 0) return;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[size_t(d)];
  for (int64_t d = axis + 1; d < rank - 1; ++d) inner *= x.shape[size_t(d)];
  std::vector<double> xs = tensor_to_doubles(x);
  int64_t comp = complex_in ? 2 : 1;
  std::vector<double> re(static_cast<size_t>(len)), im(static_cast<size_t>(len)), ore, oim;
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t i = 0; i < inner; ++i) {
      auto value = [&](int64_t t, double* r, double* m) {
        bool in = t < sig;
        size_t base = size_t(((a * sig + t) * inner + i) * comp);
        *r = in ? xs[base] : 0;
        *m = in && complex_in ? xs[base + 1] : 0;
      };
      if (irfft) {
        // Bins 0..len/2 come from the input; the rest mirror them
        // conjugated.  The imaginary parts of the DC and (even len) Nyquist
        // bins cannot be represented in a real signal and are dropped.
        for (int64_t k = 0; k <= len / 2; ++k) value(k, &re[size_t(k)], &im[size_t(k)]);
        im[0] = 0;
        if (len % 2 == 0) im[size_t(len / 2)] = 0;
        for (int64_t k = len / 2 + 1; k < len; ++k) {
          re[size_t(k)] = re[size_t(len - k)];
          im[size_t(k)] = -im[size_t(len - k)];
        }
      } else {
        for (int64_t t = 0; t < len; ++t) value(t, &re[size_t(t)], &im[size_t(t)]);
      }
      dft1(re, im, len, bins, inverse, &ore, &oim);
      for (int64_t k = 0; k < bins; ++k) {
        if (irfft) {
          store_real(o, (a * bins + k) * inner + i, ore[size_t(k)]);
          continue;
        }
        int64_t base = ((a * bins + k) * inner + i) * 2;
        store_real(o, base, ore[size_t(k)]);
        store_real(o, base + 1, oim[size_t(k)]);
      }
    }
}

void k_stft(KernelContext& c) {
  const Tensor& x = c.in(0);
  if (x.rank() != 3 || (x.shape[2] != 1 && x.shape[2] != 2))
    fail("STFT signal must be [batch, length, 1 or 2]");
  int64_t step = tensor_get_int(c.in(1), 0);
  const Tensor* window = c.opt(2);
  int64_t flen = 0;
  if (const Tensor* fl = c.opt(3); fl && fl->numel() > 0)
    flen = tensor_get_int(*fl, 0);
  else if (window)
    flen = window->numel();
  else
    fail("STFT needs a window or a frame_length");
  bool onesided = c.attrs().get_int("onesided", 1) != 0;
  int64_t batch = x.shape[0], length = x.shape[1];
  bool complex_in = x.shape[2] == 2;
  if (step <= 0 || flen <= 0 || flen > length) fail("STFT frame_step/frame_length out of range");
  int64_t frames = (length - flen) / step + 1;
  int64_t bins = onesided ? flen / 2 + 1 : flen;
  std::vector<double> w =
      window ? tensor_to_doubles(*window) : std::vector<double>(size_t(flen), 1);
  if (int64_t(w.size()) != flen) fail("STFT window length differs from frame_length");
  Tensor& o = c.out(0, x.dtype, {batch, frames, bins, 2});
  std::vector<double> xs = tensor_to_doubles(x);
  int64_t comp = complex_in ? 2 : 1;
  std::vector<double> re(static_cast<size_t>(flen)), im(static_cast<size_t>(flen)), ore, oim;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < frames; ++f) {
      for (int64_t t = 0; t < flen; ++t) {
        size_t base = size_t((b * length + f * step + t) * comp);
        re[size_t(t)] = xs[base] * w[size_t(t)];
        im[size_t(t)] = complex_in ? xs[base + 1] * w[size_t(t)] : 0;
      }
      dft1(re, im, flen, bins, false, &ore, &oim);
      for (int64_t k = 0; k < bins; ++k) {
        int64_t base = ((b * frames + f) * bins + k) * 2;
        store_real(o, base, ore[size_t(k)]);
        store_real(o, base + 1, oim[size_t(k)]);
      }
    }
}

void k_mel_weight_matrix(KernelContext& c) {
  int64_t mels = tensor_get_int(c.in(0), 0);
  int64_t dft_len = tensor_get_int(c.in(1), 0);
  int64_t rate = tensor_get_int(c.in(2), 0);
  double lo = tensor_get_double(c.in(3), 0), hi = tensor_get_double(c.in(4), 0);
  DType dt = DType(c.attrs().get_int("output_datatype", int64_t(DType::kF32)));
  if (mels <= 0 || dft_len <= 0 || rate <= 0) fail("MelWeightMatrix sizes must be positive");
  int64_t spec_bins = dft_len / 2 + 1;
  auto to_mel = [](double hz) { return 2595.0 * std::log10(1 + hz / 700.0); };
  double mlo = to_mel(lo), mhi = to_mel(hi);
  // The ONNX definition spreads mels + 2 edge points with a step of
  // (high - low) / (mels + 2).
  double step = (mhi - mlo) / double(mels + 2);
  std::vector<int64_t> edge(size_t(mels + 2));
  for (int64_t i = 0; i < mels + 2; ++i) {
    double hz = 700.0 * (std::pow(10.0, (double(i) * step + mlo) / 2595.0) - 1);
    edge[size_t(i)] = int64_t(std::floor(double(dft_len + 1) * hz / double(rate)));
  }
  std::vector<double> w(size_t(spec_bins * mels), 0);
  for (int64_t m = 0; m < mels; ++m) {
    int64_t l = edge[size_t(m)], ce = edge[size_t(m + 1)], r = edge[size_t(m + 2)];
    auto set = [&](int64_t j, double v) {
      if (j >= 0 && j < spec_bins) w[size_t(j * mels + m)] = v;
    };
    if (ce == l)
      set(ce, 1);
    else
      for (int64_t j = l; j <= ce; ++j) set(j, double(j - l) / double(ce - l));
    if (r > ce)
      for (int64_t j = ce; j < r; ++j) set(j, double(r - j) / double(r - ce));
  }
  Tensor& o = c.out(0, dt, {spec_bins, mels});
  for (size_t i = 0; i < w.size(); ++i) store_real(o, int64_t(i), w[i]);
}

}  // namespace

void register_signal(KernelRegistry& r) {
  r.add({"HannWindow", k_window<Window::kHann>, kIntTypes});
  r.add({"HammingWindow", k_window<Window::kHamming>, kIntTypes});
  r.add({"BlackmanWindow", k_window<Window::kBlackman>, kIntTypes});
  r.add({"DFT", k_dft, kFloatTypes | kHalfNative});
  r.add({"STFT", k_stft, kFloatTypes | kHalfNative});
  r.add({"MelWeightMatrix", k_mel_weight_matrix, kIntTypes});
}

}  // namespace rnpu::cpu
