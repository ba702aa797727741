// Internals of the code generator, shared by its lowering files.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "npu/codegen.h"

extern "C" {
#include "rnpu_cmd.h"
#include "rnpu_regs.h"
}

namespace rnpu::npu {

// Device memory a tensor lives in.
struct Buffer {
  enum Kind { kScratch, kInput, kOutput, kWeight } kind = kScratch;
  uint64_t bytes = 0;
  int first = INT_MAX, last = -1;  // steps that define / last use it
  bool sram = false;
  bool pinned = false;  // must be in SRAM (a tiled group's bands)
  uint64_t off = 0;     // image offset, or SRAM window offset when sram
};

// A device view of a value: row-major in its buffer, dense unless strides
// say otherwise (a band of rows of a larger tensor, see tile.cc).
struct Tensor {
  int buf = -1;
  uint8_t dt = RNPU_DT_INVALID;
  std::vector<int64_t> dims;
  std::vector<int64_t> strides;  // elements per dim; empty: dense
  uint64_t elem_off = 0;         // first element within the buffer
  // Quantisation of INT8/UINT8 tensors (per-tensor), or per-channel
  // scales for constant weights (qscale_buf holds them as binary32).
  float scale = 0;
  int32_t zp = 0;
  int qscale_buf = -1;
  int q_axis = 0;
  bool valid() const { return buf >= 0; }
};

uint32_t dt_size(uint8_t dt);
std::vector<int64_t> dense_strides(const std::vector<int64_t>& dims);
// t's own strides when it has them for dims of this rank, else dense.
std::vector<int64_t> strides_of(const Tensor& t, const std::vector<int64_t>& dims);

// The H axis of a windowed op (Conv, pools, and 1x1 for elementwise):
// dilated kernel extent, stride and pads.  Output row o reads input rows
// [o * s - pt, o * s - pt + k).
struct RowGeom {
  int64_t k = 1, s = 1, pt = 0, pb = 0;
};
// While a band of a tiled group is lowered: the band's own H pads.
struct RowWindow {
  int64_t pt = 0, pb = 0;
};

// A region of row-local ops (tile.cc) run band by band: its intermediates
// live in one pinned SRAM buffer, never in DRAM.
struct TileGroup {
  std::vector<ir::NodeId> nodes;        // in execution order
  std::vector<ir::ValueId> inputs;      // read from outside, a band at a time
  ir::ValueId output = ir::kNoValue;    // the one value used outside; the last node's
  std::map<ir::ValueId, uint64_t> off;  // SRAM buffer offsets of the intermediates
  int64_t band = 0;                     // output rows per band
  int buf = -1;                         // the pinned SRAM buffer
  uint64_t bytes = 0;
};

uint8_t device_dtype(const ir::Value& v);  // RNPU_DT_INVALID when none
int64_t numel(const std::vector<int64_t>& d);

class Codegen {
 public:
  Codegen(const ir::Graph& g, const HwConfig& hw, const CodegenOptions& o)
      : hw_(hw), opts_(o), g_(g) {}
  Program run();
  // First nodes of the groups run() tiled.
  std::vector<ir::NodeId> group_heads() const {
    std::vector<ir::NodeId> h;
    for (const TileGroup& t : groups_) h.push_back(t.nodes.front());
    return h;
  }

  // Lowering helpers (lower_*.cc).
  const ir::Graph& g() const { return g_; }
  const Tensor& in(const ir::Node& n, size_t i);  // device tensor of input i
  Tensor& out(const ir::Node& n, size_t i = 0);
  // Scratch the planner reserved for the node (ConvTranspose's z).
  Tensor temp(const ir::Node& n, uint8_t dt, std::vector<int64_t> dims);
  bool has_in(const ir::Node& n, size_t i) const {
    return i < n.inputs.size() && n.inputs[i] != ir::kNoValue;
  }
  const ir::Value& val(ir::ValueId v) const { return g_.value(v); }
  // Non-null while a band of a tiled group is lowered.
  const RowWindow* row_window() const { return window_.pt < 0 ? nullptr : &window_; }
  // Constants a node packs, packed on its first lowering only.
  const std::vector<Tensor>& packed(const ir::Node& n,
                                    const std::function<std::vector<Tensor>()>& make);
  // Packs a constant into the weight region as dt (fp16 / int8 with the
  // value's quantisation / fp32 / int32 as given).
  Tensor pack(const std::vector<double>& values, std::vector<int64_t> dims, uint8_t dt,
              float scale = 0, int32_t zp = 0);
  Tensor pack_value(ir::ValueId v, uint8_t dt);
  int add_weight_bytes(const void* data, size_t n);

