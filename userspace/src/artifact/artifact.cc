#include "artifact/artifact.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "rnpu/types.hpp"

namespace rnpu::artifact {
namespace {

constexpr char kMagic[4] = {'R', 'N', 'P', 'B'};
constexpr uint32_t kHeaderSize = 64;
constexpr uint32_t kEntrySize = 32;
constexpr uint32_t kMaxSections = 1u << 16;
constexpr uint32_t kMaxName = 256;

// 2 was MODEL (ONNX bytes, format version 1); never reused.
enum SectionType : uint32_t { kMeta = 1, kProgram = 3, kGraph = 4 };

// Header field offsets.
enum : size_t {
  kOffMagic = 0,
  kOffVersion = 4,     // u16
  kOffHeaderSize = 6,  // u16
  kOffSections = 8,    // u32
  kOffFileSize = 16,   // u64
  kOffHwVersion = 24,  // u32
  kOffCrc = 28,        // u32
  kOffReserved = 32,   // 32 bytes of zero
};

[[noreturn]] void bad(const std::string& why) {
  throw Error(ErrorCode::kMalformedModel, "compiled artifact: " + why);
}

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  std::memcpy(&b[at], &v, 2);
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  std::memcpy(&b[at], &v, 4);
}
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  std::memcpy(&b[at], &v, 8);
}
void app32(std::vector<uint8_t>& b, uint32_t v) {
  b.resize(b.size() + 4);
  put32(b, b.size() - 4, v);
}
void app_str(std::vector<uint8_t>& b, const std::string& s) {
  app32(b, uint32_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

template <typename T>
T get(std::span<const uint8_t> b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof(T));
  return v;
}

// Bounds-checked reader over one section's payload.
struct Cursor {
  std::span<const uint8_t> b;
  size_t pos = 0;
  std::string what;
  uint32_t u32() {
    if (b.size() - pos < 4) bad(what + ": truncated");
    uint32_t v = get<uint32_t>(b, pos);
    pos += 4;
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    if (n > kMaxName || b.size() - pos < n) bad(what + ": bad string length " + std::to_string(n));
    std::string s(reinterpret_cast<const char*>(b.data() + pos), n);
    pos += n;
    return s;
  }
};

std::string meta_text(const std::map<std::string, std::string>& meta) {
  std::string s;
  for (const auto& [k, v] : meta) {
    if (k.empty() || k.find_first_of("=\n") != std::string::npos ||
        v.find('\n') != std::string::npos)
      throw Error(ErrorCode::kInvalidArgument,
                  "artifact metadata key/value not representable: " + k);
    s += k + "=" + v + "\n";
  }
  return s;
}

std::map<std::string, std::string> parse_meta(std::span<const uint8_t> b) {
  std::map<std::string, std::string> m;
  std::string s(b.begin(), b.end());
  size_t at = 0;
  while (at < s.size()) {
    size_t nl = s.find('\n', at);
    if (nl == std::string::npos) bad("META: last line not terminated");
    std::string line = s.substr(at, nl - at);
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) bad("META: malformed line '" + line + "'");
    m[line.substr(0, eq)] = line.substr(eq + 1);
    at = nl + 1;
  }
  return m;
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes) {
  uLong c = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed large inputs in pieces.
  size_t at = 0;
  while (at < bytes.size()) {
    size_t n = std::min<size_t>(bytes.size() - at, 1u << 30);
    c = ::crc32(c, bytes.data() + at, uInt(n));
    at += n;
  }
  return uint32_t(c);
}

bool is_artifact(const void* data, size_t size) {
  return size >= 4 && std::memcmp(data, kMagic, 4) == 0;
}

std::vector<uint8_t> write(const Artifact& a) {
  struct Sec {
    uint32_t type;
    std::vector<uint8_t> body;
  };
  std::vector<Sec> secs;
  std::string meta = meta_text(a.meta);
  secs.push_back({kMeta, std::vector<uint8_t>(meta.begin(), meta.end())});
  secs.push_back({kGraph, a.graph});
  for (const ProgramBlob& p : a.programs) {
    if (p.format.size() > kMaxName || p.fingerprint.size() > kMaxName)
      throw Error(ErrorCode::kInvalidArgument, "artifact program name too long");
    std::vector<uint8_t> b;
    app32(b, p.partition);
    app_str(b, p.format);
    app_str(b, p.fingerprint);
    b.insert(b.end(), p.data.begin(), p.data.end());
    secs.push_back({kProgram, std::move(b)});
  }

  std::vector<uint8_t> out(kHeaderSize + kEntrySize * secs.size(), 0);
  std::memcpy(&out[kOffMagic], kMagic, 4);
  put16(out, kOffVersion, uint16_t(kFormatVersion));
  put16(out, kOffHeaderSize, uint16_t(kHeaderSize));
  put32(out, kOffSections, uint32_t(secs.size()));
  put32(out, kOffHwVersion, a.hw_version);
  for (size_t i = 0; i < secs.size(); ++i) {
    // Sections start 8-byte aligned, so payloads can be used in place.
    out.resize((out.size() + 7) & ~size_t(7), 0);
    size_t e = kHeaderSize + kEntrySize * i;
    put32(out, e, secs[i].type);
    put64(out, e + 8, out.size());
    put64(out, e + 16, secs[i].body.size());
    put32(out, e + 24, crc32(secs[i].body));
    out.insert(out.end(), secs[i].body.begin(), secs[i].body.end());
  }
  put64(out, kOffFileSize, out.size());
  put32(out, kOffCrc, crc32(out));
  return out;
}

