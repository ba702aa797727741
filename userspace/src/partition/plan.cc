// Partitions from a compiled artifact (partition::apply_plan): no
// partitioning, no optimisation, only checks that the stored plan is one
// the runtime can run.
#include <algorithm>

#include "ir/string_tensor.h"
#include "partition/partitioner.h"
#include "passes/shape_inference.h"

namespace rnpu::partition {

namespace {

[[noreturn]] void bad(const std::string& why) {
  throw Error(ErrorCode::kMalformedModel, "compiled artifact: " + why);
}

bool touches_sequences(const ir::Graph& g, const ir::Node& n) {
  for (const auto* list : {&n.inputs, &n.outputs})
    for (ir::ValueId v : *list)
      if (v != ir::kNoValue && g.value(v).kind != ir::ValueKind::kTensor) return true;
  return ir::touches_strings(g, n);
}

Backend* resolve(const BackendSet& set, const std::string& name, size_t index) {
  if (set.control_flow && set.control_flow->name() == name) return set.control_flow;
  for (Backend* b : set.enabled)
    if (b->name() == name) return b;
  // Backends sharing a code generator share the program format (sim, npu):
  // a model compiled for one runs on the other.
  Backend* stored = BackendRegistry::instance().get(name);
  std::string format = stored ? stored->program_format() : std::string();
  if (!format.empty())
    for (Backend* b : set.enabled)
      if (b->program_format() == format) return b;
  std::string enabled;
  for (Backend* b : set.enabled) enabled += (enabled.empty() ? "" : ", ") + b->name();
  throw Error(ErrorCode::kBackendUnavailable,
              "compiled artifact: partition " + std::to_string(index) + " runs on backend '" +
                  name + "', which is " + (stored ? "not enabled" : "not built in") +
                  " (enabled: " + enabled + "); recompile the model for these backends");
}

// The stored shapes and types must be those shape inference derives from
// the graph: backends size buffers and programs by them.
void check_shapes(const ir::Graph& g) {
  ir::Graph work = g;
  for (ir::Value& v : work.values)
    if (!v.is_constant() && v.producer != ir::kNoNode) {
      v.shape = ir::Shape::unknown_rank();
      if (v.quant == std::nullopt) v.dtype = ir::DType::kUndefined;
    }
  try {
    passes::infer_shapes(work);
  } catch (const Error& e) {
    bad(std::string("shape inference: ") + e.what());
  }
  for (size_t i = 0; i < g.values.size(); ++i) {
    const ir::Value& want = work.values[i];
    const ir::Value& got = g.values[i];
    bool ok = want.dtype == ir::DType::kUndefined || want.dtype == got.dtype;
    if (ok && want.shape.has_rank) {
      ok = got.shape.has_rank && got.shape.rank() == want.shape.rank();
      for (size_t d = 0; ok && d < want.shape.rank(); ++d)
        if (want.shape.dims[d].known() && got.shape.dims[d].value != want.shape.dims[d].value)
          ok = false;
    }
    if (!ok)
      bad("value '" + got.name + "' is stored as " + ir::dtype_name(got.dtype) + " " +
          got.shape.str() + " but the graph gives " + ir::dtype_name(want.dtype) + " " +
          want.shape.str());
  }
}

}  // namespace

PartitionResult apply_plan(const ir::Graph& g, const BackendSet& set,
                           const std::vector<artifact::PlannedPartition>& plan) {
  check_shapes(g);
  PartitionResult r;
  for (size_t pi = 0; pi < plan.size(); ++pi) {
    const artifact::PlannedPartition& pp = plan[pi];
    Backend* b = resolve(set, pp.backend, pi);
    Partition p;
    p.backend = b;
    for (ir::NodeId id : pp.nodes) {
      if (id < 0 || size_t(id) >= g.nodes.size() || g.node(id).dead)
        bad("partition " + std::to_string(pi) + ": node id " + std::to_string(id) + " invalid");
      const ir::Node& n = g.node(id);
      Support s = touches_sequences(g, n) && !b->runs_sequences()
                      ? Support::no("sequence, optional or string values unsupported")
                      : b->supports(g, n);
      if (!s.ok)
        bad("partition " + std::to_string(pi) + ": node '" + n.name + "' (" + n.op +
            ") is not supported by backend '" + b->name() + "': " + s.reason);
      p.nodes.push_back(id);
      r.order.push_back(id);
      r.decisions.push_back({n.name, n.op, b->name(), b->name() + ": from the compiled artifact"});
    }
    r.partitions.push_back(std::move(p));
  }
  if (r.order.size() != g.live_node_count()) bad("the plan does not place every node");
  compute_boundaries(g, r.partitions);
  return r;
}

}  // namespace rnpu::partition
