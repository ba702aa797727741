#include "backends/npu/accel_device.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "drm/rnpu_accel.h"
#include "rnpu/types.hpp"

namespace rnpu::npu {
namespace {

[[noreturn]] void fail(const std::string& what, int err) {
  throw Error(ErrorCode::kDevice, what + ": " + std::strerror(err));
}

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The DRM driver name of an open node, or "" when it is not a DRM node.
std::string driver_name(int fd, std::string* version) {
  drmVersionPtr v = drmGetVersion(fd);
  if (!v) return {};
  std::string name(v->name, size_t(v->name_len));
  if (version)
    *version = name + " " + std::to_string(v->version_major) + "." +
               std::to_string(v->version_minor) + "." + std::to_string(v->version_patchlevel);
  drmFreeVersion(v);
  return name;
}

const char* error_name(uint32_t e) {
  switch (e) {
    case DRM_RNPU_ERR_NONE:
      return "none";
    case DRM_RNPU_ERR_INVALID_CMD:
      return "invalid command stream";
    case DRM_RNPU_ERR_MMU_FAULT:
      return "MMU fault";
    case DRM_RNPU_ERR_WATCHDOG:
      return "watchdog (cycle budget exceeded)";
    case DRM_RNPU_ERR_BAD_JOB:
      return "bad job descriptor";
    case DRM_RNPU_ERR_TIMEOUT:
      return "hang: the driver reset the device";
    case DRM_RNPU_ERR_CANCELED:
      return "canceled: context banned after a hang";
    case DRM_RNPU_ERR_DEVICE_LOST:
      return "device lost";
    case DRM_RNPU_ERR_BAD_WRITEBACK:
      return "corrupted completion";
    case DRM_RNPU_ERR_DEPENDENCY:
      return "an input job failed";
    default:
      return "unknown error";
  }
}

}  // namespace

std::vector<std::string> AccelDevice::find() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/dev/accel", ec)) {
    const std::string p = e.path().string();
    if (e.path().filename().string().rfind("accel", 0) != 0) continue;
    int fd = ::open(p.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    if (driver_name(fd, nullptr) == "rnpu") out.push_back(p);
    ::close(fd);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// What `rnpu info` shows of an rnpu device.
constexpr uint32_t kProbedParams[] = {
    DRM_RNPU_PARAM_DEVICE_ID,   DRM_RNPU_PARAM_HW_VERSION,   DRM_RNPU_PARAM_MAC_ROWS,
    DRM_RNPU_PARAM_MAC_COLS,    DRM_RNPU_PARAM_VEC_LANES,    DRM_RNPU_PARAM_SRAM_SIZE,
    DRM_RNPU_PARAM_CMD_VERSION, DRM_RNPU_PARAM_NUM_CONTEXTS, DRM_RNPU_PARAM_FREQ_MIN,
    DRM_RNPU_PARAM_FREQ_MAX,    DRM_RNPU_PARAM_NUM_OPP,      DRM_RNPU_PARAM_DTYPES,
    DRM_RNPU_PARAM_OPS,         DRM_RNPU_PARAM_RESETS,
};

void probe_node(int fd, NodeProbe& n) {
  drmVersionPtr v = drmGetVersion(fd);
  if (!v) {
    n.error = std::string("DRM_IOCTL_VERSION failed: ") + std::strerror(errno);
    return;
  }
  n.driver.assign(v->name, size_t(v->name_len));
  n.have_version = true;
  n.version_major = uint32_t(v->version_major);
  n.version_minor = uint32_t(v->version_minor);
  n.version_patchlevel = uint32_t(v->version_patchlevel);
  drmFreeVersion(v);
  if (n.driver != "rnpu") return;
  int err = 0;
  for (uint32_t p : kProbedParams) {
    drm_rnpu_get_param a{};
    a.param = p;
    if (drmIoctl(fd, DRM_IOCTL_RNPU_GET_PARAM, &a) == 0)
      n.params[p] = a.value;
    else
      err = errno;
  }
  if (n.params.empty()) n.error = std::string("GET_PARAM failed: ") + std::strerror(err);
}

}  // namespace

std::vector<NodeProbe> AccelDevice::probe(const std::string& dir) {
  std::vector<NodeProbe> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().filename().string().rfind("accel", 0) != 0) continue;
    NodeProbe n;
    n.path = e.path().string();
    int fd = ::open(n.path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      n.error = std::string("cannot open: ") + std::strerror(errno);
    } else {
      probe_node(fd, n);
      ::close(fd);
    }
    out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const NodeProbe& a, const NodeProbe& b) {
    return a.path.size() != b.path.size() ? a.path.size() < b.path.size() : a.path < b.path;
  });
  return out;
}

