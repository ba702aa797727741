#include "vk_program.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "plan/memory_planner.h"

namespace rnpu::vk {

namespace {

VkDeviceSize align_up(VkDeviceSize x, VkDeviceSize a) {
  return (x + a - 1) / a * a;
}

}  // namespace

Executable::Executable(std::shared_ptr<Device> dev, const ir::Graph& g, Lowerer& L, bool profiling)
    : dev_(std::move(dev)), g_(g), profiling_(profiling) {
  Allocator& A = *dev_->alloc;
  const VkDeviceSize al = A.alignment();
  const size_t nv = g.values.size();
  const int end = int(g.nodes.size());

  auto bytes_of = [&](ir::ValueId v) {
    return std::max<size_t>(4, tensor_bytes(g.value(v).dtype, L.numel(v)));
  };

  // Where each root lives.
  enum Where : uint8_t { kUnused, kConstant, kIo, kArena };
  std::vector<Where> where(nv, kUnused);
  std::vector<int> first(nv, INT_MAX), last(nv, -1);
  auto mark = [&](int r) {
    if (where[size_t(r)] != kUnused) return;
    const ir::Value& val = g.value(r);
    if (val.constant)
      where[size_t(r)] = kConstant;
    else if (std::count(g.inputs.begin(), g.inputs.end(), r) ||
             std::count(g.outputs.begin(), g.outputs.end(), r))
      where[size_t(r)] = kIo;
    else
      where[size_t(r)] = kArena;
  };
  for (const auto& p : L.pending_)
    for (const Ref& r : p.refs)
      if (r.kind == Ref::kValue) {
        mark(r.id);
        first[size_t(r.id)] = std::min(first[size_t(r.id)], p.d.tag);
        last[size_t(r.id)] = std::max(last[size_t(r.id)], p.d.tag);
      }
  for (ir::ValueId v : g.inputs) mark(L.root(v));
  for (ir::ValueId v : g.outputs) {
    int r = L.root(v);
    mark(r);
    last[size_t(r)] = end;  // read back after the last node
    if (first[size_t(r)] == INT_MAX) first[size_t(r)] = 0;
  }

  // Constants: graph weights and host-prepared data in one region.
  std::map<int, VkDeviceSize> const_off;
  std::vector<VkDeviceSize> extra_off(L.consts_.size());
  VkDeviceSize csize = 0;
  for (size_t v = 0; v < nv; ++v)
    if (where[v] == kConstant) {
      const_off[int(v)] = csize;
      csize = align_up(csize + std::max<size_t>(4, g.values[v].constant->size), al);
    }
  for (size_t i = 0; i < L.consts_.size(); ++i) {
    extra_off[i] = csize;
    csize = align_up(csize + std::max<size_t>(4, L.consts_[i].size()), al);
  }
  if (csize) {
    consts_ = A.allocate(csize, MemKind::kDevice);
    auto fill = [&](uint8_t* base) {
      for (auto& [v, off] : const_off) {
        const ir::ConstTensor& c = *g.value(v).constant;
        if (c.size) std::memcpy(base + off, c.data, c.size);
      }
      for (size_t i = 0; i < L.consts_.size(); ++i)
        if (!L.consts_[i].empty())
          std::memcpy(base + extra_off[i], L.consts_[i].data(), L.consts_[i].size());
    };
    if (consts_.host()) {
      fill(consts_.host());
    } else {
      Allocation up = A.allocate(csize, MemKind::kHost);
      fill(up.host());
      Recording r(dev_->ctx, dev_->pipes);
      r.copy({up.buffer(), up.offset(), csize}, {consts_.buffer(), consts_.offset(), csize});
      r.build(false);
      r.run();
    }
    stats_.const_bytes = csize;
  }

  // Arena: intermediates and temporaries by liveness.
  std::vector<plan::Interval> iv;
  std::vector<int> who;  // >= 0: value root, < 0: -(temp + 1)
  for (size_t v = 0; v < nv; ++v)
    if (where[v] == kArena) {
      iv.push_back({bytes_of(ir::ValueId(v)), first[v], last[v]});
      who.push_back(int(v));
    }
  for (size_t t = 0; t < L.temps_.size(); ++t) {
    iv.push_back({std::max<size_t>(4, L.temps_[t].bytes), L.temps_[t].node, L.temps_[t].node});
    who.push_back(-int(t) - 1);
  }
  plan::MemoryPlan mp = plan::plan_memory(iv, size_t(al));
  std::vector<VkDeviceSize> arena_off(nv), temp_off(L.temps_.size());
  for (size_t k = 0; k < who.size(); ++k) {
    if (who[k] >= 0)
      arena_off[size_t(who[k])] = mp.offsets[k];
    else
      temp_off[size_t(-who[k] - 1)] = mp.offsets[k];
  }
  if (mp.peak) arena_ = A.allocate(mp.peak, MemKind::kDevice);
  stats_.arena_bytes = mp.peak;
  stats_.arena_naive_bytes = mp.naive;

  // Partition inputs and outputs.
  std::vector<VkDeviceSize> io_off(nv);
  VkDeviceSize iosize = 0;
  for (size_t v = 0; v < nv; ++v)
    if (where[v] == kIo) {
      io_off[v] = iosize;
      iosize = align_up(iosize + bytes_of(ir::ValueId(v)), al);
    }
  if (iosize) {
    io_ = A.allocate(iosize, MemKind::kDevice);
    if (!io_.host()) staging_ = A.allocate(iosize, MemKind::kHost);
  }
  stats_.io_bytes = iosize;

  auto range_of_root = [&](int r) -> BufRange {
    VkDeviceSize sz = bytes_of(r);
    switch (where[size_t(r)]) {
      case kConstant:
        return {consts_.buffer(), consts_.offset() + const_off[r], sz};
      case kIo:
        return {io_.buffer(), io_.offset() + io_off[size_t(r)], sz};
      case kArena:
        return {arena_.buffer(), arena_.offset() + arena_off[size_t(r)], sz};
      default:
        throw Error(ErrorCode::kInternal, "vulkan: unplaced value " + g.value(r).name);
    }
  };
  auto resolve = [&](const Ref& r) -> BufRange {
    switch (r.kind) {
      case Ref::kValue:
        return range_of_root(r.id);
      case Ref::kConst:
        return {consts_.buffer(), consts_.offset() + extra_off[size_t(r.id)],
                std::max<VkDeviceSize>(4, align_up(L.consts_[size_t(r.id)].size(), 4))};
      case Ref::kTemp:
        return {arena_.buffer(), arena_.offset() + temp_off[size_t(r.id)],
                std::max<size_t>(4, L.temps_[size_t(r.id)].bytes)};
      default:
        return {};
    }
  };

  rec_ = std::make_unique<Recording>(dev_->ctx, dev_->pipes);
  for (ir::ValueId v : g.inputs) {
    int r = L.root(v);
    size_t b = size_t(L.numel(v)) * ir::dtype_size(g.value(v).dtype);  // exact, unpadded
    if (staging_) {
      BufRange dst = range_of_root(r);
      VkDeviceSize off = dst.offset - io_.offset();
      rec_->copy({staging_.buffer(), staging_.offset() + off, std::max<size_t>(b, 4)}, dst);
      inputs_.push_back({v, staging_.host() + off, b});
    } else {
      inputs_.push_back({v, io_.host() + io_off[size_t(r)], b});
    }
  }
  for (auto& p : L.pending_) {
    for (uint32_t b = 0; b < kBindings; ++b) p.d.bind[b] = resolve(p.refs[b]);
    rec_->dispatch(std::move(p.d));
  }
  out_dims_.resize(g.outputs.size());
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    ir::ValueId v = g.outputs[i];
    int r = L.root(v);
    out_dims_[i] = L.dims(v);
    size_t b = size_t(L.numel(v)) * ir::dtype_size(g.value(v).dtype);  // exact, unpadded
    BufRange src = range_of_root(r);
    uint8_t* host = nullptr;
    if (where[size_t(r)] == kArena && arena_.host())
      host = arena_.host() + (src.offset - arena_.offset());
    else if (where[size_t(r)] == kIo && io_.host())
      host = io_.host() + io_off[size_t(r)];
    else if (where[size_t(r)] == kConstant && consts_.host())
      host = consts_.host() + const_off[r];
    if (!host) {
      // Device-only memory: copy into staging at the end of the run.
      if (!staging_ || where[size_t(r)] != kIo) {
        Allocation s = A.allocate(std::max<size_t>(b, 4), MemKind::kHost);
        rec_->copy(src, {s.buffer(), s.offset(), src.size});
        host = s.host();
        // Kept alive with the executable.
        extra_staging_.push_back(std::move(s));
      } else {
        VkDeviceSize off = io_off[size_t(r)];
        rec_->copy(src, {staging_.buffer(), staging_.offset() + off, src.size});
        host = staging_.host() + off;
      }
    }
    outputs_.push_back({v, host, b});
  }
  rec_->build(profiling_);
  stats_.dispatches = rec_->dispatches();
  stats_.barriers = rec_->barriers();
}

