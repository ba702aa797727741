// Tiling through the SRAM window: chains of row-local ops (Conv, windowed
// pools, activations) whose intermediates are too large for SRAM run band
// by band.  Each band of the chain's last output needs a band of every
// earlier output (its rows plus the halo the windows read); those bands
// live in two alternating SRAM regions, so the intermediates never touch
// DRAM.  The chain's input is read and its output written in place, a band
// at a time, wherever the planner put them.
//
// Why this and not per-op tiling: commands run one after another (timing
// model, hw/SPEC.md), so staging one op's tiles through SRAM by DMA costs
// the DRAM time plus the copies; only keeping intermediates on chip saves
// DRAM traffic.  The price is recomputing halo rows and re-reading each
// node's weights once per band: the band is the one with the fewest
// modelled cycles among those that fit, and a chain is tiled only when
// that beats running it whole.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "npu/codegen_int.h"

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

}  // namespace

ir::ValueId chain_input(const ir::Graph& g, const ir::Node& n) {
  ir::ValueId dyn = ir::kNoValue;
  for (ir::ValueId v : n.inputs) {
    if (v == ir::kNoValue || g.value(v).is_constant()) continue;
    if (dyn != ir::kNoValue) return ir::kNoValue;
    dyn = v;
  }
  return dyn;
}

