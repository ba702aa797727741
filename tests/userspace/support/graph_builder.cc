#include "support/graph_builder.h"

namespace rnpu::test {

ModelBuilder::ModelBuilder(int opset) {
  m_.set_ir_version(8);
  m_.set_producer_name("rnpu-tests");
  auto* os = m_.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  m_.mutable_graph()->set_name("test");
}

ModelBuilder& ModelBuilder::input(const std::string& name, std::vector<int64_t> dims, int elem) {
  auto* vi = graph().add_input();
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* sh = tt->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = sh->add_dim();
    if (d < 0)
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
  return *this;
}

ModelBuilder& ModelBuilder::output(const std::string& name, int elem) {
  auto* vi = graph().add_output();
  vi->set_name(name);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(elem);
  return *this;
}

ModelBuilder& ModelBuilder::init(const std::string& name, std::vector<int64_t> dims,
                                 std::vector<float> v) {
  auto* t = graph().add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float f : v) t->add_float_data(f);
  return *this;
}

ModelBuilder& ModelBuilder::init_i64(const std::string& name, std::vector<int64_t> dims,
                                     std::vector<int64_t> v) {
  auto* t = graph().add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t x : v) t->add_int64_data(x);
  return *this;
}

::onnx::NodeProto& ModelBuilder::node(const std::string& op, std::vector<std::string> inputs,
                                      std::vector<std::string> outputs, const std::string& name) {
  auto* n = graph().add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& i : inputs) n->add_input(i);
  for (auto& o : outputs) n->add_output(o);
  return *n;
}

std::string ModelBuilder::bytes() const {
  std::string s;
  m_.SerializeToString(&s);
  return s;
}

static ::onnx::AttributeProto* add(::onnx::NodeProto& n, const std::string& name,
                                   ::onnx::AttributeProto::AttributeType t) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(t);
  return a;
}

void attr_i(::onnx::NodeProto& n, const std::string& name, int64_t v) {
  add(n, name, ::onnx::AttributeProto::INT)->set_i(v);
}
void attr_f(::onnx::NodeProto& n, const std::string& name, float v) {
  add(n, name, ::onnx::AttributeProto::FLOAT)->set_f(v);
}
void attr_s(::onnx::NodeProto& n, const std::string& name, const std::string& v) {
  add(n, name, ::onnx::AttributeProto::STRING)->set_s(v);
}
void attr_ints(::onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v) {
  auto* a = add(n, name, ::onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void attr_floats(::onnx::NodeProto& n, const std::string& name, std::vector<float> v) {
  auto* a = add(n, name, ::onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}

void attr_strings(::onnx::NodeProto& n, const std::string& name, std::vector<std::string> v) {
  auto* a = add(n, name, ::onnx::AttributeProto::STRINGS);
  for (auto& x : v) a->add_strings(x);
}

void attr_g(::onnx::NodeProto& n, const std::string& name, const ::onnx::GraphProto& g) {
  *add(n, name, ::onnx::AttributeProto::GRAPH)->mutable_g() = g;
}

::onnx::NodeProto& body_node(::onnx::GraphProto& g, const std::string& op,
                             std::vector<std::string> in, std::vector<std::string> out,
                             const std::string& name) {
  auto* n = g.add_node();
  n->set_op_type(op);
  n->set_name(name.empty() ? out.at(0) + "_node" : name);
  for (auto& i : in) n->add_input(i);
  for (auto& o : out) n->add_output(o);
  return *n;
}

}  // namespace rnpu::test
