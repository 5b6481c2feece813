/* Closed-loop UDP load for the NFQUEUE benchmark: sends WINDOW small
 * packets from one socket to another on loopback, then waits until the
 * receiving socket has them all, N packets in all; prints packets/s.
 * The packets pass whatever OUTPUT rules the netns has (an NFQUEUE rule:
 * through the queue consumer; none: the ceiling). Exits 1 if a window does
 * not arrive within 2 s (packets were lost). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int window = argc > 2 ? atoi(argv[2]) : 256;
	int port = argc > 3 ? atoi(argv[3]) : 5000;
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int big = 8 << 20;
	setsockopt(r, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
	if (bind(r, (void *)&a, sizeof a) < 0) { perror("bind"); return 2; }
	struct timeval tv = {2, 0};
	setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char buf[64] = "nlkit-bench";
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long sent = 0; sent < n;) {
		int w = n - sent < window ? (int)(n - sent) : window;
		for (int i = 0; i < w; i++)
			sendto(s, buf, 16, 0, (void *)&a, sizeof a);
		for (int i = 0; i < w; i++)
			if (recv(r, buf, sizeof buf, 0) < 0) {
				fprintf(stderr, "udp_window: lost packets after %ld\n", sent + i);
				return 1;
			}
		sent += w;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f\n", n / dt);
	return 0;
}
