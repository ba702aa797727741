// Command-line parsing for the rnpu subcommands: options declared per
// subcommand, "--opt value" / "--opt=value" / "-o value", "--" ends options.
// Every problem is a UsageError whose message says what was expected.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rnpu/rnpu.hpp"

namespace rnpu::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;        // "--threads"
  std::string short_name;  // "-o" or empty
  std::string metavar;     // "N"; empty for a flag without value
  std::string help;
  bool repeatable = false;
};

class Args {
 public:
  bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }
  // The (last) value of an option, or `def` when absent.
  std::string get(std::string_view name, const std::string& def = {}) const;
  const std::vector<std::string>& all(std::string_view name) const;
  // Integer option within [lo, hi]; a bad value is a UsageError naming the option.
  int64_t get_int(std::string_view name, int64_t def, int64_t lo, int64_t hi) const;

  std::vector<std::string> positionals;

 private:
  friend Args parse_args(std::span<const OptionSpec>, std::span<const std::string>);
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// `argv` holds the arguments after the subcommand name.  "--help"/"-h" are
// recorded as the flag "--help" whether declared or not.
Args parse_args(std::span<const OptionSpec> specs, std::span<const std::string> argv);

// "Usage: ...", a description and an aligned option table.
std::string format_help(const std::string& usage, const std::string& description,
                        std::span<const OptionSpec> specs);

int64_t parse_int(std::string_view text, std::string_view what, int64_t lo, int64_t hi);
// "NAME=VALUE" -> {NAME, VALUE}; both parts must be non-empty.
std::pair<std::string, std::string> split_assignment(std::string_view text, std::string_view opt);
// "1x3x224x224" or "1,3,224,224" (a scalar is ""); dims >= 0.
std::vector<int64_t> parse_dims(std::string_view text, std::string_view what);

// "--backend" values: "auto" (empty list) or a comma-separated preference
// list of registered backend names.  Unknown names are a UsageError listing
// the registered backends and whether each is available.
std::vector<std::string> parse_backends(std::string_view spec,
                                        const std::vector<BackendInfo>& registered);

}  // namespace rnpu::cli
