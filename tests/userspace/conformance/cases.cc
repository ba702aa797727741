#include "conformance/cases.h"

#include <functional>
#include <random>

#include "support/graph_builder.h"

namespace rnpu::conformance {

namespace {

using test::attr_f;
using test::attr_i;
using test::attr_ints;
using test::attr_s;
using test::ModelBuilder;

std::vector<float> rnd(size_t n, uint32_t seed, float lo = -1, float hi = 1) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(g);
  return v;
}

size_t numel(const std::vector<int64_t>& s) {
  size_t n = 1;
  for (int64_t d : s) n *= size_t(d);
  return n;
}

struct Builder {
  ModelBuilder m;
  std::vector<Input> inputs;
  uint32_t seed = 1;
  Builder& in(const std::string& name, std::vector<int64_t> shape) {
    m.input(name, shape);
    inputs.push_back({shape, rnd(numel(shape), seed++)});
    return *this;
  }
  Builder& w(const std::string& name, std::vector<int64_t> shape, float lo = -1, float hi = 1) {
    m.init(name, shape, rnd(numel(shape), 1000 + seed++, lo, hi));
    return *this;
  }
  Case done(const std::string& name, std::vector<std::string> outs = {"y"}) {
    for (auto& o : outs) m.output(o);
    return {name, m.bytes(), inputs};
  }
};

Case conv(const std::string& name, int64_t c, int64_t m, int64_t group, int64_t k, int64_t stride,
          int64_t dil, int64_t pad, bool bias, int64_t hw = 9) {
  Builder b;
  b.in("x", {1, c, hw, hw}).w("w", {m, c / group, k, k});
  std::vector<std::string> ins = {"x", "w"};
  if (bias) {
    b.w("b", {m});
    ins.push_back("b");
  }
  auto& n = b.m.node("Conv", ins, {"y"}, "conv");
  attr_i(n, "group", group);
  attr_ints(n, "strides", {stride, stride});
  attr_ints(n, "dilations", {dil, dil});
  attr_ints(n, "pads", {pad, pad, pad, pad});
  return b.done(name);
}

Case unary(const std::string& op, std::function<void(::onnx::NodeProto&)> attrs = {}) {
  Builder b;
  b.in("x", {2, 3, 5});
  auto& n = b.m.node(op, {"x"}, {"y"}, op);
  if (attrs) attrs(n);
  return b.done(op);
}

std::vector<Case> build() {
  std::vector<Case> v;
  // Convolutions.
  v.push_back(conv("conv3x3_pad", 3, 4, 1, 3, 1, 1, 1, true));
  v.push_back(conv("conv_depthwise", 4, 4, 4, 3, 1, 1, 1, true));
  v.push_back(conv("conv_grouped", 4, 6, 2, 3, 1, 1, 0, false));
  v.push_back(conv("conv_strided", 3, 5, 1, 3, 2, 1, 1, true, 11));
  v.push_back(conv("conv_dilated", 2, 3, 1, 3, 1, 2, 2, false));
  v.push_back(conv("conv1x1", 8, 16, 1, 1, 1, 1, 0, true, 5));
  {
    Builder b;
    b.in("x", {1, 2, 5, 5}).w("w", {2, 3, 3, 3});
    auto& n = b.m.node("ConvTranspose", {"x", "w"}, {"y"}, "deconv");
    attr_ints(n, "strides", {2, 2});
    v.push_back(b.done("conv_transpose"));
  }
  {
    // Stride == kernel: the NPU lowers it per phase (no zero insertion).
    Builder b;
    b.in("x", {1, 4, 5, 6}).w("w", {4, 3, 2, 2}).w("bias", {3});
    auto& n = b.m.node("ConvTranspose", {"x", "w", "bias"}, {"y"}, "upsample");
    attr_ints(n, "strides", {2, 2});
    attr_ints(n, "kernel_shape", {2, 2});
    v.push_back(b.done("conv_transpose_2x2_s2_bias"));
  }
  // Matrix products.
  {
    Builder b;
    b.in("a", {4, 6}).w("bm", {5, 6}).w("c", {5});
    auto& n = b.m.node("Gemm", {"a", "bm", "c"}, {"y"}, "gemm");
    attr_i(n, "transB", 1);
    attr_f(n, "alpha", 0.5f);
    v.push_back(b.done("gemm_transb_bias"));
  }
  {
    Builder b;
    b.in("a", {2, 3, 4}).in("bm", {2, 4, 5});
    b.m.node("MatMul", {"a", "bm"}, {"y"}, "mm");
    v.push_back(b.done("matmul_batched"));
  }
  {
    Builder b;
    b.in("a", {3, 7}).w("bm", {7, 2});
    b.m.node("MatMul", {"a", "bm"}, {"y"}, "mm");
    v.push_back(b.done("matmul_const_weight"));
  }
  // Pooling.
  {
    Builder b;
    b.in("x", {1, 3, 9, 9});
    auto& n = b.m.node("MaxPool", {"x"}, {"y"}, "pool");
    attr_ints(n, "kernel_shape", {3, 3});
    attr_ints(n, "strides", {2, 2});
    attr_ints(n, "pads", {1, 1, 1, 1});
    v.push_back(b.done("maxpool_3x3_s2_pad"));
  }
  {
    Builder b;
    b.in("x", {1, 2, 7, 7});
    auto& n = b.m.node("AveragePool", {"x"}, {"y"}, "pool");
    attr_ints(n, "kernel_shape", {2, 2});
    attr_ints(n, "strides", {2, 2});
    attr_ints(n, "pads", {0, 0, 1, 1});
    v.push_back(b.done("avgpool_2x2_pad"));
  }
  {
    Builder b;
    b.in("x", {2, 4, 5, 5});
    b.m.node("GlobalAveragePool", {"x"}, {"y"}, "gap");
    v.push_back(b.done("global_avgpool"));
  }
  // Elementwise with broadcast.
  {
    Builder b;
    b.in("a", {2, 3, 4}).in("c", {4});
    b.m.node("Add", {"a", "c"}, {"y"}, "add");
    v.push_back(b.done("add_broadcast"));
  }
  {
    Builder b;
    b.in("a", {2, 1, 4}).in("c", {3, 1});
    b.m.node("Mul", {"a", "c"}, {"y"}, "mul");
    v.push_back(b.done("mul_broadcast_both"));
  }
  {
    Builder b;
    b.in("a", {3, 4}).w("c", {3, 4}, 0.5f, 2.f);
    b.m.node("Div", {"a", "c"}, {"d"}, "div");
    b.m.node("Sub", {"d", "a"}, {"y"}, "sub");
    v.push_back(b.done("div_sub"));
  }
  // Activations.
  v.push_back(unary("Relu"));
  v.push_back(unary("Sigmoid"));
  v.push_back(unary("Tanh"));
  v.push_back(unary("LeakyRelu", [](auto& n) { attr_f(n, "alpha", 0.1f); }));
  v.push_back(unary("HardSwish"));
  v.push_back(unary("Elu"));
  {
    Builder b;
    b.in("x", {2, 6});
    b.m.init("lo", {}, {-0.25f}).init("hi", {}, {0.5f});
    b.m.node("Clip", {"x", "lo", "hi"}, {"y"}, "clip");
    v.push_back(b.done("Clip"));
  }
  // Softmax and normalisation.
  {
    Builder b;
    b.in("x", {3, 10});
    attr_i(b.m.node("Softmax", {"x"}, {"y"}, "sm"), "axis", -1);
    v.push_back(b.done("softmax"));
  }
  {
    Builder b;
    b.in("x", {2, 5, 8}).w("g", {8}).w("bb", {8});
    auto& n = b.m.node("LayerNormalization", {"x", "g", "bb"}, {"y"}, "ln");
    attr_i(n, "axis", -1);
    attr_f(n, "epsilon", 1e-5f);
    v.push_back(b.done("layernorm"));
  }
  {
    // The decomposed form exporters emit; the fusion pass rebuilds it.
    Builder b;
    b.in("x", {2, 4, 6}).w("g", {6}).w("bb", {6});
    b.m.init_i64("axes", {1}, {-1});
    b.m.init("two", {}, {2.f}).init("eps", {}, {1e-5f});
    auto& rm1 = b.m.node("ReduceMean", {"x"}, {"mean"}, "rm1");
    attr_ints(rm1, "axes", {-1});
    b.m.node("Sub", {"x", "mean"}, {"d"}, "sub");
    b.m.node("Pow", {"d", "two"}, {"sq"}, "pow");
    auto& rm2 = b.m.node("ReduceMean", {"sq"}, {"var"}, "rm2");
    attr_ints(rm2, "axes", {-1});
    b.m.node("Add", {"var", "eps"}, {"ve"}, "addeps");
    b.m.node("Sqrt", {"ve"}, {"std"}, "sqrt");
    b.m.node("Div", {"d", "std"}, {"n"}, "div");
    b.m.node("Mul", {"n", "g"}, {"ng"}, "mulg");
    b.m.node("Add", {"ng", "bb"}, {"y"}, "addb");
    v.push_back(b.done("layernorm_decomposed"));
  }
  {
    Builder b;
    b.in("x", {2, 3, 4, 4}).w("s", {3}).w("bias", {3}).w("mean", {3}).w("var", {3}, 0.5f, 1.5f);
    b.m.node("BatchNormalization", {"x", "s", "bias", "mean", "var"}, {"y"}, "bn");
    v.push_back(b.done("batchnorm"));
  }
  // Resize.
  {
    Builder b;
    b.in("x", {1, 2, 3, 4});
    b.m.init("scales", {4}, {1, 1, 2, 2});
    auto& n = b.m.node("Resize", {"x", "", "scales"}, {"y"}, "up");
    attr_s(n, "mode", "nearest");
    v.push_back(b.done("resize_nearest_2x"));
  }
  {
    Builder b;
    b.in("x", {1, 1, 4, 4});
    b.m.init("scales", {4}, {1, 1, 1.5f, 1.5f});
    auto& n = b.m.node("Resize", {"x", "", "scales"}, {"y"}, "up");
    attr_s(n, "mode", "linear");
    v.push_back(b.done("resize_linear"));
  }
  // Data movement.
  {
    Builder b;
    b.in("a", {2, 3, 4}).in("c", {2, 5, 4});
    attr_i(b.m.node("Concat", {"a", "c"}, {"y"}, "cat"), "axis", 1);
    v.push_back(b.done("concat"));
  }
  {
    Builder b;
    b.in("x", {2, 3, 4});
    attr_ints(b.m.node("Transpose", {"x"}, {"y"}, "tr"), "perm", {2, 0, 1});
    v.push_back(b.done("transpose"));
  }
  {
    Builder b;
    b.in("x", {2, 3, 4});
    b.m.init_i64("shape", {2}, {4, -1});
    b.m.node("Reshape", {"x", "shape"}, {"y"}, "rs");
    v.push_back(b.done("reshape"));
  }
  {
    Builder b;
    b.in("x", {4, 10});
    b.m.init_i64("st", {2}, {1, 2}).init_i64("en", {2}, {3, 9}).init_i64("ax", {2}, {0, 1});
    b.m.init_i64("sp", {2}, {1, 3});
    b.m.node("Slice", {"x", "st", "en", "ax", "sp"}, {"y"}, "sl");
    v.push_back(b.done("slice_strided"));
  }
  // Multi-op graphs.
  {
    Builder b;
    b.in("x", {1, 3, 8, 8}).w("w1", {4, 3, 3, 3}).w("b1", {4}).w("w2", {10, 64}).w("b2", {10});
    auto& c = b.m.node("Conv", {"x", "w1", "b1"}, {"c"}, "conv");
    attr_ints(c, "pads", {1, 1, 1, 1});
    b.m.node("Relu", {"c"}, {"r"}, "relu");
    auto& p = b.m.node("MaxPool", {"r"}, {"p"}, "pool");
    attr_ints(p, "kernel_shape", {2, 2});
    attr_ints(p, "strides", {2, 2});
    b.m.node("Flatten", {"p"}, {"f"}, "flat");
    attr_i(b.m.node("Gemm", {"f", "w2", "b2"}, {"g"}, "fc"), "transB", 1);
    b.m.node("Softmax", {"g"}, {"y"}, "sm");
    v.push_back(b.done("small_cnn"));
  }
  {
    // Conv + BatchNorm + Clip(0,6): the fusion pass folds all three.
    Builder b;
    b.in("x", {1, 4, 6, 6}).w("w", {8, 4, 3, 3}).w("s", {8}).w("bias", {8}).w("mean", {8});
    b.w("var", {8}, 0.5f, 1.5f);
    b.m.init("lo", {}, {0.f}).init("hi", {}, {6.f});
    attr_ints(b.m.node("Conv", {"x", "w"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
    b.m.node("BatchNormalization", {"c", "s", "bias", "mean", "var"}, {"bn"}, "bn");
    b.m.node("Clip", {"bn", "lo", "hi"}, {"y"}, "relu6");
    v.push_back(b.done("conv_bn_relu6"));
  }
  {
    // Residual block: conv -> add(skip) -> relu.
    Builder b;
    b.in("x", {1, 4, 5, 5}).w("w", {4, 4, 3, 3}).w("bias", {4});
    attr_ints(b.m.node("Conv", {"x", "w", "bias"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
    b.m.node("Add", {"c", "x"}, {"s"}, "skip");
    b.m.node("Relu", {"s"}, {"y"}, "relu");
    v.push_back(b.done("residual_add_relu"));
  }
  {
    // GELU as exporters write it: x * 0.5 * (1 + erf(x / sqrt(2))).
    Builder b;
    b.in("x", {3, 8});
    b.m.init("sqrt2", {}, {1.4142135f}).init("one", {}, {1.f}).init("half", {}, {0.5f});
    b.m.node("Div", {"x", "sqrt2"}, {"d"}, "div");
    b.m.node("Erf", {"d"}, {"e"}, "erf");
    b.m.node("Add", {"e", "one"}, {"a"}, "add");
    b.m.node("Mul", {"x", "a"}, {"m"}, "mul");
    b.m.node("Mul", {"m", "half"}, {"y"}, "mulhalf");
    v.push_back(b.done("gelu_decomposed"));
  }
  {
    // QDQ conv: the quantisation pass turns it into an int8 conv.
    Builder b;
    b.in("x", {1, 2, 6, 6});
    b.m.init("xs", {}, {0.02f}).init("ys", {}, {0.05f}).init("ws", {}, {0.01f});
    auto zp = [&](const std::string& name) {
      auto* t = b.m.graph().add_initializer();
      t->set_name(name);
      t->set_data_type(::onnx::TensorProto::INT8);
      t->add_int32_data(0);
    };
    zp("xz");
    zp("yz");
    zp("wz");
    {
      auto* t = b.m.graph().add_initializer();  // int8 weights
      t->set_name("wq");
      t->set_data_type(::onnx::TensorProto::INT8);
      for (int64_t d : {3, 2, 3, 3}) t->add_dims(d);
      std::mt19937 g(7);
      for (int i = 0; i < 3 * 2 * 9; ++i) t->add_int32_data(int(g() % 255) - 127);
    }
    b.m.node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"}, "qx");
    b.m.node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"}, "dqx");
    b.m.node("DequantizeLinear", {"wq", "ws", "wz"}, {"wd"}, "dqw");
    attr_ints(b.m.node("Conv", {"xd", "wd"}, {"c"}, "conv"), "pads", {1, 1, 1, 1});
    b.m.node("QuantizeLinear", {"c", "ys", "yz"}, {"cq"}, "qy");
    b.m.node("DequantizeLinear", {"cq", "ys", "yz"}, {"y"}, "dqy");
    v.push_back(b.done("qdq_conv_int8"));
  }
  return v;
}

}  // namespace

const std::vector<Case>& all_cases() {
  static const std::vector<Case> c = build();
  return c;
}

}  // namespace rnpu::conformance
