// SPDX-License-Identifier: GPL-2.0
/*
 * nltest - a netlink test peer for the nlkit project.
 *
 * Provides, for user-space test suites:
 *   - a raw netlink protocol (unit 17 by default, the classic NETLINK_TEST)
 *     that echoes requests and broadcasts "Greeting from kernel!" to group 1;
 *   - a generic netlink family "nltest" with echo, notify, dump, required
 *     attribute, generation bump and admin-only commands.
 *
 * See nltest_uapi.h for the wire constants and kernel/README.md for the
 * behaviour in detail.  Builds out of tree against Linux 6.1 and 6.12.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "nltest_uapi.h"

static int unit = NLTEST_UNIT;
module_param(unit, int, 0444);
MODULE_PARM_DESC(unit, "raw netlink protocol number (default 17)");

static bool nonroot_recv;
module_param(nonroot_recv, bool, 0444);
MODULE_PARM_DESC(nonroot_recv,
		 "let unprivileged sockets join the raw multicast groups (NL_CFG_F_NONROOT_RECV)");

static struct sock *nltest_sk;

/* ------------------------------------------------------------------------
 * Raw protocol
 * ------------------------------------------------------------------------ */

/*
 * Echo @nlh back to the sender of @in_skb.  The reply keeps type, seq,
 * payload (byte exact, nlmsg_len is not rounded up) and the flags minus the
 * request flags; nlmsg_pid is the receiver's port id, as in rtnetlink
 * replies.
 */
static int nltest_raw_echo(struct sk_buff *in_skb, const struct nlmsghdr *nlh)
{
	u32 portid = NETLINK_CB(in_skb).portid;
	int len = nlmsg_len(nlh);
	struct nlmsghdr *rep;
	struct sk_buff *skb;

	/* The size is user controlled: fail quietly rather than warn. */
	skb = nlmsg_new(len, GFP_KERNEL | __GFP_NOWARN);
	if (!skb)
		return -ENOMEM;

	/*
	 * nlmsg_put() sets nlmsg_len to the exact size and zeroes the
	 * alignment padding; nlmsg_end() is deliberately not called since it
	 * would round nlmsg_len up to NLMSG_ALIGN and change the payload
	 * length seen by the receiver.
	 */
	rep = nlmsg_put(skb, portid, nlh->nlmsg_seq, nlh->nlmsg_type, len,
			nlh->nlmsg_flags & ~NLTEST_RAW_REQUEST_FLAGS);
	if (!rep) {
		kfree_skb(skb);
		return -EMSGSIZE;
	}
	memcpy(nlmsg_data(rep), nlmsg_data(nlh), len);

	/* Consumes skb whatever the outcome. */
	return nlmsg_unicast(nltest_sk, skb, portid);
}

static void nltest_raw_broadcast(void)
{
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int err;

	skb = nlmsg_new(sizeof(NLTEST_GREETING), GFP_KERNEL);
	if (!skb)
		return;

	nlh = nlmsg_put(skb, 0, 0, NLTEST_MSG_BROADCAST,
			sizeof(NLTEST_GREETING), 0);
	if (!nlh) {
		kfree_skb(skb);
		return;
	}
	memcpy(nlmsg_data(nlh), NLTEST_GREETING, sizeof(NLTEST_GREETING));

	/* Like nlmsg_multicast(): receivers see the group in msg_name. */
	NETLINK_CB(skb).dst_group = NLTEST_RAW_GROUP;

	/*
	 * Consumes skb.  -ESRCH means nobody listens; -ENOBUFS means some
	 * listener overran its receive buffer, which that listener learns
	 * from its own socket.  Neither concerns the requester.
	 */
	err = netlink_broadcast(nltest_sk, skb, 0, NLTEST_RAW_GROUP, GFP_KERNEL);
	if (err && err != -ESRCH)
		pr_debug("broadcast: %d\n", err);
}

/*
 * Called by netlink_rcv_skb() for each request of type >= NLMSG_MIN_TYPE.
 * Returning an error makes netlink_rcv_skb() send an error ack; returning 0
 * sends an ack only when NLM_F_ACK was set.
 */
static int nltest_raw_rcv_msg(struct sk_buff *skb, struct nlmsghdr *nlh,
			      struct netlink_ext_ack *extack)
{
	/* Broadcast first so that every listener has the message queued by
	 * the time the requester sees its echo.
	 */
	if (nlh->nlmsg_type == NLTEST_MSG_BROADCAST)
		nltest_raw_broadcast();

	return nltest_raw_echo(skb, nlh);
}

/* Runs in the sender's sendmsg() context; must not free @skb. */
static void nltest_raw_input(struct sk_buff *skb)
{
	netlink_rcv_skb(skb, nltest_raw_rcv_msg);
}

/* ------------------------------------------------------------------------
 * Generic netlink family
 * ------------------------------------------------------------------------ */

