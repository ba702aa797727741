#include "ir/string_tensor.h"

#include "ir/graph.h"

namespace rnpu::ir {

std::shared_ptr<ConstTensor> make_string_constant(std::vector<int64_t> dims, Strings elems) {
  auto c = std::make_shared<ConstTensor>();
  c->dtype = DType::kString;
  c->dims = std::move(dims);
  c->strings = std::make_shared<const Strings>(std::move(elems));
  return c;
}

bool touches_strings(const Graph& g, const Node& n) {
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ValueId v : *list)
      if (v != kNoValue && g.value(v).dtype == DType::kString) return true;
  return false;
}

}  // namespace rnpu::ir
