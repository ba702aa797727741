// SPDX-License-Identifier: GPL-2.0-only
/*
 * Power management seen from userspace: the NPU runtime-suspends after the
 * autosuspend delay and resumes for a submit (counters survive), and the
 * devfreq limits in sysfs change the clock and so the modelled job time,
 * while the job's cycle count stays the same.
 *
 * Nothing here asserts on host time: waits are for the state itself
 * (power/runtime_status, the job's state), polled with a bound that only
 * turns a hang into a failure, and time in the device is its CYCLES
 * counter.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>

#include "rnpu_ksft.h"
#include "kselftest_harness.h"

FIXTURE(pm) {
	int fd;
	char dev[PATH_MAX];
	char devfreq[PATH_MAX];		/* "" without devfreq */
	char delay[32];			/* saved autosuspend_delay_ms */
	char min_freq[32], max_freq[32];
};

static void sysfs_path(char *out, size_t len, const char *dir, const char *file)
{
	snprintf(out, len, "%s/%s", dir, file);
}

static int read_attr(const char *dir, const char *file, char *buf, size_t len)
{
	char p[PATH_MAX + 64];

	sysfs_path(p, sizeof(p), dir, file);
	return rnpu_read_file(p, buf, len);
}

static int write_attr(const char *dir, const char *file, const char *val)
{
	char p[PATH_MAX + 64];

	sysfs_path(p, sizeof(p), dir, file);
	return rnpu_write_file(p, val);
}

/* The devfreq class device whose parent is @dev, or "" if none. */
static void find_devfreq(const char *dev, char *out, size_t len)
{
	DIR *d = opendir("/sys/class/devfreq");
	struct dirent *e;

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		char link[PATH_MAX], real[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "/sys/class/devfreq/%s/device", e->d_name);
		if (realpath(link, real) && !strcmp(real, dev)) {
			snprintf(out, len, "/sys/class/devfreq/%s", e->d_name);
			break;
		}
	}
	closedir(d);
}

FIXTURE_SETUP(pm)
{
	self->fd = rnpu_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, rnpu_sysfs_dev(self->fd, self->dev, sizeof(self->dev)));
	ASSERT_EQ(0, read_attr(self->dev, "power/autosuspend_delay_ms",
			       self->delay, sizeof(self->delay)));
	find_devfreq(self->dev, self->devfreq, sizeof(self->devfreq));
	if (self->devfreq[0]) {
		ASSERT_EQ(0, read_attr(self->devfreq, "min_freq", self->min_freq,
				       sizeof(self->min_freq)));
		ASSERT_EQ(0, read_attr(self->devfreq, "max_freq", self->max_freq,
				       sizeof(self->max_freq)));
	}
}

FIXTURE_TEARDOWN(pm)
{
	write_attr(self->dev, "power/autosuspend_delay_ms", self->delay);
	if (self->devfreq[0]) {
		/* Widen first so neither write is refused as min > max. */
		write_attr(self->devfreq, "min_freq", "0");
		write_attr(self->devfreq, "max_freq", self->max_freq);
		write_attr(self->devfreq, "min_freq", self->min_freq);
	}
	close(self->fd);
}

static bool runtime_status_is(const char *dev, const char *want)
{
	char st[32];

	return !read_attr(dev, "power/runtime_status", st, sizeof(st)) && !strcmp(st, want);
}

/* Polls runtime_status until it reads @want (RNPU_WAIT_NS at most). */
static bool wait_status(const char *dev, const char *want)
{
	uint64_t end = rnpu_deadline(RNPU_WAIT_NS);

	while (!runtime_status_is(dev, want)) {
		if (rnpu_now_ns() > end)
			return false;
		usleep(20000);	/* poll interval */
	}
	return true;
}

/* The job is queued or running (JOB_STATUS without waiting). */
static bool job_unfinished(int fd, uint64_t seqno)
{
	struct drm_rnpu_job_status st = { .seqno = seqno };

	return !rnpu_ioctl(fd, DRM_IOCTL_RNPU_JOB_STATUS, &st) &&
	       (st.state == DRM_RNPU_JOB_QUEUED || st.state == DRM_RNPU_JOB_RUNNING);
}

