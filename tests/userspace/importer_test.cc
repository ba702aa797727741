// ONNX importer: valid models, Constant nodes, external data, and every
// malformed-input path ending in a clear error rather than a crash.
#include "onnx/importer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/graph_builder.h"

namespace rnpu {
namespace {

using test::ModelBuilder;
namespace fs = std::filesystem;

ir::Graph import(const std::string& b, onnx::ImportOptions o = {}) {
  return onnx::import_model(b.data(), b.size(), o);
}

ErrorCode import_error(const std::string& b, std::string* msg = nullptr,
                       onnx::ImportOptions o = {}) {
  try {
    import(b, o);
  } catch (const Error& e) {
    if (msg) *msg = e.what();
    return e.code();
  }
  return ErrorCode::kOk;
}

ModelBuilder add_relu() {
  ModelBuilder m;
  m.input("x", {1, 4}).init("b", {4}, {1, 2, 3, 4}).output("y");
  m.node("Add", {"x", "b"}, {"s"}, "add");
  m.node("Relu", {"s"}, {"y"}, "relu");
  return m;
}

TEST(Importer, ImportsNodesInitializersAndIO) {
  ir::Graph g = import(add_relu().bytes());
  ASSERT_EQ(g.inputs.size(), 1u);
  ASSERT_EQ(g.outputs.size(), 1u);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].op, "Add");
  EXPECT_EQ(g.nodes[0].opset, 17);
  const ir::Value& b = g.value(g.find_value("b"));
  ASSERT_TRUE(b.is_constant());
  EXPECT_EQ(b.constant->as<float>()[3], 4.0f);
  EXPECT_EQ(g.value(g.inputs[0]).shape.str(), "[1,4]");
}

TEST(Importer, ConstantNodesBecomeConstants) {
  ModelBuilder m;
  m.input("x", {2}).output("y");
  auto& c = m.node("Constant", {}, {"k"}, "k");
  auto* a = c.add_attribute();
  a->set_name("value_floats");
  a->set_type(::onnx::AttributeProto::FLOATS);
  a->add_floats(5);
  a->add_floats(6);
  m.node("Mul", {"x", "k"}, {"y"});
  ir::Graph g = import(m.bytes());
  EXPECT_EQ(g.nodes.size(), 1u);  // the Constant node is gone
  const ir::Value& k = g.value(g.find_value("k"));
  ASSERT_TRUE(k.is_constant());
  EXPECT_EQ(k.constant->dims, std::vector<int64_t>{2});
  EXPECT_EQ(k.constant->as<float>()[1], 6.0f);
}

TEST(Importer, RejectsGarbageBytes) {
  std::string junk = "\xff\xff\xff\xff this is not a protobuf";
  std::string msg;
  EXPECT_EQ(import_error(junk, &msg), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("protobuf"), std::string::npos);
  EXPECT_EQ(import_error(""), ErrorCode::kMalformedModel);  // no graph
}

TEST(Importer, RejectsTruncatedModel) {
  std::string b = add_relu().bytes();
  for (size_t cut : {b.size() / 2, b.size() - 1, size_t(7)})
    EXPECT_NE(import_error(b.substr(0, cut)), ErrorCode::kOk) << cut;
}

