/*
 * overnet.c - the Overnet UDP message codec (eDonkey2000 Overnet, the
 * protocol of Storm Worm's P2P channel).  Spec: mldonkey docs/overnet.txt
 * (opcodes 10-20, 24-29, the "peer" and "tags" conventions, integers
 * little-endian, IPv4 written a.b.c.d), KadC overnet.h for Identify
 * (0x15, 0x16, 0x1E), the two SearchEnd counts and PeerNotFound (0x21,
 * mldonkey's "msg 33").
 *
 *   +------+--------+------------------------------------+
 *   | 0xE3 | opcode | body                               |
 *   +------+--------+------------------------------------+
 *   PEER    (23) = ID(16) | IPv4(4) | port(2) | kind(1)
 *   CONTACT (22) = ID(16) | IPv4(4) | port(2)
 *   tag = type(1) | namelen(2) | name | value
 *         value: 0x01 hash(16), 0x02 string len(2)+bytes, 0x03 dword(4),
 *                0x04 float(4), 0x05 bool(1)
 *
 * Every byte goes through the checked reader (util/rd.h).  Decode and
 * encode are exact inverses: a message decodes only when every byte is
 * accounted for, so re-encoding reproduces the input.
 */
#include <string.h>

#include "p2p/p2p.h"
#include "util/rd.h"

enum ov_layout {
	L_EMPTY, L_PEER, L_PEERS16, L_SEARCH, L_PEERS8, L_SEARCHINFO, L_TAGGED, L_SEARCHEND,
	L_HASH, L_CONTACT, L_PORT, L_HASHPORT, L_IP,
};

static const struct ov_opdef {
	uint8_t op;
	uint8_t layout;
	const char *name;
} ov_ops[] = {
	{ OV_CONNECT, L_PEER, "Connect" },
	{ OV_CONNECT_REPLY, L_PEERS16, "ConnectReply" },
	{ OV_PUBLICIZE, L_PEER, "Publicize" },
	{ OV_PUBLICIZE_ACK, L_EMPTY, "PublicizeAck" },
	{ OV_SEARCH, L_SEARCH, "Search" },
	{ OV_SEARCH_NEXT, L_PEERS8, "SearchNext" },
	{ OV_SEARCH_INFO, L_SEARCHINFO, "SearchInfo" },
	{ OV_SEARCH_RESULT, L_TAGGED, "SearchResult" },
	{ OV_SEARCH_END, L_SEARCHEND, "SearchEnd" },
	{ OV_PUBLISH, L_TAGGED, "Publish" },
	{ OV_PUBLISH_ACK, L_HASH, "PublishAck" },
	{ OV_IDENTIFY_REPLY, L_CONTACT, "IdentifyReply" },
	{ OV_IDENTIFY_ACK, L_PORT, "IdentifyAck" },
	{ OV_FIREWALL, L_HASHPORT, "FirewallConnection" },
	{ OV_FIREWALL_ACK, L_HASH, "FirewallConnectionAck" },
	{ OV_FIREWALL_NACK, L_HASH, "FirewallConnectionNack" },
	{ OV_GETMYIP, L_PORT, "GetMyIP" },
	{ OV_GETMYIP_RESULT, L_IP, "GetMyIPResult" },
	{ OV_GETMYIP_DONE, L_EMPTY, "GetMyIPDone" },
	{ OV_IDENTIFY, L_EMPTY, "Identify" },
	{ OV_PEER_NOTFOUND, L_PEER, "PeerNotFound" },
};
#define NOPS (sizeof ov_ops / sizeof *ov_ops)

static const char *const ov_status_names[OV_STATUS_COUNT] = {
	[OV_OK] = "p2p.overnet.ok",
	[OV_ETRUNC] = "p2p.overnet.truncated",
	[OV_EMAGIC] = "p2p.overnet.bad_magic",
	[OV_EOPCODE] = "p2p.overnet.unknown_opcode",
	[OV_EINVALID] = "p2p.overnet.invalid",
	[OV_ESPACE] = "p2p.overnet.no_space",
};

static const struct ov_opdef *ov_find(uint8_t op)
{
	for (size_t i = 0; i < NOPS; i++)
		if (ov_ops[i].op == op)
			return &ov_ops[i];
	return NULL;
}

const char *ov_op_name(uint8_t op)
{
	const struct ov_opdef *d = ov_find(op);
	return d ? d->name : NULL;
}

