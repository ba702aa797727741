// StringNormalizer, StringConcat, StringSplit and Equal on string tensors.
#include <locale.h>

#include <clocale>
#include <cwctype>
#include <unordered_set>

#include "kernels/broadcast.h"
#include "string_run.h"

namespace rnpu::cpu::str {

namespace {

// Unicode simple case mapping from glibc's C.UTF-8 tables, independent of
// the process locale (which a library must not change).  Without C.UTF-8
// only ASCII letters change case.
locale_t utf8_ctype() {
  static locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
  return l;
}

char32_t map_case(char32_t c, bool upper) {
  if (c < 0x80) {
    if (upper && c >= 'a' && c <= 'z') return c - 32;
    if (!upper && c >= 'A' && c <= 'Z') return c + 32;
    return c;
  }
  locale_t l = utf8_ctype();
  if (!l) return c;
  return char32_t(upper ? towupper_l(wint_t(c), l) : towlower_l(wint_t(c), l));
}

// s with every character case-mapped; fails on invalid UTF-8 (which has no
// characters to map).
std::string change_case(const std::string& s, bool upper, size_t index) {
  std::u32string cps;
  if (!utf8_decode(s, &cps))
    fail("element " + std::to_string(index) + " is not valid UTF-8, so its case cannot change");
  std::string out;
  out.reserve(s.size());
  for (char32_t c : cps) utf8_append(map_case(c, upper), &out);
  return out;
}

}  // namespace

std::string normalizer_check(const ir::Attributes& a) {
  try {
    std::string action = a.get_string("case_change_action", "NONE");
    if (action != "NONE" && action != "LOWER" && action != "UPPER")
      return "case_change_action '" + action + "' is not NONE, LOWER or UPPER";
    std::string loc = a.get_string("locale", "");
    // Only simple Unicode case mapping is implemented, which is what en_US
    // means; other locales (Turkish dotted i, ...) would silently differ.
    if (!loc.empty() && loc != "en_US" && loc != "en_US.UTF-8")
      return "locale '" + loc + "' unsupported (only en_US)";
    const ir::Attribute* sw = a.find("stopwords");
    if (sw && sw->kind != ir::Attribute::Kind::kStrings)
      return "stopwords is not a list of strings";
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

void string_normalizer(Run& r) {
  const ir::Strings& x = r.strings(0);
  const std::vector<int64_t>& shape = r.in(0).shape;
  const bool two_d = shape.size() == 2;
  if (!(shape.size() == 1 || (two_d && shape[0] == 1)))
    fail("input must have shape [C] or [1, C], not " + ir::Shape(shape).str());
  const ir::Attributes& a = r.attrs();
  const std::string action = a.get_string("case_change_action", "NONE");
  const bool sensitive = a.get_int("is_case_sensitive", 0) != 0;
  std::vector<std::string> stops;
  if (const ir::Attribute* sw = a.find("stopwords")) stops = sw->strings;
  // Case-insensitive matching compares lower-cased forms.
  std::unordered_set<std::string> stopset;
  for (size_t i = 0; i < stops.size(); ++i) {
    if (sensitive) {
      stopset.insert(stops[i]);
    } else {
      std::u32string cps;
      if (!utf8_decode(stops[i], &cps)) fail("stopword " + std::to_string(i) + " is not UTF-8");
      stopset.insert(change_case(stops[i], false, i));
    }
  }
  ir::Strings out;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!stopset.empty()) {
      bool stop =
          sensitive ? stopset.count(x[i]) != 0 : stopset.count(change_case(x[i], false, i)) != 0;
      if (stop) continue;
    }
    if (action == "NONE")
      out.push_back(x[i]);
    else
      out.push_back(change_case(x[i], action == "UPPER", i));
  }
  // All removed: one empty string, as the operator specifies.
  if (out.empty()) out.emplace_back();
  std::vector<int64_t> oshape = two_d ? std::vector<int64_t>{1, int64_t(out.size())}
                                      : std::vector<int64_t>{int64_t(out.size())};
  r.out_strings(0, std::move(oshape), std::move(out));
}

// The two string inputs of a binary op broadcast against each other: the
// output shape and, per output element, the element of each input.
struct Broadcast2 {
  std::vector<int64_t> shape, xi, yi;
};

Broadcast2 broadcast_inputs(Run& r) {
  Broadcast2 b;
  b.shape = broadcast_shapes(r.in(0).shape, r.in(1).shape);
  b.xi = broadcast_index(r.in(0).shape, b.shape);
  b.yi = broadcast_index(r.in(1).shape, b.shape);
  return b;
}

void string_concat(Run& r) {
  const ir::Strings& x = r.strings(0);
  const ir::Strings& y = r.strings(1);
  Broadcast2 b = broadcast_inputs(r);
  ir::Strings out(b.xi.size());
  for (size_t e = 0; e < out.size(); ++e) out[e] = x[size_t(b.xi[e])] + y[size_t(b.yi[e])];
  r.out_strings(0, std::move(b.shape), std::move(out));
}

void string_equal(Run& r) {
  const ir::Strings& x = r.strings(0);
  const ir::Strings& y = r.strings(1);
  Broadcast2 b = broadcast_inputs(r);
  auto* out = static_cast<uint8_t*>(r.out_tensor(0, ir::DType::kBool, b.shape));
  for (size_t e = 0; e < b.xi.size(); ++e) out[e] = x[size_t(b.xi[e])] == y[size_t(b.yi[e])];
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Python's str.split(None, maxsplit): runs of whitespace separate, leading
// whitespace is dropped, and the unsplit rest keeps its trailing whitespace.
std::vector<std::string> split_space(const std::string& s, int64_t maxsplit) {
  std::vector<std::string> parts;
  size_t i = 0, n = s.size();
  while (true) {
    while (i < n && is_space(s[i])) ++i;
    if (i == n) break;
    if (maxsplit >= 0 && int64_t(parts.size()) == maxsplit) {
      parts.push_back(s.substr(i));
      break;
    }
    size_t j = i;
    while (j < n && !is_space(s[j])) ++j;
    parts.push_back(s.substr(i, j - i));
    i = j;
  }
  return parts;
}

// str.split(sep, maxsplit): every occurrence separates, so consecutive
// delimiters give empty substrings.
std::vector<std::string> split_delim(const std::string& s, const std::string& d, int64_t maxsplit) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (maxsplit < 0 || int64_t(parts.size()) < maxsplit) {
    size_t j = s.find(d, i);
    if (j == std::string::npos) break;
    parts.push_back(s.substr(i, j - i));
    i = j + d.size();
  }
  parts.push_back(s.substr(i));
  return parts;
}

}  // namespace

void string_split(Run& r) {
  const ir::Strings& x = r.strings(0);
  const std::string delim = r.attrs().get_string("delimiter", "");
  const ir::Attribute* ms = r.attrs().find("maxsplit");
  int64_t maxsplit = ms ? ms->i : -1;  // absent: unlimited
  if (ms && maxsplit < 0) fail("maxsplit " + std::to_string(maxsplit) + " is negative");
  std::vector<std::vector<std::string>> parts(x.size());
  size_t widest = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    parts[i] = delim.empty() ? split_space(x[i], maxsplit) : split_delim(x[i], delim, maxsplit);
    widest = std::max(widest, parts[i].size());
  }
  std::vector<int64_t> shape = r.in(0).shape;
  auto* counts = static_cast<int64_t*>(r.out_tensor(1, ir::DType::kInt64, shape));
  ir::Strings out(x.size() * widest);
  for (size_t i = 0; i < x.size(); ++i) {
    if (counts) counts[i] = int64_t(parts[i].size());
    for (size_t k = 0; k < parts[i].size(); ++k) out[i * widest + k] = std::move(parts[i][k]);
  }
  shape.push_back(int64_t(widest));
  r.out_strings(0, std::move(shape), std::move(out));
}

}  // namespace rnpu::cpu::str
