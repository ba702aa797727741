// SPDX-License-Identifier: GPL-2.0-only
/*
 * Power management seen from userspace: the NPU runtime-suspends after the
 * autosuspend delay and resumes for a submit (counters survive), and the
 * devfreq limits in sysfs change the clock and so the modelled job time,
 * while the job's cycle count stays the same.
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

/* Polls runtime_status for up to @secs seconds. */
static bool wait_status(const char *dev, const char *want, int secs)
{
	char st[32];
	int i;

	for (i = 0; i < secs * 20; i++) {
		if (!read_attr(dev, "power/runtime_status", st, sizeof(st)) &&
		    !strcmp(st, want))
			return true;
		usleep(50000);
	}
	return false;
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

TEST_F_TIMEOUT(pm, runtime_suspend_resume, 90)
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

	/* Idle: suspended after the delay (seconds of slack for TCG). */
	ASSERT_TRUE(wait_status(self->dev, "suspended", 20));
	/* Reading parameters does not wake it; powered-down values read 0. */
	EXPECT_EQ(0, rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_CUR, 0));
	EXPECT_TRUE(wait_status(self->dev, "suspended", 1));

	/* A submit resumes it; the job runs and the counters survived. */
	ASSERT_EQ(0, nop_job(self->fd, 16, &st, true));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
	jobs_after = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_JOBS);
	EXPECT_LE(jobs_before + 1, jobs_after);
	/* And it goes back to sleep. */
	EXPECT_TRUE(wait_status(self->dev, "suspended", 20));
}

TEST_F_TIMEOUT(pm, active_while_busy, 90)
{
	struct drm_rnpu_job_status st;
	uint64_t seqno;
	char buf[32];

	ASSERT_EQ(0, write_attr(self->dev, "power/autosuspend_delay_ms", "100"));
	ASSERT_TRUE(wait_status(self->dev, "suspended", 20));
	/* About 65 M cycles: tens of ms even at the top clock. */
	ASSERT_EQ(0, nop_job(self->fd, 1u << 20, &st, false));
	seqno = st.seqno;
	ASSERT_EQ(0, read_attr(self->dev, "power/runtime_status", buf, sizeof(buf)));
	EXPECT_STREQ("active", buf);
	ASSERT_EQ(0, rnpu_wait_job(self->fd, seqno, &st));
	EXPECT_EQ(DRM_RNPU_JOB_DONE, st.state);
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

TEST_F_TIMEOUT(pm, devfreq_changes_job_time, 120)
{
	uint64_t fmin = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_MIN, 0);
	uint64_t fmax = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_MAX, 0);
	struct drm_rnpu_job_status slow, fast;
	uint64_t t_slow, t_fast, fcur;
	double ratio;

	if (!self->devfreq[0])
		SKIP(return, "no devfreq device for the NPU");
	ASSERT_LT(fmin, fmax);

	ASSERT_EQ(0, set_freq_range(self->devfreq, fmin, fmin));
	ASSERT_EQ(0, nop_job(self->fd, 1u << 19, &slow, true));
	fcur = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_FREQ_CUR, 0);
	EXPECT_TRUE(fcur == 0 || fcur == fmin) TH_LOG("clock %llu Hz", (unsigned long long)fcur);

	ASSERT_EQ(0, set_freq_range(self->devfreq, fmax, fmax));
	ASSERT_EQ(0, nop_job(self->fd, 1u << 19, &fast, true));

	ASSERT_EQ(DRM_RNPU_JOB_DONE, slow.state);
	ASSERT_EQ(DRM_RNPU_JOB_DONE, fast.state);
	/* The work is the same; only the clock differs. */
	EXPECT_EQ(slow.cycles, fast.cycles);
	t_slow = slow.end_ns - slow.start_ns;
	t_fast = fast.end_ns - fast.start_ns;
	ratio = (double)t_slow / (double)(t_fast ? t_fast : 1);
	TH_LOG("%llu cycles: %.1f ms at %llu MHz, %.1f ms at %llu MHz (x%.2f, ideal x%.2f)",
	       (unsigned long long)slow.cycles, t_slow / 1e6,
	       (unsigned long long)(fmin / 1000000), t_fast / 1e6,
	       (unsigned long long)(fmax / 1000000), ratio, (double)fmax / fmin);
	/* At least half the ideal ratio: TCG adds host time to both runs. */
	EXPECT_LE((double)fmax / fmin / 2, ratio);
	/* The slow run took about its modelled time, not less. */
	EXPECT_LE(slow.cycles * 1000 / (fmin / 1000000) * 9 / 10, t_slow);
}

TEST_HARNESS_MAIN