const char *ov_status_name(enum ov_status s)
{
	return (unsigned)s < OV_STATUS_COUNT ? ov_status_names[s] : "p2p.overnet.unknown";
}

static bool rd_ip(struct rd *r, uint32_t *ip)
{
	return rd_be32(r, ip);  /* a.b.c.d on the wire: big-endian order of bytes */
}

static bool rd_peer(struct rd *r, struct ov_peer *p, bool with_kind)
{
	p->kind = 0;
	return rd_copy(r, p->id, OV_IDLEN) && rd_ip(r, &p->ip) && rd_le16(r, &p->port) &&
	       (!with_kind || rd_u8(r, &p->kind));
}

void ov_peer_get(const struct ov_msg *m, uint16_t i, struct ov_peer *p)
{
	struct rd r;
	rd_init(&r, m->peers + (size_t)i * OV_PEERLEN, OV_PEERLEN);
	rd_peer(&r, p, true);
}

/* Walks ntags tags; false (with *trunc telling why) when they do not parse. */
static bool rd_tags(struct rd *r, uint32_t ntags, bool *trunc)
{
	*trunc = true;
	for (uint32_t i = 0; i < ntags; i++) {
		uint8_t type;
		uint16_t nl, vl;
		if (!rd_u8(r, &type) || !rd_le16(r, &nl) || !rd_skip(r, nl))
			return false;
		switch (type) {
		case 0x01: if (!rd_skip(r, 16)) return false; break;
		case 0x02: if (!rd_le16(r, &vl) || !rd_skip(r, vl)) return false; break;
		case 0x03:
		case 0x04: if (!rd_skip(r, 4)) return false; break;
		case 0x05: if (!rd_skip(r, 1)) return false; break;
		default: *trunc = false; return false;
		}
	}
	return true;
}

/* Reads a body per its layout; false = truncated, *invalid set for bad bytes. */
static bool rd_body(struct rd *r, uint8_t layout, struct ov_msg *m, bool *invalid)
{
	const uint8_t *p;
	uint8_t c8;
	switch (layout) {
	case L_EMPTY:
		return true;
	case L_PEER:
		return rd_peer(r, &m->peer, true);
	case L_CONTACT:
		return rd_peer(r, &m->peer, false);
	case L_PEERS16:
		if (!rd_le16(r, &m->npeers) || !rd_bytes(r, (size_t)m->npeers * OV_PEERLEN, &p))
			return false;
		m->peers = p;
		return true;
	case L_SEARCH:
		return rd_u8(r, &m->kind) && rd_copy(r, m->hash, OV_IDLEN);
	case L_PEERS8:
		if (!rd_copy(r, m->hash, OV_IDLEN) || !rd_u8(r, &c8) ||
		    !rd_bytes(r, (size_t)c8 * OV_PEERLEN, &p))
			return false;
		m->npeers = c8;
		m->peers = p;
		return true;
	case L_SEARCHINFO:
		return rd_copy(r, m->hash, OV_IDLEN) && rd_u8(r, &m->kind) && rd_le16(r, &m->a) &&
		       rd_le16(r, &m->b);
	case L_TAGGED: {
		bool trunc;
		if (!rd_copy(r, m->hash, OV_IDLEN) || !rd_copy(r, m->id, OV_IDLEN) || !rd_le32(r, &m->ntags))
			return false;
		m->tags = r->p;
		size_t before = r->left;
		if (!rd_tags(r, m->ntags, &trunc)) {
			*invalid = !trunc;
			return false;
		}
		m->tags_len = before - r->left;
		return true;
	}
	case L_SEARCHEND:
		if (!rd_copy(r, m->hash, OV_IDLEN))
			return false;
		if (r->left == 0)
			return true;
		m->has_counts = true;
		return rd_le16(r, &m->a) && rd_le16(r, &m->b);
	case L_HASH:
		return rd_copy(r, m->hash, OV_IDLEN);
	case L_PORT:
		return rd_le16(r, &m->a);
	case L_HASHPORT:
		return rd_copy(r, m->hash, OV_IDLEN) && rd_le16(r, &m->a);
	case L_IP:
		return rd_ip(r, &m->ip);
	}
	*invalid = true;
	return false;
}

/*
 * Decodes one message.  OV_ETRUNC when the bytes end inside a field,
 * OV_EINVALID when bytes are left over or a tag type is unknown: both
 * leave *m partly filled and must not be used.
 */
