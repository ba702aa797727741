#include "xnn_util.h"

#include <mutex>

#include "backends/cpu/kernels/kernel.h"
#include "huge_pool.h"

namespace rnpu::cpu::fast {

bool xnn_ready(std::string* why) {
  static xnn_status status = [] { return xnn_initialize(huge_page_allocator()); }();
  if (status != xnn_status_success && why)
    *why = "xnn_initialize failed with status " + std::to_string(int(status));
  return status == xnn_status_success;
}

void xnn_check(xnn_status s, const char* what) {
  if (s != xnn_status_success)
    fail(std::string("XNNPACK ") + what + " failed (status " + std::to_string(int(s)) + ")");
}

}  // namespace rnpu::cpu::fast
