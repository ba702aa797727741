/*
 * librnpu stable C API.
 *
 * ABI rules: every handle is opaque; every struct passed in carries its own
 * size in its first member (`struct_size`) so that fields can be appended
 * without breaking old callers; enum values are never renumbered; functions
 * are only ever added.  All functions are thread-safe for distinct sessions;
 * calls on one session serialise internally.
 *
 * Errors: every function returns an rnpu_status.  On failure the details
 * (message, node name, op type, reason, and for unsupported ops the backend
 * that would take the op) are kept per thread and read with
 * rnpu_last_error().  The message always names the node, the op and the
 * reason when the error concerns a node.
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

#define RNPU_API_VERSION_MAJOR 0
#define RNPU_API_VERSION_MINOR 1

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
} rnpu_dtype;

#define RNPU_MAX_RANK 8

typedef struct rnpu_options rnpu_options;
typedef struct rnpu_session rnpu_session;

/* Details of the calling thread's last failure.  Strings stay valid until
 * the next failing rnpu_* call on the same thread. */
typedef struct rnpu_error_info {
	size_t struct_size; /* set to sizeof(rnpu_error_info) */
	rnpu_status status;
	const char *message;      /* full text, e.g. "node 'conv1' (Conv): ..." */
	const char *node;         /* "" when not about a node */
	const char *op;           /* "" when not about a node */
	const char *reason;       /* the cause without the node prefix */
	const char *backend_hint; /* unsupported op: a backend that would take it, or "" */
} rnpu_error_info;

typedef struct rnpu_tensor_info {
	size_t struct_size; /* set to sizeof(rnpu_tensor_info) */
	const char *name;   /* valid while the session lives */
	rnpu_dtype dtype;
	uint32_t rank;
	int64_t dims[RNPU_MAX_RANK]; /* -1 for a dimension known only at run time */
} rnpu_tensor_info;

typedef struct rnpu_op_profile {
	size_t struct_size; /* set to sizeof(rnpu_op_profile) */
	const char *node;
	const char *op;
	const char *backend;
	uint64_t time_ns;
	uint64_t cycles; /* modelled NPU cycles; 0 for backends without a model */
} rnpu_op_profile;

typedef struct rnpu_partition_decision {
	size_t struct_size; /* set to sizeof(rnpu_partition_decision) */
	const char *node;
	const char *op;
	const char *backend;
	const char *reason; /* e.g. "npu: dtype float64 unsupported -> cpu" */
} rnpu_partition_decision;

/* Library */
RNPU_EXPORT const char *rnpu_version(void);
RNPU_EXPORT const char *rnpu_status_string(rnpu_status s);
/* Returns the status of the last failure on this thread and fills *info. */
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
 * returns its status. */
RNPU_EXPORT rnpu_status rnpu_session_wait(rnpu_session *s);

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
/* Peak bytes of the static intermediate-tensor arena. */
RNPU_EXPORT size_t rnpu_session_arena_bytes(const rnpu_session *s);

/*
 * Compiled artifacts: write the session's compiled form (model, options and
 * NPU programs) to path; rnpu_session_create_from_file() loads it back
 * without compiling the NPU partitions again.
 */
RNPU_EXPORT rnpu_status rnpu_session_save_compiled(const rnpu_session *s, const char *path);
/* Partitions whose programs were loaded from an artifact. */
RNPU_EXPORT size_t rnpu_session_programs_loaded(const rnpu_session *s);

#ifdef __cplusplus
}
#endif

#endif /* RNPU_RNPU_H */
