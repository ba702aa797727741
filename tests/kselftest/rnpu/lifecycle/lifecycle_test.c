// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's lifecycle with work in flight (docs/kernel.md "Unbind,
 * unload, suspend and reset"):
 *
 *   unbind_in_flight   sysfs unbind while another process holds the device
 *                      open with jobs on the ring, jobs queued behind them
 *                      and a waiter: the waiter and every fence get
 *                      DEVICE_LOST / -ENODEV, later ioctls -ENODEV, nothing
 *                      leaks (debugfs rnpu/live), rebind works.
 *   rmmod_after_close  rmmod once the last file is closed while its jobs
 *                      are still on the ring; the module loads again.
 *   freeze_in_flight   system suspend (freeze, pm_test) with jobs on the
 *                      ring and queued: all complete with correct data,
 *                      nothing banned, no reset, later jobs run.
 *   flr_in_flight      Function Level Reset through sysfs "reset" with a
 *                      hung job on the ring: the jobs go back on the ring
 *                      after the reset and all complete; nothing banned.
 *   progress_not_timeout  a job longer than the timeout that advances
 *                      completes; a stuck one still times out.
 *   bad_module_parameters  out-of-range values refused at load and in sysfs.
 *
 * Each test reloads rnpu.ko with the parameters it needs (a long job
 * timeout keeps a hung job on the ring for as long as the test wants;
 * ring_entries=4 keeps jobs queued in the scheduler behind a full ring)
 * and the fixture leaves it loaded with the defaults.  Runs as root in
 * the test guest (tests/vm.d/45-lifecycle.test), after the other tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "rnpu_ksft.h"
#include "kselftest_harness.h"

#define KO_DEFAULT	"/lib/modules/extra/rnpu.ko"
#define LIVE_FILE	"/sys/kernel/debug/rnpu/live"
#define DRV_DIR		"/sys/bus/pci/drivers/rnpu"
/* A hung job stays hung for the whole test. */
#define LONG_TIMEOUT	"job_timeout_ms=600000 ring_entries=4"
#define NJOBS		8

static const char *ko_path(void)
{
	const char *p = getenv("RNPU_KO");

	return p ? p : KO_DEFAULT;
}

static int unload(void)
{
	return syscall(__NR_delete_module, "rnpu", O_NONBLOCK) ? -errno : 0;
}