AccelDevice::AccelDevice(int fd, std::string path) : fd_(fd) {
  info_.path = std::move(path);
}

AccelDevice::~AccelDevice() {
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<AccelDevice> AccelDevice::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + path, errno);
  std::string version;
  if (driver_name(fd, &version) != "rnpu") {
    ::close(fd);
    throw Error(ErrorCode::kDevice, path + " is not an rnpu device");
  }
  std::unique_ptr<AccelDevice> d(new AccelDevice(fd, path));
  DeviceInfo& i = d->info_;
  i.driver = version;
  i.hw_version = uint32_t(d->param(DRM_RNPU_PARAM_HW_VERSION));
  i.mac_rows = uint32_t(d->param(DRM_RNPU_PARAM_MAC_ROWS));
  i.mac_cols = uint32_t(d->param(DRM_RNPU_PARAM_MAC_COLS));
  i.vec_lanes = uint32_t(d->param(DRM_RNPU_PARAM_VEC_LANES));
  i.sram_size = d->param(DRM_RNPU_PARAM_SRAM_SIZE);
  i.sram_va = d->param(DRM_RNPU_PARAM_SRAM_VA);
  i.sram_avail = d->param(DRM_RNPU_PARAM_SRAM_AVAIL);
  i.dram_bw = uint32_t(d->param(DRM_RNPU_PARAM_DRAM_BW));
  i.sram_bw = uint32_t(d->param(DRM_RNPU_PARAM_SRAM_BW));
  i.dtypes = d->param(DRM_RNPU_PARAM_DTYPES);
  i.ops = d->param(DRM_RNPU_PARAM_OPS);
  i.cmd_version = uint32_t(d->param(DRM_RNPU_PARAM_CMD_VERSION));
  i.va_start = d->param(DRM_RNPU_PARAM_VA_START);
  i.va_end = d->param(DRM_RNPU_PARAM_VA_END);
  i.freq_min_hz = d->param(DRM_RNPU_PARAM_FREQ_MIN);
  i.freq_max_hz = d->param(DRM_RNPU_PARAM_FREQ_MAX);
  i.num_opp = uint32_t(d->param(DRM_RNPU_PARAM_NUM_OPP));
  return d;
}

uint64_t AccelDevice::param(uint32_t p, uint32_t index) const {
  drm_rnpu_get_param a{};
  a.param = p;
  a.index = index;
  if (drmIoctl(fd_, DRM_IOCTL_RNPU_GET_PARAM, &a))
    fail(info_.path + ": GET_PARAM " + std::to_string(p), errno);
  return a.value;
}

Bo AccelDevice::create_bo(uint64_t size, bool device_ro) {
  drm_rnpu_bo_create c{};
  c.size = size;
  c.flags = device_ro ? DRM_RNPU_BO_DEVICE_RO : 0;
  if (drmIoctl(fd_, DRM_IOCTL_RNPU_BO_CREATE, &c))
    fail(info_.path + ": BO_CREATE of " + std::to_string(size) + " bytes", errno);
  Bo bo;
  bo.handle = c.handle;
  bo.va = c.va;
  bo.size = c.size;
  drm_rnpu_bo_info in{};
  in.handle = c.handle;
  if (drmIoctl(fd_, DRM_IOCTL_RNPU_BO_INFO, &in)) {
    int err = errno;
    destroy_bo(bo);
    fail(info_.path + ": BO_INFO", err);
  }
  void* p = mmap(nullptr, bo.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, off_t(in.mmap_offset));
  if (p == MAP_FAILED) {
    int err = errno;
    destroy_bo(bo);
    fail(info_.path + ": mmap of a BO", err);
  }
  bo.cpu = p;
  return bo;
}

