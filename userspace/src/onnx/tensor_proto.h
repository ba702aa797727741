// TensorProto -> ConstTensor conversion (raw, typed and external data).
#pragma once

#include <memory>
#include <string>

#include "ir/tensor.h"

namespace onnx {
class TensorProto;
}

namespace rnpu::onnx {

struct ExternalDataBudget {
  std::string base_dir;  // empty: external data forbidden
  uint64_t remaining = 0;
};

// `what` names the tensor in errors ("initializer 'w'").  Throws rnpu::Error.
std::shared_ptr<ir::ConstTensor> convert_tensor(const ::onnx::TensorProto& t,
                                                const std::string& what, ExternalDataBudget* ext);

}  // namespace rnpu::onnx
