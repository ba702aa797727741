// Values (graph edges): type, shape, layout, quantisation and, for
// constants, their data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dtype.h"
#include "shape.h"

namespace rnpu::ir {

// Immutable dense row-major constant data.  Shared between graphs (a
// backend's subgraph copy shares its weights with the parent graph); the
// bytes may live in the model buffer, a heap block or an mmapped file.
struct ConstTensor {
  DType dtype = DType::kUndefined;
  std::vector<int64_t> dims;
  const void* data = nullptr;
  size_t size = 0;                    // bytes
  std::shared_ptr<const void> owner;  // keeps `data` alive
  // A string tensor (dtype kString, ir/string_tensor.h): its elements,
  // row-major; data is nullptr and size 0, since std::string objects must
  // never be moved as bytes.
  std::shared_ptr<const std::vector<std::string>> strings;

  int64_t numel() const;
  template <class T>
  const T* as() const {
    return static_cast<const T*>(data);
  }
  // Allocates zeroed, 64-byte aligned owned storage for dims.
  static std::shared_ptr<ConstTensor> make(DType dtype, std::vector<int64_t> dims);
  void* mutable_data() { return const_cast<void*>(data); }  // only right after make()
  // Element i as int64/double whatever the integer/float type (for shape-like inputs).
  int64_t get_int(int64_t i) const;
  double get_double(int64_t i) const;
  std::vector<int64_t> to_ints() const;
};

// Quantisation of an int8/uint8/int32 tensor: real = scale * (q - zero_point).
// Per-tensor when scale has one entry, else per-channel along `axis`.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int axis = 1;
  bool per_channel() const { return scale.size() > 1; }
  bool operator==(const QuantParams&) const = default;
};

// Physical order of 4-D activations.  ONNX semantics are NCHW; the layout
// pass rewrites regions assigned to NHWC-preferring backends.
enum class Layout : uint8_t { kAny = 0, kNCHW = 1, kNHWC = 2 };
const char* layout_name(Layout l);

using ValueId = int32_t;
using NodeId = int32_t;
constexpr ValueId kNoValue = -1;  // an absent optional input/output
constexpr NodeId kNoNode = -1;

using ValueKind = rnpu::ValueKind;

struct Value {
  std::string name;
  // A tensor, a sequence or an optional (ir/sequence.h).  For sequences and
  // optionals, dtype is the element type and shape the element shape as far
  // as it is common to all elements (unknown rank when they differ).
  ValueKind kind = ValueKind::kTensor;
  DType dtype = DType::kUndefined;
  Shape shape;  // logical (ONNX) shape unless layout says otherwise
  Layout layout = Layout::kAny;
  std::optional<QuantParams> quant;
  std::shared_ptr<const ConstTensor> constant;  // set for initializers / folded values

  NodeId producer = kNoNode;      // maintained by Graph::rebuild_links()
  std::vector<NodeId> consumers;  // maintained by Graph::rebuild_links()

  bool is_constant() const { return constant != nullptr; }
};

}  // namespace rnpu::ir