void Executable::submit(RunContext& ctx) {
  for (const Io& io : inputs_) {
    HostTensor& t = ctx.tensor(io.v);
    if (!t.data || t.size < io.bytes)
      throw Error(ErrorCode::kShapeMismatch, "vulkan: input '" + g_.value(io.v).name + "' holds " +
                                                 std::to_string(t.size) + " bytes, " +
                                                 std::to_string(io.bytes) + " expected");
    if (io.bytes) std::memcpy(io.host, t.data, io.bytes);
  }
  rec_->submit();
}

void Executable::finish(RunContext& ctx) {
  rec_->wait();
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const Io& io = outputs_[i];
    HostTensor& t = ctx.tensor(io.v);
    if (!t.data) ctx.allocate(io.v, g_.value(io.v).dtype, out_dims_[i]);
    if (t.size < io.bytes)
      throw Error(ErrorCode::kShapeMismatch, "vulkan: output '" + g_.value(io.v).name +
                                                 "' buffer holds " + std::to_string(t.size) +
                                                 " bytes, " + std::to_string(io.bytes) + " needed");
    if (io.bytes) std::memcpy(t.data, io.host, io.bytes);
  }
  if (profiling_ && ctx.profiling()) {
    std::map<int, double> per;
    for (auto& [tag, ns] : rec_->timings())
      if (tag >= 0) per[tag] += ns;
    for (auto& [tag, ns] : per) {
      const ir::Node& n = g_.node(tag);
      ctx.record(OpProfile{n.name, n.op, "vulkan", uint64_t(ns), 0});
    }
  }
}

