// Tensor shapes with dimensions that may be unknown until run time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rnpu::ir {

struct Dim {
  int64_t value = -1;  // >= 0 when known
  std::string symbol;  // ONNX dim_param, when the model names it
  bool known() const { return value >= 0; }
  bool operator==(const Dim&) const = default;
};

// A shape is either of unknown rank (has_rank == false) or a list of dims.
struct Shape {
  bool has_rank = false;
  std::vector<Dim> dims;

  Shape() = default;
  explicit Shape(const std::vector<int64_t>& d);  // -1 entries are unknown
  static Shape unknown_rank() { return Shape(); }

  size_t rank() const { return dims.size(); }
  bool is_static() const;  // rank and all dims known
  // Product of dims; nullopt when not static or on overflow of int64.
  std::optional<int64_t> numel() const;
  std::vector<int64_t> values() const;  // -1 for unknown dims
  std::string str() const;              // "[1,3,?,224]" / "[*]"
  bool operator==(const Shape&) const = default;
};

// Largest element count any tensor may have (2^40): guards against absurd
// shapes in hostile models before anything is allocated.
constexpr int64_t kMaxElements = int64_t(1) << 40;
constexpr int64_t kMaxRank = 16;

// Multiply with overflow check; nullopt on overflow or beyond kMaxElements.
std::optional<int64_t> checked_numel(const std::vector<int64_t>& dims);

}  // namespace rnpu::ir
