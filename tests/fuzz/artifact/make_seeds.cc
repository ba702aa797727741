// Writes a few valid artifacts as the fuzzer's seed corpus:
//   rnpu-artifact-seeds DIR
#include <cstdio>
#include <string>

#include "artifact/artifact.h"
#include "artifact/graph_io.h"

// A small processed graph with its plan: n+1 chained Relu nodes on "cpu"
// (seed 0: an empty graph section, which the decoder rejects).
std::vector<uint8_t> graph_section(int n) {
  if (n == 0) return {};
  rnpu::ir::Graph g;
  g.name = "seed";
  g.opsets[""] = 17;
  rnpu::ir::ValueId prev = g.new_value("x", rnpu::DataType::kFloat32, rnpu::ir::Shape({1, 4}));
  g.inputs.push_back(prev);
  rnpu::artifact::PlannedPartition p{"cpu", {}};
  for (int i = 0; i <= n; ++i) {
    rnpu::ir::ValueId out =
        g.new_value("y" + std::to_string(i), rnpu::DataType::kFloat32, rnpu::ir::Shape({1, 4}));
    rnpu::ir::Node relu;
    relu.name = "relu" + std::to_string(i);
    relu.op = "Relu";
    relu.inputs = {prev};
    relu.outputs = {out};
    p.nodes.push_back(g.add_node(std::move(relu)));
    prev = out;
  }
  g.outputs.push_back(prev);
  return rnpu::artifact::encode_graph(g, {p});
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  for (int n = 0; n < 3; ++n) {
    rnpu::artifact::Artifact a;
    a.hw_version = 0x10000;
    a.meta["producer"] = "seed";
    a.meta["backends"] = n ? "sim,cpu" : "";
    a.graph = graph_section(n);
    for (int p = 0; p < n; ++p)
      a.programs.push_back({uint32_t(p), "rnpu-npu-v1", "fp" + std::to_string(p),
                            std::vector<uint8_t>(size_t(8 * p + 1), uint8_t(p))});
    std::vector<uint8_t> b = rnpu::artifact::write(a);
    std::string path = std::string(argv[1]) + "/seed" + std::to_string(n) + ".rnpb";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(b.data(), 1, b.size(), f) != b.size()) return 1;
    std::fclose(f);
  }
  return 0;
}
