// SPDX-License-Identifier: GPL-2.0-only
/*
 * Evidence on failure: an MMU fault and a job timeout each leave a
 * devcoredump (/sys/class/devcoredump/devcd<N>/data) naming the failing
 * client and job, with the device's registers, the ring, the context's
 * mappings and the failing command stream's bytes.  The test waits for
 * the dump's "add" uevent, reads it back, checks it, and deletes it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define DUMP_MAX	(256 * 1024)

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(s);
		return err;
	}
	return s;
}

static int read_all(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got ? 0 : -ENODATA;
}

/*
 * Wait for a devcoredump whose text has @client_line (others' dumps, late
 * ones from earlier tests, are deleted and skipped).  Fills @dump and the
 * dump's sysfs directory @dir.
 */
static int wait_dump(int s, const char *client_line, char *dump, char *dir,
		     size_t dirlen)
{
	uint64_t deadline = rnpu_deadline(RNPU_WAIT_NS);
	char msg[4096], data[600];

	while (rnpu_now_ns() < deadline) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		int ms = (deadline - rnpu_now_ns()) / 1000000 + 1;
		ssize_t n;

		if (poll(&p, 1, ms) <= 0)
			return -ETIMEDOUT;
		n = recv(s, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			return -EIO;
		msg[n] = '\0';
		if (strncmp(msg, "add@", 4) || !strstr(msg, "/devcoredump/devcd"))
			continue;
		if ((size_t)snprintf(dir, dirlen, "/sys%s", msg + 4) >= dirlen ||
		    (size_t)snprintf(data, sizeof(data), "%s/data", dir) >= sizeof(data))
			continue;
		if (read_all(data, dump, DUMP_MAX))
			continue;
		if (strstr(dump, client_line))
			return 0;
		rnpu_write_file(data, "1");
	}
	return -ETIMEDOUT;
}

/* Reading is done: writing to data deletes the dump. */
static void delete_dump(const char *dir)
{
	char path[600];

	if ((size_t)snprintf(path, sizeof(path), "%s/data", dir) < sizeof(path))
		rnpu_write_file(path, "1");
}

/* The dump's register line for @name: its value, or -1. */
static long long dump_reg(const char *dump, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), " %s ", name);
	p = strstr(dump, key);
	if (!p)
		return -1;
	return strtoll(p + strlen(key), NULL, 0);
}

/* The first bytes of the stream as the dump prints them ("%*ph"). */
static void first_line(const uint8_t *cs, uint32_t len, char *out, size_t outlen)
{
	uint32_t i, n = len < 16 ? len : 16;
	size_t o = 0;

	o += snprintf(out, outlen, "  0000:");
	for (i = 0; i < n && o < outlen; i++)
		o += snprintf(out + o, outlen - o, " %02x", cs[i]);
}

static void client_line(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "client: %llu pid ",
		 (unsigned long long)rnpu_param_or_die(fd, DRM_RNPU_PARAM_CLIENT_ID, 0));
}

/* The dump names this device as the failing one. */
static int failing_device_is(int fd, const char *dir)
{
	char link[640], real[PATH_MAX], dev[PATH_MAX];
	int ret = rnpu_sysfs_dev(fd, dev, sizeof(dev));

	if (ret)
		return ret;
	snprintf(link, sizeof(link), "%s/failing_device", dir);
	if (!realpath(link, real))
		return -errno;
	return strcmp(real, dev) ? -ENODEV : 0;
}

/*
 * devcoredump keeps one dump per device until it is read and deleted (or
 * expires after 5 minutes) and drops later ones: delete this device's
 * dump, left by an earlier failure, and wait for its removal uevent.
 */
static int clear_dumps(int s, int fd)
{
	DIR *d = opendir("/sys/class/devcoredump");
	char dir[PATH_MAX], msg[4096], want[300];
	struct dirent *e;
	int pending = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "devcd", 5))
			continue;
		if ((size_t)snprintf(dir, sizeof(dir), "/sys/class/devcoredump/%s",
				     e->d_name) >= sizeof(dir))
			continue;
		if (failing_device_is(fd, dir))
			continue;
		snprintf(want, sizeof(want), "remove@/devices/virtual/devcoredump/%s", e->d_name);
		delete_dump(dir);
		pending = 1;
		break;		/* at most one per device */
	}
	closedir(d);
	while (pending) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, RNPU_WAIT_NS / 1000000) <= 0)
			return -ETIMEDOUT;
		n = recv(s, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			return -EIO;
		msg[n] = '\0';
		if (!strcmp(msg, want))
			pending = 0;
	}
	return 0;
}

static int inject(int fd, const char *what)
{
	char dir[128], path[192];
	int ret = rnpu_debugfs_dir(fd, dir, sizeof(dir));

	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/fault_inject", dir);
	return rnpu_write_file(path, what);
}