/* insmod: probe is synchronous, so the device node exists on return. */
static int load(const char *params)
{
	int fd = open(ko_path(), O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int reload(const char *params)
{
	int ret = unload();

	if (ret && ret != -ENOENT)
		return ret;
	return load(params);
}

struct live {
	int devices, contexts, vms, jobs, bos;
};

static int read_live(struct live *l)
{
	char buf[256];
	int ret = rnpu_read_file(LIVE_FILE, buf, sizeof(buf));

	if (ret)
		return ret;
	if (sscanf(buf, "devices %d contexts %d vms %d jobs %d bos %d",
		   &l->devices, &l->contexts, &l->vms, &l->jobs, &l->bos) != 5)
		return -EINVAL;
	return 0;
}

/*
 * Waits (bounded) until nothing but @devices devices is alive: jobs are
 * freed by the scheduler's worker after the last close, asynchronously.
 */
static bool wait_live_idle(int devices, struct live *l)
{
	uint64_t end = rnpu_deadline(RNPU_WAIT_NS);

	for (;;) {
		if (read_live(l))
			return false;
		if (l->devices == devices && !l->contexts && !l->vms &&
		    !l->jobs && !l->bos)
			return true;
		if (rnpu_now_ns() > end)
			return false;
		usleep(20000);	/* poll interval */
	}
}

/* PCI address of the device behind @fd (e.g. 0000:00:03.0). */
static int pci_addr(int fd, char *out, size_t len)
{
	char dev[512];
	const char *name;
	int ret = rnpu_sysfs_dev(fd, dev, sizeof(dev));

	if (ret)
		return ret;
	name = strrchr(dev, '/');
	name = name ? name + 1 : dev;
	if (strlen(name) >= len)
		return -ENAMETOOLONG;
	memcpy(out, name, strlen(name) + 1);
	return 0;
}

static int inject(int fd, const char *what)
{
	char dir[256], path[320];
	int ret = rnpu_debugfs_dir(fd, dir, sizeof(dir));

	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/fault_inject", dir);
	return rnpu_write_file(path, what);
}

/* One "key: value" line of debugfs "queue". */
static int queue_value(int fd, const char *key, uint64_t *v)
{
	char dir[256], path[320], buf[4096], *p;
	int ret = rnpu_debugfs_dir(fd, dir, sizeof(dir));

	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/queue", dir);
	ret = rnpu_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	p = strstr(buf, key);
	if (!p || p[strlen(key)] != ':')
		return -ENOENT;
	*v = strtoull(p + strlen(key) + 1, NULL, 10);
	return 0;
}

static int job_state(int fd, uint64_t seqno)
{
	struct drm_rnpu_job_status st = { .seqno = seqno };
	int ret = rnpu_ioctl(fd, DRM_IOCTL_RNPU_JOB_STATUS, &st);

	return ret ? ret : (int)st.state;
}

/* Polls until job @seqno is on the ring (RUNNING), bounded. */
static bool wait_running(int fd, uint64_t seqno)
{
	uint64_t end = rnpu_deadline(RNPU_WAIT_NS);
	int st;

	while ((st = job_state(fd, seqno)) == DRM_RNPU_JOB_QUEUED) {
		if (rnpu_now_ns() > end)
			return false;
		usleep(10000);	/* poll interval */
	}
	return st == DRM_RNPU_JOB_RUNNING;
}

/*
 * @n DMA jobs: job i copies 256 bytes from src + 256 i to dst + 256 i,
 * then runs @nops NOPs (device time, little host time).
 */
struct batch {
	int fd;
	unsigned int n;
	struct rnpu_bo buf;	/* src in the first half, dst in the second */
	struct rnpu_job job[24];
	uint32_t sync[24];
	uint64_t seqno[24];
};

static int batch_init(struct batch *b, int fd, unsigned int n, uint32_t nops)
{
	unsigned int i;
	int ret;

	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->n = n;
	ret = rnpu_bo_new(fd, 2 * 256 * n, 0, &b->buf);
	if (ret)
		return ret;
	for (i = 0; i < 256 * n; i++)
		((uint8_t *)b->buf.map)[i] = (uint8_t)(i * 7 + i / 256);
	memset((uint8_t *)b->buf.map + 256 * n, 0, 256 * n);
	for (i = 0; i < n; i++) {
		ret = rnpu_job_init(fd, &b->job[i], 4096 + nops * 4);
		if (!ret)
			ret = rnpu_syncobj_create(fd, 0, &b->sync[i]);
		if (ret)
			return ret;
		rnpu_cs_dma(&b->job[i].cs, b->buf.va + 256 * i,
			    b->buf.va + 256 * (n + i), 256);
		rnpu_cs_nops(&b->job[i].cs, nops);
	}
	return 0;
}

static int batch_submit(struct batch *b, unsigned int i)
{
	struct rnpu_bo *bos[1] = { &b->buf };
	struct drm_rnpu_submit t = { .out_sync = b->sync[i] };

	return rnpu_submit(b->fd, &b->job[i], bos, 1, true, &t, &b->seqno[i]);
}

/* Every job DONE and every copy right. */
static int batch_check(struct batch *b)
{
	struct drm_rnpu_job_status st;
	unsigned int i;
	int ret;

	for (i = 0; i < b->n; i++) {
		ret = rnpu_wait_job(b->fd, b->seqno[i], &st);
		if (ret)
			return ret;
		if (st.state != DRM_RNPU_JOB_DONE)
			return -EIO;
	}
	return memcmp(b->buf.map, (uint8_t *)b->buf.map + 256 * b->n,
		      256 * b->n) ? -EBADMSG : 0;
}

static void batch_fini(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		rnpu_job_fini(&b->job[i]);
		if (b->sync[i])
			rnpu_syncobj_destroy(b->fd, b->sync[i]);
	}
	rnpu_bo_free(&b->buf);
}

static int good_job(int fd)
{
	struct batch b;
	int ret = batch_init(&b, fd, 1, 16);

	if (!ret)
		ret = batch_submit(&b, 0);
	if (!ret)
		ret = batch_check(&b);
	batch_fini(&b);
	return ret;
}

FIXTURE(lc) {
	char addr[64];
};

FIXTURE_SETUP(lc)
{
	int fd = rnpu_open();

	ASSERT_LE(0, fd) TH_LOG("no rnpu device: %s", strerror(-fd));
	ASSERT_EQ(0, pci_addr(fd, self->addr, sizeof(self->addr)));
	close(fd);
}

FIXTURE_TEARDOWN(lc)
{
	int fd;

	/* Leave the driver loaded and bound with its defaults. */
	if (reload(""))
		TH_LOG("reloading rnpu.ko failed");
	fd = rnpu_open();
	if (fd < 0)
		TH_LOG("no device after reload");
	else
		close(fd);
}

/* What the child holding the device saw; sent over a pipe. */
struct unplug_report {
	int setup;		/* 0, or the -errno of the first failure */
	int states[NJOBS];	/* before the unbind */
	int wait_ret;		/* JOB_STATUS of the last job, waiting */
	uint32_t wait_state, wait_error;
	int fence_status[NJOBS];	/* sync_file status after the unbind */
	int ioctl_after;	/* GET_PARAM after the unbind */
};

static bool child_sleeping(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (rnpu_read_file(path, buf, sizeof(buf)))
		return false;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static void unplug_child(int wfd, int ready_fd)
{
	struct unplug_report r = { 0 };
	struct drm_rnpu_job_status st;
	struct batch *b = calloc(1, sizeof(*b));
	int sf[NJOBS], fd, i;
	uint64_t v;
	char c = 'r';

	fd = rnpu_open();
	r.setup = fd < 0 ? fd : 0;
	if (!r.setup)
		r.setup = batch_init(b, fd, NJOBS, 64);
	if (!r.setup)
		r.setup = inject(fd, "hang");
	for (i = 0; i < NJOBS && !r.setup; i++)
		r.setup = batch_submit(b, i);
	if (!r.setup && !wait_running(fd, b->seqno[0]))
		r.setup = -ETIME;
	for (i = 0; i < NJOBS && !r.setup; i++) {
		struct drm_syncobj_handle h = {
			.handle = b->sync[i],
			.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
			.fd = -1,
		};

		r.setup = rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
		sf[i] = h.fd;
		r.states[i] = job_state(fd, b->seqno[i]);
	}
	if (write(ready_fd, &c, 1) != 1 || r.setup) {
		if (write(wfd, &r, sizeof(r)) != sizeof(r))
			_exit(2);
		_exit(1);
	}
	/* The waiter: blocks until the unbind fails the job. */
	r.wait_ret = rnpu_wait_job(fd, b->seqno[NJOBS - 1], &st);
	r.wait_state = st.state;
	r.wait_error = st.error;
	for (i = 0; i < NJOBS; i++) {
		struct pollfd p = { .fd = sf[i], .events = POLLIN };
		struct sync_file_info info = { 0 };

		if (poll(&p, 1, RNPU_WAIT_NS / 1000000) != 1)
			r.fence_status[i] = 0;
		else if (ioctl(sf[i], SYNC_IOC_FILE_INFO, &info))
			r.fence_status[i] = -errno;
		else
			r.fence_status[i] = info.status;
		close(sf[i]);
	}
	r.ioctl_after = rnpu_param(fd, DRM_RNPU_PARAM_RESETS, 0, &v);
	if (write(wfd, &r, sizeof(r)) != sizeof(r))
		_exit(2);
	/* Closing after the unbind: GEM close, context and VM teardown. */
	batch_fini(b);
	close(fd);
	_exit(0);
}

TEST_F_TIMEOUT(lc, unbind_in_flight, 240)
{
	struct unplug_report r;
	int pipefd[2], readyfd[2], status, fd, i;
	char path[128], c;
	struct live l;
	uint64_t end;
	pid_t pid;

	ASSERT_EQ(0, reload(LONG_TIMEOUT));
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, pipe(readyfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pipefd[0]);
		close(readyfd[0]);
		unplug_child(pipefd[1], readyfd[1]);
	}
	close(pipefd[1]);
	close(readyfd[1]);
	ASSERT_EQ(1, read(readyfd[0], &c, 1));
	/* The waiter is asleep in JOB_STATUS (polled, bounded). */
	end = rnpu_deadline(RNPU_WAIT_NS);
	while (!child_sleeping(pid) && rnpu_now_ns() < end)
		usleep(10000);	/* poll interval */

	snprintf(path, sizeof(path), "%s/unbind", DRV_DIR);
	ASSERT_EQ(0, rnpu_write_file(path, self->addr));

	ASSERT_EQ(sizeof(r), read(pipefd[0], &r, sizeof(r)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, r.setup) TH_LOG("child setup failed: %s", strerror(-r.setup));
	/* One hung job and two behind it on the 4-entry ring, the rest queued. */
	EXPECT_EQ(DRM_RNPU_JOB_RUNNING, r.states[0]);
	EXPECT_EQ(DRM_RNPU_JOB_QUEUED, r.states[NJOBS - 1]);
	/* The waiter returned with the job failed (or -ENODEV if it came late). */
	if (r.wait_ret == -ENODEV) {
		TH_LOG("the waiter entered JOB_STATUS after the unbind");
	} else {
		EXPECT_EQ(0, r.wait_ret);
		EXPECT_EQ(DRM_RNPU_JOB_FAILED, r.wait_state);
		EXPECT_EQ(DRM_RNPU_ERR_DEVICE_LOST, r.wait_error);
	}
	for (i = 0; i < NJOBS; i++)
		EXPECT_EQ(-ENODEV, r.fence_status[i]) TH_LOG("job %d", i + 1);
	EXPECT_EQ(-ENODEV, r.ioctl_after);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));

	/* Everything the child had is freed after its last close. */
	EXPECT_TRUE(wait_live_idle(0, &l))
		TH_LOG("alive: %d devices %d contexts %d vms %d jobs %d bos",
		       l.devices, l.contexts, l.vms, l.jobs, l.bos);

	/* Rebind: a new device that works. */
	snprintf(path, sizeof(path), "%s/bind", DRV_DIR);
	ASSERT_EQ(0, rnpu_write_file(path, self->addr));
	fd = rnpu_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, good_job(fd));
	close(fd);
	EXPECT_TRUE(wait_live_idle(1, &l));
}

