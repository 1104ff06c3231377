/*
 * pcapw.c - classic pcap writer (the "libpcap file format", as in
 * draft-ietf-opsawg-pcap): a 24-byte global header then one 16-byte
 * record header plus the captured bytes per packet.  Microsecond
 * resolution, written little-endian explicitly (byte by byte, whatever
 * the host order), so the magic reads d4 c3 b2 a1 on disk.
 *
 *   global header            record header
 *   +-----------------+      +-----------------+
 *   | magic a1b2c3d4  |      | ts_sec          |
 *   | 2 | 4 (version) |      | ts_usec         |
 *   | thiszone = 0    |      | incl_len        |
 *   | sigfigs = 0     |      | orig_len        |
 *   | snaplen         |      +-----------------+
 *   | linktype        |      | incl_len bytes  |
 *   +-----------------+
 *
 * Errors are returned as -1 with errno set; nothing is printed.
 */
#include <errno.h>

#include "synth/synth.h"

#define PCAPW_MAGIC 0xa1b2c3d4u
#define PCAPW_LINKTYPE_ETHERNET 1

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/*
 * Writes the global header.  A linktype <= 0 means Ethernet, a snaplen
 * of 0 means 65535.  Returns 0, or -1 with errno from the stream.
 */
int pcapw_open(struct pcapw *w, FILE *f, int linktype, uint32_t snaplen)
{
	uint8_t h[24];
	w->f = f;
	w->linktype = linktype > 0 ? linktype : PCAPW_LINKTYPE_ETHERNET;
	w->snaplen = snaplen ? snaplen : 65535;
	w->packets = 0;
	w->bytes = 0;
	put_le32(h, PCAPW_MAGIC);
	put_le16(h + 4, 2);
	put_le16(h + 6, 4);
	put_le32(h + 8, 0);
	put_le32(h + 12, 0);
	put_le32(h + 16, w->snaplen);
	put_le32(h + 20, (uint32_t)w->linktype);
	errno = 0;
	if (fwrite(h, sizeof h, 1, f) != 1) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Writes one record.  Captured bytes beyond the snaplen are cut (incl_len
 * = min(len, snaplen)) while orig_len keeps wirelen.  Timestamps before
 * 1970 or after 2106 do not fit the 32-bit seconds field: EINVAL, as is
 * wirelen < len.
 */
int pcapw_write(struct pcapw *w, int64_t ts_ns, const uint8_t *data, uint32_t len,
		uint32_t wirelen)
{
	uint8_t h[16];
	if (ts_ns < 0 || ts_ns / 1000000000 > (int64_t)UINT32_MAX || wirelen < len) {
		errno = EINVAL;
		return -1;
	}
	uint32_t incl = len < w->snaplen ? len : w->snaplen;
	put_le32(h, (uint32_t)(ts_ns / 1000000000));
	put_le32(h + 4, (uint32_t)(ts_ns % 1000000000 / 1000));
	put_le32(h + 8, incl);
	put_le32(h + 12, wirelen);
	errno = 0;
	if (fwrite(h, sizeof h, 1, w->f) != 1 || (incl && fwrite(data, incl, 1, w->f) != 1)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	w->packets++;
	w->bytes += incl;   /* captured packet bytes, headers not counted */
	return 0;
}
