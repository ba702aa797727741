#include "onnx/tensor_proto.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "ir/string_tensor.h"
#include "onnx/onnx_pb.h"
#include "rnpu/types.hpp"

namespace rnpu::onnx {

namespace fs = std::filesystem;
using ir::DType;

namespace {

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw Error(ErrorCode::kMalformedModel, what + ": " + why);
}

// Opens base_dir/location after checking it cannot escape base_dir.
fs::path resolve_external(const std::string& base_dir, const std::string& location,
                          const std::string& what) {
  if (base_dir.empty())
    throw Error(ErrorCode::kIo, what + ": external data '" + location +
                                    "' cannot be resolved for a model loaded from memory");
  if (location.empty()) bad(what, "external data location is empty");
  if (location.find('\0') != std::string::npos) bad(what, "external data location has a NUL");
  fs::path rel(location);
  if (rel.is_absolute()) bad(what, "external data location '" + location + "' is absolute");
  for (const auto& part : rel)
    if (part == "..")
      bad(what, "external data location '" + location + "' leaves the model directory");
  std::error_code ec;
  fs::path base = fs::weakly_canonical(fs::path(base_dir), ec);
  if (ec)
    throw Error(ErrorCode::kIo, what + ": model directory '" + base_dir + "': " + ec.message());
  fs::path full = fs::weakly_canonical(base / rel, ec);
  if (ec) throw Error(ErrorCode::kIo, what + ": external data '" + location + "': " + ec.message());
  // Symlinks may still point outside: compare canonical prefixes.
  auto b = base.string(), f = full.string();
  if (f.size() <= b.size() || f.compare(0, b.size(), b) != 0 ||
      (b.back() != '/' && f[b.size()] != '/'))
    bad(what, "external data location '" + location + "' resolves outside the model directory");
  return full;
}

// Where an external tensor's bytes lie, checked against the file before
// anything is allocated for them.
struct ExternalRange {
  fs::path path;
  std::string location;
  uint64_t offset = 0, length = 0;
};

ExternalRange locate_external(const ::onnx::TensorProto& t, const std::string& what,
                              ExternalDataBudget* ext, size_t want) {
  ExternalRange r;
  uint64_t length = UINT64_MAX;
  for (const auto& kv : t.external_data()) {
    auto num = [&](const std::string& s) -> uint64_t {
      if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
        bad(what, "external data " + kv.key() + " '" + s + "' is not a number");
      return std::stoull(s);
    };
    if (kv.key() == "location")
      r.location = kv.value();
    else if (kv.key() == "offset")
      r.offset = num(kv.value());
    else if (kv.key() == "length")
      length = num(kv.value());
  }
  if (!ext) bad(what, "external data is not allowed here");
  r.path = resolve_external(ext->base_dir, r.location, what);
  std::error_code ec;
  uint64_t fsize = fs::file_size(r.path, ec);
  if (ec)
    throw Error(ErrorCode::kIo, what + ": external data '" + r.location + "': " + ec.message());
  if (length == UINT64_MAX) length = want;
  if (length != want)
    bad(what, "external data length " + std::to_string(length) + " != " + std::to_string(want) +
                  " bytes the shape needs");
  if (r.offset > fsize || length > fsize - r.offset)
    bad(what, "external data [" + std::to_string(r.offset) + ", +" + std::to_string(length) +
                  ") lies beyond the end of '" + r.location + "' (" + std::to_string(fsize) +
                  " bytes)");
  if (length > ext->remaining)
    throw Error(ErrorCode::kOutOfMemory, what + ": external data exceeds the model's limit");
  ext->remaining -= length;
  r.length = length;
  return r;
}

void read_external(const ExternalRange& r, const std::string& what, void* dst) {
  std::ifstream in(r.path, std::ios::binary);
  in.seekg(std::streamoff(r.offset));
  in.read(static_cast<char*>(dst), std::streamsize(r.length));
  if (!in) throw Error(ErrorCode::kIo, what + ": cannot read external data '" + r.location + "'");
}

// int4/uint4 come two per byte, low nibble first; in memory each takes a
// byte, int4 sign-extended (docs/userspace.md, "Element types").
void unpack_4bit(const uint8_t* src, size_t count, bool is_signed, uint8_t* dst) {
  for (size_t i = 0; i < count; ++i) {
    unsigned nib = (i & 1) ? src[i / 2] >> 4 : src[i / 2] & 0x0f;
    dst[i] = is_signed ? uint8_t(int8_t(int(nib ^ 8) - 8)) : uint8_t(nib);
  }
}

template <class Src, class Dst>
void copy_typed(const Src& field, Dst* dst, size_t n, const std::string& what) {
  if (size_t(field.size()) != n)
    bad(what, "has " + std::to_string(field.size()) + " values, shape needs " + std::to_string(n));
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(field[int(i)]);
}

// STRING tensors carry their elements in string_data only (ONNX has no
// raw or external form for them).  Elements are bytes: ONNX says UTF-8, but
// only the ops that interpret characters check it.
std::shared_ptr<ir::ConstTensor> convert_strings(const ::onnx::TensorProto& t,
                                                 const std::string& what) {
  if (t.data_location() == ::onnx::TensorProto::EXTERNAL)
    bad(what, "string tensors cannot have external data");
  if (t.has_raw_data()) bad(what, "string tensors cannot have raw_data");
  if (t.dims_size() > ir::kMaxRank)
    bad(what, "rank " + std::to_string(t.dims_size()) + " exceeds " + std::to_string(ir::kMaxRank));
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  for (int64_t d : dims)
    if (d < 0) bad(what, "negative dimension " + std::to_string(d));
  auto n = ir::checked_numel(dims);
  if (!n) bad(what, "shape " + ir::Shape(dims).str() + " is absurdly large");
  if (int64_t(t.string_data_size()) != *n)
    bad(what, "has " + std::to_string(t.string_data_size()) + " strings, shape " +
                  ir::Shape(dims).str() + " needs " + std::to_string(*n));
  ir::Strings elems(t.string_data().begin(), t.string_data().end());
  return ir::make_string_constant(std::move(dims), std::move(elems));
}

}  // namespace

