// Untrusted inputs never corrupt memory (docs/userspace.md, "Untrusted
// inputs"): a model, its external data, a compiled artifact, a .npy file or
// a caller's run-time shapes and values may be hostile; each is rejected
// with a clear rnpu::Error (or KernelError / NpyError) naming what is wrong,
// before anything is read or written out of bounds or sized from an
// unchecked number.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <span>

#include "artifact/artifact.h"
#include "backend/backend.h"
#include "cpu_test_util.h"
#include "npu/program.h"
#include "onnx/importer.h"
#include "passes/shape_inference.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#if __has_include("npy.h")
#include "npy.h"
#define RNPU_HAVE_NPY 1
#endif

namespace rnpu {
namespace {

using test::attr_i;
using test::attr_ints;
using test::ModelBuilder;

constexpr int64_t kBig = int64_t(1) << 40;  // ir::kMaxElements: the largest dim accepted

// Runs `f`, expecting an rnpu::Error; returns its message ("" if none).
template <class F>
std::string error_of(F f, ErrorCode* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// --- reference kernels: index tensors from the caller -----------------------

using cpu::Attrs;
using cpu::KernelError;
using cpu::Tensor;
using cpu::test::run;
using cpu::test::run1;
using cpu::test::tensor;

std::string kernel_error(const std::string& op, const std::vector<const Tensor*>& in,
                         const Attrs& a = {}) {
  try {
    run1(op, in, a);
  } catch (const KernelError& e) {
    return e.what();
  }
  return "";
}

TEST(UntrustedKernels, GatherElementsChecksNonAxisDims) {
  Tensor x = tensor<float>({2, 2}, {1, 2, 3, 4});
  Tensor idx = tensor<int64_t>({2, 3}, {0, 1, 0, 1, 0, 1});  // dim 1: 3 > 2
  std::string e = kernel_error("GatherElements", {&x, &idx});
  EXPECT_TRUE(has(e, "GatherElements")) << e;
  // Smaller non-axis dims are fine (ONNX and PyTorch allow them).
  Tensor ok = tensor<int64_t>({1, 2}, {1, 0});
  EXPECT_EQ(cpu::test::values<float>(run1("GatherElements", {&x, &ok})),
            (std::vector<float>{3, 2}));
}

TEST(UntrustedKernels, ScatterElementsChecksNonAxisDims) {
  Tensor x = tensor<float>({2, 2}, {1, 2, 3, 4});
  Tensor idx = tensor<int64_t>({2, 3}, {0, 1, 0, 1, 0, 1});
  Tensor upd = tensor<float>({2, 3}, {9, 9, 9, 9, 9, 9});
  std::string e = kernel_error("ScatterElements", {&x, &idx, &upd});
  EXPECT_TRUE(has(e, "Scatter")) << e;
  Attrs ax;
  ax.set("axis", int64_t(1));
  Tensor idx2 = tensor<int64_t>({3, 1}, {0, 1, 0});  // dim 0: 3 > 2
  Tensor upd2 = tensor<float>({3, 1}, {9, 9, 9});
  e = kernel_error("ScatterElements", {&x, &idx2, &upd2}, ax);
  EXPECT_TRUE(has(e, "Scatter")) << e;
}

TEST(UntrustedKernels, ScatterNDNeedsIndexRank) {
  Tensor x = tensor<float>({2}, {1, 2});
  Tensor idx = tensor<int64_t>({}, {0});
  Tensor upd = tensor<float>({}, {5});
  EXPECT_TRUE(has(kernel_error("ScatterND", {&x, &idx, &upd}), "ScatterND"));
}

TEST(UntrustedKernels, GatherNDChecksBatchDims) {
  Tensor x = tensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  // Indices' batch dim (3) differs from the data's (2).
  Tensor idx = tensor<int64_t>({3, 1}, {0, 1, 2});
  Attrs b1;
  b1.set("batch_dims", int64_t(1));
  EXPECT_TRUE(has(kernel_error("GatherND", {&x, &idx}, b1), "batch")) << "mismatch";
  // batch_dims out of range either way.
  Tensor idx2 = tensor<int64_t>({2, 1}, {0, 1});
  for (int64_t b : {int64_t(-1), int64_t(2), int64_t(5), std::numeric_limits<int64_t>::max()}) {
    Attrs a;
    a.set("batch_dims", b);
    EXPECT_TRUE(has(kernel_error("GatherND", {&x, &idx2}, a), "batch_dims")) << b;
  }
  // A good batched gather still works: row 0 picks 2, row 1 picks 4.
  Tensor idx3 = tensor<int64_t>({2, 1}, {1, 0});
  EXPECT_EQ(cpu::test::values<float>(run1("GatherND", {&x, &idx3}, b1)),
            (std::vector<float>{2, 4}));
}

TEST(UntrustedKernels, GridSampleChecksGridBatch) {
  Tensor x = tensor<float>({2, 1, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor grid = tensor<float>({1, 1, 1, 2}, {0, 0});  // one batch for two images
  EXPECT_TRUE(has(kernel_error("GridSample", {&x, &grid}), "batch"));
  Tensor x0 = tensor<float>({1, 1, 0, 2}, {});  // empty image, non-empty output
  Tensor g1 = tensor<float>({1, 1, 1, 2}, {0, 0});
  Attrs border;
  border.set("padding_mode", "border");
  EXPECT_FALSE(kernel_error("GridSample", {&x0, &g1}, border).empty());
}

TEST(UntrustedKernels, MaxUnpoolChecksIndices) {
  Tensor x = tensor<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Attrs a;
  a.set("kernel_shape", std::vector<int64_t>{2, 2});
  a.set("strides", std::vector<int64_t>{2, 2});
  Tensor few = tensor<int64_t>({1, 1, 1, 1}, {0});  // fewer indices than values
  std::string e = kernel_error("MaxUnpool", {&x, &few}, a);
  EXPECT_TRUE(has(e, "MaxUnpool indices") && has(e, "differ")) << e;
  Tensor neg = tensor<int64_t>({1, 1, 2, 2}, {0, -1, 2, 3});
  EXPECT_TRUE(has(kernel_error("MaxUnpool", {&x, &neg}, a), "MaxUnpool"));
  Tensor big = tensor<int64_t>({1, 1, 2, 2}, {0, 1, 2, 16});  // output has 16 elements
  EXPECT_TRUE(has(kernel_error("MaxUnpool", {&x, &big}, a), "MaxUnpool"));
  Tensor good = tensor<int64_t>({1, 1, 2, 2}, {0, 3, 8, 15});
  std::vector<float> y = cpu::test::values<float>(run1("MaxUnpool", {&x, &good}, a));
  ASSERT_EQ(y.size(), 16u);
  EXPECT_EQ(y[0], 1);
  EXPECT_EQ(y[3], 2);
  EXPECT_EQ(y[8], 3);
  EXPECT_EQ(y[15], 4);
}

// Found by tests/fuzz/dynamic: sizes, steps and coordinates from the caller.
TEST(UntrustedKernels, ResizeChecksCallerSizes) {
  Tensor x = tensor<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor neg = tensor<int64_t>({4}, {1, 1, -3, 2});
  EXPECT_TRUE(has(kernel_error("Resize", {&x, nullptr, nullptr, &neg}), "Resize output"));
  Tensor empty = tensor<float>({1, 1, 0, 2}, {});
  Tensor grow = tensor<int64_t>({4}, {1, 1, 2, 2});
  EXPECT_TRUE(has(kernel_error("Resize", {&empty, nullptr, nullptr, &grow}), "empty axis"));
  Tensor huge = tensor<float>({4}, {1, 1, 1e30f, 1});
  EXPECT_TRUE(has(kernel_error("Resize", {&x, nullptr, &huge}), "scale"));
}

TEST(UntrustedKernels, SplitRejectsNegativeSizes) {
  Tensor x = tensor<float>({2}, {1, 2});
  Tensor sizes = tensor<int64_t>({2}, {5, -3});  // sums to 2
  try {
    run("Split", {&x, &sizes}, {}, 2);
    FAIL() << "accepted";
  } catch (const KernelError& e) {
    EXPECT_TRUE(has(e.what(), "Split size")) << e.what();
  }
}

TEST(UntrustedKernels, SliceWithExtremeSteps) {
  Tensor x = tensor<float>({4}, {1, 2, 3, 4});
  Tensor b = tensor<int64_t>({1}, {0}), e = tensor<int64_t>({1}, {4});
  Tensor a = tensor<int64_t>({1}, {0});
  Tensor big = tensor<int64_t>({1}, {std::numeric_limits<int64_t>::max() - 1});
  EXPECT_EQ(cpu::test::values<float>(run1("Slice", {&x, &b, &e, &a, &big})),
            (std::vector<float>{1}));
  Tensor rb = tensor<int64_t>({1}, {3}), re = tensor<int64_t>({1}, {-10});
  Tensor small = tensor<int64_t>({1}, {std::numeric_limits<int64_t>::min()});
  EXPECT_EQ(cpu::test::values<float>(run1("Slice", {&x, &rb, &re, &a, &small})),
            (std::vector<float>{4}));
}

TEST(UntrustedKernels, OneHotAndGridSampleTakeAnyNumbers) {
  Tensor idx = tensor<int64_t>({3}, {std::numeric_limits<int64_t>::max(), -1, 1});
  Tensor depth = tensor<int64_t>({}, {2});
  Tensor vals = tensor<float>({2}, {0, 1});
  EXPECT_EQ(cpu::test::values<float>(run1("OneHot", {&idx, &depth, &vals})),
            (std::vector<float>{0, 0, 0, 1, 0, 1}));
  Tensor bad_depth = tensor<float>({}, {1e30f});
  EXPECT_TRUE(has(kernel_error("OneHot", {&idx, &bad_depth, &vals}), "depth"));
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = tensor<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor g = tensor<float>({1, 1, 3, 2}, {inf, -inf, std::nanf(""), 0, 1e30f, -1e30f});
  for (const char* pad : {"zeros", "border", "reflection"})
    for (const char* mode : {"bilinear", "nearest", "bicubic"}) {
      Attrs at;
      at.set("padding_mode", pad);
      at.set("mode", mode);
      EXPECT_EQ(run1("GridSample", {&x, &g}, at).numel(), 3) << pad << " " << mode;
    }
}

// The same through a session: dynamic dims let the caller choose shapes the
// model's shape inference cannot check.
TEST(UntrustedKernels, ScatterElementsThroughADynamicSession) {
  ModelBuilder m;
  m.input("data", {-1, 2}).input("idx", {-1, -1}, 7).input("upd", {-1, -1}).output("y");
  m.node("ScatterElements", {"data", "idx", "upd"}, {"y"}, "scatter");
  std::string b = m.bytes();
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  Session s = Session::load_memory(b.data(), b.size(), o);
  float data[4] = {1, 2, 3, 4}, upd[6] = {9, 9, 9, 9, 9, 9};
  int64_t idx[6] = {0, 1, 1, 1, 0, 1};
  const int64_t ds[] = {2, 2}, is[] = {2, 3};
  s.set_input(0, data, sizeof data, ds);
  s.set_input(1, idx, sizeof idx, is);
  s.set_input(2, upd, sizeof upd, is);
  std::string e = error_of([&] { s.run(); });
  EXPECT_TRUE(has(e, "scatter")) << e;
}

// --- shape inference: declared dims and attribute arithmetic ---------------

ir::Graph infer(ModelBuilder& m) {
  std::string b = m.bytes();
  ir::Graph g = onnx::import_model(b.data(), b.size());
  passes::infer_shapes(g);
  return g;
}

std::string infer_error(ModelBuilder& m) {
  return error_of([&] { infer(m); });
}

std::string shape_of(const ir::Graph& g, const std::string& v) {
  return g.value(g.find_value(v)).shape.str();
}

TEST(UntrustedShapes, ShapeInputLongerThanMaxRank) {
  // A 1-D shape input declared with 2^40 entries: nothing may be sized from it.
  ModelBuilder m;
  m.input("x", {4}).input("s", {kBig}, 7).output("y");
  m.node("Reshape", {"x", "s"}, {"y"}, "reshape");
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "reshape") && has(e, "rank")) << e;

  ModelBuilder c;
  c.input("s", {kBig}, 7).output("y");
  c.node("ConstantOfShape", {"s"}, {"y"}, "cos");
  e = infer_error(c);
  EXPECT_TRUE(has(e, "cos") && has(e, "rank")) << e;
}

TEST(UntrustedShapes, ConstantShapeLongerThanMaxRank) {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  m.init_i64("s", {17}, std::vector<int64_t>(17, 1));
  m.node("Reshape", {"x", "s"}, {"y"}, "reshape");
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "reshape") && has(e, "17 entries, more than the maximum rank")) << e;

