/*
 * capture-int.h - state shared by the capture readers (internal).
 */
#ifndef BOTLENS_CAPTURE_INT_H
#define BOTLENS_CAPTURE_INT_H

#include "capture/capture.h"
#include "capture/source.h"

#define CAP_MAX_SNAPLEN 262144u      /* libpcap's MAXIMUM_SNAPLEN */
#define PCAPNG_MAX_BLOCK (16u << 20) /* libpcap's MAX_BLOCKSIZE */

struct cap_iface {
	int linktype;
	uint32_t snaplen;
	uint64_t units;      /* timestamp units per second */
	int64_t offset_s;    /* if_tsoffset */
};

struct cap {
	char *path;
	enum cap_format fmt;
	enum cap_reader reader;
	bool big;            /* file byte order is big-endian */
	struct src src;
	/* pcap */
	int linktype;
	uint32_t snaplen;
	/* pcapng */
	struct cap_iface *ifaces;
	unsigned nifaces, ifcap;
	unsigned sections;
	/* every interface ever seen (across sections), for info */
	int seen_lt[CAP_MAX_IFACES];
	unsigned nseen;
	uint8_t *scratch;    /* truncated copy when caplen > snaplen */
	/* libpcap reference reader */
	void *pcap;
	void *file;
	uint64_t ref_offset;
};

int pcap_file_start(struct cap *c, const uint8_t *hdr, size_t n, char *err, size_t errlen);
int pcap_file_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen);
int pcapng_start(struct cap *c, char *err, size_t errlen);
int pcapng_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen);
int ref_open(struct cap *c, char *err, size_t errlen);
int ref_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen);
void ref_close(struct cap *c);
void cap_note_linktype(struct cap *c, int lt);

#endif
