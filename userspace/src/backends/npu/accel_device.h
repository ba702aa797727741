// The rnpu accel device as userspace sees it: one open file of
// /dev/accel/accelN (one device context), its parameters, buffer objects
// mapped into the context's device address space, and job submission with
// syncobj fences and per-job status.  A thin, typed layer over the ioctls
// of include/uapi/drm/rnpu_accel.h and libdrm; it knows nothing of graphs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace rnpu::npu {

struct DeviceInfo {
  std::string path;    // /dev/accel/accelN
  std::string driver;  // "rnpu", with version
  uint32_t hw_version = 0;
  uint32_t mac_rows = 0, mac_cols = 0, vec_lanes = 0;
  uint64_t sram_size = 0, sram_va = 0, sram_avail = 0;
  uint32_t dram_bw = 0, sram_bw = 0;  // bytes per cycle
  uint64_t dtypes = 0, ops = 0;       // capability bits (rnpu_cmd.h)
  uint32_t cmd_version = 0;
  uint64_t va_start = 0, va_end = 0;
  uint64_t freq_min_hz = 0, freq_max_hz = 0;
  uint32_t num_opp = 0;
};

// A buffer object: GEM handle, device VA in this context, CPU mapping.
struct Bo {
  uint32_t handle = 0;
  uint64_t va = 0;
  uint64_t size = 0;
  void* cpu = nullptr;
};

struct BoUse {
  const Bo* bo;
  bool write;
};

// Outcome of a job (DRM_IOCTL_RNPU_JOB_STATUS).
struct JobResult {
  uint32_t state = 0;  // DRM_RNPU_JOB_x
  uint32_t error = 0;  // DRM_RNPU_ERR_x
  uint32_t err_offset = 0, detail = 0, fault_info = 0;
  uint64_t fault_va = 0;
  uint64_t cycles = 0, macs = 0, dram_bytes = 0, sram_bytes = 0;
  uint64_t submit_ns = 0, start_ns = 0, end_ns = 0;
};

// An accel node as `rnpu info` (rnpu_device_list_create) shows it, whatever
// drives it.
struct NodeProbe {
  std::string path;    // /dev/accel/accelN
  std::string driver;  // DRM driver name, "" if it could not be asked
  std::string error;   // why the node could not be opened or queried, or ""
  bool have_version = false;
  uint32_t version_major = 0, version_minor = 0, version_patchlevel = 0;
  std::map<uint32_t, uint64_t> params;  // DRM_RNPU_PARAM_x -> value, those the rnpu driver gave
};

class AccelDevice {
 public:
  // Every accel* node of dir, sorted (accel2 before accel10), each asked
  // for its DRM version and, when the rnpu driver drives it, its
  // parameters.  Never throws for a node: its error says what failed.
  static std::vector<NodeProbe> probe(const std::string& dir);
  // Paths of accel nodes whose driver is rnpu, sorted.
  static std::vector<std::string> find();
  // Opens a context; throws rnpu::Error(kDevice) naming the path and errno.
  static std::unique_ptr<AccelDevice> open(const std::string& path);
  ~AccelDevice();
  AccelDevice(const AccelDevice&) = delete;
  AccelDevice& operator=(const AccelDevice&) = delete;

  const DeviceInfo& info() const { return info_; }
  uint64_t param(uint32_t param, uint32_t index = 0) const;

  // Creates, maps into this context and mmaps a BO.  device_ro: the NPU may
  // only read it (weights, command streams).
  Bo create_bo(uint64_t size, bool device_ro);
  void destroy_bo(Bo& bo);

  // Queues a stream; returns the job's seqno.  in_sync/out_sync are
  // syncobj handles (0 = none).  budget: watchdog cycles, 0 = default.
  uint64_t submit(const Bo& cmd, uint64_t offset, uint32_t size, std::span<const BoUse> bos,
                  uint32_t in_sync, uint32_t out_sync, uint32_t budget);
  // Waits for job seqno (timeout_ns relative; < 0: forever) and returns its
  // record.  Throws kDevice on timeout or ioctl failure.
  JobResult wait(uint64_t seqno, int64_t timeout_ns) const;

  uint32_t create_syncobj();
  void destroy_syncobj(uint32_t handle);

  // One line for rnpu info / error messages, e.g. a failed job.
  static std::string describe(const JobResult& r);

 private:
  explicit AccelDevice(int fd, std::string path);
  int fd_ = -1;
  DeviceInfo info_;
};

}  // namespace rnpu::npu
