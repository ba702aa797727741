#include "onnx/importer.h"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "onnx/onnx_pb.h"
#include "onnx/tensor_proto.h"

namespace rnpu::onnx {

namespace fs = std::filesystem;
using ir::DType;

namespace {

[[noreturn]] void bad(const std::string& why) {
  throw Error(ErrorCode::kMalformedModel, why);
}

std::string norm_domain(const std::string& d) {
  return d == "ai.onnx" ? std::string() : d;
}

// Kind, element type and shape of a TypeProto: a tensor, a sequence of
// tensors or an optional tensor or sequence (nested sequences and maps are
// refused).  `required`: a graph input, which must be typed.
void convert_type(const ::onnx::TypeProto& tp, const std::string& what, bool required,
                  ir::Value& v) {
  const ::onnx::TypeProto* t = &tp;
  v.kind = ir::ValueKind::kTensor;
  if (t->has_optional_type()) {
    if (!t->optional_type().has_elem_type())
      bad("value " + what + ": optional without element type");
    t = &t->optional_type().elem_type();
    v.kind = ir::ValueKind::kOptionalTensor;
  }
  if (t->has_sequence_type()) {
    if (!t->sequence_type().has_elem_type())
      bad("value " + what + ": sequence without element type");
    t = &t->sequence_type().elem_type();
    v.kind = v.kind == ir::ValueKind::kOptionalTensor ? ir::ValueKind::kOptionalSequence
                                                      : ir::ValueKind::kSequence;
  }
  if (!t->has_tensor_type())
    throw Error(ErrorCode::kUnsupportedOp,
                "value " + what +
                    " is not a tensor, a sequence of tensors or an optional of either (maps, "
                    "sparse tensors and nested sequences are unsupported)");
  const auto& tt = t->tensor_type();
  int et = tt.elem_type();
  if (et != 0 && !ir::dtype_valid(et))
    throw Error(ErrorCode::kUnsupportedOp,
                "value " + what + ": element type " + std::to_string(et) + " is not supported");
  if (et == 0 && required) bad("graph input " + what + " has no element type");
  v.dtype = DType(et);
  if (!tt.has_shape()) {
    v.shape = ir::Shape::unknown_rank();
    return;
  }
  if (tt.shape().dim_size() > ir::kMaxRank)
    bad("value " + what + " has rank " + std::to_string(tt.shape().dim_size()) + " > " +
        std::to_string(ir::kMaxRank));
  v.shape.has_rank = true;
  v.shape.dims.clear();
  for (const auto& d : tt.shape().dim()) {
    ir::Dim dim;
    if (d.has_dim_value()) {
      if (d.dim_value() < 0 || d.dim_value() > ir::kMaxElements)
        bad("value " + what + " has invalid dimension " + std::to_string(d.dim_value()));
      dim.value = d.dim_value();
    } else if (d.has_dim_param()) {
      dim.symbol = d.dim_param();
    }
    v.shape.dims.push_back(dim);
  }
}

// Converts a GRAPH attribute's body; supplied by the graph being built so
// the body resolves free names against its enclosing scopes.
using BodyFn = std::function<std::shared_ptr<ir::Graph>(const ::onnx::AttributeProto&)>;
// Type and shape of a graph input/output from its ValueInfoProto.
void convert_value_info(const ::onnx::ValueInfoProto& vi, ir::Value& v, bool required) {
  const std::string what = "'" + vi.name() + "'";
  if (!vi.has_type()) {
    if (required) bad("graph input " + what + " has no type");
    return;
  }
  convert_type(vi.type(), what, required, v);
}

ir::Attribute convert_attribute(const ::onnx::AttributeProto& a, const std::string& node_what,
                                ExternalDataBudget* ext, const BodyFn& body) {
  using AP = ::onnx::AttributeProto;
  ir::Attribute r;
  // Old exporters leave `type` unset; infer it from the populated field.
  int type = a.type();
  if (type == AP::UNDEFINED) {
    if (a.has_f())
      type = AP::FLOAT;
    else if (a.has_i())
      type = AP::INT;
    else if (a.has_s())
      type = AP::STRING;
    else if (a.has_t())
      type = AP::TENSOR;
    else if (a.has_g())
      type = AP::GRAPH;
    else if (a.has_tp())
      type = AP::TYPE_PROTO;
    else if (a.floats_size())
      type = AP::FLOATS;
    else if (a.ints_size())
      type = AP::INTS;
    else if (a.strings_size())
      type = AP::STRINGS;
    else
      bad(node_what + ": attribute '" + a.name() + "' has no type and no value");
  }
  switch (type) {
    case AP::FLOAT:
      r.kind = ir::Attribute::Kind::kFloat;
      r.f = a.f();
      break;
    case AP::INT:
      r.kind = ir::Attribute::Kind::kInt;
      r.i = a.i();
      break;
    case AP::STRING:
      r.kind = ir::Attribute::Kind::kString;
      r.s = a.s();
      break;
    case AP::FLOATS:
      r.kind = ir::Attribute::Kind::kFloats;
      r.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case AP::INTS:
      r.kind = ir::Attribute::Kind::kInts;
      r.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case AP::STRINGS:
      r.kind = ir::Attribute::Kind::kStrings;
      r.strings.assign(a.strings().begin(), a.strings().end());
      break;
    case AP::TENSOR:
      r.kind = ir::Attribute::Kind::kTensor;
      r.t = convert_tensor(a.t(), node_what + ": attribute '" + a.name() + "'", ext);
      break;
    case AP::GRAPH:
      r.kind = ir::Attribute::Kind::kGraph;
      r.g = body(a);
      break;
    case AP::TYPE_PROTO: {
      ir::Value v;
      convert_type(a.tp(), node_what + ": attribute '" + a.name() + "'", false, v);
      r.kind = ir::Attribute::Kind::kType;
      r.type_kind = int(v.kind);
      r.type_dtype = int(v.dtype);
      break;
    }
    default:
      throw Error(ErrorCode::kUnsupportedOp, node_what + ": attribute '" + a.name() + "' of type " +
                                                 AP::AttributeType_Name(AP::AttributeType(type)) +
                                                 " is not supported");
  }
  return r;
}

// A Constant node's value as a tensor (opset 1..17 forms).
std::shared_ptr<ir::ConstTensor> constant_value(const ir::Node& n) {
  const ir::Attribute* a = nullptr;
  std::string which;
  for (const char* k : {"value", "value_float", "value_floats", "value_int", "value_ints",
                        "value_string", "value_strings", "sparse_value"})
    if (const ir::Attribute* x = n.attrs.find(k)) {
      if (a)
        ir::node_error(ErrorCode::kMalformedModel, n, "has both '" + which + "' and '" + k + "'");
      a = x;
      which = k;
    }
  if (!a) ir::node_error(ErrorCode::kMalformedModel, n, "has no value attribute");
  if (which == "value") {
    if (a->kind != ir::Attribute::Kind::kTensor)
      ir::node_error(ErrorCode::kMalformedModel, n, "'value' is not a tensor");
    return std::const_pointer_cast<ir::ConstTensor>(a->t);
  }
  if (which == "value_float" || which == "value_int") {
    bool f = which == "value_float";
    auto t = ir::ConstTensor::make(f ? DType::kFloat32 : DType::kInt64, {});
    if (f)
      *static_cast<float*>(t->mutable_data()) = n.attrs.get_float(which, 0);
    else
      *static_cast<int64_t*>(t->mutable_data()) = n.attrs.get_int(which, 0);
    return t;
  }
  if (which == "value_floats") {
    auto v = n.attrs.get_floats(which);
    auto t = ir::ConstTensor::make(DType::kFloat32, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), static_cast<float*>(t->mutable_data()));
    return t;
  }
  if (which == "value_ints") {
    auto v = n.attrs.get_ints(which);
    auto t = ir::ConstTensor::make(DType::kInt64, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), static_cast<int64_t*>(t->mutable_data()));
    return t;
  }
  ir::node_error(ErrorCode::kUnsupportedOp, n, "'" + which + "' constants are not supported");
}

