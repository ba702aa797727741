// rnpu-onnx-conformance: runs the ONNX backend tests (Debian's
// libonnx-testdata: node tests, and optionally the pytorch-converted,
// pytorch-operator and simple collections) on one backend and classifies
// every test.  Each test runs in a forked child with a time limit, so a crash
// or a hang in one kernel is counted (as a crash) and does not stop the run.
//
//   rnpu-onnx-conformance [--data DIR]... [--backend cpu] [--reference] [--threads N]
//                         [--expected FILE] [--write-expected FILE] [--filter SUBSTR]
//                         [--timeout S] [--inject crash|hang|wrong] [-v]
//
// --reference runs with Options::reference_kernels (the plain reference
// kernels: no graph rewrites, no XNNPACK, no fast path); --threads sets
// Options::num_threads (default 1).
//
// Outcomes: passed; unsupported (ErrorCode::kUnsupportedOp at load); error
// (any other error while loading or running: the model or its data is
// rejected); wrong (ran, but an output differs from the expected one beyond
// ONNX's rtol 1e-3 / atol 1e-7); crash (signal, timeout, or no result).
//
// The expected-failures file lists tests that are known not to pass, one per
// line: "<test>  <kind>: <reason>", kind one of unsupported, error, wrong.  A
// listed test must fail in exactly the listed way: a test listed
// "unsupported" that crashes or gives wrong numbers is a failure, as is any
// crash and any unlisted non-passing test.  Listed tests that now pass are
// printed so the list can be trimmed.  Output follows the suite protocol of
// tests/run-all.sh: expected failures are not passes but skipped, one line
//   NOT RUN ITEM: <count> onnx tests (<run>): <kind reason>, listed in <FILE>
// per kind, and the last line is
//   RESULT: <passed> passed, <failed> failed, <skipped> skipped
// The exit status is 0 when nothing failed, 1 otherwise, 77 when nothing
// could run (the backend or the data is missing).
//
// --inject (runner self-test, with --filter) makes every selected test's
// child crash (SIGSEGV), hang (until --timeout), or report wrong numbers.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "onnx/importer.h"
#include "rnpu/rnpu.hpp"

namespace fs = std::filesystem;

namespace {

enum class Outcome { kPass, kUnsupported, kError, kWrong, kCrash };

// Names as the expected-failures file spells them (kinds a test may be
// listed with: every outcome but pass and crash).
const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kUnsupported:
      return "unsupported";
    case Outcome::kError:
      return "error";
    case Outcome::kWrong:
      return "wrong";
    case Outcome::kCrash:
      return "crash";
  }
  return "?";
}

// What a NOT RUN ITEM line says about a listed kind.
const char* kind_reason(Outcome o) {
  switch (o) {
    case Outcome::kUnsupported:
      return "unsupported op or type";
    case Outcome::kError:
      return "model or test data rejected (known error)";
    case Outcome::kWrong:
      return "known wrong results";
    default:
      return "?";
  }
}

struct Result {
  Outcome outcome = Outcome::kCrash;
  std::string detail;
};

enum class Inject { kNone, kCrash, kHang, kWrong };

struct RunConfig {
  std::string backend = "cpu";
  bool reference = false;
  int threads = 1;
  Inject inject = Inject::kNone;
};