namespace {

// Row geometry of n when it can be computed band by band.
bool row_local(const ir::Graph& g, const ir::Node& n, RowGeom* r) {
  if (n.dead || n.inputs.empty() || n.outputs.size() != 1) return false;
  ir::ValueId in = chain_input(g, n);
  if (in == ir::kNoValue) return false;
  const ir::Value &x = g.value(in), &y = g.value(n.outputs[0]);
  if (!x.shape.is_static() || !y.shape.is_static() || x.shape.rank() != 4 || y.shape.rank() != 4 ||
      x.shape.values()[0] != y.shape.values()[0])
    return false;
  if (device_dtype(x) == RNPU_DT_INVALID || device_dtype(y) == RNPU_DT_INVALID) return false;
  *r = RowGeom{};
  if (is_binary(n.op)) {
    // The constant operand (either side) must be the same on every row:
    // a scalar or per channel.  Same shape in and out (no broadcasting of
    // the chain value itself).
    if (x.shape.values() != y.shape.values()) return false;
    const ir::Value& c = g.value(n.inputs[0] == in ? n.inputs[1] : n.inputs[0]);
    std::vector<int64_t> d = c.constant->dims;
    return d.size() < 2 || d[d.size() - 2] == 1;
  }
  if (n.inputs[0] != in) return false;
  if (n.op == "Conv") return conv_rows(g, n, r);
  if (n.op == "MaxPool" || n.op == "AveragePool") return pool_rows(g, n, r);
  return is_act(n.op) && x.shape.values() == y.shape.values();
}

int64_t rows_of(const ir::Graph& g, ir::ValueId v) {
  return g.value(v).shape.values()[2];
}

uint64_t row_bytes(const ir::Graph& g, ir::ValueId v) {
  const ir::Value& x = g.value(v);
  std::vector<int64_t> d = x.shape.values();
  return uint64_t(d[0] * d[1] * d[3]) * dt_size(device_dtype(x));
}

// Band of the input rows node geometry r needs for output rows [lo, hi).
void input_band(const RowGeom& r, int64_t in_rows, int64_t* lo, int64_t* hi) {
  int64_t a = std::max<int64_t>(0, *lo * r.s - r.pt);
  int64_t b = std::min<int64_t>(in_rows, (*hi - 1) * r.s - r.pt + r.k);
  *lo = a;
  *hi = b;
}

// A node's modelled work in the timing model's terms (hw/SPEC.md,
// "Timing"): compute cycles per output row, bytes per input and output row,
// weight bytes.
struct NodeCost {
  double compute_row = 0, in_row = 0, out_row = 0, weights = 0;
};

NodeCost node_cost(const ir::Graph& g, const ir::Node& n, const HwConfig& hw) {
  NodeCost c;
  ir::ValueId in = chain_input(g, n), out = n.outputs[0];
  std::vector<int64_t> yd = g.value(out).shape.values();
  bool q = device_dtype(g.value(out)) != RNPU_DT_FP16;
  double cols = q ? hw.mac_cols : std::max(1u, hw.mac_cols / 2);
  double lanes = q ? hw.vec_lanes : std::max(1u, hw.vec_lanes / 2);
  double row_elems = double(yd[0] * yd[1] * yd[3]), row_pix = double(yd[0] * yd[3]);
  c.in_row = double(row_bytes(g, in));
  c.out_row = double(row_bytes(g, out));
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

// Modelled cycles of the chain run whole.  An intermediate stays in SRAM
// when it fits there together with its producer's input or its consumer's
// output, whichever is larger (both are live while it is made and read),
// else it goes to DRAM: roughly what the planner does.
double whole_cycles(const ir::Graph& g, const std::vector<ir::NodeId>& nodes, const HwConfig& hw) {
  size_t L = nodes.size();
  std::vector<double> bytes(L + 1);  // bytes[k]: node k's input; bytes[L]: the output
  for (size_t k = 0; k < L; ++k)
    bytes[k] = double(row_bytes(g, chain_input(g, g.node(nodes[k])))) *
               double(rows_of(g, chain_input(g, g.node(nodes[k]))));
  bytes[L] = double(row_bytes(g, g.node(nodes.back()).outputs[0])) *
             double(rows_of(g, g.node(nodes.back()).outputs[0]));
  auto in_dram = [&](size_t k) {  // value k: input of node k
    return k == 0 || k == L ||
           bytes[k] + std::max(bytes[k - 1], bytes[k + 1]) > double(hw.sram_bytes);
  };
  double total = 0;
  for (size_t k = 0; k < L; ++k) {
    const ir::Node& n = g.node(nodes[k]);
    NodeCost c = node_cost(g, n, hw);
    bool id = in_dram(k), od = in_dram(k + 1);
    total += cmd_cycles(hw, c.compute_row * double(rows_of(g, n.outputs[0])),
                        c.weights + (id ? bytes[k] : 0) + (od ? bytes[k + 1] : 0),
                        (id ? 0 : bytes[k]) + (od ? 0 : bytes[k + 1]));
  }
  return total;
}

// SRAM bytes the chain needs with `band` output rows per band (0 when a
// band would be empty) and, in *cycles, its modelled time run band by band.
uint64_t band_bytes(const ir::Graph& g, const std::vector<ir::NodeId>& nodes,
                    const std::vector<RowGeom>& geom, int64_t band, const HwConfig& hw,
                    uint64_t region[2], double* cycles) {
  size_t L = nodes.size();
  std::vector<int64_t> rows(L, 0);  // most rows of intermediate k in any band
  std::vector<NodeCost> cost;
  for (ir::NodeId id : nodes) cost.push_back(node_cost(g, g.node(id), hw));
  std::vector<int64_t> lo(L + 1), hi(L + 1);  // node k's output rows: [lo[k+1], hi[k+1])
  int64_t H = rows_of(g, g.node(nodes.back()).outputs[0]);
  *cycles = 0;
  for (int64_t a = 0; a < H; a += band) {
    lo[L] = a;
    hi[L] = std::min(a + band, H);
    for (size_t k = L; k-- > 0;) {
      lo[k] = lo[k + 1];
      hi[k] = hi[k + 1];
      input_band(geom[k], rows_of(g, chain_input(g, g.node(nodes[k]))), &lo[k], &hi[k]);
      if (hi[k] <= lo[k]) return 0;
      if (k > 0) rows[k - 1] = std::max(rows[k - 1], hi[k] - lo[k]);
    }
    for (size_t k = 0; k < L; ++k) {
      double in = cost[k].in_row * double(hi[k] - lo[k]);
      double out = cost[k].out_row * double(hi[k + 1] - lo[k + 1]);
      *cycles += cmd_cycles(hw, cost[k].compute_row * double(hi[k + 1] - lo[k + 1]),
                            cost[k].weights + (k == 0 ? in : 0) + (k + 1 == L ? out : 0),
                            (k == 0 ? 0 : in) + (k + 1 == L ? 0 : out));
    }
  }
  uint64_t reg[2] = {0, 0};
  for (size_t k = 0; k + 1 < L; ++k)
    reg[k % 2] = std::max(reg[k % 2],
                          align_up(uint64_t(rows[k]) * row_bytes(g, g.node(nodes[k]).outputs[0])));
  region[0] = 0;
  region[1] = reg[0];
  return reg[0] + reg[1];
}

// The band that fits `budget` with the fewest modelled cycles, or 0.
int64_t best_band(const ir::Graph& g, const std::vector<ir::NodeId>& nodes,
                  const std::vector<RowGeom>& geom, uint64_t budget, const HwConfig& hw,
                  uint64_t region[2], uint64_t* bytes, double* cycles) {
  int64_t H = rows_of(g, g.node(nodes.back()).outputs[0]), best = 0;
  *cycles = 0;
  for (int64_t band = H; band >= 1; --band) {
    uint64_t reg[2];
    double c = 0;
    uint64_t b = band_bytes(g, nodes, geom, band, hw, reg, &c);
    if (b && b <= budget && (!best || c < *cycles)) {
      best = band;
      *bytes = b;
      *cycles = c;
      region[0] = reg[0];
      region[1] = reg[1];
    }
  }
  return best;
}

}  // namespace

std::vector<TileGroup> find_tile_groups(const ir::Graph& g, std::vector<ir::NodeId>* order,
                                        const HwConfig& hw) {
  // An intermediate this large would not share the window with its
  // producer's input and its consumer's output: it would go to DRAM.
  const uint64_t big = hw.sram_bytes / 4, budget = hw.sram_bytes * 3 / 4;
  std::map<ir::ValueId, int> uses;
  std::map<ir::ValueId, ir::NodeId> user;
  for (ir::NodeId id : *order) {
    const ir::Node& n = g.node(id);
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue) {
        ++uses[v];
        user[v] = id;
      }
  }
  std::vector<TileGroup> groups;
  std::map<ir::NodeId, bool> taken;
  for (ir::NodeId id : *order) {
    RowGeom r;
    if (taken[id] || !row_local(g, g.node(id), &r)) continue;
    // The maximal chain from here: each output feeds only the next node.
    std::vector<ir::NodeId> chain{id};
    std::vector<RowGeom> geom{r};
    for (;;) {
      ir::ValueId v = g.node(chain.back()).outputs[0];
      if (uses[v] != 1 || g.is_graph_output(v)) break;
      ir::NodeId next = user[v];
      const ir::Node& nn = g.node(next);
      if (taken[next] || chain_input(g, nn) != v || !row_local(g, nn, &r)) break;
      chain.push_back(next);
      geom.push_back(r);
    }
    // Longest feasible prefixes, left to right.
    size_t s = 0;
    while (s + 1 < chain.size()) {
      bool made = false;
      for (size_t e = chain.size(); e >= s + 2 && !made; --e) {
        std::vector<ir::NodeId> nodes(chain.begin() + ptrdiff_t(s), chain.begin() + ptrdiff_t(e));
        std::vector<RowGeom> gm(geom.begin() + ptrdiff_t(s), geom.begin() + ptrdiff_t(e));
        bool large = false;
        for (size_t k = 0; k + 1 < nodes.size(); ++k) {
          ir::ValueId v = g.node(nodes[k]).outputs[0];
          large |= row_bytes(g, v) * uint64_t(rows_of(g, v)) > big;
        }
        if (!large) continue;
        // Worth it only when the bands' halos and weight re-reads cost less
        // than the DRAM traffic they save (short tensors: often not); the
        // 3% margin covers the estimate's error (it ignores the planner's
        // exact placement).
        TileGroup grp;
        double tiled = 0;
        grp.band = best_band(g, nodes, gm, budget, hw, grp.region, &grp.bytes, &tiled);
        if (!grp.band || tiled * 1.03 >= whole_cycles(g, nodes, hw)) continue;
        grp.nodes = nodes;
        grp.geom = gm;
        for (ir::NodeId n : nodes) taken[n] = true;
        groups.push_back(std::move(grp));
        s = e;
        made = true;
      }
      if (!made) ++s;
    }
  }
  // Make each group's nodes consecutive: a member's only non-constant
  // input is its predecessor's output, so it may move up behind it.
  std::map<ir::NodeId, const TileGroup*> first, member;
  for (const TileGroup& grp : groups) {
    first[grp.nodes.front()] = &grp;
    for (ir::NodeId n : grp.nodes) member[n] = &grp;
  }
  std::vector<ir::NodeId> out;
  for (ir::NodeId id : *order) {
    if (first.count(id)) {
      out.insert(out.end(), first[id]->nodes.begin(), first[id]->nodes.end());
    } else if (!member.count(id)) {
      out.push_back(id);
    }
  }
  *order = std::move(out);
  return groups;
}

