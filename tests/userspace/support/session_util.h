// Helpers the session-level tests share: a cpu-only Session from a built
// model, float views of outputs, and checks on the error a call throws.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"

namespace rnpu::test {

// The cpu backend alone, one thread, no fallback: results name no other backend.
inline Options cpu_only() {
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  o.num_threads = 1;
  return o;
}

inline Session load(const ModelBuilder& m, Options o = cpu_only()) {
  std::string b = m.bytes();
  return Session::load_memory(b.data(), b.size(), o);
}

inline std::vector<float> floats(const TensorView& t) {
  const float* p = static_cast<const float*>(t.data);
  return std::vector<float>(p, p + t.size / sizeof(float));
}

// f throws an rnpu::Error with `code` whose message holds every one of `parts`.
inline void expect_error(const std::function<void()>& f, ErrorCode code,
                         const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << p << " in " << e.what();
  }
}

}  // namespace rnpu::test