// Nesting deeper than this is refused: each level recurses through the
// importer, shape inference and the runtime, and shape inference re-infers
// a Loop/Scan body up to four times (carried shapes settling), so the cost
// grows as 4^depth for hostile models.  Real models nest 2-4 levels.
constexpr int kMaxBodyDepth = 8;

// One graph being imported (the model's main graph or a control-flow
// body) and the scope chain its free names resolve against.
struct Scope {
  ir::Graph* g = nullptr;
  Scope* parent = nullptr;  // nullptr for the main graph
  int depth = 0;
};

// The value `name` denotes in scope `s`: its own value, else (in a body) a
// value of an enclosing scope, which becomes one of the body's implicit
// inputs (created once, named as outside).  kNoValue when no scope has it.
ir::ValueId resolve(Scope& s, const std::string& name) {
  ir::ValueId v = s.g->find_value(name);
  if (v != ir::kNoValue || !s.parent) return v;
  if (resolve(*s.parent, name) == ir::kNoValue) return ir::kNoValue;
  ir::Value val;
  val.name = name;
  val.shape = ir::Shape::unknown_rank();
  v = s.g->add_value(std::move(val));
  s.g->inputs.push_back(v);
  ++s.g->implicit_inputs;
  return v;
}

std::vector<std::string> implicit_names(const ir::Graph& b) {
  std::vector<std::string> r;
  for (size_t i = b.inputs.size() - b.implicit_inputs; i < b.inputs.size(); ++i)
    r.push_back(b.value(b.inputs[i]).name);
  return r;
}