  rnpu_tensor_desc desc(const Tensor& t) const;       // dims as they are (rank <= 4)
  rnpu_tensor_desc desc_flat(const Tensor& t) const;  // as one dimension
  rnpu_tensor_desc desc(const Tensor& t, const std::vector<int64_t>& dims,
                        const std::vector<int64_t>& strides_elems, uint64_t extra_off) const;
  // Appends a command; descs are the descriptors inside it (for relocation).
  void emit(const void* cmd, uint16_t size, std::initializer_list<const rnpu_tensor_desc*> descs);
  void dma(const rnpu_tensor_desc& src, const rnpu_tensor_desc& dst);
  // Strided copy of any rank: iteration dims with per-dim source and
  // destination strides (elements) and start offsets.  Unit dims are
  // dropped, contiguous runs merged, and what is still deeper than the
  // hardware's 4 dims becomes one DMA per outer index.
  void copy(const Tensor& src, const Tensor& dst, std::vector<int64_t> dims,
            std::vector<int64_t> sst, std::vector<int64_t> dstst, uint64_t soff, uint64_t doff);

  HwConfig hw_;
  CodegenOptions opts_;
  uint32_t cur_node_ = 0;  // Program::nodes index of the node being lowered
  uint64_t cur_macs_ = 0;

 private:
  void plan();
  void lower(const ir::Node& n);
  void lower_group(const TileGroup& grp, Program& p);
  void layout_image(Program& p);

  const ir::Graph& g_;
  // Descriptor addresses are tokens until the image is laid out.
  struct Token {
    int buf;
    uint64_t byte_off;
  };
  struct Fixup {
    uint32_t stream_off;
    uint32_t token;
  };
  std::vector<Token> tokens_;
  std::vector<Fixup> fixups_;
  std::vector<Buffer> bufs_;
  std::vector<Tensor> vals_;  // per value id
  std::map<const ir::Node*, int> temps_;
  std::map<const ir::Node*, std::vector<Tensor>> packed_;
  std::vector<TileGroup> groups_;
  std::map<ir::NodeId, size_t> group_of_;  // first node -> groups_ index
  RowWindow window_{-1, -1};
  std::vector<uint8_t> weights_;
  std::vector<uint8_t> stream_;
  std::vector<uint32_t> relocs_;
  std::vector<CmdOrigin> cmds_;
  std::vector<ir::NodeId> order_;
  uint32_t ncmds_ = 0;
  uint64_t scratch_peak_ = 0, sram_peak_ = 0;
  friend struct Planner;
};

// ConvTranspose as zero-insertion + CONV2D: the upsampled, padded input
// z [n, c, zh, zw] that a stride-1 convolution with flipped weights reads.
struct ConvTGeom {
  int64_t n = 0, c = 0, h = 0, w = 0, oc = 0, kh = 0, kw = 0, groups = 1;
  int64_t s[2] = {1, 1}, d[2] = {1, 1};
  int64_t zt = 0, zl = 0;  // where x[0, 0] lands in z
  int64_t zh = 0, zw = 0;
};
// False when the padding exceeds what zero insertion can express.
bool convt_geom(const ir::Graph& g, const ir::Node& n, ConvTGeom* t);
// Stride == kernel without dilation or padding: lowered per phase, no z.
bool convt_phased(const ConvTGeom& t);

// Per-op lowering (lower_mac.cc, lower_vec.cc, lower_move.cc); each returns
// false when it does not handle the op.
bool lower_mac(Codegen& c, const ir::Node& n);
bool lower_vec(Codegen& c, const ir::Node& n);
bool lower_move(Codegen& c, const ir::Node& n);
bool lower_convt_op(Codegen& c, const ir::Node& n);
bool conv_rows(const ir::Graph& g, const ir::Node& n, RowGeom* r);
bool pool_rows(const ir::Graph& g, const ir::Node& n, RowGeom* r);
// Regions worth running band by band through SRAM; reorders `order` so
// each group's nodes are consecutive.
// chains_only: each member reads only its predecessor's output.  No group
// starts at a node in skip.
std::vector<TileGroup> find_tile_groups(const ir::Graph& g, std::vector<ir::NodeId>* order,
                                        const HwConfig& hw, bool chains_only,
                                        const std::vector<ir::NodeId>& skip);
// True for ops whose output is the input reinterpreted (no command).
bool is_view_op(const std::string& op);
rnpu_act_params act_from(const ir::Node& n, const std::string& func, float a, float b);
rnpu_act_params fused_act(const ir::Node& n);

}  // namespace rnpu::npu
