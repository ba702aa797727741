// The XNNPACK fast path against the reference kernels on small graphs with
// constant weights: convolutions (grouped, depthwise, strided, dilated,
// fused BatchNorm/Clip), pooling, fully connected with folded bias,
// attention-style matmuls, NHWC elementwise/concat/resize regions, and
// outputs leaving NHWC regions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/dynamic_program.h"
#include "backends/cpu/fast/fast_program.h"
#include "backends/cpu/fast/float_kernels.h"
#include "cpu_test_context.h"
#include "cpu_test_util.h"

namespace rnpu::cpu::test {
namespace {

struct GraphBuilder {
  ir::Graph g;
  uint32_t seed = 10;

  ir::ValueId input(const std::vector<int64_t>& shape) {
    ir::ValueId v = g.new_value("in", ir::DType::kFloat32, ir::Shape(shape));
    g.inputs.push_back(v);
    return v;
  }
  ir::ValueId weight(const std::vector<int64_t>& shape, float scale = 1.0f) {
    auto c = ir::ConstTensor::make(ir::DType::kFloat32, shape);
    std::vector<float> v = ramp(size_t(c->numel()), ++seed);
    for (float& x : v) x *= scale;
    std::memcpy(c->mutable_data(), v.data(), v.size() * 4);
    return g.add_constant("w", c);
  }
  ir::ValueId positive(const std::vector<int64_t>& shape) {
    auto c = ir::ConstTensor::make(ir::DType::kFloat32, shape);
    std::vector<float> v = ramp(size_t(c->numel()), ++seed);
    for (float& x : v) x = 0.5f + std::abs(x);
    std::memcpy(c->mutable_data(), v.data(), v.size() * 4);
    return g.add_constant("p", c);
  }
  ir::ValueId ints(const std::vector<int64_t>& vals) {
    auto c = ir::ConstTensor::make(ir::DType::kInt64, {int64_t(vals.size())});
    std::memcpy(c->mutable_data(), vals.data(), vals.size() * 8);
    return g.add_constant("i", c);
  }
  ir::ValueId floats(const std::vector<float>& vals) {
    auto c = ir::ConstTensor::make(ir::DType::kFloat32, {int64_t(vals.size())});
    std::memcpy(c->mutable_data(), vals.data(), vals.size() * 4);
    return g.add_constant("f", c);
  }
  ir::ValueId scalar(float f) {
    auto c = ir::ConstTensor::make(ir::DType::kFloat32, {});
    std::memcpy(c->mutable_data(), &f, 4);
    return g.add_constant("s", c);
  }
  ir::ValueId node(const std::string& op, std::vector<ir::ValueId> in,
                   const std::vector<int64_t>& out_shape, ir::Attributes attrs = {},
                   int opset = 17) {
    ir::ValueId out = g.new_value(op, ir::DType::kFloat32, ir::Shape(out_shape));
    ir::Node n;
    n.name = g.unique_node_name(op);
    n.op = op;
    n.opset = opset;
    n.inputs = std::move(in);
    n.outputs = {out};
    n.attrs = std::move(attrs);
    g.add_node(n);
    return out;
  }
  void output(ir::ValueId v) { g.outputs.push_back(v); }
};

ir::Attributes A() {
  return {};
}
ir::Attributes& ints(ir::Attributes& a, const std::string& k, std::vector<int64_t> v) {
  a.set_ints(k, std::move(v));
  return a;
}

// Runs the graph on the fast path and on reference kernels; compares every
// output.  Returns the number of XNNPACK operators the fast program used.
int compare_paths(GraphBuilder& b, int threads = 1, float tol = 2e-4f) {
  std::vector<std::vector<float>> inputs;
  for (ir::ValueId v : b.g.inputs)
    inputs.push_back(ramp(size_t(*b.g.value(v).shape.numel()), 1000 + uint32_t(v)));
  std::vector<std::vector<float>> results[2];
  int xnn_ops = -1;
  for (int fast = 0; fast < 2; ++fast) {
    CpuBackend be(fast == 1);
    auto prog = be.compile(b.g, CompileOptions{threads, false});
    if (fast) {
      auto* fp = dynamic_cast<fast::FastProgram*>(prog.get());
      EXPECT_NE(fp, nullptr) << "fast path not taken";
      xnn_ops = fp ? fp->xnn_ops : -1;
    }
    // Run three times: the second run reuses XNNPACK setups; the third
    // runs from a workspace the context supplies, filled with garbage as
    // the session arena is after other tensors used it.
    for (int rep = 0; rep < 3; ++rep) {
      HeapContext ctx(b.g);
      if (rep == 2) ctx.give_workspace(prog->workspace_bytes(), 0xA5);
      for (size_t i = 0; i < b.g.inputs.size(); ++i)
        ctx.set(b.g.inputs[i], b.g.value(b.g.inputs[i]).shape.values(), inputs[i]);
      be.run(*prog, ctx);
      results[fast].clear();
      for (ir::ValueId o : b.g.outputs) {
        EXPECT_EQ(ctx.tensor(o).shape, b.g.value(o).shape.values());
        results[fast].push_back(ctx.get(o));
      }
    }
  }
  for (size_t i = 0; i < results[0].size(); ++i) {
    SCOPED_TRACE("output " + std::to_string(i));
    expect_near(results[1][i], results[0][i], tol);
  }
  return xnn_ops;
}

TEST(CpuFast, MobileNetBlockWithFoldedBatchNormAndClip) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 8, 9, 9});
  ir::Attributes no;
  ir::ValueId e = b.node("Conv", {x, b.weight({16, 8, 1, 1}), b.weight({16})}, {1, 16, 9, 9});
  ir::ValueId bn = b.node("BatchNormalization",
                          {e, b.positive({16}), b.weight({16}), b.weight({16}), b.positive({16})},
                          {1, 16, 9, 9});
  ir::ValueId r6 = b.node("Clip", {bn, b.scalar(0), b.scalar(6)}, {1, 16, 9, 9});
  ir::Attributes dw;
  dw.set_int("group", 16);
  ints(dw, "pads", {1, 1, 1, 1});
  ir::ValueId d = b.node("Conv", {r6, b.weight({16, 1, 3, 3})}, {1, 16, 9, 9}, dw);
  ir::ValueId dr = b.node("Relu", {d}, {1, 16, 9, 9});
  ir::ValueId p = b.node("Conv", {dr, b.weight({8, 16, 1, 1}), b.weight({8})}, {1, 8, 9, 9});
  ir::ValueId res = b.node("Add", {x, p}, {1, 8, 9, 9});
  b.output(res);
  ir::ValueId gap = b.node("GlobalAveragePool", {res}, {1, 8, 1, 1});
  ir::ValueId fl = b.node("Flatten", {gap}, {1, 8});
  ir::Attributes gm;
  gm.set_int("transB", 1);
  ir::ValueId fc = b.node("Gemm", {fl, b.weight({5, 8}), b.weight({5})}, {1, 5}, gm);
  b.output(fc);
  EXPECT_GE(compare_paths(b), 6);
}

