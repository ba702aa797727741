// Compiled artifacts (.rnpb): a model compiled once, loaded without
// importing, optimising, partitioning or compiling its NPU partitions
// again.  The container holds the processed graph with its partition plan
// (artifact/graph_io.h), the options it was compiled with, and one opaque
// program blob per partition whose backend can serialize its compiled form.
//
// Layout (all little-endian; docs/npu-compiler.md, "Artifacts"):
//   header (64 bytes): magic "RNPB", format version, header size, section
//     count, file size, hardware version the programs target, CRC-32 of
//     the whole file computed with the crc field zero;
//   section table: per section type, offset, size and its own CRC-32, so a
//     corrupted file is rejected naming the damaged part;
//   sections: META (key=value lines), GRAPH (the processed graph and its
//     partition plan, artifact/graph_io.h), PROGRAM (one per compiled
//     partition: partition index, program format, fingerprint of the
//     partition's nodes, payload).
// Version 1 stored the ONNX model (section MODEL) instead of GRAPH; such
// files are refused with a message saying to recompile.
// Readers reject anything they do not understand exactly: unknown section
// types, non-zero reserved fields, overlapping or out-of-range sections.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace rnpu::artifact {

inline constexpr uint32_t kFormatVersion = 2;

struct ProgramBlob {
  uint32_t partition = 0;     // index in the executor's partition order
  std::string format;         // e.g. "rnpu-npu-v1": which backends can load it
  std::string fingerprint;    // identifies the partition's nodes and shapes
  std::vector<uint8_t> data;  // backend-defined
};

struct Artifact {
  uint32_t hw_version = 0;  // RNPU_HW_VERSION the programs were built for, 0: none
  std::map<std::string, std::string> meta;
  std::vector<uint8_t> graph;  // GRAPH section: encode_graph() bytes
  std::vector<ProgramBlob> programs;
};

// True when the bytes start like an artifact (magic only).
bool is_artifact(const void* data, size_t size);
std::vector<uint8_t> write(const Artifact& a);
// Validates everything (structure, bounds, checksums); throws
// rnpu::Error(kMalformedModel) with a message naming what is wrong.
Artifact read(std::span<const uint8_t> bytes);

uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace rnpu::artifact