float half_to_float(uint16_t h) {
  uint32_t s = uint32_t(h >> 15) << 31, e = (h >> 10) & 0x1f, m = h & 0x3ff, u;
  if (e == 0) {
    if (m == 0)
      u = s;
    else {
      e = 127 - 15 + 1;
      while (!(m & 0x400)) {
        m <<= 1;
        --e;
      }
      u = s | (e << 23) | ((m & 0x3ff) << 13);
    }
  } else if (e == 31) {
    u = s | 0x7f800000 | (m << 13);
  } else {
    u = s | ((e + 127 - 15) << 23) | (m << 13);
  }
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

double element(rnpu::DataType t, const void* p, size_t i) {
  using D = rnpu::DataType;
  switch (t) {
    case D::kFloat32:
      return static_cast<const float*>(p)[i];
    case D::kFloat64:
      return static_cast<const double*>(p)[i];
    case D::kFloat16:
      return half_to_float(static_cast<const uint16_t*>(p)[i]);
    case D::kBFloat16: {
      uint32_t u = uint32_t(static_cast<const uint16_t*>(p)[i]) << 16;
      float f;
      std::memcpy(&f, &u, 4);
      return f;
    }
    case D::kInt8:
      return static_cast<const int8_t*>(p)[i];
    case D::kUInt8:
      return static_cast<const uint8_t*>(p)[i];
    case D::kBool:
      return static_cast<const uint8_t*>(p)[i] != 0;
    case D::kInt16:
      return static_cast<const int16_t*>(p)[i];
    case D::kUInt16:
      return static_cast<const uint16_t*>(p)[i];
    case D::kInt32:
      return static_cast<const int32_t*>(p)[i];
    case D::kUInt32:
      return static_cast<const uint32_t*>(p)[i];
    case D::kInt64:
      return double(static_cast<const int64_t*>(p)[i]);
    case D::kUInt64:
      return double(static_cast<const uint64_t*>(p)[i]);
    default:
      return 0;
  }
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

bool is_float8(rnpu::DataType t) {
  using D = rnpu::DataType;
  return t == D::kFloat8E4M3FN || t == D::kFloat8E4M3FNUZ || t == D::kFloat8E5M2 ||
         t == D::kFloat8E5M2FNUZ;
}

// Written from the float8 encodings (onnx/docs/technical/float8.md), not
// shared with the cpu backend, so a wrong table there cannot hide here.
bool float8_nan(rnpu::DataType t, uint8_t b) {
  using D = rnpu::DataType;
  if (t == D::kFloat8E4M3FNUZ || t == D::kFloat8E5M2FNUZ) return b == 0x80;
  if (t == D::kFloat8E5M2) return (b & 0x7f) > 0x7c;
  return (b & 0x7f) == 0x7f;
}

// Float8 and int4/uint4 (one byte per element in memory): the exact bits,
// except that any NaN matches any NaN.
std::string compare_bytes(const std::string& name, const rnpu::TensorView& got,
                          const rnpu::onnx::NamedTensor& want) {
  const auto& w = *want.tensor;
  auto* a = static_cast<const uint8_t*>(got.data);
  auto* b = static_cast<const uint8_t*>(w.data);
  for (size_t i = 0; i < size_t(w.numel()); ++i) {
    if (a[i] == b[i] ||
        (is_float8(w.dtype) && float8_nan(w.dtype, a[i]) && float8_nan(w.dtype, b[i])))
      continue;
    char msg[64];
    std::snprintf(msg, sizeof msg, "]: bits 0x%02x, expected 0x%02x", a[i], b[i]);
    return "output '" + name + "'[" + std::to_string(i) + msg;
  }
  return {};
}

// ONNX's backend-test tolerances: rtol 1e-3, atol 1e-7; integers exact.
std::string compare(const std::string& name, const rnpu::TensorView& got,
                    const rnpu::onnx::NamedTensor& want) {
  const auto& w = *want.tensor;
  // ONNX 1.12's test data stores bfloat16 results as uint16 bit patterns.
  if (got.dtype == rnpu::DataType::kBFloat16 && w.dtype == rnpu::DataType::kUInt16) {
    if (got.shape != w.dims)
      return "output '" + name + "': shape " + shape_str(got.shape) + ", expected " +
             shape_str(w.dims);
    if (got.size != w.size || std::memcmp(got.data, w.data, w.size) != 0)
      return "output '" + name + "': bfloat16 bits differ";
    return {};
  }
  if (got.dtype != w.dtype)
    return "output '" + name + "': type " + rnpu::data_type_name(got.dtype) + ", expected " +
           rnpu::data_type_name(w.dtype);
  if (got.shape != w.dims)
    return "output '" + name + "': shape " + shape_str(got.shape) + ", expected " +
           shape_str(w.dims);
  if (is_float8(w.dtype) || w.dtype == rnpu::DataType::kInt4 || w.dtype == rnpu::DataType::kUInt4)
    return compare_bytes(name, got, want);
  size_t n = size_t(w.numel());
  bool is_float = w.dtype == rnpu::DataType::kFloat32 || w.dtype == rnpu::DataType::kFloat64 ||
                  w.dtype == rnpu::DataType::kFloat16 || w.dtype == rnpu::DataType::kBFloat16;
  bool exact64 = w.dtype == rnpu::DataType::kInt64 || w.dtype == rnpu::DataType::kUInt64;
  for (size_t i = 0; i < n; ++i) {
    if (exact64) {
      if (std::memcmp(static_cast<const char*>(got.data) + i * 8,
                      static_cast<const char*>(w.data) + i * 8, 8))
        return "output '" + name + "'[" + std::to_string(i) +
               "]: " + std::to_string(static_cast<const int64_t*>(got.data)[i]) + ", expected " +
               std::to_string(static_cast<const int64_t*>(w.data)[i]);
      continue;
    }
    double a = element(got.dtype, got.data, i), b = element(w.dtype, w.data, i);
    bool ok;
    if (!is_float)
      ok = a == b;
    else if (std::isnan(b))
      ok = std::isnan(a);
    else if (std::isinf(b))
      ok = a == b;
    else
      ok = std::fabs(a - b) <= 1e-7 + 1e-3 * std::fabs(b);
    if (!ok) {
      std::ostringstream s;
      s << "output '" << name << "'[" << i << "]: " << a << ", expected " << b;
      return s.str();
    }
  }
  return {};
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> v;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string f = e.path().filename().string();
    if (f.rfind(prefix, 0) == 0 && f.size() > prefix.size() + 3 && f.ends_with(".pb"))
      v.emplace_back(std::atoi(f.c_str() + prefix.size()), e.path());
  }
  std::sort(v.begin(), v.end());
  std::vector<fs::path> out;
  for (auto& [i, p] : v) out.push_back(p);
  return out;
}

// A test data file as the model's input or output *idx declares it (a
// TensorProto, SequenceProto or OptionalProto); a name in the file that
// names another input or output moves *idx there.
rnpu::onnx::NamedValue read_value(const fs::path& p, const std::vector<rnpu::TensorInfo>& infos,
                                  size_t* idx) {
  std::string b = rnpu::onnx::read_file(p.string());
  auto kind_at = [&](size_t i) {
    return i < infos.size() ? infos[i].kind : rnpu::ValueKind::kTensor;
  };
  auto v = rnpu::onnx::import_value(b.data(), b.size(), kind_at(*idx));
  if (v.name.empty()) return v;
  for (size_t i = 0; i < infos.size(); ++i)
    if (infos[i].name == v.name && i != *idx) {
      *idx = i;
      if (kind_at(i) != v.kind) v = rnpu::onnx::import_value(b.data(), b.size(), kind_at(i));
      break;
    }
  return v;
}

std::vector<rnpu::TensorView> element_views(const rnpu::onnx::NamedValue& v) {
  std::vector<rnpu::TensorView> out;
  for (const auto& e : v.elements) out.push_back({e->dtype, e->dims, e->data, e->size});
  return out;
}

void bind_input(rnpu::Session& s, size_t idx, const rnpu::onnx::NamedValue& v) {
  if (!v.present) return s.set_input_absent(idx);
  if (v.tensor && v.tensor->strings)
    return s.set_input_strings(idx, *v.tensor->strings, v.tensor->dims);
  if (v.tensor) return s.set_input(idx, v.tensor->data, v.tensor->size, v.tensor->dims);
  s.set_input_sequence(idx, element_views(v));
}

// String outputs compare exactly: shape, then every element's bytes.
std::string compare_strings(const rnpu::Session& s, size_t idx, const rnpu::ir::ConstTensor& want) {
  const std::string& name = s.outputs()[idx].name;
  std::vector<int64_t> shape;
  std::vector<std::string> got = s.output_strings(idx, &shape);
  if (shape != want.dims)
    return "output '" + name + "': shape " + rnpu::ir::Shape(shape).str() + ", expected " +
           rnpu::ir::Shape(want.dims).str();
  for (size_t k = 0; k < got.size(); ++k)
    if (got[k] != (*want.strings)[k])
      return "output '" + name + "': element " + std::to_string(k) + " is '" + got[k] +
             "', expected '" + (*want.strings)[k] + "'";
  return {};
}

std::string compare_value(const rnpu::Session& s, size_t idx, const rnpu::onnx::NamedValue& want) {
  const std::string& name = s.outputs()[idx].name;
  bool has = s.output_has_element(idx);
  if (has != want.present)
    return "output '" + name + "': " + (has ? "has an element, expected none" : "has no element");
  if (!want.present) return {};
  if (want.tensor && want.tensor->strings) return compare_strings(s, idx, *want.tensor);
  if (want.tensor) return compare(name, s.output(idx), {want.name, want.tensor});
  size_t n = s.output_sequence_length(idx);
  if (n != want.elements.size())
    return "output '" + name + "': " + std::to_string(n) + " elements, expected " +
           std::to_string(want.elements.size());
  for (size_t k = 0; k < n; ++k) {
    std::string diff = compare(name + "[" + std::to_string(k) + "]", s.output_element(idx, k),
                               {want.name, want.elements[k]});
    if (!diff.empty()) return diff;
  }
  return {};
}

Result run_test(const fs::path& dir, const RunConfig& cfg) {
  try {
    rnpu::Options o;
    o.backends = {cfg.backend};
    o.allow_fallback = false;
    o.num_threads = cfg.threads;
    o.reference_kernels = cfg.reference;
    auto s = rnpu::Session::load_file((dir / "model.onnx").string(), o);
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
        sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) return {Outcome::kError, "no test_data_set_* directory"};
    for (const auto& set : sets) {
      auto ins = numbered(set, "input_");
      if (ins.size() != s.inputs().size())
        return {Outcome::kError, std::to_string(ins.size()) + " input files for " +
                                     std::to_string(s.inputs().size()) + " model inputs"};
      // Test values must stay alive until the run: they are bound in place.
      std::vector<rnpu::onnx::NamedValue> values;
      for (size_t i = 0; i < ins.size(); ++i) {
        size_t idx = i;
        values.push_back(read_value(ins[i], s.inputs(), &idx));
        bind_input(s, idx, values.back());
      }
      s.run();
      auto outs = numbered(set, "output_");
      if (outs.size() != s.outputs().size())
        return {Outcome::kError, std::to_string(outs.size()) + " output files for " +
                                     std::to_string(s.outputs().size()) + " model outputs"};
      for (size_t i = 0; i < outs.size(); ++i) {
        size_t idx = i;
        auto want = read_value(outs[i], s.outputs(), &idx);
        std::string diff = compare_value(s, idx, want);
        if (!diff.empty()) return {Outcome::kWrong, set.filename().string() + ": " + diff};
      }
    }
    return {Outcome::kPass, {}};
  } catch (const rnpu::Error& e) {
    if (e.code() == rnpu::ErrorCode::kUnsupportedOp) return {Outcome::kUnsupported, e.what()};
    return {Outcome::kError, std::string(rnpu::error_code_name(e.code())) + ": " + e.what()};
  } catch (const std::exception& e) {
    return {Outcome::kError, std::string("exception: ") + e.what()};
  }
}