Artifact read(std::span<const uint8_t> b) {
  if (b.size() < kHeaderSize) {
    if (is_artifact(b.data(), b.size())) bad("truncated header");
    bad("not an rnpu artifact (no RNPB magic)");
  }
  if (!is_artifact(b.data(), b.size())) bad("not an rnpu artifact (no RNPB magic)");
  uint16_t version = get<uint16_t>(b, kOffVersion);
  if (version == 1)
    bad("format version 1 (it stores the ONNX model; this library reads version " +
        std::to_string(kFormatVersion) +
        ", which stores the processed graph): recompile the model from its ONNX file");
  if (version != kFormatVersion)
    bad("format version " + std::to_string(version) + " (this library reads " +
        std::to_string(kFormatVersion) + "; recompile the model)");
  if (get<uint16_t>(b, kOffHeaderSize) != kHeaderSize) bad("bad header size");
  uint64_t file_size = get<uint64_t>(b, kOffFileSize);
  if (file_size != b.size())
    bad("file is " + std::to_string(b.size()) + " bytes but the header says " +
        std::to_string(file_size) + " (truncated or padded)");
  for (size_t i = kOffReserved; i < kHeaderSize; ++i)
    if (b[i]) bad("reserved header bytes are not zero");
  if (get<uint32_t>(b, 12)) bad("reserved header bytes are not zero");
  std::vector<uint8_t> copy(b.begin(), b.end());
  put32(copy, kOffCrc, 0);
  if (crc32(copy) != get<uint32_t>(b, kOffCrc)) bad("checksum mismatch: the file is corrupted");

  uint32_t n = get<uint32_t>(b, kOffSections);
  if (n > kMaxSections || kHeaderSize + uint64_t(n) * kEntrySize > b.size())
    bad("section table out of range");
  Artifact a;
  a.hw_version = get<uint32_t>(b, kOffHwVersion);
  bool have_meta = false, have_graph = false;
  uint64_t end_prev = kHeaderSize + uint64_t(n) * kEntrySize;
  for (uint32_t i = 0; i < n; ++i) {
    size_t e = kHeaderSize + size_t(kEntrySize) * i;
    uint32_t type = get<uint32_t>(b, e);
    uint64_t off = get<uint64_t>(b, e + 8), size = get<uint64_t>(b, e + 16);
    std::string what = "section " + std::to_string(i);
    if (get<uint32_t>(b, e + 4) || get<uint32_t>(b, e + 28)) bad(what + ": reserved fields set");
    // In order, non-overlapping, inside the file.
    if (off < end_prev || off > b.size() || size > b.size() - off) bad(what + ": out of range");
    end_prev = off + size;
    std::span<const uint8_t> body = b.subspan(size_t(off), size_t(size));
    if (crc32(body) != get<uint32_t>(b, e + 24)) bad(what + ": checksum mismatch");
    switch (type) {
      case kMeta:
        if (have_meta) bad("two META sections");
        have_meta = true;
        a.meta = parse_meta(body);
        break;
      case kGraph:
        if (have_graph) bad("two GRAPH sections");
        have_graph = true;
        a.graph.assign(body.begin(), body.end());
        break;
      case kProgram: {
        Cursor c{body, 0, what + " (PROGRAM)"};
        ProgramBlob p;
        p.partition = c.u32();
        p.format = c.str();
        p.fingerprint = c.str();
        p.data.assign(body.begin() + ptrdiff_t(c.pos), body.end());
        a.programs.push_back(std::move(p));
        break;
      }
      default:
        bad(what + ": unknown type " + std::to_string(type));
    }
  }
  if (!have_meta || !have_graph) bad("META or GRAPH section missing");
  return a;
}

}  // namespace rnpu::artifact