VulkanProgram::VulkanProgram(std::shared_ptr<Device> dev, const ir::Graph& sub,
                             const CompileOptions& o)
    : dev_(std::move(dev)), sub_(sub), opts_(o) {
  bool fixed = true;
  for (const ir::Value& v : sub_.values)
    if (!v.constant && !v.shape.is_static()) fixed = false;
  if (fixed) {
    fixed_ = make(sub_);
    return;
  }
  std::vector<char> seen(sub_.values.size(), 0);
  for (ir::ValueId v : sub_.inputs)
    if (!seen[size_t(v)]++) keyed_.push_back(v);
  for (size_t i = 0; i < sub_.values.size(); ++i)
    if (!sub_.values[i].constant && !sub_.values[i].shape.is_static() && !seen[i]++)
      keyed_.push_back(ir::ValueId(i));
}

std::unique_ptr<Executable> VulkanProgram::make(const ir::Graph& g) {
  Lowerer L(g, dev_->caps);
  L.lower_all();
  auto exe = std::make_unique<Executable>(dev_, g, L, opts_.profiling);
  std::string why;
  bool saved = dev_->pipes->save(&why);  // an optimisation: I/O errors only cost time
  if (const char* v = std::getenv("RNPU_VULKAN_VERBOSE"); v && *v == '1') {
    const Executable::Stats& s = exe->stats();
    std::fprintf(stderr,
                 "vulkan: %zu nodes -> %zu dispatches, %zu barriers; constants %.2f MiB, arena "
                 "%.2f MiB (%.2f MiB without reuse), I/O %.2f MiB%s%s\n",
                 g.nodes.size(), s.dispatches, s.barriers, double(s.const_bytes) / 1048576.0,
                 double(s.arena_bytes) / 1048576.0, double(s.arena_naive_bytes) / 1048576.0,
                 double(s.io_bytes) / 1048576.0,
                 saved ? "" : "; pipeline cache not saved: ", saved ? "" : why.c_str());
  }
  return exe;
}

void VulkanProgram::run(RunContext& ctx) {
  if (fixed_) {
    active_ = fixed_.get();
    active_->submit(ctx);
    return;
  }
  Spec* hit = nullptr;
  for (Spec& s : cache_) {
    bool same = true;
    for (size_t i = 0; same && i < keyed_.size(); ++i)
      same = s.key[i] == ctx.tensor(keyed_[i]).shape;
    if (same) hit = &s;
  }
  if (!hit) {
    std::vector<std::vector<int64_t>> key;
    key.reserve(keyed_.size());
    for (ir::ValueId v : keyed_) key.push_back(ctx.tensor(v).shape);
    if (cache_.size() >= kMaxSpecializations) {
      auto lru = std::min_element(cache_.begin(), cache_.end(), [](const Spec& a, const Spec& b) {
        return a.last_use < b.last_use;
      });
      cache_.erase(lru);
    }
    Spec s;
    s.key = key;
    s.graph = std::make_unique<ir::Graph>(sub_);
    for (size_t i = 0; i < s.graph->values.size(); ++i) {
      ir::Value& v = s.graph->values[i];
      if (v.constant || v.shape.is_static()) continue;
      const std::vector<int64_t>& d = ctx.tensor(ir::ValueId(i)).shape;
      bool known = !d.empty() || (v.shape.has_rank && v.shape.rank() == 0);
      for (int64_t x : d) known &= x >= 0;
      if (!known)
        throw Error(ErrorCode::kUnsupportedOp, "vulkan: shape of '" + v.name +
                                                   "' is not known before the run "
                                                   "(data-dependent shapes are not supported)");
      v.shape = ir::Shape(d);
    }
    s.exe = make(*s.graph);
    cache_.push_back(std::move(s));
    hit = &cache_.back();
  }
  hit->last_use = ++clock_;
  active_ = hit->exe.get();
  active_->submit(ctx);
}

void VulkanProgram::read_outputs(RunContext& ctx) {
  if (!active_) return;
  Executable* e = active_;
  active_ = nullptr;
  e->finish(ctx);
}

}  // namespace rnpu::vk