  ModelBuilder r;
  r.output("y");
  auto& n = r.node("RandomUniform", {}, {"y"}, "random");
  attr_ints(n, "shape", std::vector<int64_t>(100000, 1));
  e = infer_error(r);
  EXPECT_TRUE(has(e, "random") && has(e, "more than the maximum rank")) << e;
}

TEST(UntrustedShapes, FlattenProductOverflowIsAnError) {
  ModelBuilder m;
  m.input("x", {kBig, kBig, kBig}).output("y");
  attr_i(m.node("Flatten", {"x"}, {"y"}, "flatten"), "axis", 0);
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "flatten")) << e;
}

TEST(UntrustedShapes, ConvKernelExtentOverflowIsAnError) {
  // (kernel - 1) * dilation = 2^39 * 2^25 = 2^64: wraps to a 1-wide window.
  ModelBuilder m;
  m.input("x", {1, 1, 8}).input("w", {1, 1, -1}).output("y");
  auto& n = m.node("Conv", {"x", "w"}, {"y"}, "conv");
  attr_ints(n, "kernel_shape", {(int64_t(1) << 39) + 1});
  attr_ints(n, "dilations", {int64_t(1) << 25});
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "conv")) << e;
}

TEST(UntrustedShapes, ConvTransposeArithmeticOverflowIsAnError) {
  ModelBuilder m;
  m.input("x", {1, 1, 8}).input("w", {1, 1, 3}).output("y");
  auto& n = m.node("ConvTranspose", {"x", "w"}, {"y"}, "convt");
  attr_ints(n, "output_padding", {std::numeric_limits<int64_t>::max() - 2});
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "convt")) << e;

  ModelBuilder g;
  g.input("x", {1, 4, 8}).input("w", {4, kBig, 3}).output("y");
  attr_i(g.node("ConvTranspose", {"x", "w"}, {"y"}, "convt"), "group", int64_t(1) << 30);
  e = infer_error(g);
  EXPECT_TRUE(has(e, "convt")) << e;
}

