// Codegen driver: plan device memory for every value, lower node by node,
// lay out the image and resolve descriptor addresses.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "npu/codegen_int.h"
#include "plan/memory_planner.h"
#include "rnpu_model.h"

namespace rnpu::npu {

namespace {
constexpr uint64_t kTokenTag = 0xf000000000000000ull;
constexpr uint64_t kAlign = 64;
uint64_t align_up(uint64_t v) {
  return (v + kAlign - 1) & ~(kAlign - 1);
}
}  // namespace

uint32_t dt_size(uint8_t dt) {
  switch (dt) {
    case RNPU_DT_INT8:
    case RNPU_DT_UINT8:
      return 1;
    case RNPU_DT_FP16:
      return 2;
    case RNPU_DT_INT32:
    case RNPU_DT_FP32:
      return 4;
    default:
      return 0;
  }
}

uint8_t device_dtype(const ir::Value& v) {
  switch (v.dtype) {
    case DataType::kFloat32:
    case DataType::kFloat16:
      return v.quant ? RNPU_DT_INVALID : RNPU_DT_FP16;
    case DataType::kInt8:
    case DataType::kUInt8:
      // Activations must be per-tensor (per-channel only for weights).
      if (!v.quant || v.quant->scale.size() != 1) return RNPU_DT_INVALID;
      return v.dtype == DataType::kInt8 ? RNPU_DT_INT8 : RNPU_DT_UINT8;
    default:
      return RNPU_DT_INVALID;
  }
}

std::vector<int64_t> dense_strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> st(dims.size(), 1);
  for (size_t k = dims.size(); k-- > 1;) st[k - 1] = st[k] * dims[k];
  return st;
}

std::vector<int64_t> strides_of(const Tensor& t, const std::vector<int64_t>& dims) {
  return t.strides.size() == dims.size() ? t.strides : dense_strides(dims);
}

const std::vector<Tensor>& Codegen::packed(const ir::Node& n,
                                           const std::function<std::vector<Tensor>()>& make) {
  auto it = packed_.find(&n);
  if (it != packed_.end()) return it->second;
  std::vector<Tensor> t = make();
  return packed_.emplace(&n, std::move(t)).first->second;
}

