// The C API: a thin layer over rnpu::Session that turns exceptions into
// status codes and keeps per-thread and per-session error details.
//
// Structs follow the struct_size contract of rnpu.h ("ABI rules"), which
// lives in one place here: StructAbi (the covered prefix of a caller's
// struct) with write_out() for structs the library fills and read_in() for
// structs the caller fills.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <sstream>

#include "rnpu/rnpu.h"
#include "rnpu/rnpu.hpp"
#include "runtime/session_impl.h"

struct rnpu_options {
  rnpu::Options o;
};

namespace {

struct LastError {
  rnpu_status status = RNPU_OK;
  std::string message, node, op, reason, hint;
};

}  // namespace

struct rnpu_session {
  rnpu::Session s;
  mutable std::mutex error_mu;           // any thread's failing call on the session writes `error`
  mutable LastError error;               // rnpu_session_last_error
  std::mutex profile_mu;                 // the worker thread refreshes the snapshot
  std::vector<rnpu::OpProfile> profile;  // snapshot for stable C strings
  std::atomic<rnpu_status> async_status{RNPU_OK};
  std::exception_ptr async_error;  // the last asynchronous run's failure, for rnpu_session_wait

  explicit rnpu_session(rnpu::Session&& session) : s(std::move(session)) {}
};

