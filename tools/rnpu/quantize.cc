#include "quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "onnx/onnx_pb.h"
#include "onnx/tensor_proto.h"
#include "rnpu/rnpu.hpp"

namespace rnpu::cli {
namespace {

bool quantizable(const ::onnx::NodeProto& n) {
  return n.op_type() == "Conv" || n.op_type() == "Gemm" || n.op_type() == "MatMul";
}

int64_t attr_int(const ::onnx::NodeProto& n, const std::string& name, int64_t def) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return a.i();
  return def;
}

// The importer's TensorProto reader (onnx/tensor_proto.cc), so weights are
// read exactly as librnpu reads them: sizes checked, every storage form.
std::vector<float> floats_of(const ::onnx::TensorProto& t) {
  if (t.data_type() != ::onnx::TensorProto::FLOAT) return {};
  auto c = onnx::convert_tensor(t, "initializer '" + t.name() + "'", nullptr);
  const float* p = static_cast<const float*>(c->data);
  return std::vector<float>(p, p + c->size / sizeof(float));
}

// Initializers stored as external data, read through the same reader
// (resolved against the model's directory, which they may not leave) and
// kept inline from here on: the calibration session is loaded from memory,
// and the written model then needs no side file.
void inline_external_data(::onnx::GraphProto& g, const std::string& base_dir) {
  onnx::ExternalDataBudget ext{base_dir, uint64_t(16) << 30};
  for (auto& t : *g.mutable_initializer()) {
    if (t.data_location() != ::onnx::TensorProto::EXTERNAL) continue;
    auto c = onnx::convert_tensor(t, "initializer '" + t.name() + "'", &ext);
    t.clear_external_data();
    t.set_data_location(::onnx::TensorProto::DEFAULT);
    t.set_raw_data(std::string(static_cast<const char*>(c->data), c->size));
  }
}

// Activation tensors whose ranges calibration must measure.
std::vector<std::string> tensors_to_calibrate(const ::onnx::GraphProto& g,
                                              const std::set<std::string>& inits) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& n : g.node()) {
    if (!quantizable(n) || n.input_size() < 2 || !inits.count(n.input(1))) continue;
    for (const std::string& t : {n.input(0), n.output(0)})
      if (!inits.count(t) && seen.insert(t).second) out.push_back(t);
  }
  return out;
}

}  // namespace

