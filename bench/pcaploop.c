/*
 * pcaploop.c - the libpcap baseline of the `botlens flows` benchmark.
 *
 * A bare pcap_next_ex() loop over a capture file counting records and
 * captured bytes: what any libpcap-based tool pays before it decodes a
 * single header.  Prints "records bytes".
 *
 * usage: pcaploop FILE
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: pcaploop FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcaploop: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t recs = 0, bytes = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		recs++;
		bytes += h->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcaploop: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)recs, (unsigned long long)bytes);
	pcap_close(p);
	return 0;
}