TEST(CpuFast, GroupedStridedDilatedConvolutions) {
  GraphBuilder b;
  ir::ValueId x = b.input({2, 6, 11, 10});
  ir::Attributes a;
  a.set_int("group", 3);
  ints(a, "strides", {2, 1});
  ints(a, "dilations", {1, 2});
  ints(a, "pads", {1, 2, 0, 1});
  ir::ValueId y = b.node("Conv", {x, b.weight({9, 2, 3, 3}), b.weight({9})}, {2, 9, 5, 9}, a);
  ir::Attributes same;
  same.set_string("auto_pad", "SAME_UPPER");
  ints(same, "strides", {2, 2});
  ir::ValueId z = b.node("Conv", {y, b.weight({4, 9, 4, 4})}, {2, 4, 3, 5}, same);
  b.output(z);
  EXPECT_EQ(compare_paths(b), 2);
}

TEST(CpuFast, PoolingModes) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 3, 10, 9});
  ir::Attributes mp;
  ints(mp, "kernel_shape", {3, 3});
  ints(mp, "strides", {2, 2});
  mp.set_int("ceil_mode", 1);
  b.output(b.node("MaxPool", {x}, {1, 3, 5, 4}, mp));
  ir::Attributes ap;
  ints(ap, "kernel_shape", {3, 2});
  ints(ap, "pads", {1, 1, 1, 0});
  ints(ap, "strides", {2, 2});
  b.output(b.node("AveragePool", {x}, {1, 3, 5, 5}, ap));
  ir::Attributes apc = ap;
  apc.set_int("ceil_mode", 1);
  b.output(b.node("AveragePool", {x}, {1, 3, 6, 5}, apc));
  EXPECT_EQ(compare_paths(b), 3);
}

