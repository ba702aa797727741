#include "npy.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

namespace rnpu::cli {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kMaxHeader = 1 << 20;  // numpy itself refuses headers over 10 KiB by default
// Tuples nest at most this deep (numpy writes one level, the shape): the
// parser recurses per level, so a header of a million '(' must not.
constexpr int kMaxNesting = 8;

struct TypeName {
  DataType type;
  const char* code;  // without the byte-order character
};
constexpr TypeName kTypes[] = {
    {DataType::kFloat32, "f4"}, {DataType::kFloat16, "f2"}, {DataType::kFloat64, "f8"},
    {DataType::kInt8, "i1"},    {DataType::kUInt8, "u1"},   {DataType::kInt16, "i2"},
    {DataType::kUInt16, "u2"},  {DataType::kInt32, "i4"},   {DataType::kUInt32, "u4"},
    {DataType::kInt64, "i8"},   {DataType::kUInt64, "u8"},  {DataType::kBool, "b1"},
};

// The header is a Python dict literal; these are the only value kinds
// numpy writes into it.
struct PyValue {
  enum Kind { kStr, kBool, kInt, kTuple } kind = kStr;
  std::string s;
  bool b = false;
  int64_t i = 0;
  std::vector<PyValue> items;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : t_(text), what_(what) {}

  std::map<std::string, PyValue> dict() {
    expect('{');
    std::map<std::string, PyValue> out;
    for (;;) {
      skip_ws();
      if (peek() == '}') {
        ++p_;
        break;
      }
      PyValue key = value();
      if (key.kind != PyValue::kStr) fail("dictionary key is not a string");
      expect(':');
      out[key.s] = value();
      skip_ws();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect('}');
      break;
    }
    skip_ws();
    if (p_ != t_.size()) fail("unexpected text after the header dictionary");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    throw NpyError(what_ + ": malformed .npy header (" + why + ")");
  }
  void skip_ws() {
    while (p_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[p_]))) ++p_;
  }
  char peek() const { return p_ < t_.size() ? t_[p_] : '\0'; }
  void expect(char c) {
    skip_ws();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++p_;
  }
  PyValue value(int depth = 0) {
    skip_ws();
    PyValue v;
    char c = peek();
    if (depth > kMaxNesting) fail("nested more than " + std::to_string(kMaxNesting) + " deep");
    if (c == '\'' || c == '"') {
      ++p_;
      size_t end = t_.find(c, p_);
      if (end == std::string_view::npos) fail("unterminated string");
      v.kind = PyValue::kStr;
      v.s = std::string(t_.substr(p_, end - p_));
      p_ = end + 1;
    } else if (c == '(') {
      ++p_;
      v.kind = PyValue::kTuple;
      for (;;) {
        skip_ws();
        if (peek() == ')') {
          ++p_;
          break;
        }
        v.items.push_back(value(depth + 1));
        skip_ws();
        if (peek() == ',') {
          ++p_;
          continue;
        }
        expect(')');
        break;
      }
    } else if (t_.substr(p_, 4) == "True") {
      p_ += 4;
      v.kind = PyValue::kBool;
      v.b = true;
    } else if (t_.substr(p_, 5) == "False") {
      p_ += 5;
      v.kind = PyValue::kBool;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      v.kind = PyValue::kInt;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        int d = peek() - '0';
        if (v.i > (std::numeric_limits<int64_t>::max() - d) / 10) fail("dimension too large");
        v.i = v.i * 10 + d;
        ++p_;
      }
      if (peek() == 'L') ++p_;  // Python 2 long suffix
    } else {
      fail(std::string("unexpected character '") + (c ? std::string(1, c) : "end") + "'");
    }
    return v;
  }

  std::string_view t_;
  const std::string& what_;
  size_t p_ = 0;
};

uint32_t read_le(const char* p, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

DataType parse_descr(const std::string& d, const std::string& what) {
  if (d.size() >= 2) {
    char order = d[0];
    std::string code = d.substr(1);
    for (const TypeName& t : kTypes) {
      if (code != t.code) continue;
      bool one_byte = code[1] == '1';
      if (order == '<' || order == '=' || (order == '|' && one_byte)) return t.type;
      if (order == '>' && !one_byte)
        throw NpyError(what + ": big-endian data ('" + d +
                       "') is not supported; save it little-endian, e.g. "
                       "a.astype(a.dtype.newbyteorder('<'))");
    }
  }
  throw NpyError(what + ": element type '" + d +
                 "' is not supported (use float32 '<f4', float16 '<f2', float64 '<f8', int8, "
                 "uint8, int16, uint16, int32, uint32, int64, uint64 or bool)");
}

}  // namespace

