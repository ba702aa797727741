// The C API: a thin layer over runtime::SessionCore that turns exceptions
// into status codes and keeps per-thread and per-session error details.
// The struct_size contract and the shared handles: c_api_internal.h; the
// processed graph: c_api_graph.cc; NPU devices: c_api_device.cc.
#include <cstdlib>
#include <sstream>

#include "api/c_api_internal.h"
#include "backend/backend.h"
#include "ir/dtype.h"
#include "ir/sequence.h"

using namespace rnpu::capi;

namespace {

// rnpu_session_last_error's copy of a session's error: its strings must not
// change under the reader when another thread fails on the session.
thread_local LastError session_error_copy;

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

}  // namespace

extern "C" {

const char* rnpu_version(void) {
  return rnpu::runtime::kLibraryVersion;
}

uint32_t rnpu_api_version(uint32_t* major, uint32_t* minor) {
  if (major) *major = RNPU_API_VERSION_MAJOR;
  if (minor) *minor = RNPU_API_VERSION_MINOR;
  return RNPU_API_VERSION;
}

const char* rnpu_status_string(rnpu_status s) {
  switch (s) {
    case RNPU_OK:
      return "ok";
    case RNPU_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case RNPU_ERR_MALFORMED_MODEL:
      return "malformed model";
    case RNPU_ERR_UNSUPPORTED_OP:
      return "unsupported op";
    case RNPU_ERR_SHAPE_MISMATCH:
      return "shape mismatch";
    case RNPU_ERR_DEVICE:
      return "device error";
    case RNPU_ERR_OUT_OF_MEMORY:
      return "out of memory";
    case RNPU_ERR_IO:
      return "I/O error";
    case RNPU_ERR_BACKEND_UNAVAILABLE:
      return "backend unavailable";
    case RNPU_ERR_RUNTIME:
      return "runtime error";
    case RNPU_ERR_INTERNAL:
      return "internal error";
    case RNPU_ERR_UNSUPPORTED:
      return "unsupported by this library version";
  }
  return "unknown status";
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
    auto& reg = rnpu::BackendRegistry::instance();
    std::vector<std::string> names = reg.names();
    if (index >= names.size())
      throw rnpu::Error(rnpu::ErrorCode::kInvalidArgument,
                        "backend index " + std::to_string(index) + " out of range (" +
                            std::to_string(names.size()) + " backends)");
    rnpu::Backend* b = reg.get(names[index]);
    bool avail = b && b->available();
    std::string desc = b ? b->description() : "not registered";
    // Strings must outlive the call: keep each distinct one in a
    // process-wide table (a backend's description may change, e.g. once
    // its device appears).
    static std::mutex mu;
    static std::vector<std::unique_ptr<rnpu::BackendInfo>> cache;
    std::lock_guard lock(mu);
    const rnpu::BackendInfo* hit = nullptr;
    for (auto& c : cache)
      if (c->name == names[index] && c->description == desc) hit = c.get();
    if (!hit) {
      cache.push_back(
          std::make_unique<rnpu::BackendInfo>(rnpu::BackendInfo{names[index], avail, desc}));
      hit = cache.back().get();
    }
    if (name) *name = hit->name.c_str();
    if (available) *available = avail;
    if (description) *description = hit->description.c_str();
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
    *out = new rnpu_session(rnpu::runtime::SessionCore::load_file(path, o));
  });
}

rnpu_status rnpu_session_create_from_memory(const void* data, size_t size, const rnpu_options* opts,
                                            rnpu_session** out) {
  if (!data || !out) return bad_arg("data or out is NULL");
  *out = nullptr;
  return guard([&] {
    rnpu::Options o = opts ? opts->o : rnpu::Options{};
    *out = new rnpu_session(rnpu::runtime::SessionCore::load_memory(data, size, o));
  });
}

void rnpu_session_destroy(rnpu_session* s) {
  if (!s) return;
  s->core->wait_idle();
  delete s;
}