TEST_F(rnpu, mmu_fault_dump)
{
	char *dump = malloc(DUMP_MAX), dir[512], who[64], want[128], *p;
	struct rnpu_bo buf, *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	uint64_t bad, seqno;
	uint32_t len;
	int s = uevent_open();

	ASSERT_NE(NULL, dump);
	ASSERT_LE(0, s) TH_LOG("uevent socket: %s", strerror(-s));
	ASSERT_EQ(0, clear_dumps(s, self->fd));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	bad = buf.va + buf.size;	/* the unmapped guard page */
	rnpu_cs_dma(&job.cs, bad, buf.va, 64);
	ASSERT_EQ(0, rnpu_submit(self->fd, &job, bos, 1, false, NULL, &seqno));
	ASSERT_EQ(0, rnpu_wait_job(self->fd, seqno, &st));
	ASSERT_EQ(DRM_RNPU_ERR_MMU_FAULT, st.error);
	len = job.cs.len;

	client_line(self->fd, who, sizeof(who));
	ASSERT_EQ(0, wait_dump(s, who, dump, dir, sizeof(dir))) TH_LOG("no dump with '%s'", who);
	EXPECT_NE(NULL, strstr(dump, "rnpu devcoredump 1\nreason: mmu-fault\n"));
	EXPECT_EQ(0, failing_device_is(self->fd, dir));
	snprintf(want, sizeof(want), "job: seqno %llu ", (unsigned long long)seqno);
	EXPECT_NE(NULL, strstr(dump, want)) TH_LOG("no '%s'", want);
	snprintf(want, sizeof(want), "job: cmd_va 0x%llx cmd_size %u\n",
		 (unsigned long long)job.cmd.va, len);
	EXPECT_NE(NULL, strstr(dump, want)) TH_LOG("no '%s'", want);
	/* The fault registers as the device latched them. */
	EXPECT_EQ(1, dump_reg(dump, "MMU_FAULT_STATUS") & 1);
	EXPECT_EQ((long long)(bad & 0xffffffffu), dump_reg(dump, "MMU_FAULT_ADDR_LO"));
	EXPECT_EQ((long long)(bad >> 32), dump_reg(dump, "MMU_FAULT_ADDR_HI"));
	EXPECT_LE(0, dump_reg(dump, "RING_HEAD"));
	/* Both BOs of the context, the data one and the stream's. */
	snprintf(want, sizeof(want), "  0x%llx-0x%llx size %llu ",
		 (unsigned long long)buf.va, (unsigned long long)(buf.va + buf.size),
		 (unsigned long long)buf.size);
	EXPECT_NE(NULL, strstr(dump, want)) TH_LOG("no mapping '%s'", want);
	snprintf(want, sizeof(want), "  0x%llx-", (unsigned long long)job.cmd.va);
	EXPECT_NE(NULL, strstr(dump, want)) TH_LOG("no mapping '%s'", want);
	/* The failing stream, byte for byte. */
	snprintf(want, sizeof(want), "command: %u of %u bytes\n", len, len);
	p = strstr(dump, want);
	EXPECT_NE(NULL, p) TH_LOG("no '%s'", want);
	first_line(job.cmd.map, len, want, sizeof(want));
	if (p)
		EXPECT_NE(NULL, strstr(p, want)) TH_LOG("no '%s'", want);

	delete_dump(dir);
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
	close(s);
	free(dump);
}

/* The kselftest harness forks each test: the ban stays in this one. */
TEST_F_TIMEOUT(rnpu, timeout_dump, 120)
{
	char *dump = malloc(DUMP_MAX), dir[512], who[64], want[128];
	struct rnpu_bo buf, *bos[1] = { &buf };
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	uint64_t seqno;
	int s = uevent_open();

	ASSERT_NE(NULL, dump);
	ASSERT_LE(0, s) TH_LOG("uevent socket: %s", strerror(-s));
	ASSERT_EQ(0, clear_dumps(s, self->fd));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &buf));
	rnpu_cs_dma(&job.cs, buf.va, buf.va + 4096, 64);
	ASSERT_EQ(0, inject(self->fd, "hang"));
	ASSERT_EQ(0, rnpu_submit(self->fd, &job, bos, 1, true, NULL, &seqno));
	ASSERT_EQ(0, rnpu_wait_job(self->fd, seqno, &st));
	ASSERT_EQ(DRM_RNPU_ERR_TIMEOUT, st.error);

	client_line(self->fd, who, sizeof(who));
	ASSERT_EQ(0, wait_dump(s, who, dump, dir, sizeof(dir))) TH_LOG("no dump with '%s'", who);
	EXPECT_NE(NULL, strstr(dump, "rnpu devcoredump 1\nreason: timeout\n"));
	EXPECT_EQ(0, failing_device_is(self->fd, dir));
	snprintf(want, sizeof(want), "job: seqno %llu ", (unsigned long long)seqno);
	EXPECT_NE(NULL, strstr(dump, want)) TH_LOG("no '%s'", want);
	/* The hung job was on the ring, at its head, when the dump was taken. */
	EXPECT_NE(NULL, strstr(dump, " failing\n"));
	EXPECT_NE(NULL, strstr(dump, "ring: size "));
	/* STATUS bit 2: the injected hang in progress. */
	EXPECT_EQ(4, dump_reg(dump, "STATUS") & 4);
	EXPECT_NE(NULL, strstr(dump, "mappings:\n"));
	snprintf(want, sizeof(want), "command: %u of %u bytes\n", job.cs.len, job.cs.len);
	EXPECT_NE(NULL, strstr(dump, want)) TH_LOG("no '%s'", want);

	delete_dump(dir);
	rnpu_bo_free(&buf);
	rnpu_job_fini(&job);
	close(s);
	free(dump);
}

TEST_HARNESS_MAIN
