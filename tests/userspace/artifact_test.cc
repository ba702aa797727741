// Compiled artifacts (.rnpb): the container's validation (every corruption
// is rejected with a message naming it) and the session round trip (save,
// load without compiling, same outputs), on a test backend that can save
// its programs.
#include "artifact/artifact.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "artifact/graph_io.h"
#include "rnpu/rnpu.h"
#include "rnpu/rnpu.hpp"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::ModelBuilder;

// "testref" whose programs can be saved: the saved form is a tag, and
// loading counts separately from compiling so tests can tell them apart.
class SavingBackend : public test::TestBackend {
 public:
  SavingBackend() : TestBackend("testsave") {}
  std::string program_format() const override { return "test-prog-v1"; }
  std::vector<uint8_t> save_program(const Program&) const override { return {'P', 'R', 'O', 'G'}; }
  std::unique_ptr<Program> load_program(const ir::Graph& sub, std::span<const uint8_t> data,
                                        const CompileOptions& o) override {
    if (data.size() != 4 || std::memcmp(data.data(), "PROG", 4))
      throw Error(ErrorCode::kMalformedModel, "test program: bad data");
    ++loads;
    int before = compiled;
    auto p = TestBackend::compile(sub, o);
    compiled = before;  // not a compilation as far as the test is concerned
    return p;
  }
  int loads = 0;
};

SavingBackend* saving() {
  static SavingBackend* b = [] {
    auto* raw = new SavingBackend();
    BackendRegistry::instance().add(
        "testsave", 6, [raw] { return std::unique_ptr<Backend>(new SavingBackend(*raw)); });
    return static_cast<SavingBackend*>(BackendRegistry::instance().get("testsave"));
  }();
  return b;
}

std::string model_bytes() {
  ModelBuilder m;
  m.input("x", {2, 3}).init("k", {}, {10.f}).output("y");
  m.node("Add", {"x", "k"}, {"s"}, "add");
  m.node("Relu", {"s"}, {"y"}, "relu");
  return m.bytes();
}

Options opts() {
  Options o;
  o.backends = {"testsave"};
  o.allow_fallback = false;
  return o;
}

artifact::Artifact sample() {
  artifact::Artifact a;
  a.hw_version = 0x10000;
  a.meta["producer"] = "test";
  a.graph = {1, 2, 3, 4, 5};
  a.programs.push_back({0, "fmt-a", "fp-0", {9, 8, 7}});
  a.programs.push_back({2, "fmt-b", "fp-2", {}});
  return a;
}

// Recomputes the section and file checksums after a deliberate edit, so
// the structural checks (not the CRC) are what rejects it.
void refresh_crcs(std::vector<uint8_t>& b) {
  uint32_t n;
  std::memcpy(&n, &b[8], 4);
  for (uint32_t i = 0; i < n; ++i) {
    size_t e = 64 + 32 * size_t(i);
    uint64_t off, size;
    std::memcpy(&off, &b[e + 8], 8);
    std::memcpy(&size, &b[e + 16], 8);
    if (off + size > b.size()) continue;
    uint32_t c = artifact::crc32({b.data() + off, size_t(size)});
    std::memcpy(&b[e + 24], &c, 4);
  }
  std::memset(&b[28], 0, 4);
  uint32_t c = artifact::crc32(b);
  std::memcpy(&b[28], &c, 4);
}

std::string read_error(const std::vector<uint8_t>& b) {
  try {
    artifact::read(b);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMalformedModel);
    return e.what();
  }
  return "accepted";
}

TEST(Artifact, RoundTrip) {
  artifact::Artifact a = sample();
  std::vector<uint8_t> b = artifact::write(a);
  ASSERT_TRUE(artifact::is_artifact(b.data(), b.size()));
  artifact::Artifact r = artifact::read(b);
  EXPECT_EQ(r.hw_version, 0x10000u);
  EXPECT_EQ(r.meta, a.meta);
  EXPECT_EQ(r.graph, a.graph);
  ASSERT_EQ(r.programs.size(), 2u);
  EXPECT_EQ(r.programs[0].partition, 0u);
  EXPECT_EQ(r.programs[0].format, "fmt-a");
  EXPECT_EQ(r.programs[0].fingerprint, "fp-0");
  EXPECT_EQ(r.programs[0].data, (std::vector<uint8_t>{9, 8, 7}));
  EXPECT_EQ(r.programs[1].partition, 2u);
  EXPECT_TRUE(r.programs[1].data.empty());
}

TEST(Artifact, RejectsEveryCorruptedByte) {
  std::vector<uint8_t> good = artifact::write(sample());
  for (size_t i = 0; i < good.size(); ++i) {
    std::vector<uint8_t> b = good;
    b[i] ^= 0x40;
    EXPECT_NE(read_error(b), "accepted") << "byte " << i;
  }
}

