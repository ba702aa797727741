// The backend interface every executor target implements (cpu, vulkan,
// sim, npu), and the registry that finds them.
//
// The calls, in the order the runtime makes them:
//   1. supports(graph, node)      capability query per op, with the reason
//                                 when not supported (plus estimate_cost_ns);
//      claim(graph)               groups of nodes taken only as one unit
//                                 (a QDQ region, a fusable chain)
//   2. optimize(subgraph)         after assignment: the backend rewrites its
//                                 own partition (QDQ folding, fusion)
//      compile(subgraph, opts)    a partition -> an opaque Program
//   3. run(program, ctx)          execute (may only start device work)
//   4. read_outputs(program, ctx) wait and make outputs visible in host memory
//   5. destroy(program)           release device resources
// plus name()/available()/description() for `rnpu info`.
//
// Threading: supports/estimate_cost_ns/claim/optimize/compile may be called from any thread
// but never concurrently for one backend object; run/read_outputs of one
// Program are never concurrent, different Programs may run concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "ir/sequence.h"
#include "ir/string_tensor.h"
#include "rnpu/types.hpp"

namespace rnpu {

struct Support {
  bool ok = false;
  std::string reason;  // why not, e.g. "dtype float64 unsupported"
  static Support yes() { return {true, {}}; }
  static Support no(std::string why) { return {false, std::move(why)}; }
};

// A tensor in host memory as a backend sees it at run time.  Shapes are
// concrete.  `quant` points at the value's quantisation when it has one.
struct HostTensor {
  ir::DType dtype = ir::DType::kUndefined;
  std::vector<int64_t> shape;
  void* data = nullptr;  // nullptr: not yet allocated (see RunContext::allocate)
  size_t size = 0;       // bytes available at data
  const ir::QuantParams* quant = nullptr;
  // Sequence and optional values (ir::Value::kind other than kTensor), set
  // by the backend that produces them: `seq` for a sequence or a present
  // optional sequence; `absent` for an optional without element.  A present
  // optional tensor is a tensor (data, shape).  Reset before every run.
  std::shared_ptr<const ir::Sequence> seq;
  bool absent = false;
  // A string tensor (dtype kString, ir/string_tensor.h): shape plus shared
  // immutable elements; data stays nullptr.  Set by the producing backend
  // (or the runtime for inputs and constants).  Reset before every run.
  ir::StringsPtr strings;
};

// Nodes a backend takes only together (Backend::claim): the partitioner
// assigns all of them to that backend or none.  cost_ns: the estimated time
// of the group once the backend has optimised it, < 0 when unknown.
struct NodeGroup {
  std::vector<ir::NodeId> nodes;
  double cost_ns = -1;
};

struct CompileOptions {
  int num_threads = 1;  // >= 1, resolved by the runtime
  bool profiling = false;
  // Options::reference_kernels: compile the plain reference path (cpu: no
  // XNNPACK, no fast path); backends without one ignore it.
  bool reference_kernels = false;
};

// Per-backend numeric tolerance against the reference CPU results, used by
// the conformance suite and documented in docs/userspace.md:
// |got - want| <= abs + rel * |want|, elementwise.
struct Tolerance {
  double abs = 1e-5;
  double rel = 1e-5;
};

// Whatever a backend compiled a partition into.
class Program {
 public:
  virtual ~Program() = default;
  // NPU backends: modelled totals of the last run (rnpu bench --backend sim).
  virtual bool npu_report(NpuReport* out) const {
    (void)out;
    return false;
  }
  // Host working memory one run needs besides the tensors the runtime
  // holds (scratch, layout copies, packing buffers), in bytes.  The runtime
  // asks after compile and whenever it re-plans, places the block in its
  // arena beside the intermediate tensors, live over the partition's steps,
  // and hands it over as RunContext::workspace().  Programs of backends
  // whose runs overlap (max_in_flight > 1) must state none.
  virtual size_t workspace_bytes() const { return 0; }
};

// The runtime's side of a run, addressed in the subgraph's value ids.
class RunContext {
 public:
  virtual ~RunContext() = default;
  // Every value of the subgraph: inputs and constants are filled; values
  // whose shape the runtime resolved before the run point at planned memory
  // of that shape; others have data == nullptr until allocate() is called.
  virtual HostTensor& tensor(ir::ValueId v) = 0;
  // Memory for value v once its shape is known during the run.  Returns
  // the planned slot when it is large enough, else runtime-owned memory that
  // lives until the next run.  Updates tensor(v).  Throws kOutOfMemory.
  virtual void* allocate(ir::ValueId v, ir::DType dtype, std::span<const int64_t> shape) = 0;
  // The program's working memory for this run: workspace_bytes() bytes,
  // 64-byte aligned and followed by at least 16 readable bytes, valid until
  // the run's read_outputs() returns; its contents are not kept between
  // runs.  Empty when the caller planned none (contexts outside the
  // executor): the program then uses memory of its own.
  virtual std::span<uint8_t> workspace() { return {}; }
  virtual bool profiling() const = 0;
  // Per-op timing (time_ns) and, for NPU backends, modelled cycles.
  virtual void record(const OpProfile& p) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string name() const = 0;
  // False when the device or library is absent; description() says why.
  virtual bool available() const = 0;
  virtual std::string description() const = 0;
  // True when intermediate values live in host memory supplied by the
  // runtime's arena (RunContext::tensor); device backends keep them inside.
  virtual bool uses_host_arena() const { return true; }
  virtual Tolerance tolerance(ir::DType) const { return {}; }
  // Whether automatic selection and fallback may pick this backend without
  // the user naming it.  The sim backend says no: it models the NPU on the
  // host, faithfully but far slower than the cpu backend runs the op.
  virtual bool automatic() const { return true; }
  // Whether the backend runs nodes that read or write sequence and optional
  // values (HostTensor::seq / absent) and string tensors
  // (HostTensor::strings).  The partitioner offers such nodes only to these
  // backends (the cpu backend), so no other backend ever sees a non-tensor
  // value or a string.
  virtual bool runs_sequences() const { return false; }