std::shared_ptr<ir::ConstTensor> convert_tensor(const ::onnx::TensorProto& t,
                                                const std::string& what, ExternalDataBudget* ext) {
  if (t.has_segment())
    throw Error(ErrorCode::kUnsupportedOp, what + ": segmented tensors are not supported");
  int dt = t.data_type();
  if (dt == ::onnx::TensorProto::STRING) return convert_strings(t, what);
  if (!ir::dtype_valid(dt))
    throw Error(ErrorCode::kUnsupportedOp,
                what + ": tensor element type " + std::to_string(dt) + " is not supported");
  if (t.dims_size() > ir::kMaxRank)
    bad(what, "rank " + std::to_string(t.dims_size()) + " exceeds " + std::to_string(ir::kMaxRank));
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  for (int64_t d : dims)
    if (d < 0) bad(what, "negative dimension " + std::to_string(d));
  auto n = ir::checked_numel(dims);
  if (!n) bad(what, "shape " + ir::Shape(dims).str() + " is absurdly large");
  DType type = DType(dt);
  size_t esize = ir::dtype_size(type);
  bool packed4 = ir::dtype_is_int4(type);
  bool is_signed4 = type == DType::kInt4;
  // Bytes the proto or the external file holds.
  size_t want = packed4 ? (size_t(*n) + 1) / 2 : size_t(*n) * esize;

  bool external = t.data_location() == ::onnx::TensorProto::EXTERNAL;
  // Check the bytes are present (in the proto or the external file) before
  // allocating what the shape claims.
  ExternalRange range;
  if (external) {
    range = locate_external(t, what, ext, want);
  } else {
    size_t have = 0;
    if (t.has_raw_data())
      have = t.raw_data().size();
    else
      switch (type) {
        case DType::kFloat32:
          have = size_t(t.float_data_size()) * 4;
          break;
        case DType::kFloat64:
          have = size_t(t.double_data_size()) * 8;
          break;
        case DType::kInt64:
          have = size_t(t.int64_data_size()) * 8;
          break;
        case DType::kUInt32:
        case DType::kUInt64:
          have = size_t(t.uint64_data_size()) * esize;
          break;
        default:
          have = size_t(t.int32_data_size()) * esize;
          break;
      }
    if (have != want)
      bad(what, "holds " + std::to_string(have) + " bytes of data, shape " + ir::Shape(dims).str() +
                    " of " + ir::dtype_name(type) + " needs " + std::to_string(want));
  }
  auto out = ir::ConstTensor::make(type, dims);
  void* dst = out->mutable_data();
  size_t count = size_t(*n);
  if (packed4) {
    std::vector<uint8_t> packed(want);
    if (external)
      read_external(range, what, packed.data());
    else if (t.has_raw_data())
      std::memcpy(packed.data(), t.raw_data().data(), want);
    else
      copy_typed(t.int32_data(), packed.data(), want, what);
    unpack_4bit(packed.data(), count, is_signed4, static_cast<uint8_t*>(dst));
  } else if (external) {
    read_external(range, what, dst);
  } else if (t.has_raw_data()) {
    if (want) std::memcpy(dst, t.raw_data().data(), want);
  } else {
    switch (type) {
      case DType::kFloat32:
        copy_typed(t.float_data(), static_cast<float*>(dst), count, what);
        break;
      case DType::kFloat64:
        copy_typed(t.double_data(), static_cast<double*>(dst), count, what);
        break;
      case DType::kInt64:
        copy_typed(t.int64_data(), static_cast<int64_t*>(dst), count, what);
        break;
      case DType::kUInt32:
        copy_typed(t.uint64_data(), static_cast<uint32_t*>(dst), count, what);
        break;
      case DType::kUInt64:
        copy_typed(t.uint64_data(), static_cast<uint64_t*>(dst), count, what);
        break;
      case DType::kInt32:
        copy_typed(t.int32_data(), static_cast<int32_t*>(dst), count, what);
        break;
      case DType::kInt16:
        copy_typed(t.int32_data(), static_cast<int16_t*>(dst), count, what);
        break;
      case DType::kInt8:
        copy_typed(t.int32_data(), static_cast<int8_t*>(dst), count, what);
        break;
      case DType::kUInt16:
      case DType::kFloat16:
      case DType::kBFloat16:
        copy_typed(t.int32_data(), static_cast<uint16_t*>(dst), count, what);
        break;
      case DType::kUInt8:
      case DType::kFloat8E4M3FN:
      case DType::kFloat8E4M3FNUZ:
      case DType::kFloat8E5M2:
      case DType::kFloat8E5M2FNUZ:
        copy_typed(t.int32_data(), static_cast<uint8_t*>(dst), count, what);
        break;
      case DType::kBool: {
        auto* b = static_cast<uint8_t*>(dst);
        copy_typed(t.int32_data(), b, count, what);
        for (size_t i = 0; i < count; ++i) b[i] = b[i] != 0;
        break;
      }
      default:
        bad(what, "unsupported element type");
    }
  }
  return out;
}

}  // namespace rnpu::onnx
