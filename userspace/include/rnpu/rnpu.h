/*
 * librnpu stable C API.
 *
 * ABI rules (docs/userspace.md, "C API and ABI"):
 *  - every handle is opaque; enum values are never renumbered, only
 *    appended; functions are only ever added, each under the version node of
 *    the API minor version that added it (librnpu.so exports nothing else:
 *    `rnpu_*` C functions under RNPU_1.0, RNPU_1.1 and RNPU_1.2).  The C++
 *    API (rnpu.hpp) is a header-only layer over these functions.
 *  - every struct carries its own size in its first member, `struct_size`,
 *    which the caller sets to sizeof() of the struct as its header declares
 *    it.  Fields are only appended.  The library reads and writes only the
 *    bytes [0, struct_size) the caller's size covers:
 *      * a size below the struct's RNPU_*_MIN_SIZE (its first published
 *        layout) is RNPU_ERR_INVALID_ARGUMENT and nothing is written;
 *      * an older caller (a smaller size, a prefix of today's struct) gets
 *        the fields its size covers and nothing past them;
 *      * a newer caller (a size larger than this library's struct) is
 *        accepted: the bytes past this library's struct are left untouched
 *        in structs the library fills (outputs) and must be zero in structs
 *        the caller fills (inputs: RNPU_ERR_UNSUPPORTED otherwise, since the
 *        caller asks for a field this library does not know).
 *  - RNPU_MAX_RANK (16) is the IR's rank limit; no rank is ever truncated:
 *    a tensor whose rank does not fit the caller's struct is an error.
 * All functions are thread-safe for distinct sessions; calls on one session
 * serialise internally.
 *
 * Errors: every function returns an rnpu_status.  On failure the details
 * (message, node name, op type, reason, and for unsupported ops the backend
 * that would take the op) are kept per thread (rnpu_last_error()) and, for
 * calls on a session and its asynchronous runs, per session
 * (rnpu_session_last_error()).  The message always names the node, the op
 * and the reason when the error concerns a node.
 */
#ifndef RNPU_RNPU_H
#define RNPU_RNPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define RNPU_EXPORT
#else
#define RNPU_EXPORT __attribute__((visibility("default")))
#endif

/* The API this header declares.  Minor versions only add (functions, enum
 * values, appended struct fields); the library's is rnpu_api_version(). */
#define RNPU_API_VERSION_MAJOR 1
#define RNPU_API_VERSION_MINOR 2
#define RNPU_MAKE_API_VERSION(major, minor) (((uint32_t)(major) << 16) | (uint32_t)(minor))
#define RNPU_API_VERSION RNPU_MAKE_API_VERSION(RNPU_API_VERSION_MAJOR, RNPU_API_VERSION_MINOR)
#define RNPU_API_VERSION_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define RNPU_API_VERSION_MINOR_OF(v) ((uint32_t)(v) & 0xffffu)

typedef enum rnpu_status {
	RNPU_OK = 0,
	RNPU_ERR_INVALID_ARGUMENT = 1, /* bad handle, index, name or size */
	RNPU_ERR_MALFORMED_MODEL = 2,  /* protobuf, graph or attribute is invalid */
	RNPU_ERR_UNSUPPORTED_OP = 3,   /* no enabled backend runs this op */
	RNPU_ERR_SHAPE_MISMATCH = 4,   /* input/output shape or size differs */
	RNPU_ERR_DEVICE = 5,           /* backend device failed (fault, reset, timeout) */
	RNPU_ERR_OUT_OF_MEMORY = 6,
	RNPU_ERR_IO = 7,               /* file not found / unreadable */
	RNPU_ERR_BACKEND_UNAVAILABLE = 8, /* a required backend is absent here */
	RNPU_ERR_RUNTIME = 9,          /* an op failed while running */
	RNPU_ERR_INTERNAL = 10,
	RNPU_ERR_UNSUPPORTED = 11, /* API 1.0: the caller uses something this library
				    * version lacks (a non-zero field past its struct) */
} rnpu_status;