TEST(UntrustedShapes, SpaceToDepthChannelOverflowIsAnError) {
  // channels * blocksize^2 = 2^40 * 2^30 wraps to 0.
  ModelBuilder m;
  int64_t b = int64_t(1) << 15;
  m.input("x", {1, kBig, b, b}).output("y");
  attr_i(m.node("SpaceToDepth", {"x"}, {"y"}, "s2d"), "blocksize", b);
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "s2d")) << e;
}

TEST(UntrustedShapes, GatherNDBatchDimsOverflowIsAnError) {
  ModelBuilder m;
  m.input("x", {2, 3}).input("i", {2, 1}, 7).output("y");
  attr_i(m.node("GatherND", {"x", "i"}, {"y"}, "gnd"), "batch_dims",
         std::numeric_limits<int64_t>::max());
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "gnd")) << e;
}

TEST(UntrustedShapes, SplitSizesOverflowIsAnError) {
  ModelBuilder m;
  const int64_t mx = std::numeric_limits<int64_t>::max();
  m.input("x", {2}).output("a").output("b").output("c");
  m.init_i64("sizes", {3}, {mx, mx, 4});  // sums to 2 modulo 2^64
  m.node("Split", {"x", "sizes"}, {"a", "b", "c"}, "split");
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "split") && has(e, "overflows")) << e;
}

