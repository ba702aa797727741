#include "npu/program.h"

#include <algorithm>
#include <cstring>

#include "npu/codegen_int.h"

extern "C" {
#include "rnpu_model.h"
}

namespace rnpu::npu {

HwConfig HwConfig::from_model(const rnpu_model_config& c) {
  HwConfig h;
  h.hw_version = RNPU_HW_VERSION;
  h.cmd_version = RNPU_CS_VERSION;
  h.mac_rows = c.mac_rows;
  h.mac_cols = c.mac_cols;
  h.vec_lanes = c.vec_lanes;
  h.sram_bytes = uint64_t(c.sram_kib) * 1024;
  h.dram_bw = c.dram_bytes_per_cycle;
  h.sram_bw = c.sram_bytes_per_cycle;
  h.cmd_overhead = c.cmd_overhead_cycles;
  h.max_freq_hz = 0;
  for (uint32_t i = 0; i < c.num_opp && i < RNPU_MAX_OPP; ++i)
    h.max_freq_hz = std::max<uint64_t>(h.max_freq_hz, uint64_t(c.opp_mhz[i]) * 1000000);
  return h;
}

rnpu_model_config HwConfig::to_model() const {
  rnpu_model_config c;
  rnpu_model_default_config(&c);
  c.mac_rows = mac_rows;
  c.mac_cols = mac_cols;
  c.vec_lanes = vec_lanes;
  c.sram_kib = uint32_t(sram_bytes / 1024);
  c.dram_bytes_per_cycle = dram_bw;
  c.sram_bytes_per_cycle = sram_bw;
  c.cmd_overhead_cycles = cmd_overhead;
  return c;
}

HwConfig HwConfig::reference() {
  rnpu_model_config c;
  rnpu_model_default_config(&c);
  return from_model(c);
}

bool HwConfig::runs_on(const HwConfig& dev, std::string* why) const {
  std::string w;
  if (dev.cmd_version < cmd_version)
    w = "command-stream version " + std::to_string(cmd_version) + " but the device takes " +
        std::to_string(dev.cmd_version);
  else if ((dev.hw_version >> 16) != (hw_version >> 16))
    w = "hardware major version " + std::to_string(hw_version >> 16) + " but the device is " +
        std::to_string(dev.hw_version >> 16);
  else if (dev.mac_rows != mac_rows || dev.mac_cols != mac_cols || dev.vec_lanes != vec_lanes)
    w = "MAC array " + std::to_string(mac_rows) + "x" + std::to_string(mac_cols) + " with " +
        std::to_string(vec_lanes) + " vector lanes but the device has " +
        std::to_string(dev.mac_rows) + "x" + std::to_string(dev.mac_cols) + " with " +
        std::to_string(dev.vec_lanes);
  else if (dev.sram_bytes < sram_bytes)
    w = "needs " + std::to_string(sram_bytes >> 10) + " KiB of SRAM but the device has " +
        std::to_string(dev.sram_bytes >> 10) + " KiB";
  if (why) *why = w;
  return w.empty();
}

std::string HwConfig::str() const {
  char b[160];
  std::snprintf(b, sizeof b, "rnpu hw %u.%u, %ux%u MACs, %u lanes, %llu KiB SRAM, cmd v%u",
                hw_version >> 16, (hw_version >> 8) & 0xff, mac_rows, mac_cols, vec_lanes,
                (unsigned long long)(sram_bytes >> 10), cmd_version);
  return b;
}

std::vector<uint8_t> Program::relocate(uint64_t base) const {
  return relocate(base, base + data_start());
}

uint64_t Program::data_start() const {
  return (weights.size() + 63) & ~uint64_t(63);
}

std::vector<uint8_t> Program::relocate(uint64_t weights_va, uint64_t data_va) const {
  std::vector<uint8_t> s = stream;
  uint64_t split = data_start();
  for (uint32_t at : relocs) {
    uint64_t v;
    std::memcpy(&v, &s[at], 8);
    v = v < split ? weights_va + v : data_va + (v - split);
    std::memcpy(&s[at], &v, 8);
  }
  return s;
}

uint64_t Program::compulsory_bytes() const {
  uint64_t b = weights.size();
  for (const auto& i : inputs) b += i.bytes;
  for (const auto& o : outputs) b += o.bytes;
  return b;
}

namespace {

constexpr uint32_t kMagic = 0x47504e52;  // "RNPG"
constexpr uint64_t kMaxImage = uint64_t(1) << 38;

uint64_t align64(uint64_t b) {
  return (b + 63) & ~uint64_t(63);
}
constexpr uint32_t kVersion = 1;
constexpr uint64_t kMaxString = 4096;

struct Writer {
  std::vector<uint8_t> b;
  template <class T>
  void put(T v) {
    size_t at = b.size();
    b.resize(at + sizeof(T));
    std::memcpy(&b[at], &v, sizeof(T));
  }
  void bytes(std::span<const uint8_t> v) {
    put<uint64_t>(v.size());
    b.insert(b.end(), v.begin(), v.end());
  }
  void str(const std::string& s) { bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }
};

struct Reader {
  std::span<const uint8_t> b;
  size_t pos = 0;
  [[noreturn]] static void bad(const std::string& why) {
    throw Error(ErrorCode::kMalformedModel, "compiled NPU program: " + why);
  }
  template <class T>
  T get() {
    if (b.size() - pos < sizeof(T)) bad("truncated");
    T v;
    std::memcpy(&v, b.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  uint64_t count(uint64_t elem_size) {
    uint64_t n = get<uint64_t>();
    if (elem_size && n > (b.size() - pos) / elem_size) bad("length out of range");
    return n;
  }
  std::vector<uint8_t> bytes() {
    uint64_t n = count(1);
    std::vector<uint8_t> v(b.begin() + ptrdiff_t(pos), b.begin() + ptrdiff_t(pos + n));
    pos += n;
    return v;
  }
  std::string str() {
    auto v = bytes();
    if (v.size() > kMaxString) bad("string too long");
    return std::string(v.begin(), v.end());
  }
};

void put_io(Writer& w, const std::vector<IoBinding>& v) {
  w.put<uint64_t>(v.size());
  for (const auto& io : v) {
    w.put<int32_t>(io.value);
    w.str(io.name);
    w.put<uint8_t>(uint8_t(io.dtype));
    w.put<uint64_t>(io.shape.size());
    for (int64_t d : io.shape) w.put<int64_t>(d);
    w.put<uint64_t>(io.offset);
    w.put<uint64_t>(io.bytes);
  }
}

std::vector<IoBinding> get_io(Reader& r, uint64_t image) {
  std::vector<IoBinding> v(r.count(8 + 1 + 8 + 8 + 8));
  for (auto& io : v) {
    io.value = r.get<int32_t>();
    io.name = r.str();
    io.dtype = DataType(r.get<uint8_t>());
    uint64_t rank = r.count(8);
    if (rank > 16) r.bad("rank out of range");
    io.shape.resize(rank);
    for (auto& d : io.shape) d = r.get<int64_t>();
    io.offset = r.get<uint64_t>();
    io.bytes = r.get<uint64_t>();
    if (io.offset > image || io.bytes > image - io.offset) r.bad("I/O region outside the image");
  }
  return v;
}

}  // namespace

std::vector<uint8_t> save_program(const Program& p) {
  Writer w;
  w.put(kMagic);
  w.put(kVersion);
  const HwConfig& h = p.hw;
  for (uint32_t v : {h.hw_version, h.cmd_version, h.mac_rows, h.mac_cols, h.vec_lanes, h.dram_bw,
                     h.sram_bw, h.cmd_overhead})
    w.put(v);
  w.put(h.sram_bytes);
  w.put(h.max_freq_hz);
  w.bytes(p.stream);
  w.put<uint64_t>(p.relocs.size());
  for (uint32_t r : p.relocs) w.put(r);
  w.bytes(p.weights);
  w.put(p.image_bytes);
  w.put(p.scratch_bytes);
  w.put(p.sram_bytes);
  put_io(w, p.inputs);
  put_io(w, p.outputs);
  w.put<uint64_t>(p.nodes.size());
  for (const auto& n : p.nodes) {
    w.str(n.name);
    w.str(n.op);
    w.put(n.macs);
    w.put<uint8_t>(n.int8);
  }
  w.put<uint64_t>(p.cmds.size());
  for (const auto& c : p.cmds) {
    w.put(c.offset);
    w.put(c.node);
  }
  w.put(p.macs);
  return w.b;
}

Program load_program(std::span<const uint8_t> data) {
  Reader r{data};
  if (r.get<uint32_t>() != kMagic) r.bad("bad magic");
  if (uint32_t v = r.get<uint32_t>(); v != kVersion)
    r.bad("format version " + std::to_string(v) + " (this library reads " +
          std::to_string(kVersion) + ")");
  Program p;
  HwConfig& h = p.hw;
  for (uint32_t* f : {&h.hw_version, &h.cmd_version, &h.mac_rows, &h.mac_cols, &h.vec_lanes,
                      &h.dram_bw, &h.sram_bw, &h.cmd_overhead})
    *f = r.get<uint32_t>();
  h.sram_bytes = r.get<uint64_t>();
  h.max_freq_hz = r.get<uint64_t>();
  p.stream = r.bytes();
  p.relocs.resize(r.count(4));
  for (uint32_t& x : p.relocs) {
    x = r.get<uint32_t>();
    if (p.stream.size() < 8 || x > p.stream.size() - 8) r.bad("relocation outside the stream");
  }
  p.weights = r.bytes();
  p.image_bytes = r.get<uint64_t>();
  p.scratch_bytes = r.get<uint64_t>();
  p.sram_bytes = r.get<uint64_t>();
  if (p.weights.size() > p.image_bytes || p.image_bytes > kMaxImage)
    r.bad("image size out of range");
  p.inputs = get_io(r, p.image_bytes);
  p.outputs = get_io(r, p.image_bytes);
  // The image is [weights][inputs][outputs][scratch] (64-byte aligned): no
  // larger than its parts, and the per-run regions lie past the weights.
  uint64_t parts = p.data_start();
  for (const auto* list : {&p.inputs, &p.outputs})
    for (const IoBinding& io : *list) {
      if (io.offset < p.data_start()) r.bad("I/O region of '" + io.name + "' overlaps the weights");
      parts = std::min(parts + align64(io.bytes), kMaxImage);
    }
  if (p.scratch_bytes > p.image_bytes ||
      p.image_bytes > std::min(parts + p.scratch_bytes, kMaxImage))
    r.bad("image of " + std::to_string(p.image_bytes) + " bytes is larger than its weights, I/O (" +
          std::to_string(parts) + " bytes) and scratch (" + std::to_string(p.scratch_bytes) +
          " bytes)");
  p.nodes.resize(r.count(8 + 8 + 8 + 1));
  for (auto& n : p.nodes) {
    n.name = r.str();
    n.op = r.str();
    n.macs = r.get<uint64_t>();
    n.int8 = r.get<uint8_t>() != 0;
  }
  p.cmds.resize(r.count(8));
  for (auto& c : p.cmds) {
    c.offset = r.get<uint32_t>();
    c.node = r.get<uint32_t>();
    if (c.offset >= p.stream.size() || c.node >= p.nodes.size())
      r.bad("command table out of range");
  }
  p.macs = r.get<uint64_t>();
  if (r.pos != data.size()) r.bad("trailing bytes");
  rnpu_model_result res;
  if (rnpu_model_validate(p.stream.data(), p.stream.size(), &res) != RNPU_MS_OK)
    r.bad(std::string("command stream rejected: ") + res.msg);
  return p;
}

namespace {

// The most DRAM scratch the code generator can ask for `sub`: a device
// tensor for every non-constant value (fp32 at most) and the zero-inserted
// input of every ConvTranspose not lowered per phase, none sharing memory.
uint64_t max_scratch_bytes(const ir::Graph& sub) {
  uint64_t total = 0;
  auto add = [&](uint64_t bytes) { total = std::min(total + align64(bytes), kMaxImage); };
  for (const ir::Value& v : sub.values)
    if (!v.constant)
      if (auto n = v.shape.numel()) add(uint64_t(std::max<int64_t>(*n, 1)) * 4);
  for (const ir::Node& n : sub.nodes) {
    ConvTGeom t;
    if (n.dead || n.op != "ConvTranspose" || !convt_geom(sub, n, &t) || convt_phased(t)) continue;
    auto z = ir::checked_numel({t.n, t.c, t.zh, t.zw});
    add(z ? uint64_t(*z) * 2 : kMaxImage);
  }
  return total;
}

void check_io(const std::vector<IoBinding>& io, const ir::Graph& sub,
              const std::vector<ir::ValueId>& want, const std::string& kind) {
  auto bad = [](const std::string& why) {
    throw Error(ErrorCode::kMalformedModel, "compiled NPU program: " + why);
  };
  if (io.size() != want.size())
    bad(std::to_string(io.size()) + " " + kind + " bindings for a partition with " +
        std::to_string(want.size()) + " " + kind + "s");
  for (size_t i = 0; i < io.size(); ++i) {
    const IoBinding& b = io[i];
    std::string what = kind + " binding " + std::to_string(i) + " ('" + b.name + "')";
    if (b.value != want[i])
      bad(what + " names value " + std::to_string(b.value) + ", not the partition's " + kind + " " +
          std::to_string(want[i]));
    const ir::Value& v = sub.value(want[i]);
    auto n = v.shape.numel();
    if (b.dtype != v.dtype || !n || b.shape != v.shape.values() ||
        b.bytes != uint64_t(*n) * ir::dtype_size(v.dtype))
      bad(what + " is " + ir::dtype_name(b.dtype) + ir::Shape(b.shape).str() + " in " +
          std::to_string(b.bytes) + " bytes, but the partition's '" + v.name + "' is " +
          ir::dtype_name(v.dtype) + v.shape.str());
  }
}

}  // namespace

void check_program(const Program& p, const ir::Graph& sub) {
  check_io(p.inputs, sub, sub.inputs, "input");
  check_io(p.outputs, sub, sub.outputs, "output");
  uint64_t most = max_scratch_bytes(sub);
  if (p.scratch_bytes > most)
    throw Error(ErrorCode::kMalformedModel, "compiled NPU program: scratch of " +
                                                std::to_string(p.scratch_bytes) +
                                                " bytes exceeds the " + std::to_string(most) +
                                                " bytes the partition's tensors can need");
}

}  // namespace rnpu::npu
