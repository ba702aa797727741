// The accel nodes a CDI spec describes: /sys/class/accel/accel* entries
// bound to the rnpu driver, read from plain sysfs (no ioctl), with the
// device node each one has under the dev root.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace rnpu::cli {

// Anything in sysfs or /dev that cannot be read or does not make sense;
// the message names the file.
struct CdiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct AccelNode {
  unsigned index = 0;       // N of accelN
  std::string stable_name;  // "pci-0000-00-04.0": bus and device name, see docs/deployment.md
  std::string node_path;    // path in the container: /dev/accel/accelN
  std::string host_path;    // the node on the host: <dev root>/accel/accelN
  unsigned major = 0, minor = 0;
};

// Every accel node whose device is bound to `driver`, by index.  A missing
// <sysfs>/class/accel (no accel driver loaded) is no node; an entry that
// cannot be read, a malformed dev file, or a host node that is missing or
// has other numbers than sysfs says is a CdiError.
std::vector<AccelNode> find_accel_nodes(const std::string& sysfs_root, const std::string& dev_root,
                                        const std::string& driver = "rnpu");

// "pci" + "0000:00:04.0" -> "pci-0000-00-04.0": a CDI device name that
// podman's --device (which splits at ':') accepts.
std::string cdi_stable_name(const std::string& bus, const std::string& device);

}  // namespace rnpu::cli
