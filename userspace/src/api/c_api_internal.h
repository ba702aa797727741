// What the C API's translation units share: the handles behind rnpu.h's
// opaque types, the per-thread and per-session last error, the mapping of
// exceptions to statuses, and the struct_size contract of rnpu.h ("ABI
// rules") in one place: StructAbi (the covered prefix of a caller's struct)
// with write_out() for structs the library fills and read_in() for structs
// the caller fills.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "rnpu/rnpu.h"
#include "rnpu/rnpu.hpp"
#include "runtime/session_impl.h"

struct rnpu_options {
  rnpu::Options o;
};

namespace rnpu::capi {

struct LastError {
  rnpu_status status = RNPU_OK;
  std::string message, node, op, reason, hint;
};

// The processed graph as rnpu_session_graph* describe it (c_api_graph.cc).
struct GraphSnapshot;

}  // namespace rnpu::capi

struct rnpu_session {
  std::unique_ptr<rnpu::runtime::SessionCore> core;
  mutable std::mutex error_mu;          // any thread's failing call on the session writes `error`
  mutable rnpu::capi::LastError error;  // rnpu_session_last_error
  // What the last run left for the C strings of rnpu_session_profile and
  // rnpu_session_npu_report; the worker thread refreshes it.
  mutable std::mutex results_mu;
  std::vector<rnpu::OpProfile> profile;
  std::vector<rnpu::NpuReport> npu_reports;
  std::atomic<rnpu_status> async_status{RNPU_OK};
  std::exception_ptr async_error;  // the last asynchronous run's failure, for rnpu_session_wait
  // Built on the first rnpu_session_graph* call, kept for the session's life.
  mutable std::once_flag graph_once;
  mutable std::shared_ptr<const rnpu::capi::GraphSnapshot> graph;

  explicit rnpu_session(std::unique_ptr<rnpu::runtime::SessionCore> c) : core(std::move(c)) {}
  rnpu::runtime::Executor& exec() { return core->exec(); }
  const rnpu::runtime::Executor& exec() const { return core->exec(); }
};

namespace rnpu::capi {

inline thread_local LastError last_error;

inline rnpu_status set_error(const Error& e) {
  last_error.status = rnpu_status(e.code());
  last_error.message = e.what();
  last_error.node = e.node();
  last_error.op = e.op();
  last_error.reason = e.reason();
  last_error.hint = e.backend_hint();
  return last_error.status;
}

inline rnpu_status set_error(rnpu_status s, const std::string& msg) {
  return set_error(Error(ErrorCode(s), msg));
}

// Runs f, mapping every exception to a status.
template <class F>
rnpu_status guard(F&& f) {
  try {
    f();
    return RNPU_OK;
  } catch (const Error& e) {
    return set_error(e);
  } catch (const std::bad_alloc&) {
    return set_error(RNPU_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return set_error(RNPU_ERR_INTERNAL, e.what());
  } catch (...) {
    return set_error(RNPU_ERR_INTERNAL, "unknown exception");
  }
}

inline rnpu_status bad_arg(const std::string& what) {
  return set_error(RNPU_ERR_INVALID_ARGUMENT, what);
}

// A call on session s returned st: a failure is also the session's last error.
inline rnpu_status on(const rnpu_session* s, rnpu_status st) {
  if (st != RNPU_OK && s) {
    std::lock_guard lock(s->error_mu);
    s->error = last_error;
  }
  return st;
}

// ---- the struct_size contract ----
//
// The smallest struct_size each struct takes (its first published layout).
constexpr size_t min_size(const rnpu_error_info*) {
  return RNPU_ERROR_INFO_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_tensor_info*) {
  return RNPU_TENSOR_INFO_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_op_profile*) {
  return RNPU_OP_PROFILE_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_partition_decision*) {
  return RNPU_PARTITION_DECISION_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_input_desc*) {
  return RNPU_INPUT_DESC_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_npu_report*) {
  return RNPU_NPU_REPORT_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_graph_info*) {
  return RNPU_GRAPH_INFO_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_graph_node*) {
  return RNPU_GRAPH_NODE_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_graph_value*) {
  return RNPU_GRAPH_VALUE_MIN_SIZE;
}
constexpr size_t min_size(const rnpu_device_info*) {
  return RNPU_DEVICE_INFO_MIN_SIZE;
}
// A caller's input struct larger than this is not a newer header's struct.
constexpr size_t kMaxInputStructSize = 4096;

// The bytes of the caller's struct p the library may read or write: the
// prefix [0, covered) of its struct_size that this library's S also has.
template <class S>
struct StructAbi {
  static_assert(offsetof(S, struct_size) == 0);
  size_t caller_size;  // p->struct_size
  size_t covered;      // min(caller_size, sizeof(S))

  explicit StructAbi(const S* p)
      : caller_size(p->struct_size), covered(std::min(p->struct_size, sizeof(S))) {}
  bool too_small() const { return caller_size < min_size(static_cast<const S*>(nullptr)); }
};

// Checks an output struct before anything is computed for it.
template <class S>
rnpu_status check_out(const S* p, const char* what) {
  if (!p) return bad_arg(std::string(what) + " is NULL");
  if (StructAbi<S>(p).too_small())
    return bad_arg(std::string(what) + "->struct_size " + std::to_string(p->struct_size) +
                   " is below its minimum " + std::to_string(min_size(p)));
  return RNPU_OK;
}

// Copies the fields of `full` (this library's complete struct) that the
// caller's struct covers into *dst; struct_size stays the caller's and bytes
// past this library's struct are untouched.  check_out(dst) passed.
template <class S>
void write_out(S* dst, const S& full) {
  StructAbi<S> abi(dst);
  constexpr size_t skip = sizeof(size_t);  // struct_size
  std::memcpy(reinterpret_cast<char*>(dst) + skip, reinterpret_cast<const char*>(&full) + skip,
              abi.covered - skip);
}

// Reads a caller-filled struct into *full (zero where the caller's older
// struct ends); a newer caller's bytes past this library's struct must be
// zero: a field set there is one this library does not know.
template <class S>
rnpu_status read_in(const S* src, S* full, const char* what) {
  if (!src) return bad_arg(std::string(what) + " is NULL");
  StructAbi<S> abi(src);
  if (abi.too_small() || abi.caller_size > kMaxInputStructSize)
    return bad_arg(std::string(what) + "->struct_size " + std::to_string(abi.caller_size) +
                   " is outside [" + std::to_string(min_size(src)) + ", " +
                   std::to_string(kMaxInputStructSize) + "]");
  auto* tail = reinterpret_cast<const unsigned char*>(src) + abi.covered;
  for (size_t i = 0; i < abi.caller_size - abi.covered; ++i)
    if (tail[i])
      return set_error(RNPU_ERR_UNSUPPORTED,
                       std::string(what) + " sets a field at byte " +
                           std::to_string(abi.covered + i) + " that librnpu API " +
                           std::to_string(RNPU_API_VERSION_MAJOR) + "." +
                           std::to_string(RNPU_API_VERSION_MINOR) + " does not know (its " + what +
                           " has " + std::to_string(sizeof(S)) + " bytes)");
  *full = S{};
  std::memcpy(full, src, abi.covered);
  full->struct_size = sizeof(S);
  return RNPU_OK;
}

}  // namespace rnpu::capi
