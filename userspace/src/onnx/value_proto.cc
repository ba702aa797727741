// SequenceProto / OptionalProto -> NamedValue: how the ONNX backend tests
// store sequence and optional inputs and outputs (onnx-data.proto).
#include <climits>

#include "onnx/importer.h"
#include "onnx/onnx-data_pb.h"
#include "onnx/tensor_proto.h"

namespace rnpu::onnx {

namespace {

[[noreturn]] void bad(const std::string& why) {
  throw Error(ErrorCode::kMalformedModel, why);
}

void read_sequence(const ::onnx::SequenceProto& sp, NamedValue& out) {
  const std::string what = "sequence '" + sp.name() + "'";
  if (sp.elem_type() != ::onnx::SequenceProto::TENSOR &&
      sp.elem_type() != ::onnx::SequenceProto::UNDEFINED)
    throw Error(ErrorCode::kUnsupportedOp,
                what + ": only sequences of tensors are supported (elem_type " +
                    std::to_string(sp.elem_type()) + ")");
  if (sp.sparse_tensor_values_size() || sp.sequence_values_size() || sp.map_values_size() ||
      sp.optional_values_size())
    throw Error(ErrorCode::kUnsupportedOp, what + ": only sequences of tensors are supported");
  for (int i = 0; i < sp.tensor_values_size(); ++i) {
    auto t = convert_tensor(sp.tensor_values(i), what + " element " + std::to_string(i), nullptr);
    if (i == 0) out.elem_type = t->dtype;
    if (t->dtype != out.elem_type)
      bad(what + ": element " + std::to_string(i) + " is " + ir::dtype_name(t->dtype) +
          ", element 0 is " + ir::dtype_name(out.elem_type));
    out.elements.push_back(std::move(t));
  }
}

}  // namespace

NamedValue import_value(const void* data, size_t size, ir::ValueKind kind) {
  if (size > size_t(INT_MAX)) bad("value larger than 2 GiB");
  NamedValue r;
  r.kind = kind;
  if (kind == ir::ValueKind::kTensor) {
    NamedTensor t = import_tensor(data, size);
    r.name = t.name;
    r.tensor = std::move(t.tensor);
    return r;
  }
  if (kind == ir::ValueKind::kSequence) {
    ::onnx::SequenceProto sp;
    if (!sp.ParseFromArray(data, int(size))) bad("not a valid ONNX SequenceProto");
    r.name = sp.name();
    read_sequence(sp, r);
    return r;
  }
  ::onnx::OptionalProto op;
  if (!op.ParseFromArray(data, int(size))) bad("not a valid ONNX OptionalProto");
  r.name = op.name();
  if (op.has_tensor_value()) {
    if (kind != ir::ValueKind::kOptionalTensor)
      bad("optional '" + op.name() + "' holds a tensor where a sequence is expected");
    r.tensor = convert_tensor(op.tensor_value(), "optional '" + op.name() + "'", nullptr);
  } else if (op.has_sequence_value()) {
    if (kind != ir::ValueKind::kOptionalSequence)
      bad("optional '" + op.name() + "' holds a sequence where a tensor is expected");
    read_sequence(op.sequence_value(), r);
  } else if (op.has_sparse_tensor_value() || op.has_map_value() || op.has_optional_value()) {
    throw Error(ErrorCode::kUnsupportedOp,
                "optional '" + op.name() + "' holds a sparse tensor, map or optional");
  } else {
    r.present = false;
  }
  return r;
}

}  // namespace rnpu::onnx
