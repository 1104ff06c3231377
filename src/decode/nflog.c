/*
 * nflog.c - Linux netfilter NFLOG (LINKTYPE_NFLOG, 239).
 *
 *   header: family(1) version(1) resource id(2, big-endian)
 *   TLVs:   length(2) type(2) value, host byte order (little-endian on
 *           every capture we have seen), padded to 4 bytes
 * TLV type 9 (NFULA_PAYLOAD) holds the IP packet; family 2 = IPv4,
 * 10 = IPv6.
 */
#include "decode/decode-int.h"

void decode_nflog(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint8_t family;
	if (!rd_u8(r, &family) || !rd_skip(r, 3)) {
		anomaly(d, ANOM_NFLOG_TRUNCATED);
		return;
	}
	while (r->left >= 4) {
		uint16_t len, type;
		rd_le16(r, &len);
		rd_le16(r, &type);
		if (len < 4 || !rd_has(r, (size_t)len - 4)) {
			anomaly(d, ANOM_NFLOG_TRUNCATED);
			return;
		}
		struct rd v;
		rd_sub(r, (size_t)len - 4, &v);
		if ((type & 0x7fff) == 9) {
			if (family == 10)
				decode_ipv6(d, p, &v);
			else
				decode_ipv4(d, p, &v);
			return;
		}
		rd_skip(r, ((size_t)4 - (len & 3)) & 3);
	}
	if (r->left)  /* 1-3 bytes: a TLV header cut short */
		anomaly(d, ANOM_NFLOG_TRUNCATED);
}
