// Tiling through the SRAM window: regions of row-local ops (Conv, windowed
// pools, activations, elementwise ops, including residual adds of two
// values of the region) whose intermediates are too large for SRAM run
// band by band.  A region has one value used outside it (its output) and
// reads any number of values from before it (its inputs).  Each band of
// the output needs a band of every value inside (the rows its consumers'
// windows read, halos included, the hull where several consumers read
// it); those bands live in SRAM, so the region's intermediates never touch
// DRAM.  Inputs are read and the output written in place, a band at a
// time, wherever the planner put them.
//
// Why this and not per-op tiling: commands run one after another (timing
// model, hw/SPEC.md), so staging one op's tiles through SRAM by DMA costs
// the DRAM time plus the copies; only keeping intermediates on chip saves
// DRAM traffic.  The price is recomputing halo rows and re-reading each
// node's weights once per band: the band is the one with the fewest
// modelled cycles among those that fit, and a region is tiled only when
// that beats running it whole.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "npu/codegen_int.h"
#include "plan/memory_planner.h"

namespace rnpu::npu {

namespace {

constexpr uint64_t kAlign = 64;

uint64_t align_up(uint64_t v) {
  return (v + kAlign - 1) & ~(kAlign - 1);
}

bool is_act(const std::string& op) {
  static const char* const acts[] = {"Relu",      "Sigmoid", "Tanh",        "HardSwish", "Gelu",
                                     "LeakyRelu", "Elu",     "HardSigmoid", "Clip"};
  for (const char* a : acts)
    if (op == a) return true;
  return false;
}

bool is_binary(const std::string& op) {
  return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Min" || op == "Max";
}

std::vector<ir::ValueId> dyn_inputs(const ir::Graph& g, const ir::Node& n) {
  std::vector<ir::ValueId> v;
  for (ir::ValueId x : n.inputs)
    if (x != ir::kNoValue && !g.value(x).is_constant()) v.push_back(x);
  return v;
}

// Row geometry of n when it can be computed band by band.
bool row_local(const ir::Graph& g, const ir::Node& n, RowGeom* r) {
  if (n.dead || n.inputs.empty() || n.outputs.size() != 1) return false;
  std::vector<ir::ValueId> in = dyn_inputs(g, n);
  if (in.empty() || in.size() > 2) return false;
  const ir::Value& y = g.value(n.outputs[0]);
  if (!y.shape.is_static() || y.shape.rank() != 4 || device_dtype(y) == RNPU_DT_INVALID)
    return false;
  for (ir::ValueId v : in) {
    const ir::Value& x = g.value(v);
    if (!x.shape.is_static() || x.shape.rank() != 4 || device_dtype(x) == RNPU_DT_INVALID ||
        x.shape.values()[0] != y.shape.values()[0])
      return false;
  }
  *r = RowGeom{};
  if (is_binary(n.op)) {
    // Same shape in and out (no broadcasting of a banded value); a
    // constant operand must be the same on every row (scalar or per
    // channel).  Two dynamic operands: both from the region or its inputs.
    for (ir::ValueId v : in)
      if (g.value(v).shape.values() != y.shape.values()) return false;
    if (in.size() == 2) return n.op != "Div";
    const ir::Value& c = g.value(n.inputs[0] == in[0] ? n.inputs[1] : n.inputs[0]);
    std::vector<int64_t> d = c.constant->dims;
    return d.size() < 2 || d[d.size() - 2] == 1;
  }
  if (in.size() != 1 || n.inputs[0] != in[0]) return false;
  if (n.op == "Conv") return conv_rows(g, n, r);
  if (n.op == "MaxPool" || n.op == "AveragePool") return pool_rows(g, n, r);
  return is_act(n.op) && g.value(in[0]).shape.values() == y.shape.values();
}

int64_t rows_of(const ir::Graph& g, ir::ValueId v) {
  return g.value(v).shape.values()[2];
}

uint64_t row_bytes(const ir::Graph& g, ir::ValueId v) {
  const ir::Value& x = g.value(v);
  std::vector<int64_t> d = x.shape.values();
  return uint64_t(d[0] * d[1] * d[3]) * dt_size(device_dtype(x));
}

struct Range {
  int64_t lo = 0, hi = 0;
  int64_t rows() const { return hi > lo ? hi - lo : 0; }
};

// Rows of the input that node geometry r needs for output rows `out`.
Range input_band(const RowGeom& r, int64_t in_rows, Range out) {
  return {std::max<int64_t>(0, out.lo * r.s - r.pt),
          std::min<int64_t>(in_rows, (out.hi - 1) * r.s - r.pt + r.k)};
}

// A node's modelled work in the timing model's terms (hw/SPEC.md,
// "Timing"): compute cycles per output row and weight bytes.
struct NodeCost {
  double compute_row = 0, weights = 0;
};

NodeCost node_cost(const ir::Graph& g, const ir::Node& n, const HwConfig& hw) {
  NodeCost c;
  std::vector<int64_t> yd = g.value(n.outputs[0]).shape.values();
  bool q = device_dtype(g.value(n.outputs[0])) != RNPU_DT_FP16;
  double cols = q ? hw.mac_cols : std::max(1u, hw.mac_cols / 2);
  double lanes = q ? hw.vec_lanes : std::max(1u, hw.vec_lanes / 2);
  double row_elems = double(yd[0] * yd[1] * yd[3]), row_pix = double(yd[0] * yd[3]);
  if (n.op == "Conv") {
    std::vector<int64_t> wd = g.value(n.inputs[1]).constant->dims;
    double groups = double(n.attrs.get_int("group", 1));
    double L = double(wd[1] * wd[2] * wd[3]), G = double(wd[0]) / groups;
    double cpass =
        G >= cols ? groups * std::ceil(G / cols) : std::ceil(groups / std::floor(cols / G));
    c.compute_row = row_pix * std::ceil(L / hw.mac_rows) * cpass;
    c.weights = double(numel(wd)) * (q ? 1 : 2) + 4.0 * double(wd[0]);
  } else if (n.op == "MaxPool" || n.op == "AveragePool") {
    std::vector<int64_t> k = n.attrs.get_ints("kernel_shape", {1, 1});
    c.compute_row = row_elems * double(numel(k)) / lanes;
  } else {
    bool heavy = n.op == "Sigmoid" || n.op == "Tanh" || n.op == "Gelu" || n.op == "Elu";
    c.compute_row = row_elems * (heavy ? 4 : 1) / lanes;
  }
  return c;
}

double cmd_cycles(const HwConfig& hw, double compute, double dram, double sram) {
  return hw.cmd_overhead + std::max({compute, dram / hw.dram_bw, sram / hw.sram_bw});
}

// A candidate region in local terms: values indexed 0..V-1.
struct Region {
  std::vector<ir::NodeId> nodes;
  std::vector<RowGeom> geom;
  std::vector<NodeCost> cost;
  std::vector<ir::ValueId> vals;
  std::vector<std::vector<int>> ins;  // per node: its dynamic inputs
  std::vector<int> outv;              // per node: its output
  std::vector<int> producer;          // per value: node index, -1 for region inputs
  std::vector<int> last;              // per value: last node reading it
  std::vector<int64_t> rows;          // per value: H
  std::vector<double> rowb;           // per value: bytes per row
  int out = -1;

