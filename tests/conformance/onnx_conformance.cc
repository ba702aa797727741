// rnpu-onnx-conformance: runs the ONNX backend tests (Debian's
// libonnx-testdata: node tests, and optionally the pytorch-converted,
// pytorch-operator and simple collections) on one backend and classifies every test as passed,
// failed or unsupported.  Each test runs in a forked child so a crash or a
// hang in one kernel is a failure of that test, not of the runner.
//
//   rnpu-onnx-conformance [--data DIR]... [--backend cpu] [--expected FILE]
//                         [--write-expected FILE] [--filter SUBSTR] [-v]
//
// The expected-failures file lists tests that are known not to pass, one per
// line: "<test>  <unsupported|fails>: <reason>".  The exit status is 0 when
// every test either passes or is listed; tests that are listed but now pass
// are reported so the list can be trimmed.  The last line is
//   RESULT: <passed> passed, <unexpected> failed
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
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

enum class Outcome { kPass, kFail, kUnsupported };

struct Result {
  Outcome outcome = Outcome::kFail;
  std::string detail;
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

Result run_test(const fs::path& dir, const std::string& backend) {
  try {
    rnpu::Options o;
    o.backends = {backend};
    o.allow_fallback = false;
    o.num_threads = 1;
    auto s = rnpu::Session::load_file((dir / "model.onnx").string(), o);
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
        sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) return {Outcome::kFail, "no test_data_set_* directory"};
    for (const auto& set : sets) {
      std::vector<rnpu::onnx::NamedTensor> ins;
      for (const auto& p : numbered(set, "input_")) {
        std::string b = rnpu::onnx::read_file(p.string());
        ins.push_back(rnpu::onnx::import_tensor(b.data(), b.size()));
      }
      if (ins.size() != s.inputs().size())
        return {Outcome::kFail, std::to_string(ins.size()) + " input files for " +
                                    std::to_string(s.inputs().size()) + " model inputs"};
      for (size_t i = 0; i < ins.size(); ++i) {
        size_t idx = i;
        if (!ins[i].name.empty()) idx = s.input_index(ins[i].name);
        const auto& t = *ins[i].tensor;
        s.set_input(idx, t.data, t.size, t.dims);
      }
      s.run();
      auto outs = numbered(set, "output_");
      if (outs.size() != s.outputs().size())
        return {Outcome::kFail, std::to_string(outs.size()) + " output files for " +
                                    std::to_string(s.outputs().size()) + " model outputs"};
      for (size_t i = 0; i < outs.size(); ++i) {
        std::string b = rnpu::onnx::read_file(outs[i].string());
        auto want = rnpu::onnx::import_tensor(b.data(), b.size());
        size_t idx = want.name.empty() ? i : s.output_index(want.name);
        std::string diff = compare(s.outputs()[idx].name, s.output(idx), want);
        if (!diff.empty()) return {Outcome::kFail, set.filename().string() + ": " + diff};
      }
    }
    return {Outcome::kPass, {}};
  } catch (const rnpu::Error& e) {
    if (e.code() == rnpu::ErrorCode::kUnsupportedOp) return {Outcome::kUnsupported, e.what()};
    return {Outcome::kFail, std::string(rnpu::error_code_name(e.code())) + ": " + e.what()};
  } catch (const std::exception& e) {
    return {Outcome::kFail, std::string("exception: ") + e.what()};
  }
}

