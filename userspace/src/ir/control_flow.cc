#include "ir/control_flow.h"

namespace rnpu::ir {

bool is_control_flow(const Node& n) {
  return n.domain.empty() &&
         (n.op == "If" || n.op == "Loop" || n.op == "Scan" || n.op == "SequenceMap");
}

const Graph& body_of(const Node& n, const std::string& attr) {
  const Attribute* a = n.attrs.find(attr);
  if (!a || a->kind != Attribute::Kind::kGraph || !a->g)
    node_error(ErrorCode::kMalformedModel, n, "needs a graph attribute '" + attr + "'");
  const Graph& b = *a->g;
  if (b.implicit_inputs != size_t(n.implicit_inputs) || b.implicit_inputs > b.inputs.size() ||
      size_t(n.implicit_inputs) > n.inputs.size())
    node_error(ErrorCode::kInternal, n,
               "body '" + attr + "' reads " + std::to_string(b.implicit_inputs) +
                   " outer values, the node passes " + std::to_string(n.implicit_inputs));
  return b;
}

Shape merge_shapes(const Shape& a, const Shape& b) {
  if (!a.has_rank || !b.has_rank || a.rank() != b.rank()) return Shape::unknown_rank();
  Shape r = a;
  for (size_t i = 0; i < r.rank(); ++i)
    if (!(a.dims[i] == b.dims[i])) r.dims[i] = Dim{};
  return r;
}

}  // namespace rnpu::ir