int64_t numel(const std::vector<int64_t>& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

const Tensor& Codegen::in(const ir::Node& n, size_t i) {
  ir::ValueId v = n.inputs.at(i);
  if (!vals_[size_t(v)].valid()) {
    const ir::Value& x = val(v);
    if (!x.is_constant()) ir::node_error(ErrorCode::kInternal, n, "input has no device tensor");
    uint8_t dt = device_dtype(x);
    if (dt == RNPU_DT_INVALID) ir::node_error(ErrorCode::kUnsupportedOp, n, "constant dtype");
    vals_[size_t(v)] = pack_value(v, dt);
  }
  return vals_[size_t(v)];
}

Tensor& Codegen::out(const ir::Node& n, size_t i) {
  return vals_[size_t(n.outputs.at(i))];
}

Tensor Codegen::temp(const ir::Node& n, uint8_t dt, std::vector<int64_t> dims) {
  Tensor t;
  t.buf = temps_.at(&n);
  t.dt = dt;
  t.dims = std::move(dims);
  return t;
}

int Codegen::add_weight_bytes(const void* data, size_t n) {
  Buffer b;
  b.kind = Buffer::kWeight;
  b.off = align_up(weights_.size());
  b.bytes = n;
  weights_.resize(b.off + n, 0);
  std::memcpy(weights_.data() + b.off, data, n);
  bufs_.push_back(b);
  return int(bufs_.size() - 1);
}

Tensor Codegen::pack(const std::vector<double>& v, std::vector<int64_t> dims, uint8_t dt,
                     float scale, int32_t zp) {
  std::vector<uint8_t> bytes(v.size() * dt_size(dt));
  for (size_t i = 0; i < v.size(); ++i) {
    uint8_t* p = bytes.data() + i * dt_size(dt);
    switch (dt) {
      case RNPU_DT_FP16: {
        uint16_t h = rnpu_fp16_from_double(v[i]);  // the hardware's rounding
        std::memcpy(p, &h, 2);
        break;
      }
      case RNPU_DT_FP32: {
        float f = float(v[i]);
        std::memcpy(p, &f, 4);
        break;
      }
      case RNPU_DT_INT32: {
        int32_t q = int32_t(v[i]);
        std::memcpy(p, &q, 4);
        break;
      }
      case RNPU_DT_INT8:
        *p = uint8_t(int8_t(v[i]));
        break;
      default:
        *p = uint8_t(v[i]);
        break;
    }
  }
  Tensor t;
  t.buf = add_weight_bytes(bytes.data(), bytes.size());
  t.dt = dt;
  t.dims = std::move(dims);
  t.scale = scale;
  t.zp = zp;
  return t;
}

Tensor Codegen::pack_value(ir::ValueId id, uint8_t dt) {
  const ir::Value& v = val(id);
  const ir::ConstTensor& c = *v.constant;
  std::vector<double> x(static_cast<size_t>(c.numel()));
  for (size_t i = 0; i < x.size(); ++i) x[i] = c.get_double(int64_t(i));
  float scale = 0;
  int32_t zp = 0;
  if (v.quant && (dt == RNPU_DT_INT8 || dt == RNPU_DT_UINT8)) {
    scale = v.quant->scale[0];
    zp = v.quant->zero_point.empty() ? 0 : v.quant->zero_point[0];
  }
  return pack(x, c.dims, dt, scale, zp);
}

rnpu_tensor_desc Codegen::desc(const Tensor& t) const {
  return desc(t, t.dims, strides_of(t, t.dims), 0);
}

rnpu_tensor_desc Codegen::desc_flat(const Tensor& t) const {
  return desc(t, {numel(t.dims)}, {1}, 0);
}

rnpu_tensor_desc Codegen::desc(const Tensor& t, const std::vector<int64_t>& dims,
                               const std::vector<int64_t>& strides, uint64_t extra_off) const {
  rnpu_tensor_desc d;
  std::memset(&d, 0, sizeof d);
  uint32_t es = dt_size(t.dt);
  if (dims.empty() || dims.size() > RNPU_MAX_RANK)
    throw Error(ErrorCode::kInternal,
                "npu codegen: descriptor rank " + std::to_string(dims.size()));
  d.rank = uint8_t(dims.size());
  for (int k = 0; k < RNPU_MAX_RANK; ++k) {
    d.dims[k] = k < d.rank ? uint32_t(dims[size_t(k)]) : 1;
    d.strides[k] = k < d.rank ? uint32_t(strides[size_t(k)] * es) : 0;
  }
  d.dtype = t.dt;
  auto* self = const_cast<Codegen*>(this);
  self->tokens_.push_back({t.buf, (t.elem_off + extra_off) * es});
  d.va = kTokenTag | (self->tokens_.size() - 1);
  if (t.dt == RNPU_DT_INT8 || t.dt == RNPU_DT_UINT8 || t.dt == RNPU_DT_INT32) {
    uint32_t one = 0x3f800000;  // 1.0f for plain int32
    float s = t.scale;
    std::memcpy(&d.scale, t.dt == RNPU_DT_INT32 && s == 0 ? static_cast<const void*>(&one) : &s, 4);
    d.zero_point = t.zp;
    if (t.qscale_buf >= 0) {
      d.flags = RNPU_TD_PER_CHANNEL;
      d.scale = 0;
      d.q_axis = uint8_t(t.q_axis);
      self->tokens_.push_back({t.qscale_buf, 0});
      d.qscale_va = kTokenTag | (self->tokens_.size() - 1);
    }
  }
  return d;
}

void Codegen::emit(const void* cmd, uint16_t size,
                   std::initializer_list<const rnpu_tensor_desc*> descs) {
  uint32_t at = uint32_t(stream_.size());
  const auto* base = static_cast<const uint8_t*>(cmd);
  stream_.insert(stream_.end(), base, base + size);
  for (const rnpu_tensor_desc* d : descs) {
    uint32_t rel = uint32_t(reinterpret_cast<const uint8_t*>(d) - base);
    if (d->va & kTokenTag)
      fixups_.push_back(
          {at + rel + uint32_t(offsetof(rnpu_tensor_desc, va)), uint32_t(d->va & 0xffffffff)});
    if (d->qscale_va & kTokenTag)
      fixups_.push_back({at + rel + uint32_t(offsetof(rnpu_tensor_desc, qscale_va)),
                         uint32_t(d->qscale_va & 0xffffffff)});
  }
  cmds_.push_back({at, cur_node_});
  ++ncmds_;
}

void Codegen::dma(const rnpu_tensor_desc& src, const rnpu_tensor_desc& dst) {
  rnpu_cmd_dma c;
  std::memset(&c, 0, sizeof c);
  c.hdr = {RNPU_OP_DMA, sizeof c};
  c.src = src;
  c.dst = dst;
  emit(&c, sizeof c, {&c.src, &c.dst});
}

void Codegen::copy(const Tensor& src, const Tensor& dst, std::vector<int64_t> dims,
                   std::vector<int64_t> ss, std::vector<int64_t> ds, uint64_t soff, uint64_t doff) {
  std::vector<int64_t> d, a, b;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] == 1) continue;
    if (!d.empty() && a.back() == ss[k] * dims[k] && b.back() == ds[k] * dims[k]) {
      d.back() *= dims[k];
      a.back() = ss[k];
      b.back() = ds[k];
    } else {
      d.push_back(dims[k]);
      a.push_back(ss[k]);
      b.push_back(ds[k]);
    }
  }
  if (d.empty()) {
    d = {1};
    a = {1};
    b = {1};
  }
  size_t outer = d.size() > RNPU_MAX_RANK ? d.size() - RNPU_MAX_RANK : 0;
  std::vector<int64_t> idx(outer, 0);
  std::vector<int64_t> id(d.begin() + ptrdiff_t(outer), d.end()),
      ia(a.begin() + ptrdiff_t(outer), a.end()), ib(b.begin() + ptrdiff_t(outer), b.end());
  for (;;) {
    uint64_t so = soff, dof = doff;
    for (size_t k = 0; k < outer; ++k) {
      so += uint64_t(idx[k] * a[k]);
      dof += uint64_t(idx[k] * b[k]);
    }
    dma(desc(src, id, ia, so), desc(dst, id, ib, dof));
    size_t k = outer;
    while (k > 0 && ++idx[k - 1] == d[k - 1]) idx[--k] = 0;
    if (k == 0) break;
  }
}

