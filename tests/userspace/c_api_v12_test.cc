// The C API's 1.2 additions (userspace/include/rnpu/rnpu.h): type and kind
// names, the reference_kernels option, dim names, the compiled artifact in
// memory, NPU reports, the processed graph and the NPU device list, with
// their struct_size contracts and error paths.  The rest of 1.2 -- the
// header-only C++ API over it -- is what every C++ test exercises.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rnpu/rnpu.h"
#include "support/graph_builder.h"

namespace rnpu {
namespace {

using test::ModelBuilder;

std::string last_message() {
  rnpu_error_info e{};
  e.struct_size = sizeof e;
  rnpu_last_error(&e);
  return e.message ? e.message : "";
}

// y = relu(x + 10), x [N, 3] with N symbolic.
std::string add_relu() {
  ModelBuilder m;
  m.input("x", {-1, 3}).init("k", {}, {10.f}).output("y");
  m.node("Add", {"x", "k"}, {"s"}, "add");
  m.node("Relu", {"s"}, {"y"}, "relu");
  return m.bytes();
}

class CApi12 : public ::testing::Test {
 protected:
  void TearDown() override {
    for (rnpu_session* s : sessions_) rnpu_session_destroy(s);
  }
  rnpu_session* open(const std::string& bytes, int optimization = 0, bool reference = false) {
    rnpu_options* o = nullptr;
    EXPECT_EQ(rnpu_options_create(&o), RNPU_OK);
    EXPECT_EQ(rnpu_options_set_backends(o, "cpu"), RNPU_OK);
    EXPECT_EQ(rnpu_options_set_optimization(o, optimization), RNPU_OK);
    EXPECT_EQ(rnpu_options_set_reference_kernels(o, reference), RNPU_OK);
    rnpu_session* s = nullptr;
    EXPECT_EQ(rnpu_session_create_from_memory(bytes.data(), bytes.size(), o, &s), RNPU_OK)
        << last_message();
    rnpu_options_destroy(o);
    if (s) sessions_.push_back(s);
    return s;
  }
  // Runs s on x [2, 3] and returns y.
  static std::vector<float> run(rnpu_session* s) {
    const float x[6] = {-20, -10, -5, 0, 5, 10};
    const int64_t dims[2] = {2, 3};
    EXPECT_EQ(rnpu_session_set_input(s, 0, x, sizeof x, dims, 2), RNPU_OK) << last_message();
    EXPECT_EQ(rnpu_session_run(s), RNPU_OK) << last_message();
    const void* data = nullptr;
    size_t size = 0;
    EXPECT_EQ(rnpu_session_get_output(s, 0, nullptr, &data, &size), RNPU_OK);
    const float* p = static_cast<const float*>(data);
    return p ? std::vector<float>(p, p + size / sizeof(float)) : std::vector<float>{};
  }
  std::vector<rnpu_session*> sessions_;
};

const std::vector<float> kExpected = {0, 0, 5, 10, 15, 20};

TEST(CApi12Names, DtypeAndKind) {
  EXPECT_EQ(rnpu_dtype_size(RNPU_DTYPE_FLOAT32), 4u);
  EXPECT_EQ(rnpu_dtype_size(RNPU_DTYPE_FLOAT16), 2u);
  EXPECT_EQ(rnpu_dtype_size(RNPU_DTYPE_INT4), 1u);  // one byte per element in memory
  EXPECT_EQ(rnpu_dtype_size(RNPU_DTYPE_STRING), 0u);
  EXPECT_EQ(rnpu_dtype_size(rnpu_dtype(99)), 0u);
  EXPECT_STREQ(rnpu_dtype_name(RNPU_DTYPE_BFLOAT16), "bfloat16");
  EXPECT_STREQ(rnpu_dtype_name(RNPU_DTYPE_FLOAT8E5M2), "float8e5m2");
  EXPECT_STREQ(rnpu_dtype_name(rnpu_dtype(99)), "undefined");
  EXPECT_STREQ(rnpu_value_kind_name(RNPU_VALUE_OPTIONAL_SEQUENCE), "optional(sequence)");
  EXPECT_STREQ(rnpu_value_kind_name(rnpu_value_kind(7)), "unknown");
  uint32_t major = 0, minor = 0;
  rnpu_api_version(&major, &minor);
  EXPECT_EQ(major, 1u);
  EXPECT_GE(minor, 2u);
}

TEST_F(CApi12, ReferenceKernelsRun) {
  EXPECT_EQ(rnpu_options_set_reference_kernels(nullptr, 1), RNPU_ERR_INVALID_ARGUMENT);
  rnpu_session* s = open(add_relu(), 1, true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(run(s), kExpected);
}

TEST_F(CApi12, DimNames) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  const char* name = nullptr;
  ASSERT_EQ(rnpu_session_input_dim_name(s, 0, 0, &name), RNPU_OK);
  EXPECT_STREQ(name, "N");
  ASSERT_EQ(rnpu_session_input_dim_name(s, 0, 1, &name), RNPU_OK);
  EXPECT_STREQ(name, "");
  EXPECT_EQ(rnpu_session_input_dim_name(s, 0, 2, &name), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_NE(last_message().find("dim 2 of 'x' out of range (rank 2)"), std::string::npos)
      << last_message();
  EXPECT_EQ(rnpu_session_input_dim_name(s, 1, 0, &name), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_input_dim_name(s, 0, 0, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_output_dim_name(s, 5, 0, &name), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_input_dim_name(nullptr, 0, 0, &name), RNPU_ERR_INVALID_ARGUMENT);
  // The session keeps the last failure of a call on it.
  rnpu_error_info e{};
  e.struct_size = sizeof e;
  EXPECT_EQ(rnpu_session_last_error(s, &e), RNPU_ERR_INVALID_ARGUMENT);
}

TEST_F(CApi12, CompiledBytesMatchTheFileAndLoad) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  void* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(rnpu_session_compiled_bytes(s, &data, &size), RNPU_OK) << last_message();
  ASSERT_NE(data, nullptr);
  ASSERT_GT(size, 0u);
  std::string bytes(static_cast<const char*>(data), size);
  rnpu_free(data);
  rnpu_free(nullptr);  // ignored

  std::string path = testing::TempDir() + "/capi12.rnpb";
  ASSERT_EQ(rnpu_session_save_compiled(s, path.c_str()), RNPU_OK);
  std::ifstream f(path, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  EXPECT_EQ(bytes, file);

  rnpu_session* t = open(bytes);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(run(t), kExpected);

  EXPECT_EQ(rnpu_session_compiled_bytes(s, nullptr, &size), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_compiled_bytes(nullptr, &data, &size), RNPU_ERR_INVALID_ARGUMENT);
}

TEST_F(CApi12, NpuReportsOnCpuAreNone) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(run(s), kExpected);
  EXPECT_EQ(rnpu_session_npu_report_count(s), 0u);
  rnpu_npu_report r{};
  r.struct_size = sizeof r;
  EXPECT_EQ(rnpu_session_npu_report(s, 0, &r), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_NE(last_message().find("npu report index 0 out of range (0 reports)"), std::string::npos);
  r.struct_size = RNPU_NPU_REPORT_MIN_SIZE - 1;
  EXPECT_EQ(rnpu_session_npu_report(s, 0, &r), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_NE(last_message().find("below its minimum"), std::string::npos);
  EXPECT_EQ(rnpu_session_npu_report_count(nullptr), 0u);
}

TEST_F(CApi12, ProcessedGraph) {
  rnpu_session* s = open(add_relu());
  ASSERT_NE(s, nullptr);
  rnpu_graph_info g{};
  g.struct_size = sizeof g;
  ASSERT_EQ(rnpu_session_graph(s, &g), RNPU_OK) << last_message();
  ASSERT_EQ(g.node_count, 2u);
  ASSERT_EQ(g.input_count, 1u);
  ASSERT_EQ(g.output_count, 1u);
  bool onnx_domain = false;
  for (size_t i = 0; i < g.opset_count; ++i)
    if (!g.opset_domains[i][0] && g.opset_versions[i] == 17) onnx_domain = true;
  EXPECT_TRUE(onnx_domain);

  auto value = [&](size_t v) {
    rnpu_graph_value out{};
    out.struct_size = sizeof out;
    EXPECT_EQ(rnpu_session_graph_value(s, v, &out), RNPU_OK) << last_message();
    return out;
  };
  rnpu_graph_value x = value(g.inputs[0]);
  EXPECT_STREQ(x.name, "x");
  EXPECT_EQ(x.dtype, RNPU_DTYPE_FLOAT32);
  EXPECT_EQ(x.kind, RNPU_VALUE_TENSOR);
  ASSERT_EQ(x.rank, 2u);
  EXPECT_EQ(x.dims[0], -1);
  EXPECT_STREQ(x.dim_names[0], "N");
  EXPECT_EQ(x.dims[1], 3);
  EXPECT_STREQ(x.dim_names[1], "");
  EXPECT_EQ(x.flags & RNPU_GRAPH_CONSTANT, 0u);
  EXPECT_STREQ(value(g.outputs[0]).name, "y");

  std::vector<std::string> ops;
  for (size_t i = 0; i < g.node_count; ++i) {
    rnpu_graph_node n{};
    n.struct_size = sizeof n;
    ASSERT_EQ(rnpu_session_graph_node(s, i, &n), RNPU_OK);
    ops.push_back(n.op);
    EXPECT_STREQ(n.domain, "");
    EXPECT_STREQ(n.backend, "cpu");
    EXPECT_STREQ(n.activation, "");
    ASSERT_EQ(n.output_count, 1u);
    if (std::string(n.op) == "Add") {
      EXPECT_STREQ(n.name, "add");
      ASSERT_EQ(n.input_count, 2u);
      EXPECT_EQ(n.inputs[0], g.inputs[0]);
      rnpu_graph_value k = value(n.inputs[1]);
      EXPECT_STREQ(k.name, "k");
      EXPECT_NE(k.flags & RNPU_GRAPH_CONSTANT, 0u);
      EXPECT_EQ(k.constant_bytes, sizeof(float));
      EXPECT_EQ(k.rank, 0u);
      EXPECT_EQ(k.flags & RNPU_GRAPH_UNKNOWN_RANK, 0u);
    } else {
      EXPECT_EQ(n.outputs[0], g.outputs[0]);
    }
  }
  EXPECT_EQ(ops, (std::vector<std::string>{"Add", "Relu"}));

  rnpu_graph_node n{};
  n.struct_size = sizeof n;
  EXPECT_EQ(rnpu_session_graph_node(s, 2, &n), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_NE(last_message().find("graph node 2 out of range (2 nodes)"), std::string::npos);
  rnpu_graph_value v{};
  v.struct_size = sizeof v;
  EXPECT_EQ(rnpu_session_graph_value(s, g.value_count, &v), RNPU_ERR_INVALID_ARGUMENT);
  v.struct_size = RNPU_GRAPH_VALUE_MIN_SIZE - 1;
  EXPECT_EQ(rnpu_session_graph_value(s, 0, &v), RNPU_ERR_INVALID_ARGUMENT);
  g.struct_size = RNPU_GRAPH_INFO_MIN_SIZE - 1;
  EXPECT_EQ(rnpu_session_graph(s, &g), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_session_graph(nullptr, &g), RNPU_ERR_INVALID_ARGUMENT);
  // A newer caller's larger struct: the bytes past this library's are left alone.
  struct Larger {
    rnpu_graph_node n;
    uint64_t extra;
  } larger{};
  larger.n.struct_size = sizeof larger;
  larger.extra = 0x5a5a5a5a;
  ASSERT_EQ(rnpu_session_graph_node(s, 0, &larger.n), RNPU_OK);
  EXPECT_EQ(larger.extra, 0x5a5a5a5au);
  EXPECT_EQ(larger.n.struct_size, sizeof larger);
}

TEST(CApi12Devices, ListsAccelNodesOfADirectory) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(testing::TempDir()) / "capi12-accel";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* n : {"accel10", "accel2", "card0"}) std::ofstream(dir / n) << "x";

  rnpu_device_list* list = nullptr;
  ASSERT_EQ(rnpu_device_list_create(dir.c_str(), &list), RNPU_OK) << last_message();
  ASSERT_EQ(rnpu_device_count(list), 2u);  // card0 is no accel node
  std::vector<std::string> paths;
  for (size_t i = 0; i < 2; ++i) {
    rnpu_device_info d{};
    d.struct_size = sizeof d;
    ASSERT_EQ(rnpu_device_get_info(list, i, &d), RNPU_OK);
    paths.push_back(d.path);
    // A plain file opens but is no DRM node.
    EXPECT_STREQ(d.driver, "");
    EXPECT_NE(std::string(d.error).find("DRM_IOCTL_VERSION failed"), std::string::npos) << d.error;
    EXPECT_EQ(d.have, 0u);
  }
  EXPECT_EQ(paths,
            (std::vector<std::string>{(dir / "accel2").string(), (dir / "accel10").string()}));
  rnpu_device_info d{};
  d.struct_size = sizeof d;
  EXPECT_EQ(rnpu_device_get_info(list, 2, &d), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_NE(last_message().find("device index 2 out of range (2 devices)"), std::string::npos);
  d.struct_size = RNPU_DEVICE_INFO_MIN_SIZE - 1;
  EXPECT_EQ(rnpu_device_get_info(list, 0, &d), RNPU_ERR_INVALID_ARGUMENT);
  rnpu_device_list_destroy(list);
  rnpu_device_list_destroy(nullptr);
  fs::remove_all(dir);

  // A missing directory lists nothing.
  ASSERT_EQ(rnpu_device_list_create((dir / "missing").c_str(), &list), RNPU_OK);
  EXPECT_EQ(rnpu_device_count(list), 0u);
  rnpu_device_list_destroy(list);
  EXPECT_EQ(rnpu_device_list_create(nullptr, nullptr), RNPU_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(rnpu_device_count(nullptr), 0u);
  EXPECT_EQ(rnpu_device_get_info(nullptr, 0, &d), RNPU_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace rnpu
