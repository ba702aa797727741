// RegexFullMatch (opset 20): whether each element matches the whole RE2
// pattern.  RE2 is the syntax ONNX specifies (and linear-time, so a hostile
// pattern cannot hang a run).
#include <re2/re2.h>

#include "string_run.h"

namespace rnpu::cpu::str {

namespace {

std::string pattern_of(const ir::Attributes& a) {
  const ir::Attribute* p = a.find("pattern");
  if (!p || p->kind != ir::Attribute::Kind::kString) return {};
  return p->s;
}

}  // namespace

std::string regex_check(const ir::Attributes& a) {
  const ir::Attribute* p = a.find("pattern");
  if (!p || p->kind != ir::Attribute::Kind::kString) return "needs a string attribute 'pattern'";
  RE2 re(p->s, RE2::Quiet);
  if (!re.ok()) return "pattern '" + p->s + "' is not a valid RE2 expression: " + re.error();
  return {};
}

void regex_full_match(Run& r) {
  const ir::Strings& x = r.strings(0);
  RE2 re(pattern_of(r.attrs()), RE2::Quiet);
  if (!re.ok()) fail("pattern is not a valid RE2 expression: " + re.error());
  auto* out = static_cast<uint8_t*>(r.out_tensor(0, ir::DType::kBool, r.in(0).shape));
  for (size_t i = 0; i < x.size(); ++i) out[i] = RE2::FullMatch(x[i], re);
}

}  // namespace rnpu::cpu::str
