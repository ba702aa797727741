// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu kselftest helpers: device discovery, ioctl wrappers, BOs, syncobjs,
 * jobs and the sysfs/debugfs/fdinfo files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "rnpu_ksft.h"

int rnpu_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

static bool is_rnpu(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		.name = name,
		.name_len = sizeof(name) - 1,
	};

	return rnpu_ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && !strcmp(name, "rnpu");
}

int rnpu_open(void)
{
	char path[64];
	int i, fd, err = -ENODEV;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				err = -errno;
			continue;
		}
		if (is_rnpu(fd))
			return fd;
		close(fd);
	}
	return err;
}

int rnpu_minor(int fd)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return -1;
	return minor(st.st_rdev);
}

uint64_t rnpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t rnpu_deadline(uint64_t ns_from_now)
{
	return rnpu_now_ns() + ns_from_now;
}

int rnpu_param(int fd, uint32_t param, uint32_t index, uint64_t *value)
{
	struct drm_rnpu_get_param p = { .param = param, .index = index };
	int ret = rnpu_ioctl(fd, DRM_IOCTL_RNPU_GET_PARAM, &p);

	if (!ret)
		*value = p.value;
	return ret;
}

uint64_t rnpu_param_or_die(int fd, uint32_t param, uint32_t index)
{
	uint64_t v;
	int ret = rnpu_param(fd, param, index, &v);

	if (ret) {
		fprintf(stderr, "# GET_PARAM %u[%u]: %s\n", param, index, strerror(-ret));
		abort();
	}
	return v;
}

/* ---- BOs --------------------------------------------------------------------- */

int rnpu_bo_new(int fd, uint64_t size, uint32_t flags, struct rnpu_bo *bo)
{
	struct drm_rnpu_bo_create c = { .size = size, .flags = flags };
	struct drm_rnpu_bo_info info = { 0 };
	void *map;
	int ret;

	memset(bo, 0, sizeof(*bo));
	ret = rnpu_ioctl(fd, DRM_IOCTL_RNPU_BO_CREATE, &c);
	if (ret)
		return ret;
	info.handle = c.handle;
	ret = rnpu_ioctl(fd, DRM_IOCTL_RNPU_BO_INFO, &info);
	if (ret) {
		rnpu_gem_close(fd, c.handle);
		return ret;
	}
	map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   info.mmap_offset);
	if (map == MAP_FAILED) {
		ret = -errno;
		rnpu_gem_close(fd, c.handle);
		return ret;
	}
	bo->fd = fd;
	bo->handle = c.handle;
	bo->flags = flags;
	bo->size = c.size;
	bo->va = c.va;
	bo->mmap_offset = info.mmap_offset;
	bo->map = map;
	return 0;
}

void rnpu_bo_free(struct rnpu_bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	if (bo->handle)
		rnpu_gem_close(bo->fd, bo->handle);
	memset(bo, 0, sizeof(*bo));
}

int rnpu_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return rnpu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* ---- syncobjs -------------------------------------------------------------- */

int rnpu_syncobj_create(int fd, uint32_t flags, uint32_t *handle)
{
	struct drm_syncobj_create c = { .flags = flags };
	int ret = rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

int rnpu_syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

int rnpu_syncobj_wait(int fd, const uint32_t *handles, uint32_t count,
		      uint64_t deadline_ns, uint32_t flags)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)handles,
		.timeout_nsec = (int64_t)deadline_ns,
		.count_handles = count,
		.flags = flags | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};

	return rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

int rnpu_syncobj_timeline_wait(int fd, uint32_t handle, uint64_t point,
			       uint64_t deadline_ns, uint32_t flags)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)&point,
		.timeout_nsec = (int64_t)deadline_ns,
		.count_handles = 1,
		.flags = flags | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
	};

	return rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

int rnpu_syncobj_signal(int fd, uint32_t handle)
{
	struct drm_syncobj_array a = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
	};

	return rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &a);
}

int rnpu_syncobj_timeline_signal(int fd, uint32_t handle, uint64_t point)
{
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)&point,
		.count_handles = 1,
	};

	return rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a);
}

int rnpu_syncobj_query(int fd, uint32_t handle, uint64_t *point)
{
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)point,
		.count_handles = 1,
	};

	return rnpu_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &a);
}

/* ---- jobs -------------------------------------------------------------------- */

int rnpu_job_init(int fd, struct rnpu_job *job, uint32_t cap)
{
	int ret = rnpu_bo_new(fd, cap, 0, &job->cmd);

	if (ret)
		return ret;
	rnpu_cs_begin(&job->cs, job->cmd.map, cap);
	return 0;
}

