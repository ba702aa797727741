// Writes the models the C ABI callers (old_caller.c, new_caller.c) run:
//   add_relu.onnx  y = relu(x + 10), x [2, 3] float32
//   rank12.onnx    y = relu(x), x [1 x 10, 2, 3] float32 (rank 12: more dims
//                  than an API 0.1 rnpu_tensor_info holds)
//   rnpu-abi-models OUTDIR
#include <cstdio>
#include <fstream>
#include <string>

#include "support/graph_builder.h"

using rnpu::test::ModelBuilder;

static bool write(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  return bool(f);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  ModelBuilder a;
  a.input("x", {2, 3}).init("k", {}, {10.f}).output("y");
  a.node("Add", {"x", "k"}, {"s"}, "add");
  a.node("Relu", {"s"}, {"y"}, "relu");
  ModelBuilder r;
  r.input("x", {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3}).output("y");
  r.node("Relu", {"x"}, {"y"}, "relu");
  if (!write(dir + "/add_relu.onnx", a.bytes()) || !write(dir + "/rank12.onnx", r.bytes())) {
    std::perror(dir.c_str());
    return 1;
  }
  return 0;
}
