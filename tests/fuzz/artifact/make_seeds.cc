// Writes a few valid artifacts as the fuzzer's seed corpus:
//   rnpu-artifact-seeds DIR
#include <cstdio>
#include <string>

#include "artifact/artifact.h"

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
    a.model.assign(size_t(16 * n + 3), uint8_t(n));
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
