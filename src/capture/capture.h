/*
 * capture.h - reading capture files into link-layer records.
 *
 * The capture layer turns a file (pcap, pcapng, either gzip-compressed,
 * or standard input) into a stream of records: timestamp, captured and
 * on-wire length, link type and the captured bytes.  It knows nothing of
 * protocols.  Two readers sit behind one interface:
 *   - the native reader (pcap.c, pcapng.c over source.c), the default,
 *     which streams through a fixed window and handles everything below;
 *   - the libpcap reader (reference.c), the reference, used by
 *     `--reader libpcap` and by the tests that check the two agree.
 *
 * Errors: functions return CAP_OK/CAP_EOF or a negative CAP_E* and fill
 * the caller's error buffer with a message naming the file and, for
 * damage, the byte offset.  Records before the damage are all delivered.
 * Memory is bounded by the largest record, never by the file size.
 */
#ifndef BOTLENS_CAPTURE_H
#define BOTLENS_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum cap_status {
	CAP_OK = 1,         /* a record was returned */
	CAP_EOF = 0,        /* clean end of input */
	CAP_EOPEN = -1,     /* cannot open / read the file */
	CAP_EFORMAT = -2,   /* not a capture we know (bad magic, version) */
	CAP_EDAMAGED = -3,  /* damage after a good start: cut, bad length */
	CAP_ENOMEM = -4,
};

enum cap_format { CAP_FMT_PCAP, CAP_FMT_PCAP_NS, CAP_FMT_PCAPNG };
enum cap_reader { CAP_READER_NATIVE, CAP_READER_LIBPCAP };

#define CAP_ERRLEN 512
#define CAP_MAX_IFACES 256  /* linktypes remembered for `info` */

struct cap_rec {
	int64_t ts_ns;          /* nanoseconds since the epoch */
	uint32_t caplen;        /* bytes in data */
	uint32_t wirelen;       /* original length on the wire */
	int linktype;           /* LINKTYPE_* value */
	uint32_t iface;         /* pcapng interface index, 0 for pcap */
	uint64_t offset;        /* byte offset of the record in the (decompressed) file */
	const uint8_t *data;    /* valid until the next cap_next() */
};

struct cap;

struct cap_open_opts {
	enum cap_reader reader;
};

/* Opens path ("-" is standard input). Detects gzip, pcap, pcapng by magic. */
int cap_open(struct cap **out, const char *path, const struct cap_open_opts *o,
	     char *err, size_t errlen);
/* Next record: CAP_OK, CAP_EOF or an error (err names file and offset). */
int cap_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen);
void cap_close(struct cap *c);

const char *cap_path(const struct cap *c);
enum cap_format cap_format(const struct cap *c);
const char *cap_format_name(const struct cap *c);  /* "pcap", "pcap-ns", "pcapng" */
bool cap_gzipped(const struct cap *c);
bool cap_big_endian(const struct cap *c);
/* Bytes consumed so far and total size when known (0 if a pipe or gzip). */
uint64_t cap_bytes_read(const struct cap *c);
uint64_t cap_file_size(const struct cap *c);
/* Interfaces seen so far: count and link type of each. */
unsigned cap_iface_count(const struct cap *c);
int cap_iface_linktype(const struct cap *c, unsigned i);
unsigned cap_section_count(const struct cap *c);
/* True when record bytes stay valid across several cap_next() calls
 * (memory-mapped input: at least 64 MiB behind the read position). */
bool cap_stable_data(const struct cap *c);

/*
 * True when the first bytes are a pcap (either resolution, either byte
 * order) or pcapng magic number: for recognising captures by content
 * without opening them (directories, report inputs).  gzip is not checked.
 */
bool cap_magic(const uint8_t *p, size_t n);

/* Name of a LINKTYPE_ value ("EN10MB", "LINUX_SLL2"...), or NULL. */
const char *cap_linktype_name(int linktype);

#endif