// Runs one test in a child process with a time limit.  Whatever kills the
// child (a signal, the alarm, an exit without a result) is a crash.
Result run_isolated(const fs::path& dir, const RunConfig& cfg, int timeout_s) {
  int fds[2];
  if (pipe(fds) != 0) return {Outcome::kCrash, "pipe failed"};
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return {Outcome::kCrash, "fork failed"};
  }
  if (pid == 0) {
    close(fds[0]);
    alarm(unsigned(timeout_s));
    Result r;
    switch (cfg.inject) {
      case Inject::kCrash:
        raise(SIGSEGV);
        break;
      case Inject::kHang:
        for (;;) pause();
      case Inject::kWrong:
        r = {Outcome::kWrong, "injected wrong result (--inject wrong)"};
        break;
      case Inject::kNone:
        r = run_test(dir, cfg);
        break;
    }
    std::string msg = std::to_string(int(r.outcome)) + r.detail;
    size_t off = 0;
    while (off < msg.size()) {
      ssize_t w = write(fds[1], msg.data() + off, msg.size() - off);
      if (w <= 0) break;
      off += size_t(w);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return {Outcome::kCrash, WTERMSIG(status) == SIGALRM
                                 ? "timeout after " + std::to_string(timeout_s) + " s"
                                 : std::string("killed by signal ") + strsignal(WTERMSIG(status))};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {Outcome::kCrash, "child exited with status " + std::to_string(WEXITSTATUS(status))};
  if (msg.empty() || msg[0] < '0' || msg[0] > '0' + int(Outcome::kCrash))
    return {Outcome::kCrash, "child exited without a result"};
  Result r;
  r.outcome = Outcome(msg[0] - '0');
  r.detail = msg.substr(1);
  return r;
}

std::string one_line(std::string s, size_t max = 240) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

struct Listed {
  Outcome kind;
  std::string reason;
};

struct Counts {
  int pass = 0, fail = 0, skip = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> data_dirs;
  std::string expected_path, write_path, filter;
  RunConfig cfg;
  bool verbose = false;
  int timeout_s = 60;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data")
      data_dirs.push_back(next());
    else if (a == "--backend")
      cfg.backend = next();
    else if (a == "--reference")
      cfg.reference = true;
    else if (a == "--threads")
      cfg.threads = std::max(1, std::stoi(next()));
    else if (a == "--expected")
      expected_path = next();
    else if (a == "--write-expected")
      write_path = next();
    else if (a == "--filter")
      filter = next();
    else if (a == "--timeout")
      timeout_s = std::max(1, std::stoi(next()));
    else if (a == "--inject") {
      std::string v = next();
      cfg.inject = v == "crash"   ? Inject::kCrash
                   : v == "hang"  ? Inject::kHang
                   : v == "wrong" ? Inject::kWrong
                                  : Inject::kNone;
      if (cfg.inject == Inject::kNone) {
        std::cerr << "--inject takes crash, hang or wrong\n";
        return 2;
      }
    } else if (a == "-v" || a == "--verbose")
      verbose = true;
    else {
      std::cerr << "usage: " << argv[0]
                << " [--data DIR] [--backend NAME] [--reference] [--threads N] [--expected FILE]"
                   " [--write-expected FILE] [--filter SUBSTR] [--timeout S]"
                   " [--inject crash|hang|wrong] [-v]\n";
      return 2;
    }
  }
  std::string run = cfg.backend;
  if (cfg.reference) run += ", reference kernels";
  if (cfg.threads != 1) run += ", " + std::to_string(cfg.threads) + " threads";

  std::map<std::string, Listed> expected;
  if (!expected_path.empty()) {
    std::ifstream in(expected_path);
    if (!in) {
      std::cerr << "cannot read " << expected_path << "\n";
      return 2;
    }
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::string name, kind;
      ls >> name >> kind;
      std::string reason;
      std::getline(ls, reason);
      size_t r0 = reason.find_first_not_of(' ');
      reason = r0 == std::string::npos ? "" : reason.substr(r0);
      Listed l{Outcome::kPass, reason};
      for (Outcome o : {Outcome::kUnsupported, Outcome::kError, Outcome::kWrong})
        if (kind == std::string(outcome_name(o)) + ":") l.kind = o;
      if (l.kind == Outcome::kPass || reason.empty()) {
        std::cerr << expected_path << ":" << lineno
                  << ": expected '<test>  <unsupported|error|wrong>: <reason>'\n";
        return 2;
      }
      if (!expected.emplace(name, l).second) {
        std::cerr << expected_path << ":" << lineno << ": " << name << " listed twice\n";
        return 2;
      }
    }
  }
  bool have_backend = false;
  for (const auto& b : rnpu::list_backends())
    if (b.name == cfg.backend && b.available) have_backend = true;
  if (!have_backend) {
    std::cout << "NOT RUN: backend '" << cfg.backend << "' is not built in or not available here\n";
    return 77;
  }
  if (data_dirs.empty()) data_dirs.push_back("/usr/share/libonnx-testdata/data/node");
  // Tests are named by directory; outside the node tests, prefixed with
  // their collection ("pytorch-converted/test_Conv2d").
  struct Test {
    std::string name, collection;
    fs::path dir;
  };
  std::vector<Test> tests;
  std::vector<std::string> collections;
  for (const auto& data : data_dirs) {
    std::error_code ec;
    std::string coll = fs::path(data).filename().string();
    collections.push_back(coll);
    for (const auto& e : fs::directory_iterator(data, ec)) {
      std::string name = e.path().filename().string();
      if (coll != "node") name = coll + "/" + name;
      if (e.is_directory() && fs::exists(e.path() / "model.onnx") &&
          (filter.empty() || name.find(filter) != std::string::npos))
        tests.push_back({name, coll, e.path()});
    }
    if (ec) {
      std::cout << "NOT RUN: cannot read ONNX tests under " << data << "\n";
      return 77;
    }
  }
  if (tests.empty()) {
    std::cout << "NOT RUN: no ONNX tests found\n";
    return 77;
  }
  std::sort(tests.begin(), tests.end(),
            [](const Test& a, const Test& b) { return a.name < b.name; });

  std::map<std::string, Counts> per_coll;
  std::map<Outcome, int> outcomes, skipped_by_kind;
  Counts total;
  int now_pass = 0;
  std::ofstream out;
  if (!write_path.empty()) {
    out.open(write_path);
    out << "# ONNX backend tests that do not pass on backend '" << cfg.backend << "'.\n"
        << "# Generated by rnpu-onnx-conformance --write-expected; edit reasons freely.\n"
        << "# <test>  <unsupported|error|wrong>: <reason>\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  for (const Test& t : tests) {
    Result r = run_isolated(t.dir, cfg, timeout_s);
    ++outcomes[r.outcome];
    Counts& c = per_coll[t.collection];
    auto it = expected.find(t.name);
    const Listed* listed = it == expected.end() ? nullptr : &it->second;
    std::string detail = one_line(r.detail);
    if (r.outcome == Outcome::kPass) {
      ++c.pass;
      ++total.pass;
      if (listed) {
        ++now_pass;
        std::cout << "NOW PASSES (remove from the expected list): " << t.name << "\n";
      }
      if (verbose) std::cout << "pass        " << t.name << "\n";
      continue;
    }
    if (out && r.outcome != Outcome::kCrash)
      out << t.name << "  " << outcome_name(r.outcome) << ": " << one_line(r.detail, 200) << "\n";
    if (r.outcome == Outcome::kCrash) {
      std::cout << "CRASH: " << t.name << ": " << detail
                << (listed ? " (listed " + std::string(outcome_name(listed->kind)) +
                                 "; a crash is never expected)"
                           : "")
                << "\n";
    } else if (!listed) {
      std::cout << "UNEXPECTED " << outcome_name(r.outcome) << ": " << t.name << ": " << detail
                << "\n";
    } else if (listed->kind != r.outcome) {
      std::cout << "WRONG KIND: " << t.name << ": listed " << outcome_name(listed->kind) << ", got "
                << outcome_name(r.outcome) << ": " << detail << "\n";
    } else {
      ++c.skip;
      ++total.skip;
      ++skipped_by_kind[r.outcome];
      if (verbose)
        std::cout << "expected " << outcome_name(r.outcome) << ": " << t.name << ": " << detail
                  << "\n";
      continue;
    }
    ++c.fail;
    ++total.fail;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "\nONNX backend tests on '" << run << "': " << tests.size() << " tests in "
            << int(secs + 0.5) << " s: " << outcomes[Outcome::kPass] << " passed, "
            << outcomes[Outcome::kUnsupported] << " unsupported, " << outcomes[Outcome::kError]
            << " error, " << outcomes[Outcome::kWrong] << " wrong, " << outcomes[Outcome::kCrash]
            << " crashed\n";
  for (const std::string& coll : collections) {
    const Counts& c = per_coll[coll];
    std::cout << "  " << coll << ": " << c.pass << " passed, " << c.fail << " failed, " << c.skip
              << " skipped (listed)\n";
  }
  std::cout << "expected-failure list: " << expected.size() << " entries; " << now_pass
            << " of them now pass here\n";
  std::string file = expected_path.empty() ? "(no list)" : expected_path;
  for (const auto& [kind, n] : skipped_by_kind)
    std::cout << "NOT RUN ITEM: " << n << " onnx tests (" << run << "): " << kind_reason(kind)
              << ", listed in " << file << "\n";
  std::cout << "RESULT: " << total.pass << " passed, " << total.fail << " failed, " << total.skip
            << " skipped\n";
  return total.fail == 0 ? 0 : 1;
}