std::string npy_descr(DataType t) {
  for (const TypeName& n : kTypes)
    if (n.type == t) return std::string(n.code[1] == '1' ? "|" : "<") + n.code;
  throw NpyError(std::string("element type ") + data_type_name(t) +
                 " cannot be stored in a .npy file");
}

NpyArray npy_parse(std::string_view bytes, const std::string& what) {
  if (bytes.size() < kMagicLen + 4 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
    throw NpyError(what + ": not a .npy file (no \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t len_bytes = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
  if (!len_bytes)
    throw NpyError(what + ": .npy format version " + std::to_string(major) + " is not supported");
  if (bytes.size() < 8 + len_bytes) throw NpyError(what + ": truncated .npy header");
  size_t hlen = read_le(bytes.data() + 8, int(len_bytes));
  size_t start = 8 + len_bytes;
  if (hlen > kMaxHeader || hlen > bytes.size() - start)
    throw NpyError(what + ": truncated .npy header (declares " + std::to_string(hlen) + " bytes)");
  HeaderParser hp(bytes.substr(start, hlen), what);
  std::map<std::string, PyValue> h = hp.dict();

  auto field = [&](const char* key, PyValue::Kind kind) -> const PyValue& {
    auto it = h.find(key);
    if (it == h.end() || it->second.kind != kind)
      throw NpyError(what + ": .npy header lacks a valid '" + key + "'");
    return it->second;
  };
  NpyArray a;
  a.dtype = parse_descr(field("descr", PyValue::kStr).s, what);
  if (field("fortran_order", PyValue::kBool).b)
    throw NpyError(what +
                   ": Fortran-ordered arrays are not supported; save with "
                   "np.ascontiguousarray(a)");
  uint64_t numel = 1;
  for (const PyValue& d : field("shape", PyValue::kTuple).items) {
    if (d.kind != PyValue::kInt) throw NpyError(what + ": .npy shape holds a non-integer");
    if (d.i != 0 && numel > std::numeric_limits<uint32_t>::max() * uint64_t(16) / uint64_t(d.i))
      throw NpyError(what + ": .npy shape is too large");
    numel *= uint64_t(d.i);
    a.shape.push_back(d.i);
  }
  uint64_t need = numel * data_type_size(a.dtype);
  size_t have = bytes.size() - start - hlen;
  if (have != need) {
    std::ostringstream os;
    os << what << ": .npy data is " << have << " bytes, shape (";
    for (size_t i = 0; i < a.shape.size(); ++i) os << (i ? "," : "") << a.shape[i];
    os << ") of " << data_type_name(a.dtype) << " needs " << need;
    throw NpyError(os.str());
  }
  const char* p = bytes.data() + start + hlen;
  a.data.assign(p, p + need);
  return a;
}

NpyArray npy_load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw NpyError(path + ": read error");
  return npy_parse(ss.str(), path);
}

std::string npy_serialize(DataType t, const std::vector<int64_t>& shape, const void* data,
                          size_t size) {
  std::string dict = "{'descr': '" + npy_descr(t) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) dict += (i ? ", " : "") + std::to_string(shape[i]);
  dict += shape.size() == 1 ? ",)" : ")";  // Python's one-element tuple
  dict += ", }";
  // Pad with spaces so that the data starts on a 64-byte boundary.
  size_t pre = kMagicLen + 2 + 2;
  int major = 1;
  if (pre + dict.size() + 1 > 65535) {
    major = 2;
    pre += 2;
  }
  size_t total = (pre + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - pre - dict.size() - 1, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += char(major);
  out += char(0);
  uint32_t hlen = uint32_t(dict.size());
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out += char((hlen >> (8 * i)) & 0xff);
  out += dict;
  out.append(static_cast<const char*>(data), size);
  return out;
}

void npy_save(const std::string& path, DataType t, const std::vector<int64_t>& shape,
              const void* data, size_t size) {
  std::string bytes = npy_serialize(t, shape, data, size);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw NpyError(path + ": cannot create (" + std::strerror(errno) + ")");
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) throw NpyError(path + ": write error");
}

}  // namespace rnpu::cli