typedef enum rnpu_dtype {
	/* Numbering follows ONNX TensorProto.DataType. */
	RNPU_DTYPE_UNDEFINED = 0,
	RNPU_DTYPE_FLOAT32 = 1,
	RNPU_DTYPE_UINT8 = 2,
	RNPU_DTYPE_INT8 = 3,
	RNPU_DTYPE_UINT16 = 4,
	RNPU_DTYPE_INT16 = 5,
	RNPU_DTYPE_INT32 = 6,
	RNPU_DTYPE_INT64 = 7,
	RNPU_DTYPE_STRING = 8,
	RNPU_DTYPE_BOOL = 9,
	RNPU_DTYPE_FLOAT16 = 10,
	RNPU_DTYPE_FLOAT64 = 11,
	RNPU_DTYPE_UINT32 = 12,
	RNPU_DTYPE_UINT64 = 13,
	RNPU_DTYPE_BFLOAT16 = 16,
	/* API 1.2 (ONNX opsets 19 and 21): one byte per element in memory,
	 * int4/uint4 too (sign-extended int4 in an int8, uint4 in a uint8). */
	RNPU_DTYPE_FLOAT8E4M3FN = 17,
	RNPU_DTYPE_FLOAT8E4M3FNUZ = 18,
	RNPU_DTYPE_FLOAT8E5M2 = 19,
	RNPU_DTYPE_FLOAT8E5M2FNUZ = 20,
	RNPU_DTYPE_UINT4 = 21,
	RNPU_DTYPE_INT4 = 22,
} rnpu_dtype;

/* The IR's rank limit.  API 0.1 had 8 (rnpu_tensor_info.dims[8]); 1.0 grew
 * dims to 16 at the end of the struct, so a 0.1 caller's struct is a prefix
 * and keeps working for tensors of rank <= 8. */
#define RNPU_MAX_RANK 16

typedef struct rnpu_options rnpu_options;
typedef struct rnpu_session rnpu_session;

/* Details of the calling thread's last failure.  Strings stay valid until
 * the next failing rnpu_* call on the same thread. */
typedef struct rnpu_error_info {
	size_t struct_size; /* sizeof(rnpu_error_info); >= RNPU_ERROR_INFO_MIN_SIZE */
	rnpu_status status;
	const char *message;      /* full text, e.g. "node 'conv1' (Conv): ..." */
	const char *node;         /* "" when not about a node */
	const char *op;           /* "" when not about a node */
	const char *reason;       /* the cause without the node prefix */
	const char *backend_hint; /* unsupported op: a backend that would take it, or "" */
} rnpu_error_info;

/* Filled by the library.  A struct_size that covers only the first k
 * elements of dims (k = 8 for API 0.1 callers) takes tensors of rank <= k;
 * a larger rank is RNPU_ERR_INVALID_ARGUMENT, never truncated. */
typedef struct rnpu_tensor_info {
	size_t struct_size; /* sizeof(rnpu_tensor_info); >= RNPU_TENSOR_INFO_MIN_SIZE */
	const char *name;   /* valid while the session lives */
	rnpu_dtype dtype;
	uint32_t rank;
	int64_t dims[RNPU_MAX_RANK]; /* -1 for a dimension known only at run time */
} rnpu_tensor_info;

typedef struct rnpu_op_profile {
	size_t struct_size; /* sizeof(rnpu_op_profile); >= RNPU_OP_PROFILE_MIN_SIZE */
	const char *node;
	const char *op;
	const char *backend;
	uint64_t time_ns;
	uint64_t cycles; /* modelled NPU cycles; 0 for backends without a model */
} rnpu_op_profile;

typedef struct rnpu_partition_decision {
	size_t struct_size; /* sizeof(rnpu_partition_decision); >= RNPU_PARTITION_DECISION_MIN_SIZE */
	const char *node;
	const char *op;
	const char *backend;
	const char *reason; /* e.g. "npu: dtype float64 unsupported -> cpu" */
} rnpu_partition_decision;