// Buffers and liveness: every non-constant value gets a device tensor;
// views share their input's buffer.
void Codegen::plan() {
  vals_.assign(g_.values.size(), Tensor{});
  auto new_buf = [&](Buffer::Kind k, uint64_t bytes, int first) {
    Buffer b;
    b.kind = k;
    b.bytes = bytes;
    b.first = first;
    b.last = first;
    bufs_.push_back(b);
    return int(bufs_.size() - 1);
  };
  auto make = [&](ir::ValueId id, int first) {
    const ir::Value& v = val(id);
    Tensor t;
    t.dt = device_dtype(v);
    t.dims = v.shape.values();
    if (t.dims.empty()) t.dims = {1};
    if (v.quant) {
      t.scale = v.quant->scale[0];
      t.zp = v.quant->zero_point.empty() ? 0 : v.quant->zero_point[0];
    }
    t.buf = new_buf(Buffer::kScratch, uint64_t(numel(t.dims)) * dt_size(t.dt), first);
    return t;
  };
  for (ir::ValueId id : g_.inputs) {
    vals_[size_t(id)] = make(id, -1);
    // A float input only quantised keeps fp32 on the device: quantising
    // from an fp16 copy would round twice.
    const ir::Value& v = val(id);
    bool only_q = v.dtype == DataType::kFloat32, used = false;
    for (const ir::Node& n : g_.nodes)
      for (ir::ValueId x : n.inputs)
        if (x == id && !n.dead) {
          used = true;
          only_q &= n.op == "QuantizeLinear";
        }
    only_q &= used && !g_.is_graph_output(id);
    if (only_q) {
      Tensor& t = vals_[size_t(id)];
      t.dt = RNPU_DT_FP32;
      bufs_[size_t(t.buf)].bytes = uint64_t(numel(t.dims)) * 4;
    }
  }
  // Intermediates of tiled groups have no buffer of their own.
  std::map<ir::ValueId, bool> banded;
  std::map<ir::NodeId, int> step_of;
  for (const TileGroup& grp : groups_)
    for (ir::NodeId id : grp.nodes)
      if (g_.node(id).outputs[0] != grp.output) banded[g_.node(id).outputs[0]] = true;
  int step = 0;
  for (ir::NodeId nid : order_) {
    const ir::Node& n = g_.node(nid);
    step_of[nid] = step;
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue && vals_[size_t(v)].valid())
        bufs_[size_t(vals_[size_t(v)].buf)].last = step;
    ConvTGeom t;
    if (n.op == "ConvTranspose" && convt_geom(g_, n, &t) && !convt_phased(t)) {
      temps_[&n] = new_buf(Buffer::kScratch, uint64_t(t.n * t.c * t.zh * t.zw) * 2, step);
    }
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      ir::ValueId o = n.outputs[i];
      if (o == ir::kNoValue || banded.count(o)) continue;
      if (i == 0 && is_view_op(n.op) && vals_[size_t(n.inputs[0])].valid()) {
        Tensor t = vals_[size_t(n.inputs[0])];
        t.dims = val(o).shape.values();
        if (t.dims.empty()) t.dims = {1};
        vals_[size_t(o)] = t;
      } else {
        vals_[size_t(o)] = make(o, step);
      }
    }
    ++step;
  }
  for (ir::ValueId id : g_.outputs) bufs_[size_t(vals_[size_t(id)].buf)].last = step;
  // A group runs all its nodes band after band: its input stays live to the
  // end, its output is written from the first band on, and its SRAM bands
  // are pinned for the whole span.
  for (TileGroup& grp : groups_) {
    int s0 = step_of[grp.nodes.front()], s1 = step_of[grp.nodes.back()];
    for (ir::ValueId v : grp.inputs) {
      Buffer& x = bufs_[size_t(vals_[size_t(v)].buf)];
      x.last = std::max(x.last, s1);
    }
    Buffer& y = bufs_[size_t(vals_[size_t(grp.output)].buf)];
    y.first = std::min(y.first, s0);
    grp.buf = new_buf(Buffer::kScratch, grp.bytes, s0);
    bufs_[size_t(grp.buf)].last = s1;
    bufs_[size_t(grp.buf)].pinned = true;
  }

  // Greedy placement through the core planner (plan/memory_planner.h), one
  // placer per pool: pinned group bands in SRAM first, then by definition
  // time the SRAM window when the buffer fits beside those live with it,
  // else DRAM scratch (first fit in both).
  std::vector<int> order;
  for (size_t i = 0; i < bufs_.size(); ++i) order.push_back(int(i));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const Buffer &x = bufs_[size_t(a)], &y = bufs_[size_t(b)];
    return x.pinned != y.pinned ? x.pinned : x.first < y.first;
  });
  plan::PlanOptions po;
  po.alignment = kAlign;
  po.order = plan::PlanOptions::Order::kGiven;
  po.fit = plan::PlanOptions::Fit::kFirst;
  plan::Placer dram(po);
  po.capacity = hw_.sram_bytes;
  plan::Placer sram(po);
  uint64_t sram_peak = 0;
  for (int i : order) {
    Buffer& b = bufs_[size_t(i)];
    plan::Interval iv{size_t(b.bytes), b.first, b.last};
    if (std::optional<size_t> at = sram.place(iv)) {
      b.sram = true;
      b.off = *at;
      sram_peak = std::max(sram_peak, b.off + b.bytes);
    } else {
      if (b.pinned)
        throw Error(ErrorCode::kInternal, "npu codegen: tiled group does not fit the SRAM window");
      b.off = *dram.place(iv);  // no capacity: always placed
    }
  }
  uint64_t dram_peak = dram.peak();
  scratch_peak_ = dram_peak;
  sram_peak_ = sram_peak;
}

