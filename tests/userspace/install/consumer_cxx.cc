// Uses the installed C++ API (rnpu.hpp), header-only over the C API, so it
// links with librnpu.so alone as well as with librnpu.a.  Lists backends,
// runs an ONNX model with zero-filled float inputs (static shapes only) and
// prints the outputs.
#include <cstdio>
#include <rnpu/rnpu.hpp>
#include <vector>

int main(int argc, char** argv) {
  std::printf("librnpu %s (C++), %zu backends\n", rnpu::version(), rnpu::list_backends().size());
  if (argc < 2) return 0;
  try {
    rnpu::Session s = rnpu::Session::load_file(argv[1]);
    std::vector<std::vector<float>> bufs;
    for (size_t i = 0; i < s.inputs().size(); ++i) {
      size_t n = 1;
      for (int64_t d : s.inputs()[i].shape) n *= size_t(d);
      bufs.emplace_back(n);
      s.set_input(i, bufs.back(), s.inputs()[i].shape);
    }
    s.run();
    for (size_t i = 0; i < s.outputs().size(); ++i)
      std::printf("output %s: %zu bytes\n", s.outputs()[i].name.c_str(), s.output(i).size);
  } catch (const rnpu::Error& e) {
    std::fprintf(stderr, "rnpu: %s\n", e.what());
    return 1;
  }
  return 0;
}