void import_graph(const ::onnx::GraphProto& gp, Scope& scope, ExternalDataBudget& ext);

// Gives every body of `n` the same implicit inputs, in one order, and makes
// them the node's trailing inputs (resolved in the node's own scope).
void link_implicit_inputs(ir::Node& n, const std::vector<std::shared_ptr<ir::Graph>>& bodies,
                          Scope& scope) {
  std::vector<std::string> all;
  for (const auto& b : bodies)
    for (const std::string& name : implicit_names(*b))
      if (std::find(all.begin(), all.end(), name) == all.end()) all.push_back(name);
  if (all.empty()) return;
  for (const auto& b : bodies) {
    b->inputs.resize(b->inputs.size() - b->implicit_inputs);
    for (const std::string& name : all) {
      ir::ValueId v = b->find_value(name);
      if (v == ir::kNoValue) {
        ir::Value val;
        val.name = name;
        val.shape = ir::Shape::unknown_rank();
        v = b->add_value(std::move(val));
      }
      b->inputs.push_back(v);
    }
    b->implicit_inputs = all.size();
  }
  for (const std::string& name : all) n.inputs.push_back(resolve(scope, name));
  n.implicit_inputs = int(all.size());
}

void import_graph(const ::onnx::GraphProto& gp, Scope& scope, ExternalDataBudget& ext) {
  ir::Graph& g = *scope.g;
  const bool body = scope.parent != nullptr;
  g.name = gp.name();
  if (gp.sparse_initializer_size())
    throw Error(ErrorCode::kUnsupportedOp, "sparse initializers are not supported");

  std::unordered_set<std::string> init_names;
  for (const auto& t : gp.initializer()) {
    if (t.name().empty()) bad("an initializer has no name");
    if (!init_names.insert(t.name()).second) bad("initializer '" + t.name() + "' is duplicated");
    auto c = convert_tensor(t, "initializer '" + t.name() + "'", &ext);
    ir::Value v;
    v.name = t.name();
    v.dtype = c->dtype;
    v.shape = ir::Shape(c->dims);
    v.constant = std::move(c);
    g.add_value(std::move(v));
  }
  std::unordered_set<std::string> seen_inputs;
  for (const auto& in : gp.input()) {
    if (in.name().empty()) bad("a graph input has no name");
    if (!seen_inputs.insert(in.name()).second) bad("graph input '" + in.name() + "' is duplicated");
    // IR < 4 lists initializers as inputs too; they stay constants.
    if (init_names.count(in.name())) {
      if (body) bad("body input '" + in.name() + "' is also an initializer");
      continue;
    }
    ir::Value v;
    v.name = in.name();
    // A body's formal inputs may leave their type to the node's inputs
    // (shape inference and the runtime fill it in).
    convert_value_info(in, v, !body);
    g.inputs.push_back(g.add_value(std::move(v)));
  }

  // Outputs of every node first, so inputs (and bodies' outer-scope reads)
  // can refer to them regardless of node order (the topological check
  // comes later).
  struct Pending {
    const ::onnx::NodeProto* proto;
    ir::Node node;
  };
  std::vector<Pending> pend;
  pend.reserve(size_t(gp.node_size()));
  std::unordered_set<std::string> node_names;
  for (int i = 0; i < gp.node_size(); ++i) {
    const auto& np = gp.node(i);
    ir::Node n;
    n.op = np.op_type();
    n.domain = norm_domain(np.domain());
    n.name = np.name().empty() ? n.op + "_" + std::to_string(i) : np.name();
    while (!node_names.insert(n.name).second) n.name += "_" + std::to_string(i);
    if (n.op.empty()) bad("node '" + n.name + "' has no op_type");
    auto it = g.opsets.find(n.domain);
    if (it == g.opsets.end())
      throw Error(ErrorCode::kMalformedModel,
                  "domain '" + n.domain + "' is not in the model's opset_import", n.name, n.op);
    n.opset = int(it->second);
    if (n.domain.empty()) {
      OpVersion ov = resolve_op_version(n.op, n.opset);
      if (!ov.implemented)
        throw Error(ErrorCode::kUnsupportedOp,
                    n.op + "-" + std::to_string(ov.since) + " (" + ov.change + ", ai.onnx opset " +
                        std::to_string(n.opset) + ") is not implemented",
                    n.name, n.op);
    }
    for (const auto& o : np.output()) {
      if (o.empty()) {
        n.outputs.push_back(ir::kNoValue);
        continue;
      }
      // Within one graph names are SSA; a body may shadow an outer name.
      if (g.find_value(o) != ir::kNoValue)
        throw Error(ErrorCode::kMalformedModel,
                    "output '" + o +
                        "' is already defined (by another node, an input or an "
                        "initializer)",
                    n.name, n.op);
      ir::Value v;
      v.name = o;
      v.shape = ir::Shape::unknown_rank();
      n.outputs.push_back(g.add_value(std::move(v)));
    }
    pend.push_back({&np, std::move(n)});
  }
  for (auto& p : pend) {
    std::string what = "node '" + p.node.name + "' (" + p.node.op + ")";
    std::vector<std::shared_ptr<ir::Graph>> bodies;
    BodyFn body_fn = [&](const ::onnx::AttributeProto& a) {
      if (scope.depth + 1 > kMaxBodyDepth)
        throw Error(ErrorCode::kMalformedModel,
                    "control-flow bodies nested deeper than " + std::to_string(kMaxBodyDepth),
                    p.node.name, p.node.op);
      auto b = std::make_shared<ir::Graph>();
      b->opsets = g.opsets;
      Scope inner{b.get(), &scope, scope.depth + 1};
      try {
        import_graph(a.g(), inner, ext);
      } catch (const Error& e) {
        throw Error(e.code(), "body '" + a.name() + "': " + e.what(), p.node.name, p.node.op);
      }
      bodies.push_back(b);
      return b;
    };
    for (const auto& a : p.proto->attribute()) {
      if (a.name().empty()) bad(what + ": attribute without a name");
      if (p.node.attrs.has(a.name())) bad(what + ": attribute '" + a.name() + "' is duplicated");
      p.node.attrs.set(a.name(), convert_attribute(a, what, &ext, body_fn));
    }
    for (const auto& in : p.proto->input()) {
      if (in.empty()) {
        p.node.inputs.push_back(ir::kNoValue);
        continue;
      }
      ir::ValueId v = resolve(scope, in);
      if (v == ir::kNoValue)
        throw Error(ErrorCode::kMalformedModel,
                    "input '" + in + "' is not defined by any node, graph input or initializer" +
                        (body ? " of this body or an enclosing graph" : ""),
                    p.node.name, p.node.op);
      p.node.inputs.push_back(v);
    }
    // Trailing absent optional inputs/outputs carry no meaning.
    while (!p.node.inputs.empty() && p.node.inputs.back() == ir::kNoValue) p.node.inputs.pop_back();
    link_implicit_inputs(p.node, bodies, scope);
    if (p.node.op == "Constant" && p.node.domain.empty()) {
      if (p.node.outputs.size() != 1 || p.node.outputs[0] == ir::kNoValue || !p.node.inputs.empty())
        ir::node_error(ErrorCode::kMalformedModel, p.node, "needs no inputs and one output");
      auto c = constant_value(p.node);
      ir::Value& v = g.value(p.node.outputs[0]);
      v.dtype = c->dtype;
      v.shape = ir::Shape(c->dims);
      v.constant = std::move(c);
      continue;
    }
    g.add_node(std::move(p.node));
  }

  for (const auto& out : gp.output()) {
    ir::ValueId v = resolve(scope, out.name());
    if (v == ir::kNoValue) bad("graph output '" + out.name() + "' is not produced by anything");
    ir::Value& val = g.value(v);
    if (val.producer != ir::kNoNode && !val.is_constant()) {
      ir::Value declared;
      convert_value_info(out, declared, false);
      // Only the kind and element type seed the value: a declared shape can
      // be stale for other input shapes, so shapes come from inference alone.
      if (val.dtype == DType::kUndefined) val.dtype = declared.dtype;
      if (val.kind == ir::ValueKind::kTensor) val.kind = declared.kind;
    }
    g.outputs.push_back(v);
  }
  if (g.outputs.empty()) bad("graph has no outputs");
  // value_info gives exporter-inferred element types of intermediates; they
  // seed values our inference cannot type.
  for (const auto& vi : gp.value_info()) {
    ir::ValueId v = g.find_value(vi.name());
    if (v == ir::kNoValue || g.value(v).is_constant()) continue;
    ir::Value& val = g.value(v);
    if (val.producer == ir::kNoNode) continue;
    ir::Value declared;
    try {
      convert_value_info(vi, declared, false);
    } catch (const Error&) {
      continue;  // hints only
    }
    if (val.dtype == DType::kUndefined) val.dtype = declared.dtype;
    if (val.kind == ir::ValueKind::kTensor) val.kind = declared.kind;
  }
  g.rebuild_links();
  g.validate();
}