/* Filled by the caller (rnpu_session_set_input_desc, API 1.0).  Bytes past
 * this library's struct must be zero (RNPU_ERR_UNSUPPORTED otherwise). */
typedef struct rnpu_input_desc {
	size_t struct_size; /* sizeof(rnpu_input_desc); >= RNPU_INPUT_DESC_MIN_SIZE */
	const void *data;   /* caller-owned, as for rnpu_session_set_input */
	size_t size;        /* bytes */
	const int64_t *dims;
	uint32_t rank;
	rnpu_dtype dtype; /* RNPU_DTYPE_UNDEFINED: not checked; else must be the input's */
} rnpu_input_desc;

/* The smallest struct_size each struct takes: its first published layout
 * (rnpu_input_desc: API 1.0; the others: API 0.1, whose rnpu_tensor_info had
 * 8 dims).  Sizes between the minimum and sizeof() are older callers. */
#define RNPU_ERROR_INFO_MIN_SIZE (offsetof(rnpu_error_info, backend_hint) + sizeof(const char *))
#define RNPU_TENSOR_INFO_MIN_SIZE (offsetof(rnpu_tensor_info, dims) + 8 * sizeof(int64_t))
#define RNPU_OP_PROFILE_MIN_SIZE (offsetof(rnpu_op_profile, cycles) + sizeof(uint64_t))
#define RNPU_PARTITION_DECISION_MIN_SIZE \
	(offsetof(rnpu_partition_decision, reason) + sizeof(const char *))
#define RNPU_INPUT_DESC_MIN_SIZE (offsetof(rnpu_input_desc, dtype) + sizeof(rnpu_dtype))

/* Library */
RNPU_EXPORT const char *rnpu_version(void);
/* The library's API version, RNPU_MAKE_API_VERSION(major, minor) (API 1.0);
 * major and minor, when not NULL, receive its parts.  A caller built against
 * a newer minor may use only what rnpu_api_version() says is there. */
RNPU_EXPORT uint32_t rnpu_api_version(uint32_t *major, uint32_t *minor);
RNPU_EXPORT const char *rnpu_status_string(rnpu_status s);
/* Returns the status of the last failure on this thread (RNPU_OK when none)
 * and fills *info when info is not NULL and its struct_size is at least
 * RNPU_ERROR_INFO_MIN_SIZE.  Successful calls leave it in place. */
RNPU_EXPORT rnpu_status rnpu_last_error(rnpu_error_info *info);
/* Number of registered backends and their descriptions (for `rnpu info`). */
RNPU_EXPORT size_t rnpu_backend_count(void);
RNPU_EXPORT rnpu_status rnpu_backend_info(size_t index, const char **name, int *available,
					  const char **description);

/* Options */
RNPU_EXPORT rnpu_status rnpu_options_create(rnpu_options **out);
RNPU_EXPORT void rnpu_options_destroy(rnpu_options *opts);
/* Comma-separated preference list ("npu,vulkan,cpu") or "auto" (the default). */
RNPU_EXPORT rnpu_status rnpu_options_set_backends(rnpu_options *opts, const char *list);
/* When 0, an op the preferred backends cannot run is an error instead of
 * falling back to the next backend that can (default 1). */
RNPU_EXPORT rnpu_status rnpu_options_set_fallback(rnpu_options *opts, int allow);
/* 0 picks the number of online CPUs. */
RNPU_EXPORT rnpu_status rnpu_options_set_threads(rnpu_options *opts, int threads);
RNPU_EXPORT rnpu_status rnpu_options_set_profiling(rnpu_options *opts, int enable);
/* 0: no graph optimisation (import + shape inference only); 1: all (default). */
RNPU_EXPORT rnpu_status rnpu_options_set_optimization(rnpu_options *opts, int level);

/* Sessions: a loaded, partitioned and compiled model with its memory plan. */
RNPU_EXPORT rnpu_status rnpu_session_create_from_file(const char *path, const rnpu_options *opts,
						      rnpu_session **out);
