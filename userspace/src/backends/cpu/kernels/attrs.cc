#include "attrs.h"

#include "kernel.h"

namespace rnpu::cpu {

namespace {
const char* kind_name(Attr::Kind k) {
  switch (k) {
    case Attr::Kind::kInt:
      return "int";
    case Attr::Kind::kFloat:
      return "float";
    case Attr::Kind::kString:
      return "string";
    case Attr::Kind::kInts:
      return "ints";
    case Attr::Kind::kFloats:
      return "floats";
    case Attr::Kind::kStrings:
      return "strings";
    case Attr::Kind::kTensor:
      return "tensor";
  }
  return "?";
}

[[noreturn]] void wrong_kind(const std::string& name, const Attr& a, const char* want) {
  fail("attribute '" + name + "' is " + kind_name(a.kind) + ", expected " + want);
}
}  // namespace

Attrs& Attrs::set(const std::string& name, int64_t v) {
  Attr a;
  a.kind = Attr::Kind::kInt;
  a.i = v;
  map_[name] = std::move(a);
  return *this;
}

Attrs& Attrs::set(const std::string& name, float v) {
  Attr a;
  a.kind = Attr::Kind::kFloat;
  a.f = v;
  map_[name] = std::move(a);
  return *this;
}

Attrs& Attrs::set(const std::string& name, const std::string& v) {
  Attr a;
  a.kind = Attr::Kind::kString;
  a.s = v;
  map_[name] = std::move(a);
  return *this;
}

Attrs& Attrs::set(const std::string& name, std::vector<int64_t> v) {
  Attr a;
  a.kind = Attr::Kind::kInts;
  a.ints = std::move(v);
  map_[name] = std::move(a);
  return *this;
}

Attrs& Attrs::set(const std::string& name, std::vector<float> v) {
  Attr a;
  a.kind = Attr::Kind::kFloats;
  a.floats = std::move(v);
  map_[name] = std::move(a);
  return *this;
}

Attrs& Attrs::set(const std::string& name, std::vector<std::string> v) {
  Attr a;
  a.kind = Attr::Kind::kStrings;
  a.strings = std::move(v);
  map_[name] = std::move(a);
  return *this;
}

Attrs& Attrs::set(const std::string& name, Tensor v) {
  Attr a;
  a.kind = Attr::Kind::kTensor;
  a.t = std::move(v);
  map_[name] = std::move(a);
  return *this;
}

const Attr* Attrs::find(const std::string& name) const {
  auto it = map_.find(name);
  return it == map_.end() ? nullptr : &it->second;
}

int64_t Attrs::get_int(const std::string& name, int64_t def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (a->kind != Attr::Kind::kInt) wrong_kind(name, *a, "int");
  return a->i;
}

float Attrs::get_float(const std::string& name, float def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (a->kind == Attr::Kind::kInt) return float(a->i);
  if (a->kind != Attr::Kind::kFloat) wrong_kind(name, *a, "float");
  return a->f;
}

std::string Attrs::get_string(const std::string& name, const std::string& def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (a->kind != Attr::Kind::kString) wrong_kind(name, *a, "string");
  return a->s;
}

std::vector<int64_t> Attrs::get_ints(const std::string& name, std::vector<int64_t> def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (a->kind == Attr::Kind::kInt) return {a->i};
  if (a->kind != Attr::Kind::kInts) wrong_kind(name, *a, "ints");
  return a->ints;
}

std::vector<float> Attrs::get_floats(const std::string& name, std::vector<float> def) const {
  const Attr* a = find(name);
  if (!a) return def;
  if (a->kind == Attr::Kind::kFloat) return {a->f};
  if (a->kind != Attr::Kind::kFloats) wrong_kind(name, *a, "floats");
  return a->floats;
}

const Tensor* Attrs::get_tensor(const std::string& name) const {
  const Attr* a = find(name);
  if (!a) return nullptr;
  if (a->kind != Attr::Kind::kTensor) wrong_kind(name, *a, "tensor");
  return &a->t;
}

}  // namespace rnpu::cpu
