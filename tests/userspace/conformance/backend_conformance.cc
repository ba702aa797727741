// Backend conformance: every registered backend runs every case of
// cases.cc with all optimisations on and no fallback, and is compared with
// the CPU backend's reference run (optimisation level 0: plain reference
// kernels) within the backend's documented tolerance (Backend::tolerance,
// docs/userspace.md).  A backend that is not available on this machine is
// skipped with "NOT RUN BACKEND: <name>: <why>", never passed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "backend/backend.h"
#include "conformance/cases.h"
#include "rnpu/rnpu.hpp"

namespace rnpu::conformance {
namespace {

struct Param {
  std::string backend;
  size_t index;
};

std::vector<Param> params() {
  std::vector<Param> p;
  for (const auto& b : BackendRegistry::instance().names())
    for (size_t i = 0; i < all_cases().size(); ++i) p.push_back({b, i});
  return p;
}

Session run_case(const Case& c, const Options& o) {
  Session s = Session::load_memory(c.model.data(), c.model.size(), o);
  for (size_t i = 0; i < c.inputs.size(); ++i)
    s.set_input(i, c.inputs[i].data.data(), c.inputs[i].data.size() * 4, c.inputs[i].shape);
  s.run();
  return s;
}

double as_double(DataType t, const void* p, size_t i) {
  switch (t) {
    case DataType::kFloat32:
      return static_cast<const float*>(p)[i];
    case DataType::kFloat64:
      return static_cast<const double*>(p)[i];
    case DataType::kInt8:
      return static_cast<const int8_t*>(p)[i];
    case DataType::kUInt8:
      return static_cast<const uint8_t*>(p)[i];
    case DataType::kInt32:
      return static_cast<const int32_t*>(p)[i];
    case DataType::kInt64:
      return double(static_cast<const int64_t*>(p)[i]);
    default:
      return NAN;
  }
}

class BackendConformance : public ::testing::TestWithParam<Param> {};

TEST_P(BackendConformance, MatchesCpuReference) {
  const Param& p = GetParam();
  Backend* b = BackendRegistry::instance().get(p.backend);
  ASSERT_NE(b, nullptr);
  if (!b->available()) {
    // Said once per backend on stdout for the suite to collect.
    static std::set<std::string> told;
    if (told.insert(p.backend).second)
      std::printf("NOT RUN BACKEND: %s: %s\n", p.backend.c_str(), b->description().c_str());
    GTEST_SKIP() << "NOT RUN: backend " << p.backend << " unavailable: " << b->description();
  }
  const Case& c = all_cases()[p.index];

  Options ref_opts;
  ref_opts.backends = {"cpu"};
  ref_opts.allow_fallback = false;
  ref_opts.optimization_level = 0;
  ref_opts.num_threads = 1;
  Session ref = run_case(c, ref_opts);

  Options o;
  o.backends = {p.backend};
  o.allow_fallback = false;
  o.optimization_level = 1;
  Session got = [&] {
    try {
      return run_case(c, o);
    } catch (const Error& e) {
      ADD_FAILURE() << p.backend << " cannot run " << c.name << ": " << e.what();
      throw;
    }
  }();

  ASSERT_EQ(got.outputs().size(), ref.outputs().size());
  for (size_t i = 0; i < ref.outputs().size(); ++i) {
    TensorView r = ref.output(i), g = got.output(i);
    ASSERT_EQ(g.dtype, r.dtype) << c.name << " output " << i;
    ASSERT_EQ(g.shape, r.shape) << c.name << " output " << i;
    Tolerance tol = b->tolerance(r.dtype);
    size_t n = r.size / std::max<size_t>(1, data_type_size(r.dtype));
    size_t bad = 0;
    double worst = 0;
    for (size_t k = 0; k < n; ++k) {
      double want = as_double(r.dtype, r.data, k), have = as_double(g.dtype, g.data, k);
      double err = std::fabs(have - want);
      if (!(err <= tol.abs + tol.rel * std::fabs(want))) {
        if (bad++ < 3)
          ADD_FAILURE() << c.name << " output " << i << "[" << k << "]: " << have << ", reference "
                        << want << " (tolerance abs " << tol.abs << " rel " << tol.rel << ")";
      }
      worst = std::max(worst, err);
    }
    EXPECT_EQ(bad, 0u) << c.name << ": " << bad << " of " << n << " elements out of tolerance; "
                       << "max abs error " << worst;
  }
}

std::string name_of(const ::testing::TestParamInfo<Param>& i) {
  return i.param.backend + "_" + all_cases()[i.param.index].name;
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendConformance, ::testing::ValuesIn(params()), name_of);

TEST(BackendConformanceSetup, CpuReferenceIsRegistered) {
  Backend* cpu = BackendRegistry::instance().get("cpu");
  ASSERT_NE(cpu, nullptr) << "the conformance suite needs the cpu backend as its reference";
  EXPECT_TRUE(cpu->available());
}

}  // namespace
}  // namespace rnpu::conformance
