/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nltest_uapi.h - constants shared by the nltest kernel module and user space.
 *
 * This header is included by the module (kernel/module/nltest.c), by the C
 * smoke test (kernel/vm/smoke.c) and is mirrored by the Rust test code.  It
 * only uses plain C (no kernel or libc types) so it can be included anywhere.
 *
 * Two interfaces are provided:
 *
 *  1. A raw netlink protocol (unit NLTEST_UNIT, module parameter "unit"):
 *     every request message (NLM_F_REQUEST set, type >= NLMSG_MIN_TYPE) is
 *     echoed back to the sender's port id with the same type, seq, payload
 *     and flags minus NLTEST_RAW_REQUEST_FLAGS.  A message of type
 *     NLTEST_MSG_BROADCAST additionally broadcasts NLTEST_GREETING
 *     (NUL included) to multicast group NLTEST_RAW_GROUP before the echo.
 *
 *  2. A generic netlink family NLTEST_GENL_NAME, version NLTEST_GENL_VERSION,
 *     with one multicast group NLTEST_GENL_MCGRP_EVENTS.  Family and group
 *     ids are dynamic: resolve them by name through nlctrl every time.
 */
#ifndef NLTEST_UAPI_H
#define NLTEST_UAPI_H

/* ---- raw protocol ------------------------------------------------------ */

/* Default netlink protocol number (module parameter "unit"). */
#define NLTEST_UNIT			17

/* Multicast group *number* used for the raw broadcast.  For bind() use the
 * mask (1 << (NLTEST_RAW_GROUP - 1)); for NETLINK_ADD_MEMBERSHIP use the
 * number itself.
 */
#define NLTEST_RAW_GROUP		1

/* Any message type >= NLMSG_MIN_TYPE (0x10) other than the broadcast
 * trigger is simply echoed.  NLTEST_MSG_ECHO is a convenient choice.
 */
#define NLTEST_MSG_ECHO			0x10
/* Broadcast trigger: broadcast NLTEST_GREETING to NLTEST_RAW_GROUP, then echo. */
#define NLTEST_MSG_BROADCAST		0x11

/* Flags removed from the echo: NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO. */
#define NLTEST_RAW_REQUEST_FLAGS	(0x01 | 0x04 | 0x08)

/* Payload of the raw broadcast and default payload of NLTEST_CMD_NOTIFY:
 * sizeof(NLTEST_GREETING) == 22 bytes, i.e. the trailing NUL is sent.
 */
#define NLTEST_GREETING			"Greeting from kernel!"

/* ---- generic netlink family -------------------------------------------- */

#define NLTEST_GENL_NAME		"nltest"
#define NLTEST_GENL_VERSION		1
#define NLTEST_GENL_MCGRP_EVENTS	"events"

enum nltest_cmd {
	NLTEST_CMD_UNSPEC,
	NLTEST_CMD_ECHO,	/* 1: reply with NLTEST_A_PAYLOAD (empty if absent) */
	NLTEST_CMD_NOTIFY,	/* 2: multicast NLTEST_A_PAYLOAD to "events"; ack */
	NLTEST_CMD_DUMP,	/* 3: dump NLTEST_A_COUNT entries (INDEX, GENERATION) */
	NLTEST_CMD_REQUIRE,	/* 4: requires NLTEST_A_NAME, replies with it */
	NLTEST_CMD_BUMP,	/* 5: generation++ (marks running dumps DUMP_INTR) */
	NLTEST_CMD_ADMIN,	/* 6: GENL_ADMIN_PERM (CAP_NET_ADMIN), ack only */
	__NLTEST_CMD_MAX,
};
#define NLTEST_CMD_MAX (__NLTEST_CMD_MAX - 1)

enum nltest_attr {
	NLTEST_A_UNSPEC,
	NLTEST_A_PAYLOAD,	/* 1: binary */
	NLTEST_A_COUNT,		/* 2: u32, DUMP request: number of entries */
	NLTEST_A_INDEX,		/* 3: u32, DUMP reply: entry index 0..count-1 */
	NLTEST_A_NAME,		/* 4: NUL-terminated string */
	NLTEST_A_GENERATION,	/* 5: u32, DUMP reply: generation counter */
	__NLTEST_A_MAX,
};
#define NLTEST_A_MAX (__NLTEST_A_MAX - 1)

/* NLTEST_CMD_DUMP without NLTEST_A_COUNT streams this many entries. */
#define NLTEST_DUMP_DEFAULT_COUNT	10
/* Longest NLTEST_A_NAME accepted, not counting the terminating NUL. */
#define NLTEST_NAME_MAXLEN		255
/* Generation counter value after module load (never 0). */
#define NLTEST_GENERATION_INITIAL	1

/* Extended-ack message of NLTEST_CMD_REQUIRE without NLTEST_A_NAME. */
#define NLTEST_MSG_MISSING_NAME		"missing NLTEST_A_NAME"

#endif /* NLTEST_UAPI_H */
