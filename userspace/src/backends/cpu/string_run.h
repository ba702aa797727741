// Shared by the string op files (string_*.cc): one step's view of its
// inputs and outputs, numeric element access by type, broadcasting, and
// UTF-8 decoding.  Internal to the cpu backend.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "ir/attribute.h"
#include "ir/string_tensor.h"
#include "program.h"

namespace rnpu::cpu::str {

// A failure caused by the node's inputs or attributes; run_string_step turns
// it into an rnpu::Error naming the node.
struct StrError {
  std::string why;
};
[[noreturn]] void fail(const std::string& why);

class Run {
 public:
  Run(const Step& s, RunContext& ctx) : s_(s), ctx_(ctx) {}
  const Step& step() const { return s_; }
  const ir::Attributes& attrs() const { return s_.ir_attrs; }
  bool has(size_t i) const { return i < s_.inputs.size() && s_.inputs[i] != ir::kNoValue; }
  const HostTensor& in(size_t i) const;
  // Input i as strings; fails when it is not a string tensor.
  const ir::Strings& strings(size_t i) const;
  int64_t numel(size_t i) const;
  ir::DType out_dtype(size_t i) const { return ctx_.tensor(s_.outputs.at(i)).dtype; }
  bool has_out(size_t i) const { return i < s_.outputs.size() && s_.outputs[i] != ir::kNoValue; }
  void out_strings(size_t i, std::vector<int64_t> shape, ir::Strings elems);
  // Memory for numeric output i (the runtime's planned slot or allocation).
  void* out_tensor(size_t i, ir::DType dt, const std::vector<int64_t>& shape);

 private:
  const Step& s_;
  RunContext& ctx_;
};

int64_t numel_of(const std::vector<int64_t>& shape);

// Numeric element i of a tensor of type t as double / int64, and stores.
// Types outside float/int/bool are refused by string_support beforehand.
double load_double(ir::DType t, const void* p, int64_t i);
int64_t load_int(ir::DType t, const void* p, int64_t i);
bool numeric_type(ir::DType t);  // the types load_* / store_* handle

// For each output element the flat index into an input of shape `in`
// (`out` from broadcast_shapes, kernels/broadcast.h).
std::vector<int64_t> broadcast_index(const std::vector<int64_t>& in,
                                     const std::vector<int64_t>& out);

// UTF-8 decoding: false for invalid sequences (overlong, surrogates,
// beyond U+10FFFF, truncated).
bool utf8_decode(const std::string& s, std::u32string* out);
void utf8_append(char32_t c, std::string* out);

// Op entry points (string_text.cc, string_cast.cc, string_regex.cc,
// string_label_encoder.cc).
void string_normalizer(Run& r);
void string_concat(Run& r);
void string_split(Run& r);
void string_equal(Run& r);
void regex_full_match(Run& r);
void cast_strings(Run& r);
void label_encoder_strings(Run& r);
// string_ml.cc: classifiers with classlabels_strings, OneHotEncoder with
// cats_strings.
void tree_classifier_strings(Run& r);
void linear_classifier_strings(Run& r);
void one_hot_encoder_strings(Run& r);
// string_move.cc: data-movement ops run by their registry kernel on
// element numbers.
bool is_move_op(const std::string& op);
void move_strings(Run& r);
// Attribute checks done at compile time (empty: fine, else the reason).
std::string normalizer_check(const ir::Attributes& a);
std::string regex_check(const ir::Attributes& a);
std::string cast_check(ir::DType from, ir::DType to);
std::string label_encoder_check(const ir::Attributes& a);
std::string ml_string_check(const ir::Graph& g, const ir::Node& n);
std::string move_check(const ir::Graph& g, const ir::Node& n);

}  // namespace rnpu::cpu::str