namespace {

thread_local LastError last_error;
// rnpu_session_last_error's copy of a session's error: its strings must not
// change under the reader when another thread fails on the session.
thread_local LastError session_error_copy;

rnpu_status set_error(const rnpu::Error& e) {
  last_error.status = rnpu_status(e.code());
  last_error.message = e.what();
  last_error.node = e.node();
  last_error.op = e.op();
  last_error.reason = e.reason();
  last_error.hint = e.backend_hint();
  return last_error.status;
}

rnpu_status set_error(rnpu_status s, const std::string& msg) {
  return set_error(rnpu::Error(rnpu::ErrorCode(s), msg));
}

// Runs f, mapping every exception to a status.
template <class F>
rnpu_status guard(F&& f) {
  try {
    f();
    return RNPU_OK;
  } catch (const rnpu::Error& e) {
    return set_error(e);
  } catch (const std::bad_alloc&) {
    return set_error(RNPU_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return set_error(RNPU_ERR_INTERNAL, e.what());
  } catch (...) {
    return set_error(RNPU_ERR_INTERNAL, "unknown exception");
  }
}

rnpu_status bad_arg(const std::string& what) {
  return set_error(RNPU_ERR_INVALID_ARGUMENT, what);
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

// Fills the caller's tensor info; a rank the caller's dims cannot hold is an
// error (no truncation).  check_out(info) passed.
rnpu_status fill_tensor(const std::string& name, rnpu::DataType dtype,
                        const std::vector<int64_t>& shape, rnpu_tensor_info* info) {
  StructAbi<rnpu_tensor_info> abi(info);
  const size_t dims_at = offsetof(rnpu_tensor_info, dims);
  const size_t room = abi.covered > dims_at ? (abi.covered - dims_at) / sizeof(int64_t) : 0;
  if (shape.size() > room)
    return bad_arg("tensor '" + name + "' has rank " + std::to_string(shape.size()) +
                   ", more than the " + std::to_string(room) +
                   " dims its rnpu_tensor_info (struct_size " + std::to_string(abi.caller_size) +
                   ") holds; RNPU_MAX_RANK is " + std::to_string(RNPU_MAX_RANK));
  rnpu_tensor_info full{};
  full.name = name.c_str();
  full.dtype = rnpu_dtype(dtype);
  full.rank = uint32_t(shape.size());
  std::copy(shape.begin(), shape.end(), full.dims);
  write_out(info, full);
  return RNPU_OK;
}

void fill_error(const LastError& e, rnpu_error_info* info) {
  rnpu_error_info full{};
  full.status = e.status;
  full.message = e.message.c_str();
  full.node = e.node.c_str();
  full.op = e.op.c_str();
  full.reason = e.reason.c_str();
  full.backend_hint = e.hint.c_str();
  write_out(info, full);
}

// A call on session s returned st: a failure is also the session's last error.
rnpu_status on(const rnpu_session* s, rnpu_status st) {
  if (st != RNPU_OK && s) {
    std::lock_guard lock(s->error_mu);
    s->error = last_error;
  }
  return st;
}

}  // namespace

extern "C" {

const char* rnpu_version(void) {
  return rnpu::version();
}

uint32_t rnpu_api_version(uint32_t* major, uint32_t* minor) {
  if (major) *major = RNPU_API_VERSION_MAJOR;
  if (minor) *minor = RNPU_API_VERSION_MINOR;
  return RNPU_API_VERSION;
}

const char* rnpu_status_string(rnpu_status s) {
  if (s < RNPU_OK || s > RNPU_ERR_UNSUPPORTED) return "unknown status";
  return rnpu::error_code_name(rnpu::ErrorCode(s));
}

// Cannot fail: a NULL or too small info is simply not filled.
rnpu_status rnpu_last_error(rnpu_error_info* info) {
  if (info && !StructAbi<rnpu_error_info>(info).too_small()) fill_error(last_error, info);
  return last_error.status;
}

rnpu_status rnpu_session_last_error(const rnpu_session* s, rnpu_error_info* info) {
  if (!s) return bad_arg("session is NULL");
  {
    std::lock_guard lock(s->error_mu);
    session_error_copy = s->error;
  }
  if (info && !StructAbi<rnpu_error_info>(info).too_small()) fill_error(session_error_copy, info);
  return session_error_copy.status;
}

size_t rnpu_backend_count(void) {
  size_t n = 0;
  guard([&] { n = rnpu::BackendRegistry::instance().names().size(); });
  return n;
}

rnpu_status rnpu_backend_info(size_t index, const char** name, int* available,
                              const char** description) {
  return guard([&] {
    // Strings must outlive the call: keep them in a process-wide table.
    static std::mutex mu;
    static std::vector<std::unique_ptr<rnpu::BackendInfo>> cache;
    auto list = rnpu::list_backends();
    if (index >= list.size())
      throw rnpu::Error(rnpu::ErrorCode::kInvalidArgument, "backend index out of range");
    std::lock_guard lock(mu);
    for (auto& c : cache)
      if (c->name == list[index].name && c->description == list[index].description) {
        if (name) *name = c->name.c_str();
        if (available) *available = list[index].available;
        if (description) *description = c->description.c_str();
        return;
      }
    cache.push_back(std::make_unique<rnpu::BackendInfo>(list[index]));
    if (name) *name = cache.back()->name.c_str();
    if (available) *available = cache.back()->available;
    if (description) *description = cache.back()->description.c_str();
  });
}

rnpu_status rnpu_options_create(rnpu_options** out) {
  if (!out) return bad_arg("out is NULL");
  return guard([&] { *out = new rnpu_options(); });
}

void rnpu_options_destroy(rnpu_options* opts) {
  delete opts;
}

rnpu_status rnpu_options_set_backends(rnpu_options* opts, const char* list) {
  if (!opts || !list) return bad_arg("options or list is NULL");
  return guard([&] {
    std::vector<std::string> names;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
      auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
      if (b == std::string::npos)
        throw rnpu::Error(rnpu::ErrorCode::kInvalidArgument, "empty backend name in list");
      names.push_back(item.substr(b, e - b + 1));
    }
    if (names.size() == 1 && names[0] == "auto") names.clear();
    opts->o.backends = std::move(names);
  });
}

rnpu_status rnpu_options_set_fallback(rnpu_options* opts, int allow) {
  if (!opts) return bad_arg("options is NULL");
  opts->o.allow_fallback = allow != 0;
  return RNPU_OK;
}

rnpu_status rnpu_options_set_threads(rnpu_options* opts, int threads) {
  if (!opts || threads < 0 || threads > 1024)
    return bad_arg("options is NULL or threads out of range");
  opts->o.num_threads = threads;
  return RNPU_OK;
}

rnpu_status rnpu_options_set_profiling(rnpu_options* opts, int enable) {
  if (!opts) return bad_arg("options is NULL");
  opts->o.profiling = enable != 0;
  return RNPU_OK;
}

rnpu_status rnpu_options_set_optimization(rnpu_options* opts, int level) {
  if (!opts || level < 0 || level > 1) return bad_arg("options is NULL or level not 0/1");
  opts->o.optimization_level = level;
  return RNPU_OK;
}

rnpu_status rnpu_session_create_from_file(const char* path, const rnpu_options* opts,
                                          rnpu_session** out) {
  if (!path || !out) return bad_arg("path or out is NULL");
  *out = nullptr;
  return guard([&] {
    rnpu::Options o = opts ? opts->o : rnpu::Options{};
    *out = new rnpu_session(rnpu::Session::load_file(path, o));
  });
}

rnpu_status rnpu_session_create_from_memory(const void* data, size_t size, const rnpu_options* opts,
                                            rnpu_session** out) {
  if (!data || !out) return bad_arg("data or out is NULL");
  *out = nullptr;
  return guard([&] {
    rnpu::Options o = opts ? opts->o : rnpu::Options{};
    *out = new rnpu_session(rnpu::Session::load_memory(data, size, o));
  });
}

void rnpu_session_destroy(rnpu_session* s) {
  if (!s) return;
  s->s.impl()->wait_idle();
  delete s;
}

size_t rnpu_session_input_count(const rnpu_session* s) {
  return s ? s->s.inputs().size() : 0;
}
size_t rnpu_session_output_count(const rnpu_session* s) {
  return s ? s->s.outputs().size() : 0;
}

static rnpu_status tensor_info(const rnpu_session* s, size_t index, rnpu_tensor_info* info,
                               bool input) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(info, "info")) return on(s, st);
  const auto& list = input ? s->s.inputs() : s->s.outputs();
  if (index >= list.size())
    return on(s, bad_arg(input ? "input index out of range" : "output index out of range"));
  const rnpu::TensorInfo& t = list[index];
  return on(s, fill_tensor(t.name, t.dtype, t.shape, info));
}

