// Per-family lowerings of ONNX nodes to the fast path (see compiler.h).
#pragma once

#include "compiler.h"

namespace rnpu::cpu::fast {

bool lower_conv_family(Compiler& c, const ir::Node& n);         // Conv, ConvTranspose, pools
bool lower_matmul_family(Compiler& c, const ir::Node& n);       // Gemm, MatMul
bool lower_eltwise_family(Compiler& c, const ir::Node& n);      // binary, unary, Softmax
bool lower_layout_family(Compiler& c, const ir::Node& n);       // Resize, Concat, BatchNorm
bool lower_quant_family(Compiler& c, const ir::Node& n);        // Quantize/DequantizeLinear
bool lower_transformer_family(Compiler& c, const ir::Node& n);  // LayerNorm, Gelu, Erf

}  // namespace rnpu::cpu::fast