ir::Graph convert_graph(const ::onnx::ModelProto& m, const ImportOptions& opts) {
  ir::Graph g;
  ExternalDataBudget ext{opts.base_dir, opts.max_external_bytes};

  for (const auto& os : m.opset_import()) {
    std::string d = norm_domain(os.domain());
    if (os.version() < 1 || os.version() > 1000)
      bad("opset version " + std::to_string(os.version()) + " for domain '" + d + "' is invalid");
    g.opsets[d] = os.version();
  }
  if (m.opset_import_size() == 0) bad("model has no opset_import");
  if (!g.opsets.count("")) g.opsets[""] = 1;  // only custom domains imported
  if (g.opsets[""] > kMaxOpset)
    throw Error(ErrorCode::kUnsupportedOp,
                "model uses ai.onnx opset " + std::to_string(g.opsets[""]) +
                    ", newer than the supported " + std::to_string(kMaxOpset));
  if (!m.has_graph()) bad("model has no graph");
  Scope top{&g, nullptr, 0};
  import_graph(m.graph(), top, ext);
  return g;
}

}  // namespace

ir::Graph import_model(const void* data, size_t size, const ImportOptions& opts) {
  if (!data && size) throw Error(ErrorCode::kInvalidArgument, "model data is NULL");
  if (size > size_t(INT_MAX))
    throw Error(ErrorCode::kMalformedModel, "model is larger than the 2 GiB protobuf limit");
  ::onnx::ModelProto m;
  if (!m.ParseFromArray(data, int(size)))
    throw Error(ErrorCode::kMalformedModel, "not a valid ONNX ModelProto (protobuf parse failed)");
  if (m.ir_version() < 3)
    throw Error(ErrorCode::kMalformedModel,
                "ir_version " + std::to_string(m.ir_version()) + " is unsupported (need >= 3)");
  if (m.functions_size())
    for (const auto& f : m.functions())
      (void)f;  // local functions: nodes using them fail partitioning
  return convert_graph(m, opts);
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw Error(ErrorCode::kIo, "'" + path + "' is not a readable file");
  uint64_t size = fs::file_size(path, ec);
  if (ec) throw Error(ErrorCode::kIo, "'" + path + "': " + ec.message());
  if (size > max_bytes) throw Error(ErrorCode::kIo, "'" + path + "' is too large");
  std::string s(size_t(size), '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in.read(s.data(), std::streamsize(size)))
    throw Error(ErrorCode::kIo, "cannot read '" + path + "'");
  return s;
}

ir::Graph import_file(const std::string& path, ImportOptions opts) {
  std::string bytes = read_file(path, INT_MAX);
  if (opts.base_dir.empty()) {
    fs::path p(path);
    opts.base_dir = p.has_parent_path() ? p.parent_path().string() : ".";
  }
  return import_model(bytes.data(), bytes.size(), opts);
}

NamedTensor import_tensor(const void* data, size_t size) {
  if (size > size_t(INT_MAX)) throw Error(ErrorCode::kMalformedModel, "tensor larger than 2 GiB");
  ::onnx::TensorProto t;
  if (!t.ParseFromArray(data, int(size)))
    throw Error(ErrorCode::kMalformedModel, "not a valid ONNX TensorProto");
  return {t.name(), convert_tensor(t, "tensor '" + t.name() + "'", nullptr)};
}

}  // namespace rnpu::onnx
