#include "artifact/graph_io.h"

#include <cstring>
#include <unordered_set>

#include "ir/quant_ops.h"
#include "ir/shape.h"
#include "rnpu/types.hpp"

namespace rnpu::artifact {
namespace {

// Body graphs nest no deeper than this (If inside Loop inside ...).
constexpr int kMaxDepth = 32;
constexpr uint32_t kNoId = 0xffffffffu;

[[noreturn]] void bad(const std::string& why) {
  throw Error(ErrorCode::kMalformedModel, "compiled artifact: GRAPH: " + why);
}

struct Writer {
  std::vector<uint8_t> b;
  template <typename T>
  void put(T v) {
    size_t at = b.size();
    b.resize(at + sizeof(T));
    std::memcpy(&b[at], &v, sizeof(T));
  }
  void u8(uint8_t v) { put(v); }
  void u32(uint32_t v) { put(v); }
  void i64(int64_t v) { put(v); }
  void id(int32_t v) { u32(v < 0 ? kNoId : uint32_t(v)); }
  void str(const std::string& s) {
    u32(uint32_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  void bytes(const void* p, size_t n) {
    put(uint64_t(n));
    const auto* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
  }

  void dims(const std::vector<int64_t>& d) {
    u32(uint32_t(d.size()));
    for (int64_t x : d) i64(x);
  }
  void shape(const ir::Shape& s) {
    u8(s.has_rank ? 1 : 0);
    if (!s.has_rank) return;
    u32(uint32_t(s.dims.size()));
    for (const ir::Dim& d : s.dims) {
      i64(d.value);
      str(d.symbol);
    }
  }
  void tensor(const ir::ConstTensor& t) {
    u8(uint8_t(t.dtype));
    dims(t.dims);
    if (t.dtype == ir::DType::kString) {
      const auto& items = t.strings ? *t.strings : std::vector<std::string>{};
      u32(uint32_t(items.size()));
      for (const std::string& s : items) str(s);
      return;
    }
    bytes(t.data, t.size);
  }
  void attrs(const ir::Attributes& a) {
    u32(uint32_t(a.all().size()));
    for (const auto& [name, at] : a.all()) {
      str(name);
      u8(uint8_t(at.kind));
      switch (at.kind) {
        case ir::Attribute::Kind::kInt:
          i64(at.i);
          break;
        case ir::Attribute::Kind::kFloat:
          put(at.f);
          break;
        case ir::Attribute::Kind::kString:
          str(at.s);
          break;
        case ir::Attribute::Kind::kInts:
          dims(at.ints);
          break;
        case ir::Attribute::Kind::kFloats:
          u32(uint32_t(at.floats.size()));
          for (float f : at.floats) put(f);
          break;
        case ir::Attribute::Kind::kStrings:
          u32(uint32_t(at.strings.size()));
          for (const std::string& s : at.strings) str(s);
          break;
        case ir::Attribute::Kind::kTensor:
          u8(at.t ? 1 : 0);
          if (at.t) tensor(*at.t);
          break;
        case ir::Attribute::Kind::kGraph:
          u8(at.g ? 1 : 0);
          if (at.g) graph(*at.g);
          break;
        case ir::Attribute::Kind::kType:
          put(int32_t(at.type_kind));
          put(int32_t(at.type_dtype));
          break;
      }
    }
  }
  void graph(const ir::Graph& g) {
    str(g.name);
    u32(uint32_t(g.opsets.size()));
    for (const auto& [domain, v] : g.opsets) {
      str(domain);
      i64(v);
    }
    put(uint64_t(g.implicit_inputs));
    u32(uint32_t(g.values.size()));
    for (const ir::Value& v : g.values) {
      str(v.name);
      u8(uint8_t(v.kind));
      u8(uint8_t(v.dtype));
      u8(uint8_t(v.layout));
      shape(v.shape);
      u8(v.quant ? 1 : 0);
      if (v.quant) {
        u32(uint32_t(v.quant->scale.size()));
        for (float f : v.quant->scale) put(f);
        u32(uint32_t(v.quant->zero_point.size()));
        for (int32_t z : v.quant->zero_point) put(z);
        put(int32_t(v.quant->axis));
      }
      u8(v.constant ? 1 : 0);
      if (v.constant) tensor(*v.constant);
    }
    size_t live = 0;
    for (const ir::Node& n : g.nodes) live += !n.dead;
    if (live != g.nodes.size())
      throw Error(ErrorCode::kInternal, "artifact: graph '" + g.name + "' has dead nodes");
    u32(uint32_t(g.nodes.size()));
    for (const ir::Node& n : g.nodes) {
      str(n.name);
      str(n.op);
      str(n.domain);
      put(int32_t(n.opset));
      u32(uint32_t(n.inputs.size()));
      for (ir::ValueId v : n.inputs) id(v);
      u32(uint32_t(n.outputs.size()));
      for (ir::ValueId v : n.outputs) id(v);
      u8(uint8_t(n.layout));
      put(int32_t(n.implicit_inputs));
      attrs(n.attrs);
    }
    u32(uint32_t(g.inputs.size()));
    for (ir::ValueId v : g.inputs) id(v);
    u32(uint32_t(g.outputs.size()));
    for (ir::ValueId v : g.outputs) id(v);
  }
};

// Bounds-checked reader; every count is checked against the bytes left.
struct Reader {
  std::span<const uint8_t> b;
  size_t pos = 0;
  std::string where;  // what is being read, for messages

  size_t left() const { return b.size() - pos; }
  template <typename T>
  T get() {
    if (left() < sizeof(T)) bad(where + ": truncated");
    T v;
    std::memcpy(&v, b.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  uint8_t u8() { return get<uint8_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  int64_t i64() { return get<int64_t>(); }
  // A count of items each taking at least `min_bytes`.
  size_t count(size_t min_bytes, const char* what) {
    uint32_t n = u32();
    if (min_bytes && n > left() / min_bytes)
      bad(where + ": " + what + " count " + std::to_string(n) + " exceeds the data");
    return n;
  }
  std::string str() {
    size_t n = count(1, "string length");
    std::string s(reinterpret_cast<const char*>(b.data() + pos), n);
    pos += n;
    return s;
  }
  // A value id below `limit`, or kNoValue when absent is allowed.
  int32_t id(size_t limit, bool absent_ok, const char* what) {
    uint32_t v = u32();
    if (v == kNoId && absent_ok) return -1;
    if (v >= limit) bad(where + ": " + what + " id " + std::to_string(v) + " out of range");
    return int32_t(v);
  }
  std::vector<int64_t> ints() {
    size_t n = count(8, "element");
    std::vector<int64_t> v(n);
    for (auto& x : v) x = i64();
    return v;
  }
  ir::DType dtype(bool string_ok, bool undefined_ok) {
    uint8_t t = u8();
    if (t == 0 && undefined_ok) return ir::DType::kUndefined;
    if (t == uint8_t(ir::DType::kString) && string_ok) return ir::DType::kString;
    if (t == uint8_t(ir::DType::kString) || !ir::dtype_valid(t))
      bad(where + ": element type " + std::to_string(t) + " invalid");
    return ir::DType(t);
  }
  ir::Layout layout() {
    uint8_t l = u8();
    if (l > uint8_t(ir::Layout::kNHWC)) bad(where + ": layout " + std::to_string(l) + " invalid");
    return ir::Layout(l);
  }
  bool flag() {
    uint8_t f = u8();
    if (f > 1) bad(where + ": flag byte " + std::to_string(f) + " is not 0 or 1");
    return f == 1;
  }

  ir::Shape shape() {
    ir::Shape s;
    s.has_rank = flag();
    if (!s.has_rank) return s;
    size_t n = count(12, "dimension");
    s.dims.resize(n);
    for (ir::Dim& d : s.dims) {
      d.value = i64();
      if (d.value < -1 || d.value > ir::kMaxElements)
        bad(where + ": dimension " + std::to_string(d.value) + " invalid");
      d.symbol = str();
    }
    return s;
  }
  std::shared_ptr<const ir::ConstTensor> tensor() {
    ir::DType dt = dtype(true, false);
    std::vector<int64_t> dims = ints();
    int64_t numel = 1;
    for (int64_t d : dims) {
      if (d < 0 || d > ir::kMaxElements || (numel > 0 && d > ir::kMaxElements / numel))
        bad(where + ": constant dimension " + std::to_string(d) + " invalid");
      numel *= d;
    }
    if (dt == ir::DType::kString) {
      size_t n = count(4, "string element");
      if (int64_t(n) != numel) bad(where + ": string constant element count mismatch");
      auto items = std::make_shared<std::vector<std::string>>(n);
      for (auto& s : *items) s = str();
      auto c = std::make_shared<ir::ConstTensor>();
      c->dtype = dt;
      c->dims = std::move(dims);
      c->strings = std::move(items);
      return c;
    }
    uint64_t n = get<uint64_t>();
    if (n != uint64_t(numel) * ir::dtype_size(dt))
      bad(where + ": constant of " + std::to_string(n) + " bytes for " + std::to_string(numel) +
          " elements of " + ir::dtype_name(dt));
    if (n > left()) bad(where + ": constant data truncated");
    auto c = ir::ConstTensor::make(dt, std::move(dims));
    if (n) std::memcpy(c->mutable_data(), b.data() + pos, size_t(n));
    pos += size_t(n);
    return c;
  }
  ir::Attributes attrs(int depth) {
    ir::Attributes a;
    size_t n = count(6, "attribute");
    for (size_t i = 0; i < n; ++i) {
      std::string name = str();
      if (a.has(name)) bad(where + ": attribute '" + name + "' twice");
      ir::Attribute at;
      uint8_t kind = u8();
      if (kind > uint8_t(ir::Attribute::Kind::kType))
        bad(where + ": attribute '" + name + "' of unknown kind " + std::to_string(kind));
      at.kind = ir::Attribute::Kind(kind);
      switch (at.kind) {
        case ir::Attribute::Kind::kInt:
          at.i = i64();
          break;
        case ir::Attribute::Kind::kFloat:
          at.f = get<float>();
          break;
        case ir::Attribute::Kind::kString:
          at.s = str();
          break;
        case ir::Attribute::Kind::kInts:
          at.ints = ints();
          break;
        case ir::Attribute::Kind::kFloats: {
          size_t k = count(4, "float");
          at.floats.resize(k);
          for (float& f : at.floats) f = get<float>();
          break;
        }
        case ir::Attribute::Kind::kStrings: {
          size_t k = count(4, "string");
          at.strings.resize(k);
          for (std::string& s : at.strings) s = str();
          break;
        }
        case ir::Attribute::Kind::kTensor:
          if (flag()) at.t = tensor();
          break;
        case ir::Attribute::Kind::kGraph:
          if (flag()) {
            if (depth + 1 > kMaxDepth) bad(where + ": body graphs nested too deep");
            std::string outer = where;
            where += " > body '" + name + "'";
            at.g = std::make_shared<const ir::Graph>(graph(depth + 1));
            where = outer;
          }
          break;
        case ir::Attribute::Kind::kType:
          at.type_kind = get<int32_t>();
          at.type_dtype = get<int32_t>();
          if (at.type_kind < 0 || at.type_kind > int(ValueKind::kOptionalSequence) ||
              (at.type_dtype != 0 && !ir::dtype_valid(at.type_dtype)))
            bad(where + ": attribute '" + name + "': type invalid");
          break;
      }
      a.set(name, std::move(at));
    }
    return a;
  }
  ir::Graph graph(int depth) {
    ir::Graph g;
    g.name = str();
    size_t nops = count(12, "opset");
    for (size_t i = 0; i < nops; ++i) {
      std::string d = str();
      g.opsets[d] = i64();
    }
    uint64_t implicit = get<uint64_t>();
    size_t nv = count(9, "value");
    for (size_t i = 0; i < nv; ++i) {
      ir::Value v;
      v.name = str();
      uint8_t kind = u8();
      if (kind > uint8_t(ValueKind::kOptionalSequence))
        bad(where + ": value '" + v.name + "' of unknown kind " + std::to_string(kind));
      v.kind = ValueKind(kind);
      v.dtype = dtype(true, true);
      v.layout = layout();
      v.shape = shape();
      if (flag()) {
        ir::QuantParams q;
        size_t ns = count(4, "scale");
        q.scale.resize(ns);
        for (float& s : q.scale) s = get<float>();
        size_t nz = count(4, "zero point");
        q.zero_point.resize(nz);
        for (int32_t& z : q.zero_point) z = get<int32_t>();
        q.axis = get<int32_t>();
        if (ns == 0 || nz != ns) bad(where + ": value '" + v.name + "': quantisation invalid");
        if (!ir::quant_storage_type(v.dtype))
          bad(where + ": value '" + v.name + "': quantisation on " + ir::dtype_name(v.dtype));
        // Per-channel scales: one per element along a known axis.
        if (ns > 1) {
          const ir::Shape& s = v.shape;
          int64_t r = int64_t(s.rank()), a = q.axis < 0 ? q.axis + r : q.axis;
          if (!s.has_rank || a < 0 || a >= r || s.dims[size_t(a)].value != int64_t(ns))
            bad(where + ": value '" + v.name + "': " + std::to_string(ns) +
                " per-channel scales do not match axis " + std::to_string(q.axis) + " of " +
                s.str());
        }
        v.quant = std::move(q);
      }
      if (flag()) {
        v.constant = tensor();
        if (v.kind != ValueKind::kTensor || v.constant->dtype != v.dtype)
          bad(where + ": value '" + v.name + "': constant does not match its type");
      }
      std::string name = v.name;
      if (g.add_value(std::move(v)) != ir::ValueId(i) || g.values.back().name != name)
        bad(where + ": value name '" + name + "' twice");
    }
    size_t nn = count(27, "node");
    for (size_t i = 0; i < nn; ++i) {
      ir::Node n;
      n.name = str();
      n.op = str();
      n.domain = str();
      n.opset = get<int32_t>();
      std::string outer = where;
      where += ": node '" + n.name + "'";
      size_t ni = count(4, "input");
      for (size_t k = 0; k < ni; ++k) n.inputs.push_back(id(nv, true, "input"));
      size_t no = count(4, "output");
      for (size_t k = 0; k < no; ++k) n.outputs.push_back(id(nv, true, "output"));
      n.layout = layout();
      n.implicit_inputs = get<int32_t>();
      if (n.implicit_inputs < 0 || size_t(n.implicit_inputs) > n.inputs.size())
        bad(where + ": implicit input count invalid");
      n.attrs = attrs(depth);
      for (const auto& [k, a] : n.attrs.all())
        if (a.kind == ir::Attribute::Kind::kGraph && a.g &&
            a.g->implicit_inputs != size_t(n.implicit_inputs))
          bad(where + ": body '" + k + "' reads other outer values than the node lists");
      where = outer;
      g.nodes.push_back(std::move(n));
    }
    std::unordered_set<std::string> names;
    for (const ir::Node& n : g.nodes)
      if (!names.insert(n.name).second) bad(where + ": node name '" + n.name + "' twice");
    size_t nin = count(4, "graph input");
    for (size_t k = 0; k < nin; ++k) g.inputs.push_back(id(nv, false, "graph input"));
    size_t nout = count(4, "graph output");
    for (size_t k = 0; k < nout; ++k) g.outputs.push_back(id(nv, false, "graph output"));
    if (implicit > g.inputs.size()) bad(where + ": implicit input count invalid");
    g.implicit_inputs = size_t(implicit);
    for (ir::ValueId v : g.inputs)
      if (g.value(v).is_constant())
        bad(where + ": graph input '" + g.value(v).name + "' is constant");
    g.rebuild_links();
    try {
      g.validate();
    } catch (const Error& e) {
      bad(where + ": " + e.what());
    }
    return g;
  }
};

}  // namespace

std::vector<uint8_t> encode_graph(const ir::Graph& g, const std::vector<PlannedPartition>& plan) {
  Writer w;
  w.graph(g);
  w.u32(uint32_t(plan.size()));
  for (const PlannedPartition& p : plan) {
    w.str(p.backend);
    w.u32(uint32_t(p.nodes.size()));
    for (ir::NodeId n : p.nodes) w.id(n);
  }
  return std::move(w.b);
}

ir::Graph decode_graph(std::span<const uint8_t> bytes, std::vector<PlannedPartition>* plan) {
  Reader r{bytes, 0, "graph"};
  ir::Graph g = r.graph(0);
  r.where = "plan";
  size_t np = r.count(8, "partition");
  std::vector<PlannedPartition> parts(np);
  std::vector<int> part_of(g.nodes.size(), -1);
  std::vector<size_t> step_of(g.nodes.size(), 0);
  size_t step = 0;
  for (size_t pi = 0; pi < np; ++pi) {
    PlannedPartition& p = parts[pi];
    p.backend = r.str();
    if (p.backend.empty()) bad("plan: partition " + std::to_string(pi) + " names no backend");
    size_t nn = r.count(4, "node");
    if (nn == 0) bad("plan: partition " + std::to_string(pi) + " is empty");
    for (size_t k = 0; k < nn; ++k) {
      ir::NodeId id = r.id(g.nodes.size(), false, "node");
      if (part_of[size_t(id)] != -1) bad("plan: node '" + g.node(id).name + "' placed twice");
      part_of[size_t(id)] = int(pi);
      step_of[size_t(id)] = step++;
      p.nodes.push_back(id);
    }
  }
  if (r.left()) bad("plan: " + std::to_string(r.left()) + " trailing bytes");
  // Every node placed, after the producers of its inputs.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (part_of[i] == -1) bad("plan: node '" + n.name + "' is in no partition");
    for (ir::ValueId v : n.inputs) {
      if (v == ir::kNoValue) continue;
      ir::NodeId prod = g.value(v).producer;
      if (prod != ir::kNoNode && step_of[size_t(prod)] >= step_of[i])
        bad("plan: node '" + n.name + "' runs before the producer of its input '" +
            g.value(v).name + "'");
    }
  }
  if (plan) *plan = std::move(parts);
  return g;
}

}  // namespace rnpu::artifact
