// SPDX-License-Identifier: GPL-2.0
/*
 * TCP request/response transactions per second, in the style of netperf's TCP_RR: one
 * connection, a 1-byte request answered by a 1-byte response, as many as fit in the given
 * time, timed by the client itself (so program start-up is not measured).
 *
 *   rr server PORT                 answer one connection's requests until it closes
 *   rr client ADDR PORT SECONDS    print transactions per second
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int server(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, s, c;
	char b;

	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("rr server");
		return 1;
	}
	c = accept(s, NULL, NULL);
	if (c < 0) {
		perror("rr server: accept");
		return 1;
	}
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (read(c, &b, 1) == 1)
		if (write(c, &b, 1) != 1)
			break;
	return 0;
}

static int client(const char *addr, int port, double seconds)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	double t0, t1, end;
	long n = 0;
	int one = 1, s;
	char b = 'r';

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "rr client: bad address %s\n", addr);
		return 1;
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("rr client");
		return 1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = now();
	end = t0 + seconds;
	do {
		if (write(s, &b, 1) != 1 || read(s, &b, 1) != 1) {
			perror("rr client: transaction");
			return 1;
		}
		n++;
	} while ((n & 63) || now() < end);
	t1 = now();
	printf("%.0f\n", n / (t1 - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: rr server PORT | rr client ADDR PORT SECONDS\n");
	return 2;
}