  // 1. Capability.  Must not throw for any syntactically valid node.
  virtual Support supports(const ir::Graph& g, const ir::Node& n) const = 0;
  // Estimated time for one run of `n`; < 0 when the backend cannot tell
  // (the partitioner then falls back to preference order).
  virtual double estimate_cost_ns(const ir::Graph& g, const ir::Node& n) const {
    (void)g;
    (void)n;
    return -1;
  }

  // Groups of nodes of the canonical graph (QDQ explicit, not fused) that
  // the backend runs only as a unit, after its optimize() has rewritten
  // them: DequantizeLinear -> op -> QuantizeLinear becoming one quantised
  // op, Conv -> Relu one fused Conv; or a single node it runs only once
  // optimised (a standalone QuantizeLinear whose int8 value it annotates).
  // Nodes outside every group are decided per node by supports().  Groups
  // are disjoint.  Default: none.
  virtual std::vector<NodeGroup> claim(const ir::Graph& g) const {
    (void)g;
    return {};
  }

  // 2. Optimise the partition assigned to this backend before compile():
  // the subgraph (see compile) may be rewritten freely inside, but its
  // inputs and outputs keep their ids and meaning, and every node left must
  // pass supports().  Returns the number of rewrites (0: unchanged).
  // Default: none.
  virtual int optimize(ir::Graph& subgraph) const {
    (void)subgraph;
    return 0;
  }
  // Compile a partition: a self-contained graph whose inputs/outputs are
  // the partition boundary, sharing constants with the model.  Every node in
  // it passed supports().  Throws rnpu::Error naming the node on failure.
  virtual std::unique_ptr<Program> compile(const ir::Graph& subgraph, const CompileOptions& o) = 0;
  // 3. Run with inputs from ctx; outputs go to ctx.tensor(output ids).
  virtual void run(Program& p, RunContext& ctx) = 0;
  // 4. Complete the run started by run() (host backends finish in run()).
  // With max_in_flight(p) = K > 1, run() may be called up to K times
  // before read_outputs(); each read_outputs() completes the oldest run.
  // run() must have consumed its inputs by the time it returns.
  virtual void read_outputs(Program& p, RunContext& ctx) {
    (void)p;
    (void)ctx;
  }
  // How many runs of p may be started before the first is read (device
  // backends that queue submissions; the runtime then pipelines runs).
  virtual size_t max_in_flight(const Program& p) const {
    (void)p;
    return 1;
  }
  // 5. Release the program.
  virtual void destroy(std::unique_ptr<Program> p) { p.reset(); }

  // Compiled artifacts (.rnpb, userspace/src/artifact).  A backend whose
  // programs can be saved names their format ("" = cannot); backends sharing
  // a code generator (sim, npu) share the format, so a model compiled once
  // loads on either.  load_program must reject, with kMalformedModel or
  // kDevice and a clear message, data for other hardware or corrupted data.
  virtual std::string program_format() const { return {}; }
  virtual std::vector<uint8_t> save_program(const Program& p) const {
    (void)p;
    throw Error(ErrorCode::kInternal, "backend '" + name() + "' cannot save programs");
  }
  virtual std::unique_ptr<Program> load_program(const ir::Graph& subgraph,
                                                std::span<const uint8_t> data,
                                                const CompileOptions& o) {
    (void)subgraph;
    (void)data;
    (void)o;
    throw Error(ErrorCode::kInternal, "backend '" + name() + "' cannot load programs");
  }
};

using BackendFactory = std::function<std::unique_ptr<Backend>()>;

// Backends register a factory under their name; the object is created on
// first use (so probing a device happens only when asked for).
class BackendRegistry {
 public:
  static BackendRegistry& instance();

  // `rank` orders automatic selection: lower is preferred (npu 10, sim 20,
  // vulkan 30, cpu 100).  Re-adding a name replaces it (tests use that).
  // Replaced or removed backend objects stay alive (sessions may still
  // hold programs compiled by them); only lookup forgets them.
  void add(const std::string& name, int rank, BackendFactory factory);
  void remove(const std::string& name);
  // nullptr for an unknown name.  The object lives as long as the registry.
  Backend* get(std::string_view name);
  std::vector<std::string> names() const;  // by rank, then name

 private:
  BackendRegistry();
  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::unique_ptr<Backend>> retired_;
  mutable std::mutex mu_;
};

// Each backend built in provides rnpu::backends::register_<name>(registry),
// declared and called by the file CMake generates from rnpu_add_backend().
void register_builtin_backends(BackendRegistry& r);

}  // namespace rnpu