TEST(Artifact, RejectsTruncationAndPadding) {
  std::vector<uint8_t> good = artifact::write(sample());
  for (size_t n : {size_t(0), size_t(3), size_t(63), good.size() - 1}) {
    std::vector<uint8_t> b(good.begin(), good.begin() + ptrdiff_t(n));
    EXPECT_NE(read_error(b), "accepted") << n;
  }
  std::vector<uint8_t> padded = good;
  padded.push_back(0);
  EXPECT_NE(read_error(padded).find("header says"), std::string::npos);
}

TEST(Artifact, NamesWhatIsWrong) {
  std::vector<uint8_t> good = artifact::write(sample());
  std::vector<uint8_t> b = good;
  b[0] = 'X';
  EXPECT_NE(read_error(b).find("no RNPB magic"), std::string::npos);

  b = good;
  b[4] = 3;  // format version 3
  refresh_crcs(b);
  EXPECT_NE(read_error(b).find("format version 3"), std::string::npos);

  // Version 1 stored the ONNX model: refused, saying to recompile.
  b = good;
  b[4] = 1;
  refresh_crcs(b);
  std::string v1 = read_error(b);
  EXPECT_NE(v1.find("format version 1"), std::string::npos) << v1;
  EXPECT_NE(v1.find("recompile"), std::string::npos) << v1;

  b = good;
  b[64 + 32] = 2;  // second section (GRAPH) retyped as version 1's MODEL
  refresh_crcs(b);
  EXPECT_NE(read_error(b).find("unknown type 2"), std::string::npos);

  b = good;
  b[64] = 99;  // first section's type
  refresh_crcs(b);
  EXPECT_NE(read_error(b).find("unknown type 99"), std::string::npos);

  b = good;
  b[64 + 32 + 8] = 0;  // second section starts inside the table: overlap
  b[64 + 32 + 9] = 0;
  refresh_crcs(b);
  EXPECT_NE(read_error(b).find("out of range"), std::string::npos);

  b = good;
  b[200] ^= 1;  // payload byte, section CRC left stale, file CRC refreshed
  std::memset(&b[28], 0, 4);
  uint32_t c = artifact::crc32(b);
  std::memcpy(&b[28], &c, 4);
  EXPECT_NE(read_error(b).find("checksum mismatch"), std::string::npos);

  b = good;
  b[40] = 1;  // reserved header byte
  refresh_crcs(b);
  EXPECT_NE(read_error(b).find("reserved"), std::string::npos);
}

TEST(ArtifactSession, SavedProgramsLoadWithoutCompiling) {
  SavingBackend* be = saving();
  std::string src = model_bytes();
  Session s = Session::load_memory(src.data(), src.size(), opts());
  EXPECT_EQ(s.programs_loaded(), 0u);
  std::vector<uint8_t> art = s.compiled_bytes();
  ASSERT_TRUE(artifact::is_artifact(art.data(), art.size()));
  EXPECT_EQ(artifact::read(art).programs.size(), 1u);

  int loads = be->loads;
  // No backend list given: the artifact's own is used.
  Session l = Session::load_memory(art.data(), art.size(), {});
  EXPECT_EQ(l.programs_loaded(), 1u);
  EXPECT_EQ(be->loads, loads + 1);

  float x[6] = {-20, -5, 0, 1, 2, 3};
  int64_t shape[2] = {2, 3};
  for (Session* p : {&s, &l}) {
    p->set_input(0, x, sizeof x, shape);
    p->run();
  }
  ASSERT_EQ(std::memcmp(s.output(0).data, l.output(0).data, sizeof x), 0);
  EXPECT_EQ(static_cast<const float*>(l.output(0).data)[1], 5.f);
}

TEST(ArtifactSession, FileRoundTripThroughTheCApi) {
  saving();
  std::string src = model_bytes();
  auto dir = std::filesystem::temp_directory_path() / "rnpu-artifact-test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "m.rnpb").string();
  {
    Session s = Session::load_memory(src.data(), src.size(), opts());
    s.save_compiled(path);
  }
  rnpu_session* c = nullptr;
  ASSERT_EQ(rnpu_session_create_from_file(path.c_str(), nullptr, &c), RNPU_OK);
  EXPECT_EQ(rnpu_session_programs_loaded(c), 1u);
  EXPECT_EQ(rnpu_session_save_compiled(c, (dir / "again.rnpb").string().c_str()), RNPU_OK);
  EXPECT_NE(rnpu_session_save_compiled(c, "/nonexistent-dir/x.rnpb"), RNPU_OK);
  rnpu_session_destroy(c);
  std::filesystem::remove_all(dir);
}

TEST(ArtifactSession, CorruptedProgramIsAClearError) {
  saving();
  std::string src = model_bytes();
  Session s = Session::load_memory(src.data(), src.size(), opts());
  artifact::Artifact a = artifact::read(s.compiled_bytes());
  a.programs[0].data = {'B', 'A', 'D', '!'};
  std::vector<uint8_t> b = artifact::write(a);
  try {
    Session::load_memory(b.data(), b.size(), {});
    FAIL() << "accepted a bad program";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMalformedModel);
    EXPECT_NE(std::string(e.what()).find("bad data"), std::string::npos);
  }
}

