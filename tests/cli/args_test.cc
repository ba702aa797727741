// Argument parsing of the rnpu command.
#include "args.h"

#include <gtest/gtest.h>

namespace rnpu::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"--backend", "-b", "NAME", "backend"},
    {"--input", "-i", "NAME=FILE", "input", true},
    {"--threads", "-t", "N", "threads"},
    {"--json", "", "", "json"},
};

Args parse(std::vector<std::string> v) {
  return parse_args(kSpecs, v);
}

std::string usage_error(std::vector<std::string> v) {
  try {
    parse(v);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Args, OptionsFlagsAndPositionals) {
  Args a = parse(
      {"m.onnx", "--backend", "cpu", "-i", "x=a.npy", "--input=y=b.npy", "--json", "-t", "2"});
  EXPECT_EQ(a.positionals, std::vector<std::string>{"m.onnx"});
  EXPECT_EQ(a.get("--backend"), "cpu");
  EXPECT_EQ(a.all("--input"), (std::vector<std::string>{"x=a.npy", "y=b.npy"}));
  EXPECT_TRUE(a.has("--json"));
  EXPECT_FALSE(a.has("--help"));
  EXPECT_EQ(a.get_int("--threads", 0, 1, 64), 2);
  EXPECT_EQ(a.get("--missing", "dflt"), "dflt");
  EXPECT_EQ(a.get_int("--missing", 7, 1, 64), 7);
}

TEST(Args, DoubleDashAndHelp) {
  Args a = parse({"--", "--json", "-"});
  EXPECT_EQ(a.positionals, (std::vector<std::string>{"--json", "-"}));
  EXPECT_FALSE(a.has("--json"));
  EXPECT_TRUE(parse({"-h"}).has("--help"));
  EXPECT_TRUE(parse({"x", "--help"}).has("--help"));
}

TEST(Args, ErrorsSayWhatWasExpected) {
  EXPECT_EQ(usage_error({"--bogus"}),
            "unknown option '--bogus' (options: --backend, --input, --threads, --json)");
  EXPECT_EQ(usage_error({"--backend"}), "--backend needs a value (NAME)");
  EXPECT_EQ(usage_error({"-b", "cpu", "-b", "vulkan"}), "--backend given more than once");
  EXPECT_EQ(usage_error({"--json=1"}), "--json takes no value");
  Args a = parse({"--threads", "0"});
  try {
    a.get_int("--threads", 0, 1, 64);
    ADD_FAILURE();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--threads: expected an integer in [1, 64], got '0'");
  }
  EXPECT_THROW(parse_int("12abc", "--seed", 0, INT64_MAX), UsageError);
  EXPECT_THROW(parse_int("", "--seed", 0, INT64_MAX), UsageError);
  EXPECT_EQ(parse_int("-3", "x", -5, 5), -3);
}

TEST(Args, Assignments) {
  EXPECT_EQ(split_assignment("input=a/b=c.npy", "--input"),
            (std::pair<std::string, std::string>{"input=a/b", "c.npy"}));
  EXPECT_EQ(split_assignment("x=y.npy", "--input").first, "x");
  EXPECT_THROW(split_assignment("noequals", "--input"), UsageError);
  EXPECT_THROW(split_assignment("=file", "--input"), UsageError);
  EXPECT_THROW(split_assignment("name=", "--input"), UsageError);
}

TEST(Args, Dims) {
  EXPECT_EQ(parse_dims("1x3x224x224", "s"), (std::vector<int64_t>{1, 3, 224, 224}));
  EXPECT_EQ(parse_dims("2,5", "s"), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(parse_dims("0", "s"), (std::vector<int64_t>{0}));
  EXPECT_TRUE(parse_dims("", "s").empty());
  EXPECT_THROW(parse_dims("1xx2", "s"), UsageError);
  EXPECT_THROW(parse_dims("1x-2", "s"), UsageError);
}

TEST(Args, BackendsAreCheckedAgainstTheRegistry) {
  std::vector<BackendInfo> reg = {{"cpu", true, "host"}, {"vulkan", false, "no device"}};
  EXPECT_TRUE(parse_backends("auto", reg).empty());
  EXPECT_EQ(parse_backends("vulkan,cpu,vulkan", reg), (std::vector<std::string>{"vulkan", "cpu"}));
  try {
    parse_backends("npu", reg);
    ADD_FAILURE();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown backend 'npu'; available: auto, cpu, vulkan (unavailable)");
  }
  EXPECT_THROW(parse_backends("cpu,", reg), UsageError);
}

TEST(Args, HelpListsEveryOption) {
  std::string h = format_help("rnpu x MODEL", "Does x.", kSpecs);
  for (const char* s : {"Usage: rnpu x MODEL", "-b, --backend NAME", "--json", "-h, --help"})
    EXPECT_NE(h.find(s), std::string::npos) << s << " in\n" << h;
}

}  // namespace
}  // namespace rnpu::cli