TEST_F_TIMEOUT(lc, rmmod_after_close, 240)
{
	struct stat st;
	int status, fd;
	pid_t pid;

	ASSERT_EQ(0, reload(LONG_TIMEOUT));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct batch *b = calloc(1, sizeof(*b));
		int i;

		fd = rnpu_open();
		if (fd < 0 || batch_init(b, fd, NJOBS, 64) || inject(fd, "hang"))
			_exit(1);
		for (i = 0; i < NJOBS; i++)
			if (batch_submit(b, i))
				_exit(1);
		if (!wait_running(fd, b->seqno[0]))
			_exit(1);
		/* Exit with the jobs in flight: the exit closes the file. */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	/* The hung job and the two behind it are still on the ring. */
	ASSERT_EQ(0, unload());
	EXPECT_NE(0, stat("/sys/module/rnpu", &st));
	/* rnpu_exit WARNs (a dmesg splat) if anything was left alive. */
	ASSERT_EQ(0, load(""));
	fd = rnpu_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, good_job(fd));
	close(fd);
}

TEST_F_TIMEOUT(lc, freeze_in_flight, 300)
{
	uint64_t resets, suspends, suspends_after, parked = 0;
	char buf[256];
	struct batch *b = calloc(1, sizeof(*b));
	unsigned int i;
	int fd, ret;

	if (rnpu_read_file("/sys/power/state", buf, sizeof(buf)) ||
	    !strstr(buf, "freeze") || access("/sys/power/pm_test", W_OK))
		SKIP(return, "no suspend-to-idle or no pm_test in this kernel");
	/* The default job timeout: a parked job must not count as hung. */
	ASSERT_EQ(0, reload("ring_entries=4"));
	fd = rnpu_open();
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, b);
	resets = rnpu_param_or_die(fd, DRM_RNPU_PARAM_RESETS, 0);
	ASSERT_EQ(0, queue_value(fd, "suspends", &suspends));
	ASSERT_EQ(0, batch_init(b, fd, 16, 512 * 1024));
	for (i = 0; i < b->n; i++)
		ASSERT_EQ(0, batch_submit(b, i));

	/*
	 * pm_test "platform": the whole device suspend (suspend, late and
	 * noirq phases) and resume, with a wait in between (5 s) longer
	 * than the job timeout, and no wake-up source needed.
	 */
	ASSERT_EQ(0, rnpu_write_file("/sys/power/pm_test", "platform"));
	ret = rnpu_write_file("/sys/power/state", "freeze");
	rnpu_write_file("/sys/power/pm_test", "none");
	ASSERT_EQ(0, ret) TH_LOG("freeze: %s", strerror(-ret));

	ASSERT_EQ(0, queue_value(fd, "suspends", &suspends_after));
	EXPECT_EQ(suspends + 1, suspends_after);
	queue_value(fd, "last_parked", &parked);
	TH_LOG("%llu jobs were parked over the suspend", (unsigned long long)parked);
	EXPECT_EQ(0, batch_check(b));
	EXPECT_EQ(0, rnpu_param_or_die(fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(0, rnpu_param_or_die(fd, DRM_RNPU_PARAM_CTX_GUILTY, 0));
	EXPECT_EQ(resets, rnpu_param_or_die(fd, DRM_RNPU_PARAM_RESETS, 0));
	EXPECT_EQ(0, good_job(fd));
	batch_fini(b);
	free(b);
	close(fd);
}

TEST_F_TIMEOUT(lc, flr_in_flight, 240)
{
	char path[256], buf[64];
	struct batch *b = calloc(1, sizeof(*b));
	uint64_t resets;
	unsigned int i;
	int fd;

	ASSERT_EQ(0, reload(LONG_TIMEOUT));
	fd = rnpu_open();
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, b);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset_method", self->addr);
	ASSERT_EQ(0, rnpu_read_file(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "flr")) TH_LOG("reset_method: %s", buf);
	resets = rnpu_param_or_die(fd, DRM_RNPU_PARAM_RESETS, 0);
	ASSERT_EQ(0, batch_init(b, fd, NJOBS, 64));
	ASSERT_EQ(0, inject(fd, "hang"));
	for (i = 0; i < b->n; i++)
		ASSERT_EQ(0, batch_submit(b, i));
	ASSERT_TRUE(wait_running(fd, b->seqno[0]));

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", self->addr);
	ASSERT_EQ(0, rnpu_write_file(path, "1"));

	/* The hung job ran again after the reset (no injection this time). */
	EXPECT_EQ(0, batch_check(b));
	EXPECT_EQ(resets + 1, rnpu_param_or_die(fd, DRM_RNPU_PARAM_RESETS, 0));
	EXPECT_EQ(0, rnpu_param_or_die(fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(0, good_job(fd));
	batch_fini(b);
	free(b);
	close(fd);
}

/*
 * With a 100 ms job timeout, a job that runs for several timeouts but
 * advances (the device's JOB_PROGRESS) completes: nothing banned, no
 * reset.  A stuck one (fault injection) is still caught: TIMEOUT, banned.
 */
TEST_F_TIMEOUT(lc, progress_not_timeout, 240)
{
	const uint32_t nops = (14u << 20) / 4;	/* 14 MiB of NOPs */
	struct drm_rnpu_job_status st;
	struct rnpu_job job, hang;
	uint64_t resets, seqno;
	int fd;

	ASSERT_EQ(0, reload("job_timeout_ms=100"));
	fd = rnpu_open();
	ASSERT_LE(0, fd);
	resets = rnpu_param_or_die(fd, DRM_RNPU_PARAM_RESETS, 0);
	ASSERT_EQ(0, rnpu_job_init(fd, &job, 4096 + nops * 4));
	rnpu_cs_nops(&job.cs, nops);
	ASSERT_EQ(0, rnpu_submit(fd, &job, NULL, 0, false, NULL, &seqno));
	ASSERT_EQ(0, rnpu_wait_job(fd, seqno, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state) TH_LOG("error %u", st.error);
	/* Otherwise the test proves nothing. */
	EXPECT_LT(3 * 100 * 1000000ull, st.end_ns - st.start_ns)
		TH_LOG("the job ran %.1f ms", (st.end_ns - st.start_ns) / 1e6);
	TH_LOG("%llu cycles in %.1f ms with a 100 ms timeout",
	       (unsigned long long)st.cycles, (st.end_ns - st.start_ns) / 1e6);
	EXPECT_EQ(resets, rnpu_param_or_die(fd, DRM_RNPU_PARAM_RESETS, 0));
	EXPECT_EQ(0, rnpu_param_or_die(fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	rnpu_job_fini(&job);

	ASSERT_EQ(0, rnpu_job_init(fd, &hang, 4096));
	rnpu_cs_nops(&hang.cs, 16);
	ASSERT_EQ(0, inject(fd, "hang"));
	ASSERT_EQ(0, rnpu_submit(fd, &hang, NULL, 0, false, NULL, &seqno));
	ASSERT_EQ(0, rnpu_wait_job(fd, seqno, &st));
	EXPECT_EQ(DRM_RNPU_JOB_FAILED, st.state);
	EXPECT_EQ(DRM_RNPU_ERR_TIMEOUT, st.error);
	EXPECT_EQ(1, rnpu_param_or_die(fd, DRM_RNPU_PARAM_CTX_BANNED, 0));
	EXPECT_EQ(resets + 1, rnpu_param_or_die(fd, DRM_RNPU_PARAM_RESETS, 0));
	rnpu_job_fini(&hang);
	close(fd);
}

/*
 * Out-of-range parameters are refused, at load and through sysfs, and
 * the old value stays: job_timeout_ms=0 would time out every job,
 * job_history=0 would spin under the submit lock.
 */
TEST_F(lc, bad_module_parameters)
{
	const char *hist = "/sys/module/rnpu/parameters/job_history";
	char buf[32];
	int fd;

	ASSERT_EQ(0, unload());
	EXPECT_EQ(-EINVAL, load("job_timeout_ms=0"));
	EXPECT_EQ(-EINVAL, load("ring_entries=1"));
	EXPECT_EQ(-EINVAL, load("job_history=0"));
	ASSERT_EQ(0, load(""));
	EXPECT_EQ(-EINVAL, rnpu_write_file(hist, "0"));
	ASSERT_EQ(0, rnpu_read_file(hist, buf, sizeof(buf)));
	EXPECT_EQ(1024, atoi(buf));
	EXPECT_EQ(0, rnpu_write_file(hist, "1"));
	/* History 1: jobs still run and the newest record is kept. */
	fd = rnpu_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, good_job(fd));
	EXPECT_EQ(0, good_job(fd));
	close(fd);
	EXPECT_EQ(0, rnpu_write_file(hist, "1024"));
}

TEST_HARNESS_MAIN
