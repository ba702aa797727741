// The C API: a thin layer over rnpu::Session that turns exceptions into
// status codes and keeps per-thread error details.
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

struct rnpu_session {
  rnpu::Session s;
  std::mutex profile_mu;                 // the worker thread refreshes the snapshot
  std::vector<rnpu::OpProfile> profile;  // snapshot for stable C strings
  std::atomic<rnpu_status> async_status{RNPU_OK};
  std::exception_ptr async_error;  // the last asynchronous run's failure, for rnpu_session_wait

  explicit rnpu_session(rnpu::Session&& session) : s(std::move(session)) {}
};

namespace {

struct LastError {
  rnpu_status status = RNPU_OK;
  std::string message, node, op, reason, hint;
};
thread_local LastError last_error;

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

rnpu_status bad_arg(const char* what) {
  return set_error(RNPU_ERR_INVALID_ARGUMENT, what);
}

void fill_info(const rnpu::TensorInfo& t, rnpu_tensor_info* info) {
  info->name = t.name.c_str();
  info->dtype = rnpu_dtype(t.dtype);
  info->rank = uint32_t(std::min<size_t>(t.shape.size(), RNPU_MAX_RANK));
  for (uint32_t i = 0; i < info->rank; ++i) info->dims[i] = t.shape[i];
}

bool struct_ok(const void* p, size_t have, size_t need_min) {
  return p && have >= need_min;
}

}  // namespace