enum nltest_mcgrp {
	NLTEST_MCGRP_EVENTS_IDX,
};

static const struct genl_multicast_group nltest_mcgrps[] = {
	[NLTEST_MCGRP_EVENTS_IDX] = { .name = NLTEST_GENL_MCGRP_EVENTS },
};

/* Generation counter, never 0 (nl_dump_check_consistent ignores 0). */
static atomic_t nltest_generation = ATOMIC_INIT(NLTEST_GENERATION_INITIAL);

static u32 nltest_generation_read(void)
{
	return (u32)atomic_read(&nltest_generation);
}

static void nltest_generation_bump(void)
{
	while (atomic_inc_return(&nltest_generation) == 0)
		;
}

/*
 * Per-command policies.  The family is strict (resv_start_op == 0): any
 * attribute without an entry in the command's policy is rejected.
 */
static const struct nla_policy nltest_payload_policy[NLTEST_A_MAX + 1] = {
	[NLTEST_A_PAYLOAD]	= { .type = NLA_BINARY },
};

static const struct nla_policy nltest_dump_policy[NLTEST_A_MAX + 1] = {
	[NLTEST_A_COUNT]	= { .type = NLA_U32 },
};

static const struct nla_policy nltest_require_policy[NLTEST_A_MAX + 1] = {
	[NLTEST_A_NAME]		= { .type = NLA_NUL_STRING,
				    .len = NLTEST_NAME_MAXLEN },
};

static struct genl_family nltest_genl_family;

static int nltest_genl_echo(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *pl = info->attrs[NLTEST_A_PAYLOAD];
	int len = pl ? nla_len(pl) : 0;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(len), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &nltest_genl_family, 0,
				NLTEST_CMD_ECHO);
	if (!hdr)
		goto nospace;
	if (nla_put(msg, NLTEST_A_PAYLOAD, len, pl ? nla_data(pl) : ""))
		goto nospace;
	genlmsg_end(msg, hdr);

	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int nltest_genl_notify(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *pl = info->attrs[NLTEST_A_PAYLOAD];
	const void *data = pl ? nla_data(pl) : NLTEST_GREETING;
	int len = pl ? nla_len(pl) : sizeof(NLTEST_GREETING);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(nla_total_size(len), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put(msg, 0, 0, &nltest_genl_family, 0, NLTEST_CMD_NOTIFY);
	if (!hdr)
		goto nospace;
	if (nla_put(msg, NLTEST_A_PAYLOAD, len, data))
		goto nospace;
	genlmsg_end(msg, hdr);

	/* Consumes msg; -ESRCH (no listener) and listener overruns are not
	 * the requester's concern.
	 */
	err = genlmsg_multicast_netns(&nltest_genl_family, genl_info_net(info),
				      msg, 0, NLTEST_MCGRP_EVENTS_IDX,
				      GFP_KERNEL);
	if (err && err != -ESRCH)
		pr_debug("notify multicast: %d\n", err);
	return 0;

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Dump state in cb->args[]. */
enum {
	NLTEST_DUMP_ARG_COUNT,
	NLTEST_DUMP_ARG_NEXT,
};

static int nltest_genl_dump_start(struct netlink_callback *cb)
{
	const struct nlattr *count;

	/*
	 * The genetlink core has already validated the request against
	 * nltest_dump_policy; look the attribute up directly, which avoids
	 * struct genl_dumpit_info (its layout differs between 6.1 and 6.2+).
	 */
	count = nlmsg_find_attr(cb->nlh, GENL_HDRLEN, NLTEST_A_COUNT);
	cb->args[NLTEST_DUMP_ARG_COUNT] = count ? nla_get_u32(count) :
					  NLTEST_DUMP_DEFAULT_COUNT;
	cb->args[NLTEST_DUMP_ARG_NEXT] = 0;
	return 0;
}

static int nltest_genl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long count = cb->args[NLTEST_DUMP_ARG_COUNT];
	unsigned long i = cb->args[NLTEST_DUMP_ARG_NEXT];
	void *hdr;
	u32 gen;

	for (; i < count; i++) {
		gen = nltest_generation_read();
		/* A change of cb->seq between two messages of one dump makes
		 * nl_dump_check_consistent() set NLM_F_DUMP_INTR (also on
		 * NLMSG_DONE).
		 */
		cb->seq = gen;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &nltest_genl_family,
				  NLM_F_MULTI, NLTEST_CMD_DUMP);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);

		if (nla_put_u32(skb, NLTEST_A_INDEX, (u32)i) ||
		    nla_put_u32(skb, NLTEST_A_GENERATION, gen)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}

	cb->args[NLTEST_DUMP_ARG_NEXT] = i;
	/* 0 once nothing more was added: the core then sends NLMSG_DONE. */
	return skb->len;
}

