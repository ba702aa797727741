// .npy reader/writer of the rnpu command.
#include "npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

namespace rnpu::cli {
namespace {

// A header exactly as numpy 1.24 writes it (version 1.0, padded to 64 bytes).
std::string numpy_file(const std::string& dict, const std::string& data) {
  std::string h = dict;
  size_t total = (10 + h.size() + 1 + 63) / 64 * 64;
  h.append(total - 10 - h.size() - 1, ' ');
  h += '\n';
  std::string f("\x93NUMPY\x01\x00", 8);
  f += char(h.size() & 0xff);
  f += char(h.size() >> 8);
  return f + h + data;
}

TEST(Npy, ParsesNumpyWrittenFloat32) {
  float v[6] = {1, 2, 3, 4, 5, -6.5f};
  std::string f = numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                             std::string(reinterpret_cast<char*>(v), sizeof v));
  NpyArray a = npy_parse(f, "x.npy");
  EXPECT_EQ(a.dtype, DataType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(a.data.size(), sizeof v);
  EXPECT_EQ(std::memcmp(a.data.data(), v, sizeof v), 0);
}

TEST(Npy, ParsesScalarOneDimAndVersion2) {
  int64_t s = 42;
  NpyArray a = npy_parse(numpy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
                                    std::string(reinterpret_cast<char*>(&s), 8)),
                         "s");
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.data.size(), 8u);
  NpyArray b = npy_parse(numpy_file("{'shape': (3,), 'fortran_order': False, 'descr': '|b1'}",
                                    std::string("\x01\x00\x01", 3)),
                         "b");
  EXPECT_EQ(b.dtype, DataType::kBool);
  EXPECT_EQ(b.shape, (std::vector<int64_t>{3}));
  // Version 2.0: 4-byte header length.
  std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }\n";
  std::string f("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) f += char((dict.size() >> (8 * i)) & 0xff);
  NpyArray c = npy_parse(f + dict + "\x07\x08", "c");
  EXPECT_EQ(c.dtype, DataType::kUInt8);
  EXPECT_EQ(c.data, (std::vector<uint8_t>{7, 8}));
}

TEST(Npy, RoundTripsEveryType) {
  const DataType types[] = {DataType::kFloat32, DataType::kFloat16, DataType::kInt8,
                            DataType::kUInt8,   DataType::kInt32,   DataType::kInt64,
                            DataType::kBool,    DataType::kFloat64, DataType::kUInt16};
  for (DataType t : types) {
    std::vector<int64_t> shape = {2, 1, 3};
    std::vector<uint8_t> data(6 * data_type_size(t));
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = uint8_t(t == DataType::kBool ? i % 2 : i * 7);
    std::string bytes = npy_serialize(t, shape, data.data(), data.size());
    EXPECT_EQ((bytes.size() - data.size()) % 64, 0u) << "data starts 64-byte aligned";
    NpyArray a = npy_parse(bytes, "rt");
    EXPECT_EQ(a.dtype, t) << data_type_name(t);
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.data, data);
  }
}

TEST(Npy, WritesNumpyTupleSyntax) {
  float x = 1;
  EXPECT_NE(npy_serialize(DataType::kFloat32, {5}, nullptr, 0).find("'shape': (5,)"),
            std::string::npos);
  EXPECT_NE(npy_serialize(DataType::kFloat32, {}, &x, 4).find("'shape': ()"), std::string::npos);
  EXPECT_NE(npy_serialize(DataType::kInt8, {1, 2}, "ab", 2).find("'descr': '|i1'"),
            std::string::npos);
  EXPECT_NE(npy_serialize(DataType::kFloat16, {0}, nullptr, 0).find("'descr': '<f2'"),
            std::string::npos);
}

void expect_error(const std::string& bytes, const std::string& needle) {
  try {
    npy_parse(bytes, "in.npy");
    ADD_FAILURE() << "no error, wanted: " << needle;
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("in.npy"), std::string::npos) << e.what();
  }
}

TEST(Npy, RejectsBadFilesWithReasons) {
  expect_error("PK\x03\x04 not numpy", "not a .npy file");
  expect_error(std::string("\x93NUMPY\x01\x00\xff\x00{", 11), "truncated");
  expect_error(std::string("\x93NUMPY\x09\x00\x10\x00", 10), "version 9");
  std::string four(16, '\0');
  expect_error(numpy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", four),
               "big-endian");
  expect_error(numpy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four),
               "Fortran");
  expect_error(numpy_file("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", four),
               "'<c8' is not supported");
  expect_error(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", four),
               "data is 16 bytes");
  expect_error(numpy_file("{'descr': '<f4', 'shape': (4,), }", four), "'fortran_order'");
  expect_error(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4, ", four),
               "malformed");
  expect_error(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': "
                          "(99999999999, 99999999999, 99999999999), }",
                          four),
               "too large");
}

TEST(Npy, SavesAndLoadsFiles) {
  char tmpl[] = "/tmp/rnpu-npy-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/a.npy";
  int32_t v[3] = {1, -2, 3};
  npy_save(path, DataType::kInt32, {3}, v, sizeof v);
  NpyArray a = npy_load(path);
  EXPECT_EQ(a.dtype, DataType::kInt32);
  EXPECT_EQ(std::memcmp(a.data.data(), v, sizeof v), 0);
  unlink(path.c_str());
  rmdir(tmpl);
  try {
    npy_load(path);
    ADD_FAILURE();
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(npy_descr(DataType::kString), NpyError);
}

}  // namespace
}  // namespace rnpu::cli
