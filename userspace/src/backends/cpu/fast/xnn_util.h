// XNNPACK plumbing: one-time initialisation, owned operators, status checks.
#pragma once

#include <xnnpack.h>

#include <memory>
#include <string>

namespace rnpu::cpu::fast {

// True once xnn_initialize succeeded (it fails on CPUs without SSE2 etc.);
// `why` says why not.
bool xnn_ready(std::string* why = nullptr);

struct XnnDeleter {
  void operator()(xnn_operator_t op) const { xnn_delete_operator(op); }
};
using XnnOp = std::unique_ptr<xnn_operator, XnnDeleter>;

// Throws KernelError "XNNPACK <what> failed (status N)" unless ok.
void xnn_check(xnn_status s, const char* what);

}  // namespace rnpu::cpu::fast
