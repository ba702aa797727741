// "testref": a tiny host backend for core tests that must not depend on
// the real CPU backend.  float32 only: Add, Mul (same shape or scalar
// operand), Relu, Neg, Identity, and PositiveOnly (a data-dependent-shape
// op: 1-D input -> its positive elements) to exercise runtime allocation,
// with optional per-program working memory (`workspace`).
#pragma once

#include <set>
#include <string>

#include "backend/backend.h"

namespace rnpu::test {

class TestBackend : public Backend {
 public:
  explicit TestBackend(std::string name = "testref", std::set<std::string> ops = {},
                       double cost_ns = -1, bool available = true)
      : name_(std::move(name)), ops_(std::move(ops)), cost_(cost_ns), available_(available) {}
  std::string name() const override { return name_; }
  bool available() const override { return available_; }
  std::string description() const override {
    return available_ ? "test backend" : "test backend (switched off)";
  }
  Support supports(const ir::Graph& g, const ir::Node& n) const override;
  double estimate_cost_ns(const ir::Graph&, const ir::Node&) const override { return cost_; }
  std::unique_ptr<Program> compile(const ir::Graph& sub, const CompileOptions& o) override;
  void run(Program& p, RunContext& ctx) override;

  int compiled = 0, runs = 0;
  // Host working memory each program states (Program::workspace_bytes);
  // runs check they get exactly that much (RunContext::workspace) and
  // scribble over all of it before and after computing, so a workspace
  // placed over a live tensor corrupts results.
  size_t workspace = 0;

 private:
  std::string name_;
  std::set<std::string> ops_;  // empty: every op it implements
  double cost_;
  bool available_;
};

// Registers `b` (owned by the registry) under its name with `rank`;
// returns the object for inspection.
TestBackend* register_test_backend(std::unique_ptr<TestBackend> b, int rank = 50);

}  // namespace rnpu::test
