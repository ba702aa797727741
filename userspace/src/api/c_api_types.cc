// The C API's type and kind names, in an object of their own: a program
// that links the static library only for them (the .npy reader of
// rnpu-npy-compare, through rnpu.hpp's data_type_size) does not pull in the
// session layer and with it the whole runtime.
#include "ir/dtype.h"
#include "ir/sequence.h"
#include "rnpu/rnpu.h"

size_t rnpu_dtype_size(rnpu_dtype t) {
  return rnpu::ir::dtype_size(rnpu::DataType(t));
}

const char* rnpu_dtype_name(rnpu_dtype t) {
  return rnpu::ir::dtype_name(rnpu::DataType(t));
}

const char* rnpu_value_kind_name(rnpu_value_kind k) {
  return rnpu::ir::kind_name(rnpu::ValueKind(k));
}
