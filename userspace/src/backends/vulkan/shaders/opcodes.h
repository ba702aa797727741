// Operation codes shared by the C++ lowering and the GLSL kernels (this
// file is valid C and GLSL: plain #defines only).
#ifndef RNPU_VK_OPCODES_H
#define RNPU_VK_OPCODES_H

// Unary ops and fused activations (activation.glsl: apply_unary).
#define OP_NONE 0
#define OP_RELU 1
#define OP_LEAKY_RELU 2
#define OP_CLIP 3
#define OP_SIGMOID 4
#define OP_TANH 5
#define OP_HARD_SIGMOID 6
#define OP_HARD_SWISH 7
#define OP_GELU 8
#define OP_GELU_TANH 9
#define OP_ERF 10
#define OP_EXP 11
#define OP_LOG 12
#define OP_SQRT 13
#define OP_ABS 14
#define OP_NEG 15
#define OP_RECIPROCAL 16
#define OP_ELU 17
#define OP_SOFTPLUS 18
#define OP_FLOOR 19
#define OP_CEIL 20
#define OP_SIN 21
#define OP_COS 22
#define OP_ROUND 23
#define OP_SIGN 24
#define OP_MISH 25
#define OP_SOFTSIGN 26
#define OP_SELU 27
#define OP_THRESHOLDED_RELU 28
#define OP_SILU 29

// Binary ops (binary.comp).
#define BOP_ADD 0
#define BOP_SUB 1
#define BOP_MUL 2
#define BOP_DIV 3
#define BOP_POW 4
#define BOP_MAX 5
#define BOP_MIN 6
#define BOP_PRELU 7

// Reductions (reduce.comp, pool).
#define ROP_SUM 0
#define ROP_MEAN 1
#define ROP_MAX 2
#define ROP_MIN 3
#define ROP_SUMSQ 4
#define ROP_L1 5
#define ROP_L2 6
#define ROP_LOGSUMEXP 7

#endif