TEST(UntrustedShapes, SliceWithExtremeStepsHasTheRightLength) {
  const int64_t mx = std::numeric_limits<int64_t>::max();
  ModelBuilder m;
  m.input("x", {10}).output("y").output("z");
  m.init_i64("b", {1}, {0});
  m.init_i64("e", {1}, {10});
  m.init_i64("ax", {1}, {0});
  m.init_i64("st", {1}, {mx});
  m.init_i64("rb", {1}, {9});
  m.init_i64("re", {1}, {-(int64_t(1) << 62)});
  m.init_i64("rst", {1}, {-std::numeric_limits<int64_t>::max()});  // INT64_MIN means "unknown"
  m.node("Slice", {"x", "b", "e", "ax", "st"}, {"y"}, "slice");
  m.node("Slice", {"x", "rb", "re", "ax", "rst"}, {"z"}, "rslice");
  ir::Graph g = infer(m);
  EXPECT_EQ(shape_of(g, "y"), "[1]");
  EXPECT_EQ(shape_of(g, "z"), "[1]");
}

TEST(UntrustedShapes, RangeWithInfiniteLimitIsAnError) {
  ModelBuilder m;
  m.output("y");
  m.init("s", {}, {0.f}).init("l", {}, {-std::numeric_limits<float>::infinity()});
  m.init("d", {}, {1.f});
  m.node("Range", {"s", "l", "d"}, {"y"}, "range");
  std::string e = infer_error(m);
  EXPECT_TRUE(has(e, "range")) << e;
}

