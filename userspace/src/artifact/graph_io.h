// The GRAPH section of a compiled artifact (.rnpb version 2): the model's
// graph as the runtime runs it -- after the pass pipeline, partitioning and
// every backend's optimisation of its partitions -- with the partition
// plan (each partition's backend and nodes, in execution order), so loading
// needs neither the ONNX importer nor any pass.
//
// Encoding (little-endian): name, opsets, values (name, kind, dtype,
// layout, shape with symbolic dims, quantisation, constant data), nodes
// (name, op, domain, opset, inputs, outputs, layout, implicit inputs,
// attributes with nested body graphs), graph inputs and outputs, then the
// plan.  docs/npu-compiler.md ("Artifacts") describes it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace rnpu::artifact {

struct PlannedPartition {
  std::string backend;            // Backend::name()
  std::vector<ir::NodeId> nodes;  // execution order
};

// g must be compact (no dead nodes); plan's node ids index g.nodes.
std::vector<uint8_t> encode_graph(const ir::Graph& g, const std::vector<PlannedPartition>& plan);

// Validates everything (an artifact is untrusted input): bounds, enum
// values, ids, constant sizes, nesting depth, that the graph is well formed
// (ir::Graph::validate) and that the plan places every node exactly once in
// an order that respects the dependencies.  Throws rnpu::Error
// (kMalformedModel) naming what is wrong.
ir::Graph decode_graph(std::span<const uint8_t> bytes, std::vector<PlannedPartition>* plan);

}  // namespace rnpu::artifact