TEST(CpuFast, ConvTransposeGroupedWithOutputPadding) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 4, 5, 6});
  ir::Attributes a;
  a.set_int("group", 2);
  ints(a, "strides", {2, 2});
  ints(a, "pads", {1, 1, 1, 1});
  ints(a, "output_padding", {1, 0});
  ir::ValueId y =
      b.node("ConvTranspose", {x, b.weight({4, 3, 3, 3}), b.weight({6})}, {1, 6, 10, 11}, a);
  b.output(b.node("Sigmoid", {y}, {1, 6, 10, 11}));
  EXPECT_EQ(compare_paths(b), 2);
}

TEST(CpuFast, FeaturePyramidResizeConcatInNhwc) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 4, 8, 8});
  ir::Attributes s2;
  ints(s2, "strides", {2, 2});
  ints(s2, "pads", {1, 1, 1, 1});
  ir::ValueId small = b.node("Conv", {x, b.weight({4, 4, 3, 3})}, {1, 4, 4, 4}, s2);
  ir::Attributes nn;
  nn.set_string("mode", "nearest");
  ir::ValueId up =
      b.node("Resize", {small, ir::kNoValue, b.floats({1, 1, 2, 2})}, {1, 4, 8, 8}, nn);
  ir::Attributes cat;
  cat.set_int("axis", 1);
  ir::ValueId c = b.node("Concat", {x, up}, {1, 8, 8, 8}, cat);
  ir::ValueId m = b.node("Conv", {c, b.weight({3, 8, 1, 1})}, {1, 3, 8, 8});
  ir::Attributes lin;
  lin.set_string("mode", "linear");
  b.output(b.node("Resize", {m, ir::kNoValue, b.floats({1, 1, 2, 2})}, {1, 3, 16, 16}, lin));
  ir::Attributes ac = lin;
  ac.set_string("coordinate_transformation_mode", "align_corners");
  b.output(
      b.node("Resize", {m, ir::kNoValue, ir::kNoValue, b.ints({1, 3, 5, 7})}, {1, 3, 5, 7}, ac));
  EXPECT_GE(compare_paths(b), 4);
}

TEST(CpuFast, SqueezeExciteMultipliesByChannelVector) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 6, 5, 5});
  ir::ValueId f = b.node("Conv", {x, b.weight({6, 6, 1, 1})}, {1, 6, 5, 5});
  ir::ValueId s = b.node("GlobalAveragePool", {f}, {1, 6, 1, 1});
  ir::ValueId h = b.node("Conv", {s, b.weight({6, 6, 1, 1})}, {1, 6, 1, 1});
  ir::ValueId sg = b.node("HardSigmoid", {h}, {1, 6, 1, 1});
  ir::ValueId m = b.node("Mul", {f, sg}, {1, 6, 5, 5});
  ir::ValueId sc = b.node("Mul", {m, b.weight({6, 1, 1})}, {1, 6, 5, 5});
  b.output(b.node("HardSwish", {sc}, {1, 6, 5, 5}));
  b.output(h);  // an NHWC-computed output whose layouts coincide
  EXPECT_GE(compare_paths(b), 4);
}

TEST(CpuFast, TransformerProjectionsAndAttention) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 6, 16});
  ir::ValueId q = b.node("MatMul", {x, b.weight({16, 16})}, {1, 6, 16});
  ir::ValueId qb = b.node("Add", {q, b.weight({16})}, {1, 6, 16});
  ir::ValueId qr = b.node("Reshape", {qb, b.ints({1, 6, 2, 8})}, {1, 6, 2, 8});
  ir::Attributes p;
  ints(p, "perm", {0, 2, 1, 3});
  ir::ValueId qh = b.node("Transpose", {qr}, {1, 2, 6, 8}, p);
  ir::Attributes pk;
  ints(pk, "perm", {0, 2, 3, 1});
  ir::ValueId kt = b.node("Transpose", {qr}, {1, 2, 8, 6}, pk);
  ir::ValueId s = b.node("MatMul", {qh, kt}, {1, 2, 6, 6});
  ir::ValueId sm = b.node("Softmax", {s}, {1, 2, 6, 6});
  ir::ValueId o = b.node("MatMul", {sm, qh}, {1, 2, 6, 8});
  b.output(o);
  ir::Attributes gm;
  ir::ValueId f = b.node(
      "Gemm",
      {b.node("Reshape", {x, b.ints({6, 16})}, {6, 16}), b.weight({16, 4}), b.weight({1, 4})},
      {6, 4}, gm);
  b.output(b.node("Relu", {f}, {6, 4}));
  EXPECT_GE(compare_paths(b), 5);
}