TEST(UntrustedShapes, OverflowingShapeValuesBecomeUnknown) {
  // 2^62 * 4 wraps to 0: the shape value must not be "known" as [0].
  ModelBuilder m;
  m.output("y");
  m.init_i64("a", {1}, {int64_t(1) << 62});
  m.init_i64("b", {1}, {4});
  m.node("Mul", {"a", "b"}, {"n"}, "mul");
  m.node("ConstantOfShape", {"n"}, {"y"}, "cos");
  ir::Graph g = infer(m);
  EXPECT_EQ(shape_of(g, "y"), "[?]");
}

// --- external data: sizes checked against the file before allocating ------

struct TempDir {
  std::filesystem::path p;
  TempDir() {
    p = std::filesystem::temp_directory_path() /
        ("rnpu-untrusted-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(p);
  }
  ~TempDir() { std::filesystem::remove_all(p); }
};

std::string external_model(std::vector<int64_t> dims, const std::string& offset = "",
                           const std::string& length = "") {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  auto* t = m.graph().add_initializer();
  t->set_name("w");
  t->set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto* kv = t->add_external_data();
  kv->set_key("location");
  kv->set_value("w.bin");
  if (!offset.empty()) {
    kv = t->add_external_data();
    kv->set_key("offset");
    kv->set_value(offset);
  }
  if (!length.empty()) {
    kv = t->add_external_data();
    kv->set_key("length");
    kv->set_value(length);
  }
  m.node("Add", {"x", "w"}, {"y"}, "add");
  return m.bytes();
}

std::string import_error(const TempDir& d, const std::string& model, ErrorCode* code) {
  std::ofstream(d.p / "w.bin", std::ios::binary) << std::string(16, '\0');
  onnx::ImportOptions io;
  io.base_dir = d.p.string();
  return error_of([&] { onnx::import_model(model.data(), model.size(), io); }, code);
}

TEST(UntrustedExternalData, DeclaredSizeBeyondTheFileIsRejectedBeforeAllocating) {
  TempDir d;
  ErrorCode code{};
  // 2^40 floats (4 TiB) declared, 16 bytes present.
  std::string e = import_error(d, external_model({int64_t(1) << 20, int64_t(1) << 20}), &code);
  EXPECT_EQ(code, ErrorCode::kMalformedModel) << e;
  EXPECT_TRUE(has(e, "beyond the end")) << e;
  // Offset past the end, and a length that disagrees with the shape.
  e = import_error(d, external_model({int64_t(1) << 20, int64_t(1) << 20}, "32"), &code);
  EXPECT_EQ(code, ErrorCode::kMalformedModel) << e;
  e = import_error(d, external_model({int64_t(1) << 20, int64_t(1) << 20}, "", "16"), &code);
  EXPECT_EQ(code, ErrorCode::kMalformedModel) << e;
  EXPECT_TRUE(has(e, "length")) << e;
  // What fits is read.
  EXPECT_EQ(import_error(d, external_model({4}), &code), "");
  EXPECT_EQ(import_error(d, external_model({2}, "8"), &code), "");
}

// --- shape-specialised programs: keyed by every resolved shape ------------

// "testshape": runs Shape only, so a shape tensor crosses into the next
// partition as a value.
class ShapeBackend : public Backend {
 public:
  struct Prog : Program {
    ir::Graph g;
  };
  std::string name() const override { return "testshape"; }
  bool available() const override { return true; }
  bool automatic() const override { return false; }
  std::string description() const override { return "Shape-only test backend"; }
  Support supports(const ir::Graph&, const ir::Node& n) const override {
    if (n.op != "Shape" || n.attrs.has("start") || n.attrs.has("end"))
      return Support::no("only Shape");
    return Support::yes();
  }
  std::unique_ptr<Program> compile(const ir::Graph& sub, const CompileOptions&) override {
    auto p = std::make_unique<Prog>();
    p->g = sub;
    return p;
  }
  void run(Program& base, RunContext& ctx) override {
    for (const ir::Node& n : static_cast<Prog&>(base).g.nodes) {
      std::vector<int64_t> dims = ctx.tensor(n.inputs[0]).shape;
      int64_t r = int64_t(dims.size());
      HostTensor& o = ctx.tensor(n.outputs[0]);
      void* d = o.data && o.size == dims.size() * 8 ? o.data
                                                    : ctx.allocate(n.outputs[0], ir::DType::kInt64,
                                                                   std::span<const int64_t>(&r, 1));
      if (r) std::memcpy(d, dims.data(), dims.size() * 8);
    }
  }
};

void register_shape_backend() {
  static bool done = [] {
    BackendRegistry::instance().add("testshape", 7,
                                    [] { return std::make_unique<ShapeBackend>(); });
    return true;
  }();
  (void)done;
}

void set_dim_params(ModelBuilder& m, int input, std::vector<std::string> names) {
  auto* sh = m.graph().mutable_input(input)->mutable_type()->mutable_tensor_type()->mutable_shape();
  for (int i = 0; i < sh->dim_size(); ++i) sh->mutable_dim(i)->set_dim_param(names[size_t(i)]);
}

std::vector<float> softmax_rows(const std::vector<float>& x, int64_t cols) {
  std::vector<float> y(x.size());
  for (size_t r = 0; r < x.size() / size_t(cols); ++r) {
    double mx = -1e30, sum = 0;
    for (int64_t c = 0; c < cols; ++c) mx = std::max(mx, double(x[r * size_t(cols) + size_t(c)]));
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(x[r * size_t(cols) + size_t(c)] - mx);
    for (int64_t c = 0; c < cols; ++c)
      y[r * size_t(cols) + size_t(c)] = float(std::exp(x[r * size_t(cols) + size_t(c)] - mx) / sum);
  }
  return y;
}

// y (6 floats) reshaped to the shape of x, softmax over the last axis.  The
// second partition sees y [6] and a shape tensor [2] on both runs; only the
// shape tensor's values differ.
void expect_fresh_programs(const std::string& backend) {
  register_shape_backend();
  ModelBuilder m;
  m.input("x", {-1, -1}).input("y", {-1}).output("z");
  set_dim_params(m, 0, {"A", "B"});
  set_dim_params(m, 1, {"K"});
  m.node("Shape", {"x"}, {"s"}, "shape");
  m.node("Reshape", {"y", "s"}, {"r"}, "reshape");
  m.node("Softmax", {"r"}, {"z"}, "softmax");
  std::string b = m.bytes();
  Options o;
  o.backends = {"testshape", backend};
  o.allow_fallback = false;
  Session s = [&] {
    try {
      return Session::load_memory(b.data(), b.size(), o);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kBackendUnavailable || e.code() == ErrorCode::kUnsupportedOp)
        throw std::runtime_error(std::string("skip: ") + e.what());
      throw;
    }
  }();
  std::vector<float> y = {0, 1, 2, 3, 4, 5}, x(6, 0.f);
  const int64_t ys[] = {6};
  for (int64_t cols : {3, 2, 3, 6, 1}) {
    const int64_t xs[] = {6 / cols, cols};
    s.set_input(0, x.data(), x.size() * 4, xs);
    s.set_input(1, y.data(), y.size() * 4, ys);
    s.run();
    TensorView v = s.output(0);
    ASSERT_EQ(v.shape, (std::vector<int64_t>{6 / cols, cols}));
    const auto* f = static_cast<const float*>(v.data);
    std::vector<float> got(f, f + 6), want = softmax_rows(y, cols);
    for (size_t i = 0; i < 6; ++i)
      EXPECT_NEAR(got[i], want[i], 1e-3) << "cols " << cols << " at " << i;
  }
}