rnpu_status rnpu_session_input_info(const rnpu_session* s, size_t index, rnpu_tensor_info* info) {
  return tensor_info(s, index, info, true);
}

rnpu_status rnpu_session_output_info(const rnpu_session* s, size_t index, rnpu_tensor_info* info) {
  return tensor_info(s, index, info, false);
}

rnpu_status rnpu_session_find_input(const rnpu_session* s, const char* name, size_t* index) {
  if (!s || !name || !index) return on(s, bad_arg("session, name or index is NULL"));
  return on(s, guard([&] { *index = s->s.input_index(name); }));
}

rnpu_status rnpu_session_find_output(const rnpu_session* s, const char* name, size_t* index) {
  if (!s || !name || !index) return on(s, bad_arg("session, name or index is NULL"));
  return on(s, guard([&] { *index = s->s.output_index(name); }));
}

rnpu_status rnpu_session_set_input(rnpu_session* s, size_t index, const void* data, size_t size,
                                   const int64_t* dims, uint32_t rank) {
  if (!s) return bad_arg("session is NULL");
  if (rank && !dims) return on(s, bad_arg("dims is NULL"));
  if (rank > RNPU_MAX_RANK)
    return on(s, bad_arg("rank " + std::to_string(rank) + " exceeds RNPU_MAX_RANK (" +
                         std::to_string(RNPU_MAX_RANK) + ")"));
  return on(
      s, guard([&] { s->s.set_input(index, data, size, std::span<const int64_t>(dims, rank)); }));
}

