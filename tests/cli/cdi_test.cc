// rnpu cdi on fake sysfs and /dev trees: which accel entries become devices,
// the errors for entries that cannot be read, both output formats and the
// atomic write.  The spec's schema and a container run with it are checked
// by tests/suites/26-cdi.sh.  Device nodes are made with mknod (root).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cdi_spec.h"
#include "cdi_sysfs.h"

namespace fs = std::filesystem;
using rnpu::cli::AccelNode;
using rnpu::cli::CdiError;
using rnpu::cli::CdiFormat;
using rnpu::cli::CdiSpecOptions;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A sysfs tree laid out as the kernel's: class/accel/accelN -> the device's
// accel/accelN directory, its "device" link to the bus device, whose
// "driver" and "subsystem" links name the driver and the bus.
class FakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rnpu-cdi-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    sys_ = root_ / "sys";
    dev_ = root_ / "dev";
    fs::create_directories(sys_ / "class/accel");
    fs::create_directories(dev_ / "accel");
  }
  void TearDown() override { fs::remove_all(root_); }

  // accelN of bus device `busdev` on `bus` bound to `driver` ("" unbound),
  // with sysfs dev "maj:min" and a matching node unless `node` is false.
  void add(unsigned n, const std::string& bus, const std::string& busdev, const std::string& driver,
           unsigned maj, unsigned min, bool node = true) {
    std::string name = "accel" + std::to_string(n);
    fs::path d = sys_ / "devices" / bus / busdev;
    fs::create_directories(d / "accel" / name);
    fs::create_directories(sys_ / "bus" / bus / "drivers" / "rnpu");
    fs::create_directories(sys_ / "bus" / bus / "drivers" / "other");
    if (!driver.empty())
      fs::create_directory_symlink("../../../bus/" + bus + "/drivers/" + driver, d / "driver");
    fs::create_directory_symlink("../../../bus/" + bus, d / "subsystem");
    fs::create_directory_symlink("../..", d / "accel" / name / "device");
    write(d / "accel" / name / "dev", std::to_string(maj) + ":" + std::to_string(min) + "\n");
    fs::create_directory_symlink("../../devices/" + bus + "/" + busdev + "/accel/" + name,
                                 sys_ / "class/accel" / name);
    if (node) mknod(name, maj, min);
  }
  void mknod(const std::string& name, unsigned maj, unsigned min) {
    ASSERT_EQ(::mknod((dev_ / "accel" / name).c_str(), S_IFCHR | 0600, makedev(maj, min)), 0)
        << "mknod needs root";
  }
  std::vector<AccelNode> find() { return rnpu::cli::find_accel_nodes(sys_, dev_); }

  fs::path root_, sys_, dev_;
};

TEST_F(FakeTree, NoAccelClassIsNoDevice) {
  fs::remove_all(sys_ / "class/accel");
  EXPECT_TRUE(find().empty());
}

TEST_F(FakeTree, EmptyAccelClassIsNoDeviceAndNoSpec) {
  EXPECT_TRUE(find().empty());
  EXPECT_THROW(rnpu::cli::cdi_spec({}, {}, CdiFormat::kYaml), CdiError);
}

TEST_F(FakeTree, OneDeviceByIndexAndStableName) {
  add(0, "pci", "0000:00:04.0", "rnpu", 261, 0);
  auto nodes = find();
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].index, 0u);
  EXPECT_EQ(nodes[0].stable_name, "pci-0000-00-04.0");
  EXPECT_EQ(nodes[0].node_path, "/dev/accel/accel0");
  EXPECT_EQ(nodes[0].host_path, (dev_ / "accel/accel0").string());
  EXPECT_EQ(nodes[0].major, 261u);
  EXPECT_EQ(nodes[0].minor, 0u);
}

TEST_F(FakeTree, SeveralDevicesSortedByIndexOtherDriversLeftOut) {
  add(10, "pci", "0000:00:06.0", "rnpu", 261, 10);
  add(2, "platform", "10000000.npu", "rnpu", 261, 2);
  add(1, "pci", "0000:00:05.0", "other", 261, 1);  // another accel driver
  add(3, "pci", "0000:00:07.0", "", 261, 3);       // not bound at all
  auto nodes = find();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].index, 2u);
  EXPECT_EQ(nodes[0].stable_name, "platform-10000000.npu");
  EXPECT_EQ(nodes[1].index, 10u);
  EXPECT_EQ(nodes[1].minor, 10u);
}

TEST_F(FakeTree, NamesThatAreNotAccelNodesIgnored) {
  add(0, "pci", "0000:00:04.0", "rnpu", 261, 0);
  fs::create_directories(sys_ / "class/accel/accel");
  fs::create_directories(sys_ / "class/accel/accelx1");
  fs::create_directories(sys_ / "class/accel/card0");
  EXPECT_EQ(find().size(), 1u);
}

TEST_F(FakeTree, UnreadableDevFileIsAnErrorNamingIt) {
  add(0, "pci", "0000:00:04.0", "rnpu", 261, 0);
  fs::path dev = sys_ / "devices/pci/0000:00:04.0/accel/accel0/dev";
  fs::remove(dev);
  fs::create_directory(dev);  // reading a directory fails even for root
  try {
    find();
    FAIL() << "no error";
  } catch (const CdiError& e) {
    EXPECT_NE(std::string(e.what()).find("accel0/dev: Is a directory"), std::string::npos)
        << e.what();
  }
}

TEST_F(FakeTree, MalformedDevFileIsAnError) {
  add(0, "pci", "0000:00:04.0", "rnpu", 261, 0);
  write(sys_ / "devices/pci/0000:00:04.0/accel/accel0/dev", "261-0\n");
  EXPECT_THROW(find(), CdiError);
  write(sys_ / "devices/pci/0000:00:04.0/accel/accel0/dev", "261:0 junk\n");
  EXPECT_THROW(find(), CdiError);
}

