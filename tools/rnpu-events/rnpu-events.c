// SPDX-License-Identifier: MIT
/*
 * rnpu-events: print the rnpu driver's netlink events (job faults, device
 * resets, frequency throttling) as they happen, one line each.
 *
 *   rnpu-events [--count N] [--timeout SECONDS] [--json]
 *
 * Exit status: 0 after N events (or on SIGINT), 1 on an error (no rnpu
 * driver loaded: the family does not exist), 3 when the timeout passed
 * before N events arrived, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "drm/rnpu_accel.h"

struct ctx {
	int json;
	long seen;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case RNPU_NL_CMD_FAULT:
		return "FAULT";
	case RNPU_NL_CMD_RESET:
		return "RESET";
	case RNPU_NL_CMD_THROTTLE:
		return "THROTTLE";
	default:
		return "UNKNOWN";
	}
}

static const char *reason_name(uint32_t r)
{
	switch (r) {
	case RNPU_NL_REASON_TIMEOUT:
		return "timeout";
	case RNPU_NL_REASON_FORCED:
		return "forced";
	case RNPU_NL_REASON_HW_ERROR:
		return "hw-error";
	case RNPU_NL_REASON_THERMAL:
		return "thermal";
	case RNPU_NL_REASON_DEVFREQ:
		return "devfreq";
	default:
		return "unknown";
	}
}

static const char *error_name(uint32_t e)
{
	static const char *const names[] = {
		"none", "invalid-cmd", "mmu-fault", "watchdog", "bad-job",
		"timeout", "canceled", "device-lost", "bad-writeback",
		"dependency",
	};

	return e < sizeof(names) / sizeof(names[0]) ? names[e] : "unknown";
}

/* One "key=value" (or JSON member) per attribute present. */
static void field(const struct ctx *c, int *first, const char *key,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void field(const struct ctx *c, int *first, const char *key,
		  const char *fmt, ...)
{
	va_list ap;

	printf(c->json ? "%s\"%s\":" : "%s%s=", *first ? "" : (c->json ? "," : " "), key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	*first = 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	static struct nla_policy policy[RNPU_NL_ATTR_MAX + 1] = {
		[RNPU_NL_ATTR_DEV] = { .type = NLA_NUL_STRING },
		[RNPU_NL_ATTR_COMM] = { .type = NLA_NUL_STRING },
	};
	struct nlattr *a[RNPU_NL_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct ctx *c = arg;
	int first = 1;
	const char *q = c->json ? "\"" : "";

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, RNPU_NL_ATTR_MAX, policy))
		return NL_SKIP;
	printf(c->json ? "{\"event\":\"%s\"" : "%s", cmd_name(gh->cmd));
	first = 0;
	if (a[RNPU_NL_ATTR_DEV])
		field(c, &first, "dev", "%s%s%s", q, nla_get_string(a[RNPU_NL_ATTR_DEV]), q);
	if (a[RNPU_NL_ATTR_MINOR])
		field(c, &first, "minor", "%u", nla_get_u32(a[RNPU_NL_ATTR_MINOR]));
	if (a[RNPU_NL_ATTR_CLIENT_ID])
		field(c, &first, "client", "%" PRIu64, nla_get_u64(a[RNPU_NL_ATTR_CLIENT_ID]));
	if (a[RNPU_NL_ATTR_PID])
		field(c, &first, "pid", "%u", nla_get_u32(a[RNPU_NL_ATTR_PID]));
	if (a[RNPU_NL_ATTR_COMM])
		field(c, &first, "comm", "%s%s%s", q, nla_get_string(a[RNPU_NL_ATTR_COMM]), q);
	if (a[RNPU_NL_ATTR_SEQNO])
		field(c, &first, "seqno", "%" PRIu64, nla_get_u64(a[RNPU_NL_ATTR_SEQNO]));
	if (a[RNPU_NL_ATTR_ERROR])
		field(c, &first, "error", "%s%s%s", q,
		      error_name(nla_get_u32(a[RNPU_NL_ATTR_ERROR])), q);
	if (a[RNPU_NL_ATTR_FAULT_VA])
		field(c, &first, "fault_va", c->json ? "%" PRIu64 : "0x%" PRIx64,
		      nla_get_u64(a[RNPU_NL_ATTR_FAULT_VA]));
	if (a[RNPU_NL_ATTR_FAULT_INFO])
		field(c, &first, "fault_info", "%u", nla_get_u32(a[RNPU_NL_ATTR_FAULT_INFO]));
	if (a[RNPU_NL_ATTR_ASID])
		field(c, &first, "asid", "%u", nla_get_u32(a[RNPU_NL_ATTR_ASID]));
	if (a[RNPU_NL_ATTR_ERR_OFFSET])
		field(c, &first, "offset", "%u", nla_get_u32(a[RNPU_NL_ATTR_ERR_OFFSET]));
	if (a[RNPU_NL_ATTR_REASON])
		field(c, &first, "reason", "%s%s%s", q,
		      reason_name(nla_get_u32(a[RNPU_NL_ATTR_REASON])), q);
	if (a[RNPU_NL_ATTR_RESETS])
		field(c, &first, "resets", "%u", nla_get_u32(a[RNPU_NL_ATTR_RESETS]));
	if (a[RNPU_NL_ATTR_BANNED])
		field(c, &first, "banned", "%u", nla_get_u8(a[RNPU_NL_ATTR_BANNED]));
	if (a[RNPU_NL_ATTR_FREQ_HZ])
		field(c, &first, "freq_hz", "%" PRIu64, nla_get_u64(a[RNPU_NL_ATTR_FREQ_HZ]));
	if (a[RNPU_NL_ATTR_OLD_FREQ_HZ])
		field(c, &first, "old_freq_hz", "%" PRIu64,
		      nla_get_u64(a[RNPU_NL_ATTR_OLD_FREQ_HZ]));
	if (a[RNPU_NL_ATTR_TEMP])
		field(c, &first, "temp_mc", "%d", (int32_t)nla_get_u32(a[RNPU_NL_ATTR_TEMP]));
	printf(c->json ? "}\n" : "\n");
	fflush(stdout);
	c->seen++;
	return NL_OK;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rnpu-events [--count N] [--timeout SECONDS] [--json]\n"
		   "Print the rnpu driver's netlink events (FAULT, RESET, THROTTLE).\n"
		   "Exit: 0 after N events, 1 error, 2 usage, 3 timeout.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { 0 };
	long count = 0, timeout = 0;
	struct nl_sock *sk;
	int family, group, opt, rc = 0;
	time_t end;
	char *e;

	while ((opt = getopt_long(argc, argv, "c:t:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			count = strtol(optarg, &e, 10);
			if (*e || count < 1)
				goto bad;
			break;
		case 't':
			timeout = strtol(optarg, &e, 10);
			if (*e || timeout < 1)
				goto bad;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "rnpu-events: cannot open a generic netlink socket\n");
		return 1;
	}
	family = genl_ctrl_resolve(sk, RNPU_GENL_NAME);
	group = genl_ctrl_resolve_grp(sk, RNPU_GENL_NAME, RNPU_GENL_MCGRP_EVENTS);
	if (family < 0 || group < 0) {
		fprintf(stderr, "rnpu-events: no \"%s\" netlink family: is rnpu.ko loaded?\n",
			RNPU_GENL_NAME);
		nl_socket_free(sk);
		return 1;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, &c);
	if (nl_socket_add_membership(sk, group)) {
		fprintf(stderr, "rnpu-events: cannot join the events group\n");
		nl_socket_free(sk);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Tests start this in the background and wait for the line below. */
	fprintf(stderr, "rnpu-events: listening\n");
	end = time(NULL) + timeout;
	while (!stop && (!count || c.seen < count)) {
		struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
		int wait_ms = timeout ? (int)(end - time(NULL)) * 1000 : -1;

		if (timeout && wait_ms <= 0) {
			rc = 3;
			break;
		}
		if (poll(&p, 1, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			rc = 1;
			break;
		}
		if (p.revents & POLLIN)
			nl_recvmsgs_default(sk);
	}
	if (rc == 3)
		fprintf(stderr, "rnpu-events: timed out after %ld s with %ld of %ld events\n",
			timeout, c.seen, count);
	nl_socket_free(sk);
	return rc;
bad:
	usage(stderr);
	return 2;
}