TEST(UntrustedShapeValues, CpuProgramsAreKeyedByEveryResolvedShape) {
  expect_fresh_programs("cpu");
}

TEST(UntrustedShapeValues, VulkanProgramsAreKeyedByEveryResolvedShape) {
  try {
    expect_fresh_programs("vulkan");
  } catch (const std::runtime_error& e) {
    if (has(e.what(), "skip: ")) GTEST_SKIP() << e.what();
    throw;
  }
}

// The Reshape target as a graph input: same input shapes, different values.
TEST(UntrustedShapeValues, ShapeTensorGraphInputWithNewValues) {
  ModelBuilder m;
  m.input("y", {6}).input("t", {2}, 7).output("z");
  m.node("Reshape", {"y", "t"}, {"r"}, "reshape");
  m.node("Softmax", {"r"}, {"z"}, "softmax");
  std::string b = m.bytes();
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  Session s = Session::load_memory(b.data(), b.size(), o);
  std::vector<float> y = {0, 1, 2, 3, 4, 5};
  const int64_t ys[] = {6}, ts[] = {2};
  for (int64_t cols : {3, 2, 6}) {
    int64_t t[2] = {6 / cols, cols};
    s.set_input(0, y.data(), y.size() * 4, ys);
    s.set_input(1, t, sizeof t, ts);
    s.run();
    const auto* f = static_cast<const float*>(s.output(0).data);
    std::vector<float> want = softmax_rows(y, cols);
    for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(f[i], want[i], 1e-4) << "cols " << cols;
  }
}