  Region(const ir::Graph& gr, const std::vector<ir::NodeId>& ns, const HwConfig& hw) {
    std::map<ir::ValueId, int> local;
    auto id = [&](ir::ValueId v) {
      auto [it, fresh] = local.emplace(v, int(vals.size()));
      if (fresh) {
        vals.push_back(v);
        producer.push_back(-1);
        last.push_back(-1);
        rows.push_back(rows_of(gr, v));
        rowb.push_back(double(row_bytes(gr, v)));
      }
      return it->second;
    };
    for (ir::NodeId nid : ns) {
      const ir::Node& n = gr.node(nid);
      RowGeom r;
      row_local(gr, n, &r);
      nodes.push_back(nid);
      geom.push_back(r);
      cost.push_back(node_cost(gr, n, hw));
      std::vector<int> in;
      for (ir::ValueId v : dyn_inputs(gr, n)) {
        in.push_back(id(v));
        last[size_t(in.back())] = int(nodes.size() - 1);
      }
      ins.push_back(in);
      outv.push_back(id(n.outputs[0]));
      producer[size_t(outv.back())] = int(nodes.size() - 1);
    }
    out = outv.back();
  }
  bool internal(int v) const { return producer[size_t(v)] >= 0 && v != out; }
  double bytes(int v) const { return rowb[size_t(v)] * double(rows[size_t(v)]); }