extern "C" {

const char* rnpu_version(void) {
  return rnpu::version();
}

const char* rnpu_status_string(rnpu_status s) {
  if (s < RNPU_OK || s > RNPU_ERR_INTERNAL) return "unknown status";
  return rnpu::error_code_name(rnpu::ErrorCode(s));
}

rnpu_status rnpu_last_error(rnpu_error_info* info) {
  if (info && info->struct_size >= sizeof(rnpu_error_info)) {
    info->status = last_error.status;
    info->message = last_error.message.c_str();
    info->node = last_error.node.c_str();
    info->op = last_error.op.c_str();
    info->reason = last_error.reason.c_str();
    info->backend_hint = last_error.hint.c_str();
  }
  return last_error.status;
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

rnpu_status rnpu_session_input_info(const rnpu_session* s, size_t index, rnpu_tensor_info* info) {
  if (!s || !struct_ok(info, info ? info->struct_size : 0, sizeof(rnpu_tensor_info)))
    return bad_arg("session or info is NULL (or info->struct_size too small)");
  if (index >= s->s.inputs().size()) return bad_arg("input index out of range");
  fill_info(s->s.inputs()[index], info);
  return RNPU_OK;
}

rnpu_status rnpu_session_output_info(const rnpu_session* s, size_t index, rnpu_tensor_info* info) {
  if (!s || !struct_ok(info, info ? info->struct_size : 0, sizeof(rnpu_tensor_info)))
    return bad_arg("session or info is NULL (or info->struct_size too small)");
  if (index >= s->s.outputs().size()) return bad_arg("output index out of range");
  fill_info(s->s.outputs()[index], info);
  return RNPU_OK;
}

rnpu_status rnpu_session_find_input(const rnpu_session* s, const char* name, size_t* index) {
  if (!s || !name || !index) return bad_arg("session, name or index is NULL");
  return guard([&] { *index = s->s.input_index(name); });
}

rnpu_status rnpu_session_find_output(const rnpu_session* s, const char* name, size_t* index) {
  if (!s || !name || !index) return bad_arg("session, name or index is NULL");
  return guard([&] { *index = s->s.output_index(name); });
}

rnpu_status rnpu_session_set_input(rnpu_session* s, size_t index, const void* data, size_t size,
                                   const int64_t* dims, uint32_t rank) {
  if (!s || (rank && !dims)) return bad_arg("session or dims is NULL");
  if (rank > RNPU_MAX_RANK) return bad_arg("rank exceeds RNPU_MAX_RANK");
  return guard([&] { s->s.set_input(index, data, size, std::span<const int64_t>(dims, rank)); });
}

rnpu_status rnpu_session_set_output(rnpu_session* s, size_t index, void* data, size_t size) {
  if (!s) return bad_arg("session is NULL");
  return guard([&] { s->s.set_output(index, data, size); });
}

// Keeps the finished run's profile for rnpu_session_profile().
static void keep_profile(rnpu_session* s) {
  auto p = s->s.profile();
  std::lock_guard lock(s->profile_mu);
  s->profile = std::move(p);
}

rnpu_status rnpu_session_run(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return guard([&] {
    s->s.run();
    keep_profile(s);
  });
}

rnpu_status rnpu_session_submit(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return guard([&] { s->s.submit(); });
}

rnpu_status rnpu_session_collect(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return guard([&] {
    s->s.collect();
    keep_profile(s);
  });
}

size_t rnpu_session_pipeline_depth(const rnpu_session* s) {
  return s ? s->s.pipeline_depth() : 0;
}

rnpu_status rnpu_session_run_async(rnpu_session* s, rnpu_run_callback cb, void* user) {
  if (!s) return bad_arg("session is NULL");
  return guard([&] {
    s->s.impl()->start_async([s, cb, user](std::exception_ptr e) {
      rnpu_status st = RNPU_OK;
      if (e)
        st = guard([&] { std::rethrow_exception(e); });
      else
        keep_profile(s);  // under profile_mu: rnpu_session_profile may be reading
      s->async_error = e;
      s->async_status = st;
      if (cb) cb(s, st, user);
    });
  });
}

rnpu_status rnpu_session_wait(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  s->s.impl()->wait_idle();
  // A failing wait is a failure on this thread: give it the run's details.
  if (s->async_status != RNPU_OK && s->async_error)
    return guard([&] { std::rethrow_exception(s->async_error); });
  return s->async_status;
}

rnpu_status rnpu_session_get_output(const rnpu_session* s, size_t index, rnpu_tensor_info* info,
                                    const void** data, size_t* size) {
  if (!s) return bad_arg("session is NULL");
  if (info && info->struct_size < sizeof(rnpu_tensor_info))
    return bad_arg("info->struct_size too small");
  return guard([&] {
    rnpu::TensorView v = s->s.output(index);
    if (info) {
      info->name = s->s.outputs()[index].name.c_str();
      info->dtype = rnpu_dtype(v.dtype);
      info->rank = uint32_t(std::min<size_t>(v.shape.size(), RNPU_MAX_RANK));
      for (uint32_t i = 0; i < info->rank; ++i) info->dims[i] = v.shape[i];
    }
    if (data) *data = v.data;
    if (size) *size = v.size;
  });
}

size_t rnpu_session_profile_count(const rnpu_session* s) {
  return s ? s->profile.size() : 0;
}

rnpu_status rnpu_session_profile(const rnpu_session* s, size_t index, rnpu_op_profile* out) {
  if (!s || !out || out->struct_size < sizeof(rnpu_op_profile)) return bad_arg("bad argument");
  std::lock_guard lock(const_cast<rnpu_session*>(s)->profile_mu);
  if (index >= s->profile.size()) return bad_arg("profile index out of range");
  const rnpu::OpProfile& p = s->profile[index];
  out->node = p.node.c_str();
  out->op = p.op.c_str();
  out->backend = p.backend.c_str();
  out->time_ns = p.time_ns;
  out->cycles = p.cycles;
  return RNPU_OK;
}

size_t rnpu_session_partition_count(const rnpu_session* s) {
  return s ? s->s.partition_report().size() : 0;
}

rnpu_status rnpu_session_partition(const rnpu_session* s, size_t index,
                                   rnpu_partition_decision* out) {
  if (!s || !out || out->struct_size < sizeof(rnpu_partition_decision))
    return bad_arg("bad argument");
  const auto& r = s->s.partition_report();
  if (index >= r.size()) return bad_arg("partition index out of range");
  out->node = r[index].node.c_str();
  out->op = r[index].op.c_str();
  out->backend = r[index].backend.c_str();
  out->reason = r[index].reason.c_str();
  return RNPU_OK;
}

size_t rnpu_session_arena_bytes(const rnpu_session* s) {
  return s ? s->s.arena_bytes() : 0;
}

rnpu_status rnpu_session_save_compiled(const rnpu_session* s, const char* path) {
  if (!s) return bad_arg("session is NULL");
  if (!path) return bad_arg("path is NULL");
  return guard([&] { s->s.save_compiled(path); });
}

size_t rnpu_session_programs_loaded(const rnpu_session* s) {
  return s ? s->s.programs_loaded() : 0;
}

}  // extern "C"