// --- compiled artifacts: NPU program sizes and bindings -------------------

std::string sim_model() {
  ModelBuilder m;
  m.input("x", {1, 4, 4, 4}).output("y");
  m.node("Relu", {"x"}, {"y"}, "relu");
  return m.bytes();
}

struct SimArtifact {
  artifact::Artifact a;
  npu::Program p;
};

SimArtifact sim_artifact() {
  std::string m = sim_model();
  Options o;
  o.backends = {"sim"};
  o.allow_fallback = false;
  Session s = Session::load_memory(m.data(), m.size(), o);
  SimArtifact r;
  r.a = artifact::read(s.compiled_bytes());
  EXPECT_EQ(r.a.programs.size(), 1u);
  r.p = npu::load_program(r.a.programs.at(0).data);
  return r;
}

std::string load_error(SimArtifact sa, const std::function<void(npu::Program&)>& edit) {
  edit(sa.p);
  sa.a.programs[0].data = npu::save_program(sa.p);
  std::vector<uint8_t> b = artifact::write(sa.a);
  ErrorCode code{};
  std::string e = error_of([&] { Session::load_memory(b.data(), b.size(), {}); }, &code);
  if (!e.empty()) EXPECT_EQ(code, ErrorCode::kMalformedModel) << e;
  return e;
}