RNPU_EXPORT rnpu_status rnpu_session_create_from_memory(const void *data, size_t size,
							const rnpu_options *opts,
							rnpu_session **out);
/* Waits for a pending asynchronous run, then frees everything. */
RNPU_EXPORT void rnpu_session_destroy(rnpu_session *s);

RNPU_EXPORT size_t rnpu_session_input_count(const rnpu_session *s);
RNPU_EXPORT size_t rnpu_session_output_count(const rnpu_session *s);
RNPU_EXPORT rnpu_status rnpu_session_input_info(const rnpu_session *s, size_t index,
						rnpu_tensor_info *info);
RNPU_EXPORT rnpu_status rnpu_session_output_info(const rnpu_session *s, size_t index,
						 rnpu_tensor_info *info);
/* Index of the named input/output, or RNPU_ERR_INVALID_ARGUMENT. */
RNPU_EXPORT rnpu_status rnpu_session_find_input(const rnpu_session *s, const char *name,
						size_t *index);
RNPU_EXPORT rnpu_status rnpu_session_find_output(const rnpu_session *s, const char *name,
						 size_t *index);

/* Binds caller-owned input memory (not copied; must stay valid and unchanged
 * until the run that uses it completes).  `dims` gives the actual shape; it
 * must match the model's static dimensions and fixes its dynamic ones.
 * `size` is the buffer size in bytes and must equal the tensor's size. */
RNPU_EXPORT rnpu_status rnpu_session_set_input(rnpu_session *s, size_t index, const void *data,
					       size_t size, const int64_t *dims, uint32_t rank);
/* rnpu_session_set_input from a descriptor, which also checks the element
 * type when desc->dtype is set (API 1.0). */
RNPU_EXPORT rnpu_status rnpu_session_set_input_desc(rnpu_session *s, size_t index,
						    const rnpu_input_desc *desc);
/* Binds caller-owned output memory: results are written there directly.
 * Without a binding, results live in session memory (rnpu_session_get_output).
 * Passing data == NULL removes the binding. */
RNPU_EXPORT rnpu_status rnpu_session_set_output(rnpu_session *s, size_t index, void *data,
						size_t size);

RNPU_EXPORT rnpu_status rnpu_session_run(rnpu_session *s);

typedef void (*rnpu_run_callback)(rnpu_session *s, rnpu_status status, void *user);
/* Starts a run and returns at once; `cb` is called from another thread when
 * it finishes (rnpu_last_error() in the callback gives the details).  One run
 * at a time per session: RNPU_ERR_INVALID_ARGUMENT while one is pending.
 * While it runs, other calls on the session block until it completes.  The
 * callback may start the next run, but must not call rnpu_session_wait or
 * rnpu_session_destroy on its own session. */
RNPU_EXPORT rnpu_status rnpu_session_run_async(rnpu_session *s, rnpu_run_callback cb, void *user);
/* Blocks until the pending asynchronous run (if any) has finished and
 * returns its status; a failure is also the waiting thread's last error. */
RNPU_EXPORT rnpu_status rnpu_session_wait(rnpu_session *s);

/* The last failure of a call on this session or of one of its asynchronous
 * runs, from whichever thread (API 1.0): returns its status (RNPU_OK when
 * none) and fills *info as rnpu_last_error does.  The strings are a copy
 * that stays valid until the calling thread's next rnpu_session_last_error
 * call.  A NULL session is RNPU_ERR_INVALID_ARGUMENT. */
RNPU_EXPORT rnpu_status rnpu_session_last_error(const rnpu_session *s, rnpu_error_info *info);

/* Pipelined runs (rnpu::Session::submit/collect): submit starts a run with
 * the current inputs, which may be overwritten as soon as it returns;
 * collect completes the oldest submitted run and makes its outputs
 * current.  Up to rnpu_session_pipeline_depth() runs may be submitted before
 * collecting (2 when the model's last partition runs on the npu backend:
 * the host prepares run N+1 while the device computes run N). */
