#include "onnx/op_versions.h"

#include <unordered_map>
#include <vector>

namespace rnpu::onnx {

namespace {

// Every ai.onnx schema version of opsets 18-22 (ONNX docs/Changelog.md,
// "Version N of the default ONNX operator set").  `implemented` false means a
// backend would read the node with an older meaning, so the model is refused.
// "types" entries only widened the type constraint (bfloat16, float8, int4,
// strings): the kernels already refuse element types they lack, so the
// semantics are those of the version before.
const std::unordered_map<std::string, std::vector<OpChange>>& table() {
  static const auto* t = [] {
    auto* m = new std::unordered_map<std::string, std::vector<OpChange>>;
    auto add = [&](const char* op, int since, bool impl, const char* change) {
      (*m)[op].push_back({since, impl, change});
    };
    // Opset 18.
    for (const char* op : {"BitwiseAnd", "BitwiseNot", "BitwiseOr", "BitwiseXor"})
      add(op, 18, true, "new operator");
    add("CenterCropPad", 18, true, "new operator");
    add("Col2Im", 18, true, "new operator");
    add("GroupNormalization", 18, true, "new operator (scale and bias per group)");
    add("LpPool", 18, true, "ceil_mode and dilations");
    add("Mish", 18, true, "new operator");
    add("OptionalGetElement", 18, true, "accepts tensors and sequences");
    add("OptionalHasElement", 18, true, "accepts tensors and sequences");
    add("Pad", 18, true, "axes input");
    for (const char* op : {"ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
                           "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSumSquare"})
      add(op, 18, true, "axes as input 1");
    add("Resize", 18, true, "antialias, axes and keep_aspect_ratio");
    add("ScatterElements", 18, true, "reduction 'max' and 'min'");
    add("ScatterND", 18, true, "reduction 'max' and 'min'");
    add("Split", 18, true, "num_outputs");
    // Opset 19.
    add("AveragePool", 19, true, "dilations");
    add("Cast", 19, true, "float8 types and saturate");
    add("CastLike", 19, true, "float8 types and saturate");
    add("DeformConv", 19, true, "new operator");
    add("DequantizeLinear", 19, true, "float8 types");
    add("QuantizeLinear", 19, true, "float8 types and saturate");
    add("Equal", 19, true, "string tensors");
    add("Pad", 19, true, "mode 'wrap'");
    add("Resize", 19, true, "coordinate mode 'half_pixel_symmetric'");
    for (const char* op :
         {"Constant", "Identity", "If", "Loop", "Reshape", "Scan", "Shape", "Size"})
      add(op, 19, true, "types");
    // Opset 20.
    add("AffineGrid", 20, true, "new operator");
    add("ConstantOfShape", 20, true, "types");
    add("DFT", 20, true, "dft_length and axis as inputs");
    add("Gelu", 20, true, "new operator");
    add("GridSample", 20, true, "N-d input, modes 'linear' and 'cubic'");
    add("ImageDecoder", 20, true, "new operator");
    add("IsInf", 20, true, "types");
    add("IsNaN", 20, true, "types");
    add("ReduceMax", 20, true, "bool input");
    add("ReduceMin", 20, true, "bool input");
    for (const char* op : {"RegexFullMatch", "StringConcat", "StringSplit"})
      add(op, 20, true, "new operator");
    // Opset 21.
    for (const char* op : {"Cast", "CastLike", "Constant", "ConstantOfShape", "Flatten", "Identity",
                           "If", "Loop", "Pad", "QLinearMatMul", "Reshape", "Scan", "Shape", "Size",
                           "Squeeze", "Transpose", "Unsqueeze"})
      add(op, 21, true, "types (int4, uint4, float8)");
    add("DequantizeLinear", 21, true, "blocked quantisation (block_size), int4 and uint4");
    add("QuantizeLinear", 21, true, "blocked quantisation (block_size), output_dtype, int4");
    add("GroupNormalization", 21, true, "scale and bias per channel");
    // Opset 22: bfloat16 added to each type constraint.
    for (const char* op : {"Acos",
                           "Acosh",
                           "Asin",
                           "Asinh",
                           "Atan",
                           "Atanh",
                           "AveragePool",
                           "Bernoulli",
                           "Conv",
                           "ConvTranspose",
                           "Cos",
                           "Cosh",
                           "DeformConv",
                           "Det",
                           "Dropout",
                           "Elu",
                           "EyeLike",
                           "GRU",
                           "GlobalAveragePool",
                           "GlobalLpPool",
                           "GlobalMaxPool",
                           "GridSample",
                           "HardSigmoid",
                           "HardSwish",
                           "InstanceNormalization",
                           "LSTM",
                           "LpNormalization",
                           "LpPool",
                           "MaxPool",
                           "MaxRoiPool",
                           "MaxUnpool",
                           "Mish",
                           "Multinomial",
                           "NegativeLogLikelihoodLoss",
                           "RNN",
                           "RandomNormal",
                           "RandomNormalLike",
                           "RandomUniform",
                           "RandomUniformLike",
                           "RoiAlign",
                           "Round",
                           "Selu",
                           "Sin",
                           "Sinh",
                           "Softplus",
                           "Softsign",
                           "Tan",
                           "ThresholdedRelu"})
      add(op, 22, true, "types (bfloat16)");
    return m;
  }();
  return *t;
}

}  // namespace

OpVersion resolve_changes(const std::vector<OpChange>& changes, int opset) {
  OpVersion r;
  // Every version between 18 and the model's opset applies in turn: a later
  // "types" entry does not make an earlier unimplemented change safe.
  const OpChange* missing = nullptr;
  for (const OpChange& e : changes) {
    if (e.since > opset) continue;
    if (e.since > r.since) {
      r.since = e.since;
      r.change = e.change;
    }
    if (!e.implemented && !missing) missing = &e;
  }
  if (missing) {
    r.implemented = false;
    r.since = missing->since;
    r.change = missing->change;
  }
  return r;
}

OpVersion resolve_op_version(const std::string& op, int opset) {
  if (opset <= 17) return {};
  auto it = table().find(op);
  if (it == table().end()) return {};
  return resolve_changes(it->second, opset);
}

}  // namespace rnpu::onnx
