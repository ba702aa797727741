// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "rnpu" generic netlink family: a tool resolves it and its "events"
 * multicast group, joins, and receives a FAULT event naming the job, the
 * error and the faulting address when a job faults, and a RESET event when
 * the device is reset.  Raw netlink, so the test needs no libnl.
 */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "rnpu_ksft.h"
#include "rnpu_fixture.h"

#define NLBUF	8192
#define __aligned(n) __attribute__((aligned(n)))

struct nl_attrs {
	const struct nlattr *a[RNPU_NL_ATTR_MAX + 1];
};

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 30 };	/* bounds each wait for an event */
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		close(s);
		return -errno;
	}
	return s;
}

static void *nla_put(struct nlmsghdr *n, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

/* Calls @fn for each attribute in [start, start + len). */
#define for_each_nla(a, start, len)						\
	for (a = (const struct nlattr *)(start);				\
	     (const char *)a + NLA_HDRLEN <= (const char *)(start) + (len) &&	\
	     a->nla_len >= NLA_HDRLEN &&					\
	     (const char *)a + a->nla_len <= (const char *)(start) + (len);	\
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))

/* Resolves the family id and the id of its "events" group. */
static int resolve(int s, uint16_t *family, uint32_t *group)
{
	char buf[NLBUF] __aligned(8);
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(n);
	const struct nlattr *a, *grp, *ga;
	ssize_t len;

	memset(buf, 0, sizeof(buf));
	n->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	n->nlmsg_type = GENL_ID_CTRL;
	n->nlmsg_flags = NLM_F_REQUEST;
	n->nlmsg_seq = 1;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	nla_put(n, CTRL_ATTR_FAMILY_NAME, RNPU_GENL_NAME, sizeof(RNPU_GENL_NAME));
	if (send(s, buf, n->nlmsg_len, 0) < 0)
		return -errno;
	len = recv(s, buf, sizeof(buf), 0);
	if (len < 0)
		return -errno;
	if (!NLMSG_OK(n, (size_t)len))
		return -EPROTO;
	if (n->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(n))->error;
	*family = 0;
	*group = 0;
	for_each_nla(a, (char *)g + GENL_HDRLEN, n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			memcpy(family, (const char *)a + NLA_HDRLEN, sizeof(*family));
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for_each_nla(grp, (const char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN) {
			uint32_t id = 0;
			bool ours = false;

			for_each_nla(ga, (const char *)grp + NLA_HDRLEN, grp->nla_len - NLA_HDRLEN) {
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					memcpy(&id, (const char *)ga + NLA_HDRLEN, sizeof(id));
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
				    !strcmp((const char *)ga + NLA_HDRLEN, RNPU_GENL_MCGRP_EVENTS))
					ours = true;
			}
			if (ours)
				*group = id;
		}
	}
	return *family && *group ? 0 : -ENOENT;
}

/* Waits (30 s socket timeout) for an event with command @cmd. */
static int next_event(int s, uint16_t family, uint8_t cmd, char *buf, struct nl_attrs *at)
{
	int tries;

	for (tries = 0; tries < 32; tries++) {
		struct nlmsghdr *n = (struct nlmsghdr *)buf;
		struct genlmsghdr *g = NLMSG_DATA(n);
		const struct nlattr *a;
		ssize_t len = recv(s, buf, NLBUF, 0);

		if (len < 0)
			return -errno;
		if (!NLMSG_OK(n, (size_t)len) || n->nlmsg_type != family || g->cmd != cmd)
			continue;
		memset(at, 0, sizeof(*at));
		for_each_nla(a, (char *)g + GENL_HDRLEN, n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))
			if (a->nla_type <= RNPU_NL_ATTR_MAX)
				at->a[a->nla_type] = a;
		return 0;
	}
	return -ENOMSG;
}