Program Codegen::run() {
  order_ = g_.topo_order();
  if (opts_.tiling != CodegenOptions::Tiling::kOff)
    groups_ = find_tile_groups(g_, &order_, hw_, opts_.tiling == CodegenOptions::Tiling::kChains,
                               opts_.skip);
  for (size_t i = 0; i < groups_.size(); ++i) group_of_[groups_[i].nodes.front()] = i;
  plan();
  weights_.assign(kAlign, 0);  // VA 0 of the image stays unused (0 = "absent")
  Program p;
  p.hw = hw_;
  rnpu_cs_header h;
  std::memset(&h, 0, sizeof h);
  stream_.assign(sizeof h, 0);

  // Host inputs arrive in their own dtype; convert into the device tensors.
  std::vector<int> host_in, host_out;
  for (ir::ValueId id : g_.inputs) {
    const ir::Value& v = val(id);
    Tensor host = vals_[size_t(id)];
    host.dt = v.dtype == DataType::kFloat32 ? RNPU_DT_FP32 : vals_[size_t(id)].dt;
    Buffer b;
    b.kind = Buffer::kInput;
    b.bytes = uint64_t(numel(host.dims)) * dt_size(host.dt);
    bufs_.push_back(b);
    host.buf = int(bufs_.size() - 1);
    host_in.push_back(host.buf);
    dma(desc_flat(host), desc_flat(vals_[size_t(id)]));
  }
  for (size_t i = 0; i < order_.size(); ++i) {
    ir::NodeId nid = order_[i];
    if (auto it = group_of_.find(nid); it != group_of_.end()) {
      lower_group(groups_[it->second], p);
      i += groups_[it->second].nodes.size() - 1;
      continue;
    }
    const ir::Node& n = g_.node(nid);
    cur_node_ = uint32_t(p.nodes.size());
    cur_macs_ = 0;
    lower(n);
    NodeInfo ni;
    ni.name = n.name;
    ni.op = n.op;
    ni.macs = cur_macs_;
    ni.int8 = vals_[size_t(n.outputs[0])].dt != RNPU_DT_FP16;
    p.nodes.push_back(ni);
    p.macs += cur_macs_;
  }
  cur_node_ = p.nodes.empty() ? 0 : uint32_t(p.nodes.size() - 1);
  for (ir::ValueId id : g_.outputs) {
    const ir::Value& v = val(id);
    Tensor host = vals_[size_t(id)];
    host.elem_off = 0;
    host.dt = v.dtype == DataType::kFloat32 ? RNPU_DT_FP32 : host.dt;
    Buffer b;
    b.kind = Buffer::kOutput;
    b.bytes = uint64_t(numel(host.dims)) * dt_size(host.dt);
    bufs_.push_back(b);
    host.buf = int(bufs_.size() - 1);
    host_out.push_back(host.buf);
    dma(desc_flat(vals_[size_t(id)]), desc_flat(host));
  }
  if (p.nodes.empty()) p.nodes.push_back({"(boundary)", "DMA", 0, false});

  // Image: [weights][inputs][outputs][scratch].
  uint64_t at = align_up(weights_.size());
  for (Buffer& b : bufs_)
    if (b.kind == Buffer::kInput || b.kind == Buffer::kOutput) {
      b.off = at;
      at = align_up(at + b.bytes);
    }
  uint64_t scratch_base = at;
  for (Buffer& b : bufs_)
    if (b.kind == Buffer::kScratch && !b.sram) b.off += scratch_base;
  p.image_bytes = scratch_base + scratch_peak_;
  p.scratch_bytes = scratch_peak_;
  p.sram_bytes = sram_peak_;
  for (const Fixup& f : fixups_) {
    const Token& t = tokens_[f.token];
    const Buffer& b = bufs_[size_t(t.buf)];
    uint64_t va = b.sram ? RNPU_SRAM_VA + b.off + t.byte_off : b.off + t.byte_off;
    std::memcpy(&stream_[f.stream_off], &va, 8);
    if (!b.sram) p.relocs.push_back(f.stream_off);
  }
  for (size_t i = 0; i < g_.inputs.size(); ++i) {
    const ir::Value& v = val(g_.inputs[i]);
    const Buffer& b = bufs_[size_t(host_in[i])];
    p.inputs.push_back({g_.inputs[i], v.name, v.dtype, v.shape.values(), b.off, b.bytes});
  }
  for (size_t i = 0; i < g_.outputs.size(); ++i) {
    const ir::Value& v = val(g_.outputs[i]);
    const Buffer& b = bufs_[size_t(host_out[i])];
    p.outputs.push_back({g_.outputs[i], v.name, v.dtype, v.shape.values(), b.off, b.bytes});
  }
  h.magic = RNPU_CS_MAGIC;
  h.version = RNPU_CS_VERSION;
  h.header_size = sizeof h;
  h.total_size = uint32_t(stream_.size());
  h.num_cmds = ncmds_;
  std::memcpy(stream_.data(), &h, sizeof h);
  if (stream_.size() > RNPU_CS_MAX_SIZE)
    throw Error(ErrorCode::kUnsupportedOp, "npu: partition needs a command stream of " +
                                               std::to_string(stream_.size()) + " bytes (max " +
                                               std::to_string(RNPU_CS_MAX_SIZE) + ")");
  p.stream = std::move(stream_);
  p.weights = std::move(weights_);
  p.cmds = std::move(cmds_);
  return p;
}

