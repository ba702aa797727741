#include "vk_backend.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>

#include "ops.h"
#include "passes/claim.h"
#include "passes/pipeline.h"
#include "pipeline_cache_file.h"

namespace rnpu::vk {

namespace {

bool quant_op(const std::string& op) {
  return op == "QuantizeLinear" || op == "DequantizeLinear";
}

std::string cost_file(const DeviceInfo& info) {
  std::string f = default_cache_file(info);
  if (f.size() > 4) f.replace(f.size() - 4, 4, ".cost");
  return f;
}

// One line: magic, format, driver version, kernel family, the three rates.
bool load_rates(const std::string& file, const DeviceInfo& info, const Caps& caps, Rates* r) {
  std::ifstream in(file);
  std::string magic, family;
  unsigned ver = 0, drv = 0;
  if (!(in >> magic >> ver >> drv >> family >> r->dispatch_ns >> r->flops_per_ns >>
        r->bytes_per_ns))
    return false;
  if (magic != "rnpu-vulkan-cost" || ver != 2 || drv != info.driver_version ||
      family != (caps.cpu_kernels ? "cpu" : "gpu"))
    return false;
  if (!(r->dispatch_ns > 0 && r->flops_per_ns > 0 && r->bytes_per_ns > 0)) return false;
  r->measured = true;
  r->source = "cached " + file;
  return true;
}

void save_rates(const std::string& file, const DeviceInfo& info, const Caps& caps, const Rates& r) {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, "rnpu-vulkan-cost 2 %u %s %.6g %.6g %.6g\n",
                        info.driver_version, caps.cpu_kernels ? "cpu" : "gpu", r.dispatch_ns,
                        r.flops_per_ns, r.bytes_per_ns);
  std::string why;
  write_file_atomic(file, std::vector<uint8_t>(buf, buf + n), &why);
}

// Conservative rates when calibration is impossible.
Rates default_rates(const DeviceInfo& info) {
  Rates r;
  if (info.vk_type == VK_PHYSICAL_DEVICE_TYPE_CPU) {
    r = {20000, 5, 2, false, ""};
  } else if (info.vk_type == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU) {
    r = {5000, 2000, 200, false, ""};
  } else {
    r = {8000, 200, 30, false, ""};
  }
  r.source = "default for a " + info.type + " device";
  return r;
}

}  // namespace

VulkanBackend::~VulkanBackend() = default;

VulkanBackend::Config VulkanBackend::env_config() {
  Config c;
  if (const char* k = std::getenv("RNPU_VULKAN_KERNELS"); k && *k) c.kernels = k;
  if (const char* e = std::getenv("RNPU_VULKAN_FORCE_STAGING"); e && *e == '1')
    c.force_staging = true;
  return c;
}

void VulkanBackend::init() const {
  std::lock_guard<std::mutex> lock(init_mu_);
  long pid = long(getpid());
  if (init_pid_ == pid) return;
  if (init_pid_ != 0 && dev_) {
    // A forked child: the parent's device, its driver threads and mappings
    // are unusable here and must not be destroyed either.  Leak them and
    // open the device again in this process.
    new std::shared_ptr<Device>(std::move(dev_));
  }
  init_pid_ = pid;
  dev_.reset();
  why_.clear();
  [this] {
    if (const char* e = std::getenv("RNPU_VULKAN"); e && std::strcmp(e, "0") == 0) {
      why_ = "disabled by RNPU_VULKAN=0";
      return;
    }
    try {
      auto ctx = Context::create(&why_);
      if (!ctx) return;
      auto d = std::make_shared<Device>();
      d->ctx = ctx;
      d->alloc = std::make_shared<Allocator>(ctx, config_.force_staging);
      d->pipes = std::make_shared<Pipelines>(ctx, default_cache_file(ctx->info));
      d->caps.fp16_storage = ctx->info.fp16_storage;
      d->caps.limits = ctx->limits;
      d->caps.cpu_kernels = ctx->info.vk_type == VK_PHYSICAL_DEVICE_TYPE_CPU;
      if (config_.kernels == "cpu") d->caps.cpu_kernels = true;
      if (config_.kernels == "gpu") d->caps.cpu_kernels = false;
      dev_ = d;
    } catch (const std::exception& e) {
      why_ = std::string("Vulkan initialisation failed: ") + e.what();
      dev_.reset();
    }
  }();
}

bool VulkanBackend::available() const {
  init();
  return dev_ != nullptr;
}

std::shared_ptr<Device> VulkanBackend::device() const {
  init();
  return dev_;
}

std::string VulkanBackend::description() const {
  init();
  if (!dev_) return "no Vulkan device: " + why_;
  std::string d = dev_->ctx->description();
  d += std::string("; ") + (dev_->caps.cpu_kernels ? "cpu" : "gpu") + " kernels";
  if (!dev_->alloc->unified()) d += "; staged I/O";
  Pipelines::Stats ps = dev_->pipes->stats();
  d += "; pipeline cache " + (ps.cache_file.empty() ? std::string("disabled")
                                                    : ps.cache_file + " (" + ps.cache_status + ")");
  return d;
}

