// libFuzzer target: the compiled-artifact (.rnpb) reader and its GRAPH
// section's decoder.  Any input must either parse or be rejected with
// rnpu::Error; crashes, leaks, sanitizer reports and other exceptions are
// bugs.  Inputs that parse are written back and must read back identically.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "artifact/artifact.h"
#include "artifact/graph_io.h"
#include "rnpu/types.hpp"

namespace {

// Mutations almost always break a checksum; a second pass repairs the
// section and file CRCs so the structural checks behind them get fuzzed.
std::vector<uint8_t> with_valid_crcs(const uint8_t* data, size_t size) {
  std::vector<uint8_t> b(data, data + size);
  if (b.size() < 64) return b;
  uint32_t n;
  std::memcpy(&n, &b[8], 4);
  for (uint64_t i = 0; i < n && 64 + 32 * (i + 1) <= b.size(); ++i) {
    size_t e = size_t(64 + 32 * i);
    uint64_t off, len;
    std::memcpy(&off, &b[e + 8], 8);
    std::memcpy(&len, &b[e + 16], 8);
    if (off > b.size() || len > b.size() - off) continue;
    uint32_t c = rnpu::artifact::crc32({b.data() + off, size_t(len)});
    std::memcpy(&b[e + 24], &c, 4);
  }
  std::memset(&b[28], 0, 4);
  uint32_t c = rnpu::artifact::crc32(b);
  std::memcpy(&b[28], &c, 4);
  return b;
}

void check(std::span<const uint8_t> in) {
  rnpu::artifact::Artifact a;
  try {
    a = rnpu::artifact::read(in);
  } catch (const rnpu::Error&) {
    return;
  }
  std::vector<uint8_t> again = rnpu::artifact::write(a);
  rnpu::artifact::Artifact b = rnpu::artifact::read(again);
  if (b.graph != a.graph || b.meta != a.meta || b.programs.size() != a.programs.size())
    std::abort();
  std::vector<rnpu::artifact::PlannedPartition> plan;
  rnpu::ir::Graph g;
  try {
    g = rnpu::artifact::decode_graph(a.graph, &plan);
  } catch (const rnpu::Error&) {
    return;
  }
  // A decoded graph encodes to bytes that decode to the same encoding.
  std::vector<uint8_t> enc = rnpu::artifact::encode_graph(g, plan);
  std::vector<rnpu::artifact::PlannedPartition> plan2;
  rnpu::ir::Graph g2 = rnpu::artifact::decode_graph(enc, &plan2);
  if (rnpu::artifact::encode_graph(g2, plan2) != enc) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check({data, size});
  std::vector<uint8_t> fixed = with_valid_crcs(data, size);
  check(fixed);
  return 0;
}
