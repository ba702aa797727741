/* SPDX-License-Identifier: MIT */
/*
 * rnpu command-stream encoding (hw/SPEC.md, "Command stream").
 *
 * A stream is a header followed by commands.  Every command starts with a
 * struct rnpu_cmd_hdr whose size field covers the whole command, so a
 * decoder can skip or reject commands without knowing them.  All fields are
 * little-endian; all reserved fields must be zero (non-zero is
 * RNPU_ERR_INVALID_CMD, so they can be given meaning later).
 */
#ifndef RNPU_CMD_H
#define RNPU_CMD_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define RNPU_CS_MAGIC		0x53434e52u	/* bytes "RNCS" */
#define RNPU_CS_VERSION		1
#define RNPU_CS_MAX_SIZE	(16u << 20)	/* bytes per stream */
#define RNPU_MAX_RANK		4

struct rnpu_cs_header {
	uint32_t magic;		/* RNPU_CS_MAGIC */
	uint16_t version;	/* RNPU_CS_VERSION */
	uint16_t header_size;	/* sizeof(struct rnpu_cs_header) */
	uint32_t total_size;	/* header + commands, bytes */
	uint32_t num_cmds;
	uint32_t flags;		/* none defined; must be 0 */
	uint32_t reserved[3];
};

/* Data types: bit positions in RNPU_REG_CAP_DTYPES. */
enum rnpu_dtype {
	RNPU_DT_INVALID = 0,
	RNPU_DT_INT8 = 1,
	RNPU_DT_UINT8 = 2,
	RNPU_DT_INT32 = 3,	/* biases and DMA only */
	RNPU_DT_FP16 = 4,
	RNPU_DT_FP32 = 5,	/* biases, DMA and conversion only */
	RNPU_DT_COUNT
};

#define RNPU_TD_PER_CHANNEL	(1u << 0)	/* scales at qscale_va, one per q_axis index */

/*
 * Tensor descriptor.  Element (i0..i{rank-1}) lives at
 * va + sum(ik * strides[k]); strides are in bytes and may be zero to
 * broadcast a dimension.  Unused dims must be 1 and unused strides 0.
 */
struct rnpu_tensor_desc {
	uint64_t va;
	uint32_t dims[RNPU_MAX_RANK];
	uint32_t strides[RNPU_MAX_RANK];
	uint8_t dtype;		/* enum rnpu_dtype */
	uint8_t rank;		/* 1..RNPU_MAX_RANK */
	uint8_t q_axis;		/* per-channel axis */
	uint8_t flags;		/* RNPU_TD_x */
	uint32_t scale;		/* IEEE-754 binary32 bit pattern, quantized types */
	int32_t zero_point;
	uint32_t reserved0;
	uint64_t qscale_va;	/* binary32[dims[q_axis]] when PER_CHANNEL */
};

/* Opcodes: bit positions in RNPU_REG_CAP_OPS. */
enum rnpu_opcode {
	RNPU_OP_NOP = 0,
	RNPU_OP_SYNC = 1,	/* barrier: all earlier writes visible to later reads */
	RNPU_OP_DMA = 2,	/* strided copy with dtype conversion */
	RNPU_OP_CONV2D = 3,
	RNPU_OP_MATMUL = 4,
	RNPU_OP_ELTWISE = 5,
	RNPU_OP_ACT = 6,
	RNPU_OP_POOL = 7,
	RNPU_OP_SOFTMAX = 8,
	RNPU_OP_LAYERNORM = 9,
	RNPU_OP_RESIZE = 10,
	RNPU_OP_COUNT
};

/* Activation functions (standalone ACT and fused into compute ops). */
enum rnpu_act {
	RNPU_ACT_NONE = 0,
	RNPU_ACT_RELU,
	RNPU_ACT_RELU6,
	RNPU_ACT_CLIP,		/* p0 = min, p1 = max */
	RNPU_ACT_SIGMOID,
	RNPU_ACT_TANH,
	RNPU_ACT_HARDSIGMOID,	/* p0 = alpha, p1 = beta */
	RNPU_ACT_HARDSWISH,
	RNPU_ACT_GELU,		/* exact, erf based */
	RNPU_ACT_LEAKYRELU,	/* p0 = alpha */
	RNPU_ACT_ELU,		/* p0 = alpha: x < 0 ? alpha * (exp(x) - 1) : x */
	RNPU_ACT_COUNT
};

struct rnpu_act_params {
	uint8_t func;		/* enum rnpu_act */
	uint8_t reserved[3];
	uint32_t p0;		/* binary32 bit patterns */
	uint32_t p1;
};

struct rnpu_cmd_hdr {
	uint16_t opcode;	/* enum rnpu_opcode */
	uint16_t size;		/* whole command, bytes, multiple of 4 */
};

struct rnpu_cmd_dma {
	struct rnpu_cmd_hdr hdr;
	uint32_t reserved;
	struct rnpu_tensor_desc src;
	struct rnpu_tensor_desc dst;	/* same dims as src */
};

