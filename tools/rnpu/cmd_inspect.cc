// rnpu inspect: the model as librnpu sees it after its passes: ops with
// output shapes, the backend of each op and the partitioner's reason,
// partitions, weights and the memory plan.
#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "cli.h"
#include "runtime/session_impl.h"
#include "tensors.h"

namespace rnpu::cli {
namespace {

std::string value_desc(const ir::Value& v) {
  std::string s = std::string(ir::dtype_name(v.dtype)) + " " + v.shape.str();
  if (v.layout == ir::Layout::kNHWC) s += " nhwc";
  if (v.quant) s += v.quant->per_channel() ? " q(per-channel)" : " q";
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
  const ir::Graph& g = s.impl()->exec->graph();

  std::cout << "model: " << model << "\nopsets:";
  for (const auto& [domain, v] : g.opsets)
    std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << " " << v;
  std::cout << "\ninputs:\n";
  for (ir::ValueId v : g.inputs)
    std::cout << "  " << g.value(v).name << "  " << value_desc(g.value(v)) << "\n";
  std::cout << "outputs:\n";
  for (ir::ValueId v : g.outputs)
    std::cout << "  " << g.value(v).name << "  " << value_desc(g.value(v)) << "\n";

  size_t nconst = 0, const_bytes = 0;
  for (const ir::Value& v : g.values)
    if (v.is_constant()) {
      ++nconst;
      const_bytes += v.constant->size;
    }

  std::map<std::string, const ir::Node*> by_name;
  for (const ir::Node& n : g.nodes)
    if (!n.dead) by_name[n.name] = &n;
  const auto& report = s.partition_report();

  struct Row {
    std::string idx, node, op, shapes, backend, reason;
  };
  std::vector<Row> rows;
  for (size_t i = 0; i < report.size(); ++i) {
    const PartitionDecision& d = report[i];
    Row r{std::to_string(i), d.node, d.op, "", d.backend, d.reason};
    if (auto it = by_name.find(d.node); it != by_name.end()) {
      const ir::Node& n = *it->second;
      std::string act = n.attrs.get_string("rnpu.activation", "");
      if (!act.empty()) r.op += "+" + act;
      if (n.layout == ir::Layout::kNHWC) r.op += " (nhwc)";
      for (ir::ValueId o : n.outputs)
        if (o != ir::kNoValue) r.shapes += (r.shapes.empty() ? "" : " ") + g.value(o).shape.str();
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