size_t rnpu_session_input_count(const rnpu_session* s) {
  return s ? s->exec().inputs().size() : 0;
}
size_t rnpu_session_output_count(const rnpu_session* s) {
  return s ? s->exec().outputs().size() : 0;
}

static rnpu_status tensor_info(const rnpu_session* s, size_t index, rnpu_tensor_info* info,
                               bool input) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(info, "info")) return on(s, st);
  const auto& list = input ? s->exec().inputs() : s->exec().outputs();
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
  return on(s, guard([&] { *index = s->core->input_index(name); }));
}

rnpu_status rnpu_session_find_output(const rnpu_session* s, const char* name, size_t* index) {
  if (!s || !name || !index) return on(s, bad_arg("session, name or index is NULL"));
  return on(s, guard([&] { *index = s->core->output_index(name); }));
}

rnpu_status rnpu_session_set_input(rnpu_session* s, size_t index, const void* data, size_t size,
                                   const int64_t* dims, uint32_t rank) {
  if (!s) return bad_arg("session is NULL");
  if (rank && !dims) return on(s, bad_arg("dims is NULL"));
  if (rank > RNPU_MAX_RANK)
    return on(s, bad_arg("rank " + std::to_string(rank) + " exceeds RNPU_MAX_RANK (" +
                         std::to_string(RNPU_MAX_RANK) + ")"));
  return on(s, guard([&] {
              s->exec().set_input(index, data, size, std::span<const int64_t>(dims, rank));
            }));
}

rnpu_status rnpu_session_set_input_desc(rnpu_session* s, size_t index,
                                        const rnpu_input_desc* desc) {
  if (!s) return bad_arg("session is NULL");
  rnpu_input_desc d;
  if (rnpu_status st = read_in(desc, &d, "rnpu_input_desc")) return on(s, st);
  if (d.dtype != RNPU_DTYPE_UNDEFINED && index < s->exec().inputs().size()) {
    const rnpu::TensorInfo& t = s->exec().inputs()[index];
    if (rnpu_dtype(t.dtype) != d.dtype)
      return on(s,
                bad_arg("input '" + t.name + "' is " + rnpu::data_type_name(t.dtype) +
                        ", the descriptor says " + rnpu::data_type_name(rnpu::DataType(d.dtype))));
  }
  return rnpu_session_set_input(s, index, d.data, d.size, d.dims, d.rank);
}

rnpu_status rnpu_session_set_output(rnpu_session* s, size_t index, void* data, size_t size) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] { s->exec().set_output(index, data, size); }));
}

// Keeps what the finished run leaves for rnpu_session_profile() and
// rnpu_session_npu_report().
static void keep_profile(rnpu_session* s) {
  auto p = s->exec().profile();
  auto r = s->exec().npu_reports();
  std::lock_guard lock(s->results_mu);
  s->profile = std::move(p);
  s->npu_reports = std::move(r);
}

rnpu_status rnpu_session_run(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] {
              s->exec().run();
              keep_profile(s);
            }));
}

rnpu_status rnpu_session_submit(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] { s->exec().start(); }));
}

rnpu_status rnpu_session_collect(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] {
              s->exec().finish();
              keep_profile(s);
            }));
}

size_t rnpu_session_pipeline_depth(const rnpu_session* s) {
  return s ? s->exec().pipeline_depth() : 0;
}

rnpu_status rnpu_session_run_async(rnpu_session* s, rnpu_run_callback cb, void* user) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] {
              s->core->start_async([s, cb, user](std::exception_ptr e) {
                rnpu_status st = RNPU_OK;
                if (e)  // the worker thread's last error, and the session's
                  st = on(s, guard([&] { std::rethrow_exception(e); }));
                else
                  keep_profile(s);  // under results_mu: rnpu_session_profile may be reading
                s->async_error = e;
                s->async_status = st;
                if (cb) cb(s, st, user);
              });
            }));
}

rnpu_status rnpu_session_wait(rnpu_session* s) {
  if (!s) return bad_arg("session is NULL");
  s->core->wait_idle();
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
  if (rnpu_status st = guard([&] { v = s->exec().output(index); })) return on(s, st);
  if (info)
    if (rnpu_status st = fill_tensor(s->exec().outputs()[index].name, v.dtype, v.shape, info))
      return on(s, st);
  if (data) *data = v.data;
  if (size) *size = v.size;
  return RNPU_OK;
}

