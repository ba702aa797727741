// runtime::SessionCore: load -> passes -> partition -> optimise partitions ->
// compile (or, from a compiled artifact, its processed graph and partitions
// -> compile or load programs), and asynchronous runs on the session's
// worker thread.
#include <condition_variable>
#include <fstream>
#include <sstream>
#include <thread>

#include "artifact/artifact.h"
#include "artifact/graph_io.h"
#include "onnx/importer.h"
#include "passes/pipeline.h"
#include "runtime/executor.h"
#include "runtime/session_impl.h"

namespace rnpu::runtime {

SessionCore::~SessionCore() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void SessionCore::start_async(std::function<void(std::exception_ptr)> done) {
  std::unique_lock lock(mu_);
  if (pending_)
    throw Error(ErrorCode::kInvalidArgument,
                "an asynchronous run is already pending on this session");
  pending_ = true;
  job_done_ = std::move(done);
  if (!worker_.joinable()) worker_ = std::thread([this] { worker_loop(); });
  cv_.notify_all();
}

void SessionCore::worker_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || (pending_ && job_done_); });
    if (stop_ && !pending_) return;
    auto done = std::move(job_done_);
    job_done_ = nullptr;
    lock.unlock();
    std::exception_ptr err;
    try {
      exec_->run();
    } catch (...) {
      err = std::current_exception();
    }
    lock.lock();
    pending_ = false;  // before the callback, so it may start another run
    in_callback_ = true;
    lock.unlock();
    done(err);
    lock.lock();
    in_callback_ = false;
    cv_.notify_all();
  }
}

void SessionCore::wait_idle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !pending_ && !in_callback_; });
}

std::unique_ptr<SessionCore> SessionCore::create(
    ir::Graph g, const Options& opts, const std::vector<artifact::ProgramBlob>* programs,
    const std::vector<artifact::PlannedPartition>* plan) {
  std::unique_ptr<SessionCore> core(new SessionCore());
  core->opts_ = opts;
  partition::BackendSet set = partition::resolve_backends(opts.backends, opts.allow_fallback);
  if (!plan) {
    passes::PipelineOptions po;
    po.level = opts.reference_kernels ? 0 : opts.optimization_level;
    passes::run_pipeline(g, po);
  }
  core->exec_ = std::make_unique<Executor>(std::move(g), set, opts, programs, plan);
  return core;
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string x; std::getline(in, x, ',');)
    if (!x.empty()) out.push_back(x);
  return out;
}

size_t find_index(const std::vector<TensorInfo>& v, std::string_view name, const char* what) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name) return i;
  throw Error(ErrorCode::kInvalidArgument,
              std::string("model has no ") + what + " named '" + std::string(name) + "'");
}

}  // namespace

std::unique_ptr<SessionCore> SessionCore::from_bytes(std::vector<uint8_t> bytes,
                                                     const Options& opts,
                                                     const std::string& base_dir) {
  onnx::ImportOptions io;
  io.base_dir = base_dir;
  if (!artifact::is_artifact(bytes.data(), bytes.size())) {
    ir::Graph g = onnx::import_model(bytes.data(), bytes.size(), io);
    return create(std::move(g), opts);
  }
  artifact::Artifact a = artifact::read(bytes);
  Options o = opts;
  auto meta = [&](const char* k) {
    auto it = a.meta.find(k);
    return it == a.meta.end() ? std::string() : it->second;
  };
  // The backends the stored partitions were assigned to.
  if (o.backends.empty()) {
    o.backends = split(meta("backends"));
    o.allow_fallback = meta("allow_fallback") != "0";
  }
  if (!meta("optimization_level").empty())
    o.optimization_level = std::stoi(meta("optimization_level"));
  if (meta("reference_kernels") == "1") o.reference_kernels = true;
  // The processed graph and its partitions: no import, no passes.
  std::vector<artifact::PlannedPartition> plan;
  ir::Graph g = artifact::decode_graph(a.graph, &plan);
  return create(std::move(g), o, &a.programs, &plan);
}

std::unique_ptr<SessionCore> SessionCore::load_file(const std::string& path, const Options& opts) {
  std::string bytes = onnx::read_file(path);
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  return from_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), opts, dir);
}

std::unique_ptr<SessionCore> SessionCore::load_memory(const void* data, size_t size,
                                                      const Options& opts) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  return from_bytes(std::vector<uint8_t>(p, p + size), opts, {});
}

std::vector<uint8_t> SessionCore::compiled_bytes() const {
  artifact::Artifact a;
  a.meta["producer"] = std::string("librnpu ") + kLibraryVersion;
  a.meta["backends"] = join(opts_.backends);
  a.meta["allow_fallback"] = opts_.allow_fallback ? "1" : "0";
  a.meta["optimization_level"] = std::to_string(opts_.optimization_level);
  if (opts_.reference_kernels) a.meta["reference_kernels"] = "1";
  a.graph = exec_->export_graph();
  a.programs = exec_->export_programs();
  a.meta["programs"] = std::to_string(a.programs.size());
  return artifact::write(a);
}

void SessionCore::save_compiled(const std::string& path) const {
  std::vector<uint8_t> b = compiled_bytes();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw Error(ErrorCode::kIo, "cannot create " + path);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  f.close();
  if (!f) throw Error(ErrorCode::kIo, "cannot write " + path);
}

size_t SessionCore::input_index(std::string_view name) const {
  return find_index(exec_->inputs(), name, "input");
}

size_t SessionCore::output_index(std::string_view name) const {
  return find_index(exec_->outputs(), name, "output");
}

}  // namespace rnpu::runtime
