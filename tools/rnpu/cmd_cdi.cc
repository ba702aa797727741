// rnpu cdi: Container Device Interface specs for the rnpu accel nodes, so
// podman, docker >= 25, containerd and k3s can hand an NPU to a container
// by name (--device rnpu.dev/npu=0).  See docs/deployment.md.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cdi_spec.h"
#include "cdi_sysfs.h"
#include "cli.h"

#ifndef RNPU_INSTALL_LIBDIR
#define RNPU_INSTALL_LIBDIR "/usr/local/lib"
#endif

namespace rnpu::cli {
namespace {

constexpr const char* kLibName = "librnpu.so.0";

std::vector<OptionSpec> common_specs() {
  return {{"--kind", "", "K", "CDI kind VENDOR/CLASS (default rnpu.dev/npu)"},
          {"--sysfs", "", "ROOT", "sysfs to read class/accel from (default /sys)"},
          {"--dev", "", "ROOT", "where the host's accel/accelN nodes are (default /dev)"}};
}

std::vector<AccelNode> nodes_from(const Args& args) {
  try {
    return find_accel_nodes(args.get("--sysfs", "/sys"), args.get("--dev", "/dev"));
  } catch (const CdiError& e) {
    throw CliError(kExitRuntime, e.what());
  }
}

std::string kind_from(const Args& args) {
  std::string kind = args.get("--kind", kCdiDefaultKind);
  try {
    validate_cdi_kind(kind);
  } catch (const CdiError& e) {
    throw UsageError(e.what());
  }
  return kind;
}

// The host's librnpu for thin images: the file the loader would find
// first among the install libdir and Debian's library directories.
std::string find_librnpu() {
  for (const char* dir : {RNPU_INSTALL_LIBDIR, "/usr/lib/x86_64-linux-gnu",
                          "/usr/lib/aarch64-linux-gnu", "/usr/local/lib", "/usr/lib"}) {
    std::string p = std::string(dir) + "/" + kLibName;
    if (::access(p.c_str(), R_OK) == 0) return p;
  }
  throw CliError(kExitRuntime, std::string("--mount-librnpu: no readable ") + kLibName + " in " +
                                   RNPU_INSTALL_LIBDIR +
                                   ", /usr/lib/<triplet>, /usr/local/lib or /usr/lib "
                                   "(install librnpu or name it with --librnpu FILE)");
}

// Mounted at the path it has on the host, from the file it resolves to (a
// bind mount of a symlink would bind the link's target anyway).
CdiMount librnpu_mount(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) throw CliError(kExitRuntime, "--librnpu " + path + ": " + std::strerror(errno));
  std::string host = real;
  std::free(real);
  if (::access(host.c_str(), R_OK) != 0)
    throw CliError(kExitRuntime, "--librnpu " + host + ": " + std::strerror(errno));
  std::string container = path;
  if (container.empty() || container[0] != '/') container = host;
  return {host, container};
}

int cdi_generate(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = {
      {"--output", "-o", "FILE", "write the spec to FILE atomically (default: standard output)"},
      {"--format", "", "FMT", "yaml (default) or json"},
      {"--mount-librnpu", "", "", "mount the host's librnpu.so.0 read-only (thin images)"},
      {"--librnpu", "", "FILE", "that library file instead of the one found (implies the mount)"}};
  for (OptionSpec& s : common_specs()) specs.push_back(std::move(s));
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help(
        "rnpu cdi generate [OPTIONS]",
        "Writes a CDI spec (cdiVersion 0.5.0) for every /sys/class/accel/accelN bound to the "
        "rnpu\ndriver: devices named by index (\"0\"), by stable name (\"pci-0000-00-04.0\") and "
        "\"all\",\neach with its device node and RNPU_DEVICE.  With --output and no device, "
        "FILE is\nremoved so that engines stop offering devices that are gone.",
        specs);
    return kExitOk;
  }
  if (!args.positionals.empty())
    throw UsageError("unexpected argument '" + args.positionals[0] + "'");
  std::string fmt = args.get("--format", "yaml");
  if (fmt != "yaml" && fmt != "json")
    throw UsageError("--format: expected yaml or json, got '" + fmt + "'");
  CdiSpecOptions opts;
  opts.kind = kind_from(args);
  if (args.has("--librnpu"))
    opts.mounts.push_back(librnpu_mount(args.get("--librnpu")));
  else if (args.has("--mount-librnpu"))
    opts.mounts.push_back(librnpu_mount(find_librnpu()));

  std::vector<AccelNode> nodes = nodes_from(args);
  std::string out = args.get("--output");
  if (nodes.empty()) {
    if (out.empty()) throw CliError(kExitBackend, "no accel node bound to the rnpu driver");
    if (::unlink(out.c_str()) != 0 && errno != ENOENT)
      throw CliError(kExitRuntime, "cannot remove " + out + ": " + std::strerror(errno));
    std::cerr << "rnpu cdi generate: no rnpu device; " << out << " removed\n";
    return kExitOk;
  }
  std::string text;
  try {
    text = cdi_spec(nodes, opts, fmt == "json" ? CdiFormat::kJson : CdiFormat::kYaml);
    if (out.empty()) {
      std::cout << text << std::flush;
      if (!std::cout) throw CliError(kExitRuntime, "cannot write the spec to standard output");
    } else {
      write_file_atomically(out, text);
    }
  } catch (const CdiError& e) {
    throw CliError(kExitRuntime, e.what());
  }
  return kExitOk;
}

int cdi_list(std::span<const std::string> argv) {
  std::vector<OptionSpec> specs = common_specs();
  Args args = parse_args(specs, argv);
  if (args.has("--help")) {
    std::cout << format_help("rnpu cdi list [OPTIONS]",
                             "Lists the CDI device names `rnpu cdi generate` would write, with "
                             "each node's path,\nhost node and major:minor.",
                             specs);
    return kExitOk;
  }
  if (!args.positionals.empty())
    throw UsageError("unexpected argument '" + args.positionals[0] + "'");
  std::string kind = kind_from(args);
  std::vector<AccelNode> nodes = nodes_from(args);
  if (nodes.empty()) throw CliError(kExitBackend, "no accel node bound to the rnpu driver");
  for (const AccelNode& n : nodes) {
    std::string numbers = std::to_string(n.major) + ":" + std::to_string(n.minor);
    for (const std::string& name : {std::to_string(n.index), n.stable_name})
      std::cout << kind << "=" << name << "  " << n.node_path << "  " << numbers << "  "
                << n.host_path << "\n";
  }
  std::cout << kind << "=all  (" << nodes.size() << " node" << (nodes.size() == 1 ? "" : "s")
            << ")\n";
  return kExitOk;
}

}  // namespace

int cmd_cdi(std::span<const std::string> argv) {
  std::string sub = argv.empty() ? "" : argv[0];
  if (sub == "generate") return cdi_generate(argv.subspan(1));
  if (sub == "list") return cdi_list(argv.subspan(1));
  if (sub == "--help" || sub == "-h") {
    std::cout << "Usage: rnpu cdi generate|list [OPTIONS]\n\n"
                 "  generate  write a CDI spec for the rnpu devices (yaml or json)\n"
                 "  list      list the CDI device names and their nodes\n\n"
                 "'rnpu cdi generate --help' describes the options.\n";
    return kExitOk;
  }
  throw UsageError(sub.empty() ? "expected a subcommand: generate or list"
                               : "unknown subcommand '" + sub + "': expected generate or list");
}

}  // namespace rnpu::cli
