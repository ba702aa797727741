// Backend conformance: every registered backend runs every case of
// cases.cc with all optimisations on and no fallback, and is compared with
// the CPU backend's reference run (Options::reference_kernels: no graph
// rewrites, plain reference kernels, no XNNPACK or fast-path kernel; the
// ReferenceKernels tests below prove it) within the backend's documented
// tolerance (Backend::tolerance, pinned to the table in docs/userspace.md by
// the Tolerances test).  A backend that is not available on this machine is
// skipped with "NOT RUN BACKEND: <name>: <why>", never passed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "backend/backend.h"
#include "backends/cpu/cpu_backend.h"
#include "conformance/cases.h"
#include "onnx/importer.h"
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

// The reference: the cpu backend's plain reference kernels, one thread.
Options reference_options() {
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  o.num_threads = 1;
  o.reference_kernels = true;
  return o;
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

  Session ref = run_case(c, reference_options());

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

// The reference shares no kernel with the cpu fast path: a reference run
// executes no fast program (every XNNPACK operator and fast-path kernel runs
// inside one, counted by cpu::fast_program_runs()) and runs each node of the
// imported model once, as itself (no fusion or other rewrite).
TEST(ReferenceKernels, RunNoFastPathKernelAndNoRewrittenNode) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(c.name);
    std::multiset<std::string> model_ops;
    ir::Graph g = onnx::import_model(c.model.data(), c.model.size());
    for (const ir::Node& n : g.nodes) model_ops.insert(n.op);
    Options o = reference_options();
    o.profiling = true;
    uint64_t before = cpu::fast_program_runs();
    Session s = run_case(c, o);
    EXPECT_EQ(cpu::fast_program_runs(), before) << "the reference ran a fast-path program";
    std::multiset<std::string> ran;
    for (const OpProfile& p : s.profile()) {
      EXPECT_EQ(p.backend, "cpu") << p.node;
      ran.insert(p.op);
    }
    EXPECT_EQ(ran, model_ops) << "the reference must run every model node as imported";
  }
}

// The counter above is live: the optimised cpu run does go through it.
TEST(ReferenceKernels, FastPathCounterCountsOptimisedRuns) {
  Backend* cpu = BackendRegistry::instance().get("cpu");
  ASSERT_NE(cpu, nullptr);
  const char* env = std::getenv("RNPU_CPU_XNNPACK");
  if (cpu->description().find("XNNPACK fast path") == std::string::npos ||
      (env && std::string(env) == "0")) {
    std::printf(
        "NOT RUN CHECK: ReferenceKernels.FastPathCounterCountsOptimisedRuns: no fast "
        "path here (%s)\n",
        cpu->description().c_str());
    GTEST_SKIP() << "no XNNPACK fast path: " << cpu->description();
  }
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  o.num_threads = 1;
  uint64_t before = cpu::fast_program_runs();
  run_case(all_cases().front(), o);
  EXPECT_GT(cpu::fast_program_runs(), before);
}

// Backend::tolerance of every registered backend equals its row of the
// table under "## Numeric tolerances" in docs/userspace.md.  Cells read
// "exact" (abs 0, rel 0) or "abs A[, rel R]" (rel 0 when absent);
// parenthesised text is commentary.  The "other" column covers every dtype
// no other column names.
struct DocTable {
  std::vector<std::vector<DataType>> columns;          // dtypes per tolerance column
  std::map<std::string, std::vector<Tolerance>> rows;  // backend -> per column
};

std::string strip_parens(const std::string& s) {
  std::string out;
  int depth = 0;
  for (char ch : s) {
    if (ch == '(') ++depth;
    if (depth == 0) out += ch;
    if (ch == ')' && depth > 0) --depth;
  }
  return out;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string x; std::getline(in, x, sep);) out.push_back(trim(x));
  return out;
}

