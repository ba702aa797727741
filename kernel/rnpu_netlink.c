// SPDX-License-Identifier: GPL-2.0-only
/*
 * rnpu generic netlink family: multicasts fault, reset and throttle
 * events (attributes in include/uapi/drm/rnpu_accel.h).  Events are
 * queued from interrupt context and sent from a work item.
 */
#include <linux/kfifo.h>
#include <net/genetlink.h>

#include "rnpu_drv.h"

/*
 * Events name every client's pid, command and fault addresses: joining
 * the group needs CAP_SYS_ADMIN (genetlink checks CAP_NET_ADMIN or
 * CAP_SYS_ADMIN at join; CAP_PERFMON is not among its choices, and a
 * family's bind hook cannot refuse).
 */
static const struct genl_multicast_group rnpu_mcgrps[] = {
	{ .name = RNPU_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_SYS_ADMIN, },
};

static struct genl_family rnpu_genl_family __ro_after_init = {
	.name = RNPU_GENL_NAME,
	.version = RNPU_GENL_VERSION,
	.maxattr = RNPU_NL_ATTR_MAX,
	.module = THIS_MODULE,
	.netnsok = true,
	.mcgrps = rnpu_mcgrps,
	.n_mcgrps = ARRAY_SIZE(rnpu_mcgrps),
};

int rnpu_netlink_register(void)
{
	return genl_register_family(&rnpu_genl_family);
}

void rnpu_netlink_unregister(void)
{
	genl_unregister_family(&rnpu_genl_family);
}

void rnpu_event_queue(struct rnpu_device *rdev, const struct rnpu_event *ev)
{
	unsigned long flags;
	bool queued;

	spin_lock_irqsave(&rdev->event_lock, flags);
	queued = kfifo_put(&rdev->events, *ev);
	spin_unlock_irqrestore(&rdev->event_lock, flags);
	if (!queued)
		drm_warn_once(&rdev->drm, "event queue full, event %u dropped (reported once)\n",
			      ev->cmd);
	schedule_work(&rdev->event_work);
}

static int put_common(struct sk_buff *skb, struct rnpu_device *rdev)
{
	if (nla_put_string(skb, RNPU_NL_ATTR_DEV, dev_name(rdev->dev)) ||
	    nla_put_u32(skb, RNPU_NL_ATTR_MINOR, rdev->drm.accel->index))
		return -EMSGSIZE;
	return 0;
}

static int put_client(struct sk_buff *skb, const struct rnpu_event *ev)
{
	if (!ev->pid)
		return 0;
	if (nla_put_u64_64bit(skb, RNPU_NL_ATTR_CLIENT_ID, ev->client_id,
			      RNPU_NL_ATTR_PAD) ||
	    nla_put_u32(skb, RNPU_NL_ATTR_PID, ev->pid) ||
	    nla_put_string(skb, RNPU_NL_ATTR_COMM, ev->comm) ||
	    nla_put_u64_64bit(skb, RNPU_NL_ATTR_SEQNO, ev->seqno,
			      RNPU_NL_ATTR_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fill(struct sk_buff *skb, struct rnpu_device *rdev,
		const struct rnpu_event *ev)
{
	if (put_common(skb, rdev))
		return -EMSGSIZE;
	switch (ev->cmd) {
	case RNPU_NL_CMD_FAULT:
		if (put_client(skb, ev) ||
		    nla_put_u32(skb, RNPU_NL_ATTR_ERROR, ev->error) ||
		    nla_put_u64_64bit(skb, RNPU_NL_ATTR_FAULT_VA, ev->fault_va,
				      RNPU_NL_ATTR_PAD) ||
		    nla_put_u32(skb, RNPU_NL_ATTR_FAULT_INFO, ev->fault_info) ||
		    nla_put_u32(skb, RNPU_NL_ATTR_ASID, ev->asid) ||
		    nla_put_u32(skb, RNPU_NL_ATTR_ERR_OFFSET, ev->err_offset))
			return -EMSGSIZE;
		break;
	case RNPU_NL_CMD_RESET:
		if (put_client(skb, ev) ||
		    nla_put_u32(skb, RNPU_NL_ATTR_REASON, ev->reason) ||
		    nla_put_u32(skb, RNPU_NL_ATTR_RESETS, ev->resets) ||
		    (ev->pid && nla_put_u8(skb, RNPU_NL_ATTR_BANNED, ev->banned)))
			return -EMSGSIZE;
		break;
	case RNPU_NL_CMD_THROTTLE:
		if (nla_put_u32(skb, RNPU_NL_ATTR_REASON, ev->reason) ||
		    nla_put_u64_64bit(skb, RNPU_NL_ATTR_FREQ_HZ, ev->freq_hz,
				      RNPU_NL_ATTR_PAD) ||
		    nla_put_u64_64bit(skb, RNPU_NL_ATTR_OLD_FREQ_HZ,
				      ev->old_freq_hz, RNPU_NL_ATTR_PAD) ||
		    nla_put_s32(skb, RNPU_NL_ATTR_TEMP, ev->temp))
			return -EMSGSIZE;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static void send_event(struct rnpu_device *rdev, const struct rnpu_event *ev)
{
	struct sk_buff *skb;
	void *hdr;

	/* Nobody listening: skip building the message. */
	if (!genl_has_listeners(&rnpu_genl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &rnpu_genl_family, 0, ev->cmd);
	if (!hdr || fill(skb, rdev, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&rnpu_genl_family, skb, 0, 0, GFP_KERNEL);
}

void rnpu_event_work(struct work_struct *work)
{
	struct rnpu_device *rdev = container_of(work, struct rnpu_device,
						event_work);
	struct rnpu_event ev;
	unsigned long flags;
	bool got;

	for (;;) {
		spin_lock_irqsave(&rdev->event_lock, flags);
		got = kfifo_get(&rdev->events, &ev);
		spin_unlock_irqrestore(&rdev->event_lock, flags);
		if (!got)
			break;
		send_event(rdev, &ev);
	}
}
