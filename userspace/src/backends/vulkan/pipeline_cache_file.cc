#include "pipeline_cache_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace rnpu::vk {

namespace {

struct FileHeader {
  char magic[8];
  uint32_t format;
  uint32_t header_size;
  uint32_t vendor_id;
  uint32_t device_id;
  uint32_t driver_version;
  uint32_t reserved;
  uint8_t device_uuid[VK_UUID_SIZE];
  uint8_t pipeline_cache_uuid[VK_UUID_SIZE];
  uint64_t data_size;
  uint64_t data_hash;
};
static_assert(sizeof(FileHeader) == 80, "cache file header layout");

bool mkdirs(const std::string& dir, std::string* why) {
  std::string cur;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!cur.empty() && mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
        *why = "cannot create " + cur + ": " + std::strerror(errno);
        return false;
      }
    }
    if (i < dir.size()) cur += dir[i];
  }
  return true;
}

}  // namespace

uint64_t fnv1a64(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

std::vector<uint8_t> encode_cache_file(const DeviceInfo& dev, const std::vector<uint8_t>& data) {
  FileHeader h{};
  std::memcpy(h.magic, kCacheMagic, sizeof h.magic);
  h.format = kCacheFormat;
  h.header_size = sizeof h;
  h.vendor_id = dev.vendor_id;
  h.device_id = dev.device_id;
  h.driver_version = dev.driver_version;
  std::memcpy(h.device_uuid, dev.device_uuid.data(), VK_UUID_SIZE);
  std::memcpy(h.pipeline_cache_uuid, dev.pipeline_cache_uuid.data(), VK_UUID_SIZE);
  h.data_size = data.size();
  h.data_hash = fnv1a64(data.data(), data.size());
  std::vector<uint8_t> out(sizeof h + data.size());
  std::memcpy(out.data(), &h, sizeof h);
  if (!data.empty()) std::memcpy(out.data() + sizeof h, data.data(), data.size());
  return out;
}

bool decode_cache_file(const DeviceInfo& dev, const std::vector<uint8_t>& file,
                       std::vector<uint8_t>* data, std::string* why) {
  FileHeader h;
  if (file.size() < sizeof h) {
    *why = "truncated header (" + std::to_string(file.size()) + " bytes)";
    return false;
  }
  std::memcpy(&h, file.data(), sizeof h);
  if (std::memcmp(h.magic, kCacheMagic, sizeof h.magic) != 0) {
    *why = "bad magic";
    return false;
  }
  if (h.format != kCacheFormat || h.header_size != sizeof h) {
    *why = "format " + std::to_string(h.format) + " (want " + std::to_string(kCacheFormat) + ")";
    return false;
  }
  if (h.vendor_id != dev.vendor_id || h.device_id != dev.device_id ||
      h.driver_version != dev.driver_version ||
      std::memcmp(h.device_uuid, dev.device_uuid.data(), VK_UUID_SIZE) != 0 ||
      std::memcmp(h.pipeline_cache_uuid, dev.pipeline_cache_uuid.data(), VK_UUID_SIZE) != 0) {
    *why = "written for another device or driver version";
    return false;
  }
  if (h.data_size != file.size() - sizeof h) {
    *why = "data length " + std::to_string(file.size() - sizeof h) + " != header's " +
           std::to_string(h.data_size);
    return false;
  }
  const uint8_t* d = file.data() + sizeof h;
  if (fnv1a64(d, size_t(h.data_size)) != h.data_hash) {
    *why = "checksum mismatch";
    return false;
  }
  // The driver's own header (VkPipelineCacheHeaderVersionOne).
  if (h.data_size < 16 + VK_UUID_SIZE) {
    *why = "driver data too short";
    return false;
  }
  uint32_t vk_hdr[4];
  std::memcpy(vk_hdr, d, sizeof vk_hdr);
  if (vk_hdr[0] < 16 + VK_UUID_SIZE || vk_hdr[0] > h.data_size ||
      vk_hdr[1] != VK_PIPELINE_CACHE_HEADER_VERSION_ONE || vk_hdr[2] != dev.vendor_id ||
      vk_hdr[3] != dev.device_id ||
      std::memcmp(d + 16, dev.pipeline_cache_uuid.data(), VK_UUID_SIZE) != 0) {
    *why = "driver cache header does not match this device";
    return false;
  }
  data->assign(d, d + h.data_size);
  return true;
}

bool read_file(const std::string& path, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !f.bad();
}

bool write_file_atomic(const std::string& path, const std::vector<uint8_t>& data,
                       std::string* why) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && !mkdirs(path.substr(0, slash), why)) return false;
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *why = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t w = write(fd, data.data() + done, data.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      *why = "write " + tmp + ": " + std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    done += size_t(w);
  }
  if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    *why = "cannot replace " + path + ": " + std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace rnpu::vk
