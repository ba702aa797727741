#include "rnpu/rnpu.hpp"

namespace rnpu {

const char* error_code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kMalformedModel:
      return "malformed model";
    case ErrorCode::kUnsupportedOp:
      return "unsupported op";
    case ErrorCode::kShapeMismatch:
      return "shape mismatch";
    case ErrorCode::kDevice:
      return "device error";
    case ErrorCode::kOutOfMemory:
      return "out of memory";
    case ErrorCode::kIo:
      return "I/O error";
    case ErrorCode::kBackendUnavailable:
      return "backend unavailable";
    case ErrorCode::kRuntime:
      return "runtime error";
    case ErrorCode::kInternal:
      return "internal error";
    case ErrorCode::kUnsupported:
      return "unsupported by this library version";
  }
  return "unknown error";
}

namespace {

std::string compose(const std::string& reason, const std::string& node, const std::string& op,
                    const std::string& hint) {
  std::string m;
  if (!node.empty() || !op.empty()) m = "node '" + node + "' (" + op + "): ";
  m += reason;
  if (!hint.empty()) m += "; backend '" + hint + "' would take it";
  return m;
}

}  // namespace

Error::Error(ErrorCode code, std::string reason, std::string node, std::string op,
             std::string backend_hint)
    : std::runtime_error(compose(reason, node, op, backend_hint)),
      code_(code),
      reason_(std::move(reason)),
      node_(std::move(node)),
      op_(std::move(op)),
      backend_hint_(std::move(backend_hint)) {}

}  // namespace rnpu