rnpu_status rnpu_session_set_input_desc(rnpu_session* s, size_t index,
                                        const rnpu_input_desc* desc) {
  if (!s) return bad_arg("session is NULL");
  rnpu_input_desc d;
  if (rnpu_status st = read_in(desc, &d, "rnpu_input_desc")) return on(s, st);
  if (d.dtype != RNPU_DTYPE_UNDEFINED && index < s->s.inputs().size()) {
    const rnpu::TensorInfo& t = s->s.inputs()[index];
    if (rnpu_dtype(t.dtype) != d.dtype)
      return on(s,
                bad_arg("input '" + t.name + "' is " + rnpu::data_type_name(t.dtype) +
                        ", the descriptor says " + rnpu::data_type_name(rnpu::DataType(d.dtype))));
  }
  return rnpu_session_set_input(s, index, d.data, d.size, d.dims, d.rank);
}

rnpu_status rnpu_session_set_output(rnpu_session* s, size_t index, void* data, size_t size) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] { s->s.set_output(index, data, size); }));
}

// Keeps the finished run's profile for rnpu_session_profile().
static void keep_profile(rnpu_session* s) {
  auto p = s->s.profile();
  std::lock_guard lock(s->profile_mu);
  s->profile = std::move(p);
}

rnpu_status rnpu_session_run(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] {
              s->s.run();
              keep_profile(s);
            }));
}

rnpu_status rnpu_session_submit(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] { s->s.submit(); }));
}

rnpu_status rnpu_session_collect(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] {
              s->s.collect();
              keep_profile(s);
            }));
}

size_t rnpu_session_pipeline_depth(const rnpu_session* s) {
  return s ? s->s.pipeline_depth() : 0;
}

rnpu_status rnpu_session_run_async(rnpu_session* s, rnpu_run_callback cb, void* user) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] {
              s->s.impl()->start_async([s, cb, user](std::exception_ptr e) {
                rnpu_status st = RNPU_OK;
                if (e)  // the worker thread's last error, and the session's
                  st = on(s, guard([&] { std::rethrow_exception(e); }));
                else
                  keep_profile(s);  // under profile_mu: rnpu_session_profile may be reading
                s->async_error = e;
                s->async_status = st;
                if (cb) cb(s, st, user);
              });
            }));
}

rnpu_status rnpu_session_wait(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  s->s.impl()->wait_idle();
  // A failing wait is a failure on this thread: give it the run's details.
  if (s->async_status != RNPU_OK && s->async_error)
    return on(s, guard([&] { std::rethrow_exception(s->async_error); }));
  return s->async_status;
}

rnpu_status rnpu_session_get_output(const rnpu_session* s, size_t index, rnpu_tensor_info* info,
                                    const void** data, size_t* size) {
  if (!s) return bad_arg("session is NULL");
  if (info)  // optional
    if (rnpu_status st = check_out(info, "info")) return on(s, st);
  rnpu::TensorView v;
  if (rnpu_status st = guard([&] { v = s->s.output(index); })) return on(s, st);
  if (info)
    if (rnpu_status st = fill_tensor(s->s.outputs()[index].name, v.dtype, v.shape, info))
      return on(s, st);
  if (data) *data = v.data;
  if (size) *size = v.size;
  return RNPU_OK;
}

size_t rnpu_session_profile_count(const rnpu_session* s) {
  return s ? s->profile.size() : 0;
}

rnpu_status rnpu_session_profile(const rnpu_session* s, size_t index, rnpu_op_profile* out) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(out, "out")) return on(s, st);
  std::lock_guard lock(const_cast<rnpu_session*>(s)->profile_mu);
  if (index >= s->profile.size()) return on(s, bad_arg("profile index out of range"));
  const rnpu::OpProfile& p = s->profile[index];
  rnpu_op_profile full{};
  full.node = p.node.c_str();
  full.op = p.op.c_str();
  full.backend = p.backend.c_str();
  full.time_ns = p.time_ns;
  full.cycles = p.cycles;
  write_out(out, full);
  return RNPU_OK;
}

