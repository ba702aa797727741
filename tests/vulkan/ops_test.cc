// Every kernel path of the vulkan backend (both kernel families and the
// staged-I/O path) against the cpu reference kernels, on shapes large
// enough to reach the tiled, register-blocked, im2col and chunked paths
// that the small backend-conformance graphs do not.
#include <functional>
#include <random>

#include "session_util.h"
#include "support/graph_builder.h"
#include "vk_harness.h"

namespace rnpu::vk::test {
namespace {

using rnpu::test::attr_f;
using rnpu::test::attr_i;
using rnpu::test::attr_ints;
using rnpu::test::attr_s;
using rnpu::test::ModelBuilder;

struct OpCase {
  std::string name;
  std::string model;
  std::vector<Feed> in;
};

size_t numel(const std::vector<int64_t>& s) {
  size_t n = 1;
  for (int64_t d : s) n *= size_t(d);
  return n;
}

struct B {
  ModelBuilder m{17};
  std::vector<Feed> in;
  uint32_t seed = 7;
  explicit B(int opset = 17) : m(opset) {}
  B& input(const std::string& n, std::vector<int64_t> s) {
    m.input(n, s);
    in.push_back({s, random_floats(numel(s), seed++)});
    return *this;
  }
  B& w(const std::string& n, std::vector<int64_t> s, float scale = 0.3f) {
    m.init(n, s, random_floats(numel(s), 100 + seed++, -scale, scale));
    return *this;
  }
  OpCase done(const std::string& name, std::vector<std::string> outs = {"y"}) {
    for (auto& o : outs) m.output(o);
    return {name, m.bytes(), in};
  }
};

OpCase conv(std::string name, int64_t c, int64_t m, int64_t hw, int64_t k, int64_t s, int64_t pad,
            int64_t group, int64_t dil, bool bias, const char* act = nullptr) {
  B b;
  b.input("x", {1, c, hw, hw + 3}).w("w", {m, c / group, k, k});
  std::vector<std::string> ins = {"x", "w"};
  if (bias) {
    b.w("b", {m});
    ins.push_back("b");
  }
  auto& n = b.m.node("Conv", ins, {act ? "c" : "y"}, "conv");
  attr_i(n, "group", group);
  attr_ints(n, "strides", {s, s});
  attr_ints(n, "pads", {pad, pad, pad, pad});
  attr_ints(n, "dilations", {dil, dil});
  if (act) b.m.node(act, {"c"}, {"y"}, "act");
  return b.done(name);
}

std::vector<OpCase> cases() {
  std::vector<OpCase> v;
  v.push_back(conv("pointwise_16_32", 16, 32, 20, 1, 1, 0, 1, 1, true, "Relu"));
  v.push_back(conv("conv3x3_16_24", 16, 24, 17, 3, 1, 1, 1, 1, true, "Relu"));
  v.push_back(conv("conv3x3_s2_nobias", 8, 40, 23, 3, 2, 1, 1, 1, false));
  v.push_back(conv("conv5x5_dilated", 6, 16, 19, 5, 1, 4, 1, 2, true));
  v.push_back(conv("grouped_bias", 16, 32, 12, 3, 1, 1, 2, 1, true, "Sigmoid"));
  v.push_back(conv("depthwise", 24, 24, 21, 3, 2, 1, 24, 1, true, "HardSwish"));
  v.push_back(conv("depthwise_x2", 8, 16, 15, 5, 1, 2, 8, 1, false));
  {
    B b;
    b.input("x", {1, 3, 160, 160}).w("w", {32, 3, 3, 3});
    auto& n = b.m.node("Conv", {"x", "w"}, {"y"}, "conv");
    attr_ints(n, "pads", {1, 1, 1, 1});
    v.push_back(b.done("conv_large_chunked"));
  }
  {
    B b;
    b.input("x", {2, 8, 40}).w("w", {12, 8, 5});
    attr_ints(b.m.node("Conv", {"x", "w"}, {"y"}, "conv"), "pads", {2, 2});
    v.push_back(b.done("conv1d_batch2"));
  }
  {
    B b;
    b.input("x", {1, 8, 9, 7}).w("w", {8, 6, 3, 3}).w("b", {6});
    auto& n = b.m.node("ConvTranspose", {"x", "w", "b"}, {"y"}, "deconv");
    attr_ints(n, "strides", {2, 2});
    attr_ints(n, "pads", {1, 1, 1, 1});
    attr_ints(n, "output_padding", {1, 1});
    v.push_back(b.done("conv_transpose_k3s2"));
  }
  {
    B b;
    b.input("x", {1, 24, 20, 20}).w("w", {24, 24, 2, 2});
    auto& n = b.m.node("ConvTranspose", {"x", "w"}, {"y"}, "deconv");
    attr_ints(n, "strides", {2, 2});
    v.push_back(b.done("conv_transpose_k2s2"));
  }
  {
    B b;
    b.input("a", {96, 40}).w("bm", {70, 96}).w("c", {1, 70});
    auto& n = b.m.node("Gemm", {"a", "bm", "c"}, {"y"}, "gemm");
    attr_i(n, "transA", 1);
    attr_i(n, "transB", 1);
    attr_f(n, "alpha", 0.5f);
    v.push_back(b.done("gemm_transposed"));
  }
  {
    B b;
    b.input("a", {2, 1, 37, 64}).input("bm", {3, 64, 52});
    b.m.node("MatMul", {"a", "bm"}, {"y"}, "mm");
    v.push_back(b.done("matmul_broadcast_batches"));
  }
  {
    B b;
    b.input("a", {4, 50, 128}).w("bm", {128, 96});
    b.m.node("MatMul", {"a", "bm"}, {"y"}, "mm");
    v.push_back(b.done("matmul_folded_rows"));
  }
  {
    B b;
    b.input("a", {100}).w("bm", {100, 9});
    b.m.node("MatMul", {"a", "bm"}, {"y"}, "mm");
    v.push_back(b.done("matmul_vector"));
  }
  {
    B b;
    b.input("x", {2, 5, 3, 4});
    attr_i(b.m.node("Softmax", {"x"}, {"y"}, "sm"), "axis", 1);
    v.push_back(b.done("softmax_inner_axis"));
  }
  {
    B b;
    b.input("x", {3, 9000});
    attr_i(b.m.node("LogSoftmax", {"x"}, {"y"}, "sm"), "axis", -1);
    v.push_back(b.done("logsoftmax_long_rows"));
  }
  {
    B b;
    b.input("x", {2, 9000}).w("g", {9000}).w("bb", {9000});
    b.m.node("LayerNormalization", {"x", "g", "bb"}, {"y"}, "ln");
    v.push_back(b.done("layernorm_long_rows"));
  }
  {
    B b;
    b.input("x", {2, 3, 4, 5});
    auto& n = b.m.node("ReduceMean", {"x"}, {"y"}, "rm");
    attr_ints(n, "axes", {1, 2});
    v.push_back(b.done("reduce_mean_middle"));
  }
  {
    B b(13);
    b.input("x", {2, 3, 20000});
    auto& n = b.m.node("ReduceMax", {"x"}, {"y"}, "rm");
    attr_ints(n, "axes", {-1});
    attr_i(n, "keepdims", 0);
    v.push_back(b.done("reduce_max_long_rows"));
  }
  {
    B b;
    b.input("x", {1, 3, 7, 9});
    b.m.init_i64("pads", {8}, {0, 0, 2, 3, 0, 1, 1, 2});
    attr_s(b.m.node("Pad", {"x", "pads"}, {"y"}, "pad"), "mode", "reflect");
    v.push_back(b.done("pad_reflect"));
  }
  {
    B b;
    b.input("x", {1, 3, 7, 9});
    b.m.init_i64("pads", {8}, {0, 1, 2, 3, 0, 0, 1, 2});
    attr_s(b.m.node("Pad", {"x", "pads"}, {"y"}, "pad"), "mode", "edge");
    v.push_back(b.done("pad_edge"));
  }
  {
    B b;
    b.input("x", {5, 6, 7});
    b.m.init_i64("idx", {2, 2}, {4, -1, 0, 2});
    attr_i(b.m.node("Gather", {"x", "idx"}, {"y"}, "g"), "axis", 1);
    v.push_back(b.done("gather_const_indices"));
  }
  {
    B b;
    b.input("x", {2, 10, 12});
    b.m.init_i64("st", {2}, {-2, 9});
    b.m.init_i64("en", {2}, {0, 1});
    b.m.init_i64("ax", {2}, {1, 2});
    b.m.init_i64("sp", {2}, {-3, -2});
    b.m.node("Slice", {"x", "st", "en", "ax", "sp"}, {"y"}, "sl");
    v.push_back(b.done("slice_negative_steps"));
  }
  {
    B b;
    b.input("x", {1, 12, 5, 6});
    auto& n = b.m.node("DepthToSpace", {"x"}, {"y"}, "d2s");
    attr_i(n, "blocksize", 2);
    attr_s(n, "mode", "CRD");
    v.push_back(b.done("depth_to_space_crd"));
  }
  {
    B b;
    b.input("x", {1, 12, 5, 6});
    attr_i(b.m.node("DepthToSpace", {"x"}, {"y"}, "d2s"), "blocksize", 2);
    v.push_back(b.done("depth_to_space_dcr"));
  }
  {
    B b;
    b.input("x", {1, 3, 6, 8});
    attr_i(b.m.node("SpaceToDepth", {"x"}, {"y"}, "s2d"), "blocksize", 2);
    v.push_back(b.done("space_to_depth"));
  }
  {
    B b;
    b.input("x", {2, 3, 4});
    b.m.init_i64("rep", {3}, {2, 1, 3});
    b.m.node("Tile", {"x", "rep"}, {"y"}, "tile");
    v.push_back(b.done("tile"));
  }
  {
    B b;
    b.input("x", {3, 1, 5});
    b.m.init_i64("shape", {4}, {2, 3, 4, 5});
    b.m.node("Expand", {"x", "shape"}, {"y"}, "ex");
    v.push_back(b.done("expand"));
  }
  {
    B b;
    b.input("x", {2, 9, 4});
    b.m.init_i64("split", {3}, {2, 3, 4});
    attr_i(b.m.node("Split", {"x", "split"}, {"y0", "y1", "y2"}, "sp"), "axis", 1);
    v.push_back(b.done("split", {"y0", "y1", "y2"}));
  }
  {
    B b;
    b.input("x", {1, 2, 5, 7});
    b.m.init("sc", {4}, {1, 1, 2.5f, 1.5f});
    auto& n = b.m.node("Resize", {"x", "", "sc"}, {"y"}, "rs");
    attr_s(n, "mode", "linear");
    attr_s(n, "coordinate_transformation_mode", "align_corners");
    v.push_back(b.done("resize_linear_align_corners"));
  }
  {
    B b;
    b.input("x", {1, 2, 5, 7});
    b.m.init("sc", {4}, {1, 1, 1.7f, 2.3f});
    auto& n = b.m.node("Resize", {"x", "", "sc"}, {"y"}, "rs");
    attr_s(n, "nearest_mode", "round_prefer_ceil");
    v.push_back(b.done("resize_nearest_prefer_ceil"));
  }
  {
    B b;
    b.input("x", {1, 8, 31, 33});
    auto& n = b.m.node("AveragePool", {"x"}, {"y"}, "ap");
    attr_ints(n, "kernel_shape", {3, 3});
    attr_ints(n, "strides", {2, 2});
    attr_ints(n, "pads", {1, 1, 1, 1});
    attr_i(n, "count_include_pad", 1);
    attr_i(n, "ceil_mode", 1);
    v.push_back(b.done("avgpool_ceil_count_pad"));
  }
  {
    B b;
    b.input("a", {4, 1, 6, 1}).input("c", {5, 1, 7});
    b.m.node("Pow", {"a", "c"}, {"p"}, "pow");
    b.m.node("Max", {"p", "a"}, {"y"}, "max");
    v.push_back(b.done("pow_max_broadcast"));
  }
  {
    B b;
    b.input("x", {3, 100});
    for (const char* op : {"Gelu", "Erf", "Softplus", "Softsign", "Mish"}) {
      (void)op;
    }
    b.m.node("Erf", {"x"}, {"e"}, "erf");
    b.m.node("Softplus", {"e"}, {"sp"}, "sp");
    b.m.node("Softsign", {"sp"}, {"ss"}, "ss");
    b.m.node("Neg", {"ss"}, {"y"}, "neg");
    v.push_back(b.done("unary_chain"));
  }
  for (const char* op : {"Sum", "Mean", "Max", "Min"}) {
    B b;
    b.input("a", {2, 3, 4}).input("c", {3, 1}).input("d", {4});
    b.m.node(op, {"a", "c", "d"}, {"y"}, "v");
    v.push_back(b.done(std::string("variadic_") + op));
  }
  return v;
}

const std::vector<OpCase>& all() {
  static std::vector<OpCase> c = cases();
  return c;
}

struct Param {
  size_t index;
  std::string backend;
};

class VulkanOps : public ::testing::TestWithParam<Param> {};

TEST_P(VulkanOps, MatchesCpuReference) {
  RNPU_VK_REQUIRE_DEVICE();
  const OpCase& c = all()[GetParam().index];
  expect_matches_reference(c.model, c.in, GetParam().backend);
}

std::vector<Param> params() {
  std::vector<Param> p;
  for (size_t i = 0; i < all().size(); ++i)
    for (const auto& b : vulkan_variants()) p.push_back({i, b});
  return p;
}

INSTANTIATE_TEST_SUITE_P(Kernels, VulkanOps, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<Param>& i) {
                           return all()[i.param.index].name + "_" + i.param.backend;
                         });

}  // namespace
}  // namespace rnpu::vk::test
