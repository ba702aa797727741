// SPDX-License-Identifier: GPL-2.0-only
/*
 * Submit overhead (bench/submit-overhead.sh, in the guest): the time from
 * SUBMIT of a no-op job (one NOP command) to its out-fence signalling,
 * against a bare ioctl round trip (GET_PARAM of a constant), each the
 * median over many runs, and their ratio.
 *
 *   rnpu_submit_overhead [--runs N]      (default 1000)
 *
 * The fence is waited for with DRM_IOCTL_SYNCOBJ_WAIT on the job's
 * out-syncobj, so the time includes the scheduler, the ring, the device's
 * modelled time for one NOP (~0.1 us) and the interrupt.  Output: one
 * "key: value" line each (ns), then "ratio: X".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rnpu_ksft.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	unsigned int runs = 1000, i;
	struct drm_rnpu_submit tmpl;
	uint64_t *t_param, *t_job, v, t0, p, j;
	struct rnpu_job job;
	uint32_t sync;
	int fd, ret;

	if (argc == 3 && !strcmp(argv[1], "--runs"))
		runs = strtoul(argv[2], NULL, 0);
	if (!runs) {
		fprintf(stderr, "usage: %s [--runs N>0]\n", argv[0]);
		return 2;
	}
	fd = rnpu_open();
	if (fd < 0) {
		fprintf(stderr, "no rnpu device: %s\n", strerror(-fd));
		return 1;
	}
	t_param = calloc(runs, sizeof(*t_param));
	t_job = calloc(runs, sizeof(*t_job));
	if (!t_param || !t_job || rnpu_job_init(fd, &job, 4096) ||
	    rnpu_syncobj_create(fd, 0, &sync))
		return 1;
	rnpu_cs_nops(&job.cs, 1);
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.out_sync = sync;

	/* Warm-up: the device powered, the clock settled by devfreq. */
	for (i = 0; i < 50; i++) {
		if (rnpu_submit(fd, &job, NULL, 0, false, &tmpl, NULL) ||
		    rnpu_syncobj_wait(fd, &sync, 1, rnpu_deadline(RNPU_WAIT_NS), 0))
			return 1;
	}
	for (i = 0; i < runs; i++) {
		t0 = rnpu_now_ns();
		if (rnpu_param(fd, DRM_RNPU_PARAM_HW_VERSION, 0, &v))
			return 1;
		t_param[i] = rnpu_now_ns() - t0;

		t0 = rnpu_now_ns();
		ret = rnpu_submit(fd, &job, NULL, 0, false, &tmpl, NULL);
		if (!ret)
			ret = rnpu_syncobj_wait(fd, &sync, 1,
						rnpu_deadline(RNPU_WAIT_NS), 0);
		if (ret) {
			fprintf(stderr, "job %u: %s\n", i, strerror(-ret));
			return 1;
		}
		t_job[i] = rnpu_now_ns() - t0;
	}
	/* Drift over the run: the median of each tenth, in run order. */
	if (runs >= 20) {
		unsigned int k = runs / 10, t;
		uint64_t *tmp = calloc(k, sizeof(*tmp));

		if (!tmp)
			return 1;
		printf("submit_to_signal_tenths_median_ns:");
		for (t = 0; t < 10; t++) {
			memcpy(tmp, t_job + t * k, k * sizeof(*tmp));
			printf(" %llu", (unsigned long long)median(tmp, k));
		}
		printf("\n");
		free(tmp);
	}
	p = median(t_param, runs);
	j = median(t_job, runs);
	printf("runs: %u\n", runs);
	printf("get_param_median_ns: %llu\n", (unsigned long long)p);
	printf("submit_to_signal_median_ns: %llu\n", (unsigned long long)j);
	printf("ratio: %.2f\n", p ? (double)j / p : 0.0);
	rnpu_job_fini(&job);
	close(fd);
	return 0;
}