size_t rnpu_session_partition_count(const rnpu_session* s) {
  return s ? s->s.partition_report().size() : 0;
}

rnpu_status rnpu_session_partition(const rnpu_session* s, size_t index,
                                   rnpu_partition_decision* out) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(out, "out")) return on(s, st);
  const auto& r = s->s.partition_report();
  if (index >= r.size()) return on(s, bad_arg("partition index out of range"));
  rnpu_partition_decision full{};
  full.node = r[index].node.c_str();
  full.op = r[index].op.c_str();
  full.backend = r[index].backend.c_str();
  full.reason = r[index].reason.c_str();
  write_out(out, full);
  return RNPU_OK;
}

size_t rnpu_session_arena_bytes(const rnpu_session* s) {
  return s ? s->s.arena_bytes() : 0;
}

rnpu_status rnpu_session_save_compiled(const rnpu_session* s, const char* path) {
  if (!s) return bad_arg("session is NULL");
  if (!path) return on(s, bad_arg("path is NULL"));
  return on(s, guard([&] { s->s.save_compiled(path); }));
}

size_t rnpu_session_programs_loaded(const rnpu_session* s) {
  return s ? s->s.programs_loaded() : 0;
}

// API 1.1: sequence and optional values.

static rnpu_status value_kind(const rnpu_session* s, size_t index, rnpu_value_kind* kind,
                              bool input) {
  if (!s) return bad_arg("session is NULL");
  if (!kind) return on(s, bad_arg("kind is NULL"));
  const auto& list = input ? s->s.inputs() : s->s.outputs();
  if (index >= list.size())
    return on(s, bad_arg(input ? "input index out of range" : "output index out of range"));
  *kind = rnpu_value_kind(list[index].kind);
  return RNPU_OK;
}

rnpu_status rnpu_session_input_kind(const rnpu_session* s, size_t index, rnpu_value_kind* kind) {
  return value_kind(s, index, kind, true);
}

rnpu_status rnpu_session_output_kind(const rnpu_session* s, size_t index, rnpu_value_kind* kind) {
  return value_kind(s, index, kind, false);
}

rnpu_status rnpu_session_set_input_sequence(rnpu_session* s, size_t index,
                                            const rnpu_input_desc* const* elements, size_t count) {
  if (!s) return bad_arg("session is NULL");
  if (count && !elements) return on(s, bad_arg("elements is NULL"));
  std::vector<rnpu::TensorView> views(count);
  for (size_t k = 0; k < count; ++k) {
    std::string what = "elements[" + std::to_string(k) + "]";
    rnpu_input_desc d;
    if (rnpu_status st = read_in(elements[k], &d, what.c_str())) return on(s, st);
    if (d.rank && !d.dims) return on(s, bad_arg(what + ".dims is NULL"));
    if (d.rank > RNPU_MAX_RANK)
      return on(s, bad_arg(what + ": rank " + std::to_string(d.rank) + " exceeds RNPU_MAX_RANK (" +
                           std::to_string(RNPU_MAX_RANK) + ")"));
    // An unset dtype takes the input's element type, as set_input_desc does.
    rnpu::DataType dt = rnpu::DataType(d.dtype);
    if (d.dtype == RNPU_DTYPE_UNDEFINED && index < s->s.inputs().size())
      dt = s->s.inputs()[index].dtype;
    views[k].dtype = dt;
    views[k].shape.assign(d.dims, d.dims + d.rank);
    views[k].data = d.data;
    views[k].size = d.size;
  }
  return on(s, guard([&] { s->s.set_input_sequence(index, views); }));
}

rnpu_status rnpu_session_set_input_absent(rnpu_session* s, size_t index) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] { s->s.set_input_absent(index); }));
}