TEST(Importer, RejectsCycles) {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  m.node("Add", {"x", "b"}, {"a"}, "n1");
  m.node("Relu", {"a"}, {"b"}, "n2");
  m.node("Identity", {"a"}, {"y"}, "n3");
  std::string msg;
  EXPECT_EQ(import_error(m.bytes(), &msg), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
}

TEST(Importer, RejectsMissingInput) {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  m.node("Add", {"x", "nowhere"}, {"y"}, "adder");
  std::string msg;
  EXPECT_EQ(import_error(m.bytes(), &msg), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("adder"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nowhere"), std::string::npos) << msg;
}

TEST(Importer, RejectsDuplicateProducer) {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  m.node("Relu", {"x"}, {"y"}, "a");
  m.node("Neg", {"x"}, {"y"}, "b");
  EXPECT_EQ(import_error(m.bytes()), ErrorCode::kMalformedModel);
}

TEST(Importer, RejectsHugeDimsWithoutAllocating) {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  auto* t = m.graph().add_initializer();
  t->set_name("w");
  t->set_data_type(::onnx::TensorProto::FLOAT);
  t->add_dims(int64_t(1) << 40);
  t->add_dims(int64_t(1) << 40);
  m.node("Add", {"x", "w"}, {"y"});
  std::string msg;
  EXPECT_EQ(import_error(m.bytes(), &msg), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("'w'"), std::string::npos) << msg;
}

TEST(Importer, RejectsDataSizeMismatch) {
  ModelBuilder m;
  m.input("x", {4}).output("y");
  auto* t = m.graph().add_initializer();
  t->set_name("w");
  t->set_data_type(::onnx::TensorProto::FLOAT);
  t->add_dims(1000000);  // claims 4 MB, carries 8 bytes
  t->set_raw_data(std::string(8, '\0'));
  m.node("Add", {"x", "w"}, {"y"});
  std::string msg;
  EXPECT_EQ(import_error(m.bytes(), &msg), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("needs"), std::string::npos) << msg;
}

TEST(Importer, RejectsNegativeAndAbsurdInputDims) {
  ModelBuilder m;
  m.output("y");
  auto* vi = m.graph().add_input();
  vi->set_name("x");
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(1);
  tt->mutable_shape()->add_dim()->set_dim_value(-5);
  m.node("Relu", {"x"}, {"y"});
  EXPECT_EQ(import_error(m.bytes()), ErrorCode::kMalformedModel);
}

TEST(Importer, RejectsNewerOpsetAsUnsupported) {
  ModelBuilder m(onnx::kMaxOpset + 1);
  m.input("x", {1}).output("y");
  m.node("Relu", {"x"}, {"y"});
  std::string msg;
  EXPECT_EQ(import_error(m.bytes(), &msg), ErrorCode::kUnsupportedOp);
  EXPECT_NE(msg.find("opset " + std::to_string(onnx::kMaxOpset + 1)), std::string::npos) << msg;
}

TEST(Importer, OpsetsUpTo22KeepTheOpsetOnEachNode) {
  ModelBuilder m(22);
  m.input("x", {1}).output("y");
  m.node("Relu", {"x"}, {"y"});
  ir::Graph g = import(m.bytes());
  EXPECT_EQ(g.nodes[0].opset, 22);
}

TEST(Importer, ReadsFieldsNewerThanItsProtobufSchema) {
  // ONNX 1.16 added NodeProto.overload (8) and metadata_props (9) and
  // GraphProto.metadata_props (16); libonnx 1.12's generated code does not
  // know them.  They carry nothing rnpu needs, so such files import as if
  // the fields were absent (protobuf keeps them as unknown fields).
  ModelBuilder m(21);
  m.input("x", {2}).output("y");
  auto& n = m.node("Relu", {"x"}, {"y"}, "r");
  auto* refl = n.GetReflection();
  refl->MutableUnknownFields(&n)->AddLengthDelimited(8, "overload-a");
  refl->MutableUnknownFields(&n)->AddLengthDelimited(9, std::string("\x0a\x01k\x12\x01v", 6));
  auto* gp = m.proto().mutable_graph();
  gp->GetReflection()->MutableUnknownFields(gp)->AddLengthDelimited(16,
                                                                    std::string("\x0a\x01k", 3));
  ir::Graph g = import(m.bytes());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, "Relu");
  EXPECT_EQ(g.nodes[0].opset, 21);
}

TEST(OpVersions, ResolveTheNewestSchemaAtTheModelsOpset) {
  // Pad changed at 18 (axes), 19 (wrap) and 21 (types).
  EXPECT_EQ(onnx::resolve_op_version("Pad", 17).since, 0);
  EXPECT_EQ(onnx::resolve_op_version("Pad", 18).since, 18);
  EXPECT_EQ(onnx::resolve_op_version("Pad", 20).since, 19);
  EXPECT_EQ(onnx::resolve_op_version("Pad", 22).since, 21);
  // Relu has not changed since 14: nothing after 17 applies.
  EXPECT_EQ(onnx::resolve_op_version("Relu", 22).since, 0);
  EXPECT_TRUE(onnx::resolve_op_version("Relu", 22).implemented);
}

TEST(OpVersions, AnUnimplementedVersionStaysRefusedAtLaterOpsets) {
  std::vector<onnx::OpChange> c = {{18, false, "new attribute"}, {21, true, "types"}};
  EXPECT_TRUE(onnx::resolve_changes(c, 17).implemented);
  onnx::OpVersion v = onnx::resolve_changes(c, 22);
  EXPECT_FALSE(v.implemented);
  EXPECT_EQ(v.since, 18);
  EXPECT_STREQ(v.change, "new attribute");
  c[0].implemented = true;
  v = onnx::resolve_changes(c, 22);
  EXPECT_TRUE(v.implemented);
  EXPECT_EQ(v.since, 21);
}

TEST(Importer, RejectsUnknownDomain) {
  ModelBuilder m;
  m.input("x", {1}).output("y");
  m.node("Relu", {"x"}, {"y"}).set_domain("com.example");
  EXPECT_EQ(import_error(m.bytes()), ErrorCode::kMalformedModel);
}

TEST(Importer, RejectsNoOutputs) {
  ModelBuilder m;
  m.input("x", {1});
  m.node("Relu", {"x"}, {"y"});
  EXPECT_EQ(import_error(m.bytes()), ErrorCode::kMalformedModel);
}

class ExternalData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rnpu-ext-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "sub" / "w.bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(data_), sizeof data_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string model(const std::string& location, const std::string& offset = "0",
                    const std::string& length = "") {
    ModelBuilder m;
    m.input("x", {2}).output("y");
    auto* t = m.graph().add_initializer();
    t->set_name("w");
    t->set_data_type(::onnx::TensorProto::FLOAT);
    t->add_dims(2);
    t->set_data_location(::onnx::TensorProto::EXTERNAL);
    auto add = [&](const std::string& k, const std::string& v) {
      auto* e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    add("location", location);
    add("offset", offset);
    if (!length.empty()) add("length", length);
    m.node("Add", {"x", "w"}, {"y"});
    return m.bytes();
  }
  onnx::ImportOptions opts() {
    onnx::ImportOptions o;
    o.base_dir = dir_.string();
    return o;
  }

  fs::path dir_;
  float data_[4] = {1.5f, 2.5f, 3.5f, 4.5f};
};

TEST_F(ExternalData, ReadsRelativeToModel) {
  ir::Graph g = import(model("sub/w.bin", "8"), opts());
  const auto& c = g.value(g.find_value("w")).constant;
  ASSERT_TRUE(c);
  EXPECT_EQ(c->as<float>()[0], 3.5f);
  EXPECT_EQ(c->as<float>()[1], 4.5f);
}

TEST_F(ExternalData, RejectsTraversalAndAbsolutePaths) {
  std::string msg;
  EXPECT_EQ(import_error(model("../etc/passwd"), &msg, opts()), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("leaves the model directory"), std::string::npos) << msg;
  EXPECT_EQ(import_error(model("/etc/passwd"), &msg, opts()), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("absolute"), std::string::npos) << msg;
}

TEST_F(ExternalData, RejectsSymlinkEscape) {
  fs::create_symlink("/etc", dir_ / "escape");
  std::string msg;
  EXPECT_EQ(import_error(model("escape/hostname"), &msg, opts()), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("outside"), std::string::npos) << msg;
}

TEST_F(ExternalData, RejectsReadsPastTheEnd) {
  std::string msg;
  EXPECT_EQ(import_error(model("sub/w.bin", "12"), &msg, opts()), ErrorCode::kMalformedModel);
  EXPECT_NE(msg.find("beyond the end"), std::string::npos) << msg;
  EXPECT_EQ(import_error(model("sub/w.bin", "0", "4"), &msg, opts()), ErrorCode::kMalformedModel);
  EXPECT_EQ(import_error(model("sub/w.bin", "x"), &msg, opts()), ErrorCode::kMalformedModel);
}

TEST_F(ExternalData, MissingFileAndMemoryModelsAreIoErrors) {
  EXPECT_EQ(import_error(model("sub/none.bin"), nullptr, opts()), ErrorCode::kIo);
  EXPECT_EQ(import_error(model("sub/w.bin")), ErrorCode::kIo);  // no base directory
}

TEST(Importer, ImportFileMissingIsIoError) {
  try {
    onnx::import_file("/nonexistent/model.onnx");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

TEST(Importer, ImportTensorProto) {
  ::onnx::TensorProto t;
  t.set_name("t");
  t.set_data_type(::onnx::TensorProto::INT64);
  t.add_dims(3);
  for (int64_t v : {7, 8, 9}) t.add_int64_data(v);
  std::string b;
  t.SerializeToString(&b);
  auto nt = onnx::import_tensor(b.data(), b.size());
  EXPECT_EQ(nt.name, "t");
  EXPECT_EQ(nt.tensor->to_ints(), (std::vector<int64_t>{7, 8, 9}));
}

// int4 comes two per byte, low nibble first, in raw_data and int32_data
// alike; in memory each element takes a byte, int4 sign-extended.
TEST(Importer, UnpacksInt4TensorsTwoPerByte) {
  ::onnx::TensorProto t;
  t.set_name("q");
  t.set_data_type(22);  // INT4: libonnx 1.12's enum lacks it
  t.add_dims(3);
  t.set_raw_data(std::string("\x8f\x07", 2));  // -1, -8, 7 (high nibble of byte 2 unused)
  std::string b;
  t.SerializeToString(&b);
  auto nt = onnx::import_tensor(b.data(), b.size());
  ASSERT_EQ(nt.tensor->dtype, DataType::kInt4);
  auto* v = static_cast<const int8_t*>(nt.tensor->data);
  EXPECT_EQ(std::vector<int>(v, v + 3), (std::vector<int>{-1, -8, 7}));

  t.clear_raw_data();
  t.set_data_type(21);  // UINT4
  t.add_int32_data(0x8f);
  t.add_int32_data(0x07);
  t.SerializeToString(&b);
  nt = onnx::import_tensor(b.data(), b.size());
  auto* u = static_cast<const uint8_t*>(nt.tensor->data);
  EXPECT_EQ(std::vector<int>(u, u + 3), (std::vector<int>{15, 8, 7}));

  t.add_int32_data(0);  // three packed bytes for three elements
  t.SerializeToString(&b);
  EXPECT_THROW(onnx::import_tensor(b.data(), b.size()), Error);
}

TEST(Importer, ReadsFloat8BitPatterns) {
  ::onnx::TensorProto t;
  t.set_name("f");
  t.set_data_type(17);  // FLOAT8E4M3FN
  t.add_dims(2);
  t.add_int32_data(0x38);
  t.add_int32_data(0xff);
  std::string b;
  t.SerializeToString(&b);
  auto nt = onnx::import_tensor(b.data(), b.size());
  ASSERT_EQ(nt.tensor->dtype, DataType::kFloat8E4M3FN);
  auto* v = static_cast<const uint8_t*>(nt.tensor->data);
  EXPECT_EQ(std::vector<int>(v, v + 2), (std::vector<int>{0x38, 0xff}));
  t.set_data_type(23);  // FLOAT4E2M1 (opset 23) is not an IR type
  t.SerializeToString(&b);
  EXPECT_THROW(onnx::import_tensor(b.data(), b.size()), Error);
}

}  // namespace
}  // namespace rnpu