Tolerance VulkanBackend::tolerance(ir::DType t) const {
  switch (t) {
    case ir::DType::kFloat32:
      return {1e-3, 1e-3};
    case ir::DType::kFloat16:
    case ir::DType::kBFloat16:
      return {1e-2, 1e-2};
    case ir::DType::kInt8:
    case ir::DType::kUInt8:
      return {1, 0};
    default:
      return {0, 0};
  }
}

Support VulkanBackend::supports(const ir::Graph& g, const ir::Node& n) const {
  try {
    init();
    if (!dev_) return Support::no("no Vulkan device");
    if (!n.domain.empty() && n.domain != "ai.onnx")
      return Support::no("domain '" + n.domain + "' unsupported");
    if (n.layout == ir::Layout::kNHWC) return Support::no("NHWC node layout unsupported");
    if (ir::DType t = ir::narrow_type_of(g, n); t != ir::DType::kUndefined)
      return Support::no(std::string("element type ") + ir::dtype_name(t) + " unsupported");
    const OpImpl* op = find_op(n.op);
    if (!op) return Support::no("no Vulkan kernel for " + n.op);
    for (const auto& [k, a] : n.attrs.all()) {
      if (k.rfind("rnpu.", 0) != 0) continue;
      if (!op->fused_activation ||
          (k != "rnpu.activation" && k != "rnpu.activation_alpha" && k != "rnpu.activation_beta"))
        return Support::no("attribute " + k + " unsupported");
    }
    std::vector<uint32_t> spec;
    if (!activation_spec(n, &spec)) return Support::no("fused activation unsupported");
    for (const auto& [k, a] : n.attrs.all())
      if (a.kind == ir::Attribute::Kind::kGraph)
        return Support::no("graph attributes (control flow) unsupported");
    if (!quant_op(n.op)) {
      for (ir::ValueId v : n.inputs)
        if (v != ir::kNoValue && g.value(v).quant)
          return Support::no("quantized inputs unsupported");
      for (ir::ValueId v : n.outputs)
        if (v != ir::kNoValue && g.value(v).quant)
          return Support::no("quantized outputs unsupported");
    }
    for (ir::ValueId v : n.outputs)
      if (v != ir::kNoValue && g.value(v).layout == ir::Layout::kNHWC)
        return Support::no("NHWC values unsupported");
    return op->check(g, n, dev_->caps);
  } catch (const std::exception& e) {
    return Support::no(std::string("cannot check: ") + e.what());
  }
}

std::vector<NodeGroup> VulkanBackend::claim(const ir::Graph& g) const {
  return passes::claim_rewrites(g, *this, {.qdq = false, .fusion = true});
}

int VulkanBackend::optimize(ir::Graph& sub) const {
  // QDQ regions run as DequantizeLinear -> float op -> QuantizeLinear; the
  // constant int8 weights are dequantised once here, not every run.
  passes::FoldOptions fo;
  fo.keep_qdq = false;
  int n = passes::fold_constants(sub, fo);
  return n + passes::optimize_rewrites(sub, *this, {.qdq = false, .fusion = true});
}

const Rates& VulkanBackend::rates() const {
  std::call_once(rates_once_, [this] {
    init();
    if (!dev_) return;
    const DeviceInfo& info = dev_->ctx->info;
    std::string file = cost_file(info);
    const char* re = std::getenv("RNPU_VULKAN_RECALIBRATE");
    bool force = re && std::strcmp(re, "1") == 0;
    if (!file.empty() && !force && load_rates(file, info, dev_->caps, &rates_)) return;
    try {
      rates_ = calibrate(dev_);
      if (!file.empty()) save_rates(file, info, dev_->caps, rates_);
    } catch (const std::exception&) {
      rates_ = default_rates(info);
    }
  });
  return rates_;
}

double VulkanBackend::estimate_cost_ns(const ir::Graph& g, const ir::Node& n) const {
  try {
    if (!available()) return -1;
    return estimate_ns(rates(), g, n);
  } catch (const std::exception&) {
    return -1;
  }
}

std::unique_ptr<Program> VulkanBackend::compile(const ir::Graph& subgraph,
                                                const CompileOptions& o) {
  init();
  if (!dev_) throw Error(ErrorCode::kBackendUnavailable, "vulkan: " + why_);
  return std::make_unique<VulkanProgram>(dev_, subgraph, o);
}

void VulkanBackend::run(Program& p, RunContext& ctx) {
  static_cast<VulkanProgram&>(p).run(ctx);
}

void VulkanBackend::read_outputs(Program& p, RunContext& ctx) {
  static_cast<VulkanProgram&>(p).read_outputs(ctx);
}

}  // namespace rnpu::vk

namespace rnpu::backends {

void register_vulkan(BackendRegistry& r) {
  r.add("vulkan", 30, [] { return std::make_unique<vk::VulkanBackend>(); });
}

}  // namespace rnpu::backends