struct rnpu_cmd_conv2d {
	struct rnpu_cmd_hdr hdr;
	uint16_t stride[2];	/* h, w */
	uint16_t dilation[2];	/* h, w */
	uint16_t pad[4];	/* top, left, bottom, right */
	uint16_t groups;
	uint16_t reserved0;
	struct rnpu_act_params act;
	struct rnpu_tensor_desc in;	/* N, C, H, W */
	struct rnpu_tensor_desc weight;	/* OC, C / groups, KH, KW */
	struct rnpu_tensor_desc bias;	/* OC; va == 0: no bias */
	struct rnpu_tensor_desc out;	/* N, OC, OH, OW */
};

#define RNPU_MATMUL_TRANS_B	(1u << 0)	/* b is [.., N, K] */

struct rnpu_cmd_matmul {
	struct rnpu_cmd_hdr hdr;
	uint32_t flags;		/* RNPU_MATMUL_x */
	struct rnpu_act_params act;
	struct rnpu_tensor_desc a;	/* [B..], M, K */
	struct rnpu_tensor_desc b;	/* [B..], K, N (batch may broadcast) */
	struct rnpu_tensor_desc bias;	/* N; va == 0: no bias */
	struct rnpu_tensor_desc out;	/* [B..], M, N */
};

enum rnpu_eltwise_op {
	RNPU_ELT_ADD = 0,
	RNPU_ELT_SUB,
	RNPU_ELT_MUL,
	RNPU_ELT_MIN,
	RNPU_ELT_MAX,
	RNPU_ELT_COUNT
};

struct rnpu_cmd_eltwise {
	struct rnpu_cmd_hdr hdr;
	uint32_t op;		/* enum rnpu_eltwise_op */
	struct rnpu_act_params act;
	struct rnpu_tensor_desc a;	/* broadcast through zero strides */
	struct rnpu_tensor_desc b;
	struct rnpu_tensor_desc out;
};

struct rnpu_cmd_act {
	struct rnpu_cmd_hdr hdr;
	uint32_t reserved;
	struct rnpu_act_params act;
	struct rnpu_tensor_desc in;
	struct rnpu_tensor_desc out;
};

enum rnpu_pool_op {
	RNPU_POOL_MAX = 0,
	RNPU_POOL_AVG,
	RNPU_POOL_GLOBAL_MAX,
	RNPU_POOL_GLOBAL_AVG,
	RNPU_POOL_COUNT
};

#define RNPU_POOL_COUNT_PAD	(1u << 0)	/* AVG divides by the full window */

struct rnpu_cmd_pool {
	struct rnpu_cmd_hdr hdr;
	uint16_t op;		/* enum rnpu_pool_op */
	uint16_t flags;		/* RNPU_POOL_x */
	uint16_t kernel[2];
	uint16_t stride[2];
	uint16_t pad[4];	/* top, left, bottom, right */
	struct rnpu_tensor_desc in;	/* N, C, H, W */
	struct rnpu_tensor_desc out;
};

struct rnpu_cmd_softmax {
	struct rnpu_cmd_hdr hdr;
	uint32_t axis;		/* < rank */
	struct rnpu_tensor_desc in;
	struct rnpu_tensor_desc out;
};

struct rnpu_cmd_layernorm {
	struct rnpu_cmd_hdr hdr;
	uint32_t epsilon;	/* binary32; normalizes over the last dim */
	struct rnpu_tensor_desc in;
	struct rnpu_tensor_desc gamma;	/* last dim; va == 0: ones */
	struct rnpu_tensor_desc beta;	/* last dim; va == 0: zeros */
	struct rnpu_tensor_desc out;
};

enum rnpu_resize_mode {
	RNPU_RESIZE_NEAREST = 0,
	RNPU_RESIZE_BILINEAR,
};

enum rnpu_resize_coord {
	RNPU_COORD_HALF_PIXEL = 0,
	RNPU_COORD_ALIGN_CORNERS,
	RNPU_COORD_ASYMMETRIC,
	RNPU_COORD_PYTORCH_HALF_PIXEL,
};

enum rnpu_resize_nearest {
	RNPU_NEAREST_ROUND_PREFER_FLOOR = 0,
	RNPU_NEAREST_ROUND_PREFER_CEIL,
	RNPU_NEAREST_FLOOR,
	RNPU_NEAREST_CEIL,
};

struct rnpu_cmd_resize {
	struct rnpu_cmd_hdr hdr;
	uint8_t mode;		/* enum rnpu_resize_mode */
	uint8_t coord;		/* enum rnpu_resize_coord */
	uint8_t nearest;	/* enum rnpu_resize_nearest */
	uint8_t reserved;
	uint32_t scale[2];	/* binary32 h, w: out = in * scale */
	struct rnpu_tensor_desc in;	/* N, C, H, W */
	struct rnpu_tensor_desc out;
};

#endif /* RNPU_CMD_H */