static uint64_t attr_u64(const struct nl_attrs *at, int type)
{
	uint64_t v = 0;

	if (at->a[type])
		memcpy(&v, (const char *)at->a[type] + NLA_HDRLEN,
		       at->a[type]->nla_len - NLA_HDRLEN < 8 ? at->a[type]->nla_len - NLA_HDRLEN : 8);
	return v;
}

FIXTURE(nl) {
	int fd;
	int sock;
	uint16_t family;
	uint32_t group;
};

FIXTURE_SETUP(nl)
{
	self->fd = rnpu_open();
	ASSERT_LE(0, self->fd);
	self->sock = nl_open();
	ASSERT_LE(0, self->sock);
	ASSERT_EQ(0, resolve(self->sock, &self->family, &self->group));
	ASSERT_EQ(0, setsockopt(self->sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&self->group, sizeof(self->group)));
}

FIXTURE_TEARDOWN(nl)
{
	close(self->sock);
	close(self->fd);
}

TEST_F(nl, fault_event)
{
	char buf[NLBUF] __aligned(8);
	struct drm_rnpu_job_status st;
	struct nl_attrs at;
	struct rnpu_job job;
	struct rnpu_bo bo;
	struct rnpu_bo *bos[1] = { &bo };
	uint64_t seq;

	ASSERT_EQ(0, rnpu_bo_new(self->fd, 8192, 0, &bo));
	ASSERT_EQ(0, rnpu_job_init(self->fd, &job, 4096));
	rnpu_cs_dma(&job.cs, bo.va + bo.size, bo.va, 64);
	ASSERT_EQ(0, rnpu_submit(self->fd, &job, bos, 1, true, NULL, &seq));
	ASSERT_EQ(0, rnpu_wait_job(self->fd, seq, &st));
	ASSERT_EQ(DRM_RNPU_ERR_MMU_FAULT, st.error);

	ASSERT_EQ(0, next_event(self->sock, self->family, RNPU_NL_CMD_FAULT, buf, &at));
	EXPECT_EQ(seq, attr_u64(&at, RNPU_NL_ATTR_SEQNO));
	EXPECT_EQ(DRM_RNPU_ERR_MMU_FAULT, attr_u64(&at, RNPU_NL_ATTR_ERROR));
	EXPECT_EQ(bo.va + bo.size, attr_u64(&at, RNPU_NL_ATTR_FAULT_VA));
	EXPECT_EQ(rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_CLIENT_ID, 0),
		  attr_u64(&at, RNPU_NL_ATTR_CLIENT_ID));
	EXPECT_EQ((uint64_t)getpid(), attr_u64(&at, RNPU_NL_ATTR_PID));
	EXPECT_EQ((uint64_t)rnpu_minor(self->fd), attr_u64(&at, RNPU_NL_ATTR_MINOR));
	EXPECT_NE(NULL, at.a[RNPU_NL_ATTR_COMM]);
	rnpu_job_fini(&job);
	rnpu_bo_free(&bo);
}

TEST_F(nl, reset_event)
{
	char buf[NLBUF] __aligned(8);
	uint64_t resets = rnpu_param_or_die(self->fd, DRM_RNPU_PARAM_RESETS, 0);
	char dir[128], path[192];
	struct nl_attrs at;

	ASSERT_EQ(0, rnpu_debugfs_dir(self->fd, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/force_reset", dir);
	ASSERT_EQ(0, rnpu_write_file(path, "1"));
	ASSERT_EQ(0, next_event(self->sock, self->family, RNPU_NL_CMD_RESET, buf, &at));
	EXPECT_EQ(RNPU_NL_REASON_FORCED, attr_u64(&at, RNPU_NL_ATTR_REASON));
	EXPECT_EQ(resets + 1, attr_u64(&at, RNPU_NL_ATTR_RESETS));
	/* Nobody to blame for a forced reset. */
	EXPECT_EQ(NULL, at.a[RNPU_NL_ATTR_CLIENT_ID]);
}

TEST_HARNESS_MAIN
