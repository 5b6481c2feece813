/* The usual libnetfilter_queue client, for the NFQUEUE benchmark: binds
 * queue 0 (copy whole packets), accepts every packet with one verdict each,
 * exits after N packets. */
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static long seen, want;

static int cb(struct nfq_q_handle *qh, struct nfgenmsg *m, struct nfq_data *d, void *data) {
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(d);
	unsigned char *payload;
	nfq_get_payload(d, &payload);
	seen++;
	return nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT, 0, NULL);
}

int main(int argc, char **argv) {
	want = argc > 1 ? atol(argv[1]) : 100000;
	struct nfq_handle *h = nfq_open();
	if (!h) { perror("nfq_open"); return 2; }
	struct nfq_q_handle *qh = nfq_create_queue(h, 0, &cb, NULL);
	if (!qh) { perror("nfq_create_queue"); return 2; }
	nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff);
	nfq_set_queue_maxlen(qh, 4096);
	nfnl_rcvbufsiz(nfq_nfnlh(h), 8 << 20);
	int fd = nfq_fd(h);
	char buf[65536] __attribute__((aligned));
	fprintf(stderr, "bound\n");
	while (seen < want) {
		int rv = recv(fd, buf, sizeof buf, 0);
		if (rv < 0) { perror("recv"); continue; }
		nfq_handle_packet(h, buf, rv);
	}
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
}
