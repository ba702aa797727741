// rnpu::Session: load -> passes -> partition -> optimise partitions ->
// compile (or, from a compiled artifact, its graph and partitions -> compile
// or load programs), and runs
// (synchronous, or asynchronous on the session's worker thread).
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

namespace rnpu {

Session::Impl::~Impl() {
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  if (worker.joinable()) worker.join();
}

void Session::Impl::start_async(std::function<void(std::exception_ptr)> done) {
  std::unique_lock lock(mu);
  if (pending)
    throw Error(ErrorCode::kInvalidArgument,
                "an asynchronous run is already pending on this session");
  pending = true;
  job_done = std::move(done);
  if (!worker.joinable()) worker = std::thread([this] { worker_loop(); });
  cv.notify_all();
}

void Session::Impl::worker_loop() {
  std::unique_lock lock(mu);
  for (;;) {
    cv.wait(lock, [&] { return stop || (pending && job_done); });
    if (stop && !pending) return;
    auto done = std::move(job_done);
    job_done = nullptr;
    lock.unlock();
    std::exception_ptr err;
    try {
      exec->run();
    } catch (...) {
      err = std::current_exception();
    }
    lock.lock();
    pending = false;  // before the callback, so it may start another run
    in_callback = true;
    lock.unlock();
    done(err);
    lock.lock();
    in_callback = false;
    cv.notify_all();
  }
}

void Session::Impl::wait_idle() {
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return !pending && !in_callback; });
}

std::unique_ptr<Session::Impl> Session::Impl::create(
    ir::Graph g, const Options& opts, const std::vector<artifact::ProgramBlob>* programs,
    const std::vector<artifact::PlannedPartition>* plan) {
  auto impl = std::make_unique<Impl>();
  impl->opts = opts;
  partition::BackendSet set = partition::resolve_backends(opts.backends, opts.allow_fallback);
  if (!plan) {
    passes::PipelineOptions po;
    po.level = opts.reference_kernels ? 0 : opts.optimization_level;
    passes::run_pipeline(g, po);
  }
  impl->exec = std::make_unique<runtime::Executor>(std::move(g), set, opts, programs, plan);
  return impl;
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

}  // namespace

std::unique_ptr<Session::Impl> Session::Impl::from_bytes(std::vector<uint8_t> bytes,
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

std::vector<uint8_t> Session::compiled_bytes() const {
  artifact::Artifact a;
  a.meta["producer"] = std::string("librnpu ") + version();
  a.meta["backends"] = join(impl_->opts.backends);
  a.meta["allow_fallback"] = impl_->opts.allow_fallback ? "1" : "0";
  a.meta["optimization_level"] = std::to_string(impl_->opts.optimization_level);
  if (impl_->opts.reference_kernels) a.meta["reference_kernels"] = "1";
  a.graph = impl_->exec->export_graph();
  a.programs = impl_->exec->export_programs();
  a.meta["programs"] = std::to_string(a.programs.size());
  return artifact::write(a);
}

void Session::save_compiled(const std::string& path) const {
  std::vector<uint8_t> b = compiled_bytes();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw Error(ErrorCode::kIo, "cannot create " + path);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  f.close();
  if (!f) throw Error(ErrorCode::kIo, "cannot write " + path);
}

size_t Session::programs_loaded() const {
  return impl_->exec->programs_loaded();
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Session Session::load_file(const std::string& path, const Options& opts) {
  std::string bytes = onnx::read_file(path);
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  return Session(Impl::from_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()), opts, dir));
}

Session Session::load_memory(const void* data, size_t size, const Options& opts) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  return Session(Impl::from_bytes(std::vector<uint8_t>(p, p + size), opts, {}));
}

const std::vector<TensorInfo>& Session::inputs() const {
  return impl_->exec->inputs();
}
const std::vector<TensorInfo>& Session::outputs() const {
  return impl_->exec->outputs();
}

static size_t find_index(const std::vector<TensorInfo>& v, std::string_view name,
                         const char* what) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name) return i;
  throw Error(ErrorCode::kInvalidArgument,
              std::string("model has no ") + what + " named '" + std::string(name) + "'");
}

size_t Session::input_index(std::string_view name) const {
  return find_index(inputs(), name, "input");
}
size_t Session::output_index(std::string_view name) const {
  return find_index(outputs(), name, "output");
}

void Session::set_input(size_t index, const void* data, size_t size,
                        std::span<const int64_t> shape) {
  impl_->exec->set_input(index, data, size, shape);
}

void Session::set_input_sequence(size_t index, std::span<const TensorView> elements) {
  impl_->exec->set_input_sequence(index, elements);
}

void Session::set_input_absent(size_t index) {
  impl_->exec->set_input_absent(index);
}

void Session::set_input_strings(size_t index, std::span<const std::string> elements,
                                std::span<const int64_t> shape) {
  impl_->exec->set_input_strings(index, elements, shape);
}

void Session::set_output(size_t index, void* data, size_t size) {
  impl_->exec->set_output(index, data, size);
}

void Session::run() {
  impl_->exec->run();
}

void Session::submit() {
  impl_->exec->start();
}

void Session::collect() {
  impl_->exec->finish();
}

size_t Session::pipeline_depth() const {
  return impl_->exec->pipeline_depth();
}

std::future<void> Session::run_async() {
  auto promise = std::make_shared<std::promise<void>>();
  std::future<void> f = promise->get_future();
  impl_->start_async([promise](std::exception_ptr e) {
    if (e)
      promise->set_exception(e);
    else
      promise->set_value();
  });
  return f;
}

TensorView Session::output(size_t index) const {
  return impl_->exec->output(index);
}
bool Session::output_has_element(size_t index) const {
  return impl_->exec->output_has_element(index);
}
size_t Session::output_sequence_length(size_t index) const {
  return impl_->exec->output_sequence_length(index);
}
TensorView Session::output_element(size_t index, size_t position) const {
  return impl_->exec->output_element(index, position);
}
std::vector<std::string> Session::output_strings(size_t index, std::vector<int64_t>* shape) const {
  return *impl_->exec->output_strings(index, shape);
}
std::vector<OpProfile> Session::profile() const {
  return impl_->exec->profile();
}
const std::vector<PartitionDecision>& Session::partition_report() const {
  return impl_->exec->decisions();
}
std::vector<NpuReport> Session::npu_reports() const {
  return impl_->exec->npu_reports();
}

size_t Session::arena_bytes() const {
  return impl_->exec->arena_bytes();
}

std::vector<BackendInfo> list_backends() {
  std::vector<BackendInfo> out;
  auto& reg = BackendRegistry::instance();
  for (const auto& n : reg.names()) {
    Backend* b = reg.get(n);
    if (!b) continue;
    out.push_back({n, b->available(), b->description()});
  }
  return out;
}

const char* version() {
  return "0.1.0";
}

}  // namespace rnpu
