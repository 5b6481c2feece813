// SPDX-License-Identifier: GPL-2.0
/*
 * smoke.c - self-check of the VM harness and the nltest module, written
 * without the nlkit library (plain sockets).  Built with `gcc -static` by
 * kernel/vm/run.sh and run inside the VM by kernel/vm/init.sh.
 *
 * Usage:
 *   smoke                 run the tests; prints "PASS <name>" /
 *                         "FAIL <name>: reason" / "SKIP <name>: reason"
 *   smoke hold raw|genl   open a listener (raw group 1 or genl "events"),
 *                         print "HOLD READY", wait for SIGTERM/SIGINT
 *   smoke runas UID GID PROG [ARGS...]
 *                         drop to UID/GID (no supplementary groups) and
 *                         exec PROG: used by init.sh for libtest binaries
 *
 * Environment (set by init.sh):
 *   NLTEST_PHASE      phase name, used in test names (default "root")
 *   NLTEST_DROP_UID   if set, drop to this uid (and NLTEST_DROP_GID) first:
 *                     the hook for unprivileged tests
 *   NLTEST_UNIT       raw protocol number (default: the module's "unit"
 *                     parameter from sysfs, else 17)
 *
 * Expectations are derived from facts (euid, the module's nonroot_recv
 * parameter in /sys/module/nltest/parameters), not from the phase name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nltest_uapi.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RXBUF_SIZE (256 * 1024)
#define BIG_PAYLOAD (64 * 1024)

static const char *phase = "root";
static int unit = NLTEST_UNIT;
static int n_pass, n_fail, n_skip;
static int privileged;	/* euid 0 */
static int nonroot_recv; /* module parameter */
static uint32_t seq_counter = 1000;

/* ---- reporting --------------------------------------------------------- */

static void pass(const char *t)
{
	printf("PASS smoke/%s/%s\n", phase, t);
	fflush(stdout);
	n_pass++;
}

static void __attribute__((format(printf, 2, 3)))
fail(const char *t, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL smoke/%s/%s: ", phase, t);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	n_fail++;
}

static void __attribute__((format(printf, 2, 3)))
skip(const char *t, const char *fmt, ...)
{
	va_list ap;

	printf("SKIP smoke/%s/%s: ", phase, t);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	n_skip++;
}

/* In a test function with `const char *T` and an `out:` label. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fail(T, __VA_ARGS__);				\
			goto out;					\
		}							\
	} while (0)

/* ---- sockets ----------------------------------------------------------- */

static int nl_open(int proto, uint32_t groups_mask, uint32_t *portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups_mask };
	struct timeval tv = { .tv_sec = 5 };
	socklen_t sl = sizeof(sa);
	int rcvbuf = 1 << 20;
	int one = 1;
	int fd, e;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	if (portid) {
		getsockname(fd, (struct sockaddr *)&sa, &sl);
		*portid = sa.nl_pid;
	}
	return fd;
}

static int nl_join(int fd, int group)
{
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return -errno;
	return 0;
}

/* Send one message whose nlmsg_len is exactly header + len (unaligned). */
static int nl_send(int fd, uint16_t type, uint16_t flags, uint32_t seq,
		   const void *data, size_t len)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK };
	size_t tot = NLMSG_HDRLEN + len;
	struct nlmsghdr *nlh;
	ssize_t n;
	int e = 0;

	nlh = calloc(1, NLMSG_ALIGN(tot));
	if (!nlh)
		return -ENOMEM;
	nlh->nlmsg_len = tot;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	if (len)
		memcpy(NLMSG_DATA(nlh), data, len);
	n = sendto(fd, nlh, tot, 0, (struct sockaddr *)&dst, sizeof(dst));
	if (n < 0)
		e = -errno;
	else if ((size_t)n != tot)
		e = -EIO;
	free(nlh);
	return e;
}

struct rx {
	int fd;
	uint8_t *buf;
	size_t len, off;
	struct sockaddr_nl from;
	int flags; /* recvmsg flags, e.g. MSG_DONTWAIT */
	int datagrams; /* datagrams read so far */
};

static void rx_init(struct rx *rx, int fd)
{
	static uint8_t bufs[4][RXBUF_SIZE];
	static int next;

	memset(rx, 0, sizeof(*rx));
	rx->fd = fd;
	rx->buf = bufs[next++ % 4];
}

/* Next message, reading a new datagram when needed.  0 or -errno. */
static int rx_next(struct rx *rx, struct nlmsghdr **out)
{
	struct nlmsghdr *nlh;

	if (rx->off >= rx->len) {
		struct iovec iov = { rx->buf, RXBUF_SIZE };
		struct msghdr mh = {
			.msg_name = &rx->from, .msg_namelen = sizeof(rx->from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n = recvmsg(rx->fd, &mh, rx->flags);

		if (n < 0)
			return -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		rx->len = n;
		rx->off = 0;
		rx->datagrams++;
	}
	nlh = (struct nlmsghdr *)(rx->buf + rx->off);
	if (rx->len - rx->off < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > rx->len - rx->off)
		return -EBADMSG;
	rx->off += NLMSG_ALIGN(nlh->nlmsg_len);
	*out = nlh;
	return 0;
}

/* 1 if nothing is pending on fd (after a short grace period). */
static int rx_empty(int fd)
{
	uint8_t b[64];
	usleep(20000);
	return recv(fd, b, sizeof(b), MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN;
}

/* ---- extended ack parsing ---------------------------------------------- */

struct ackinfo {
	int error;
	char msg[256];
	int miss_type; /* -1 if absent */
};

static void parse_ack(const struct nlmsghdr *nlh, struct ackinfo *ai)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off, end = nlh->nlmsg_len;

	ai->error = e->error;
	ai->msg[0] = 0;
	ai->miss_type = -1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	while (off + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const void *)((const uint8_t *)nlh + off);
		size_t alen = a->nla_len;

		if (alen < NLA_HDRLEN || off + alen > end)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t l = alen - NLA_HDRLEN;
			if (l >= sizeof(ai->msg))
				l = sizeof(ai->msg) - 1;
			memcpy(ai->msg, (const uint8_t *)a + NLA_HDRLEN, l);
			ai->msg[l] = 0;
		} else if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MISS_TYPE &&
			   alen >= NLA_HDRLEN + 4) {
			ai->miss_type = *(const uint32_t *)((const uint8_t *)a + NLA_HDRLEN);
		}
		off += NLA_ALIGN(alen);
	}
}

