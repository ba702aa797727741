// libFuzzer target: the shapes and values a caller binds at run time
// (docs/userspace.md, "Untrusted inputs").  Models with dynamic dims whose
// kernels take indices, shapes or sizes from their inputs are built once;
// each fuzz input picks one, a shape within its declared dims for every
// input and the tensors' values (index tensors: any int64; shape tensors:
// small, so outputs stay small), and runs it on the cpu backend, fast path
// or reference kernels, in a session kept across inputs (so the
// shape-specialised program caches are exercised too).  rnpu::Error is the
// expected way to reject a run; anything else (a crash, a sanitizer report,
// another exception) is a bug.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"

namespace {

using rnpu::test::attr_i;
using rnpu::test::attr_ints;
using rnpu::test::attr_s;
using rnpu::test::ModelBuilder;

enum class Kind {
  kData,   // float32, values in [-8, 8) plus NaN and infinities
  kIndex,  // int64, small values and extremes
  kSmall,  // int64 in [-3, 8]: shape-like values
  kBool,
};

struct In {
  const char* name;
  std::vector<int64_t> dims;  // -1: chosen per input, 0..4
  Kind kind;
};

struct Model {
  const char* name;
  std::vector<In> inputs;
  std::function<void(ModelBuilder&)> nodes;  // ends in output "y"
  int out_elem = 1;
};

const int64_t kMax = std::numeric_limits<int64_t>::max();
const int64_t kMin = std::numeric_limits<int64_t>::min();

std::vector<Model> models() {
  using M = ModelBuilder;
  std::vector<Model> v;
  v.push_back(
      {"gather_elements", {{"x", {-1, -1}, Kind::kData}, {"i", {-1, -1}, Kind::kIndex}}, [](M& m) {
         attr_i(m.node("GatherElements", {"x", "i"}, {"y"}), "axis", 1);
       }});
  v.push_back(
      {"scatter_elements",
       {{"x", {-1, -1}, Kind::kData}, {"i", {-1, -1}, Kind::kIndex}, {"u", {-1, -1}, Kind::kData}},
       [](M& m) {
         auto& n = m.node("ScatterElements", {"x", "i", "u"}, {"y"});
         attr_s(n, "reduction", "add");
       }});
  v.push_back(
      {"gather_nd", {{"x", {-1, -1, -1}, Kind::kData}, {"i", {-1, -1}, Kind::kIndex}}, [](M& m) {
         attr_i(m.node("GatherND", {"x", "i"}, {"y"}), "batch_dims", 1);
       }});
  v.push_back(
      {"scatter_nd",
       {{"x", {-1, -1}, Kind::kData}, {"i", {-1, -1}, Kind::kIndex}, {"u", {-1, -1}, Kind::kData}},
       [](M& m) {
         m.node("ScatterND", {"x", "i", "u"}, {"y"});
       }});
  v.push_back({"gather", {{"x", {-1, -1}, Kind::kData}, {"i", {-1}, Kind::kIndex}}, [](M& m) {
                 attr_i(m.node("Gather", {"x", "i"}, {"y"}), "axis", 1);
               }});
  v.push_back({"grid_sample",
               {{"x", {-1, -1, -1, -1}, Kind::kData}, {"g", {-1, -1, -1, -1}, Kind::kData}},
               [](M& m) {
                 auto& n = m.node("GridSample", {"x", "g"}, {"y"});
                 attr_s(n, "padding_mode", "border");
               }});
  v.push_back({"grid_sample_reflect",
               {{"x", {-1, -1, -1, -1}, Kind::kData}, {"g", {-1, -1, -1, -1}, Kind::kData}},
               [](M& m) {
                 auto& n = m.node("GridSample", {"x", "g"}, {"y"});
                 attr_s(n, "padding_mode", "reflection");
                 attr_s(n, "mode", "bicubic");
               }});
  v.push_back({"max_unpool",
               {{"x", {-1, -1, -1, -1}, Kind::kData}, {"i", {-1, -1, -1, -1}, Kind::kIndex}},
               [](M& m) {
                 auto& n = m.node("MaxUnpool", {"x", "i"}, {"y"});
                 attr_ints(n, "kernel_shape", {2, 2});
                 attr_ints(n, "strides", {2, 2});
               }});
  v.push_back({"reshape_softmax", {{"x", {-1}, Kind::kData}, {"t", {2}, Kind::kSmall}}, [](M& m) {
                 m.node("Reshape", {"x", "t"}, {"r"});
                 m.node("Softmax", {"r"}, {"y"});
               }});
  v.push_back({"slice",
               {{"x", {-1, -1}, Kind::kData},
                {"b", {1}, Kind::kIndex},
                {"e", {1}, Kind::kIndex},
                {"a", {1}, Kind::kSmall},
                {"s", {1}, Kind::kIndex}},
               [](M& m) {
                 m.node("Slice", {"x", "b", "e", "a", "s"}, {"y"});
               }});
  v.push_back({"expand", {{"x", {-1}, Kind::kData}, {"t", {2}, Kind::kSmall}}, [](M& m) {
                 m.node("Expand", {"x", "t"}, {"y"});
               }});
  v.push_back({"tile", {{"x", {-1, -1}, Kind::kData}, {"t", {2}, Kind::kSmall}}, [](M& m) {
                 m.node("Tile", {"x", "t"}, {"y"});
               }});
  v.push_back({"pad", {{"x", {-1, -1}, Kind::kData}, {"p", {4}, Kind::kSmall}}, [](M& m) {
                 m.node("Pad", {"x", "p"}, {"y"});
               }});
  v.push_back({"pad_reflect", {{"x", {-1, -1}, Kind::kData}, {"p", {4}, Kind::kSmall}}, [](M& m) {
                 attr_s(m.node("Pad", {"x", "p"}, {"y"}), "mode", "reflect");
               }});
  v.push_back({"topk", {{"x", {-1, -1}, Kind::kData}, {"k", {1}, Kind::kSmall}}, [](M& m) {
                 m.node("TopK", {"x", "k"}, {"y", "idx"});
               }});
  v.push_back({"onehot",
               {{"i", {-1}, Kind::kIndex}, {"d", {}, Kind::kSmall}, {"v", {2}, Kind::kData}},
               [](M& m) {
                 m.node("OneHot", {"i", "d", "v"}, {"y"});
               }});
  v.push_back({"cumsum", {{"x", {-1, -1}, Kind::kData}, {"a", {}, Kind::kIndex}}, [](M& m) {
                 m.node("CumSum", {"x", "a"}, {"y"});
               }});
  v.push_back({"compress", {{"x", {-1, -1}, Kind::kData}, {"c", {-1}, Kind::kBool}}, [](M& m) {
                 attr_i(m.node("Compress", {"x", "c"}, {"y"}), "axis", 1);
               }});
  v.push_back({"resize", {{"x", {1, 1, -1, -1}, Kind::kData}, {"s", {4}, Kind::kSmall}}, [](M& m) {
                 m.node("Resize", {"x", "", "", "s"}, {"y"});
               }});
  v.push_back({"conv", {{"x", {-1, -1, -1, -1}, Kind::kData}}, [](M& m) {
                 m.init("w", {2, 1, 3, 3}, std::vector<float>(18, 0.5f));
                 attr_ints(m.node("Conv", {"x", "w"}, {"y"}), "pads", {1, 1, 1, 1});
               }});
  v.push_back(
      {"matmul", {{"a", {-1, -1, -1}, Kind::kData}, {"b", {-1, -1}, Kind::kData}}, [](M& m) {
         m.node("MatMul", {"a", "b"}, {"y"});
       }});
  v.push_back(
      {"concat_add", {{"a", {-1, -1}, Kind::kData}, {"b", {-1, -1}, Kind::kData}}, [](M& m) {
         attr_i(m.node("Concat", {"a", "b"}, {"c"}), "axis", 1);
         m.node("Add", {"c", "a"}, {"y"});
       }});
  v.push_back(
      {"where",
       {{"c", {-1, -1}, Kind::kBool}, {"a", {-1}, Kind::kData}, {"b", {-1, -1}, Kind::kData}},
       [](M& m) {
         m.node("Where", {"c", "a", "b"}, {"y"});
       }});
  v.push_back({"depth_to_space", {{"x", {-1, -1, -1, -1}, Kind::kData}}, [](M& m) {
                 attr_i(m.node("DepthToSpace", {"x"}, {"y"}), "blocksize", 2);
               }});
  v.push_back({"nonzero_gather", {{"x", {-1}, Kind::kData}}, [](M& m) {
                 m.node("NonZero", {"x"}, {"nz"});
                 m.node("Squeeze", {"nz"}, {"i"});  // NonZero of 1-D: [1, n]
                 m.node("Gather", {"x", "i"}, {"y"});
               }});
  v.push_back({"range",
               {{"s", {}, Kind::kSmall}, {"l", {}, Kind::kSmall}, {"d", {}, Kind::kSmall}},
               [](M& m) {
                 m.node("Range", {"s", "l", "d"}, {"y"});
               },
               7});
  v.push_back({"split", {{"x", {-1}, Kind::kData}, {"s", {2}, Kind::kSmall}}, [](M& m) {
                 m.node("Split", {"x", "s"}, {"y", "y2"});
               }});
  v.push_back({"constant_of_shape", {{"t", {-1}, Kind::kSmall}}, [](M& m) {
                 m.node("ConstantOfShape", {"t"}, {"y"});
               }});
  v.push_back(
      {"transpose_reduce", {{"x", {-1, -1, -1}, Kind::kData}, {"a", {1}, Kind::kIndex}}, [](M& m) {
         attr_ints(m.node("Transpose", {"x"}, {"t"}), "perm", {2, 0, 1});
         m.node("ReduceSum", {"t", "a"}, {"y"});
       }});
  return v;
}

int elem_of(Kind k) {
  switch (k) {
    case Kind::kData:
      return 1;
    case Kind::kBool:
      return 9;
    default:
      return 7;
  }
}

std::string build(const Model& md) {
  ModelBuilder m;
  int sym = 0;
  for (const In& in : md.inputs) {
    m.input(in.name, in.dims, elem_of(in.kind));
    auto* sh = m.graph()
                   .mutable_input(m.graph().input_size() - 1)
                   ->mutable_type()
                   ->mutable_tensor_type()
                   ->mutable_shape();
    for (int i = 0; i < sh->dim_size(); ++i)
      if (sh->dim(i).has_dim_param())
        sh->mutable_dim(i)->set_dim_param("d" + std::to_string(sym++));
  }
  md.nodes(m);
  m.output("y", md.out_elem);
  return m.bytes();
}

// Bytes of the fuzz input, read front to back; zeros once exhausted.
struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t byte() {
    if (!n) return 0;
    --n;
    return *p++;
  }
};