  // Rows of every value one band [a, b) of the output needs: the hull of
  // what its readers' windows reach.
  void need(int64_t a, int64_t b, std::vector<Range>* nd) const {
    nd->assign(vals.size(), Range{});
    (*nd)[size_t(out)] = {a, b};
    for (size_t k = nodes.size(); k-- > 0;) {
      Range r = (*nd)[size_t(outv[k])];
      if (!r.rows()) continue;
      for (int u : ins[k]) {
        Range x = input_band(geom[k], rows[size_t(u)], r);
        Range& h = (*nd)[size_t(u)];
        h = h.rows() ? Range{std::min(h.lo, x.lo), std::max(h.hi, x.hi)} : x;
      }
    }
  }
};

// Modelled cycles of the region run whole.  An intermediate stays in SRAM
// when it fits there beside the largest value its producer reads or its
// readers write (both are live while it is made and read), else it goes
// to DRAM: roughly what the planner does.
double whole_cycles(const Region& R, const HwConfig& hw) {
  std::vector<bool> dram(R.vals.size(), true);
  for (size_t v = 0; v < R.vals.size(); ++v) {
    if (!R.internal(int(v))) continue;
    double nb = 0;
    for (size_t k = 0; k < R.nodes.size(); ++k) {
      bool writes = R.outv[k] == int(v), reads = false;
      for (int u : R.ins[k]) reads |= u == int(v);
      if (writes)
        for (int u : R.ins[k]) nb = std::max(nb, R.bytes(u));
      if (reads) nb = std::max(nb, R.bytes(R.outv[k]));
    }
    dram[v] = R.bytes(int(v)) + nb > double(hw.sram_bytes);
  }
  double total = 0;
  for (size_t k = 0; k < R.nodes.size(); ++k) {
    double d = R.cost[k].weights, s = 0;
    for (int u : R.ins[k]) (dram[size_t(u)] ? d : s) += R.bytes(u);
    (dram[size_t(R.outv[k])] ? d : s) += R.bytes(R.outv[k]);
    total += cmd_cycles(hw, R.cost[k].compute_row * double(R.rows[size_t(R.outv[k])]), d, s);
  }
  return total;
}

// SRAM layout of one band size: offsets of the internal values (first fit
// by lifetime within the region's node order) and its bytes; 0 when some
// band would need an empty range or the layout passes `budget`.  *cycles:
// the modelled time band by band.
uint64_t band_layout(const Region& R, int64_t band, const HwConfig& hw, uint64_t budget,
                     std::map<ir::ValueId, uint64_t>* off, double* cycles) {
  size_t V = R.vals.size();
  std::vector<int64_t> most(V, 0);
  std::vector<Range> nd;
  int64_t H = R.rows[size_t(R.out)];
  *cycles = 0;
  for (int64_t a = 0; a < H; a += band) {
    R.need(a, std::min(a + band, H), &nd);
    for (size_t v = 0; v < V; ++v) {
      if (!nd[v].rows()) return 0;
      most[v] = std::max(most[v], nd[v].rows());
    }
    for (size_t k = 0; k < R.nodes.size(); ++k) {
      Range r = nd[size_t(R.outv[k])];
      double d = R.cost[k].weights, s = 0;
      for (int u : R.ins[k]) {
        double b = R.rowb[size_t(u)] * double(input_band(R.geom[k], R.rows[size_t(u)], r).rows());
        (R.internal(u) ? s : d) += b;
      }
      (R.internal(R.outv[k]) ? s : d) += R.rowb[size_t(R.outv[k])] * double(r.rows());
      *cycles += cmd_cycles(hw, R.cost[k].compute_row * double(r.rows()), d, s);
    }
  }
  // First fit in value order, through the core planner; a layout past
  // `budget` is no layout (the caller tries the other band sizes).
  plan::PlanOptions po;
  po.alignment = kAlign;
  po.order = plan::PlanOptions::Order::kGiven;
  po.fit = plan::PlanOptions::Fit::kFirst;
  po.capacity = budget;
  plan::Placer placer(po);
  off->clear();
  for (size_t v = 0; v < V; ++v) {
    if (!R.internal(int(v))) continue;
    plan::Interval iv{size_t(align_up(uint64_t(double(most[v]) * R.rowb[v]))), R.producer[v],
                      R.last[v]};
    std::optional<size_t> at = placer.place(iv);
    if (!at) return 0;
    (*off)[R.vals[v]] = *at;
  }
  uint64_t peak = placer.peak();
  return peak ? peak : kAlign;
}

// Band sizes worth trying: every size up to 16 rows, then steps of about
// 1/8 up to the whole height.
std::vector<int64_t> band_candidates(int64_t H) {
  std::vector<int64_t> c;
  for (int64_t b = 1; b <= H; b = b < 16 ? b + 1 : b + std::max<int64_t>(1, b / 8)) c.push_back(b);
  if (c.empty() || c.back() != H) c.push_back(H);
  return c;
}

}  // namespace

std::vector<TileGroup> find_tile_groups(const ir::Graph& g, std::vector<ir::NodeId>* order,
                                        const HwConfig& hw, bool chains_only,
                                        const std::vector<ir::NodeId>& skip) {
  // An intermediate this large would not share the window with its
  // producer's input and its consumer's output: it may go to DRAM.
  const uint64_t big = hw.sram_bytes / 4, budget = hw.sram_bytes * 3 / 4;
  const size_t kMaxScan = 256;  // nodes looked at ahead of a region's start
  std::map<ir::ValueId, std::vector<ir::NodeId>> readers;
  std::map<ir::NodeId, size_t> pos;
  for (size_t i = 0; i < order->size(); ++i) {
    ir::NodeId id = (*order)[i];
    pos[id] = i;
    for (ir::ValueId v : g.node(id).inputs)
      if (v != ir::kNoValue) readers[v].push_back(id);
  }
  auto defined_before = [&](ir::ValueId v, size_t start) {
    ir::NodeId p = g.value(v).producer;
    return p == ir::kNoNode || !pos.count(p) || pos[p] < start;
  };
  std::vector<TileGroup> groups;
  std::set<ir::NodeId> taken;
  for (size_t i = 0; i < order->size(); ++i) {
    ir::NodeId id = (*order)[i];
    RowGeom r;
    if (taken.count(id) || !row_local(g, g.node(id), &r)) continue;
    if (chains_only && dyn_inputs(g, g.node(id)).size() != 1) continue;
    if (std::find(skip.begin(), skip.end(), id) != skip.end()) continue;
    bool inputs_before = true;
    for (ir::ValueId v : dyn_inputs(g, g.node(id))) inputs_before &= defined_before(v, i);
    if (!inputs_before) continue;
    // Grow: every later row-local node reading the region's values (and
    // otherwise only values from before it) joins.
    std::vector<ir::NodeId> cand{id};
    std::set<ir::ValueId> made{g.node(id).outputs[0]};
    for (size_t j = i + 1; j < order->size() && j < i + kMaxScan; ++j) {
      ir::NodeId c = (*order)[j];
      if (taken.count(c) || !row_local(g, g.node(c), &r)) continue;
      bool reads_region = false, ok = true;
      std::vector<ir::ValueId> din = dyn_inputs(g, g.node(c));
      if (chains_only && (din.size() != 1 || din[0] != g.node(cand.back()).outputs[0])) continue;
      for (ir::ValueId v : din) {
        if (made.count(v))
          reads_region = true;
        else
          ok &= defined_before(v, i);
      }
      if (!ok || !reads_region) continue;
      cand.push_back(c);
      made.insert(g.node(c).outputs[0]);
    }
    // Of the prefixes whose only value used outside is their last node's
    // output, that have a large intermediate and fit, the one that makes
    // the candidate list cheapest: the prefix tiled, the rest run whole.
    std::vector<double> whole_from(cand.size() + 1, 0);  // rest run whole, per node
    for (size_t k = cand.size(); k-- > 0;) {
      Region one(g, {cand[k]}, hw);
      whole_from[k] = whole_from[k + 1] + whole_cycles(one, hw);
    }
    TileGroup chosen;
    double chosen_total = 0;
    for (size_t e = 2; e <= cand.size(); ++e) {
      std::set<ir::NodeId> in_prefix(cand.begin(), cand.begin() + ptrdiff_t(e));
      bool single = true, large = false;
      for (size_t k = 0; k + 1 < e && single; ++k) {
        ir::ValueId v = g.node(cand[k]).outputs[0];
        if (g.is_graph_output(v)) single = false;
        for (ir::NodeId rd : readers[v]) single &= in_prefix.count(rd) > 0;
        large |= row_bytes(g, v) * uint64_t(rows_of(g, v)) > big;
      }
      if (!single || !large) continue;
      Region R(g, std::vector<ir::NodeId>(cand.begin(), cand.begin() + ptrdiff_t(e)), hw);
      TileGroup grp;
      double best = 0;
      for (int64_t band : band_candidates(R.rows[size_t(R.out)])) {
        std::map<ir::ValueId, uint64_t> off;
        double c = 0;
        uint64_t bytes = band_layout(R, band, hw, budget, &off, &c);
        if (bytes && (!grp.band || c < best)) {
          grp.band = band;
          grp.bytes = bytes;
          grp.off = std::move(off);
          best = c;
        }
      }
      // Clearly not worth it when the bands' halos and weight re-reads
      // cost more than the DRAM traffic they save (short tensors).  The
      // estimate ignores the planner's exact placement, so marginal cases
      // are left to compile(), which measures the finished stream.
      if (!grp.band || best >= 1.25 * whole_cycles(R, hw)) continue;
      double total = best + whole_from[e];
      if (chosen.band && total >= chosen_total) continue;
      grp.nodes = R.nodes;
      grp.output = R.vals[size_t(R.out)];
      for (size_t v = 0; v < R.vals.size(); ++v)
        if (R.producer[v] < 0) grp.inputs.push_back(R.vals[v]);
      chosen = std::move(grp);
      chosen_total = total;
    }
    if (chosen.band) {
      taken.insert(chosen.nodes.begin(), chosen.nodes.end());
      groups.push_back(std::move(chosen));
    }
  }
  // Make each group's nodes consecutive at its first node's place: members
  // read only the group's values and values from before it, and nothing
  // outside reads the group's values but its output, which comes last.
  std::map<ir::NodeId, const TileGroup*> first;
  for (const TileGroup& grp : groups) first[grp.nodes.front()] = &grp;
  std::vector<ir::NodeId> out;
  for (ir::NodeId id : *order) {
    if (first.count(id))
      out.insert(out.end(), first[id]->nodes.begin(), first[id]->nodes.end());
    else if (!taken.count(id))
      out.push_back(id);
  }
  *order = std::move(out);
  return groups;
}

void Codegen::lower_group(const TileGroup& grp, Program& p) {
  Region R(g_, grp.nodes, hw_);
  size_t L = grp.nodes.size(), base = p.nodes.size();
  std::vector<Tensor> outside(R.vals.size());  // region inputs and output
  for (size_t v = 0; v < R.vals.size(); ++v)
    if (!R.internal(int(v))) outside[v] = vals_[size_t(R.vals[v])];
  auto band_of = [](Tensor t, int64_t r0, int64_t r1) {
    if (t.strides.empty()) t.strides = dense_strides(t.dims);
    t.elem_off += uint64_t(r0 * t.strides[2]);
    t.dims[2] = r1 - r0;
    return t;
  };
  auto in_sram = [&](int v, int64_t rows) {
    const ir::Value& x = val(R.vals[size_t(v)]);
    Tensor t;
    t.buf = grp.buf;
    t.dt = device_dtype(x);
    t.dims = x.shape.values();
    t.dims[2] = rows;
    t.elem_off = grp.off.at(R.vals[size_t(v)]) / dt_size(t.dt);
    if (x.quant) {
      t.scale = x.quant->scale[0];
      t.zp = x.quant->zero_point.empty() ? 0 : x.quant->zero_point[0];
    }
    return t;
  };
  std::vector<uint64_t> macs(L, 0), rows(L, 0);
  std::vector<Range> nd;
  int64_t H = R.rows[size_t(R.out)];
  for (int64_t a = 0; a < H; a += grp.band) {
    R.need(a, std::min(a + grp.band, H), &nd);
    for (size_t k = 0; k < L; ++k) {
      const ir::Node& n = g_.node(grp.nodes[k]);
      const RowGeom& r = R.geom[k];
      Range o = nd[size_t(R.outv[k])], in;
      for (int u : R.ins[k]) {
        in = input_band(r, R.rows[size_t(u)], o);
        Range st = nd[size_t(u)];  // what the value holds this band
        vals_[size_t(R.vals[size_t(u)])] =
            R.internal(u) ? band_of(in_sram(u, st.rows()), in.lo - st.lo, in.hi - st.lo)
                          : band_of(outside[size_t(u)], in.lo, in.hi);
      }
      int y = R.outv[k];
      vals_[size_t(R.vals[size_t(y)])] =
          R.internal(y) ? in_sram(y, o.rows()) : band_of(outside[size_t(y)], o.lo, o.hi);
      // Pads are what the band's window reaches beyond the rows it reads.
      window_.pt = in.lo - (o.lo * r.s - r.pt);
      window_.pb = (o.hi - 1) * r.s - r.pt + r.k - in.hi;
      cur_node_ = uint32_t(base + k);
      cur_macs_ = 0;
      lower(n);
      macs[k] += cur_macs_;
      rows[k] += uint64_t(o.rows());
    }
  }
  window_ = {-1, -1};
  for (size_t v = 0; v < R.vals.size(); ++v)
    vals_[size_t(R.vals[v])] = R.internal(int(v)) ? Tensor{} : outside[v];
  for (size_t k = 0; k < L; ++k) {
    const ir::Node& n = g_.node(grp.nodes[k]);
    NodeInfo ni;
    ni.name = n.name;
    ni.op = n.op;
    // The node's own MACs (the roofline's work), not the halo recomputed.
    ni.macs = macs[k] / rows[k] * uint64_t(rows_of(g_, n.outputs[0]));
    ni.int8 = device_dtype(val(n.outputs[0])) != RNPU_DT_FP16;
    p.nodes.push_back(ni);
    p.macs += ni.macs;
  }
}

}  // namespace rnpu::npu