// Runs one test in a child process with a time limit.
Result run_isolated(const fs::path& dir, const std::string& backend, int timeout_s) {
  int fds[2];
  if (pipe(fds) != 0) return {Outcome::kFail, "pipe failed"};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(unsigned(timeout_s));
    Result r = run_test(dir, backend);
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
    return {Outcome::kFail,
            std::string("crashed: ") +
                (WTERMSIG(status) == SIGALRM ? "timeout" : strsignal(WTERMSIG(status)))};
  if (msg.empty()) return {Outcome::kFail, "child exited without a result"};
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

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> data_dirs;
  std::string backend = "cpu", expected_path, write_path, filter;
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
      backend = next();
    else if (a == "--expected")
      expected_path = next();
    else if (a == "--write-expected")
      write_path = next();
    else if (a == "--filter")
      filter = next();
    else if (a == "--timeout")
      timeout_s = std::stoi(next());
    else if (a == "-v" || a == "--verbose")
      verbose = true;
    else {
      std::cerr << "usage: " << argv[0]
                << " [--data DIR] [--backend NAME] [--expected FILE] [--write-expected FILE]"
                   " [--filter SUBSTR] [--timeout S] [-v]\n";
      return 2;
    }
  }
  std::map<std::string, std::string> expected;
  if (!expected_path.empty()) {
    std::ifstream in(expected_path);
    if (!in) {
      std::cerr << "cannot read " << expected_path << "\n";
      return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::string name;
      ls >> name;
      std::string rest;
      std::getline(ls, rest);
      expected[name] = rest;
    }
  }
  bool have_backend = false;
  for (const auto& b : rnpu::list_backends())
    if (b.name == backend && b.available) have_backend = true;
  if (!have_backend) {
    std::cout << "NOT RUN: backend '" << backend << "' is not built in or not available here\n";
    return 77;
  }
  if (data_dirs.empty()) data_dirs.push_back("/usr/share/libonnx-testdata/data/node");
  // Tests are named by directory; outside the node tests, prefixed with
  // their collection ("pytorch-converted/test_Conv2d").
  std::vector<std::pair<std::string, fs::path>> tests;
  for (const auto& data : data_dirs) {
    std::error_code ec;
    std::string coll = fs::path(data).filename().string();
    for (const auto& e : fs::directory_iterator(data, ec)) {
      std::string name = e.path().filename().string();
      if (coll != "node") name = coll + "/" + name;
      if (e.is_directory() && fs::exists(e.path() / "model.onnx") &&
          (filter.empty() || name.find(filter) != std::string::npos))
        tests.emplace_back(name, e.path());
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
  std::sort(tests.begin(), tests.end());

  int pass = 0, fail = 0, unsup = 0, unexpected = 0, now_pass = 0;
  std::ofstream out;
  if (!write_path.empty()) {
    out.open(write_path);
    out << "# ONNX node tests that do not pass on backend '" << backend << "'.\n"
        << "# Generated by rnpu-onnx-conformance --write-expected; edit reasons freely.\n"
        << "# <test>  <unsupported|fails>: <reason>\n";
  }
  for (const auto& [name, dir] : tests) {
    Result r = run_isolated(dir, backend, timeout_s);
    bool listed = expected.count(name) != 0;
    switch (r.outcome) {
      case Outcome::kPass:
        ++pass;
        if (listed) {
          ++now_pass;
          std::cout << "NOW PASSES (remove from the expected list): " << name << "\n";
        }
        if (verbose) std::cout << "pass        " << name << "\n";
        break;
      case Outcome::kFail:
        ++fail;
        break;
      case Outcome::kUnsupported:
        ++unsup;
        break;
    }
    if (r.outcome != Outcome::kPass) {
      const char* kind = r.outcome == Outcome::kFail ? "fails" : "unsupported";
      if (!listed) {
        ++unexpected;
        std::cout << "UNEXPECTED " << kind << ": " << name << ": " << one_line(r.detail) << "\n";
      } else if (verbose) {
        std::cout << "expected " << kind << ": " << name << ": " << one_line(r.detail) << "\n";
      }
      if (out) out << name << "  " << kind << ": " << one_line(r.detail, 200) << "\n";
    }
  }
  std::cout << "\nONNX backend tests on backend '" << backend << "': " << tests.size() << " tests, "
            << pass << " passed, " << fail << " failed, " << unsup << " unsupported\n";
  std::cout << "!!! " << unsup << " tests UNSUPPORTED on '" << backend
            << "' (not counted as passed)\n";
  std::cout << "expected-failure list: " << expected.size() << " entries; " << now_pass
            << " of them now pass; " << unexpected << " unexpected non-passing tests\n";
  std::cout << "RESULT: " << pass << " passed, " << unexpected << " failed\n";
  return unexpected == 0 ? 0 : 1;
}