TEST(CpuFast, BatchBroadcastMatMul) {
  GraphBuilder b;
  ir::ValueId a = b.input({2, 1, 4, 5});
  ir::ValueId c = b.input({3, 5, 6});
  b.output(b.node("MatMul", {a, c}, {2, 3, 4, 6}));
  EXPECT_EQ(compare_paths(b), 1);
}

TEST(CpuFast, TwoThreadsGiveTheSameResult) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 16, 20, 20});
  ir::Attributes a;
  ints(a, "pads", {1, 1, 1, 1});
  ir::ValueId y = b.node("Conv", {x, b.weight({32, 16, 3, 3}, 0.2f)}, {1, 32, 20, 20}, a);
  b.output(b.node("Relu", {y}, {1, 32, 20, 20}));
  EXPECT_EQ(compare_paths(b, 2), 1);
}

TEST(CpuFast, LargeWeightsAreSlicedByOutputChannel) {
  GraphBuilder b;
  // 512x512x3x3 weights (9 MiB) and a 768x768 matrix (2.25 MiB) exceed the
  // slicing thresholds: several XNNPACK operators fill one output.
  ir::ValueId x = b.input({1, 512, 3, 3});
  ir::Attributes a;
  ints(a, "pads", {1, 1, 1, 1});
  b.output(
      b.node("Conv", {x, b.weight({512, 512, 3, 3}, 0.05f), b.weight({512})}, {1, 512, 3, 3}, a));
  ir::ValueId v = b.input({4, 768});
  b.output(b.node("MatMul", {v, b.weight({768, 768}, 0.05f)}, {4, 768}));
  EXPECT_GT(compare_paths(b, 1, 1e-3f), 2);
}

TEST(CpuFast, ScalarAffineChainsFoldIntoOnePass) {
  GraphBuilder b;
  ir::ValueId x = b.input({1, 4, 6, 6});
  ir::Attributes hs;
  hs.set_string("rnpu.activation", "HardSwish");
  ir::ValueId c = b.node("Conv", {x, b.weight({8, 4, 1, 1})}, {1, 8, 6, 6}, hs);
  ir::ValueId m = b.node("Mul", {c, b.scalar(1.5f)}, {1, 8, 6, 6});
  ir::ValueId a = b.node("Add", {m, b.scalar(0.25f)}, {1, 8, 6, 6});
  ir::ValueId s = b.node("Sub", {b.scalar(2.0f), a}, {1, 8, 6, 6});  // 2 - y
  ir::ValueId d = b.node("Div", {s, b.scalar(4.0f)}, {1, 8, 6, 6});
  b.output(b.node("Conv", {d, b.weight({3, 8, 1, 1})}, {1, 3, 6, 6}));
  // A Sigmoid activation cannot share the affine pass; a Relu node can.
  ir::Attributes sg;
  sg.set_string("rnpu.activation", "Sigmoid");
  ir::ValueId e = b.node("Conv", {x, b.weight({2, 4, 1, 1})}, {1, 2, 6, 6}, sg);
  b.output(b.node("Mul", {e, b.scalar(3.0f)}, {1, 2, 6, 6}));
  EXPECT_GE(compare_paths(b), 4);
}

