// Session internals, shared by the C++ API and the C API.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "ir/graph.h"
#include "rnpu/rnpu.hpp"
#include "runtime/executor.h"

namespace rnpu {

struct Session::Impl {
  Options opts;
  std::unique_ptr<runtime::Executor> exec;

  // Asynchronous runs: one worker thread per session, started on first use.
  std::mutex mu;
  std::condition_variable cv;
  std::thread worker;
  bool pending = false, in_callback = false, stop = false;
  std::function<void(std::exception_ptr)> job_done;

  ~Impl();
  // programs and plan: from a compiled artifact, whose graph g is already
  // processed (no passes run).
  static std::unique_ptr<Impl> create(
      ir::Graph g, const Options& opts,
      const std::vector<artifact::ProgramBlob>* programs = nullptr,
      const std::vector<artifact::PlannedPartition>* plan = nullptr);
  // ONNX bytes or an artifact; base_dir resolves external data.
  static std::unique_ptr<Impl> from_bytes(std::vector<uint8_t> bytes, const Options& opts,
                                          const std::string& base_dir);
  // Throws kInvalidArgument when a run is already pending.
  void start_async(std::function<void(std::exception_ptr)> done);
  void wait_idle();

 private:
  void worker_loop();
};

}  // namespace rnpu
