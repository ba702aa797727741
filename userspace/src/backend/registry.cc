#include <algorithm>

#include "backend/backend.h"

namespace rnpu {

struct BackendRegistry::Entry {
  std::string name;
  int rank = 0;
  BackendFactory factory;
  std::unique_ptr<Backend> object;
};

BackendRegistry::BackendRegistry() = default;

BackendRegistry& BackendRegistry::instance() {
  static BackendRegistry* r = [] {
    auto* reg = new BackendRegistry();  // never destroyed: backends may be used at exit
    register_builtin_backends(*reg);
    return reg;
  }();
  return *r;
}

void BackendRegistry::add(const std::string& name, int rank, BackendFactory factory) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    if (e->name == name) {
      e->rank = rank;
      e->factory = std::move(factory);
      if (e->object) retired_.push_back(std::move(e->object));
      return;
    }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->rank = rank;
  e->factory = std::move(factory);
  entries_.push_back(std::move(e));
}

void BackendRegistry::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    if (e->name == name && e->object) retired_.push_back(std::move(e->object));
  std::erase_if(entries_, [&](const auto& e) { return e->name == name; });
}

Backend* BackendRegistry::get(std::string_view name) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    if (e->name == name) {
      if (!e->object) e->object = e->factory();
      return e->object.get();
    }
  return nullptr;
}

std::vector<std::string> BackendRegistry::names() const {
  std::lock_guard lock(mu_);
  std::vector<const Entry*> v;
  for (auto& e : entries_) v.push_back(e.get());
  std::sort(v.begin(), v.end(), [](const Entry* a, const Entry* b) {
    return a->rank != b->rank ? a->rank < b->rank : a->name < b->name;
  });
  std::vector<std::string> out;
  for (auto* e : v) out.push_back(e->name);
  return out;
}

}  // namespace rnpu
