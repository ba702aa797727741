// rnpu inspect: the model as librnpu sees it after its passes: ops with
// output shapes, the backend of each op and the partitioner's reason,
// partitions, weights and the memory plan.
#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "cli.h"
#include "tensors.h"

namespace rnpu::cli {
namespace {

// The processed graph through the C API (rnpu_session_graph*).
struct Graph {
  rnpu_session* s;
  rnpu_graph_info info{};

  explicit Graph(const Session& session) : s(session.handle()) {
    info.struct_size = sizeof info;
    throw_on_error(rnpu_session_graph(s, &info));
  }
  rnpu_graph_value value(size_t v) const {
    rnpu_graph_value out{};
    out.struct_size = sizeof out;
    throw_on_error(rnpu_session_graph_value(s, v, &out));
    return out;
  }
  rnpu_graph_node node(size_t n) const {
    rnpu_graph_node out{};
    out.struct_size = sizeof out;
    throw_on_error(rnpu_session_graph_node(s, n, &out));
    return out;
  }
};

// "[1,3,?,224]", a dynamic dim by its symbolic name where it has one;
// "[*]" for an unknown rank.
std::string shape_text(const rnpu_graph_value& v) {
  if (v.flags & RNPU_GRAPH_UNKNOWN_RANK) return "[*]";
  std::string s = "[";
  for (uint32_t i = 0; i < v.rank; ++i) {
    if (i) s += ",";
    if (v.dims[i] >= 0)
      s += std::to_string(v.dims[i]);
    else
      s += v.dim_names[i][0] ? v.dim_names[i] : "?";
  }
  return s + "]";
}

std::string value_desc(const rnpu_graph_value& v) {
  std::string s = std::string(data_type_name(DataType(v.dtype))) + " " + shape_text(v);
  if (v.flags & RNPU_GRAPH_NHWC) s += " nhwc";
  if (v.flags & RNPU_GRAPH_QUANTIZED)
    s += (v.flags & RNPU_GRAPH_PER_CHANNEL) ? " q(per-channel)" : " q";
  return s;
}

std::string pad(std::string s, size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

}  // namespace

int cmd_inspect(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = session_option_specs();
  for (auto& s : input_option_specs()) specs.push_back(s);
  specs.push_back(
      {"--no-run", "", "", "skip the one run (random or --input data) that sizes the memory plan"});
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help(
        "rnpu inspect MODEL [OPTIONS]",
        "Loads MODEL as 'rnpu run' would (same passes and partitioning) and prints its inputs\n"
        "and outputs, every op in execution order with its output shapes, the backend it runs\n"
        "on and the partitioner's reason, the partitions, the weights and the memory plan\n"
        "(planned by one run unless --no-run).",
        specs);
    return kExitOk;
  }
  std::string model = model_argument(args);
  Options opts = session_options(args);
  Session s = load_session(model, opts);
  Graph g(s);
  const rnpu_graph_info& gi = g.info;

  std::cout << "model: " << model << "\nopsets:";
  for (size_t i = 0; i < gi.opset_count; ++i)
    std::cout << " " << (gi.opset_domains[i][0] ? gi.opset_domains[i] : "ai.onnx") << " "
              << gi.opset_versions[i];
  std::cout << "\ninputs:\n";
  for (size_t i = 0; i < gi.input_count; ++i) {
    rnpu_graph_value v = g.value(gi.inputs[i]);
    std::cout << "  " << v.name << "  " << value_desc(v) << "\n";
  }
  std::cout << "outputs:\n";
  for (size_t i = 0; i < gi.output_count; ++i) {
    rnpu_graph_value v = g.value(gi.outputs[i]);
    std::cout << "  " << v.name << "  " << value_desc(v) << "\n";
  }

  size_t nconst = 0, const_bytes = 0;
  std::vector<std::string> value_shapes(gi.value_count);
  for (size_t i = 0; i < gi.value_count; ++i) {
    rnpu_graph_value v = g.value(i);
    value_shapes[i] = shape_text(v);
    if (v.flags & RNPU_GRAPH_CONSTANT) {
      ++nconst;
      const_bytes += v.constant_bytes;
    }
  }

