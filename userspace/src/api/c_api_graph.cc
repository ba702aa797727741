// API 1.2: the processed graph (rnpu_session_graph, _graph_node,
// _graph_value), for tools such as `rnpu inspect`: a snapshot of the
// executor's graph, taken on first use and kept while the session lives,
// so that every pointer handed out stays valid that long.
#include <map>

#include "api/c_api_internal.h"

using namespace rnpu::capi;

namespace rnpu::capi {

struct GraphSnapshot {
  struct Value {
    std::string name;
    rnpu_dtype dtype = RNPU_DTYPE_UNDEFINED;
    rnpu_value_kind kind = RNPU_VALUE_TENSOR;
    uint32_t flags = 0;
    std::vector<int64_t> dims;
    std::vector<std::string> dim_names;
    std::vector<const char*> dim_name_ptrs;
    uint64_t constant_bytes = 0;
  };
  struct Node {
    std::string name, op, domain, backend, activation;
    uint32_t flags = 0;
    std::vector<size_t> inputs, outputs;
  };
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<size_t> inputs, outputs;
  std::vector<std::string> opset_domains;
  std::vector<const char*> opset_domain_ptrs;
  std::vector<int64_t> opset_versions;
};

}  // namespace rnpu::capi

namespace {

size_t value_number(rnpu::ir::ValueId v) {
  return v == rnpu::ir::kNoValue ? RNPU_GRAPH_NO_VALUE : size_t(v);
}

std::shared_ptr<const GraphSnapshot> snapshot(const rnpu::runtime::Executor& exec) {
  const rnpu::ir::Graph& g = exec.graph();
  auto out = std::make_shared<GraphSnapshot>();
  out->values.reserve(g.values.size());
  for (const rnpu::ir::Value& v : g.values) {
    GraphSnapshot::Value& x = out->values.emplace_back();
    x.name = v.name;
    x.dtype = rnpu_dtype(v.dtype);
    x.kind = rnpu_value_kind(v.kind);
    if (v.layout == rnpu::ir::Layout::kNHWC) x.flags |= RNPU_GRAPH_NHWC;
    if (v.is_constant()) {
      x.flags |= RNPU_GRAPH_CONSTANT;
      x.constant_bytes = v.constant->size;
    }
    if (v.quant) x.flags |= RNPU_GRAPH_QUANTIZED;
    if (v.quant && v.quant->per_channel()) x.flags |= RNPU_GRAPH_PER_CHANNEL;
    if (!v.shape.has_rank) x.flags |= RNPU_GRAPH_UNKNOWN_RANK;
    for (const rnpu::ir::Dim& d : v.shape.dims) {
      x.dims.push_back(d.value);
      x.dim_names.push_back(d.symbol);
    }
  }
  // The pointers into each value's strings, once the values no longer move.
  for (GraphSnapshot::Value& x : out->values)
    for (const std::string& n : x.dim_names) x.dim_name_ptrs.push_back(n.c_str());

  std::map<std::string, std::string> backend_of;
  for (const rnpu::PartitionDecision& d : exec.decisions()) backend_of[d.node] = d.backend;
  for (const rnpu::ir::Node& n : g.nodes) {
    if (n.dead) continue;
    GraphSnapshot::Node& x = out->nodes.emplace_back();
    x.name = n.name;
    x.op = n.op;
    x.domain = n.domain;
    if (auto it = backend_of.find(n.name); it != backend_of.end()) x.backend = it->second;
    x.activation = n.attrs.get_string("rnpu.activation", "");
    if (n.layout == rnpu::ir::Layout::kNHWC) x.flags |= RNPU_GRAPH_NHWC;
    for (rnpu::ir::ValueId v : n.inputs) x.inputs.push_back(value_number(v));
    for (rnpu::ir::ValueId v : n.outputs) x.outputs.push_back(value_number(v));
  }
  for (rnpu::ir::ValueId v : g.inputs) out->inputs.push_back(value_number(v));
  for (rnpu::ir::ValueId v : g.outputs) out->outputs.push_back(value_number(v));
  for (const auto& [domain, version] : g.opsets) {
    out->opset_domains.push_back(domain);
    out->opset_versions.push_back(version);
  }
  for (const std::string& d : out->opset_domains) out->opset_domain_ptrs.push_back(d.c_str());
  return out;
}

// The session's snapshot, built once; throws what building it throws.
const GraphSnapshot& graph_of(const rnpu_session* s) {
  std::call_once(s->graph_once, [&] { s->graph = snapshot(s->exec()); });
  return *s->graph;
}

}  // namespace

extern "C" {

rnpu_status rnpu_session_graph(const rnpu_session* s, rnpu_graph_info* info) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(info, "info")) return on(s, st);
  return on(s, guard([&] {
              const GraphSnapshot& g = graph_of(s);
              rnpu_graph_info full{};
              full.node_count = g.nodes.size();
              full.value_count = g.values.size();
              full.input_count = g.inputs.size();
              full.inputs = g.inputs.data();
              full.output_count = g.outputs.size();
              full.outputs = g.outputs.data();
              full.opset_count = g.opset_versions.size();
              full.opset_domains = g.opset_domain_ptrs.data();
              full.opset_versions = g.opset_versions.data();
              write_out(info, full);
            }));
}

rnpu_status rnpu_session_graph_node(const rnpu_session* s, size_t index, rnpu_graph_node* out) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(out, "out")) return on(s, st);
  return on(s, guard([&] {
              const GraphSnapshot& g = graph_of(s);
              if (index >= g.nodes.size())
                throw rnpu::Error(rnpu::ErrorCode::kInvalidArgument,
                                  "graph node " + std::to_string(index) + " out of range (" +
                                      std::to_string(g.nodes.size()) + " nodes)");
              const GraphSnapshot::Node& n = g.nodes[index];
              rnpu_graph_node full{};
              full.name = n.name.c_str();
              full.op = n.op.c_str();
              full.domain = n.domain.c_str();
              full.backend = n.backend.c_str();
              full.activation = n.activation.c_str();
              full.flags = n.flags;
              full.input_count = n.inputs.size();
              full.inputs = n.inputs.data();
              full.output_count = n.outputs.size();
              full.outputs = n.outputs.data();
              write_out(out, full);
            }));
}

rnpu_status rnpu_session_graph_value(const rnpu_session* s, size_t index, rnpu_graph_value* out) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(out, "out")) return on(s, st);
  return on(s, guard([&] {
              const GraphSnapshot& g = graph_of(s);
              if (index >= g.values.size())
                throw rnpu::Error(rnpu::ErrorCode::kInvalidArgument,
                                  "graph value " + std::to_string(index) + " out of range (" +
                                      std::to_string(g.values.size()) + " values)");
              const GraphSnapshot::Value& v = g.values[index];
              rnpu_graph_value full{};
              full.name = v.name.c_str();
              full.dtype = v.dtype;
              full.kind = v.kind;
              full.flags = v.flags;
              full.rank = uint32_t(v.dims.size());
              full.dims = v.dims.data();
              full.dim_names = v.dim_name_ptrs.data();
              full.constant_bytes = v.constant_bytes;
              write_out(out, full);
            }));
}

}  // extern "C"