TEST(ArtifactSession, StaleFingerprintRecompiles) {
  SavingBackend* be = saving();
  std::string src = model_bytes();
  Session s = Session::load_memory(src.data(), src.size(), opts());
  artifact::Artifact a = artifact::read(s.compiled_bytes());
  a.programs[0].fingerprint = "other";
  std::vector<uint8_t> b = artifact::write(a);
  int loads = be->loads;
  Session l = Session::load_memory(b.data(), b.size(), {});
  EXPECT_EQ(l.programs_loaded(), 0u);
  EXPECT_EQ(be->loads, loads);
}

// The artifact holds the processed graph and its partitions: loading it
// needs no ONNX model at all, and the stored plan is used as is.
TEST(ArtifactSession, StoresTheProcessedGraphAndPlan) {
  saving();
  std::string src = model_bytes();
  Session s = Session::load_memory(src.data(), src.size(), opts());
  artifact::Artifact a = artifact::read(s.compiled_bytes());
  std::vector<artifact::PlannedPartition> plan;
  ir::Graph g = artifact::decode_graph(a.graph, &plan);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].backend, "testsave");
  ASSERT_EQ(plan[0].nodes.size(), 2u);
  EXPECT_EQ(g.node(plan[0].nodes[0]).op, "Add");
  EXPECT_EQ(g.node(plan[0].nodes[1]).op, "Relu");
  // Shapes and constants as the passes left them.
  EXPECT_EQ(g.value(g.find_value("s")).shape.str(), "[2,3]");
  ASSERT_TRUE(g.value(g.find_value("k")).is_constant());
  EXPECT_EQ(g.value(g.find_value("k")).constant->as<float>()[0], 10.f);
  // What is loaded saves to the same graph and plan.
  std::vector<uint8_t> art = s.compiled_bytes();
  Session l = Session::load_memory(art.data(), art.size(), {});
  EXPECT_EQ(artifact::read(l.compiled_bytes()).graph, a.graph);
}

std::string graph_error(const std::vector<uint8_t>& graph) {
  try {
    std::vector<artifact::PlannedPartition> plan;
    artifact::decode_graph(graph, &plan);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kMalformedModel) << e.what();
    return e.what();
  }
  return "accepted";
}

TEST(ArtifactGraph, RejectsTruncationAndNamesWhatIsWrong) {
  saving();
  std::string src = model_bytes();
  Session s = Session::load_memory(src.data(), src.size(), opts());
  std::vector<uint8_t> good = artifact::read(s.compiled_bytes()).graph;
  EXPECT_EQ(graph_error(good), "accepted");
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_NE(graph_error({good.begin(), good.begin() + ptrdiff_t(n)}), "accepted") << n;
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_NE(graph_error(longer).find("trailing"), std::string::npos);
  // Every single-byte change either decodes to a well-formed graph and plan
  // or is refused with kMalformedModel (never a crash, never another error).
  for (size_t i = 0; i < good.size(); ++i)
    for (uint8_t x : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
      std::vector<uint8_t> b = good;
      b[i] ^= x;
      graph_error(b);
    }
}

// A plan that puts a node on a backend that cannot run it, or in the
// wrong order, is refused at load, naming the node.
TEST(ArtifactGraph, PlanIsCheckedAgainstTheBackends) {
  saving();
  std::string src = model_bytes();
  Session s = Session::load_memory(src.data(), src.size(), opts());
  artifact::Artifact a = artifact::read(s.compiled_bytes());
  std::vector<artifact::PlannedPartition> plan;
  ir::Graph g = artifact::decode_graph(a.graph, &plan);
  auto load_error = [&](const ir::Graph& graph, const std::vector<artifact::PlannedPartition>& p) {
    artifact::Artifact c = a;
    c.graph = artifact::encode_graph(graph, p);
    std::vector<uint8_t> b = artifact::write(c);
    try {
      Session::load_memory(b.data(), b.size(), {});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(load_error(g, plan), "accepted");
  auto swapped = plan;
  std::swap(swapped[0].nodes[0], swapped[0].nodes[1]);
  EXPECT_NE(load_error(g, swapped).find("before the producer"), std::string::npos);
  auto other = plan;
  other[0].backend = "no-such-backend";
  EXPECT_NE(load_error(g, other).find("no-such-backend"), std::string::npos);
  // A stored shape that is not the graph's.
  ir::Graph wrong = g;
  wrong.value(wrong.find_value("s")).shape = ir::Shape(std::vector<int64_t>{3, 2});
  EXPECT_NE(load_error(wrong, plan).find("value 's'"), std::string::npos);
}

}  // namespace
}  // namespace rnpu