RNPU_EXPORT rnpu_status rnpu_session_submit(rnpu_session *s);
RNPU_EXPORT rnpu_status rnpu_session_collect(rnpu_session *s);
RNPU_EXPORT size_t rnpu_session_pipeline_depth(const rnpu_session *s);

/* The last run's output: shape, type and a pointer valid until the next run
 * (or the caller's buffer when one is bound). */
RNPU_EXPORT rnpu_status rnpu_session_get_output(const rnpu_session *s, size_t index,
						rnpu_tensor_info *info, const void **data,
						size_t *size);

/* Per-op profile of the last run (needs rnpu_options_set_profiling). */
RNPU_EXPORT size_t rnpu_session_profile_count(const rnpu_session *s);
RNPU_EXPORT rnpu_status rnpu_session_profile(const rnpu_session *s, size_t index,
					     rnpu_op_profile *out);
/* Which backend runs each node, and why. */
RNPU_EXPORT size_t rnpu_session_partition_count(const rnpu_session *s);
RNPU_EXPORT rnpu_status rnpu_session_partition(const rnpu_session *s, size_t index,
					       rnpu_partition_decision *out);
/* Bytes of the session arena: the planned intermediates and the backends'
 * stated working memory of a run (docs/userspace.md, "Memory planning"). */
RNPU_EXPORT size_t rnpu_session_arena_bytes(const rnpu_session *s);

/*
 * Compiled artifacts: write the session's compiled form (model, options and
 * NPU programs) to path; rnpu_session_create_from_file() loads it back
 * without compiling the NPU partitions again.
 */
RNPU_EXPORT rnpu_status rnpu_session_save_compiled(const rnpu_session *s, const char *path);
/* Partitions whose programs were loaded from an artifact. */
RNPU_EXPORT size_t rnpu_session_programs_loaded(const rnpu_session *s);

/*
 * Sequence and optional values (API 1.1).  An input or output may be a
 * sequence of tensors (one element type, shapes may differ) or an optional
 * tensor or sequence, which may hold no element.  rnpu_session_input_info /
 * rnpu_session_output_info describe the element (type, and the shape common
 * to all elements where the model says it).  rnpu_session_get_output reads
 * tensors and present optional tensors; rnpu_session_set_output binds
 * tensor outputs only.
 */
typedef enum rnpu_value_kind {
	RNPU_VALUE_TENSOR = 0,
	RNPU_VALUE_SEQUENCE = 1,
	RNPU_VALUE_OPTIONAL_TENSOR = 2,
	RNPU_VALUE_OPTIONAL_SEQUENCE = 3,
} rnpu_value_kind;

RNPU_EXPORT rnpu_status rnpu_session_input_kind(const rnpu_session *s, size_t index,
						rnpu_value_kind *kind);
RNPU_EXPORT rnpu_status rnpu_session_output_kind(const rnpu_session *s, size_t index,
						 rnpu_value_kind *kind);
/* Binds a sequence input (or a present optional sequence): count elements,
 * each described as for rnpu_session_set_input_desc (caller-owned, used in
 * place until the run completes; dtype checked when set).  count may be 0. */
RNPU_EXPORT rnpu_status rnpu_session_set_input_sequence(rnpu_session *s, size_t index,
							const rnpu_input_desc *const *elements,
							size_t count);
/* Binds an optional input as holding no element. */
RNPU_EXPORT rnpu_status rnpu_session_set_input_absent(rnpu_session *s, size_t index);
/* The last run's output: *present is 0 for an optional without element, 1
 * otherwise. */
RNPU_EXPORT rnpu_status rnpu_session_output_has_element(const rnpu_session *s, size_t index,
							int *present);
/* Number of elements of a sequence output (or a present optional sequence). */
RNPU_EXPORT rnpu_status rnpu_session_output_count_elements(const rnpu_session *s, size_t index,
							   size_t *count);
