// Per-tensor QuantizeLinear / DequantizeLinear between float32 and int8/
// uint8 on XNNPACK's convert operators, in whatever layout the data has
// (they are elementwise), so quantised CNNs keep NHWC end to end.
#include "compiler.h"
#include "lower.h"

namespace rnpu::cpu::fast {

namespace {

// Scalar scale and zero point (zero point absent = 0 of `zp_type`).
bool scalar_params(const Compiler& c, const ir::Node& n, float* scale, int32_t* zp,
                   DType* zp_type) {
  if (n.inputs.size() < 2) return false;
  const Tensor* s = c.constant(n.inputs[1]);
  if (!s || s->dtype != DType::kF32 || s->numel() != 1) return false;
  *scale = s->as<float>()[0];
  *zp = 0;
  *zp_type = DType::kU8;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) {
    const Tensor* z = c.constant(n.inputs[2]);
    if (!z || z->numel() != 1) return false;
    *zp_type = z->dtype;
    *zp = int32_t(tensor_get_int(*z, 0));
  }
  return *scale > 0 && (*zp_type == DType::kI8 || *zp_type == DType::kU8);
}

bool lower_convert(Compiler& c, const ir::Node& n) {
  if (n.outputs.size() != 1 || n.inputs.empty()) return false;
  bool quantize = n.op == "QuantizeLinear";
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  float scale;
  int32_t zp;
  DType zt;
  if (!scalar_params(c, n, &scale, &zp, &zt)) return false;
  DType qt = quantize ? c.info(y).dt : c.info(x).dt;
  if (qt != zt || (quantize ? !c.is_f32(x) : !c.is_f32(y))) return false;
  if (c.info(x).shape != c.info(y).shape) return false;
  bool s8 = qt == DType::kI8;
  xnn_operator_t op = nullptr;
  xnn_status st;
  if (quantize && s8)
    st = xnn_create_convert_nc_f32_qs8(1, 1, 1, scale, int8_t(zp), -128, 127, 0, &op);
  else if (quantize)
    st = xnn_create_convert_nc_f32_qu8(1, 1, 1, scale, uint8_t(zp), 0, 255, 0, &op);
  else if (s8)
    st = xnn_create_convert_nc_qs8_f32(1, 1, 1, scale, int8_t(zp), 0, &op);
  else
    st = xnn_create_convert_nc_qu8_f32(1, 1, 1, scale, uint8_t(zp), 0, &op);
  if (st != xnn_status_success) return false;
  bool nhwc = c.info(x).home_nhwc && c.info(x).shape.size() == 4;
  TensorRef rx = nhwc ? c.nhwc(x) : c.nchw(x);
  TensorRef ry = c.define(y, nhwc);
  size_t count = size_t(shape_numel(rx.shape));
  auto setup = [count, quantize, s8](xnn_operator_t o, void* const* p, pthreadpool* pool) {
    if (quantize && s8)
      return xnn_setup_convert_nc_f32_qs8(o, count, static_cast<const float*>(p[0]),
                                          static_cast<int8_t*>(p[1]), pool);
    if (quantize)
      return xnn_setup_convert_nc_f32_qu8(o, count, static_cast<const float*>(p[0]),
                                          static_cast<uint8_t*>(p[1]), pool);
    if (s8)
      return xnn_setup_convert_nc_qs8_f32(o, count, static_cast<const int8_t*>(p[0]),
                                          static_cast<float*>(p[1]), pool);
    return xnn_setup_convert_nc_qu8_f32(o, count, static_cast<const uint8_t*>(p[0]),
                                        static_cast<float*>(p[1]), pool);
  };
  c.add_xnn_step(XnnOp(op), n, {rx}, {ry}, setup);
  return true;
}

}  // namespace

bool lower_quant_family(Compiler& c, const ir::Node& n) {
  if (n.op == "QuantizeLinear" || n.op == "DequantizeLinear") return lower_convert(c, n);
  return false;
}

}  // namespace rnpu::cpu::fast