TEST(UntrustedArtifact, SimArtifactStillLoads) {
  SimArtifact sa = sim_artifact();
  EXPECT_EQ(load_error(sa, [](npu::Program&) {}), "");
}

TEST(UntrustedArtifact, NpuImageSizeIsBounded) {
  SimArtifact sa = sim_artifact();
  std::string e = load_error(sa, [](npu::Program& p) {
    p.scratch_bytes += uint64_t(1) << 37;  // 128 GiB of scratch for a 64-element Relu
    p.image_bytes += uint64_t(1) << 37;
  });
  EXPECT_TRUE(has(e, "scratch")) << e;
  e = load_error(sa, [](npu::Program& p) { p.image_bytes = uint64_t(1) << 38; });
  EXPECT_TRUE(has(e, "image")) << e;
}

TEST(UntrustedArtifact, NpuBindingsAreCheckedAgainstThePartition) {
  SimArtifact sa = sim_artifact();
  ASSERT_EQ(sa.p.inputs.size(), 1u);
  ASSERT_EQ(sa.p.outputs.size(), 1u);
  using Edit = std::function<void(npu::Program&)>;
  for (const Edit& edit : std::vector<Edit>{
           [](npu::Program& p) { p.inputs[0].value = 12345; },
           [](npu::Program& p) { p.outputs[0].value = p.inputs[0].value; },
           [](npu::Program& p) {
             p.inputs[0].shape = {1, 4, 4, 5};
           },
           [](npu::Program& p) { p.outputs[0].dtype = DataType::kInt64; },
           [](npu::Program& p) { p.outputs[0].bytes -= 4; },
           [](npu::Program& p) { p.inputs.clear(); },
           [](npu::Program& p) { p.outputs.push_back(p.outputs[0]); },
       }) {
    std::string e = load_error(sa, edit);
    EXPECT_TRUE(has(e, "binding") || has(e, "I/O")) << e;
  }
  // An I/O region overlapping the read-only weights.
  std::string e = load_error(sa, [](npu::Program& p) { p.inputs[0].offset = 0; });
  EXPECT_FALSE(e.empty());
}

// --- .npy headers ----------------------------------------------------------

#ifdef RNPU_HAVE_NPY
TEST(UntrustedNpy, HeaderNestingIsBounded) {
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + std::string(500000, '(') +
      std::string(500000, ')') + ", }";
  std::string f = std::string("\x93NUMPY\x02\x00", 8);
  uint32_t n = uint32_t(dict.size());
  f.append(reinterpret_cast<const char*>(&n), 4);
  f += dict;
  try {
    cli::npy_parse(f, "deep.npy");
    FAIL() << "accepted";
  } catch (const cli::NpyError& e) {
    EXPECT_TRUE(has(e.what(), "nest")) << e.what();
  }
  // numpy's own headers still parse.
  float v[2] = {1, 2};
  cli::NpyArray a = cli::npy_parse(cli::npy_serialize(DataType::kFloat32, {2}, v, 8), "ok.npy");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2}));
}
#endif

}  // namespace
}  // namespace rnpu