int64_t index_value(Reader& r) {
  static const int64_t kExtreme[] = {kMin,
                                     kMax,
                                     kMin + 1,
                                     kMax - 1,
                                     INT32_MAX,
                                     INT32_MIN,
                                     int64_t(1) << 40,
                                     -(int64_t(1) << 40),
                                     int64_t(1) << 62};
  uint8_t b = r.byte();
  if (b < 224) return int64_t(b % 16) - 8;
  return kExtreme[b % (sizeof kExtreme / sizeof kExtreme[0])];
}

float data_value(Reader& r) {
  uint8_t b = r.byte();
  if (b == 255) return std::numeric_limits<float>::quiet_NaN();
  if (b == 254) return std::numeric_limits<float>::infinity();
  if (b == 253) return -std::numeric_limits<float>::infinity();
  return float(int(b) - 128) / 16.0f;
}

struct Loaded {
  std::optional<rnpu::Session> session;
  bool failed = false;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Only the cpu backend: the Vulkan backend would probe the loader and
  // lavapipe in this instrumented process.
  setenv("RNPU_VULKAN", "0", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Model> kModels = models();
  static std::vector<Loaded> loaded(kModels.size() * 2);
  Reader r{data, size};
  size_t pick = r.byte() % loaded.size();
  const Model& md = kModels[pick / 2];
  Loaded& l = loaded[pick];
  if (l.failed) return 0;
  if (!l.session) {
    std::string bytes = build(md);
    rnpu::Options o;
    o.backends = {"cpu"};
    o.allow_fallback = false;
    o.num_threads = 1;
    o.reference_kernels = pick % 2 == 1;
    try {
      l.session.emplace(rnpu::Session::load_memory(bytes.data(), bytes.size(), o));
    } catch (const rnpu::Error&) {
      l.failed = true;  // a template the cpu backend does not take: nothing to fuzz
      return 0;
    }
  }
  rnpu::Session& s = *l.session;
  std::vector<std::vector<uint8_t>> bufs(md.inputs.size());
  try {
    for (size_t i = 0; i < md.inputs.size(); ++i) {
      const In& in = md.inputs[i];
      std::vector<int64_t> shape = in.dims;
      int64_t n = 1;
      for (int64_t& d : shape) {
        if (d < 0) d = r.byte() % 5;
        n *= d;
      }
      std::vector<uint8_t>& b = bufs[i];
      switch (in.kind) {
        case Kind::kData: {
          b.resize(size_t(n) * 4);
          for (int64_t k = 0; k < n; ++k) {
            float f = data_value(r);
            std::memcpy(&b[size_t(k) * 4], &f, 4);
          }
          break;
        }
        case Kind::kIndex:
        case Kind::kSmall: {
          b.resize(size_t(n) * 8);
          for (int64_t k = 0; k < n; ++k) {
            int64_t x = in.kind == Kind::kIndex ? index_value(r) : int64_t(r.byte() % 12) - 3;
            std::memcpy(&b[size_t(k) * 8], &x, 8);
          }
          break;
        }
        case Kind::kBool:
          b.resize(size_t(n));
          for (auto& x : b) x = r.byte() & 1;
          break;
      }
      s.set_input(i, b.data(), b.size(), shape);
    }
    s.run();
    // Read every output byte (a sanitizer sees reads past a buffer).
    for (size_t o = 0; o < s.outputs().size(); ++o) {
      rnpu::TensorView t = s.output(o);
      const auto* p = static_cast<const volatile uint8_t*>(t.data);
      uint8_t acc = 0;
      for (size_t k = 0; k < t.size; ++k) acc ^= p[k];
      (void)acc;
    }
  } catch (const rnpu::Error&) {
  }
  return 0;
}
