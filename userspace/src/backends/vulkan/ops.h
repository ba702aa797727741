// The op table: per ONNX op, a capability check and a lowering to kernels.
#pragma once

#include <string>

#include "backend/backend.h"
#include "ir/graph.h"
#include "lower.h"

namespace rnpu::vk {

struct OpImpl {
  // Op-specific checks (dtypes, attributes, ranks).  Common checks
  // (domain, layout, quantisation, rnpu.* attributes) are done before.
  Support (*check)(const ir::Graph& g, const ir::Node& n, const Caps& caps);
  void (*lower)(Lowerer& l, const ir::Node& n);
  bool fused_activation;  // accepts rnpu.activation
};

const OpImpl* find_op(const std::string& op);

// Registration tables of each ops_*.cc file (name, impl).
struct OpEntry {
  const char* name;
  OpImpl impl;
};
std::vector<OpEntry> elementwise_ops();
std::vector<OpEntry> conv_ops();
std::vector<OpEntry> gemm_ops();
std::vector<OpEntry> pool_ops();
std::vector<OpEntry> norm_ops();
std::vector<OpEntry> data_ops();
std::vector<OpEntry> quant_ops();

// ---- helpers shared by op files ----

// A batched GEMM (see matmul.comp for the meaning of the fields).
struct GemmDesc {
  int64_t m = 1, n = 1, k = 1;
  int64_t bd[3] = {1, 1, 1};
  int64_t sa[3] = {0, 0, 0}, sb[3] = {0, 0, 0};
  int64_t a_rs = 0, a_cs = 0, b_rs = 0, b_cs = 0, c_rs = 0, c_cs = 0;
  float alpha = 1, beta = 0;
  // Output placement Y(z, m, n) = y[o_off + z * o_zs + m * o_rs + n]; -1 =
  // dense (o_rs = n, o_zs = m * n).  Only the register-blocked kernel takes
  // other values.
  int64_t o_off = 0, o_rs = -1, o_zs = -1;
};
// Picks the kernel for the device and shape; `spec` holds the activation.
void emit_gemm(Lowerer& L, const GemmDesc& d, Ref a, Ref b, Ref c, Ref y, ir::DType t,
               std::vector<uint32_t> spec);

// The fused activation of a node: (opcode, alpha, beta) as spec constants
// 0..2; {OP_NONE,0,0} without one.  Returns false for an unknown name.
bool activation_spec(const ir::Node& n, std::vector<uint32_t>* spec);

// True when the outputs and the listed inputs (absent ones skipped) are all
// float32, or all float16 with fp16 storage.
bool float_types(const ir::Graph& g, const ir::Node& n, const Caps& caps, std::string* why,
                 std::initializer_list<size_t> inputs = {0});

// Values of a constant integer input (Slice starts, Reshape shape...);
// false when the input is absent or not constant.
bool const_ints(const ir::Graph& g, ir::ValueId v, std::vector<int64_t>* out);

// Dims right-aligned to `rank` with leading 1s.
std::vector<int64_t> pad_dims(const std::vector<int64_t>& d, size_t rank);
// Row-major element strides.
std::vector<int64_t> strides_of(const std::vector<int64_t>& d);

}  // namespace rnpu::vk
