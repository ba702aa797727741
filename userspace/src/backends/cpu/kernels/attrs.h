// Node attributes as the CPU kernels read them.  The backend fills this from
// the graph IR once at compile time; unit tests build it directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tensor.h"

namespace rnpu::cpu {

struct Attr {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  Tensor t;
};

class Attrs {
 public:
  Attrs& set(const std::string& name, int64_t v);
  Attrs& set(const std::string& name, int v) { return set(name, int64_t(v)); }
  Attrs& set(const std::string& name, float v);
  Attrs& set(const std::string& name, const std::string& v);
  Attrs& set(const std::string& name, const char* v) { return set(name, std::string(v)); }
  Attrs& set(const std::string& name, std::vector<int64_t> v);
  Attrs& set(const std::string& name, std::vector<float> v);
  Attrs& set(const std::string& name, std::vector<std::string> v);
  Attrs& set(const std::string& name, Tensor v);
  Attrs& set(const std::string& name, Attr a) {
    map_[name] = std::move(a);
    return *this;
  }

  bool has(const std::string& name) const { return map_.count(name) != 0; }
  const Attr* find(const std::string& name) const;

  // Typed getters; a present attribute of the wrong kind throws KernelError.
  int64_t get_int(const std::string& name, int64_t def) const;
  float get_float(const std::string& name, float def) const;
  std::string get_string(const std::string& name, const std::string& def) const;
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> get_floats(const std::string& name, std::vector<float> def = {}) const;
  const Tensor* get_tensor(const std::string& name) const;

  const std::map<std::string, Attr>& all() const { return map_; }

 private:
  std::map<std::string, Attr> map_;
};

}  // namespace rnpu::cpu
