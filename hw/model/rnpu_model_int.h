/* SPDX-License-Identifier: MIT */
/*
 * Internals of the golden model, shared by its source files only.
 *
 * The model is plain C11 with libc and libm: no globals, no printing, no
 * aborts.  Everything it knows about a stream comes from a validated copy
 * of each command (struct cmd), so the executing code never re-checks the
 * encoding and never sees an unchecked size.
 */
#ifndef RNPU_MODEL_INT_H
#define RNPU_MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rnpu_model.h"

/*
 * The numerics are defined without fused multiply-add (hw/SPEC.md): keep
 * compilers from contracting a * b + c on hosts that have FMA.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* Largest tensor one command may name, in elements (hw/SPEC.md). */
#define RNPU_MAX_TENSOR_ELEMS	(1u << 24)
/* Top of the device VA space. */
#define RNPU_VA_LIMIT		(1ull << RNPU_VA_BITS)

struct rnpu_model {
	struct rnpu_model_config cfg;
	uint8_t *sram;
	uint64_t sram_bytes;
};

/* One validated command, copied out of the (possibly unaligned) stream. */
struct cmd {
	uint32_t offset;
	uint16_t opcode;
	union {
		struct rnpu_cmd_dma dma;
		struct rnpu_cmd_conv2d conv;
		struct rnpu_cmd_matmul mm;
		struct rnpu_cmd_eltwise elt;
		struct rnpu_cmd_act act;
		struct rnpu_cmd_pool pool;
		struct rnpu_cmd_softmax sm;
		struct rnpu_cmd_layernorm ln;
		struct rnpu_cmd_resize rs;
	} u;
};

/* Stream decoding (rnpu_model_validate.c). */
struct decoder {
	const uint8_t *base;
	uint32_t total;
	uint32_t num_cmds;
	uint32_t pos;		/* offset of the next command */
	uint32_t index;		/* index of the next command */
	uint64_t sram_end;	/* end of the SRAM window accepted */
	struct rnpu_model_result *res;
};

enum rnpu_model_status dec_header(struct decoder *d, const void *stream,
				  size_t len, uint64_t sram_bytes,
				  struct rnpu_model_result *res);
/* Next command into c; returns RNPU_MS_OK, an error, or RNPU_MS_COUNT at the end. */
enum rnpu_model_status dec_next(struct decoder *d, struct cmd *c);
enum rnpu_model_status set_error(struct rnpu_model_result *res,
				 enum rnpu_model_status st, uint64_t va,
				 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Numbers (rnpu_model_fp16.c). */
uint16_t f64_to_f16(double v);
double f16_to_f64(uint16_t h);
float bits_f32(uint32_t b);
uint32_t dtype_size(uint8_t dtype);
bool dtype_quantized(uint8_t dtype);	/* INT8, UINT8 */
bool dtype_integer(uint8_t dtype);	/* INT8, UINT8, INT32 */

/* Execution context of one run. */
struct exec {
	struct rnpu_model *m;
	const struct rnpu_mem_ops *mem;
	struct rnpu_model_result *res;
};

/* A tensor brought into host memory as dense row-major elements. */
struct dense {
	const struct rnpu_tensor_desc *td;
	uint64_t n;		/* elements */
	uint32_t esize;
	uint8_t *data;		/* n * esize bytes */
	float *ch_scale;	/* per-channel scales, or NULL */
	uint64_t ch_inner;	/* elements per step of the channel axis */
	uint32_t ch_dim;
};

uint64_t td_elems(const struct rnpu_tensor_desc *td);
/* Read a tensor (and its per-channel scales) into d.  Returns status. */
enum rnpu_model_status dense_load(struct exec *e, const struct rnpu_tensor_desc *td,
				  struct dense *d);
/* Allocate an output buffer shaped like td (and read its scales). */
enum rnpu_model_status dense_alloc(struct exec *e, const struct rnpu_tensor_desc *td,
				   struct dense *d);
enum rnpu_model_status dense_store(struct exec *e, const struct dense *d);
void dense_free(struct dense *d);

double dense_real(const struct dense *d, uint64_t i);
int64_t dense_int(const struct dense *d, uint64_t i);	/* q - zp, integer types */
double dense_scale(const struct dense *d, uint64_t i);
void dense_put(struct dense *d, uint64_t i, double v);

/* Ops (rnpu_model_mac.c, rnpu_model_vec.c, rnpu_model_resize.c). */
enum rnpu_model_status exec_dma(struct exec *e, const struct rnpu_cmd_dma *c);
enum rnpu_model_status exec_conv(struct exec *e, const struct rnpu_cmd_conv2d *c);
enum rnpu_model_status exec_matmul(struct exec *e, const struct rnpu_cmd_matmul *c);
enum rnpu_model_status exec_eltwise(struct exec *e, const struct rnpu_cmd_eltwise *c);
enum rnpu_model_status exec_act(struct exec *e, const struct rnpu_cmd_act *c);
enum rnpu_model_status exec_pool(struct exec *e, const struct rnpu_cmd_pool *c);
enum rnpu_model_status exec_softmax(struct exec *e, const struct rnpu_cmd_softmax *c);
enum rnpu_model_status exec_layernorm(struct exec *e, const struct rnpu_cmd_layernorm *c);
enum rnpu_model_status exec_resize(struct exec *e, const struct rnpu_cmd_resize *c);

double apply_act(const struct rnpu_act_params *a, double x);

/* Timing (rnpu_model_timing.c). */
void cmd_cost(const struct rnpu_model_config *cfg, const struct cmd *c,
	      struct rnpu_cmd_cost *cost, uint64_t *dram_rd, uint64_t *dram_wr);

#endif /* RNPU_MODEL_INT_H */