enum ov_status ov_decode(const uint8_t *buf, size_t n, struct ov_msg *m)
{
	struct rd r;
	uint8_t magic;
	memset(m, 0, sizeof *m);
	rd_init(&r, buf, n);
	if (!rd_u8(&r, &magic))
		return OV_ETRUNC;
	if (magic != OV_MAGIC)
		return OV_EMAGIC;
	if (!rd_u8(&r, &m->op))
		return OV_ETRUNC;
	const struct ov_opdef *d = ov_find(m->op);
	if (!d)
		return OV_EOPCODE;
	bool invalid = false;
	if (!rd_body(&r, d->layout, m, &invalid))
		return invalid ? OV_EINVALID : OV_ETRUNC;
	return r.left ? OV_EINVALID : OV_OK;
}

/* --- encoding: a bounded writer, the mirror of struct rd --- */
struct wr {
	uint8_t *p;
	size_t left;
	bool bad;
};

static void wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (w->bad || n > w->left) {
		w->bad = true;
		return;
	}
	if (n)
		memcpy(w->p, src, n);
	w->p += n;
	w->left -= n;
}

static void wr_u8(struct wr *w, uint8_t v) { wr_bytes(w, &v, 1); }

static void wr_le16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	wr_bytes(w, b, 2);
}

static void wr_le32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	wr_bytes(w, b, 4);
}

static void wr_ip(struct wr *w, uint32_t ip)
{
	uint8_t b[4] = { (uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip };
	wr_bytes(w, b, 4);
}

static void wr_peer(struct wr *w, const struct ov_peer *p, bool with_kind)
{
	wr_bytes(w, p->id, OV_IDLEN);
	wr_ip(w, p->ip);
	wr_le16(w, p->port);
	if (with_kind)
		wr_u8(w, p->kind);
}

void ov_peer_put(uint8_t out[OV_PEERLEN], const struct ov_peer *p)
{
	struct wr w = { out, OV_PEERLEN, false };
	wr_peer(&w, p, true);
}

/*
 * Encodes m.  Returns the length written, or 0 when the opcode is not in
 * the table, a count does not fit its field, or buf is too small.
 */
size_t ov_encode(const struct ov_msg *m, uint8_t *buf, size_t cap)
{
	const struct ov_opdef *d = ov_find(m->op);
	if (!d)
		return 0;
	struct wr w = { buf, cap, false };
	wr_u8(&w, OV_MAGIC);
	wr_u8(&w, m->op);
	switch (d->layout) {
	case L_EMPTY: break;
	case L_PEER: wr_peer(&w, &m->peer, true); break;
	case L_CONTACT: wr_peer(&w, &m->peer, false); break;
	case L_PEERS16:
		wr_le16(&w, m->npeers);
		wr_bytes(&w, m->peers, (size_t)m->npeers * OV_PEERLEN);
		break;
	case L_SEARCH:
		wr_u8(&w, m->kind);
		wr_bytes(&w, m->hash, OV_IDLEN);
		break;
	case L_PEERS8:
		if (m->npeers > 255)
			return 0;
		wr_bytes(&w, m->hash, OV_IDLEN);
		wr_u8(&w, (uint8_t)m->npeers);
		wr_bytes(&w, m->peers, (size_t)m->npeers * OV_PEERLEN);
		break;
	case L_SEARCHINFO:
		wr_bytes(&w, m->hash, OV_IDLEN);
		wr_u8(&w, m->kind);
		wr_le16(&w, m->a);
		wr_le16(&w, m->b);
		break;
	case L_TAGGED:
		wr_bytes(&w, m->hash, OV_IDLEN);
		wr_bytes(&w, m->id, OV_IDLEN);
		wr_le32(&w, m->ntags);
		wr_bytes(&w, m->tags, m->tags_len);
		break;
	case L_SEARCHEND:
		wr_bytes(&w, m->hash, OV_IDLEN);
		if (m->has_counts) {
			wr_le16(&w, m->a);
			wr_le16(&w, m->b);
		}
		break;
	case L_HASH: wr_bytes(&w, m->hash, OV_IDLEN); break;
	case L_PORT: wr_le16(&w, m->a); break;
	case L_HASHPORT:
		wr_bytes(&w, m->hash, OV_IDLEN);
		wr_le16(&w, m->a);
		break;
	case L_IP: wr_ip(&w, m->ip); break;
	}
	return w.bad ? 0 : cap - w.left;
}
