#include "ir/shape.h"

namespace rnpu::ir {

Shape::Shape(const std::vector<int64_t>& d) : has_rank(true) {
  dims.reserve(d.size());
  for (int64_t v : d) dims.push_back(Dim{v < 0 ? -1 : v, {}});
}

bool Shape::is_static() const {
  if (!has_rank) return false;
  for (const Dim& d : dims)
    if (!d.known()) return false;
  return true;
}

std::optional<int64_t> Shape::numel() const {
  if (!is_static()) return std::nullopt;
  return checked_numel(values());
}

std::vector<int64_t> Shape::values() const {
  std::vector<int64_t> v;
  v.reserve(dims.size());
  for (const Dim& d : dims) v.push_back(d.value);
  return v;
}

std::string Shape::str() const {
  if (!has_rank) return "[*]";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    if (dims[i].known())
      s += std::to_string(dims[i].value);
    else
      s += dims[i].symbol.empty() ? "?" : dims[i].symbol;
  }
  return s + "]";
}

std::optional<int64_t> checked_numel(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return std::nullopt;
    if (d == 0)
      n = 0;
    else if (n > 0 && d > kMaxElements / n)
      return std::nullopt;
    else
      n *= d;
  }
  // A zero dim anywhere makes the tensor empty, but the other dims must
  // still be sane.
  for (int64_t d : dims)
    if (d > kMaxElements) return std::nullopt;
  return n;
}

}  // namespace rnpu::ir