size_t rnpu_session_profile_count(const rnpu_session* s) {
  if (!s) return 0;
  std::lock_guard lock(s->results_mu);
  return s->profile.size();
}

rnpu_status rnpu_session_profile(const rnpu_session* s, size_t index, rnpu_op_profile* out) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(out, "out")) return on(s, st);
  std::lock_guard lock(s->results_mu);
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
  return s ? s->exec().decisions().size() : 0;
}

rnpu_status rnpu_session_partition(const rnpu_session* s, size_t index,
                                   rnpu_partition_decision* out) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(out, "out")) return on(s, st);
  const auto& r = s->exec().decisions();
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
  return s ? s->exec().arena_bytes() : 0;
}

rnpu_status rnpu_session_save_compiled(const rnpu_session* s, const char* path) {
  if (!s) return bad_arg("session is NULL");
  if (!path) return on(s, bad_arg("path is NULL"));
  return on(s, guard([&] { s->core->save_compiled(path); }));
}

size_t rnpu_session_programs_loaded(const rnpu_session* s) {
  return s ? s->exec().programs_loaded() : 0;
}

// API 1.1: sequence and optional values.

static rnpu_status value_kind(const rnpu_session* s, size_t index, rnpu_value_kind* kind,
                              bool input) {
  if (!s) return bad_arg("session is NULL");
  if (!kind) return on(s, bad_arg("kind is NULL"));
  const auto& list = input ? s->exec().inputs() : s->exec().outputs();
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
    if (d.dtype == RNPU_DTYPE_UNDEFINED && index < s->exec().inputs().size())
      dt = s->exec().inputs()[index].dtype;
    views[k].dtype = dt;
    views[k].shape.assign(d.dims, d.dims + d.rank);
    views[k].data = d.data;
    views[k].size = d.size;
  }
  return on(s, guard([&] {
              s->exec().set_input_sequence(index, std::span<const rnpu::TensorView>(views));
            }));
}

rnpu_status rnpu_session_set_input_absent(rnpu_session* s, size_t index) {
  if (!s) return bad_arg("session is NULL");
  return on(s, guard([&] { s->exec().set_input_absent(index); }));
}

rnpu_status rnpu_session_output_has_element(const rnpu_session* s, size_t index, int* present) {
  if (!s) return bad_arg("session is NULL");
  if (!present) return on(s, bad_arg("present is NULL"));
  return on(s, guard([&] { *present = s->exec().output_has_element(index) ? 1 : 0; }));
}

rnpu_status rnpu_session_output_count_elements(const rnpu_session* s, size_t index, size_t* count) {
  if (!s) return bad_arg("session is NULL");
  if (!count) return on(s, bad_arg("count is NULL"));
  return on(s, guard([&] { *count = s->exec().output_sequence_length(index); }));
}

rnpu_status rnpu_session_get_output_element(const rnpu_session* s, size_t index, size_t position,
                                            rnpu_tensor_info* info, const void** data,
                                            size_t* size) {
  if (!s) return bad_arg("session is NULL");
  if (info)  // optional
    if (rnpu_status st = check_out(info, "info")) return on(s, st);
  rnpu::TensorView v;
  if (rnpu_status st = guard([&] { v = s->exec().output_element(index, position); }))
    return on(s, st);
  if (info)
    if (rnpu_status st = fill_tensor(s->exec().outputs()[index].name, v.dtype, v.shape, info))
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
              s->exec().set_input_strings(index, v, std::span<const int64_t>(shape, rank));
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
  if (rnpu_status st = guard([&] { v = s->exec().output_strings(index, &shape); }))
    return on(s, st);
  *count = v->size();
  if (info)
    if (rnpu_status st =
            fill_tensor(s->exec().outputs()[index].name, rnpu::DataType::kString, shape, info))
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
  if (rnpu_status st = guard([&] { v = s->exec().output_strings(index, nullptr); }))
    return on(s, st);
  if (position >= v->size())
    return on(s, bad_arg("string element " + std::to_string(position) + " out of range (" +
                         std::to_string(v->size()) + " elements)"));
  *data = (*v)[position].c_str();
  *length = (*v)[position].size();
  return RNPU_OK;
}