void rnpu_job_fini(struct rnpu_job *job)
{
	rnpu_bo_free(&job->cmd);
}

int rnpu_submit(int fd, struct rnpu_job *job, struct rnpu_bo **bos,
		unsigned int nbos, bool write,
		const struct drm_rnpu_submit *tmpl, uint64_t *seqno)
{
	struct drm_rnpu_submit_bo list[64];
	struct drm_rnpu_submit s;
	unsigned int i;
	int ret;

	if (nbos > 64)
		return -E2BIG;
	if (tmpl)
		s = *tmpl;
	else
		memset(&s, 0, sizeof(s));
	for (i = 0; i < nbos; i++) {
		list[i].handle = bos[i]->handle;
		list[i].flags = write ? DRM_RNPU_SUBMIT_BO_WRITE : 0;
	}
	s.cmd_handle = job->cmd.handle;
	s.cmd_size = rnpu_cs_end(&job->cs);
	s.bos = (uintptr_t)list;
	s.bo_count = nbos;
	s.bo_stride = sizeof(list[0]);
	if (!s.in_sync_count)
		s.in_sync_stride = 0;
	ret = rnpu_ioctl(fd, DRM_IOCTL_RNPU_SUBMIT, &s);
	if (!ret && seqno)
		*seqno = s.seqno;
	return ret;
}

int rnpu_wait_job(int fd, uint64_t seqno, struct drm_rnpu_job_status *st)
{
	memset(st, 0, sizeof(*st));
	st->seqno = seqno;
	st->timeout_ns = (int64_t)rnpu_deadline(RNPU_WAIT_NS);
	return rnpu_ioctl(fd, DRM_IOCTL_RNPU_JOB_STATUS, st);
}

int rnpu_run(int fd, struct rnpu_job *job, struct rnpu_bo **bos,
	     unsigned int nbos, struct drm_rnpu_job_status *st)
{
	uint64_t seqno;
	int ret;

	ret = rnpu_submit(fd, job, bos, nbos, true, NULL, &seqno);
	if (ret)
		return ret;
	ret = rnpu_wait_job(fd, seqno, st);
	if (ret)
		return ret;
	if (st->state != DRM_RNPU_JOB_DONE) {
		fprintf(stderr, "# job %llu: state %u error %u detail %u fault_va 0x%llx\n",
			(unsigned long long)seqno, st->state, st->error, st->detail,
			(unsigned long long)st->fault_va);
		return -EIO;
	}
	return 0;
}

/* ---- files ------------------------------------------------------------------- */

int rnpu_sysfs_dev(int fd, char *path, size_t len)
{
	char link[64], real[PATH_MAX];
	int m = rnpu_minor(fd);

	if (m < 0)
		return -ENODEV;
	snprintf(link, sizeof(link), "/sys/class/accel/accel%d/device", m);
	if (!realpath(link, real))
		return -errno;
	if ((size_t)snprintf(path, len, "%s", real) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Accel devices get /sys/kernel/debug/accel/<dev->unique>, the parent
 * device's name (e.g. 0000:00:01.0); older kernels used the minor number.
 */
int rnpu_debugfs_dir(int fd, char *path, size_t len)
{
	char dev[PATH_MAX];
	const char *name;
	struct stat st;
	int ret;

	ret = rnpu_sysfs_dev(fd, dev, sizeof(dev));
	if (ret)
		return ret;
	name = strrchr(dev, '/');
	name = name ? name + 1 : dev;
	snprintf(path, len, "/sys/kernel/debug/accel/%s", name);
	if (!stat(path, &st))
		return 0;
	snprintf(path, len, "/sys/kernel/debug/accel/%d", rnpu_minor(fd));
	if (stat(path, &st))
		return -errno;
	return 0;
}

int rnpu_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int rnpu_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

int rnpu_fdinfo(int fd, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(val, len, "%s", v);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int rnpu_fdinfo_u64(int fd, const char *key, uint64_t *v)
{
	char val[128], *end;
	int ret = rnpu_fdinfo(fd, key, val, sizeof(val));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoull(val, &end, 10);
	if (errno || end == val)
		return -EINVAL;
	return 0;
}

uint64_t rnpu_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/*
 * TAP lines go to stdout and diagnostics to stderr on the same console:
 * line buffering keeps every result line whole.
 */
__attribute__((constructor)) static void rnpu_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
