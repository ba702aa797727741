#include "cdi_sysfs.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rnpu::cli {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// Basename of the directory a sysfs link resolves to (realpath, since a
// link's text may end in ".."); empty when it does not exist (ENOENT: an
// unbound device has no driver link), CdiError for any other failure.
std::string link_basename(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) {
    if (errno == ENOENT) return {};
    throw CdiError("cannot resolve " + path + ": " + errno_text());
  }
  std::string target = real;
  std::free(real);
  size_t slash = target.find_last_of('/');
  return slash == std::string::npos ? target : target.substr(slash + 1);
}

// "<major>:<minor>\n" from a sysfs dev file.
void read_dev_numbers(const std::string& path, unsigned& major, unsigned& minor) {
  errno = 0;
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text))
    throw CdiError("cannot read " + path + (errno ? ": " + errno_text() : std::string()));
  unsigned long ma = 0, mi = 0;
  char colon = 0, extra = 0;
  std::istringstream s(text);
  if (!(s >> ma >> colon >> mi) || colon != ':' || (s >> extra) || ma > 0xfff || mi > 0xfffff)
    throw CdiError(path + ": expected <major>:<minor>, found '" + text + "'");
  major = unsigned(ma);
  minor = unsigned(mi);
}

// The host node must be the character device sysfs describes: a spec that
// names another node would hand the container the wrong device.
void check_host_node(const AccelNode& n) {
  struct stat st;
  if (::stat(n.host_path.c_str(), &st) != 0)
    throw CdiError("sysfs lists accel" + std::to_string(n.index) + " (" + std::to_string(n.major) +
                   ":" + std::to_string(n.minor) + ") but " + n.host_path +
                   " cannot be read: " + errno_text());
  if (!S_ISCHR(st.st_mode)) throw CdiError(n.host_path + " is not a character device");
  if (::major(st.st_rdev) != n.major || ::minor(st.st_rdev) != n.minor)
    throw CdiError(n.host_path + " is " + std::to_string(::major(st.st_rdev)) + ":" +
                   std::to_string(::minor(st.st_rdev)) + " but sysfs says " +
                   std::to_string(n.major) + ":" + std::to_string(n.minor));
}

bool accel_index(const char* name, unsigned& index) {
  if (std::strncmp(name, "accel", 5) != 0 || name[5] == '\0') return false;
  unsigned long v = 0;
  for (const char* p = name + 5; *p; ++p) {
    if (*p < '0' || *p > '9' || v > 100000) return false;
    v = v * 10 + unsigned(*p - '0');
  }
  index = unsigned(v);
  return true;
}

}  // namespace

std::string cdi_stable_name(const std::string& bus, const std::string& device) {
  std::string out = bus.empty() ? device : bus + "-" + device;
  for (char& c : out) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == ':')
      c = '-';
    else if (!alnum && c != '-' && c != '_' && c != '.')
      c = '_';
  }
  return out;
}

std::vector<AccelNode> find_accel_nodes(const std::string& sysfs_root, const std::string& dev_root,
                                        const std::string& driver) {
  std::string class_dir = sysfs_root + "/class/accel";
  std::vector<AccelNode> nodes;
  DIR* d = ::opendir(class_dir.c_str());
  if (!d) {
    if (errno == ENOENT) return nodes;  // no accel driver loaded at all
    throw CdiError("cannot list " + class_dir + ": " + errno_text());
  }
  std::vector<std::pair<unsigned, std::string>> entries;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    unsigned index;
    if (accel_index(e->d_name, index)) entries.emplace_back(index, e->d_name);
    errno = 0;
  }
  int read_errno = errno;
  ::closedir(d);
  if (read_errno) throw CdiError("cannot list " + class_dir + ": " + std::strerror(read_errno));
  std::sort(entries.begin(), entries.end());

  for (const auto& [index, name] : entries) {
    std::string entry = class_dir + "/" + name;
    if (link_basename(entry + "/device/driver") != driver) continue;
    AccelNode n;
    n.index = index;
    read_dev_numbers(entry + "/dev", n.major, n.minor);
    std::string device = link_basename(entry + "/device");
    if (device.empty()) throw CdiError(entry + "/device: no such link");
    n.stable_name = cdi_stable_name(link_basename(entry + "/device/subsystem"), device);
    n.node_path = "/dev/accel/" + name;
    n.host_path = dev_root + "/accel/" + name;
    check_host_node(n);
    nodes.push_back(std::move(n));
  }
  return nodes;
}

}  // namespace rnpu::cli
