// rnpu-npy-compare: agreement of two output directories of `rnpu run`
// (same file names), e.g. --backend npu against --backend cpu.
//
//   rnpu-npy-compare DIR_GOT DIR_REF [--abs A] [--rel R] [--top K]
//
// Per output: max abs error, mean abs error, the share of rows (last axis)
// whose argmax agrees, and the top-K entries of the first row of both.
// Exit 0 when every element is within abs + rel * |ref|, 1 otherwise.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "npy.h"

namespace {

double elem(const rnpu::cli::NpyArray& a, size_t i) {
  switch (a.dtype) {
    case rnpu::DataType::kFloat32: {
      float f;
      std::memcpy(&f, a.data.data() + 4 * i, 4);
      return f;
    }
    case rnpu::DataType::kInt8:
      return double(int8_t(a.data[i]));
    case rnpu::DataType::kUInt8:
      return double(a.data[i]);
    case rnpu::DataType::kInt64: {
      int64_t v;
      std::memcpy(&v, a.data.data() + 8 * i, 8);
      return double(v);
    }
    default:
      throw std::runtime_error("unsupported dtype for comparison");
  }
}

std::vector<size_t> top(const std::vector<double>& row, size_t k) {
  std::vector<size_t> idx(row.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + ptrdiff_t(k), idx.end(),
                    [&](size_t a, size_t b) { return row[a] > row[b]; });
  idx.resize(k);
  return idx;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DIR_GOT DIR_REF [--abs A] [--rel R] [--top K]\n", argv[0]);
    return 2;
  }
  double tol_abs = 1e-2, tol_rel = 1e-2;
  size_t k = 5;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string o = argv[i];
    if (o == "--abs")
      tol_abs = std::atof(argv[i + 1]);
    else if (o == "--rel")
      tol_rel = std::atof(argv[i + 1]);
    else if (o == "--top")
      k = size_t(std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "unknown option %s\n", o.c_str());
      return 2;
    }
  }
  bool ok = true;
  size_t files = 0;
  try {
    for (const auto& e : std::filesystem::directory_iterator(argv[2])) {
      if (e.path().extension() != ".npy") continue;
      ++files;
      std::string name = e.path().filename().string();
      rnpu::cli::NpyArray ref = rnpu::cli::npy_load(e.path().string());
      rnpu::cli::NpyArray got = rnpu::cli::npy_load(std::string(argv[1]) + "/" + name);
      if (got.shape != ref.shape || got.dtype != ref.dtype) {
        std::printf("%s: shape or dtype differs\n", name.c_str());
        ok = false;
        continue;
      }
      size_t n = 1, row = ref.shape.empty() ? 1 : size_t(ref.shape.back());
      for (int64_t d : ref.shape) n *= size_t(d);
      double worst = 0, sum = 0;
      size_t bad = 0, rows = n / std::max<size_t>(row, 1), agree = 0;
      for (size_t i = 0; i < n; ++i) {
        double g = elem(got, i), r = elem(ref, i), d = std::fabs(g - r);
        worst = std::max(worst, d);
        sum += d;
        bad += !(d <= tol_abs + tol_rel * std::fabs(r));
      }
      for (size_t r = 0; r < rows; ++r) {
        size_t ag = 0, ar = 0;
        for (size_t i = 1; i < row; ++i) {
          if (elem(got, r * row + i) > elem(got, r * row + ag)) ag = i;
          if (elem(ref, r * row + i) > elem(ref, r * row + ar)) ar = i;
        }
        agree += ag == ar;
      }
      std::printf(
          "%s: %zu values, max abs error %.3g, mean %.3g, %zu outside tolerance; "
          "argmax agrees on %zu of %zu rows\n",
          name.c_str(), n, worst, sum / double(n), bad, agree, rows);
      std::vector<double> g0(row), r0(row);
      for (size_t i = 0; i < row; ++i) {
        g0[i] = elem(got, i);
        r0[i] = elem(ref, i);
      }
      std::printf("  top-%zu (index:value), got:", k);
      for (size_t i : top(g0, k)) std::printf(" %zu:%.4g", i, g0[i]);
      std::printf("\n  top-%zu (index:value), ref:", k);
      for (size_t i : top(r0, k)) std::printf(" %zu:%.4g", i, r0[i]);
      std::printf("\n");
      ok &= bad == 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnpu-npy-compare: %s\n", e.what());
    return 2;
  }
  if (!files) {
    std::fprintf(stderr, "rnpu-npy-compare: no .npy files in %s\n", argv[2]);
    return 2;
  }
  return ok ? 0 : 1;
}
