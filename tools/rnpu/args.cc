#include "args.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace rnpu::cli {

std::string Args::get(std::string_view name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? def : it->second.back();
}

const std::vector<std::string>& Args::all(std::string_view name) const {
  static const std::vector<std::string> none;
  auto it = values_.find(name);
  return it == values_.end() ? none : it->second;
}

int64_t Args::get_int(std::string_view name, int64_t def, int64_t lo, int64_t hi) const {
  if (!has(name)) return def;
  return parse_int(get(name), name, lo, hi);
}

int64_t parse_int(std::string_view text, std::string_view what, int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v < lo || v > hi) {
    std::ostringstream os;
    os << what << ": expected an integer";
    if (hi == INT64_MAX)
      os << " >= " << lo;
    else
      os << " in [" << lo << ", " << hi << "]";
    os << ", got '" << text << "'";
    throw UsageError(os.str());
  }
  return v;
}

Args parse_args(std::span<const OptionSpec> specs, std::span<const std::string> argv) {
  Args a;
  auto find = [&](std::string_view name) -> const OptionSpec* {
    for (const OptionSpec& s : specs)
      if (s.name == name || (!s.short_name.empty() && s.short_name == name)) return &s;
    return nullptr;
  };
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      a.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      a.values_["--help"].push_back("");
      continue;
    }
    std::string name = arg, value;
    bool inline_value = false;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    const OptionSpec* spec = find(name);
    if (!spec) {
      std::string known;
      for (const OptionSpec& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      throw UsageError("unknown option '" + name + "'" +
                       (known.empty() ? "" : " (options: " + known + ")"));
    }
    if (spec->metavar.empty()) {
      if (inline_value) throw UsageError(spec->name + " takes no value");
    } else if (!inline_value) {
      if (i + 1 >= argv.size())
        throw UsageError(spec->name + " needs a value (" + spec->metavar + ")");
      value = argv[++i];
    }
    auto& slot = a.values_[spec->name];
    if (!slot.empty() && !spec->repeatable) throw UsageError(spec->name + " given more than once");
    slot.push_back(value);
  }
  return a;
}

std::string format_help(const std::string& usage, const std::string& description,
                        std::span<const OptionSpec> specs) {
  std::ostringstream os;
  os << "Usage: " << usage << "\n\n" << description << "\n";
  if (specs.empty()) return os.str();
  os << "\nOptions:\n";
  std::vector<std::string> lefts;
  size_t width = 0;
  for (const OptionSpec& s : specs) {
    std::string l = s.short_name.empty() ? s.name : s.short_name + ", " + s.name;
    if (!s.metavar.empty()) l += " " + s.metavar;
    width = std::max(width, l.size());
    lefts.push_back(l);
  }
  for (size_t i = 0; i < specs.size(); ++i)
    os << "  " << lefts[i] << std::string(width - lefts[i].size() + 2, ' ') << specs[i].help
       << "\n";
  os << "  -h, --help" << std::string(width > 10 ? width - 10 + 2 : 2, ' ') << "this help\n";
  return os.str();
}

std::pair<std::string, std::string> split_assignment(std::string_view text, std::string_view opt) {
  size_t eq = text.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size())
    throw UsageError(std::string(opt) + ": expected NAME=VALUE, got '" + std::string(text) + "'");
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::vector<int64_t> parse_dims(std::string_view text, std::string_view what) {
  std::vector<int64_t> dims;
  if (text.empty()) return dims;
  size_t p = 0;
  for (;;) {
    size_t q = text.find_first_of("x,", p);
    std::string_view part = text.substr(p, q == std::string_view::npos ? text.npos : q - p);
    dims.push_back(parse_int(part, std::string(what) + " dimension", 0, INT64_MAX));
    if (q == std::string_view::npos) break;
    p = q + 1;
  }
  return dims;
}

std::vector<std::string> parse_backends(std::string_view spec,
                                        const std::vector<BackendInfo>& registered) {
  std::vector<std::string> out;
  if (spec == "auto") return out;
  size_t p = 0;
  for (;;) {
    size_t q = spec.find(',', p);
    std::string name(spec.substr(p, q == std::string_view::npos ? spec.npos : q - p));
    bool known = std::any_of(registered.begin(), registered.end(),
                             [&](const BackendInfo& b) { return b.name == name; });
    if (!known || name.empty()) {
      std::string list = "auto";
      for (const BackendInfo& b : registered)
        list += ", " + b.name + (b.available ? "" : " (unavailable)");
      throw UsageError("unknown backend '" + name + "'; available: " + list);
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    if (q == std::string_view::npos) break;
    p = q + 1;
  }
  return out;
}

}  // namespace rnpu::cli
