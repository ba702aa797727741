// A C++ application of the header-only C++ API (rnpu.hpp) linked against
// librnpu.so alone, no static core: everything it calls must be an
// exported rnpu_* C function.  Runs add_relu.onnx (rnpu-abi-models) through
// most of the API: describe, bind, run, run_async, pipelined runs, errors
// with their details, profile, partition report, compiled artifact in
// memory, reference kernels.
//   rnpu-abi-cxx-shared MODELDIR
#include <cstdio>
#include <cstdlib>
#include <rnpu/rnpu.hpp>
#include <string>
#include <vector>

#define CHECK(c)                                                         \
  do {                                                                   \
    if (!(c)) {                                                          \
      std::fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #c); \
      std::exit(1);                                                      \
    }                                                                    \
  } while (0)

namespace {

const float kX[6] = {-20, -10, -5, 0, 5, 10};
const float kY[6] = {0, 0, 5, 10, 15, 20};  // relu(x + 10)

void expect_y(const rnpu::Session& s) {
  rnpu::TensorView y = s.output(0);
  CHECK(y.dtype == rnpu::DataType::kFloat32);
  CHECK(y.shape == (std::vector<int64_t>{2, 3}));
  CHECK(y.size == sizeof kY);
  const float* p = static_cast<const float*>(y.data);
  for (int i = 0; i < 6; ++i) CHECK(p[i] == kY[i]);
}

void bind(rnpu::Session& s) {
  const int64_t shape[2] = {2, 3};
  s.set_input(0, std::span<const float>(kX, 6), shape);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODELDIR\n", argv[0]);
    return 2;
  }
  const std::string model = std::string(argv[1]) + "/add_relu.onnx";
  CHECK(std::string(rnpu::version()).size() > 0);
  bool cpu = false;
  for (const rnpu::BackendInfo& b : rnpu::list_backends()) cpu |= b.name == "cpu" && b.available;
  CHECK(cpu);
  CHECK(rnpu::data_type_size(rnpu::DataType::kFloat16) == 2);
  CHECK(std::string(rnpu::data_type_name(rnpu::DataType::kInt8)) == "int8");
  CHECK(std::string(rnpu::value_kind_name(rnpu::ValueKind::kSequence)) == "sequence");

  // Errors carry the C API's code and details.
  try {
    rnpu::Session::load_file(model + ".missing");
    CHECK(false);
  } catch (const rnpu::Error& e) {
    CHECK(e.code() == rnpu::ErrorCode::kIo);
    CHECK(std::string(e.what()).find("add_relu.onnx.missing") != std::string::npos);
  }
  try {
    rnpu::Session::load_memory("not onnx", 8);
    CHECK(false);
  } catch (const rnpu::Error& e) {
    CHECK(e.code() == rnpu::ErrorCode::kMalformedModel);
  }

  rnpu::Options o;
  o.backends = {"cpu"};
  o.profiling = true;
  rnpu::Session s = rnpu::Session::load_file(model, o);
  CHECK(s.inputs().size() == 1 && s.outputs().size() == 1);
  CHECK(s.inputs()[0].name == "x");
  CHECK(s.inputs()[0].dtype == rnpu::DataType::kFloat32);
  CHECK(s.inputs()[0].shape == (std::vector<int64_t>{2, 3}));
  CHECK(s.inputs()[0].dim_names.size() == 2);
  CHECK(s.inputs()[0].kind == rnpu::ValueKind::kTensor);
  CHECK(s.input_index("x") == 0 && s.output_index("y") == 0);
  try {
    s.input_index("nope");
    CHECK(false);
  } catch (const rnpu::Error& e) {
    CHECK(e.code() == rnpu::ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("'nope'") != std::string::npos);
  }
  CHECK(!s.partition_report().empty());
  for (const rnpu::PartitionDecision& d : s.partition_report()) CHECK(d.backend == "cpu");

  bind(s);
  s.run();
  expect_y(s);
  CHECK(!s.profile().empty());
  CHECK(s.npu_reports().empty());
  s.run_async().get();
  expect_y(s);
  s.submit();
  s.collect();
  expect_y(s);
  CHECK(s.pipeline_depth() >= 1);
  try {
    s.output(3);
    CHECK(false);
  } catch (const rnpu::Error& e) {
    CHECK(e.code() == rnpu::ErrorCode::kInvalidArgument);
  }
  // A failing asynchronous run rethrows from its future: an unset input.
  rnpu::Session unset = rnpu::Session::load_file(model, o);
  std::future<void> f = unset.run_async();
  try {
    f.get();
    CHECK(false);
  } catch (const rnpu::Error& e) {
    CHECK(e.code() == rnpu::ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).find("'x'") != std::string::npos);
  }

  std::vector<uint8_t> artifact = s.compiled_bytes();
  CHECK(!artifact.empty());
  rnpu::Session t = rnpu::Session::load_memory(artifact.data(), artifact.size());
  bind(t);
  t.run();
  expect_y(t);

  rnpu::Options ref;
  ref.reference_kernels = true;
  rnpu::Session r = rnpu::Session::load_file(model, ref);
  bind(r);
  r.run();
  expect_y(r);

  // Moving keeps the session; the moved-from one fails cleanly.
  rnpu::Session moved = std::move(r);
  moved.run();
  expect_y(moved);
  try {
    r.run();
    CHECK(false);
  } catch (const rnpu::Error& e) {
    CHECK(e.code() == rnpu::ErrorCode::kInvalidArgument);
  }
  std::printf("C++ API over librnpu.so alone: passed\n");
  return 0;
}
