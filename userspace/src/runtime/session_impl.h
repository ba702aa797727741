// The session: a loaded, optimised, partitioned and compiled model with its
// executor, and the worker thread of asynchronous runs.  Internal: the C
// API (src/api) wraps it, and the C++ API (rnpu.hpp) is a header-only layer
// over the C API, so nothing outside librnpu sees this class.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ir/graph.h"
#include "rnpu/types.hpp"
#include "runtime/executor.h"

namespace rnpu::runtime {

// The library's version string (rnpu_version()).
inline constexpr const char* kLibraryVersion = "0.1.0";

class SessionCore {
 public:
  // An ONNX model or a compiled artifact (.rnpb, recognized by its magic);
  // an artifact's saved programs are loaded instead of compiled.
  static std::unique_ptr<SessionCore> load_file(const std::string& path, const Options& opts);
  static std::unique_ptr<SessionCore> load_memory(const void* data, size_t size,
                                                  const Options& opts);
  ~SessionCore();
  SessionCore(const SessionCore&) = delete;
  SessionCore& operator=(const SessionCore&) = delete;

  Executor& exec() { return *exec_; }
  const Executor& exec() const { return *exec_; }
  const Options& options() const { return opts_; }

  size_t input_index(std::string_view name) const;   // throws kInvalidArgument
  size_t output_index(std::string_view name) const;  // throws kInvalidArgument

  // The compiled artifact: the processed graph with its partition plan, the
  // options and every partition
  // program whose backend can save it.  save_compiled throws kIo.
  std::vector<uint8_t> compiled_bytes() const;
  void save_compiled(const std::string& path) const;

  // Asynchronous runs on the session's worker thread (started on first
  // use): done gets the run's failure, or null.  Throws kInvalidArgument
  // when a run is already pending.
  void start_async(std::function<void(std::exception_ptr)> done);
  // Until no run is pending and no completion callback is running.
  void wait_idle();

 private:
  SessionCore() = default;
  static std::unique_ptr<SessionCore> create(
      ir::Graph g, const Options& opts,
      const std::vector<artifact::ProgramBlob>* programs = nullptr,
      const std::vector<artifact::PlannedPartition>* plan = nullptr);
  // ONNX bytes or an artifact; base_dir resolves external data.
  static std::unique_ptr<SessionCore> from_bytes(std::vector<uint8_t> bytes, const Options& opts,
                                                 const std::string& base_dir);
  void worker_loop();

  Options opts_;
  std::unique_ptr<Executor> exec_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::thread worker_;
  bool pending_ = false, in_callback_ = false, stop_ = false;
  std::function<void(std::exception_ptr)> job_done_;
};

}  // namespace rnpu::runtime
