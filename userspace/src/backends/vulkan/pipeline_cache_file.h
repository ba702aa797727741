// The on-disk pipeline cache: a header of our own that ties the data to
// one device and driver and checks its integrity, followed by the
// driver's VkPipelineCache data.  A file that fails any check is ignored
// (and replaced on the next save), never handed to the driver.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vk_context.h"

namespace rnpu::vk {

constexpr char kCacheMagic[8] = {'R', 'N', 'P', 'U', 'V', 'K', 'P', 'C'};
constexpr uint32_t kCacheFormat = 1;

// Serialises `data` (from vkGetPipelineCacheData) with the header for `dev`.
std::vector<uint8_t> encode_cache_file(const DeviceInfo& dev, const std::vector<uint8_t>& data);

// Checks a file's bytes against `dev`: our magic, format, header size,
// vendor/device/driver ids, device and pipeline-cache UUIDs, data length and
// FNV-1a hash, and the driver's own VkPipelineCacheHeaderVersionOne.
// Returns the driver data, or false with *why.
bool decode_cache_file(const DeviceInfo& dev, const std::vector<uint8_t>& file,
                       std::vector<uint8_t>* data, std::string* why);

// Whole-file read; false when it cannot be opened.
bool read_file(const std::string& path, std::vector<uint8_t>* out);
// Writes via a temporary file and rename (readers never see a torn file),
// creating directories; false with *why.
bool write_file_atomic(const std::string& path, const std::vector<uint8_t>& data, std::string* why);

uint64_t fnv1a64(const uint8_t* p, size_t n);

}  // namespace rnpu::vk