  std::map<std::string, rnpu_graph_node> by_name;
  for (size_t i = 0; i < gi.node_count; ++i) {
    rnpu_graph_node n = g.node(i);
    by_name[n.name] = n;
  }
  const auto& report = s.partition_report();

  struct Row {
    std::string idx, node, op, shapes, backend, reason;
  };
  std::vector<Row> rows;
  for (size_t i = 0; i < report.size(); ++i) {
    const PartitionDecision& d = report[i];
    Row r{std::to_string(i), d.node, d.op, "", d.backend, d.reason};
    if (auto it = by_name.find(d.node); it != by_name.end()) {
      const rnpu_graph_node& n = it->second;
      if (n.activation[0]) r.op += std::string("+") + n.activation;
      if (n.flags & RNPU_GRAPH_NHWC) r.op += " (nhwc)";
      for (size_t k = 0; k < n.output_count; ++k)
        if (n.outputs[k] != RNPU_GRAPH_NO_VALUE)
          r.shapes += (r.shapes.empty() ? "" : " ") + value_shapes[n.outputs[k]];
    }
    rows.push_back(std::move(r));
  }
  size_t wi = 1, wn = 4, wo = 2, ws = 6, wb = 7;
  for (const Row& r : rows) {
    wi = std::max(wi, r.idx.size());
    wn = std::max(wn, r.node.size());
    wo = std::max(wo, r.op.size());
    ws = std::max(ws, r.shapes.size());
    wb = std::max(wb, r.backend.size());
  }
  wn = std::min<size_t>(wn, 40);
  ws = std::min<size_t>(ws, 40);
  std::cout << "ops (" << rows.size() << ", execution order; backend " << backend_label(opts)
            << "):\n  " << pad("#", wi) << "  " << pad("node", wn) << "  " << pad("op", wo) << "  "
            << pad("output", ws) << "  " << pad("backend", wb) << "  why\n";
  for (const Row& r : rows)
    std::cout << "  " << pad(r.idx, wi) << "  " << pad(r.node, wn) << "  " << pad(r.op, wo) << "  "
              << pad(r.shapes, ws) << "  " << pad(r.backend, wb) << "  " << r.reason << "\n";

  // The partitioner groups consecutive ops of one backend (transfers only
  // at partition boundaries), so the report's runs are the partitions.
  std::cout << "partitions:\n";
  size_t nparts = 0;
  for (size_t i = 0; i < report.size();) {
    size_t j = i;
    while (j < report.size() && report[j].backend == report[i].backend) ++j;
    std::cout << "  " << nparts++ << "  " << pad(report[i].backend, wb) << "  ops " << i << "-"
              << j - 1 << " (" << j - i << " op" << (j - i == 1 ? "" : "s") << ")\n";
    i = j;
  }
  std::cout << "summary: " << rows.size() << " ops in " << nparts << " partition"
            << (nparts == 1 ? "" : "s") << " (" << format_ops_per_backend(s)
            << "); weights: " << nconst << " tensors, " << format_bytes(const_bytes) << "\n";

  if (args.has("--no-run")) {
    std::cout << "memory plan: not computed (--no-run)\n";
    return kExitOk;
  }
  Inputs in = prepare_inputs(s, args);
  bind_inputs(s, in);
  try {
    s.run();
  } catch (const Error& e) {
    fail(e, Stage::kRun);
  }
  std::string shapes;
  for (size_t i = 0; i < in.arrays.size(); ++i)
    shapes +=
        (shapes.empty() ? "" : ", ") + s.inputs()[i].name + " " + shape_str(in.arrays[i].shape);
  std::cout << "memory plan: runtime arena peak " << format_bytes(s.arena_bytes()) << " ("
            << s.arena_bytes() << " bytes) for " << (shapes.empty() ? "no inputs" : shapes)
            << "; backends that keep intermediates in their own memory (cpu fast path, vulkan)"
               " plan those separately\n";
  return kExitOk;
}

}  // namespace rnpu::cli
