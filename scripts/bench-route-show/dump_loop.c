/*
 * The floor for `route show`: one RTM_GETROUTE dump request, then receive
 * until NLMSG_DONE, walking the nlmsghdrs of each datagram and nothing
 * more (no attribute parsing, no output). Prints the number of route
 * messages to stderr so that the bench can check the dump was whole.
 *
 * Socket options as nlkit sets them for a dump: NETLINK_EXT_ACK and
 * NETLINK_GET_STRICT_CHK on, the default SO_RCVBUF, and a receive buffer
 * of 32 KiB (what the kernel fills a dump skb up to).
 *
 *   dump_loop [4|6|0]    family (default 4)
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int main(int argc, char **argv)
{
	int family = AF_INET;
	if (argc > 1)
		family = atoi(argv[1]) == 6 ? AF_INET6 : atoi(argv[1]) == 0 ? AF_UNSPEC : AF_INET;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	int one = 1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bind");
		return 1;
	}
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .rtm_family = family },
	};
	if (send(fd, &req, sizeof(req), 0) < 0) {
		perror("send");
		return 1;
	}
	static char buf[32768];
	long routes = 0;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("recv");
			return 1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				fprintf(stderr, "%ld\n", routes);
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "dump_loop: error reply\n");
				return 1;
			}
			if (h->nlmsg_type == RTM_NEWROUTE)
				routes++;
		}
	}
}