void Codegen::lower(const ir::Node& n) {
  if (is_view_op(n.op)) return;
  if (lower_mac(*this, n) || lower_convt_op(*this, n) || lower_vec(*this, n) ||
      lower_move(*this, n))
    return;
  ir::node_error(ErrorCode::kUnsupportedOp, n, "the npu code generator has no lowering for it");
}

CodegenOptions CodegenOptions::from_env() {
  CodegenOptions o;
  const char* t = std::getenv("RNPU_NPU_TILING");
  std::string v = t ? t : "";
  if (v == "0" || v == "off")
    o.tiling = Tiling::kOff;
  else if (v == "chains")
    o.tiling = Tiling::kChains;
  else if (v == "regions")
    o.tiling = Tiling::kRegions;
  return o;
}

namespace {

// Modelled cycles of a compiled program's stream (UINT64_MAX if the model
// rejects it, which the run would then report).
uint64_t estimated_cycles(const Program& p, const HwConfig& hw) {
  rnpu_model_config cfg = hw.to_model();
  rnpu_model_result res;
  if (rnpu_model_estimate(&cfg, p.stream.data(), p.stream.size(), &res) != RNPU_MS_OK)
    return UINT64_MAX;
  return res.cycles;
}

}  // namespace

Program compile(const ir::Graph& sub, const HwConfig& hw, const CodegenOptions& opts) {
  for (const ir::Node& n : sub.nodes) {
    if (n.dead) continue;
    Support s = supports(sub, n);
    if (!s.ok) ir::node_error(ErrorCode::kUnsupportedOp, n, "npu: " + s.reason);
  }
  using Tiling = CodegenOptions::Tiling;
  if (opts.tiling != Tiling::kBest) {
    Codegen c(sub, hw, opts);
    return c.run();
  }
  // Tiling's estimates of halos and placement are approximate; the timing
  // model's total over the finished stream is exact, and compiling is cheap
  // next to running.  So: untiled; then for chains and for regions, all
  // candidate groups, each dropped again if the stream is faster without
  // it; the fastest of these streams wins (untiled on a tie).
  auto build = [&](const CodegenOptions& o, std::vector<ir::NodeId>* heads) {
    Codegen c(sub, hw, o);
    Program p = c.run();
    if (heads) *heads = c.group_heads();
    return p;
  };
  CodegenOptions off = opts;
  off.tiling = Tiling::kOff;
  Program best = build(off, nullptr);
  uint64_t best_cycles = estimated_cycles(best, hw);
  for (Tiling t : {Tiling::kChains, Tiling::kRegions}) {
    CodegenOptions o = opts;
    o.tiling = t;
    std::vector<ir::NodeId> heads;
    Program p = build(o, &heads);
    uint64_t cycles = estimated_cycles(p, hw);
    for (ir::NodeId h : heads) {
      o.skip.push_back(h);
      Program q = build(o, nullptr);
      uint64_t c = estimated_cycles(q, hw);
      if (c < cycles) {
        p = std::move(q);
        cycles = c;
      } else {
        o.skip.pop_back();
      }
    }
    if (cycles < best_cycles) {
      best = std::move(p);
      best_cycles = cycles;
    }
  }
  return best;
}

}  // namespace rnpu::npu