TEST_F(FakeTree, AccelClassNotADirectoryIsAnError) {
  fs::remove_all(sys_ / "class/accel");
  write(sys_ / "class/accel", "");
  EXPECT_THROW(find(), CdiError);
}

TEST_F(FakeTree, MissingOrWrongHostNodeIsAnError) {
  add(0, "pci", "0000:00:04.0", "rnpu", 261, 0, /*node=*/false);
  EXPECT_THROW(find(), CdiError);
  mknod("accel0", 261, 7);  // other numbers than sysfs
  EXPECT_THROW(find(), CdiError);
  fs::remove(dev_ / "accel/accel0");
  write(dev_ / "accel/accel0", "");  // a plain file
  EXPECT_THROW(find(), CdiError);
}

TEST(CdiName, StableNamesAreValidCdiDeviceNames) {
  EXPECT_EQ(rnpu::cli::cdi_stable_name("pci", "0000:01:00.0"), "pci-0000-01-00.0");
  EXPECT_EQ(rnpu::cli::cdi_stable_name("", "npu@1000"), "npu_1000");
}

TEST(CdiKind, Validation) {
  EXPECT_NO_THROW(rnpu::cli::validate_cdi_kind("rnpu.dev/npu"));
  EXPECT_NO_THROW(rnpu::cli::validate_cdi_kind("example.com/edge_npu"));
  for (const char* bad : {"", "npu", "rnpu.dev/", "/npu", "a/b/c", "rnpu_dev/npu", "-x.dev/npu",
                          "rnpu.dev/npu-", "rnpu dev/npu", "rnpu.dev/n.pu"})
    EXPECT_THROW(rnpu::cli::validate_cdi_kind(bad), CdiError) << bad;
  CdiSpecOptions o;
  o.kind = "nope";
  AccelNode n{0, "pci-x", "/dev/accel/accel0", "/dev/accel/accel0", 261, 0};
  EXPECT_THROW(rnpu::cli::cdi_spec({n}, o, CdiFormat::kJson), CdiError);
}

std::vector<AccelNode> two_nodes() {
  return {{0, "pci-0000-00-04.0", "/dev/accel/accel0", "/dev/accel/accel0", 261, 0},
          {1, "pci-0000-00-05.0", "/dev/accel/accel1", "/tmp/d/accel/accel1", 261, 1}};
}

TEST(CdiSpec, Json) {
  CdiSpecOptions o;
  o.mounts.push_back({"/usr/lib/librnpu.so.0.1.0", "/usr/lib/librnpu.so.0"});
  std::string s = rnpu::cli::cdi_spec(two_nodes(), o, CdiFormat::kJson);
  EXPECT_EQ(s.rfind("{\n  \"cdiVersion\": \"0.5.0\",\n  \"kind\": \"rnpu.dev/npu\",\n", 0), 0u)
      << s;
  for (const char* want :
       {"\"name\": \"0\"", "\"name\": \"pci-0000-00-04.0\"", "\"name\": \"1\"", "\"name\": \"all\"",
        "\"RNPU_DEVICE=/dev/accel/accel1\"", "\"hostPath\": \"/tmp/d/accel/accel1\"",
        "\"major\": 261", "\"permissions\": \"rw\"", "\"containerPath\": \"/usr/lib/librnpu.so.0\"",
        "\"ro\""})
    EXPECT_NE(s.find(want), std::string::npos) << want << "\n" << s;
  // hostPath only where it differs from the container path.
  EXPECT_EQ(s.find("\"hostPath\": \"/dev/accel/accel0\""), std::string::npos);
}

TEST(CdiSpec, YamlBlockStyle) {
  std::string s = rnpu::cli::cdi_spec({two_nodes()[0]}, {}, CdiFormat::kYaml);
  const char* want =
      "cdiVersion: \"0.5.0\"\n"
      "kind: \"rnpu.dev/npu\"\n"
      "devices:\n"
      "  - name: \"0\"\n"
      "    containerEdits:\n"
      "      env:\n"
      "        - \"RNPU_DEVICE=/dev/accel/accel0\"\n"
      "      deviceNodes:\n"
      "        - path: \"/dev/accel/accel0\"\n"
      "          type: \"c\"\n"
      "          major: 261\n"
      "          minor: 0\n"
      "          permissions: \"rw\"\n"
      "  - name: \"pci-0000-00-04.0\"\n";
  EXPECT_NE(s.find(want), std::string::npos) << s;
  EXPECT_EQ(s.find("containerEdits:\n  mounts"), std::string::npos);  // no mounts asked
}

TEST(CdiSpec, StringsAreEscaped) {
  AccelNode n{0, "x", "/dev/accel/accel0", "/tmp/a\"b\\c\n", 1, 3};
  std::string s = rnpu::cli::cdi_spec({n}, {}, CdiFormat::kJson);
  EXPECT_NE(s.find("\"/tmp/a\\\"b\\\\c\\n\""), std::string::npos) << s;
}

TEST(CdiWrite, AtomicReplaceLeavesNoTemporary) {
  char tmpl[] = "/tmp/rnpu-cdi-write.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  fs::path dir = tmpl;
  fs::path f = dir / "rnpu.yaml";
  rnpu::cli::write_file_atomically(f, "one\n");
  rnpu::cli::write_file_atomically(f, "two\n");
  EXPECT_EQ(read(f), "two\n");
  EXPECT_EQ((fs::status(f).permissions() & fs::perms::all),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  EXPECT_THROW(rnpu::cli::write_file_atomically(dir / "no/such/dir/x.yaml", "x"), CdiError);
  fs::remove_all(dir);
}

}  // namespace