const std::vector<DataType>& tensor_dtypes() {
  static const std::vector<DataType> all = {
      DataType::kFloat32, DataType::kUInt8,   DataType::kInt8,   DataType::kUInt16,
      DataType::kInt16,   DataType::kInt32,   DataType::kInt64,  DataType::kBool,
      DataType::kFloat16, DataType::kFloat64, DataType::kUInt32, DataType::kUInt64,
      DataType::kBFloat16};
  return all;
}

Tolerance parse_cell(const std::string& cell) {
  std::string c = strip_parens(cell);
  if (c.find("exact") != std::string::npos) return {0, 0};
  std::smatch m;
  static const std::regex abs_re(R"(abs\s+([0-9.eE+-]+))"), rel_re(R"(rel\s+([0-9.eE+-]+))");
  if (!std::regex_search(c, m, abs_re))
    throw std::runtime_error("tolerance cell '" + cell + "' has neither 'exact' nor 'abs A'");
  Tolerance t{std::strtod(m[1].str().c_str(), nullptr), 0};
  if (std::regex_search(c, m, rel_re)) t.rel = std::strtod(m[1].str().c_str(), nullptr);
  return t;
}

DocTable read_doc_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  DocTable t;
  bool in_section = false, header = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) {
      if (in_section) break;
      in_section = line.rfind("## Numeric tolerances", 0) == 0;
      continue;
    }
    if (!in_section || line.empty() || line[0] != '|') continue;
    std::vector<std::string> cells = split(line.substr(1, line.rfind('|') - 1), '|');
    if (!header) {
      header = true;
      std::set<DataType> named;
      size_t other = 0;
      for (size_t i = 1; i < cells.size(); ++i) {
        std::vector<DataType> col;
        for (const std::string& name : split(strip_parens(cells[i]), ',')) {
          if (name == "other") {
            other = i;
            continue;
          }
          auto it = std::find_if(tensor_dtypes().begin(), tensor_dtypes().end(),
                                 [&](DataType d) { return name == data_type_name(d); });
          if (it == tensor_dtypes().end())
            throw std::runtime_error("unknown dtype column '" + name + "' in " + path);
          col.push_back(*it);
          named.insert(*it);
        }
        t.columns.push_back(col);
      }
      if (other)
        for (DataType d : tensor_dtypes())
          if (!named.count(d)) t.columns[other - 1].push_back(d);
      continue;
    }
    if (cells[0].find("---") != std::string::npos) continue;
    std::vector<Tolerance> tols;
    for (size_t i = 1; i < cells.size(); ++i) tols.push_back(parse_cell(cells[i]));
    if (tols.size() != t.columns.size())
      throw std::runtime_error("row '" + line + "' has the wrong number of cells");
    for (const std::string& b : split(strip_parens(cells[0]), ',')) t.rows[b] = tols;
  }
  if (t.rows.empty()) throw std::runtime_error("no tolerance table in " + path);
  return t;
}

TEST(Tolerances, EveryBackendDeclaresItsDocumentedRow) {
  DocTable doc;
  ASSERT_NO_THROW(doc = read_doc_table(RNPU_USERSPACE_DOC)) << RNPU_USERSPACE_DOC;
  std::set<DataType> covered;
  for (const auto& col : doc.columns) covered.insert(col.begin(), col.end());
  EXPECT_EQ(covered.size(), tensor_dtypes().size()) << "every tensor dtype needs a column";
  for (const std::string& name : BackendRegistry::instance().names()) {
    SCOPED_TRACE(name);
    Backend* b = BackendRegistry::instance().get(name);
    auto row = doc.rows.find(name);
    ASSERT_TRUE(row != doc.rows.end())
        << "backend '" << name << "' has no row in the tolerance table "
        << "of docs/userspace.md";
    for (size_t i = 0; i < doc.columns.size(); ++i)
      for (DataType d : doc.columns[i]) {
        Tolerance got = b->tolerance(d), want = row->second[i];
        EXPECT_EQ(got.abs, want.abs) << name << " " << data_type_name(d) << " abs";
        EXPECT_EQ(got.rel, want.rel) << name << " " << data_type_name(d) << " rel";
      }
  }
}

}  // namespace
}  // namespace rnpu::conformance