/* A job of @nops NOP commands: long on the device, cheap on the host. */
static int nop_job(int fd, uint32_t nops, struct drm_rnpu_job_status *st,
		   bool wait)
{
	struct rnpu_job job;
	uint64_t seqno;
	int ret;

	ret = rnpu_job_init(fd, &job, sizeof(struct rnpu_cs_header) + nops * 4);
	if (ret)
		return ret;
	rnpu_cs_nops(&job.cs, nops);
	ret = rnpu_submit(fd, &job, NULL, 0, false, NULL, &seqno);
	if (!ret && wait)
		ret = rnpu_wait_job(fd, seqno, st);
	else if (!ret)
		st->seqno = seqno;
	rnpu_job_fini(&job);
	return ret;
}

TEST_F_TIMEOUT(pm, runtime_suspend_resume, 120)
{
	struct drm_rnpu_job_status st;
	uint64_t jobs_before, jobs_after;
	char buf[32];

	ASSERT_EQ(0, write_attr(self->dev, "power/autosuspend_delay_ms", "300"));
	ASSERT_EQ(0, read_attr(self->dev, "power/control", buf, sizeof(buf)));
	ASSERT_STREQ("auto", buf);
	ASSERT_EQ(0, nop_job(self->fd, 16, &st, true));
	ASSERT_EQ(DRM_RNPU_JOB_DONE, st.state);
	jobs_before = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_JOBS);

	/* Idle: it suspends after the delay. */
	ASSERT_TRUE(wait_status(self->dev, "suspended"));
	/* Reading parameters does not wake it; powered-down values read 0. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_CUR, 0));
	EXPECT_TRUE(runtime_status_is(self->dev, "suspended"));

	/* A submit resumes it; the job runs and the counters survived. */
	ASSERT_EQ(0, nop_job(self->fd, 16, &st, true));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	jobs_after = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_JOBS);
	EXPECT_LE(jobs_before + 1, jobs_after);
	/* And it goes back to sleep. */
	EXPECT_TRUE(wait_status(self->dev, "suspended"));
}

/*
 * A job holds a runtime-PM reference from SUBMIT until it is freed, so the
 * device is active whenever one is unfinished.  The status read counts only
 * if the job was still unfinished after it; a host stall long enough for
 * the job to finish first just means another try.
 */
TEST_F_TIMEOUT(pm, active_while_busy, 120)
{
	struct drm_rnpu_job_status st;
	bool seen = false;
	uint64_t seqno;
	char buf[32];
	int i;

	ASSERT_EQ(0, write_attr(self->dev, "power/autosuspend_delay_ms", "100"));
	for (i = 0; i < 5 && !seen; i++) {
		ASSERT_TRUE(wait_status(self->dev, "suspended"));
		/* About 65 M cycles: tens of ms of device time even at the top clock. */
		ASSERT_EQ(0, nop_job(self->fd, 1u << 20, &st, false));
		seqno = st.seqno;
		ASSERT_EQ(0, read_attr(self->dev, "power/runtime_status", buf, sizeof(buf)));
		if (job_unfinished(self->fd, seqno)) {
			seen = true;
			EXPECT_STREQ("active", buf);
		}
		ASSERT_EQ(0, rnpu_wait_job(self->fd, seqno, &st));
		EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	}
	EXPECT_TRUE(seen) TH_LOG("the job finished before its power state was read, %d times", i);
}

static int set_freq_range(const char *df, uint64_t lo, uint64_t hi)
{
	char v[32];
	int ret;

	/* Order the writes so min <= max holds after each one. */
	ret = write_attr(df, "min_freq", "0");
	if (!ret) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)hi);
		ret = write_attr(df, "max_freq", v);
	}
	if (!ret) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)lo);
		ret = write_attr(df, "min_freq", v);
	}
	return ret;
}

