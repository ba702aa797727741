// A CDI spec (cdiVersion 0.5.0, the newest Debian 12's podman 4.3 reads)
// for the rnpu accel nodes: one device per node by index and by stable
// name, plus "all"; written as JSON or YAML.
#pragma once

#include <string>
#include <vector>

#include "cdi_sysfs.h"

namespace rnpu::cli {

inline constexpr const char* kCdiVersion = "0.5.0";
inline constexpr const char* kCdiDefaultKind = "rnpu.dev/npu";

struct CdiMount {
  std::string host_path, container_path;
};

struct CdiSpecOptions {
  std::string kind = kCdiDefaultKind;
  std::vector<CdiMount> mounts;  // read-only, applied with any device of the spec
};

enum class CdiFormat { kYaml, kJson };

// CdiError for an invalid kind ("vendor.domain/class") or no node: a CDI
// spec needs at least one device with edits.
std::string cdi_spec(const std::vector<AccelNode>& nodes, const CdiSpecOptions& opts,
                     CdiFormat format);

// Throws CdiError unless `kind` is "<vendor>/<class>" as the CDI spec
// defines them (vendor: alphanumerics, '-', '.'; class: also '_').
void validate_cdi_kind(const std::string& kind);

// Writes `content` to a temporary file beside `path`, fsyncs it and renames
// it over `path`, so a container engine reading the spec directory never
// sees half a file.  Mode 0644.  CdiError on any failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace rnpu::cli