/* ---- generic netlink helpers ------------------------------------------- */

struct genlreq {
	uint8_t buf[RXBUF_SIZE / 2];
	size_t len;
};

static void greq_init(struct genlreq *r, uint16_t family, uint8_t cmd,
		      uint8_t version, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(r->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = version;
	r->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

static void greq_attr(struct genlreq *r, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(r->buf + r->len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	r->len += NLA_ALIGN(NLA_HDRLEN + len);
}

static void greq_u32(struct genlreq *r, uint16_t type, uint32_t v)
{
	greq_attr(r, type, &v, sizeof(v));
}

static int greq_send(int fd, struct genlreq *r)
{
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;

	nlh->nlmsg_len = r->len;
	if (sendto(fd, r->buf, r->len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		return -errno;
	return 0;
}

/* Find attribute `type` among the attributes at [p, p+len). */
static const struct nlattr *attr_find(const void *p, size_t len, uint16_t type)
{
	size_t off = 0;

	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)((const uint8_t *)p + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

#define ATTR_DATA(a) ((const void *)((const uint8_t *)(a) + NLA_HDRLEN))
#define ATTR_LEN(a) ((size_t)((a)->nla_len - NLA_HDRLEN))

static const struct nlattr *genl_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	return attr_find((const uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			 nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, type);
}

static uint32_t attr_u32(const struct nlattr *a)
{
	uint32_t v;
	memcpy(&v, ATTR_DATA(a), 4);
	return v;
}

/*
 * Receive until a message with sequence `seq` arrives.  Returns the genl
 * message in *out (or NULL), and the error code of an NLMSG_ERROR in *ai
 * (ai->error = 1 when a data message came first).
 */
static int rx_for_seq(struct rx *rx, uint32_t seq, struct nlmsghdr **out,
		      struct ackinfo *ai)
{
	struct nlmsghdr *nlh;
	int e;

	for (;;) {
		e = rx_next(rx, &nlh);
		if (e)
			return e;
		if (nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			parse_ack(nlh, ai);
			*out = nlh;
			return 0;
		}
		ai->error = 1;
		*out = nlh;
		return 0;
	}
}

struct family {
	uint16_t id;
	uint32_t version;
	uint32_t maxattr;
	uint32_t events_grp;
	int n_ops;
	uint32_t op_flags[16]; /* by cmd */
};

static int genl_resolve(int fd, const char *name, struct family *f)
{
	struct genlreq r;
	struct rx rx;
	struct ackinfo ai;
	struct nlmsghdr *nlh;
	const struct nlattr *a, *grps, *ops;
	uint32_t seq = ++seq_counter;
	int e;

	memset(f, 0, sizeof(*f));
	greq_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_REQUEST, seq);
	greq_attr(&r, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	e = greq_send(fd, &r);
	if (e)
		return e;
	rx_init(&rx, fd);
	e = rx_for_seq(&rx, seq, &nlh, &ai);
	if (e)
		return e;
	if (ai.error != 1)
		return ai.error ? ai.error : -EPROTO;
	a = genl_attr(nlh, CTRL_ATTR_FAMILY_ID);
	if (!a)
		return -EPROTO;
	f->id = *(const uint16_t *)ATTR_DATA(a);
	if ((a = genl_attr(nlh, CTRL_ATTR_VERSION)))
		f->version = attr_u32(a);
	if ((a = genl_attr(nlh, CTRL_ATTR_MAXATTR)))
		f->maxattr = attr_u32(a);
	grps = genl_attr(nlh, CTRL_ATTR_MCAST_GROUPS);
	if (grps) {
		size_t off = 0, len = ATTR_LEN(grps);
		while (off + NLA_HDRLEN <= len) {
			const struct nlattr *g = (const void *)((const uint8_t *)ATTR_DATA(grps) + off);
			const struct nlattr *gn = attr_find(ATTR_DATA(g), ATTR_LEN(g), CTRL_ATTR_MCAST_GRP_NAME);
			const struct nlattr *gi = attr_find(ATTR_DATA(g), ATTR_LEN(g), CTRL_ATTR_MCAST_GRP_ID);

			if (g->nla_len < NLA_HDRLEN)
				break;
			if (gn && gi && !strcmp(ATTR_DATA(gn), NLTEST_GENL_MCGRP_EVENTS))
				f->events_grp = attr_u32(gi);
			off += NLA_ALIGN(g->nla_len);
		}
	}
	ops = genl_attr(nlh, CTRL_ATTR_OPS);
	if (ops) {
		size_t off = 0, len = ATTR_LEN(ops);
		while (off + NLA_HDRLEN <= len) {
			const struct nlattr *o = (const void *)((const uint8_t *)ATTR_DATA(ops) + off);
			const struct nlattr *oi = attr_find(ATTR_DATA(o), ATTR_LEN(o), CTRL_ATTR_OP_ID);
			const struct nlattr *of = attr_find(ATTR_DATA(o), ATTR_LEN(o), CTRL_ATTR_OP_FLAGS);

			if (o->nla_len < NLA_HDRLEN)
				break;
			if (oi && attr_u32(oi) < 16) {
				f->op_flags[attr_u32(oi)] = of ? attr_u32(of) : 0;
				f->n_ops++;
			}
			off += NLA_ALIGN(o->nla_len);
		}
	}
	return 0;
}

/* Send a genl request built in r and wait for the reply or ack. */
static int genl_call(int fd, struct genlreq *r, struct rx *rx,
		     struct nlmsghdr **out, struct ackinfo *ai)
{
	uint32_t seq = ((struct nlmsghdr *)r->buf)->nlmsg_seq;
	int e = greq_send(fd, r);

	if (e)
		return e;
	rx_init(rx, fd);
	return rx_for_seq(rx, seq, out, ai);
}

static int read_param(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/nltest/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* ======================================================================== *
 * Raw protocol tests
 * ======================================================================== */

/* Echo one payload and check type/seq/flags/len/payload/addressing. */
static int raw_echo_check(const char *T, uint16_t type, uint16_t flags,
			  const void *data, size_t len)
{
	struct nlmsghdr *nlh;
	uint32_t portid, seq = ++seq_counter;
	uint16_t want_flags = flags & ~NLTEST_RAW_REQUEST_FLAGS;
	struct rx rx;
	int fd, e, ok = 0;

	fd = nl_open(unit, 0, &portid);
	CHECK(fd >= 0, "socket(unit %d): %s", unit, strerror(-fd));
	e = nl_send(fd, type, flags, seq, data, len);
	CHECK(!e, "send %zu bytes: %s", len, strerror(-e));
	rx_init(&rx, fd);
	e = rx_next(&rx, &nlh);
	CHECK(!e, "recv: %s", strerror(-e));
	CHECK(nlh->nlmsg_type == type, "type 0x%x, want 0x%x", nlh->nlmsg_type, type);
	CHECK(nlh->nlmsg_seq == seq, "seq %u, want %u", nlh->nlmsg_seq, seq);
	CHECK(nlh->nlmsg_flags == want_flags, "flags 0x%x, want 0x%x",
	      nlh->nlmsg_flags, want_flags);
	CHECK(nlh->nlmsg_len == NLMSG_HDRLEN + len, "nlmsg_len %u, want %zu",
	      nlh->nlmsg_len, NLMSG_HDRLEN + len);
	CHECK(!len || !memcmp(NLMSG_DATA(nlh), data, len), "payload differs");
	CHECK(rx.from.nl_pid == 0 && rx.from.nl_groups == 0,
	      "source pid %u groups %u, want kernel unicast", rx.from.nl_pid,
	      rx.from.nl_groups);
	CHECK(nlh->nlmsg_pid == portid, "nlmsg_pid %u, want our portid %u",
	      nlh->nlmsg_pid, portid);
	if (flags & NLM_F_ACK) {
		struct ackinfo ai;

		e = rx_next(&rx, &nlh);
		CHECK(!e, "recv ack: %s", strerror(-e));
		CHECK(nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq == seq,
		      "want ack, got type 0x%x seq %u", nlh->nlmsg_type, nlh->nlmsg_seq);
		parse_ack(nlh, &ai);
		CHECK(ai.error == 0, "ack error %d", ai.error);
	}
	CHECK(rx_empty(fd), "unexpected extra message");
	ok = 1;
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

static void t_raw_hello(void)
{
	static const char hello[] = "Hello you!";

	if (raw_echo_check("raw_echo_hello", NLTEST_MSG_ECHO, NLM_F_REQUEST,
			   hello, sizeof(hello)))
		pass("raw_echo_hello");
}

static void t_raw_sizes(void)
{
	static const size_t sizes[] = { 0, 1, 3, 4, 5, 255, 4096, 65535, BIG_PAYLOAD };
	static uint8_t buf[BIG_PAYLOAD];
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "raw_echo_%zu_bytes", sizes[i]);
		if (raw_echo_check(name, 0x20 + (uint16_t)i, NLM_F_REQUEST, buf, sizes[i]))
			pass(name);
	}
}

static void t_raw_ack_and_flags(void)
{
	static const char p[] = "ack me";

	if (raw_echo_check("raw_echo_ack", NLTEST_MSG_ECHO,
			   NLM_F_REQUEST | NLM_F_ACK, p, sizeof(p)))
		pass("raw_echo_ack");
	/* NLM_F_ROOT|NLM_F_MATCH (0x300) are kept, request/ack/echo dropped. */
	if (raw_echo_check("raw_echo_flags_kept", 0x7fff,
			   NLM_F_REQUEST | NLM_F_ECHO | NLM_F_DUMP, p, sizeof(p)))
		pass("raw_echo_flags_kept");
}

/* Control types (< 0x10) are not echoed; with NLM_F_ACK only an ack comes. */
static void t_raw_control_ignored(void)
{
	const char *T = "raw_control_ignored";
	struct nlmsghdr *nlh;
	struct ackinfo ai;
	struct rx rx;
	uint32_t seq = ++seq_counter;
	int fd, e;

	fd = nl_open(unit, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	e = nl_send(fd, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, seq, "x", 1);
	CHECK(!e, "send: %s", strerror(-e));
	rx_init(&rx, fd);
	e = rx_next(&rx, &nlh);
	CHECK(!e, "recv: %s", strerror(-e));
	CHECK(nlh->nlmsg_type == NLMSG_ERROR, "got type 0x%x, want only an ack",
	      nlh->nlmsg_type);
	parse_ack(nlh, &ai);
	CHECK(ai.error == 0, "ack error %d", ai.error);
	/* Without NLM_F_ACK: nothing at all. */
	e = nl_send(fd, 0x0f, NLM_F_REQUEST, ++seq_counter, "x", 1);
	CHECK(!e, "send: %s", strerror(-e));
	CHECK(rx_empty(fd), "control message was answered");
	pass(T);
out:
	if (fd >= 0)
		close(fd);
}

/* Several messages in one datagram are echoed in order. */
static void t_raw_batch(void)
{
	const char *T = "raw_echo_batch";
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK };
	uint8_t buf[4 * 64] = { 0 };
	struct nlmsghdr *nlh;
	struct rx rx;
	size_t off = 0;
	uint32_t base = seq_counter + 1;
	int fd, i, e;

	fd = nl_open(unit, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	for (i = 0; i < 4; i++) {
		nlh = (struct nlmsghdr *)(buf + off);
		nlh->nlmsg_len = NLMSG_HDRLEN + 1 + i;
		nlh->nlmsg_type = NLTEST_MSG_ECHO + 0x10 * i;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		nlh->nlmsg_seq = ++seq_counter;
		memset(NLMSG_DATA(nlh), 'a' + i, 1 + i);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	CHECK(sendto(fd, buf, off, 0, (struct sockaddr *)&dst, sizeof(dst)) == (ssize_t)off,
	      "sendto: %s", strerror(errno));
	rx_init(&rx, fd);
	for (i = 0; i < 4; i++) {
		e = rx_next(&rx, &nlh);
		CHECK(!e, "recv %d: %s", i, strerror(-e));
		CHECK(nlh->nlmsg_seq == base + i && nlh->nlmsg_len == NLMSG_HDRLEN + 1 + (unsigned)i &&
		      ((uint8_t *)NLMSG_DATA(nlh))[0] == 'a' + i,
		      "message %d: seq %u len %u", i, nlh->nlmsg_seq, nlh->nlmsg_len);
	}
	pass(T);
out:
	if (fd >= 0)
		close(fd);
}

/* Two group-1 listeners (bind mask and ADD_MEMBERSHIP) both get the greeting. */
static void t_raw_broadcast(void)
{
	const char *T = "raw_broadcast_two_listeners";
	int expect_join = privileged || nonroot_recv;
	int a = -1, b = -1, s = -1, e, i;
	uint32_t seq = ++seq_counter;
	struct nlmsghdr *nlh;
	struct rx rx;

	a = nl_open(unit, 1u << (NLTEST_RAW_GROUP - 1), NULL);
	if (!expect_join) {
		CHECK(a == -EPERM, "bind with groups: %s, want EPERM (unprivileged, nonroot_recv=0)",
		      a < 0 ? strerror(-a) : "success");
		b = nl_open(unit, 0, NULL);
		CHECK(b >= 0, "socket: %s", strerror(-b));
		e = nl_join(b, NLTEST_RAW_GROUP);
		CHECK(e == -EPERM, "ADD_MEMBERSHIP: %s, want EPERM", e ? strerror(-e) : "success");
		pass("raw_group_join_denied");
		goto out;
	}
	CHECK(a >= 0, "bind listener A with nl_groups=1: %s", strerror(-a));
	b = nl_open(unit, 0, NULL);
	CHECK(b >= 0, "socket B: %s", strerror(-b));
	e = nl_join(b, NLTEST_RAW_GROUP);
	CHECK(!e, "ADD_MEMBERSHIP 1: %s", strerror(-e));
	s = nl_open(unit, 0, NULL);
	CHECK(s >= 0, "socket sender: %s", strerror(-s));

	e = nl_send(s, NLTEST_MSG_BROADCAST, NLM_F_REQUEST, seq, "go", 3);
	CHECK(!e, "send trigger: %s", strerror(-e));
	/* The sender gets its echo (type 0x11, same seq) and no broadcast. */
	rx_init(&rx, s);
	e = rx_next(&rx, &nlh);
	CHECK(!e, "sender recv: %s", strerror(-e));
	CHECK(nlh->nlmsg_type == NLTEST_MSG_BROADCAST && nlh->nlmsg_seq == seq &&
	      nlh->nlmsg_len == NLMSG_HDRLEN + 3 && !memcmp(NLMSG_DATA(nlh), "go", 3),
	      "sender echo: type 0x%x seq %u len %u", nlh->nlmsg_type, nlh->nlmsg_seq,
	      nlh->nlmsg_len);
	CHECK(rx_empty(s), "sender got more than its echo");

	for (i = 0; i < 2; i++) {
		int fd = i ? b : a;

		rx_init(&rx, fd);
		e = rx_next(&rx, &nlh);
		CHECK(!e, "listener %c recv: %s", 'A' + i, strerror(-e));
		CHECK(nlh->nlmsg_type == NLTEST_MSG_BROADCAST, "listener %c: type 0x%x",
		      'A' + i, nlh->nlmsg_type);
		CHECK(nlh->nlmsg_len == NLMSG_HDRLEN + sizeof(NLTEST_GREETING) &&
		      !memcmp(NLMSG_DATA(nlh), NLTEST_GREETING, sizeof(NLTEST_GREETING)),
		      "listener %c: payload '%.*s' (len %u)", 'A' + i,
		      (int)(nlh->nlmsg_len - NLMSG_HDRLEN), (char *)NLMSG_DATA(nlh),
		      nlh->nlmsg_len);
		CHECK(rx.from.nl_pid == 0 && rx.from.nl_groups == 1u << (NLTEST_RAW_GROUP - 1),
		      "listener %c: from pid %u groups 0x%x", 'A' + i, rx.from.nl_pid,
		      rx.from.nl_groups);
		CHECK(rx_empty(fd), "listener %c got more than one message", 'A' + i);
	}
	pass(T);
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (s >= 0)
		close(s);
}

/* The trigger with nobody listening still echoes and acks with error 0. */
static void t_raw_broadcast_nobody(void)
{
	if (raw_echo_check("raw_broadcast_no_listener", NLTEST_MSG_BROADCAST,
			   NLM_F_REQUEST | NLM_F_ACK, "", 0))
		pass("raw_broadcast_no_listener");
}

/* ======================================================================== *
 * Generic netlink tests
 * ======================================================================== */

static struct family fam;
static int fam_ok;

static void t_genl_resolve(void)
{
	const char *T = "genl_resolve";
	int fd, e;

	fd = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	e = genl_resolve(fd, NLTEST_GENL_NAME, &fam);
	CHECK(!e, "CTRL_CMD_GETFAMILY %s: %s", NLTEST_GENL_NAME, strerror(-e));
	CHECK(fam.id >= GENL_MIN_ID, "family id %u", fam.id);
	CHECK(fam.version == NLTEST_GENL_VERSION, "version %u", fam.version);
	CHECK(fam.maxattr == NLTEST_A_MAX, "maxattr %u", fam.maxattr);
	CHECK(fam.events_grp != 0, "no \"%s\" multicast group", NLTEST_GENL_MCGRP_EVENTS);
	CHECK(fam.n_ops == NLTEST_CMD_MAX, "%d ops, want %d", fam.n_ops, NLTEST_CMD_MAX);
	CHECK(fam.op_flags[NLTEST_CMD_DUMP] & GENL_CMD_CAP_DUMP, "DUMP op lacks CAP_DUMP");
	CHECK(fam.op_flags[NLTEST_CMD_ECHO] & GENL_CMD_CAP_DO, "ECHO op lacks CAP_DO");
	CHECK(fam.op_flags[NLTEST_CMD_ADMIN] & GENL_ADMIN_PERM, "ADMIN op lacks ADMIN_PERM");
	fam_ok = 1;
	printf("INFO smoke/%s: family %s id %u, events group %u\n", phase,
	       NLTEST_GENL_NAME, fam.id, fam.events_grp);
	pass(T);
out:
	if (fd >= 0)
		close(fd);
}

static void genl_echo_check(const char *T, const void *data, size_t len, int with_attr)
{
	struct genlreq *r = malloc(sizeof(*r));
	const struct nlattr *a;
	struct nlmsghdr *nlh;
	struct ackinfo ai;
	struct rx rx;
	uint32_t seq = ++seq_counter;
	int fd = -1, e;

	CHECK(r, "oom");
	fd = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	greq_init(r, fam.id, NLTEST_CMD_ECHO, NLTEST_GENL_VERSION, NLM_F_REQUEST, seq);
	if (with_attr)
		greq_attr(r, NLTEST_A_PAYLOAD, data, len);
	e = genl_call(fd, r, &rx, &nlh, &ai);
	CHECK(!e, "call: %s", strerror(-e));
	CHECK(ai.error == 1, "got error %d (%s)", ai.error, ai.msg);
	CHECK(nlh->nlmsg_type == fam.id, "reply type %u", nlh->nlmsg_type);
	CHECK(((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd == NLTEST_CMD_ECHO, "reply cmd");
	a = genl_attr(nlh, NLTEST_A_PAYLOAD);
	CHECK(a, "reply lacks NLTEST_A_PAYLOAD");
	CHECK(ATTR_LEN(a) == len && (!len || !memcmp(ATTR_DATA(a), data, len)),
	      "payload len %zu, want %zu", ATTR_LEN(a), len);
	CHECK(rx_empty(fd), "extra message after reply");
	pass(T);
out:
	if (fd >= 0)
		close(fd);
	free(r);
}

static void t_genl_echo(void)
{
	static uint8_t big[60000];
	size_t i;

	if (!fam_ok) {
		skip("genl_echo", "family not resolved");
		return;
	}
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13);
	genl_echo_check("genl_echo_hello", "Hello you!", 11, 1);
	genl_echo_check("genl_echo_absent_payload", NULL, 0, 0);
	genl_echo_check("genl_echo_60000_bytes", big, sizeof(big), 1);
}

static void t_genl_notify(void)
{
	const char *T = "genl_notify";
	struct genlreq r;
	const struct nlattr *a;
	struct nlmsghdr *nlh;
	struct ackinfo ai;
	struct rx rx;
	int l = -1, s = -1, e;

	if (!fam_ok) {
		skip(T, "family not resolved");
		return;
	}
	/* genetlink lets unprivileged sockets join groups without caps flags */
	l = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(l >= 0, "socket: %s", strerror(-l));
	e = nl_join(l, fam.events_grp);
	CHECK(!e, "join events group %u: %s", fam.events_grp, strerror(-e));
	s = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(s >= 0, "socket: %s", strerror(-s));

	greq_init(&r, fam.id, NLTEST_CMD_NOTIFY, NLTEST_GENL_VERSION,
		  NLM_F_REQUEST | NLM_F_ACK, ++seq_counter);
	e = genl_call(s, &r, &rx, &nlh, &ai);
	CHECK(!e, "call: %s", strerror(-e));
	CHECK(ai.error == 0, "want ack 0, got %d (%s)", ai.error, ai.msg);

	rx_init(&rx, l);
	e = rx_next(&rx, &nlh);
	CHECK(!e, "listener recv: %s", strerror(-e));
	CHECK(nlh->nlmsg_type == fam.id &&
	      ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd == NLTEST_CMD_NOTIFY,
	      "listener got type %u", nlh->nlmsg_type);
	a = genl_attr(nlh, NLTEST_A_PAYLOAD);
	CHECK(a && ATTR_LEN(a) == sizeof(NLTEST_GREETING) &&
	      !memcmp(ATTR_DATA(a), NLTEST_GREETING, sizeof(NLTEST_GREETING)),
	      "default payload is not the greeting");
	CHECK(rx.from.nl_groups == 1u << (fam.events_grp - 1) || fam.events_grp > 32,
	      "from groups 0x%x", rx.from.nl_groups);

	/* With a payload: the payload is multicast. */
	greq_init(&r, fam.id, NLTEST_CMD_NOTIFY, NLTEST_GENL_VERSION,
		  NLM_F_REQUEST | NLM_F_ACK, ++seq_counter);
	greq_attr(&r, NLTEST_A_PAYLOAD, "custom", 6);
	e = genl_call(s, &r, &rx, &nlh, &ai);
	CHECK(!e && ai.error == 0, "notify with payload: %s / %d", strerror(-e), ai.error);
	rx_init(&rx, l);
	e = rx_next(&rx, &nlh);
	CHECK(!e, "listener recv 2: %s", strerror(-e));
	a = genl_attr(nlh, NLTEST_A_PAYLOAD);
	CHECK(a && ATTR_LEN(a) == 6 && !memcmp(ATTR_DATA(a), "custom", 6),
	      "custom payload not multicast");
	CHECK(rx_empty(l), "listener got extra messages");
	pass(T);
out:
	if (l >= 0)
		close(l);
	if (s >= 0)
		close(s);
}

struct dumpres {
	int n;		/* entries seen */
	int intr;	/* entries flagged NLM_F_DUMP_INTR */
	int intr_idx;	/* index of the first flagged entry, -1 if none */
	int done_intr;	/* NLMSG_DONE flagged */
	int change_idx;	/* first entry whose generation differs from entry 0's */
	uint32_t gen_first, gen_last;
};

/* Dump `count` entries (count < 0: no attribute).  Optionally bump the
 * generation once the first datagram has been read.  0 or -1 (reported).
 */
static int genl_dump(const char *T, int count, int bump, struct dumpres *d)
{
	struct genlreq r;
	struct nlmsghdr *nlh;
	struct rx rx;
	uint32_t seq = ++seq_counter;
	int fd = -1, b = -1, e;

	memset(d, 0, sizeof(*d));
	d->intr_idx = d->change_idx = -1;
	fd = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	greq_init(&r, fam.id, NLTEST_CMD_DUMP, NLTEST_GENL_VERSION,
		  NLM_F_REQUEST | NLM_F_DUMP, seq);
	if (count >= 0)
		greq_u32(&r, NLTEST_A_COUNT, (uint32_t)count);
	e = greq_send(fd, &r);
	CHECK(!e, "send: %s", strerror(-e));
	rx_init(&rx, fd);
	for (;;) {
		const struct nlattr *idx, *gen;

		e = rx_next(&rx, &nlh);
		CHECK(!e, "recv after %d entries: %s", d->n, strerror(-e));
		CHECK(nlh->nlmsg_seq == seq, "seq %u", nlh->nlmsg_seq);
		if (nlh->nlmsg_type == NLMSG_DONE) {
			d->done_intr = !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
			break;
		}
		CHECK(nlh->nlmsg_type != NLMSG_ERROR, "error %d",
		      ((struct nlmsgerr *)NLMSG_DATA(nlh))->error);
		CHECK(nlh->nlmsg_flags & NLM_F_MULTI, "entry %d without NLM_F_MULTI", d->n);
		idx = genl_attr(nlh, NLTEST_A_INDEX);
		gen = genl_attr(nlh, NLTEST_A_GENERATION);
		CHECK(idx && gen, "entry %d lacks INDEX/GENERATION", d->n);
		CHECK(attr_u32(idx) == (uint32_t)d->n, "entry %d has index %u", d->n,
		      attr_u32(idx));
		if (d->n == 0)
			d->gen_first = attr_u32(gen);
		else if (attr_u32(gen) != d->gen_first && d->change_idx < 0)
			d->change_idx = d->n;
		d->gen_last = attr_u32(gen);
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			if (d->intr_idx < 0)
				d->intr_idx = d->n;
			d->intr++;
		}
		d->n++;
		if (bump && rx.datagrams == 1 && rx.off >= rx.len) {
			/* First datagram consumed: change the generation. */
			struct nlmsghdr *bn;
			struct ackinfo ai;
			struct rx brx;

			b = nl_open(NETLINK_GENERIC, 0, NULL);
			CHECK(b >= 0, "socket: %s", strerror(-b));
			greq_init(&r, fam.id, NLTEST_CMD_BUMP, NLTEST_GENL_VERSION,
				  NLM_F_REQUEST | NLM_F_ACK, ++seq_counter);
			e = genl_call(b, &r, &brx, &bn, &ai);
			CHECK(!e && ai.error == 0, "BUMP: %s / %d", strerror(-e), ai.error);
			bump = 0;
		}
	}
	close(fd);
	if (b >= 0)
		close(b);
	return 0;
out:
	if (fd >= 0)
		close(fd);
	if (b >= 0)
		close(b);
	return -1;
}

static void t_genl_dump(void)
{
	const char *T = "genl_dump";
	struct dumpres d;

	if (!fam_ok) {
		skip(T, "family not resolved");
		return;
	}
	if (genl_dump(T, -1, 0, &d))
		return;
	CHECK(d.n == NLTEST_DUMP_DEFAULT_COUNT, "default dump gave %d entries", d.n);
	if (genl_dump(T, 0, 0, &d))
		return;
	CHECK(d.n == 0, "count 0 gave %d entries", d.n);
	if (genl_dump(T, 25, 0, &d))
		return;
	CHECK(d.n == 25 && !d.intr && !d.done_intr && d.gen_first == d.gen_last,
	      "n=%d intr=%d done_intr=%d gen %u..%u", d.n, d.intr, d.done_intr,
	      d.gen_first, d.gen_last);
	pass(T);
out:;
}

/*
 * A BUMP between two datagrams of a dump: nl_dump_check_consistent() flags
 * the first message built after the change (it then remembers the new
 * value), so exactly one message carries NLM_F_DUMP_INTR - the first entry
 * of the new generation, or NLMSG_DONE if the change came after the last
 * entry.  Clients must latch the flag.
 */
static void t_genl_dump_intr(void)
{
	const char *T = "genl_dump_intr";
	struct dumpres d;
	int count = 6000;

	if (!fam_ok) {
		skip(T, "family not resolved");
		return;
	}
	if (genl_dump(T, count, 1, &d))
		return;
	CHECK(d.n == count, "got %d entries, want %d", d.n, count);
	CHECK(d.gen_last == d.gen_first + 1, "generation %u -> %u, want +1", d.gen_first,
	      d.gen_last);
	CHECK(d.change_idx > 0, "generation did not change mid-dump");
	CHECK(d.intr + d.done_intr == 1, "%d entries and %d DONE flagged, want exactly 1",
	      d.intr, d.done_intr);
	CHECK(d.intr_idx == d.change_idx, "entry %d flagged, generation changed at %d",
	      d.intr_idx, d.change_idx);
	pass(T);
out:;
}

static void t_genl_require(void)
{
	const char *T = "genl_require_missing_name";
	struct genlreq r;
	const struct nlattr *a;
	struct nlmsghdr *nlh;
	struct ackinfo ai;
	struct rx rx;
	int fd, e;

	if (!fam_ok) {
		skip(T, "family not resolved");
		return;
	}
	fd = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	greq_init(&r, fam.id, NLTEST_CMD_REQUIRE, NLTEST_GENL_VERSION,
		  NLM_F_REQUEST, ++seq_counter);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e, "call: %s", strerror(-e));
	CHECK(ai.error == -EINVAL, "error %d, want -EINVAL", ai.error);
	CHECK(strstr(ai.msg, "NLTEST_A_NAME"), "ext ack message '%s'", ai.msg);
	CHECK(ai.miss_type == NLTEST_A_NAME, "NLMSGERR_ATTR_MISS_TYPE %d", ai.miss_type);
	pass(T);

	T = "genl_require_ok";
	greq_init(&r, fam.id, NLTEST_CMD_REQUIRE, NLTEST_GENL_VERSION,
		  NLM_F_REQUEST, ++seq_counter);
	greq_attr(&r, NLTEST_A_NAME, "nlkit", 6);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e, "call: %s", strerror(-e));
	CHECK(ai.error == 1, "error %d (%s)", ai.error, ai.msg);
	a = genl_attr(nlh, NLTEST_A_NAME);
	CHECK(a && ATTR_LEN(a) == 6 && !strcmp(ATTR_DATA(a), "nlkit"), "name not echoed");
	pass(T);
out:
	if (fd >= 0)
		close(fd);
}

/* Strict validation: unknown attributes and a non-zero reserved field. */
static void t_genl_strict(void)
{
	const char *T = "genl_strict_validation";
	struct genlreq r;
	struct nlmsghdr *nlh;
	struct ackinfo ai;
	struct rx rx;
	int fd, e;

	if (!fam_ok) {
		skip(T, "family not resolved");
		return;
	}
	fd = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	/* NAME is not in ECHO's policy */
	greq_init(&r, fam.id, NLTEST_CMD_ECHO, NLTEST_GENL_VERSION, NLM_F_REQUEST, ++seq_counter);
	greq_attr(&r, NLTEST_A_NAME, "x", 2);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e && ai.error == -EINVAL, "attr outside policy: %s / %d", strerror(-e), ai.error);
	/* type above maxattr */
	greq_init(&r, fam.id, NLTEST_CMD_ECHO, NLTEST_GENL_VERSION, NLM_F_REQUEST, ++seq_counter);
	greq_u32(&r, NLTEST_A_MAX + 5, 1);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e && ai.error == -EINVAL, "attr above maxattr: %s / %d", strerror(-e), ai.error);
	/* wrong length for a u32 */
	greq_init(&r, fam.id, NLTEST_CMD_DUMP, NLTEST_GENL_VERSION,
		  NLM_F_REQUEST | NLM_F_DUMP, ++seq_counter);
	greq_attr(&r, NLTEST_A_COUNT, "ab", 2);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e && ai.error == -EINVAL, "short u32: %s / %d", strerror(-e), ai.error);
	/* any attribute on a command without a policy (BUMP) */
	greq_init(&r, fam.id, NLTEST_CMD_BUMP, NLTEST_GENL_VERSION, NLM_F_REQUEST, ++seq_counter);
	greq_u32(&r, NLTEST_A_COUNT, 1);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e && ai.error == -EINVAL, "attr on BUMP: %s / %d", strerror(-e), ai.error);
	/* reserved header field */
	greq_init(&r, fam.id, NLTEST_CMD_ECHO, NLTEST_GENL_VERSION, NLM_F_REQUEST, ++seq_counter);
	((struct genlmsghdr *)NLMSG_DATA((struct nlmsghdr *)r.buf))->reserved = 1;
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e && ai.error == -EINVAL, "reserved != 0: %s / %d", strerror(-e), ai.error);
	/* unknown command */
	greq_init(&r, fam.id, NLTEST_CMD_MAX + 1, NLTEST_GENL_VERSION, NLM_F_REQUEST, ++seq_counter);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e && ai.error == -EOPNOTSUPP, "unknown cmd: %s / %d", strerror(-e), ai.error);
	pass(T);
out:
	if (fd >= 0)
		close(fd);
}