void AccelDevice::destroy_bo(Bo& bo) {
  if (bo.cpu) munmap(bo.cpu, bo.size);
  if (bo.handle) {
    drm_gem_close c{};
    c.handle = bo.handle;
    drmIoctl(fd_, DRM_IOCTL_GEM_CLOSE, &c);
  }
  bo = Bo{};
}

uint64_t AccelDevice::submit(const Bo& cmd, uint64_t offset, uint32_t size,
                             std::span<const BoUse> bos, uint32_t in_sync, uint32_t out_sync,
                             uint32_t budget) {
  std::vector<drm_rnpu_submit_bo> list;
  list.reserve(bos.size() + 1);
  list.push_back({cmd.handle, 0});
  for (const BoUse& u : bos)
    if (u.bo->handle != cmd.handle)
      list.push_back({u.bo->handle, u.write ? uint32_t(DRM_RNPU_SUBMIT_BO_WRITE) : 0u});
  drm_rnpu_sync in{};
  in.handle = in_sync;
  drm_rnpu_submit s{};
  s.cmd_handle = cmd.handle;
  s.cmd_size = size;
  s.cmd_offset = offset;
  s.bos = uint64_t(uintptr_t(list.data()));
  s.bo_count = uint32_t(list.size());
  s.bo_stride = sizeof(drm_rnpu_submit_bo);
  if (in_sync) {
    s.in_syncs = uint64_t(uintptr_t(&in));
    s.in_sync_count = 1;
  }
  s.in_sync_stride = sizeof(drm_rnpu_sync);
  s.out_sync = out_sync;
  s.cycle_budget = budget;
  if (drmIoctl(fd_, DRM_IOCTL_RNPU_SUBMIT, &s)) fail(info_.path + ": SUBMIT", errno);
  return s.seqno;
}

JobResult AccelDevice::wait(uint64_t seqno, int64_t timeout_ns) const {
  drm_rnpu_job_status st{};
  st.seqno = seqno;
  // JOB_STATUS takes an absolute deadline; "forever" is a far one.
  st.timeout_ns = timeout_ns < 0 ? INT64_MAX : now_ns() + timeout_ns;
  if (drmIoctl(fd_, DRM_IOCTL_RNPU_JOB_STATUS, &st)) {
    if (errno == ETIME)
      throw Error(ErrorCode::kDevice, info_.path + ": job " + std::to_string(seqno) +
                                          " did not finish within " +
                                          std::to_string(timeout_ns / 1000000) + " ms");
    fail(info_.path + ": JOB_STATUS", errno);
  }
  JobResult r;
  r.state = st.state;
  r.error = st.error;
  r.err_offset = st.err_offset;
  r.detail = st.detail;
  r.fault_info = st.fault_info;
  r.fault_va = st.fault_va;
  r.cycles = st.cycles;
  r.macs = st.macs;
  r.dram_bytes = st.dram_bytes;
  r.sram_bytes = st.sram_bytes;
  r.submit_ns = st.submit_ns;
  r.start_ns = st.start_ns;
  r.end_ns = st.end_ns;
  return r;
}

uint32_t AccelDevice::create_syncobj() {
  uint32_t h = 0;
  if (drmSyncobjCreate(fd_, 0, &h)) fail(info_.path + ": syncobj create", errno);
  return h;
}

void AccelDevice::destroy_syncobj(uint32_t handle) {
  if (handle) drmSyncobjDestroy(fd_, handle);
}

std::string AccelDevice::describe(const JobResult& r) {
  std::string s = error_name(r.error);
  if (r.error == DRM_RNPU_ERR_MMU_FAULT) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), " at device VA 0x%llx", (unsigned long long)r.fault_va);
    s += buf;
  }
  if (r.error == DRM_RNPU_ERR_INVALID_CMD || r.error == DRM_RNPU_ERR_MMU_FAULT ||
      r.error == DRM_RNPU_ERR_WATCHDOG)
    s += " (command at stream offset " + std::to_string(r.err_offset) + ", device detail " +
         std::to_string(r.detail) + ")";
  return s;
}

}  // namespace rnpu::npu
