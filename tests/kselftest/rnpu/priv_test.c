// SPDX-License-Identifier: GPL-2.0-only
/*
 * Least privilege: as an unprivileged user (uid and gid 65534, no
 * capabilities; the device node opened first, as for a user the node's
 * permissions admit) a file's own data and jobs work, while device-wide
 * activity (counters, clock, temperature, device PERFCNT) is refused with
 * -EACCES and joining the netlink event group with -EPERM.  Root, in the
 * same run, gets all of it (the checks are not vacuous).
 */
#include <grp.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define NOBODY	65534

/* Generic netlink: the id of family @family's multicast group @group. */
static int genl_group_id(const char *family, const char *group)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char buf[256];
	} req = { 0 };
	char resp[8192];
	struct nlattr *na;
	int sock, len, id = -ENOENT;

	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sock < 0)
		return -errno;
	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	na = (struct nlattr *)req.buf;
	na->nla_type = CTRL_ATTR_FAMILY_NAME;
	na->nla_len = NLA_HDRLEN + strlen(family) + 1;
	strcpy((char *)na + NLA_HDRLEN, family);
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(na->nla_len);
	if (send(sock, &req, req.n.nlmsg_len, 0) < 0) {
		close(sock);
		return -errno;
	}
	len = recv(sock, resp, sizeof(resp), 0);
	close(sock);
	if (len < (int)NLMSG_LENGTH(GENL_HDRLEN))
		return -EIO;
	{
		struct nlmsghdr *n = (struct nlmsghdr *)resp;
		char *p = (char *)NLMSG_DATA(n) + GENL_HDRLEN;
		char *end = (char *)n + n->nlmsg_len;

		if (n->nlmsg_type == NLMSG_ERROR)
			return -ENOENT;
		for (; p + NLA_HDRLEN <= end; p += NLA_ALIGN(((struct nlattr *)p)->nla_len)) {
			struct nlattr *a = (struct nlattr *)p;
			char *g, *gend;

			if (a->nla_len < NLA_HDRLEN)
				break;
			if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
				continue;
			gend = p + a->nla_len;
			for (g = p + NLA_HDRLEN; g + NLA_HDRLEN <= gend;
			     g += NLA_ALIGN(((struct nlattr *)g)->nla_len)) {
				struct nlattr *ga = (struct nlattr *)g;
				char *q = g + NLA_HDRLEN, *qend = g + ga->nla_len;
				const char *name = NULL;
				int gid = -1;

				if (ga->nla_len < NLA_HDRLEN)
					break;
				for (; q + NLA_HDRLEN <= qend;
				     q += NLA_ALIGN(((struct nlattr *)q)->nla_len)) {
					struct nlattr *x = (struct nlattr *)q;

					if (x->nla_len < NLA_HDRLEN)
						break;
					if (x->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
						name = q + NLA_HDRLEN;
					else if (x->nla_type == CTRL_ATTR_MCAST_GRP_ID)
						gid = *(int *)(q + NLA_HDRLEN);
				}
				if (name && gid >= 0 && !strcmp(name, group))
					id = gid;
			}
		}
	}
	return id;
}

/* Join group @id on a fresh generic netlink socket: 0 or -errno. */
static int join_group(int id)
{
	int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int ret = 0;

	if (sock < 0)
		return -errno;
	if (setsockopt(sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &id, sizeof(id)))
		ret = -errno;
	close(sock);
	return ret;
}

static int perfcnt(int fd, uint32_t flags)
{
	uint64_t vals[DRM_RNPU_CNT_COUNT];
	struct drm_rnpu_perfcnt p = {
		.flags = flags,
		.count = DRM_RNPU_CNT_COUNT,
		.values = (uintptr_t)vals,
	};

	return rnpu_ioctl(fd, DRM_IOCTL_RNPU_PERFCNT, &p);
}

#define CHECK(cond) do { \
		if (!(cond)) { \
			fprintf(stderr, "# unprivileged: %s failed\n", #cond); \
			fails++; \
		} \
	} while (0)

/* Child, as nobody: returns the number of failed checks. */
static int unprivileged(int fd, int group)
{
	struct drm_rnpu_job_status st;
	struct rnpu_job job;
	struct rnpu_bo bo;
	struct rnpu_bo *bos[1] = { &bo };
	uint64_t v;
	int fails = 0;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 100;
	CHECK(rnpu_param(fd, DRM_RNPU_PARAM_HW_VERSION, 0, &v) == 0);
	CHECK(rnpu_param(fd, DRM_RNPU_PARAM_MEM_USED, 0, &v) == 0);
	CHECK(rnpu_param(fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_JOBS, &v) == -EACCES);
	CHECK(rnpu_param(fd, DRM_RNPU_PARAM_FREQ_CUR, 0, &v) == -EACCES);
	CHECK(rnpu_param(fd, DRM_RNPU_PARAM_TEMP, 0, &v) == -EACCES);
	CHECK(perfcnt(fd, 0) == -EACCES);
	CHECK(perfcnt(fd, DRM_RNPU_PERFCNT_FILE) == 0);
	CHECK(join_group(group) == -EPERM);
	/* Its own work is its own business. */
	if (rnpu_job_init(fd, &job, 4096) || rnpu_bo_new(fd, 8192, 0, &bo))
		return 101;
	memset(bo.map, 0x3c, 4096);
	rnpu_cs_dma(&job.cs, bo.va, bo.va + 4096, 4096);
	CHECK(rnpu_run(fd, &job, bos, 1, &st) == 0);
	CHECK(!memcmp(bo.map, (uint8_t *)bo.map + 4096, 4096));
	CHECK(rnpu_param(fd, DRM_RNPU_PARAM_LAST_SEQNO, 0, &v) == 0 && v == 1);
	rnpu_bo_free(&bo);
	rnpu_job_fini(&job);
	return fails;
}

TEST_F(rnpu, device_wide_data_needs_perfmon)
{
	int group = genl_group_id(RNPU_GENL_NAME, RNPU_GENL_MCGRP_EVENTS);
	uint64_t v;
	int status;
	pid_t pid;

	ASSERT_LE(0, group) TH_LOG("rnpu netlink group: %s", strerror(-group));
	/* Root: everything. */
	EXPECT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_COUNTER, DRM_RNPU_CNT_JOBS, &v));
	EXPECT_EQ(0, rnpu_param(self->fd, DRM_RNPU_PARAM_TEMP, 0, &v));
	EXPECT_EQ(0, perfcnt(self->fd, 0));
	EXPECT_EQ(0, join_group(group));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged(self->fd, group));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