static void t_genl_admin(void)
{
	const char *T = "genl_admin_perm";
	struct genlreq r;
	struct nlmsghdr *nlh;
	struct ackinfo ai;
	struct rx rx;
	int fd, e, want = privileged ? 0 : -EPERM;

	if (!fam_ok) {
		skip(T, "family not resolved");
		return;
	}
	fd = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	greq_init(&r, fam.id, NLTEST_CMD_ADMIN, NLTEST_GENL_VERSION,
		  NLM_F_REQUEST | NLM_F_ACK, ++seq_counter);
	e = genl_call(fd, &r, &rx, &nlh, &ai);
	CHECK(!e, "call: %s", strerror(-e));
	CHECK(ai.error == want, "error %d, want %d", ai.error, want);
	pass(T);
out:
	if (fd >= 0)
		close(fd);
}

/* In a new network namespace: genl family present (netnsok), raw unit has
 * no kernel socket (it is created in init_net only).
 */
static void t_netns(void)
{
	const char *T = "netns_genl_yes_raw_no";
	int status;
	pid_t pid;

	if (!privileged) {
		skip(T, "needs CAP_SYS_ADMIN");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct family f;
		int fd, e;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(10);
		fd = nl_open(NETLINK_GENERIC, 0, NULL);
		if (fd < 0 || genl_resolve(fd, NLTEST_GENL_NAME, &f))
			_exit(11);
		close(fd);
		fd = nl_open(unit, 0, NULL);
		if (fd < 0)
			_exit(12);
		e = nl_send(fd, NLTEST_MSG_ECHO, NLM_F_REQUEST, 1, "x", 1);
		_exit(e == -ECONNREFUSED ? 0 : 13);
	}
	CHECK(pid > 0, "fork: %s", strerror(errno));
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child died");
	CHECK(WEXITSTATUS(status) == 0, "child step failed (code %d: 10 unshare, "
	      "11 genl resolve, 12 raw socket, 13 raw send not ECONNREFUSED)",
	      WEXITSTATUS(status));
	pass(T);
out:;
}