/* Element `position` of a sequence output, as rnpu_session_get_output gives
 * a tensor: info (may be NULL) is filled with the element's type and shape
 * and the output's name; *data stays valid until the next run. */
RNPU_EXPORT rnpu_status rnpu_session_get_output_element(const rnpu_session *s, size_t index,
							size_t position, rnpu_tensor_info *info,
							const void **data, size_t *size);

/*
 * String tensors (API 1.1): ONNX STRING, element type 8.  Elements are byte
 * strings (ops that interpret characters require UTF-8); they are copied
 * when bound.  rnpu_session_set_input / rnpu_session_get_output refuse
 * string values with RNPU_ERR_INVALID_ARGUMENT.
 */
/* Binds string input `index` of shape[rank] (its dims' product is count):
 * elements[i] of lengths[i] bytes, or NUL-terminated when lengths is NULL. */
RNPU_EXPORT rnpu_status rnpu_session_set_input_strings(rnpu_session *s, size_t index,
						       const char *const *elements,
						       const size_t *lengths, size_t count,
						       const int64_t *shape, size_t rank);
/* The last run's string output `index`: info (may be NULL) gets its type
 * and shape and the output's name, *count its number of elements. */
RNPU_EXPORT rnpu_status rnpu_session_get_output_strings(const rnpu_session *s, size_t index,
							rnpu_tensor_info *info, size_t *count);
/* Element `position` of a string output: *data (not NUL-terminated where
 * the element holds NUL bytes; one is always appended) of *length bytes,
 * valid until the next run. */
RNPU_EXPORT rnpu_status rnpu_session_get_output_string(const rnpu_session *s, size_t index,
						       size_t position, const char **data,
						       size_t *length);

/*
 * API 1.2: what the C++ API (rnpu.hpp, header-only over this header) needs
 * beyond 1.1, the processed graph for tools, and the NPU devices.
 */

/* Element size in bytes (0 for undefined and string) and name ("float32",
 * ...; "undefined" for a number that is no type). */
RNPU_EXPORT size_t rnpu_dtype_size(rnpu_dtype t);
RNPU_EXPORT const char *rnpu_dtype_name(rnpu_dtype t);
/* "tensor", "sequence", "optional(tensor)", "optional(sequence)"; "unknown"
 * for a number that is no kind. */
RNPU_EXPORT const char *rnpu_value_kind_name(rnpu_value_kind k);

/* Plain reference kernels: no graph rewrites (as optimisation level 0) and
 * every backend compiles its reference path (cpu: no XNNPACK, no fast
 * path); backends without one are unaffected.  Slow; default 0. */
RNPU_EXPORT rnpu_status rnpu_options_set_reference_kernels(rnpu_options *opts, int enable);

/* The symbolic name (ONNX dim_param) of dimension `dim` of an input or
 * output, "" when it has none; valid while the session lives.  dim must be
 * below the rank rnpu_session_input_info gives. */
RNPU_EXPORT rnpu_status rnpu_session_input_dim_name(const rnpu_session *s, size_t index,
						    uint32_t dim, const char **name);
RNPU_EXPORT rnpu_status rnpu_session_output_dim_name(const rnpu_session *s, size_t index,
						     uint32_t dim, const char **name);

/* The compiled artifact rnpu_session_save_compiled writes, in memory:
 * *data (free it with rnpu_free) of *size bytes. */
RNPU_EXPORT rnpu_status rnpu_session_compiled_bytes(const rnpu_session *s, void **data,
						    size_t *size);
/* Frees memory the library allocated for the caller; NULL is ignored. */
RNPU_EXPORT void rnpu_free(void *data);

/* Modelled NPU totals of the last run over one NPU partition (sim or npu
 * backend) and its roofline bound from the device's capabilities:
 * max(compute_bound_cycles, memory_bound_cycles). */