TEST(CpuFast, DynamicShapesCompileOncePerInputShape) {
  // x [N, 4, H, W] (symbolic) -> Conv 3x3 pad 1 -> Relu -> GlobalAveragePool.
  ir::Graph g;
  ir::Shape sym;
  sym.has_rank = true;
  sym.dims = {ir::Dim{-1, "N"}, ir::Dim{4, ""}, ir::Dim{-1, "H"}, ir::Dim{-1, "W"}};
  ir::ValueId x = g.new_value("x", ir::DType::kFloat32, sym);
  auto w = ir::ConstTensor::make(ir::DType::kFloat32, {6, 4, 3, 3});
  std::vector<float> wv = ramp(size_t(w->numel()), 5);
  std::memcpy(w->mutable_data(), wv.data(), wv.size() * 4);
  ir::ValueId wid = g.add_constant("w", w);
  ir::Shape s6 = sym;
  s6.dims[1].value = 6;
  ir::ValueId y = g.new_value("y", ir::DType::kFloat32, s6);
  ir::Shape gs = s6;
  gs.dims[2] = ir::Dim{1, ""};
  gs.dims[3] = ir::Dim{1, ""};
  ir::ValueId p = g.new_value("p", ir::DType::kFloat32, gs);
  ir::Node c;
  c.name = "conv";
  c.op = "Conv";
  c.inputs = {x, wid};
  c.outputs = {y};
  c.attrs.set_ints("pads", {1, 1, 1, 1});
  c.attrs.set_string("rnpu.activation", "Relu");
  g.add_node(c);
  ir::Node gap;
  gap.name = "gap";
  gap.op = "GlobalAveragePool";
  gap.inputs = {y};
  gap.outputs = {p};
  g.add_node(gap);
  g.inputs = {x};
  g.outputs = {p};

  CpuBackend fast_be(true), ref_be(false);
  auto fast_prog = fast_be.compile(g, CompileOptions{});
  auto* dyn = dynamic_cast<DynamicProgram*>(fast_prog.get());
  ASSERT_NE(dyn, nullptr);
  auto ref_prog = ref_be.compile(g, CompileOptions{});
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{1, 4, 5, 7}, {2, 4, 3, 3}, {1, 4, 5, 7}}) {
    std::vector<float> in = ramp(size_t(shape_numel(shape)), 9);
    std::vector<int64_t> ys = {shape[0], 6, shape[2], shape[3]}, ps = {shape[0], 6, 1, 1};
    // For [2,4,3,3] the first run comes without resolved shapes: it runs the
    // reference program; the resolved run after it gets a fast program.
    bool first = shape[0] != 2;
    for (bool resolved : {first, !first}) {
      HeapContext fc(g), rc(g);
      fc.set(x, shape, in);
      rc.set(x, shape, in);
      if (resolved) {  // as the runtime does after shape inference
        fc.tensor(y).shape = ys;
        fc.tensor(p).shape = ps;
      }
      fast_be.run(*fast_prog, fc);
      ref_be.run(*ref_prog, rc);
      expect_near(fc.get(p), rc.get(p), 2e-4f);
    }
  }
  // One cache entry per distinct signature of resolved shapes (not input
  // shapes alone): each input shape with and without resolved intermediates.
  EXPECT_EQ(dyn->specializations(), 4u);
}

TEST(CpuFast, ErfAndGeluStayWithinFloatTolerance) {
  std::vector<float> x;
  for (float v = -6.0f; v <= 6.0f; v += 0.001f) x.push_back(v);
  std::vector<float> e(x.size()), gl(x.size());
  fast::erf_f32(x.data(), e.data(), int64_t(x.size()));
  fast::gelu_f32(x.data(), gl.data(), int64_t(x.size()));
  double worst = 0, worst_gelu = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    worst = std::max(worst, std::abs(double(e[i]) - std::erf(double(x[i]))));
    double g = 0.5 * x[i] * (1 + std::erf(x[i] / std::sqrt(2.0)));
    // 1 + erf cancels for very negative x: bound the error absolutely there.
    worst_gelu = std::max(worst_gelu, std::abs(gl[i] - g) / (1e-1 + std::abs(g)));
  }
  EXPECT_LT(worst, 1e-6);
  EXPECT_LT(worst_gelu, 1e-5);
  float nan = std::nanf("");
  fast::gelu_f32(&nan, e.data(), 1);
  EXPECT_TRUE(std::isnan(e[0]));
}

TEST(CpuFast, LayerNormAndGeluBlock) {
  GraphBuilder b;
  ir::ValueId x = b.input({2, 5, 24});
  ir::ValueId h = b.node("MatMul", {x, b.weight({24, 32})}, {2, 5, 32});
  ir::Attributes act;
  act.set_string("rnpu.activation", "Gelu");
  ir::ValueId g = b.node("Add", {h, b.weight({32})}, {2, 5, 32}, act);
  ir::ValueId o = b.node("MatMul", {g, b.weight({32, 24})}, {2, 5, 24});
  ir::ValueId r = b.node("Add", {o, x}, {2, 5, 24});
  ir::ValueId ln = b.node("LayerNormalization", {r, b.positive({24}), b.weight({24})}, {2, 5, 24});
  b.output(b.node("Gelu", {ln}, {2, 5, 24}));
  // Exporter-style GELU: the scalar Add after Erf folds into the erf step.
  ir::ValueId e = b.node("Erf", {r}, {2, 5, 24});
  ir::ValueId e1 = b.node("Add", {e, b.scalar(1.0f)}, {2, 5, 24});
  b.output(b.node("Mul", {r, e1}, {2, 5, 24}));
  // The Gelu-activated bias Add folds into the first matmul.
  EXPECT_GE(compare_paths(b), 3);
}

}  // namespace
}  // namespace rnpu::cpu::test