/* ---- skb leak heuristic ------------------------------------------------- */

static long slab_active(const char *cache)
{
	char line[512], name[128];
	long active = -1, n;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %ld", name, &n) == 2 && !strcmp(name, cache)) {
			active = n;
			break;
		}
	}
	fclose(f);
	return active;
}

static void t_leak(void)
{
	const char *T = "skb_leak_check";
	static uint8_t payload[1024];
	const int rounds = 20000;
	long before, after;
	struct nlmsghdr *nlh;
	struct genlreq r;
	struct ackinfo ai;
	struct rx rx;
	int fd = -1, l = -1, g = -1, i, e;

	before = slab_active("skbuff_head_cache");
	if (before < 0) {
		skip(T, "no skbuff_head_cache in /proc/slabinfo");
		return;
	}
	fd = nl_open(unit, 0, NULL);
	CHECK(fd >= 0, "socket: %s", strerror(-fd));
	l = nl_open(unit, 1u << (NLTEST_RAW_GROUP - 1), NULL);
	CHECK(l >= 0, "listener: %s", strerror(-l));
	g = nl_open(NETLINK_GENERIC, 0, NULL);
	CHECK(g >= 0, "genl socket: %s", strerror(-g));
	for (i = 0; i < rounds; i++) {
		uint16_t type = (i % 10 == 0) ? NLTEST_MSG_BROADCAST : NLTEST_MSG_ECHO;

		e = nl_send(fd, type, NLM_F_REQUEST | ((i & 1) ? NLM_F_ACK : 0), i, payload,
			    sizeof(payload));
		CHECK(!e, "send %d: %s", i, strerror(-e));
		rx_init(&rx, fd);
		CHECK(!rx_next(&rx, &nlh), "echo %d", i);
		if (i & 1)
			CHECK(!rx_next(&rx, &nlh) && nlh->nlmsg_type == NLMSG_ERROR, "ack %d", i);
		if (type == NLTEST_MSG_BROADCAST) {
			rx_init(&rx, l);
			CHECK(!rx_next(&rx, &nlh), "broadcast %d", i);
		}
		if (fam_ok && i % 4 == 0) {
			greq_init(&r, fam.id, NLTEST_CMD_ECHO, NLTEST_GENL_VERSION,
				  NLM_F_REQUEST, ++seq_counter);
			greq_attr(&r, NLTEST_A_PAYLOAD, payload, 100);
			e = genl_call(g, &r, &rx, &nlh, &ai);
			CHECK(!e && ai.error == 1, "genl echo %d", i);
		}
	}
	close(fd);
	close(l);
	close(g);
	fd = l = g = -1;
	usleep(200000);
	after = slab_active("skbuff_head_cache");
	printf("INFO smoke/%s: skbuff_head_cache active objects %ld -> %ld after %d round trips\n",
	       phase, before, after, rounds);
	CHECK(after - before < rounds / 4, "skbuff_head_cache grew by %ld over %d round trips",
	      after - before, rounds);
	pass(T);
out:
	if (fd >= 0)
		close(fd);
	if (l >= 0)
		close(l);
	if (g >= 0)
		close(g);
}