static int nltest_genl_require(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *name;
	struct sk_buff *msg;
	void *hdr;

	if (GENL_REQ_ATTR_CHECK(info, NLTEST_A_NAME)) {
		/* GENL_REQ_ATTR_CHECK reported NLMSGERR_ATTR_MISS_TYPE; add
		 * a human readable message naming the attribute too.
		 */
		NL_SET_ERR_MSG(info->extack, NLTEST_MSG_MISSING_NAME);
		return -EINVAL;
	}
	name = info->attrs[NLTEST_A_NAME];

	msg = genlmsg_new(nla_total_size(nla_len(name)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &nltest_genl_family, 0,
				NLTEST_CMD_REQUIRE);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, NLTEST_A_NAME, nla_data(name)))
		goto nospace;
	genlmsg_end(msg, hdr);

	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int nltest_genl_bump(struct sk_buff *skb, struct genl_info *info)
{
	nltest_generation_bump();
	return 0;
}

static int nltest_genl_admin(struct sk_buff *skb, struct genl_info *info)
{
	return 0;
}

/*
 * Full struct genl_ops with per-op policies: available in both 6.1 and
 * 6.12 (split ops only exist from 6.2 on).  Ops without a policy get the
 * core's reject-all policy since their cmd is >= resv_start_op.
 */
static const struct genl_ops nltest_genl_ops[] = {
	{
		.cmd		= NLTEST_CMD_ECHO,
		.doit		= nltest_genl_echo,
		.policy		= nltest_payload_policy,
		.maxattr	= NLTEST_A_MAX,
	},
	{
		.cmd		= NLTEST_CMD_NOTIFY,
		.doit		= nltest_genl_notify,
		.policy		= nltest_payload_policy,
		.maxattr	= NLTEST_A_MAX,
	},
	{
		.cmd		= NLTEST_CMD_DUMP,
		.start		= nltest_genl_dump_start,
		.dumpit		= nltest_genl_dump,
		.policy		= nltest_dump_policy,
		.maxattr	= NLTEST_A_MAX,
	},
	{
		.cmd		= NLTEST_CMD_REQUIRE,
		.doit		= nltest_genl_require,
		.policy		= nltest_require_policy,
		.maxattr	= NLTEST_A_MAX,
	},
	{
		.cmd		= NLTEST_CMD_BUMP,
		.doit		= nltest_genl_bump,
	},
	{
		.cmd		= NLTEST_CMD_ADMIN,
		.doit		= nltest_genl_admin,
		.flags		= GENL_ADMIN_PERM,
	},
};

static struct genl_family nltest_genl_family __ro_after_init = {
	.name		= NLTEST_GENL_NAME,
	.version	= NLTEST_GENL_VERSION,
	.maxattr	= NLTEST_A_MAX,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= nltest_genl_ops,
	.n_ops		= ARRAY_SIZE(nltest_genl_ops),
	.mcgrps		= nltest_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(nltest_mcgrps),
	/*
	 * First command with full validation: the reserved genlmsghdr field
	 * must be 0, attributes are parsed strictly and commands without a
	 * policy reject every attribute.  0 covers all commands, which is
	 * what the kernel documents for new families.
	 */
	.resv_start_op	= 0,
};

/* ------------------------------------------------------------------------
 * Module init / exit
 * ------------------------------------------------------------------------ */

static int __init nltest_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.groups	= NLTEST_RAW_GROUP,
		.flags	= nonroot_recv ? NL_CFG_F_NONROOT_RECV : 0,
		.input	= nltest_raw_input,
	};
	int err;

	if (unit < 0 || unit >= MAX_LINKS) {
		pr_err("unit %d out of range 0..%d\n", unit, MAX_LINKS - 1);
		return -EINVAL;
	}

	nltest_sk = netlink_kernel_create(&init_net, unit, &cfg);
	if (!nltest_sk) {
		pr_err("netlink unit %d is already in use\n", unit);
		return -EBUSY;
	}

	err = genl_register_family(&nltest_genl_family);
	if (err) {
		pr_err("genl_register_family: %d\n", err);
		netlink_kernel_release(nltest_sk);
		nltest_sk = NULL;
		return err;
	}

	pr_info("loaded: unit %d%s, genl family %s id %d\n", unit,
		nonroot_recv ? " (nonroot_recv)" : "", NLTEST_GENL_NAME,
		nltest_genl_family.id);
	return 0;
}

static void __exit nltest_exit(void)
{
	/* Kicks out the "events" listeners and waits for running ops. */
	genl_unregister_family(&nltest_genl_family);
	netlink_kernel_release(nltest_sk);
	pr_info("unloaded\n");
}

module_init(nltest_init);
module_exit(nltest_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("nlkit developers");
MODULE_DESCRIPTION("netlink test peer: raw echo/broadcast protocol and the \"nltest\" generic netlink family");