/*
 * One NOP job with the clock locked at @hz.  While the job is unfinished
 * the device is powered, so FREQ_CUR is the device's clock then; CYCLES
 * and BUSY are read around the job.
 */
struct clocked {
	struct drm_rnpu_job_status st;
	uint64_t freq;		/* FREQ_CUR read while the job was unfinished, 0 if never */
	uint64_t cycles;	/* CYCLES across the job */
	uint64_t busy;		/* BUSY across the job */
};

static int clocked_job(int fd, const char *devfreq, uint64_t hz, uint32_t nops,
		       struct clocked *c)
{
	uint64_t c0, b0, f, end;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = set_freq_range(devfreq, hz, hz);
	if (ret)
		return ret;
	c0 = rnpu_param_or_die(fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_CYCLES);
	b0 = rnpu_param_or_die(fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_BUSY);
	ret = nop_job(fd, nops, &c->st, false);
	if (ret)
		return ret;
	end = rnpu_deadline(RNPU_WAIT_NS);
	do {
		f = rnpu_param_or_die(fd, DRM_RNPU_PARAM_FREQ_CUR, 0);
		if (!job_unfinished(fd, c->st.seqno))
			break;
		c->freq = f;
	} while (rnpu_now_ns() < end);
	ret = rnpu_wait_job(fd, c->st.seqno, &c->st);
	if (ret)
		return ret;
	c->cycles = rnpu_param_or_die(fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_CYCLES) - c0;
	c->busy = rnpu_param_or_die(fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_BUSY) - b0;
	return 0;
}

/*
 * The device retires a job after its modelled cycles at the current clock
 * (checked on the device's own clock by tests/device).  Here: the devfreq
 * limits set that clock while the job runs, the job's cycles do not depend
 * on it, BUSY gets exactly those cycles and CYCLES, counting at the
 * device's clock, advances by at least as many while the job runs.
 */
TEST_F_TIMEOUT(pm, devfreq_changes_job_time, 120)
{
	uint64_t fmin = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_MIN, 0);
	uint64_t fmax = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_MAX, 0);
	struct clocked slow, fast;
	int i;

	if (!self->devfreq[0])
		SKIP(return, "no devfreq device for the NPU");
	ASSERT_LT(fmin, fmax);

	/* ~33 M cycles: 168 ms of device time at 200 MHz, 34 ms at 1 GHz. */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, clocked_job(self->fd, self->devfreq, fmin, 1u << 19, &slow));
		ASSERT_EQ(0, clocked_job(self->fd, self->devfreq, fmax, 1u << 19, &fast));
		if (slow.freq && fast.freq)
			break;
	}
	ASSERT_EQ(DRM_RNPU_JOB_DONE, slow.st.state);
	ASSERT_EQ(DRM_RNPU_JOB_DONE, fast.st.state);
	TH_LOG("%llu cycles: CYCLES +%llu at %llu MHz (%.1f ms of device time), +%llu at %llu MHz (%.1f ms)",
	       (unsigned long long)slow.st.cycles, (unsigned long long)slow.cycles,
	       (unsigned long long)(slow.freq / 1000000), slow.freq ? slow.cycles * 1e3 / slow.freq : 0,
	       (unsigned long long)fast.cycles, (unsigned long long)(fast.freq / 1000000),
	       fast.freq ? fast.cycles * 1e3 / fast.freq : 0);
	/* The clock while the job ran: the locked one (a thermal cap may lower the top). */
	EXPECT_EQ(fmin, slow.freq);
	EXPECT_LT(slow.freq, fast.freq);
	/* The work is the same; only the clock differs. */
	EXPECT_EQ(slow.st.cycles, fast.st.cycles);
	EXPECT_EQ(slow.st.cycles, slow.busy);
	EXPECT_EQ(fast.st.cycles, fast.busy);
	EXPECT_LE(slow.st.cycles, slow.cycles);
	EXPECT_LE(fast.st.cycles, fast.cycles);
}

TEST_HARNESS_MAIN