/* ======================================================================== */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Keep a listener open until signalled (used for the rmmod-with-listener test). */
static int hold(const char *what)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int fd, e;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!strcmp(what, "raw")) {
		fd = nl_open(unit, 1u << (NLTEST_RAW_GROUP - 1), NULL);
		if (fd < 0) {
			printf("HOLD ERROR raw socket: %s\n", strerror(-fd));
			return 1;
		}
	} else if (!strcmp(what, "genl")) {
		struct family f;

		fd = nl_open(NETLINK_GENERIC, 0, NULL);
		if (fd < 0 || (e = genl_resolve(fd, NLTEST_GENL_NAME, &f)) ||
		    (e = nl_join(fd, f.events_grp))) {
			printf("HOLD ERROR genl\n");
			return 1;
		}
	} else {
		fprintf(stderr, "usage: smoke hold raw|genl\n");
		return 2;
	}
	printf("HOLD READY %s\n", what);
	fflush(stdout);
	while (!stop)
		pause();
	close(fd);
	return 0;
}

static int drop_privileges(void)
{
	const char *u = getenv("NLTEST_DROP_UID");
	const char *g = getenv("NLTEST_DROP_GID");
	uid_t uid;
	gid_t gid;

	if (!u || !*u)
		return 0;
	uid = (uid_t)strtoul(u, NULL, 10);
	gid = g && *g ? (gid_t)strtoul(g, NULL, 10) : (gid_t)uid;
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		printf("FAIL smoke/%s/drop_privileges: %s\n", phase, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		printf("FAIL smoke/%s/drop_privileges: could regain uid 0\n", phase);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *p = getenv("NLTEST_PHASE");
	const char *u = getenv("NLTEST_UNIT");
	char buf[32];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (p && *p)
		phase = p;
	if (u && *u)
		unit = atoi(u);
	else if (!read_param("unit", buf, sizeof(buf)))
		unit = atoi(buf);
	if (!read_param("nonroot_recv", buf, sizeof(buf)))
		nonroot_recv = buf[0] == 'Y' || buf[0] == '1';

	if (argc >= 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	if (argc >= 5 && !strcmp(argv[1], "runas")) {
		gid_t gid = (gid_t)strtoul(argv[3], NULL, 10);
		uid_t uid = (uid_t)strtoul(argv[2], NULL, 10);

		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
			fprintf(stderr, "runas: %s\n", strerror(errno));
			return 126;
		}
		execv(argv[4], argv + 4);
		fprintf(stderr, "runas: exec %s: %s\n", argv[4], strerror(errno));
		return 127;
	}

	if (drop_privileges())
		return 1;
	privileged = geteuid() == 0;
	printf("INFO smoke/%s: uid %d, unit %d, nonroot_recv %d\n", phase, (int)geteuid(),
	       unit, nonroot_recv);

	t_raw_hello();
	t_raw_sizes();
	t_raw_ack_and_flags();
	t_raw_control_ignored();
	t_raw_batch();
	t_raw_broadcast();
	t_raw_broadcast_nobody();
	t_genl_resolve();
	t_genl_echo();
	t_genl_notify();
	t_genl_dump();
	t_genl_dump_intr();
	t_genl_require();
	t_genl_strict();
	t_genl_admin();
	t_netns();
	if (privileged)
		t_leak();
	else
		skip("skb_leak_check", "needs root for /proc/slabinfo");

	printf("INFO smoke/%s: %d passed, %d failed, %d skipped\n", phase, n_pass, n_fail, n_skip);
	return n_fail ? 1 : 0;
}
