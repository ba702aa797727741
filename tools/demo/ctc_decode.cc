// rnpu-ctc-decode: greedy CTC decoding of PP-OCR recognizer output.
//
//   rnpu-ctc-decode OUT.npy KEYS.txt
//
// OUT.npy is [1, T, C] class probabilities (C = keys + 2: index 0 is the
// CTC blank, 1..keys the characters of KEYS.txt one per line, the last a
// space, as PaddleOCR's use_space_char).  Prints the text and the mean
// probability of the kept characters.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "npy.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s OUT.npy KEYS.txt\n", argv[0]);
    return 2;
  }
  try {
    rnpu::cli::NpyArray a = rnpu::cli::npy_load(argv[1]);
    if (a.dtype != rnpu::DataType::kFloat32 || a.shape.size() != 3)
      throw std::runtime_error("expected float32 [1, T, C]");
    std::vector<std::string> keys;
    std::ifstream f(argv[2]);
    for (std::string line; std::getline(f, line);) keys.push_back(line);
    size_t t = size_t(a.shape[1]), c = size_t(a.shape[2]);
    if (c != keys.size() + 2)
      throw std::runtime_error(std::to_string(c) + " classes but " + std::to_string(keys.size()) +
                               " keys (+ blank and space) in " + argv[2]);
    const float* p = reinterpret_cast<const float*>(a.data.data());
    std::string text;
    double conf = 0;
    size_t kept = 0, prev = 0;
    for (size_t i = 0; i < t; ++i) {
      size_t best = 0;
      for (size_t k = 1; k < c; ++k)
        if (p[i * c + k] > p[i * c + best]) best = k;
      if (best != 0 && best != prev) {
        text += best == c - 1 ? " " : keys[best - 1];
        conf += p[i * c + best];
        ++kept;
      }
      prev = best;
    }
    std::printf("text: \"%s\" (mean confidence %.3f over %zu characters)\n", text.c_str(),
                kept ? conf / double(kept) : 0.0, kept);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnpu-ctc-decode: %s\n", e.what());
    return 1;
  }
  return 0;
}
