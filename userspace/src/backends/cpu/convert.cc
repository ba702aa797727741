#include "convert.h"

namespace rnpu::cpu {

Tensor const_view(const std::shared_ptr<const ir::ConstTensor>& c) {
  Tensor t = Tensor::view(to_cpu(c->dtype), c->dims, const_cast<void*>(c->data));
  t.storage = std::shared_ptr<void>(c, const_cast<void*>(c->data));
  return t;
}

Tensor host_view(const HostTensor& h) {
  return Tensor::view(to_cpu(h.dtype), h.shape, h.data);
}

Attrs to_cpu_attrs(const ir::Attributes& a, std::string* unsupported) {
  Attrs r;
  for (const auto& [name, v] : a.all()) {
    Attr x;
    switch (v.kind) {
      case ir::Attribute::Kind::kInt:
        x.kind = Attr::Kind::kInt;
        x.i = v.i;
        break;
      case ir::Attribute::Kind::kFloat:
        x.kind = Attr::Kind::kFloat;
        x.f = v.f;
        break;
      case ir::Attribute::Kind::kString:
        x.kind = Attr::Kind::kString;
        x.s = v.s;
        break;
      case ir::Attribute::Kind::kInts:
        x.kind = Attr::Kind::kInts;
        x.ints = v.ints;
        break;
      case ir::Attribute::Kind::kFloats:
        x.kind = Attr::Kind::kFloats;
        x.floats = v.floats;
        break;
      case ir::Attribute::Kind::kStrings:
        x.kind = Attr::Kind::kStrings;
        x.strings = v.strings;
        break;
      case ir::Attribute::Kind::kTensor:
        x.kind = Attr::Kind::kTensor;
        if (v.t) x.t = const_view(v.t);
        break;
      case ir::Attribute::Kind::kType:
        // The kernels see a TypeProto as ints {ValueKind, DataType}.
        x.kind = Attr::Kind::kInts;
        x.ints = {v.type_kind, v.type_dtype};
        break;
      case ir::Attribute::Kind::kGraph:
        if (unsupported) *unsupported = "graph attribute '" + name + "' (control flow)";
        continue;
    }
    r.set(name, std::move(x));
  }
  return r;
}

std::optional<QuantSpec> quant_of(const ir::Value& v) {
  if (!v.quant) return std::nullopt;
  QuantSpec q;
  q.scale = v.quant->scale;
  q.zero_point = v.quant->zero_point;
  q.axis = v.quant->axis;
  return q;
}

}  // namespace rnpu::cpu
