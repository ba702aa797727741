// NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian, C
// order: the input and output format of `rnpu run`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rnpu/rnpu.hpp"

namespace rnpu::cli {

struct NpyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  DataType dtype = DataType::kUndefined;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // numel * element size bytes, row-major
};

// The numpy dtype string ("<f4", "|u1", "|b1", ...) of `t`; throws NpyError
// for types .npy cannot carry here (string, bfloat16).
std::string npy_descr(DataType t);

// Parses a whole .npy file held in memory.  `what` names it in errors.
NpyArray npy_parse(std::string_view bytes, const std::string& what);
NpyArray npy_load(const std::string& path);

// The bytes of a version 1.0 .npy file (2.0 when the header needs it).
std::string npy_serialize(DataType t, const std::vector<int64_t>& shape, const void* data,
                          size_t size);
void npy_save(const std::string& path, DataType t, const std::vector<int64_t>& shape,
              const void* data, size_t size);

}  // namespace rnpu::cli