// API 1.2: what the header-only C++ API needs beyond 1.1.

// (Type and kind names: c_api_types.cc.)

rnpu_status rnpu_options_set_reference_kernels(rnpu_options* opts, int enable) {
  if (!opts) return bad_arg("options is NULL");
  opts->o.reference_kernels = enable != 0;
  return RNPU_OK;
}

static rnpu_status dim_name(const rnpu_session* s, size_t index, uint32_t dim, const char** name,
                            bool input) {
  if (!s) return bad_arg("session is NULL");
  if (!name) return on(s, bad_arg("name is NULL"));
  const auto& list = input ? s->exec().inputs() : s->exec().outputs();
  if (index >= list.size())
    return on(s, bad_arg(input ? "input index out of range" : "output index out of range"));
  const rnpu::TensorInfo& t = list[index];
  if (dim >= t.dim_names.size())
    return on(s, bad_arg("dim " + std::to_string(dim) + " of '" + t.name + "' out of range (rank " +
                         std::to_string(t.shape.size()) + ")"));
  *name = t.dim_names[dim].c_str();
  return RNPU_OK;
}

rnpu_status rnpu_session_input_dim_name(const rnpu_session* s, size_t index, uint32_t dim,
                                        const char** name) {
  return dim_name(s, index, dim, name, true);
}

rnpu_status rnpu_session_output_dim_name(const rnpu_session* s, size_t index, uint32_t dim,
                                         const char** name) {
  return dim_name(s, index, dim, name, false);
}

rnpu_status rnpu_session_compiled_bytes(const rnpu_session* s, void** data, size_t* size) {
  if (!s) return bad_arg("session is NULL");
  if (!data || !size) return on(s, bad_arg("data or size is NULL"));
  *data = nullptr;
  *size = 0;
  return on(s, guard([&] {
              std::vector<uint8_t> b = s->core->compiled_bytes();
              // malloc: rnpu_free is free().  An artifact is never empty
              // (it has a header); malloc(0) may return NULL, so ask for 1.
              void* p = std::malloc(b.empty() ? 1 : b.size());
              if (!p) throw std::bad_alloc();
              std::memcpy(p, b.data(), b.size());
              *data = p;
              *size = b.size();
            }));
}

void rnpu_free(void* data) {
  std::free(data);
}

size_t rnpu_session_npu_report_count(const rnpu_session* s) {
  if (!s) return 0;
  std::lock_guard lock(s->results_mu);
  return s->npu_reports.size();
}

rnpu_status rnpu_session_npu_report(const rnpu_session* s, size_t index, rnpu_npu_report* out) {
  if (!s) return bad_arg("session is NULL");
  if (rnpu_status st = check_out(out, "out")) return on(s, st);
  std::lock_guard lock(s->results_mu);
  if (index >= s->npu_reports.size())
    return on(s, bad_arg("npu report index " + std::to_string(index) + " out of range (" +
                         std::to_string(s->npu_reports.size()) + " reports)"));
  const rnpu::NpuReport& r = s->npu_reports[index];
  rnpu_npu_report full{};
  full.backend = r.backend.c_str();
  full.cycles = r.cycles;
  full.macs = r.macs;
  full.dram_bytes = r.dram_bytes;
  full.sram_bytes = r.sram_bytes;
  full.compulsory_bytes = r.compulsory_bytes;
  full.compute_bound_cycles = r.compute_bound_cycles;
  full.memory_bound_cycles = r.memory_bound_cycles;
  full.peak_macs_per_cycle = r.peak_macs_per_cycle;
  full.freq_hz = r.freq_hz;
  full.commands = r.commands;
  write_out(out, full);
  return RNPU_OK;
}