std::string quantize_model(const std::string& bytes, const std::string& base_dir,
                           const std::vector<Sample>& samples, QuantizeReport* rep) {
  ::onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) throw Error(ErrorCode::kMalformedModel, "not an ONNX model");
  ::onnx::GraphProto& g = *m.mutable_graph();
  inline_external_data(g, base_dir);
  std::set<std::string> inits;
  std::map<std::string, const ::onnx::TensorProto*> init_of;
  for (const auto& t : g.initializer()) {
    inits.insert(t.name());
    init_of[t.name()] = &t;
  }
  std::vector<std::string> calib = tensors_to_calibrate(g, inits);
  if (calib.empty())
    throw Error(ErrorCode::kUnsupportedOp, "no Conv/Gemm/MatMul with constant weights to quantize");

  // Calibration: the float model with every measured tensor as an output,
  // run on the cpu backend without graph rewrites.
  ::onnx::ModelProto probe = m;
  std::set<std::string> outs;
  for (const auto& o : probe.graph().output()) outs.insert(o.name());
  for (const std::string& t : calib)
    if (!outs.count(t)) {
      auto* o = probe.mutable_graph()->add_output();
      o->set_name(t);
      o->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto::FLOAT);
    }
  std::string probe_bytes = probe.SerializeAsString();
  Options o;
  o.backends = {"cpu"};
  o.allow_fallback = false;
  o.optimization_level = 0;
  Session s = Session::load_memory(probe_bytes.data(), probe_bytes.size(), o);
  std::map<std::string, float> range;
  for (const Sample& smp : samples) {
    for (size_t i = 0; i < s.inputs().size(); ++i) {
      auto it = smp.find(s.inputs()[i].name);
      if (it == smp.end())
        throw Error(ErrorCode::kInvalidArgument,
                    "calibration sample lacks input '" + s.inputs()[i].name + "'");
      s.set_input(i, it->second.data.data(), it->second.data.size(), it->second.shape);
    }
    s.run();
    for (const std::string& t : calib) {
      TensorView v = s.output(s.output_index(t));
      const float* f = static_cast<const float*>(v.data);
      float mx = range[t];
      for (size_t k = 0; k < v.size / 4; ++k) mx = std::max(mx, std::fabs(f[k]));
      range[t] = mx;
    }
  }

  // Rewrite in QDQ form.
  int counter = 0;
  auto fresh = [&](const std::string& p) { return p + "_rnpuq" + std::to_string(++counter); };
  std::vector<::onnx::NodeProto> nodes;
  auto add_scalar = [&](const std::string& prefix, float scale, bool zp) {
    auto* t = g.add_initializer();
    t->set_name(fresh(prefix));
    if (zp) {
      t->set_data_type(::onnx::TensorProto::INT8);
      t->add_int32_data(0);
    } else {
      t->set_data_type(::onnx::TensorProto::FLOAT);
      t->add_float_data(scale);
    }
    return t->name();
  };
  auto qdq = [&](const std::string& src, const std::string& dst, float scale) {
    std::string s_name = add_scalar("scale", scale, false), z_name = add_scalar("zp", 0, true);
    std::string q = fresh(src + "_q");
    ::onnx::NodeProto qn, dn;
    qn.set_op_type("QuantizeLinear");
    qn.set_name(q);
    qn.add_input(src);
    qn.add_input(s_name);
    qn.add_input(z_name);
    qn.add_output(q);
    dn.set_op_type("DequantizeLinear");
    dn.set_name(fresh("dq"));
    dn.add_input(q);
    dn.add_input(s_name);
    dn.add_input(z_name);
    dn.add_output(dst);
    nodes.push_back(qn);
    nodes.push_back(dn);
  };
  auto act_scale = [&](const std::string& t) { return std::max(range[t], 1e-6f) / 127.f; };
  std::map<std::string, std::string> dq_of;
  int quantized = 0;
  bool per_axis = false;
  for (const auto& os : m.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx") per_axis = os.version() >= 13;
  for (const ::onnx::NodeProto& n0 :
       std::vector<::onnx::NodeProto>(g.node().begin(), g.node().end())) {
    if (!quantizable(n0) || n0.input_size() < 2 || !inits.count(n0.input(1)) ||
        init_of[n0.input(1)]->data_type() != ::onnx::TensorProto::FLOAT) {
      nodes.push_back(n0);
      continue;
    }
    ::onnx::NodeProto n = n0;
    const ::onnx::TensorProto& w = *init_of[n.input(1)];
    std::vector<float> wv = floats_of(w);
    std::vector<int64_t> wd(w.dims().begin(), w.dims().end());
    // Output channels: Conv axis 0; Gemm axis 0 with transB, else 1; MatMul last.
    int axis = n.op_type() == "Conv"   ? 0
               : n.op_type() == "Gemm" ? (attr_int(n, "transB", 0) ? 0 : 1)
                                       : int(wd.size()) - 1;
    if (wd.empty() || wv.empty()) {
      nodes.push_back(n0);
      continue;
    }
    int64_t ch = wd[size_t(axis)], inner = 1;
    for (size_t k = size_t(axis) + 1; k < wd.size(); ++k) inner *= wd[k];
    std::vector<float> ws(size_t(ch), 0.f);
    for (size_t i = 0; i < wv.size(); ++i) {
      size_t c = size_t((int64_t(i) / inner) % ch);
      ws[c] = std::max(ws[c], std::fabs(wv[i]));
    }
    for (float& x : ws) x = std::max(x, 1e-8f) / 127.f;
    // Per-axis (de)quantization needs opset 13; older models get one scale
    // (raising the opset would change other ops' meaning).
    if (!per_axis) ws.assign(ws.size(), *std::max_element(ws.begin(), ws.end()));
    auto* wq = g.add_initializer();
    wq->set_name(fresh(n.input(1) + "_int8"));
    wq->set_data_type(::onnx::TensorProto::INT8);
    for (int64_t d : wd) wq->add_dims(d);
    std::string raw(wv.size(), '\0');
    for (size_t i = 0; i < wv.size(); ++i) {
      float s = ws[size_t((int64_t(i) / inner) % ch)];
      raw[i] = char(int8_t(std::clamp(std::nearbyint(wv[i] / s), -127.f, 127.f)));
    }
    wq->set_raw_data(raw);
    auto* wsc = g.add_initializer();
    wsc->set_name(fresh("wscale"));
    wsc->set_data_type(::onnx::TensorProto::FLOAT);
    if (per_axis) {
      wsc->add_dims(ch);
      for (float v : ws) wsc->add_float_data(v);
    } else {
      wsc->add_float_data(ws[0]);
    }
    auto* wz = g.add_initializer();
    wz->set_name(fresh("wzp"));
    wz->set_data_type(::onnx::TensorProto::INT8);
    if (per_axis) wz->add_dims(ch);
    for (int64_t c = 0; c < (per_axis ? ch : 1); ++c) wz->add_int32_data(0);
    ::onnx::NodeProto wdq;
    wdq.set_op_type("DequantizeLinear");
    wdq.set_name(fresh("dqw"));
    wdq.add_input(wq->name());
    wdq.add_input(wsc->name());
    wdq.add_input(wz->name());
    std::string w_f = fresh(n.input(1) + "_dq");
    wdq.add_output(w_f);
    if (per_axis) {
      auto* ax = wdq.add_attribute();
      ax->set_name("axis");
      ax->set_type(::onnx::AttributeProto::INT);
      ax->set_i(axis);
    }
    nodes.push_back(wdq);

    // Activation in: shared Q/DQ per tensor.
    const std::string& x = n.input(0);
    if (!dq_of.count(x)) {
      dq_of[x] = fresh(x + "_dq");
      qdq(x, dq_of[x], act_scale(x));
    }
    float sx = act_scale(x);
    n.set_input(0, dq_of[x]);
    n.set_input(1, w_f);
    // Bias: int32 in the accumulator's scale sx * sw[c].
    if (n.input_size() > 2 && inits.count(n.input(2)) &&
        int64_t(floats_of(*init_of[n.input(2)]).size()) == ch) {
      std::vector<float> bv = floats_of(*init_of[n.input(2)]);
      auto* bq = g.add_initializer();
      bq->set_name(fresh(n.input(2) + "_int32"));
      bq->set_data_type(::onnx::TensorProto::INT32);
      bq->add_dims(ch);
      auto* bs = g.add_initializer();
      bs->set_name(fresh("bscale"));
      bs->set_data_type(::onnx::TensorProto::FLOAT);
      if (per_axis) bs->add_dims(ch);
      auto* bz = g.add_initializer();
      bz->set_name(fresh("bzp"));
      bz->set_data_type(::onnx::TensorProto::INT32);
      if (per_axis) bz->add_dims(ch);
      for (int64_t c = 0; c < ch; ++c) {
        float sc = sx * ws[size_t(c)];
        if (per_axis || c == 0) {
          bs->add_float_data(sc);
          bz->add_int32_data(0);
        }
        bq->add_int32_data(int32_t(
            std::clamp<double>(std::nearbyint(bv[size_t(c)] / sc), -2147483647.0, 2147483647.0)));
      }
      ::onnx::NodeProto bdq;
      bdq.set_op_type("DequantizeLinear");
      bdq.set_name(fresh("dqb"));
      bdq.add_input(bq->name());
      bdq.add_input(bs->name());
      bdq.add_input(bz->name());
      std::string b_f = fresh(n.input(2) + "_dq");
      bdq.add_output(b_f);
      if (per_axis) {
        auto* bax = bdq.add_attribute();
        bax->set_name("axis");
        bax->set_type(::onnx::AttributeProto::INT);
        bax->set_i(0);
      }
      nodes.push_back(bdq);
      n.set_input(2, b_f);
    }
    // Output: the node writes y_f; Q/DQ restores y for its consumers.
    std::string y = n.output(0), y_f = fresh(y + "_f");
    n.set_output(0, y_f);
    nodes.push_back(n);
    qdq(y_f, y, act_scale(y));
    ++quantized;
  }
  g.clear_node();
  for (auto& n : nodes) *g.add_node() = std::move(n);
  // Drop the float weights the int8 copies replaced.
  std::set<std::string> used;
  for (const auto& n : g.node())
    for (const auto& i : n.input()) used.insert(i);
  for (const auto& o : g.output()) used.insert(o.name());
  auto* in = g.mutable_initializer();
  in->erase(std::remove_if(in->begin(), in->end(),
                           [&](const ::onnx::TensorProto& t) { return !used.count(t.name()); }),
            in->end());
  if (rep) {
    rep->quantized_nodes = quantized;
    rep->calibrated_tensors = int(calib.size());
    rep->samples = samples.size();
  }
  return m.SerializeAsString();
}

}  // namespace rnpu::cli
