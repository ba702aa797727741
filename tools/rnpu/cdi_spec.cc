#include "cdi_spec.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <variant>

namespace rnpu::cli {
namespace {

// The small document model both writers walk: strings, integers, lists and
// ordered maps.  YAML is written with JSON's string quoting, which YAML's
// double-quoted scalars accept, so neither writer needs a library.
struct Node;
using List = std::vector<Node>;
using Map = std::vector<std::pair<std::string, Node>>;
struct Node {
  std::variant<std::string, long long, List, Map> v;
  Node(std::string s) : v(std::move(s)) {}
  Node(const char* s) : v(std::string(s)) {}
  Node(long long i) : v(i) {}
  Node(List l) : v(std::move(l)) {}
  Node(Map m) : v(std::move(m)) {}
};

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

void json(const Node& n, int depth, std::string& out) {
  std::string pad(size_t(depth + 1) * 2, ' '), end(size_t(depth) * 2, ' ');
  if (auto* s = std::get_if<std::string>(&n.v)) {
    out += quote(*s);
  } else if (auto* i = std::get_if<long long>(&n.v)) {
    out += std::to_string(*i);
  } else if (auto* l = std::get_if<List>(&n.v)) {
    out += "[";
    for (size_t k = 0; k < l->size(); ++k) {
      out += (k ? ",\n" : "\n") + pad;
      json((*l)[k], depth + 1, out);
    }
    out += l->empty() ? "]" : "\n" + end + "]";
  } else {
    const Map& m = std::get<Map>(n.v);
    out += "{";
    for (size_t k = 0; k < m.size(); ++k) {
      out += (k ? ",\n" : "\n") + pad + quote(m[k].first) + ": ";
      json(m[k].second, depth + 1, out);
    }
    out += m.empty() ? "}" : "\n" + end + "}";
  }
}

bool is_scalar(const Node& n) {
  return std::holds_alternative<std::string>(n.v) || std::holds_alternative<long long>(n.v);
}

// Block style: "key: scalar", "key:" + indented block, "- item".  Empty
// lists and maps never occur in a spec built here (see build()).
void yaml(const Node& n, int indent, std::string& out) {
  std::string pad(size_t(indent), ' ');
  if (auto* l = std::get_if<List>(&n.v)) {
    for (const Node& item : *l) {
      out += pad + "-";
      if (is_scalar(item)) {
        out += " ";
        json(item, 0, out);
        out += "\n";
      } else if (auto* m = std::get_if<Map>(&item.v)) {
        // First key on the dash line, the others aligned under it.
        std::string inner;
        yaml(Node(*m), indent + 2, inner);
        out += " " + inner.substr(size_t(indent) + 2);
      } else {
        out += "\n";
        yaml(item, indent + 2, out);
      }
    }
    return;
  }
  for (const auto& [key, value] : std::get<Map>(n.v)) {
    out += pad + key + ":";
    if (is_scalar(value)) {
      out += " ";
      json(value, 0, out);
      out += "\n";
    } else {
      out += "\n";
      yaml(value, indent + 2, out);
    }
  }
}

Map node_edit(const AccelNode& n) {
  Map d = {{"path", n.node_path}};
  if (n.host_path != n.node_path) d.emplace_back("hostPath", n.host_path);
  d.emplace_back("type", "c");
  d.emplace_back("major", (long long)n.major);
  d.emplace_back("minor", (long long)n.minor);
  // No "m": a container gets the node, not the right to mknod it.
  d.emplace_back("permissions", "rw");
  return d;
}

Map device(const std::string& name, const std::vector<const AccelNode*>& nodes) {
  List dn;
  for (const AccelNode* n : nodes) dn.emplace_back(node_edit(*n));
  // "all": RNPU_DEVICE names the first node; every node is there.
  Map edits = {{"env", List{Node("RNPU_DEVICE=" + nodes.front()->node_path)}},
               {"deviceNodes", std::move(dn)}};
  return {{"name", name}, {"containerEdits", std::move(edits)}};
}

Node build(const std::vector<AccelNode>& nodes, const CdiSpecOptions& opts) {
  if (nodes.empty()) throw CdiError("no rnpu device: a CDI spec needs at least one device");
  validate_cdi_kind(opts.kind);
  List devices;
  std::vector<const AccelNode*> all;
  for (const AccelNode& n : nodes) {
    devices.emplace_back(device(std::to_string(n.index), {&n}));
    devices.emplace_back(device(n.stable_name, {&n}));
    all.push_back(&n);
  }
  devices.emplace_back(device("all", all));
  Map spec = {{"cdiVersion", kCdiVersion}, {"kind", opts.kind}, {"devices", std::move(devices)}};
  if (!opts.mounts.empty()) {
    List mounts;
    for (const CdiMount& m : opts.mounts)
      mounts.emplace_back(Map{{"hostPath", m.host_path},
                              {"containerPath", m.container_path},
                              {"options", List{"ro", "nosuid", "nodev", "bind"}}});
    spec.emplace_back("containerEdits", Map{{"mounts", std::move(mounts)}});
  }
  return spec;
}

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// cdiVersion 0.5.0: the vendor is a DNS subdomain (alphanumerics, '-', '.'),
// the class alphanumerics, '-', '_' (dots there need 0.6.0).
bool valid_part(const std::string& s, bool is_class) {
  if (s.empty() || s.size() > (is_class ? 63u : 253u) || !alnum(s.front()) || !alnum(s.back()))
    return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != (is_class ? '_' : '.')) return false;
  return true;
}

}  // namespace

void validate_cdi_kind(const std::string& kind) {
  size_t slash = kind.find('/');
  if (slash == std::string::npos || kind.find('/', slash + 1) != std::string::npos ||
      !valid_part(kind.substr(0, slash), false) || !valid_part(kind.substr(slash + 1), true))
    throw CdiError("invalid CDI kind '" + kind +
                   "': expected VENDOR/CLASS such as rnpu.dev/npu (vendor: letters, digits, '-', "
                   "'.'; class: letters, digits, '-', '_'; each part starting and ending with a "
                   "letter or digit)");
}

std::string cdi_spec(const std::vector<AccelNode>& nodes, const CdiSpecOptions& opts,
                     CdiFormat format) {
  Node spec = build(nodes, opts);
  std::string out;
  if (format == CdiFormat::kJson) {
    json(spec, 0, out);
    out += "\n";
  } else {
    out = "# Generated by `rnpu cdi generate`; regenerated when rnpu devices come and go.\n";
    yaml(spec, 0, out);
  }
  return out;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  // A dot name: engines read only *.yaml / *.json from the spec directory.
  std::string tmp = dir + "." + base + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    throw CdiError("cannot create a temporary file in " + dir + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw CdiError(what + " " + tmp + ": " + std::strerror(e));
  };
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    done += size_t(n);
  }
  if (::fchmod(fd, 0644) != 0) fail("cannot chmod");
  if (::fsync(fd) != 0) fail("cannot sync");
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw CdiError("cannot close " + tmp + ": " + std::strerror(e));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw CdiError("cannot rename " + tmp + " to " + path + ": " + std::strerror(e));
  }
}

}  // namespace rnpu::cli
