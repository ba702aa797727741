// Partitioner: capability, preference order, cost, fallback reasons, and
// errors naming the node, the op and a backend that would take it.
#include "partition/partitioner.h"

#include <gtest/gtest.h>

#include "onnx/importer.h"
#include "passes/shape_inference.h"
#include "support/graph_builder.h"
#include "support/test_backend.h"

namespace rnpu {
namespace {

using test::ModelBuilder;
using test::TestBackend;

ir::Graph chain() {
  ModelBuilder m;
  m.input("x", {4}).output("y");
  m.node("Relu", {"x"}, {"a"}, "relu");
  m.node("Neg", {"a"}, {"b"}, "neg");
  m.node("Relu", {"b"}, {"y"}, "relu2");
  std::string s = m.bytes();
  ir::Graph g = onnx::import_model(s.data(), s.size());
  passes::infer_shapes(g);
  return g;
}

TEST(Partitioner, FallsBackPerOpWithReasons) {
  TestBackend fast("fastacc", {"Relu"}, 10), slow("slowcpu", {}, 1000);
  partition::BackendSet set{{&fast, &slow}, false, {}};
  auto r = partition::partition_graph(chain(), set);
  ASSERT_EQ(r.decisions.size(), 3u);
  EXPECT_EQ(r.decisions[0].backend, "fastacc");
  EXPECT_EQ(r.decisions[1].backend, "slowcpu");
  EXPECT_EQ(r.decisions[1].reason, "fastacc: op Neg not implemented -> slowcpu: supported");
  EXPECT_EQ(r.decisions[2].backend, "fastacc");
  ASSERT_EQ(r.partitions.size(), 3u);  // fastacc | slowcpu | fastacc
  EXPECT_EQ(r.partitions[1].inputs.size(), 1u);
  EXPECT_EQ(r.partitions[1].outputs.size(), 1u);
}

// Claims Relu -> Neg as one unit (as a backend claims a QDQ region whose
// DequantizeLinear it does not run alone).
class PairClaimer : public TestBackend {
 public:
  PairClaimer() : TestBackend("pair", {"Relu"}, 10) {}
  std::vector<NodeGroup> claim(const ir::Graph& g) const override {
    std::vector<NodeGroup> out;
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (g.nodes[i].name == "relu") out.push_back({{ir::NodeId(i), ir::NodeId(i + 1)}, 5});
    return out;
  }
};

TEST(Partitioner, ClaimedGroupIsAssignedWhole) {
  PairClaimer pair;
  TestBackend slow("slowcpu", {}, 1000);
  ir::Graph g = chain();
  ASSERT_EQ(g.nodes[1].name, "neg");
  for (bool by_cost : {false, true}) {
    partition::BackendSet set{{&pair, &slow}, by_cost, {}};
    auto r = partition::partition_graph(g, set);
    ASSERT_EQ(r.decisions.size(), 3u);
    EXPECT_EQ(r.decisions[0].backend, "pair");
    EXPECT_EQ(r.decisions[1].backend, "pair");  // Neg alone it would refuse
    EXPECT_NE(r.decisions[1].reason.find("one unit"), std::string::npos) << r.decisions[1].reason;
    EXPECT_EQ(r.decisions[2].backend, "pair");
    EXPECT_EQ(r.partitions.size(), 1u);
  }
  // Costlier as a group than the other backend per node: not claimed, and
  // the Neg it cannot run alone goes elsewhere.
  class Pricey : public PairClaimer {
    std::vector<NodeGroup> claim(const ir::Graph& g) const override {
      auto out = PairClaimer::claim(g);
      for (auto& grp : out) grp.cost_ns = 1e9;
      return out;
    }
  } pricey;
  partition::BackendSet set{{&pricey, &slow}, true, {}};
  auto r = partition::partition_graph(g, set);
  EXPECT_EQ(r.decisions[0].backend, "slowcpu");
  EXPECT_EQ(r.decisions[1].backend, "slowcpu");
}

TEST(Partitioner, AutoModePicksCheapest) {
  TestBackend pricey("pricey", {}, 500), cheap("cheap", {}, 20);
  partition::BackendSet set{{&pricey, &cheap}, true, {}};
  auto r = partition::partition_graph(chain(), set);
  for (const auto& d : r.decisions) {
    EXPECT_EQ(d.backend, "cheap");
    EXPECT_NE(d.reason.find("cheapest"), std::string::npos) << d.reason;
  }
  EXPECT_EQ(r.partitions.size(), 1u);
}

TEST(Partitioner, UnsupportedEverywhereNamesNodeOpReasonAndHint) {
  TestBackend only_relu("onlyrelu", {"Relu"}), other("other", {"Neg"});
  partition::BackendSet set{{&only_relu}, false, {&other}};
  try {
    partition::partition_graph(chain(), set);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_EQ(e.node(), "neg");
    EXPECT_EQ(e.op(), "Neg");
    EXPECT_NE(e.reason().find("onlyrelu: op Neg not implemented"), std::string::npos) << e.what();
    EXPECT_EQ(e.backend_hint(), "other");
    EXPECT_NE(std::string(e.what()).find("backend 'other' would take it"), std::string::npos);
  }
}

TEST(Partitioner, GroupsIndependentNodesByBackend) {
  // Two independent branches alternate in model order; the affinity order
  // keeps each backend's nodes together.
  ModelBuilder m;
  m.input("x", {4}).output("y1").output("y2");
  m.node("Relu", {"x"}, {"a1"}, "r1");
  m.node("Neg", {"x"}, {"a2"}, "n1");
  m.node("Relu", {"a1"}, {"y1"}, "r2");
  m.node("Neg", {"a2"}, {"y2"}, "n2");
  std::string s = m.bytes();
  ir::Graph g = onnx::import_model(s.data(), s.size());
  passes::infer_shapes(g);
  TestBackend a("a", {"Relu"}), b("b", {"Neg"});
  partition::BackendSet set{{&a, &b}, false, {}};
  auto r = partition::partition_graph(g, set);
  EXPECT_EQ(r.partitions.size(), 2u);
}

TEST(Partitioner, SubgraphIsSelfContained) {
  TestBackend fast("fastacc", {"Relu"}), slow("slowcpu");
  partition::BackendSet set{{&fast, &slow}, false, {}};
  ir::Graph g = chain();
  auto r = partition::partition_graph(g, set);
  std::vector<ir::ValueId> map;
  ir::Graph sub = partition::make_subgraph(g, r.partitions[1], &map);
  EXPECT_NO_THROW(sub.validate());
  ASSERT_EQ(sub.nodes.size(), 1u);
  EXPECT_EQ(sub.nodes[0].op, "Neg");
  EXPECT_EQ(g.value(map[size_t(sub.inputs[0])]).name, "a");
  EXPECT_EQ(g.value(map[size_t(sub.outputs[0])]).name, "b");
}

}  // namespace
}  // namespace rnpu
