// Node attributes (ONNX AttributeProto; GRAPH attributes hold the body
// graphs of If/Loop/Scan).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rnpu::ir {

struct ConstTensor;
class Graph;

struct Attribute {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor, kGraph, kType };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::shared_ptr<const ConstTensor> t;  // kTensor
  // kGraph: a control-flow body (If branches, Loop/Scan bodies), immutable
  // and shared by every copy of the node.  Its `inputs` are the ONNX formal
  // inputs followed by Graph::implicit_inputs values read from the
  // enclosing scopes (see Node::implicit_inputs).
  std::shared_ptr<const Graph> g;
  // kType (a TypeProto, e.g. Optional's "type"): rnpu::ValueKind and element
  // rnpu::DataType as numbers, so this header needs neither.
  int type_kind = 0, type_dtype = 0;
};

class Attributes {
 public:
  bool has(const std::string& name) const { return map_.count(name) != 0; }
  const Attribute* find(const std::string& name) const;
  void set(const std::string& name, Attribute a) { map_[name] = std::move(a); }
  void set_int(const std::string& name, int64_t v);
  void set_float(const std::string& name, float v);
  void set_string(const std::string& name, std::string v);
  void set_ints(const std::string& name, std::vector<int64_t> v);
  void set_floats(const std::string& name, std::vector<float> v);
  void erase(const std::string& name) { map_.erase(name); }

  // Typed getters: a present attribute of another kind throws
  // ErrorCode::kMalformedModel (callers add node context via NodeError).
  int64_t get_int(const std::string& name, int64_t def) const;
  float get_float(const std::string& name, float def) const;
  std::string get_string(const std::string& name, const std::string& def) const;
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> get_floats(const std::string& name, std::vector<float> def = {}) const;

  const std::map<std::string, Attribute>& all() const { return map_; }

 private:
  std::map<std::string, Attribute> map_;
};

}  // namespace rnpu::ir