typedef struct rnpu_npu_report {
	size_t struct_size; /* sizeof(rnpu_npu_report); >= RNPU_NPU_REPORT_MIN_SIZE */
	const char *backend;
	uint64_t cycles;
	uint64_t macs;
	uint64_t dram_bytes;
	uint64_t sram_bytes;
	uint64_t compulsory_bytes; /* weights, inputs and outputs once */
	double compute_bound_cycles;
	double memory_bound_cycles;
	uint64_t peak_macs_per_cycle; /* int8; fp16 runs at half this rate */
	uint64_t freq_hz;             /* frequency the time is reported at */
	uint64_t commands;
} rnpu_npu_report;
#define RNPU_NPU_REPORT_MIN_SIZE (offsetof(rnpu_npu_report, commands) + sizeof(uint64_t))

/* One report per NPU partition of the last run; strings valid until the
 * next run. */
RNPU_EXPORT size_t rnpu_session_npu_report_count(const rnpu_session *s);
RNPU_EXPORT rnpu_status rnpu_session_npu_report(const rnpu_session *s, size_t index,
						rnpu_npu_report *out);

/*
 * The processed graph: the model as the session runs it, after librnpu's
 * passes (fusions, layout changes, folded constants), for tools such as
 * `rnpu inspect`.  Nodes and values are numbered from 0; everything stays
 * valid while the session lives.
 */
#define RNPU_GRAPH_NO_VALUE ((size_t)-1) /* an omitted optional node input/output */

typedef struct rnpu_graph_info {
	size_t struct_size; /* sizeof(rnpu_graph_info); >= RNPU_GRAPH_INFO_MIN_SIZE */
	size_t node_count;  /* nodes that run, in graph order */
	size_t value_count;
	size_t input_count;
	const size_t *inputs; /* value numbers of the graph's inputs */
	size_t output_count;
	const size_t *outputs;
	size_t opset_count;
	const char *const *opset_domains; /* "" for ai.onnx */
	const int64_t *opset_versions;
} rnpu_graph_info;

/* rnpu_graph_node.flags and rnpu_graph_value.flags */
#define RNPU_GRAPH_NHWC 0x1u          /* 4-D activations in NHWC order */
#define RNPU_GRAPH_CONSTANT 0x2u      /* value: a weight or folded constant */
#define RNPU_GRAPH_QUANTIZED 0x4u     /* value: carries quantisation parameters */
#define RNPU_GRAPH_PER_CHANNEL 0x8u   /* value: ... one scale per channel */
#define RNPU_GRAPH_UNKNOWN_RANK 0x10u /* value: rank known only at run time */

typedef struct rnpu_graph_node {
	size_t struct_size; /* sizeof(rnpu_graph_node); >= RNPU_GRAPH_NODE_MIN_SIZE */
	const char *name;
	const char *op;         /* op type, e.g. "Conv" */
	const char *domain;     /* "" for ai.onnx */
	const char *backend;    /* the backend that runs it ("" when none does) */
	const char *activation; /* an activation fused into the node ("Relu"), or "" */
	uint32_t flags;
	size_t input_count;
	const size_t *inputs; /* value numbers, RNPU_GRAPH_NO_VALUE where omitted */
	size_t output_count;
	const size_t *outputs;
} rnpu_graph_node;

typedef struct rnpu_graph_value {
	size_t struct_size; /* sizeof(rnpu_graph_value); >= RNPU_GRAPH_VALUE_MIN_SIZE */
	const char *name;
	rnpu_dtype dtype; /* sequences and optionals: the element type */
	rnpu_value_kind kind;
	uint32_t flags;
	uint32_t rank;                /* 0 with RNPU_GRAPH_UNKNOWN_RANK */
	const int64_t *dims;          /* rank entries, -1 where known only at run time */
	const char *const *dim_names; /* rank entries: a dim's symbolic name, or "" */
	uint64_t constant_bytes;      /* RNPU_GRAPH_CONSTANT: its size */
} rnpu_graph_value;

#define RNPU_GRAPH_INFO_MIN_SIZE (offsetof(rnpu_graph_info, opset_versions) + sizeof(const int64_t *))
#define RNPU_GRAPH_NODE_MIN_SIZE (offsetof(rnpu_graph_node, outputs) + sizeof(const size_t *))
#define RNPU_GRAPH_VALUE_MIN_SIZE (offsetof(rnpu_graph_value, constant_bytes) + sizeof(uint64_t))

