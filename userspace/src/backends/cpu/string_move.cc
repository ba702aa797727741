// Data-movement ops on string tensors (Reshape, Transpose, Concat, Gather,
// Slice, Where, Split, Pad, ...).  Their registry kernels only move
// elements, so rather than a string copy of each one, the op's own kernel
// runs on int64 tensors of element numbers (same shapes as the string
// inputs) and each output string is then picked by the number the kernel
// moved there.  Number 0 is reserved for the fill element (Pad's
// constant_value, "" by default); every string input gets its own range
// after it, so multi-input ops (Concat, Where) know where an element came
// from.  Non-string outputs (Shape, Size) are copied out as they are.
#include <cstring>
#include <map>

#include "convert.h"
#include "string_run.h"

namespace rnpu::cpu::str {

namespace {

// The first version of each op whose type constraint includes
// tensor(string) (onnx/Changelog.md); Pad-18 alone dropped it again.
const std::map<std::string, int>& first_string_version() {
  static const std::map<std::string, int> m = {
      {"Reshape", 5},
      {"Squeeze", 1},
      {"Unsqueeze", 1},
      {"Flatten", 9},
      {"Transpose", 1},
      {"Concat", 4},
      {"Split", 2},
      {"Slice", 1},
      {"Gather", 1},
      {"GatherElements", 11},
      {"GatherND", 11},
      {"Expand", 8},
      {"Tile", 6},
      {"Pad", 13},
      {"Where", 9},
      {"Compress", 9},
      {"ReverseSequence", 10},
      {"DepthToSpace", 1},
      {"SpaceToDepth", 1},
      {"Size", 1},
      {"Shape", 1},
  };
  return m;
}

// Pad's constant_value is the fill element, not moved data.
bool fill_input(const std::string& op, size_t i) {
  return op == "Pad" && i == 2;
}

}  // namespace

bool is_move_op(const std::string& op) {
  return first_string_version().count(op) != 0;
}

std::string move_check(const ir::Graph& g, const ir::Node& n) {
  int first = first_string_version().at(n.op);
  // n.opset is the domain's import; the op version in force is the newest
  // at or below it, and Pad-18 (used by opset 18) takes no strings.
  if (n.opset < first || (n.op == "Pad" && n.opset == 18))
    return n.op + " takes no string tensors in opset " + std::to_string(n.opset);
  std::string bad;
  Attrs attrs = to_cpu_attrs(n.attrs, &bad);
  if (!bad.empty()) return bad + " unsupported";
  // The kernel sees int64 where the node has strings: check that form.
  auto as_kernel = [&](ir::ValueId v) {
    if (v == ir::kNoValue) return DType::kUndefined;
    ir::DType t = g.value(v).dtype;
    return t == ir::DType::kString ? DType::kI64 : to_cpu(t);
  };
  NodeInfo info{n.op, attrs, {}, {}, n.opset};
  for (ir::ValueId v : n.inputs) info.input_types.push_back(as_kernel(v));
  for (ir::ValueId v : n.outputs) info.output_types.push_back(as_kernel(v));
  return KernelRegistry::get().why_unsupported(info);
}

void move_strings(Run& r) {
  const Step& s = r.step();
  // pool[k] is the string element number k stands for.
  std::vector<const std::string*> pool;
  static const std::string empty;
  pool.push_back(&empty);
  std::vector<Tensor> views(s.inputs.size());
  std::vector<const Tensor*> ins(s.inputs.size(), nullptr);
  for (size_t i = 0; i < s.inputs.size(); ++i) {
    if (!r.has(i)) continue;
    const HostTensor& h = r.in(i);
    if (h.dtype != ir::DType::kString) {
      views[i] = host_view(h);
      if (!h.data && views[i].nbytes() != 0) fail("input " + std::to_string(i) + " has no data");
    } else if (fill_input(s.op, i)) {
      const ir::Strings& fill = r.strings(i);
      if (fill.size() != 1) fail("constant_value must hold one string");
      pool[0] = &fill[0];
      views[i] = Tensor::make(DType::kI64, h.shape);  // number 0: the fill
    } else {
      const ir::Strings& elems = r.strings(i);
      views[i] = Tensor::make(DType::kI64, h.shape);
      auto* p = views[i].as<int64_t>();
      for (size_t e = 0; e < elems.size(); ++e) {
        p[e] = int64_t(pool.size());
        pool.push_back(&elems[e]);
      }
    }
    ins[i] = &views[i];
  }
  std::vector<Tensor> outs(s.outputs.size());
  KernelContext kc(s.attrs, ins, &outs, s.opset, nullptr);
  KernelRegistry::get().run(s.kernel.empty() ? s.op : s.kernel, kc);
  for (size_t i = 0; i < outs.size(); ++i) {
    if (!r.has_out(i)) continue;
    const Tensor& o = outs[i];
    if (o.dtype == DType::kUndefined) fail("output " + std::to_string(i) + " was not produced");
    if (r.out_dtype(i) != ir::DType::kString) {
      void* dst = r.out_tensor(i, to_ir(o.dtype), o.shape);
      if (o.nbytes()) std::memcpy(dst, o.data, o.nbytes());
      continue;
    }
    if (o.dtype != DType::kI64) fail("output " + std::to_string(i) + " is not moved elements");
    ir::Strings elems(size_t(o.numel()));
    const auto* p = o.as<int64_t>();
    for (size_t e = 0; e < elems.size(); ++e) {
      if (p[e] < 0 || size_t(p[e]) >= pool.size())
        fail("output " + std::to_string(i) + " element " + std::to_string(e) +
             " is no moved element");
      elems[e] = *pool[size_t(p[e])];
    }
    r.out_strings(i, o.shape, std::move(elems));
  }
}

}  // namespace rnpu::cpu::str
