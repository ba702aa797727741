#include "ir/attribute.h"

#include "rnpu/types.hpp"

namespace rnpu::ir {

namespace {

const char* kind_name(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::kInt:
      return "int";
    case Attribute::Kind::kFloat:
      return "float";
    case Attribute::Kind::kString:
      return "string";
    case Attribute::Kind::kInts:
      return "ints";
    case Attribute::Kind::kFloats:
      return "floats";
    case Attribute::Kind::kStrings:
      return "strings";
    case Attribute::Kind::kTensor:
      return "tensor";
    case Attribute::Kind::kGraph:
      return "graph";
    case Attribute::Kind::kType:
      return "type";
  }
  return "?";
}

const Attribute* typed(const Attributes& a, const std::string& name, Attribute::Kind want) {
  const Attribute* at = a.find(name);
  if (at && at->kind != want)
    throw Error(ErrorCode::kMalformedModel, "attribute '" + name + "' is " + kind_name(at->kind) +
                                                ", expected " + kind_name(want));
  return at;
}

}  // namespace

const Attribute* Attributes::find(const std::string& name) const {
  auto it = map_.find(name);
  return it == map_.end() ? nullptr : &it->second;
}

void Attributes::set_int(const std::string& name, int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = v;
  map_[name] = std::move(a);
}
void Attributes::set_float(const std::string& name, float v) {
  Attribute a;
  a.kind = Attribute::Kind::kFloat;
  a.f = v;
  map_[name] = std::move(a);
}
void Attributes::set_string(const std::string& name, std::string v) {
  Attribute a;
  a.kind = Attribute::Kind::kString;
  a.s = std::move(v);
  map_[name] = std::move(a);
}
void Attributes::set_ints(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::kInts;
  a.ints = std::move(v);
  map_[name] = std::move(a);
}
void Attributes::set_floats(const std::string& name, std::vector<float> v) {
  Attribute a;
  a.kind = Attribute::Kind::kFloats;
  a.floats = std::move(v);
  map_[name] = std::move(a);
}

int64_t Attributes::get_int(const std::string& name, int64_t def) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kInt);
  return a ? a->i : def;
}
float Attributes::get_float(const std::string& name, float def) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kFloat);
  return a ? a->f : def;
}
std::string Attributes::get_string(const std::string& name, const std::string& def) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kString);
  return a ? a->s : def;
}
std::vector<int64_t> Attributes::get_ints(const std::string& name, std::vector<int64_t> def) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kInts);
  return a ? a->ints : def;
}
std::vector<float> Attributes::get_floats(const std::string& name, std::vector<float> def) const {
  const Attribute* a = typed(*this, name, Attribute::Kind::kFloats);
  return a ? a->floats : def;
}

}  // namespace rnpu::ir