RNPU_EXPORT rnpu_status rnpu_session_graph(const rnpu_session *s, rnpu_graph_info *info);
RNPU_EXPORT rnpu_status rnpu_session_graph_node(const rnpu_session *s, size_t index,
						rnpu_graph_node *out);
RNPU_EXPORT rnpu_status rnpu_session_graph_value(const rnpu_session *s, size_t index,
						 rnpu_graph_value *out);

/*
 * NPU devices: the accel nodes (accel*) of a directory, each described as
 * far as it could be asked (DRM version, and the rnpu driver's parameters).
 * A list is a snapshot taken when it is created.
 */
typedef struct rnpu_device_list rnpu_device_list;

/* rnpu_device_info.have: the fields the device reported. */
#define RNPU_DEVICE_HAVE_DRIVER_VERSION (1u << 0)
#define RNPU_DEVICE_HAVE_PCI_ID (1u << 1)
#define RNPU_DEVICE_HAVE_HW_VERSION (1u << 2)
#define RNPU_DEVICE_HAVE_MAC_ARRAY (1u << 3) /* mac_rows and mac_cols */
#define RNPU_DEVICE_HAVE_VEC_LANES (1u << 4)
#define RNPU_DEVICE_HAVE_SRAM_SIZE (1u << 5)
#define RNPU_DEVICE_HAVE_CMD_VERSION (1u << 6)
#define RNPU_DEVICE_HAVE_NUM_CONTEXTS (1u << 7)
#define RNPU_DEVICE_HAVE_FREQ (1u << 8) /* freq_min_hz and freq_max_hz */
#define RNPU_DEVICE_HAVE_NUM_OPP (1u << 9)
#define RNPU_DEVICE_HAVE_DTYPES (1u << 10)
#define RNPU_DEVICE_HAVE_OPS (1u << 11)
#define RNPU_DEVICE_HAVE_RESETS (1u << 12)

typedef struct rnpu_device_info {
	size_t struct_size; /* sizeof(rnpu_device_info); >= RNPU_DEVICE_INFO_MIN_SIZE */
	const char *path;   /* e.g. "/dev/accel/accel0" */
	const char *driver; /* DRM driver name ("rnpu"), "" if it could not be asked */
	const char *error;  /* why the node could not be opened or queried, or "" */
	uint32_t have;      /* RNPU_DEVICE_HAVE_* */
	uint32_t driver_major, driver_minor, driver_patchlevel;
	uint32_t pci_vendor, pci_device;
	uint32_t hw_version; /* major << 16 | minor << 8 */
	uint32_t mac_rows, mac_cols, vec_lanes;
	uint32_t cmd_version, num_contexts, num_opp;
	uint64_t sram_size; /* bytes */
	uint64_t freq_min_hz, freq_max_hz;
	uint64_t dtypes, ops; /* capability bits (the command stream's) */
	uint64_t resets;      /* device resets since the driver loaded */
} rnpu_device_info;
#define RNPU_DEVICE_INFO_MIN_SIZE (offsetof(rnpu_device_info, resets) + sizeof(uint64_t))

/* Lists the accel nodes of dir (NULL: "/dev/accel"), sorted; a missing
 * directory gives an empty list. */
RNPU_EXPORT rnpu_status rnpu_device_list_create(const char *dir, rnpu_device_list **out);
RNPU_EXPORT void rnpu_device_list_destroy(rnpu_device_list *list);
RNPU_EXPORT size_t rnpu_device_count(const rnpu_device_list *list);
/* Strings valid while the list lives. */
RNPU_EXPORT rnpu_status rnpu_device_get_info(const rnpu_device_list *list, size_t index,
					     rnpu_device_info *info);

#ifdef __cplusplus
}
#endif

#endif /* RNPU_RNPU_H */
