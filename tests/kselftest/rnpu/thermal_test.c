// SPDX-License-Identifier: GPL-2.0-only
/*
 * Temperature and power for the system's tools: the hwmon device (die
 * temperature with the 85 C trip as temp1_max, power draw) and the
 * thermal zone "rnpu" with its passive and hot trips, bound to the
 * cooling device "rnpu" that is the driver's OPP limit: setting its state
 * throttles the clock at once.  The NPU is held powered (power/control
 * "on") so its sensors read.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

static int join(char *out, size_t len, const char *dir, const char *name)
{
	return (size_t)snprintf(out, len, "%s/%s", dir, name) < len ? 0 : -ENAMETOOLONG;
}

static int read_str(const char *dir, const char *name, char *val, size_t len)
{
	char path[PATH_MAX];
	int ret = join(path, sizeof(path), dir, name);

	return ret ? ret : rnpu_read_file(path, val, len);
}

static long long read_ll(const char *dir, const char *name)
{
	char val[64];

	if (read_str(dir, name, val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 10);
}

/* The first entry of @base/@prefix* whose "name" (or "type") is rnpu. */
static int find_rnpu(const char *base, const char *prefix, const char *attr,
		     char *out, size_t len)
{
	DIR *d = opendir(base);
	struct dirent *e;
	char dir[PATH_MAX], val[64];
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		if (join(dir, sizeof(dir), base, e->d_name))
			continue;
		if (!read_str(dir, attr, val, sizeof(val)) && !strcmp(val, "rnpu") &&
		    (size_t)snprintf(out, len, "%s", dir) < len) {
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/* Hold the NPU powered for the test; back to autosuspend afterwards. */
static int hold_power(int fd, bool on)
{
	char dev[PATH_MAX], path[PATH_MAX];
	int ret = rnpu_sysfs_dev(fd, dev, sizeof(dev));

	if (!ret)
		ret = join(path, sizeof(path), dev, "power/control");
	return ret ? ret : rnpu_write_file(path, on ? "on" : "auto");
}

TEST_F(rnpu, hwmon_sensors)
{
	char dev[PATH_MAX], base[PATH_MAX], hw[PATH_MAX];
	long long t, p;

	ASSERT_EQ(0, rnpu_sysfs_dev(self->fd, dev, sizeof(dev)));
	ASSERT_EQ(0, join(base, sizeof(base), dev, "hwmon"));
	ASSERT_EQ(0, find_rnpu(base, "hwmon", "name", hw, sizeof(hw)));
	ASSERT_EQ(0, hold_power(self->fd, true));
	t = read_ll(hw, "temp1_input");
	p = read_ll(hw, "power1_input");
	/* Between the model's 35 C ambient and far past its trip. */
	EXPECT_LE(30000, t) TH_LOG("temp1_input %lld", t);
	EXPECT_GE(150000, t) TH_LOG("temp1_input %lld", t);
	EXPECT_EQ(85000, read_ll(hw, "temp1_max"));
	/* Powered on, the leakage alone draws power; microwatts. */
	EXPECT_LT(0, p) TH_LOG("power1_input %lld", p);
	EXPECT_GT(100000000, p) TH_LOG("power1_input %lld", p);
	/* The same sensor as the device-wide GET_PARAM (both whole mC). */
	EXPECT_LT(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_TEMP, 0));
	EXPECT_EQ(0, hold_power(self->fd, false));
}

TEST_F(rnpu, thermal_zone_and_cooling)
{
	uint64_t nopp = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_NUM_OPP, 0);
	uint64_t fmin = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_MIN, 0);
	char tz[PATH_MAX], cdev[PATH_MAX], path[PATH_MAX], val[64];
	long long t;

	ASSERT_EQ(0, find_rnpu("/sys/class/thermal", "thermal_zone", "type", tz, sizeof(tz)));
	ASSERT_EQ(0, hold_power(self->fd, true));
	t = read_ll(tz, "temp");
	EXPECT_LE(30000, t) TH_LOG("zone temp %lld", t);
	EXPECT_GE(150000, t) TH_LOG("zone temp %lld", t);
	ASSERT_EQ(0, read_str(tz, "trip_point_0_type", val, sizeof(val)));
	EXPECT_STREQ("passive", val);
	EXPECT_EQ(85000, read_ll(tz, "trip_point_0_temp"));
	EXPECT_EQ(10000, read_ll(tz, "trip_point_0_hyst"));
	ASSERT_EQ(0, read_str(tz, "trip_point_1_type", val, sizeof(val)));
	EXPECT_STREQ("hot", val);
	EXPECT_EQ(100000, read_ll(tz, "trip_point_1_temp"));

	/* The zone's passive trip is bound to the NPU's cooling device. */
	ASSERT_EQ(0, join(path, sizeof(path), tz, "cdev0"));
	ASSERT_NE(NULL, realpath(path, cdev));
	ASSERT_EQ(0, read_str(cdev, "type", val, sizeof(val)));
	EXPECT_STREQ("rnpu", val);
	EXPECT_EQ(0, read_ll(tz, "cdev0_trip_point"));
	EXPECT_EQ((long long)nopp - 1, read_ll(cdev, "max_state"));

	/* The deepest state is the lowest OPP, applied before the write returns. */
	ASSERT_EQ(0, join(path, sizeof(path), cdev, "cur_state"));
	snprintf(val, sizeof(val), "%llu", (unsigned long long)nopp - 1);
	ASSERT_EQ(0, rnpu_write_file(path, val));
	EXPECT_EQ((long long)nopp - 1, read_ll(cdev, "cur_state"));
	EXPECT_EQ(fmin, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_CUR, 0));
	snprintf(val, sizeof(val), "%llu", (unsigned long long)nopp);
	EXPECT_NE(0, rnpu_write_file(path, val));
	ASSERT_EQ(0, rnpu_write_file(path, "0"));
	EXPECT_EQ(0, read_ll(cdev, "cur_state"));
	EXPECT_EQ(0, hold_power(self->fd, false));
}

TEST_HARNESS_MAIN