void Codegen::lower_group(const TileGroup& grp, Program& p) {
  size_t L = grp.nodes.size(), base = p.nodes.size();
  const ir::Node& head = g_.node(grp.nodes.front());
  const ir::Node& tail = g_.node(grp.nodes.back());
  const ir::ValueId xid = chain_input(g_, head);
  const Tensor X = vals_[size_t(xid)], Y = vals_[size_t(tail.outputs[0])];
  auto band_of = [](Tensor t, int64_t r0, int64_t r1) {
    if (t.strides.empty()) t.strides = dense_strides(t.dims);
    t.elem_off += uint64_t(r0 * t.strides[2]);
    t.dims[2] = r1 - r0;
    return t;
  };
  auto in_sram = [&](size_t k, int64_t rows) {
    ir::ValueId v = g_.node(grp.nodes[k]).outputs[0];
    const ir::Value& x = val(v);
    Tensor t;
    t.buf = grp.buf;
    t.dt = device_dtype(x);
    t.dims = x.shape.values();
    t.dims[2] = rows;
    t.elem_off = grp.region[k % 2] / dt_size(t.dt);
    if (x.quant) {
      t.scale = x.quant->scale[0];
      t.zp = x.quant->zero_point.empty() ? 0 : x.quant->zero_point[0];
    }
    return t;
  };
  std::vector<uint64_t> macs(L, 0), rows(L, 0);
  int64_t H = Y.dims[2];
  std::vector<int64_t> lo(L + 1), hi(L + 1);  // rows of node k's output: [lo[k+1], hi[k+1])
  for (int64_t a = 0; a < H; a += grp.band) {
    lo[L] = a;
    hi[L] = std::min(a + grp.band, H);
    for (size_t k = L; k-- > 0;) {
      lo[k] = lo[k + 1];
      hi[k] = hi[k + 1];
      input_band(grp.geom[k], rows_of(g_, chain_input(g_, g_.node(grp.nodes[k]))), &lo[k], &hi[k]);
    }
    for (size_t k = 0; k < L; ++k) {
      const ir::Node& n = g_.node(grp.nodes[k]);
      const RowGeom& r = grp.geom[k];
      vals_[size_t(chain_input(g_, n))] =
          k == 0 ? band_of(X, lo[0], hi[0]) : in_sram(k - 1, hi[k] - lo[k]);
      vals_[size_t(n.outputs[0])] =
          k + 1 == L ? band_of(Y, lo[L], hi[L]) : in_sram(k, hi[k + 1] - lo[k + 1]);
      // Pads are what the band's window reaches beyond the rows it has.
      window_.pt = lo[k] - (lo[k + 1] * r.s - r.pt);
      window_.pb = (hi[k + 1] - 1) * r.s - r.pt + r.k - hi[k];
      cur_node_ = uint32_t(base + k);
      cur_macs_ = 0;
      lower(n);
      macs[k] += cur_macs_;
      rows[k] += uint64_t(hi[k + 1] - lo[k + 1]);
    }
  }
  window_ = {-1, -1};
  for (size_t k = 0; k + 1 < L; ++k) vals_[size_t(g_.node(grp.nodes[k]).outputs[0])] = Tensor{};
  vals_[size_t(xid)] = X;
  vals_[size_t(tail.outputs[0])] = Y;
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