rnpu_status rnpu_session_output_has_element(const rnpu_session* s, size_t index, int* present) {
  if (!s) return bad_arg("session is NULL");
  if (!present) return on(s, bad_arg("present is NULL"));
  return on(s, guard([&] { *present = s->s.output_has_element(index) ? 1 : 0; }));
}

rnpu_status rnpu_session_output_count_elements(const rnpu_session* s, size_t index, size_t* count) {
  if (!s) return bad_arg("session is NULL");
  if (!count) return on(s, bad_arg("count is NULL"));
  return on(s, guard([&] { *count = s->s.output_sequence_length(index); }));
}

rnpu_status rnpu_session_get_output_element(const rnpu_session* s, size_t index, size_t position,
                                            rnpu_tensor_info* info, const void** data,
                                            size_t* size) {
  if (!s) return bad_arg("session is NULL");
  if (info)  // optional
    if (rnpu_status st = check_out(info, "info")) return on(s, st);
  rnpu::TensorView v;
  if (rnpu_status st = guard([&] { v = s->s.output_element(index, position); })) return on(s, st);
  if (info)
    if (rnpu_status st = fill_tensor(s->s.outputs()[index].name, v.dtype, v.shape, info))
      return on(s, st);
  if (data) *data = v.data;
  if (size) *size = v.size;
  return RNPU_OK;
}

}  // extern "C"

rnpu_status rnpu_session_set_input_strings(rnpu_session* s, size_t index,
                                           const char* const* elements, const size_t* lengths,
                                           size_t count, const int64_t* shape, size_t rank) {
  if (!s) return bad_arg("session is NULL");
  if (count && !elements) return on(s, bad_arg("elements is NULL"));
  if (rank && !shape) return on(s, bad_arg("shape is NULL"));
  return on(s, guard([&] {
              std::vector<std::string> v;
              v.reserve(count);
              for (size_t i = 0; i < count; ++i) {
                if (!elements[i] && (!lengths || lengths[i]))
                  throw rnpu::Error(rnpu::ErrorCode::kInvalidArgument,
                                    "string element " + std::to_string(i) + " is NULL");
                if (!elements[i])
                  v.emplace_back();
                else
                  v.emplace_back(elements[i], lengths ? lengths[i] : std::strlen(elements[i]));
              }
              s->s.set_input_strings(index, v, std::span<const int64_t>(shape, rank));
            }));
}

rnpu_status rnpu_session_get_output_strings(const rnpu_session* s, size_t index,
                                            rnpu_tensor_info* info, size_t* count) {
  if (!s) return bad_arg("session is NULL");
  if (!count) return on(s, bad_arg("count is NULL"));
  if (info)  // optional
    if (rnpu_status st = check_out(info, "info")) return on(s, st);
  std::vector<int64_t> shape;
  rnpu::ir::StringsPtr v;
  if (rnpu_status st = guard([&] { v = s->s.impl()->exec->output_strings(index, &shape); }))
    return on(s, st);
  *count = v->size();
  if (info)
    if (rnpu_status st =
            fill_tensor(s->s.outputs()[index].name, rnpu::DataType::kString, shape, info))
      return on(s, st);
  return RNPU_OK;
}

rnpu_status rnpu_session_get_output_string(const rnpu_session* s, size_t index, size_t position,
                                           const char** data, size_t* length) {
  if (!s) return bad_arg("session is NULL");
  if (!data || !length) return on(s, bad_arg("data or length is NULL"));
  // The runtime's slot holds the list until the next run starts, so the
  // pointer stays valid that long.
  rnpu::ir::StringsPtr v;
  if (rnpu_status st = guard([&] { v = s->s.impl()->exec->output_strings(index, nullptr); }))
    return on(s, st);
  if (position >= v->size())
    return on(s, bad_arg("string element " + std::to_string(position) + " out of range (" +
                         std::to_string(v->size()) + " elements)"));
  *data = (*v)[position].c_str();
  *length = (*v)[position].size();
  return RNPU_OK;
}
