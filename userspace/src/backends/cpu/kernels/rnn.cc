// Recurrent layers: RNN, GRU and LSTM with every ONNX attribute
// (directions, activations, clip, sequence lengths, batch-major layout,
// peepholes, linear_before_reset).  Computed in double, step by step.
#include <cmath>
#include <functional>

#include "kernel.h"

namespace rnpu::cpu {
namespace {

using Act = std::function<double(double)>;

Act make_act(const std::string& name, float alpha, float beta, bool has_alpha, bool has_beta) {
  if (name == "Sigmoid") return [](double x) { return 1 / (1 + std::exp(-x)); };
  if (name == "Tanh") return [](double x) { return std::tanh(x); };
  if (name == "Relu") return [](double x) { return std::max(x, 0.0); };
  double a = alpha, b = beta;
  if (name == "Affine") return [a, b](double x) { return a * x + b; };
  if (name == "LeakyRelu") {
    if (!has_alpha) a = 0.01;
    return [a](double x) { return x >= 0 ? x : a * x; };
  }
  if (name == "ThresholdedRelu") {
    if (!has_alpha) a = 1.0;
    return [a](double x) { return x > a ? x : 0.0; };
  }
  if (name == "ScaledTanh") return [a, b](double x) { return a * std::tanh(b * x); };
  if (name == "HardSigmoid") {
    if (!has_alpha) a = 0.2;
    if (!has_beta) b = 0.5;
    return [a, b](double x) { return std::clamp(a * x + b, 0.0, 1.0); };
  }
  if (name == "Elu") {
    if (!has_alpha) a = 1.0;
    return [a](double x) { return x >= 0 ? x : a * (std::exp(x) - 1); };
  }
  if (name == "Softsign") return [](double x) { return x / (1 + std::abs(x)); };
  if (name == "Softplus") return [](double x) { return std::log1p(std::exp(x)); };
  fail("unsupported recurrent activation '" + name + "'");
}

enum class Cell { kRnn, kGru, kLstm };

template <Cell C>
void k_recurrent(KernelContext& ctx) {
  constexpr int G = C == Cell::kRnn ? 1 : (C == Cell::kGru ? 3 : 4);
  constexpr int NA = C == Cell::kRnn ? 1 : (C == Cell::kGru ? 2 : 3);
  const Attrs& at = ctx.attrs();
  const Tensor& xt = ctx.in(0);
  std::vector<double> X = tensor_to_doubles(xt), W = tensor_to_doubles(ctx.in(1)),
                      R = tensor_to_doubles(ctx.in(2));
  bool batch_major = at.get_int("layout", 0) != 0;
  if (xt.rank() != 3) fail("X must be 3-D");
  int64_t seq = batch_major ? xt.shape[1] : xt.shape[0];
  int64_t batch = batch_major ? xt.shape[0] : xt.shape[1];
  int64_t in = xt.shape[2];
  int64_t hid = at.get_int("hidden_size", ctx.in(2).shape.back());
  std::string dir = at.get_string("direction", "forward");
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    fail("unknown direction '" + dir + "'");
  if (int64_t(W.size()) != dirs * G * hid * in || int64_t(R.size()) != dirs * G * hid * hid)
    fail("W/R shapes do not match hidden_size and direction");
  std::vector<double> B(size_t(dirs * 2 * G * hid), 0.0);
  if (const Tensor* b = ctx.opt(3)) B = tensor_to_doubles(*b);
  std::vector<int64_t> lens(size_t(batch), seq);
  if (const Tensor* l = ctx.opt(4)) lens = tensor_to_ints(*l);
  std::vector<double> H0(size_t(dirs * batch * hid), 0.0), C0(H0.size(), 0.0),
      P(size_t(dirs * 3 * hid), 0.0);
  if (const Tensor* h = ctx.opt(5)) H0 = tensor_to_doubles(*h);
  if (C == Cell::kLstm) {
    if (const Tensor* cc = ctx.opt(6)) C0 = tensor_to_doubles(*cc);
    if (const Tensor* p = ctx.opt(7)) P = tensor_to_doubles(*p);
  }
  float clip = at.get_float("clip", 0.0f);
  bool lbr = at.get_int("linear_before_reset", 0) != 0;
  bool input_forget = at.get_int("input_forget", 0) != 0;
  std::vector<std::string> names =
      at.has("activations") ? at.find("activations")->strings : std::vector<std::string>{};
  std::vector<float> alphas = at.get_floats("activation_alpha"),
                     betas = at.get_floats("activation_beta");
  static const char* defaults[3][3] = {
      {"Tanh", "", ""}, {"Sigmoid", "Tanh", ""}, {"Sigmoid", "Tanh", "Tanh"}};
  std::vector<Act> acts;
  for (int64_t d = 0; d < dirs; ++d)
    for (int k = 0; k < NA; ++k) {
      size_t i = size_t(d * NA + k);
      std::string nm = i < names.size() ? names[i] : defaults[int(C)][k];
      acts.push_back(make_act(nm, i < alphas.size() ? alphas[i] : 0,
                              i < betas.size() ? betas[i] : 0, i < alphas.size(),
                              i < betas.size()));
    }
  auto clipv = [clip](double v) {
    return clip > 0 ? std::clamp(v, -double(clip), double(clip)) : v;
  };
  std::vector<double> Y(size_t(seq * dirs * batch * hid), 0.0), Yh(size_t(dirs * batch * hid)),
      Yc(Yh.size());
  std::vector<double> gates(size_t(G * hid));
  for (int64_t d = 0; d < dirs; ++d) {
    bool rev = dir == "reverse" || d == 1;
    const double* w = &W[size_t(d * G * hid * in)];
    const double* r = &R[size_t(d * G * hid * hid)];
    const double* wb = &B[size_t(d * 2 * G * hid)];
    const double* rb = wb + G * hid;
    const double* p = &P[size_t(d * 3 * hid)];
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<double> h(&H0[size_t((d * batch + b) * hid)],
                            &H0[size_t((d * batch + b + 1) * hid)]);
      std::vector<double> cst(&C0[size_t((d * batch + b) * hid)],
                              &C0[size_t((d * batch + b + 1) * hid)]);
      int64_t len = std::min(lens[size_t(b)], seq);
      for (int64_t s = 0; s < len; ++s) {
        int64_t t = rev ? len - 1 - s : s;
        const double* x = &X[size_t(batch_major ? (b * seq + t) * in : (t * batch + b) * in)];
        // Input and recurrent projections per gate row.
        std::vector<double> xw(size_t(G * hid)), hr(size_t(G * hid));
        for (int64_t g = 0; g < G * hid; ++g) {
          double a = wb[g], q = rb[g];
          for (int64_t i = 0; i < in; ++i) a += w[g * in + i] * x[i];
          for (int64_t i = 0; i < hid; ++i) q += r[g * hid + i] * h[size_t(i)];
          xw[size_t(g)] = a;
          hr[size_t(g)] = q;
        }
        std::vector<double> nh(static_cast<size_t>(hid));
        if (C == Cell::kRnn) {
          for (int64_t i = 0; i < hid; ++i)
            nh[size_t(i)] = acts[size_t(d)](clipv(xw[size_t(i)] + hr[size_t(i)]));
        } else if (C == Cell::kGru) {
          const Act& f = acts[size_t(d * 2)];
          const Act& g = acts[size_t(d * 2 + 1)];
          std::vector<double> z(static_cast<size_t>(hid)), rr(static_cast<size_t>(hid));
          for (int64_t i = 0; i < hid; ++i) {
            z[size_t(i)] = f(clipv(xw[size_t(i)] + hr[size_t(i)]));
            rr[size_t(i)] = f(clipv(xw[size_t(hid + i)] + hr[size_t(hid + i)]));
          }
          for (int64_t i = 0; i < hid; ++i) {
            double pre;
            if (lbr) {
              pre = xw[size_t(2 * hid + i)] + rr[size_t(i)] * hr[size_t(2 * hid + i)];
            } else {
              double q = rb[2 * hid + i];
              for (int64_t k = 0; k < hid; ++k)
                q += r[(2 * hid + i) * hid + k] * rr[size_t(k)] * h[size_t(k)];
              pre = xw[size_t(2 * hid + i)] + q;
            }
            double hh = g(clipv(pre));
            nh[size_t(i)] = (1 - z[size_t(i)]) * hh + z[size_t(i)] * h[size_t(i)];
          }
        } else {
          const Act& f = acts[size_t(d * 3)];
          const Act& g = acts[size_t(d * 3 + 1)];
          const Act& hf = acts[size_t(d * 3 + 2)];
          for (int64_t i = 0; i < hid; ++i) {
            double ig = f(clipv(xw[size_t(i)] + hr[size_t(i)] + p[i] * cst[size_t(i)]));
            double fg = f(clipv(xw[size_t(2 * hid + i)] + hr[size_t(2 * hid + i)] +
                                p[2 * hid + i] * cst[size_t(i)]));
            if (input_forget) fg = 1 - ig;
            double cg = g(clipv(xw[size_t(3 * hid + i)] + hr[size_t(3 * hid + i)]));
            double cn = fg * cst[size_t(i)] + ig * cg;
            double og = f(clipv(xw[size_t(hid + i)] + hr[size_t(hid + i)] + p[hid + i] * cn));
            cst[size_t(i)] = cn;
            nh[size_t(i)] = og * hf(cn);
          }
        }
        h = nh;
        for (int64_t i = 0; i < hid; ++i) {
          size_t yi = batch_major ? size_t(((b * seq + t) * dirs + d) * hid + i)
                                  : size_t(((t * dirs + d) * batch + b) * hid + i);
          Y[yi] = h[size_t(i)];
        }
      }
      for (int64_t i = 0; i < hid; ++i) {
        size_t hi =
            batch_major ? size_t((b * dirs + d) * hid + i) : size_t((d * batch + b) * hid + i);
        Yh[hi] = h[size_t(i)];
        Yc[hi] = cst[size_t(i)];
      }
    }
  }
  auto emit = [&](size_t idx, const Shape& s, const std::vector<double>& v) {
    if (!ctx.wants(idx)) return;
    Tensor& o = ctx.out(idx, xt.dtype, s);
    for (size_t i = 0; i < v.size(); ++i) {
      if (o.dtype == DType::kF64)
        o.as<double>()[i] = v[i];
      else
        o.as<float>()[i] = float(v[i]);
    }
  };
  emit(0, batch_major ? Shape{batch, seq, dirs, hid} : Shape{seq, dirs, batch, hid}, Y);
  emit(1, batch_major ? Shape{batch, dirs, hid} : Shape{dirs, batch, hid}, Yh);
  if (C == Cell::kLstm)
    emit(2, batch_major ? Shape{batch, dirs, hid} : Shape{dirs, batch, hid}, Yc);
}

}  // namespace

void register_rnn(KernelRegistry& r) {
  r.add({"RNN", k_recurrent<Cell::kRnn>, kFloatTypes | kHalfTypes});
  r.add({"GRU", k_recurrent<Cell::kGru>, kFloatTypes | kHalfTypes});
  r.add({"LSTM", k_recurrent<Cell::kLstm>, kFloatTypes | kHalfTypes});
}

}  // namespace rnpu::cpu
